"""Conflict events (ACLED) counted per area and month by type, with fatalities.

Only counts leave this module: no event row, id, note or coordinate (ACLED's terms,
https://epo.acleddata.com/terms-of-use-and-attribution-policy). Events are placed
by their own point in the deepest admin level of the build (territories when there
are any), each event in one area.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd

COUNTED_TYPES = ("Battles", "Violence against civilians", "Explosions/Remote violence")
"""The ACLED event types counted: political violence. Protests, riots and strategic
developments are read and checked but not counted."""
TABLE_COLUMNS = ("pcode", "name", "level", "month", "event_type", "events",
                 "fatalities", "source", "license", "note")
"""Columns of the per-area, per-month, per-type table (``conflict_events.csv``)."""
AREA_COLUMNS = ("pcode", "name", "level", "month", "events", "fatalities",
                "events_period", "fatalities_period", "first_month", "last_month")
"""Columns of the per-area frame for drawing (geometry last)."""


def _quiet(_: str) -> None:
    """Report nothing."""


def count_conflict_events(events: gpd.GeoDataFrame | None, admin: gpd.GeoDataFrame,
                          *, as_of: pd.Timestamp,
                          report: Callable[[str], None] = _quiet
                          ) -> tuple[pd.DataFrame | None, gpd.GeoDataFrame | None]:
    """Count events and fatalities per area, month and type.

    Parameters
    ----------
    events : GeoDataFrame or None
        Checked conflict events (``date``, ``event_type``, ``fatalities``, points),
        from :func:`geomap.validate.conflict.validate_conflict_events`.
    admin : GeoDataFrame
        The build's admin areas; events are counted in those of its deepest level.
    as_of : Timestamp
        The build date: its month is the one the per-area frame shows.

    Returns
    -------
    (DataFrame, GeoDataFrame) or (None, None)
        The table: one row per area, month (``YYYY-MM``) and counted type that has at
        least one event, with ``events`` and ``fatalities``; an area-month missing from
        it within ``first_month``..``last_month`` had no event of that type (a true
        0). And one row per area of that level with its polygon, the counts of its
        ``month`` (the build's; 0 within the period covered, missing outside it) and
        of the whole period. None for both when no event was given.
    """
    if events is None or events.empty:
        return None, None
    level = 2 if (admin["level"] == 2).any() else int(admin["level"].max())
    areas = admin.loc[admin["level"] == level, ["pcode", "name", "level", "geometry"]]
    areas = areas.sort_values("pcode", ignore_index=True)
    counted = events.loc[events["event_type"].isin(COUNTED_TYPES)]
    placed = gpd.sjoin(counted[["geometry"]], areas, how="left", predicate="intersects")
    placed = placed.sort_values("pcode", kind="stable")  # a point on a shared border
    placed = placed[~placed.index.duplicated(keep="first")].sort_index()  # counts once
    months = counted["date"].dt.strftime("%Y-%m")
    first, last = (months.min(), months.max()) if len(months) else (None, None)
    rows = pd.DataFrame({"pcode": placed["pcode"], "month": months,
                         "event_type": counted["event_type"].astype(str),
                         "fatalities": counted["fatalities"]}).dropna(subset=["pcode"])
    table = (rows.groupby(["pcode", "month", "event_type"], sort=True)
             .agg(events=("fatalities", "size"), fatalities=("fatalities", "sum"))
             .reset_index())
    table = table.merge(areas[["pcode", "name", "level"]], on="pcode", how="left")
    note = (f"Counted by geomap from ACLED events of {first} to {last}: events and "
            "fatalities per area, month and type (battles, violence against "
            "civilians, explosions/remote violence); no event row is published.")
    table["source"] = _first(events, "source", "ACLED")
    table["license"] = _first(events, "license", "")
    table["note"] = note
    report(f"conflict events: {len(rows):,} of {len(events):,} counted in "
           f"{table['pcode'].nunique():,} areas, {first} to {last}; "
           f"{len(events) - len(counted):,} of other types (protests, riots, strategic "
           f"developments) and {len(counted) - len(rows):,} outside the areas not counted")
    return table[list(TABLE_COLUMNS)], _per_area(table, areas, as_of, first, last)


def _first(events: pd.DataFrame, column: str, default: str) -> str:
    """The first value of *column* (one source per file), else *default*."""
    values = events[column].dropna() if column in events else pd.Series(dtype=object)
    return str(values.iloc[0]) if len(values) else default


def _per_area(table: pd.DataFrame, areas: gpd.GeoDataFrame, as_of: pd.Timestamp,
              first: str | None, last: str | None) -> gpd.GeoDataFrame:
    """One row per area: the build month's counts and the whole period's."""
    month = pd.Timestamp(as_of).strftime("%Y-%m")
    covered = first is not None and first <= month <= last
    sums = {"month": table.loc[table["month"] == month], "period": table}
    frame = areas.copy()
    frame["month"] = month
    for key, rows in sums.items():
        totals = rows.groupby("pcode")[["events", "fatalities"]].sum()
        for column in ("events", "fatalities"):
            values = totals[column].reindex(frame["pcode"]).fillna(0).astype("int64")
            name = column if key == "month" else f"{column}_period"
            frame[name] = pd.array(values.to_numpy(), dtype="Int64")
            if key == "month" and not covered:  # no figure, not a zero
                frame[name] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["first_month"], frame["last_month"] = first, last
    return gpd.GeoDataFrame(frame[[*AREA_COLUMNS, "geometry"]], geometry="geometry",
                            crs=areas.crs)
