"""How exact the date of each displacement figure is, written beside it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.dates import describe_date
from geomap.words import DEFAULT_LANG

_COARSEST_FIRST = ("year", "month", "bound", "range", "approximate", "last-reported",
                   "day")
_RANK = {precision: rank for rank, precision in enumerate(_COARSEST_FIRST)}


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
    places, dates = displacement["place"].tolist(), displacement["date"].tolist()
    unknown = (displacement["place"].isna() | displacement["date"].isna()).tolist()
    if "date_precision" in displacement:
        given = displacement["date_precision"].tolist()
        ranks = [_RANK.get(p, len(_COARSEST_FIRST)) for p in (
            "day" if gone else p for p, gone in zip(
                given, displacement["date_precision"].isna().tolist(), strict=True))]
    else:
        ranks = [_RANK["day"]] * len(displacement)
    coarsest: dict[tuple, int] = {}  # the least exact precision of each place and day
    for place, day, rank, gone in zip(places, dates, ranks, unknown, strict=True):
        if not gone and rank < coarsest.get((place, day), len(_COARSEST_FIRST) + 1):
            coarsest[(place, day)] = rank
    text = []
    for place, day in zip(table["place"].tolist(), table["people_as_of"].tolist(),
                          strict=True):
        rank = coarsest.get((place, day), len(_COARSEST_FIRST)) if pd.notna(day) \
            else len(_COARSEST_FIRST)
        precision = _COARSEST_FIRST[rank] if rank < len(_COARSEST_FIRST) else np.nan
        text.append(describe_date(day, precision, lang=lang))
    table.insert(list(table.columns).index("people_as_of") + 1, "people_as_of_text",
                 text)
    return table
