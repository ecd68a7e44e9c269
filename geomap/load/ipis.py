"""IPIS artisanal mining data: site visits (WFS GeoJSON or CSV) and the webmap index.

IPIS's ``pcode`` is a MINE code ('codmine...'), not an OCHA P-code: it becomes
``site_id`` and never an area reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.dates import parse_dates
from geomap.load.formats import (
    ReadOptions,
    credit,
    find_column,
    read_table,
    read_vector,
)
from geomap.load.formats import missing_columns as _missing
from geomap.load.formats import text_column as _text
from geomap.provinces import PROVINCES, province_of
from geomap.schema import ROW
from geomap.text import squash

MINERALS = {"or": "gold", "gold": "gold", "cassiterite": "cassiterite",
            "coltan": "coltan", "wolframite": "wolframite", "diamant": "diamond",
            "cuivre": "copper", "cobalt": "cobalt", "tourmaline": "tourmaline",
            "amethyste": "amethyst", "monazite": "monazite", "saphir": "sapphire"}
"""IPIS mineral names (French) -> the English names geomap uses."""


def _in_provinces(names: pd.Series, lon: pd.Series, lat: pd.Series,
                  provinces: tuple[str, ...]) -> pd.Series:
    """Rows in *provinces*: by their province name or code, else by the provinces'
    extents; rows with neither are kept (validation then says what is missing)."""
    code = pd.Series(province_of(names), index=names.index, dtype="object")
    inside = lon.isna() | lat.isna()
    for pcode in provinces:
        minx, miny, maxx, maxy = PROVINCES[pcode].bounds
        inside |= lon.between(minx, maxx) & lat.between(miny, maxy)
    return code.isin(provinces).where(code.notna(), inside)


def _visit_dates(values: pd.Series) -> pd.Series:
    """IPIS visit dates: ISO ('2016-03-14', '2016-03-14Z') or US style ('3/14/2016')."""
    text = values.astype("string").str.strip().str.replace(r"Z$", "", regex=True)
    parsed = parse_dates(text)
    us_style = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
    return parsed.fillna(us_style.astype("datetime64[s]"))


# IPIS ------------------------------------------------------------------------------

def ipis_columns(columns) -> dict[str, str | list[str]]:
    """Map IPIS visit columns: site code, visit, date, name, minerals, groups, ...

    Raises
    ------
    SchemaError
        No ``visit_date``, no ``name``, or neither ``pcode`` nor ``vid``.
    """
    columns = list(columns)
    mapping = {key: find_column(columns, *raw) for key, raw in (
        ("site", ("pcode", "mine_code")), ("visit", ("vid", "visit_id")),
        ("date", ("visit_date", "date")), ("name", ("name", "site_name")),
        ("lon", ("longitude", "lon")), ("lat", ("latitude", "lat")),
        ("workers", ("workers_numb", "workers")), ("province", ("province",)),
        ("territory", ("territoire", "territory")), ("project", ("project",)),
        ("qualification", ("qualification",)), ("presence", ("presence",)),
        ("interference", ("interference",)))}
    if mapping["date"] is None or mapping["name"] is None or (
            mapping["site"] is None and mapping["visit"] is None):
        error = _missing("IPIS", "'visit_date', 'name' and 'pcode' (or 'vid')", columns)
        raise error
    found = {key: value for key, value in mapping.items() if value is not None}
    found["minerals"] = [c for n in (1, 2, 3) if (c := find_column(columns, f"mineral{n}"))]
    found["groups"] = [c for n in (1, 2, 3)
                       if (c := find_column(columns, f"armed_group{n}"))]
    return found


def _minerals(visits: pd.DataFrame, columns: list[str]) -> pd.Series:
    """'gold;coltan' per visit, French names translated, order kept, no repeats."""
    parts = [_text(visits, c).map(lambda v: MINERALS.get(squash(v), str(v).lower())
                                  if isinstance(v, str) else None) for c in columns]
    joined = [";".join(dict.fromkeys(v for v in row if isinstance(v, str) and v))
              for row in zip(*parts, strict=True)] \
        if parts else [""] * len(visits)
    return pd.Series(joined, index=visits.index, dtype="string")


def _armed(visits: pd.DataFrame, mapping: dict) -> pd.Series:
    """Armed groups seen at each visit; 'none reported' when the visit says none."""
    parts = [_text(visits, c) for c in mapping["groups"]]
    joined = (["; ".join(dict.fromkeys(v for v in row if isinstance(v, str)))
               for row in zip(*parts, strict=True)] if parts else [""] * len(visits))
    groups = pd.Series(joined, index=visits.index, dtype="string")
    flags = [pd.to_numeric(_text(visits, mapping.get(k)), errors="coerce")
             for k in ("interference", "presence")]
    said_none = pd.concat(flags, axis=1).eq(0).any(axis=1)
    return groups.mask(groups == "", pd.Series("none reported", index=visits.index)
                       .where(said_none)).astype("string")


def read_ipis(path: Path, options: ReadOptions) -> gpd.GeoDataFrame:
    """Read IPIS mine visits (WFS GeoJSON or CSV) as one row per site: its latest visit.

    Each site keeps its visit history as JSON text in ``history`` (date, workers,
    minerals, armed groups, qualification, project), for popups; ``visits`` counts
    them. IPIS's ``pcode`` becomes ``site_id``.
    """
    if options.fmt in {"geojson", "zip-shapefile", "vector"}:
        visits = read_vector(path, options.fmt)
    else:
        visits = read_table(path, options.fmt)
    mapping = ipis_columns(visits.columns)
    lon = pd.to_numeric(_text(visits, mapping.get("lon")), errors="coerce")
    lat = pd.to_numeric(_text(visits, mapping.get("lat")), errors="coerce")
    if isinstance(visits, gpd.GeoDataFrame):
        points = visits.geometry.where(visits.geom_type == "Point")
        lon = lon.fillna(points.x)
        lat = lat.fillna(points.y)
    total = len(visits)
    keep = _in_provinces(_text(visits, mapping.get("province")), lon, lat,
                         options.provinces)
    visits, lon, lat = visits.loc[keep], lon[keep], lat[keep]
    site = _text(visits, mapping.get("site")).fillna(
        "visit-" + _text(visits, mapping.get("visit")).fillna(visits[ROW].astype("string")))
    table = pd.DataFrame({
        "site_id": site, "name": _text(visits, mapping["name"]),
        "date": _visit_dates(_text(visits, mapping["date"])),
        "vid": pd.to_numeric(_text(visits, mapping.get("visit")), errors="coerce"),
        "workers": pd.to_numeric(_text(visits, mapping.get("workers")), errors="coerce"),
        "minerals": _minerals(visits, mapping["minerals"]),
        "armed_presence": _armed(visits, mapping),
        "qualification": _text(visits, mapping.get("qualification")),
        "project": _text(visits, mapping.get("project")),
        "province": _text(visits, mapping.get("province")),
        "territory": _text(visits, mapping.get("territory")),
        "lon": lon, "lat": lat, ROW: visits[ROW],
    })
    table = table.sort_values(["site_id", "date", "vid", ROW], kind="stable",
                              na_position="first")
    latest = table.groupby("site_id", sort=True).tail(1).set_index("site_id")
    history = table.groupby("site_id", sort=True).apply(_history, include_groups=False)
    options.report(f"IPIS: {len(table):,} of {total:,} visits in the selected provinces, "
                   f"{len(latest):,} sites")
    visited = latest["date"].dt.strftime("%Y-%m-%d").astype("string")
    mines = gpd.GeoDataFrame({
        "site_id": latest.index.astype("string"), "name": latest["name"],
        "minerals": latest["minerals"], "workers": latest["workers"].astype("Int64"),
        "armed_presence": latest["armed_presence"], "visited": visited,
        "visits": table.groupby("site_id").size().reindex(latest.index).to_numpy(),
        "qualification": latest["qualification"], "province": latest["province"],
        "territory": latest["territory"], "history": history.reindex(latest.index),
        "source": credit(options, "ipis")[0], "license": credit(options, "ipis")[1],
        "url": options.url or path.name, "date": visited, ROW: latest[ROW],
    }, geometry=gpd.points_from_xy(latest["lon"], latest["lat"]), crs="EPSG:4326")
    empty = latest["lon"].isna().to_numpy() | latest["lat"].isna().to_numpy()
    mines.loc[empty, "geometry"] = None
    return mines.reset_index(drop=True)


def _history(visits: pd.DataFrame) -> str:
    """One site's visits, oldest first, as compact JSON text."""
    records = []
    for row in visits.itertuples(index=False):
        records.append({
            "date": None if pd.isna(row.date) else row.date.strftime("%Y-%m-%d"),
            "workers": None if pd.isna(row.workers) else int(row.workers),
            "minerals": row.minerals or None, "armed": _or_none(row.armed_presence),
            "qualification": _or_none(row.qualification),
            "project": _or_none(row.project)})
    return json.dumps(records, ensure_ascii=False, separators=(",", ":"))


def _or_none(value: object) -> object:
    """None for missing values (pd.NA is not JSON)."""
    return None if value is None or value is pd.NA or (
        isinstance(value, float) and np.isnan(value)) else value


# IPIS webmap index -------------------------------------------------------------------

def ipis_places_columns(columns) -> dict[str, str]:
    """Map the IPIS webmap place index (``name``, ``kind``, ``longitude``, ``latitude``)."""
    columns = list(columns)
    mapping = {key: find_column(columns, key_raw) for key, key_raw in (
        ("name", "name"), ("kind", "kind"), ("lon", "longitude"), ("lat", "latitude"))}
    if None in mapping.values():
        error = _missing("IPIS place index", "'name', 'kind', 'longitude' and 'latitude'",
                       columns)
        raise error
    return mapping


def read_ipis_places(path: Path, options: ReadOptions) -> pd.DataFrame:
    """Read IPIS's webmap index of places as mining sites (no visit attributes).

    Only ``mine_site`` rows are mines; trading points (``point_de_vente``) are left
    out and counted. The index has no province, so sites are kept when they lie in
    the extent of a selected province (an approximation near province borders).
    """
    table = read_table(path, options.fmt)
    mapping = ipis_places_columns(table.columns)
    kind = _text(table, mapping["kind"]).str.lower()
    lon = pd.to_numeric(_text(table, mapping["lon"]), errors="coerce")
    lat = pd.to_numeric(_text(table, mapping["lat"]), errors="coerce")
    mine = kind.eq("mine_site").fillna(False)
    names = pd.Series(pd.NA, index=table.index, dtype="string")
    inside = _in_provinces(names, lon, lat, options.provinces) & mine
    options.report(f"IPIS index: kept {int(inside.sum()):,} of {int(mine.sum()):,} mine "
                   f"sites (in the selected provinces' extents); left out "
                   f"{int((~mine).sum()):,} trading points and other rows")
    kept = table.loc[inside]
    return pd.DataFrame({
        "site_id": "ipis-index-" + kept[ROW].astype("string"),
        "name": _text(kept, mapping["name"]), "lon": lon[inside], "lat": lat[inside],
        "source": credit(options, "ipis")[0], "license": credit(options, "ipis")[1],
        "url": options.url or path.name,
        ROW: kept[ROW]}).reset_index(drop=True)
