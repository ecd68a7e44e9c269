"""How exact the date of each displacement figure is, written beside it."""

from __future__ import annotations

import pandas as pd

from geomap.dates import describe_date
from geomap.words import DEFAULT_LANG

_COARSEST_FIRST = ("year", "month", "bound", "range", "approximate", "last-reported",
                   "day")


def add_people_as_of_text(areas: pd.DataFrame, displacement: pd.DataFrame, *,
                          lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Add ``people_as_of_text`` after ``people_as_of`` in the place summary.

    A figure dated ``2025-03`` in its file is read as 1 March 2025 but known only to
    the month: its text reads 'March 2025', not '1 March 2025'. Where several rows of
    the place bear that date, the least exact precision is written.

    Returns
    -------
    DataFrame
        A new frame; the text is '' where the place has no figure.
    """
    table = areas.copy()
    if "people_as_of" not in table:
        return table
    # only rows dated on a figure's day matter (registrations: millions of rows)
    displacement = displacement.loc[displacement["date"].isin(
        table["people_as_of"].dropna().unique())]
    precision = (displacement["date_precision"].astype(object)
                 if "date_precision" in displacement
                 else pd.Series("day", index=displacement.index, dtype=object))
    rows = pd.DataFrame({"place": displacement["place"], "date": displacement["date"],
                         "rank": precision.fillna("day").map(
                             {p: i for i, p in enumerate(_COARSEST_FIRST)}).fillna(
                             len(_COARSEST_FIRST))})
    rows = rows.dropna(subset=["place", "date"]).sort_values("rank", kind="stable")
    rows = rows.drop_duplicates(["place", "date"], keep="first")
    rows["precision"] = rows["rank"].astype(int).map(dict(enumerate(_COARSEST_FIRST)))
    found = pd.DataFrame({"place": table["place"].to_numpy(),
                          "date": table["people_as_of"].to_numpy()}).merge(
        rows[["place", "date", "precision"]], on=["place", "date"], how="left")
    text = [describe_date(day, precision, lang=lang) for day, precision
            in zip(found["date"], found["precision"], strict=True)]
    table.insert(list(table.columns).index("people_as_of") + 1, "people_as_of_text",
                 text)
    return table
