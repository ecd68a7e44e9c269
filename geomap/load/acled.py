"""ACLED conflict events, read for aggregates only.

The reader keeps of each event only what the aggregation needs: its date, type,
fatalities, location and ACLED's admin names. Event ids, notes, actors and sources
are never read into geomap, and no stage writes event rows (ACLED's terms forbid
giving others access to its raw data: https://epo.acleddata.com/terms-of-use-and-attribution-policy).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geomap.load.formats import ReadOptions, credit, find_column, read_table
from geomap.load.formats import missing_columns as _missing
from geomap.load.formats import text_column as _text
from geomap.provinces import PROVINCES, province_of
from geomap.schema import ROW

# ACLED's columns (dtacled/acledR @1e05ba9 data/acled_old_dummy.rda: event_id_cnty,
# event_date, ... event_type, ... admin1, admin2, ... latitude, longitude, ...
# fatalities); the same names in the API's JSON and in CSV exports.
_ACLED = {"date": "event_date", "type": "event_type", "fatalities": "fatalities",
          "lon": "longitude", "lat": "latitude", "admin1": "admin1", "admin2": "admin2"}


def acled_columns(columns) -> dict[str, str]:
    """Map ACLED event columns (``event_date``, ``event_type``, ``fatalities``,
    ``latitude``, ``longitude``, ``admin1``, ``admin2``).

    Raises
    ------
    SchemaError
        A column the aggregation needs is missing (``admin2`` is optional).
    """
    columns = list(columns)
    mapping = {key: find_column(columns, raw) for key, raw in _ACLED.items()}
    needed = [raw for key, raw in _ACLED.items() if key != "admin2" and
              mapping[key] is None]
    if needed:
        error = _missing("ACLED", ", ".join(f"'{c}'" for c in needed), columns)
        raise error
    return {key: value for key, value in mapping.items() if value is not None}


def read_acled(path: Path, options: ReadOptions) -> pd.DataFrame:
    """Read ACLED events (API JSON or CSV export) for aggregation, cut to provinces.

    Returns
    -------
    DataFrame
        ``date``, ``event_type``, ``fatalities``, ``lon``, ``lat``, ``admin1``,
        ``admin2`` as text, ``source``, ``url``, ``license`` and ``_row``: nothing
        else of the event is kept. Events are placed by their coordinates later;
        those of another province (by ACLED's ``admin1``, else by the provinces'
        extents) are left out here.
    """
    events = read_table(path, options.fmt)
    mapping = acled_columns(events.columns)
    lon = pd.to_numeric(_text(events, mapping["lon"]), errors="coerce")
    lat = pd.to_numeric(_text(events, mapping["lat"]), errors="coerce")
    named = pd.Series(province_of(_text(events, mapping["admin1"])), index=events.index,
                      dtype="object")
    inside = lon.isna() | lat.isna()
    for pcode in options.provinces:
        minx, miny, maxx, maxy = PROVINCES[pcode].bounds
        inside |= lon.between(minx, maxx) & lat.between(miny, maxy)
    keep = named.isin(options.provinces).where(named.notna(), inside).astype(bool)
    options.report(f"ACLED: kept {int(keep.sum()):,} of {len(events):,} events (selected "
                   "provinces); only their date, type, fatalities and place are read")
    events = events.loc[keep]
    source, licence = credit(options, "acled")
    return pd.DataFrame({
        "date": _text(events, mapping["date"]),
        "event_type": _text(events, mapping["type"]),
        "fatalities": _text(events, mapping["fatalities"]),
        "lon": _text(events, mapping["lon"]), "lat": _text(events, mapping["lat"]),
        "admin1": _text(events, mapping["admin1"]),
        "admin2": _text(events, mapping.get("admin2")),
        "source": source, "url": options.url or path.name, "license": licence,
        ROW: events[ROW],
    }).reset_index(drop=True)
