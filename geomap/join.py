"""Link records to places: by P-code or id, by name, fuzzily, or by their geometry."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.actors import controller_label
from geomap.places import PLACE_COLUMNS, match_references, qualify
from geomap.schema import STORAGE_CRS
from geomap.validate.parsing import per_distinct

REPORT_COLUMNS = ("layer", "reference", "place", "place_name", "method", "score",
                  "records", "candidates")


def attach_areas(points: gpd.GeoSeries, admin: gpd.GeoDataFrame) -> pd.Series:
    """Return, for each point, the P-code of the deepest admin area holding it.

    Each point gets at most one area, also on a shared border (the first area whose
    boundary touches it); points in no area get a missing value.
    """
    found, pcodes = _area_index(np.asarray(points.array), admin)
    return pd.Series(np.append(pcodes, None)[found], index=points.index, dtype="object")


def _area_index(geometry: np.ndarray, admin: gpd.GeoDataFrame
                ) -> tuple[np.ndarray, np.ndarray]:
    """Position of each point's area among the admin P-codes (-1 for none).

    Admin areas are taken deepest level first, then by P-code. Each polygon is
    prepared once and tested against the coordinate arrays of the points inside its
    bounding box that have no area yet (``contains_xy``); a second pass gives the
    points left on a boundary to the first area that touches them.

    Returns
    -------
    (ndarray, ndarray)
        One int per point, and the P-codes in the order the positions refer to.
    """
    ordered = admin.sort_values(["level", "pcode"], ascending=[False, True])
    pcodes = ordered["pcode"].to_numpy(dtype=object)
    found = np.full(len(geometry), -1, dtype=np.int64)
    if len(geometry) == 0 or len(admin) == 0:
        return found, pcodes
    point = (shapely.get_type_id(geometry) == 0) & ~shapely.is_empty(geometry)
    x = np.full(len(geometry), np.nan)
    y = np.full(len(geometry), np.nan)
    x[point], y[point] = shapely.get_x(geometry[point]), shapely.get_y(geometry[point])
    valid = ~(np.isnan(x) | np.isnan(y))
    for test in (shapely.contains_xy, shapely.intersects_xy):
        for position, polygon in enumerate(ordered.geometry):
            minx, miny, maxx, maxy = polygon.bounds
            candidate = np.flatnonzero(valid & (found < 0) & (x >= minx) & (x <= maxx)
                                       & (y >= miny) & (y <= maxy))
            if len(candidate) == 0:
                continue
            if not shapely.is_prepared(polygon):
                shapely.prepare(polygon)
            inside = test(polygon, x[candidate], y[candidate])
            found[candidate[inside]] = position
        valid &= found < 0
        if not valid.any():
            break
    return found, pcodes


def prepare_areas(admin: gpd.GeoDataFrame) -> None:
    """Prepare every area polygon now, in this thread, ready for point tests.

    GEOS builds a prepared polygon's index lazily, on its first test, and that step
    is not thread-safe (libgeos/geos#825). Threads that share the polygons (dask's
    partitions) must find them prepared and already used once.
    """
    polygons = admin.geometry.to_numpy()
    shapely.prepare(polygons)
    for polygon in polygons:
        if polygon is not None and not polygon.is_empty:
            x, y = polygon.bounds[:2]
            shapely.contains_xy(polygon, x, y)
            shapely.intersects_xy(polygon, x, y)


def _geometry_key(geometry: gpd.GeoSeries) -> pd.Series:
    """A short stable key for each distinct geometry (same shape, same key)."""
    wkb = shapely.to_wkb(geometry.to_numpy(), output_dimension=2)
    return pd.Series([None if g is None else hashlib.sha1(g).hexdigest()[:10]
                      for g in wkb], index=geometry.index, dtype="object")


def link_records(records: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                 admin: gpd.GeoDataFrame, *, layer: str, own_geometry: bool
                 ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Give each record a ``place``: by its ``area`` reference or by its geometry.

    Parameters
    ----------
    records : GeoDataFrame
        Validated records with an ``area`` column and optional geometry.
    places : GeoDataFrame
        From :func:`build_places`.
    admin : GeoDataFrame
        Admin areas, for points that fall in them.
    layer : str
        The layer name, for the report.
    own_geometry : bool
        True for control: a record with its own geometry is a place of its own (a
        town point or a zone). False for displacement: points fall in admin areas.

    Returns
    -------
    (GeoDataFrame, DataFrame, GeoDataFrame)
        The records with ``place`` and ``method`` (unmatched rows have no place);
        the join report, one row per distinct reference; and the new places made
        from records' own geometry.
    """
    return link_records_with(records, places, admin, layer=layer,
                             own_geometry=own_geometry, area_index=_area_index)


def link_records_with(records: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                      admin: gpd.GeoDataFrame, *, layer: str, own_geometry: bool,
                      area_index: Callable[[np.ndarray, gpd.GeoDataFrame],
                                           tuple[np.ndarray, np.ndarray]]
                      ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """:func:`link_records` with the point-in-area step of an engine (see engine_dask).

    *area_index* takes the point geometries and the admin areas and returns what
    :func:`_area_index` returns: each point's position among the P-codes, and those.
    """
    records = records.copy(deep=False)  # copy-on-write: the input stays unchanged
    has_geometry = ~(records.geometry.isna() | records.geometry.is_empty)
    records["place"] = pd.Series(None, index=records.index, dtype="object")
    records["method"] = pd.Series(None, index=records.index, dtype="object")
    new_places = gpd.GeoDataFrame(columns=[*PLACE_COLUMNS, "aliases"], geometry="geometry",
                                  crs=STORAGE_CRS)
    report_parts = []
    if has_geometry.any():
        if own_geometry:
            located = records.loc[has_geometry]
            keys = _geometry_key(located.geometry)
            point = located.geometry.geom_type == "Point"
            prefix = np.where(point, "point-", "zone-")
            place = pd.Series(prefix, index=located.index) + keys
            records.loc[has_geometry, "place"] = place
            records.loc[has_geometry, "method"] = "own geometry"
            first = ~place.duplicated()
            zone = located["actor"].map(lambda a: f"{controller_label(a)} zone")
            name = located["area"].fillna(located.get("name")).fillna(zone)
            new_places = gpd.GeoDataFrame({
                "place": place[first], "name": name[first].fillna(place[first]),
                "kind": np.where(point[first], "point", "zone"), "level": 8,
                "pcode": None, "parent_pcode": None, "area_type": None,
                "alt_names": [[] for _ in range(int(first.sum()))],
                "aliases": [[] for _ in range(int(first.sum()))],
            }, geometry=located.geometry[first].to_numpy(), crs=STORAGE_CRS)
        else:
            geometry = np.asarray(records.geometry.array)[has_geometry.to_numpy()]
            found, pcodes = area_index(geometry, admin)
            records.loc[has_geometry, "place"] = np.append(pcodes, None)[found]
            records.loc[has_geometry, "method"] = np.where(found >= 0, "spatial", None)
            counted = pd.DataFrame({
                "place": np.append("(outside every area)", pcodes),
                "records": np.bincount(found + 1, minlength=len(pcodes) + 1)})
            counted = counted.loc[counted["records"] > 0].sort_values(
                ["records", "place"], ascending=[False, True], ignore_index=True)
            report_parts.append(counted.assign(
                layer=layer, reference="(coordinates)",
                method=np.where(counted["place"].str.startswith("("), "unmatched",
                                "spatial"), score=100.0, candidates=""))
    by_area = ~has_geometry & records["area"].notna()
    if by_area.any():
        references = references_of(records.loc[by_area])
        matches = match_references(references, places)
        records.loc[by_area, "place"] = references.map(matches["place"])
        records.loc[by_area, "method"] = references.map(matches["method"])
        counts = references.value_counts().rename("records")
        report = matches.join(counts).reset_index().assign(layer=layer)
        report_parts.append(report)
    all_places = pd.concat([places, new_places], ignore_index=True)
    names = dict(zip(all_places["place"], all_places["name"], strict=True))
    report = (pd.concat(report_parts, ignore_index=True) if report_parts else
              pd.DataFrame(columns=REPORT_COLUMNS))
    report["place_name"] = report["place"].map(names)
    report = report.reindex(columns=REPORT_COLUMNS)
    return records, report, new_places


def references_of(records: pd.DataFrame) -> pd.Series:
    """Each record's ``area`` with its ``level`` written in ('Rutshuru [town]')."""
    return qualify(records["area"], records.get("level", None))


def unmatched_reasons(records: pd.DataFrame, report: pd.DataFrame) -> pd.Series:
    """Explain, for each unmatched record, why it found no place."""
    reasons = {}
    for reference, method, near in zip(report["reference"], report["method"],
                                       report["candidates"], strict=True):
        near = near if isinstance(near, str) and near else "none"
        reasons[reference] = (
            f"ambiguous area name: matches {near}; use a P-code, or qualify the name "
            "('Territoire de ...', 'Ville de ...', or a level column)"
            if method == "ambiguous" else f"unknown area; nearest candidates: {near}")
    explained = np.empty(len(records), dtype=object)
    explained[:] = "point lies in no admin area"  # one shared str (np.full copies it)
    named = records["area"].notna().to_numpy()
    if named.any():  # one lookup per distinct reference, not per row
        found = per_distinct(references_of(records.loc[named]),
                             lambda areas: areas.map(reasons))
        explained[named] = found.astype(object).where(found.notna(), explained[named])
    return pd.Series(explained, index=records.index, dtype="object")


def describe_join(report: pd.DataFrame) -> str:
    """One paragraph on how each layer's references found their places.

    Examples
    --------
    >>> table = pd.DataFrame({"layer": ["control", "control"], "method": ["name",
    ...                       "unmatched"], "records": [3, 1]})
    >>> describe_join(table)
    'Join: control 4 records: 3 by name, 1 unmatched.'
    """
    parts = []
    for layer, rows in report.groupby("layer", sort=True):
        counts = rows.groupby("method")["records"].sum().sort_values(ascending=False)
        detail = ", ".join(f"{int(n):,} {'by ' if m in ('name', 'p-code', 'id') else ''}{m}"
                           for m, n in counts.items())
        parts.append(f"{layer} {int(counts.sum()):,} records: {detail}")
    return "Join: " + "; ".join(parts) + "." if parts else "Join: no references."
