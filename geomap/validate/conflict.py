"""Check ACLED conflict events before they are counted per area and month.

Bad events go to the rejects table with their row number, column and reason, but
never with their value: a rejected coordinate or date is ACLED's raw data, which
its terms forbid passing on (https://epo.acleddata.com/terms-of-use-and-attribution-policy).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geomap.dates import parse_dates
from geomap.schema import ROW, STORAGE_CRS
from geomap.text import squash
from geomap.validate.geometry import attach_points, require_coordinates
from geomap.validate.parsing import parse_numbers, per_distinct, text_values
from geomap.validate.rejects import Rejects

ACLED_TYPES = ("Battles", "Violence against civilians", "Explosions/Remote violence",
               "Protests", "Riots", "Strategic developments")
"""ACLED's six event types (dtacled/acledR @1e05ba9, data/acled_event_categories.rda);
ACLED's codebook also spells the last 'Strategic Developments'."""
WITHHELD = "(withheld: ACLED data)"
"""What a reject of a conflict event shows instead of the value."""


def _event_dates(text: pd.Series) -> pd.Series:
    """ACLED dates: ISO from the API ('2025-01-26'), or '26 January 2025' as older
    CSV exports wrote them."""
    parsed = per_distinct(text, parse_dates)
    spelled = pd.to_datetime(text, format="%d %B %Y", errors="coerce")
    return parsed.fillna(spelled.astype("datetime64[s]"))


def validate_conflict_events(frame: pd.DataFrame
                             ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check conflict events read by :func:`geomap.load.acled.read_acled`.

    Parameters
    ----------
    frame : DataFrame
        ``date``, ``event_type``, ``fatalities``, ``lon``, ``lat`` as text, with
        ``source``, ``url``, ``license`` and ``_row``.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        Events with a parsed ``date``, ``event_type`` spelt as ACLED spells it, a whole
        ``fatalities`` >= 0 and a point inside the DRC; and the rejects table, whose
        ``value`` column is withheld. A new frame: the input is not changed.

    Examples
    --------
    >>> raw = pd.DataFrame({"date": ["2025-01-26", "soon"], "event_type": ["battles"] * 2,
    ...                     "fatalities": ["3", "0"], "lon": ["29.2", "29.2"],
    ...                     "lat": ["-1.6", "-1.6"], "_row": [1, 2]})
    >>> events, rejects = validate_conflict_events(raw)
    >>> events["event_type"].tolist(), rejects["reason"].tolist()
    (['Battles'], ['unparseable date; expected YYYY-MM-DD'])
    """
    rejects = Rejects("conflict_events")
    frame = frame.reset_index(drop=True).reindex(columns=list(dict.fromkeys(
        [*frame.columns, "date", "event_type", "fatalities", "lon", "lat"])))
    text = text_values(frame, "date")
    date = _event_dates(text)
    rejects.add(frame, text.isna(), "date", "missing date")
    rejects.add(frame, text.notna() & date.isna(), "date",
                "unparseable date; expected YYYY-MM-DD")
    kinds = {squash(kind): kind for kind in ACLED_TYPES}
    given = text_values(frame, "event_type")
    kind = given.map(lambda v: kinds.get(squash(v)) if isinstance(v, str) else None)
    rejects.add(frame, kind.isna(), "event_type",
                f"unknown event type; expected one of ACLED's {list(ACLED_TYPES)}")
    count = text_values(frame, "fatalities")
    number = per_distinct(count, parse_numbers)
    whole = number.notna() & (number >= 0) & (number % 1 == 0)
    rejects.add(frame, count.isna(), "fatalities", "missing count of fatalities")
    rejects.add(frame, count.notna() & ~whole, "fatalities",
                "fatalities is not a whole number >= 0")
    inside = require_coordinates(frame, rejects)
    rejects.add(frame, text_values(frame, "lon").isna() & text_values(frame, "lat").isna(),
                "lon", "no coordinates: an event is placed by its own point")
    events = attach_points(frame.assign(
        date=date, event_type=kind.astype("string"),
        fatalities=number.where(whole, 0).astype("int64")), inside)
    for column in ("source", "url", "license"):
        events[column] = text_values(events, column)
    bad = events[ROW].isin(rejects.rejected_array())
    table = rejects.table()
    table["value"] = WITHHELD
    columns = ["date", "event_type", "fatalities", "source", "url", "license", ROW,
               "geometry"]
    return events.loc[~bad, columns].reset_index(drop=True), table


def no_conflict_events() -> gpd.GeoDataFrame:
    """The events :func:`validate_conflict_events` gives for no rows, made directly:
    a build given no conflict events checked an empty table (about 0.02 CPU-s of
    pandas' work on nothing)."""
    text = pd.StringDtype("pyarrow")
    return gpd.GeoDataFrame({
        "date": pd.Series(dtype="datetime64[s]"), "event_type": pd.Series(dtype=text),
        "fatalities": pd.Series(dtype="int64"), "source": pd.Series(dtype=text),
        "url": pd.Series(dtype=text), "license": pd.Series(dtype=text),
        ROW: pd.Series(dtype="float64")},
        geometry=gpd.GeoSeries([], crs=STORAGE_CRS))
