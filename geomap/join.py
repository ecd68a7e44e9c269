"""Link records to places: by P-code or id, by name, fuzzily, or by their geometry."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from geomap.schema import STORAGE_CRS
from geomap.text import fold, squash
from geomap.validate.parsing import per_distinct

FUZZY_THRESHOLD = 88.0
"""Lowest rapidfuzz ratio (0-100) accepted for a fuzzy name match."""

PLACE_COLUMNS = ("place", "name", "kind", "level", "pcode", "parent_pcode", "geometry")
REPORT_COLUMNS = ("layer", "reference", "place", "place_name", "method", "score",
                  "records", "candidates")

_PREFIXES = re.compile(
    r"^(territoire|territory|ville|city|cite|town|province|chefferie|secteur|"
    r"collectivite)\s+(de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d'|of\s+)?")
_SUFFIXES = re.compile(r"\s+(territory|territoire|city|ville|province|town)$")
_VARIANTS = {"northkivu": "nordkivu", "southkivu": "sudkivu", "nkivu": "nordkivu",
             "skivu": "sudkivu"}


def normalise_name(name: str) -> str:
    """Fold a place name for matching: accents, case, hyphens, 'Territoire de', English.

    Examples
    --------
    >>> normalise_name("Territoire de Masisi") == normalise_name("masisi")
    True
    >>> normalise_name("North Kivu") == normalise_name("Nord-Kivu")
    True
    """
    text = squash_spaces(name)
    text = _SUFFIXES.sub("", _PREFIXES.sub("", text))
    folded = squash(text)
    return _VARIANTS.get(folded, folded)


def squash_spaces(name: str) -> str:
    """Fold *name* and turn hyphens and punctuation into single spaces."""
    return re.sub(r"[^a-z0-9']+", " ", fold(name)).strip()


def add_parent_areas(admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return *admin* plus each missing province, drawn as the union of its areas.

    A territory file (COD-AB ADM2) names its province in ``parent_pcode`` but has no
    province polygon, so figures published per province (CD61, CD62) would find no
    place. Each province P-code that is a parent of level-2 areas and absent itself is
    added as a level-1 area whose outline is the union of its children; its ``source``
    says so (it is complete only when the file holds all of the province's areas).
    """
    from geomap.provinces import OTHER_PROVINCES, PROVINCES

    names = {**{p.pcode: p.name for p in PROVINCES.values()}, **OTHER_PROVINCES}
    children = admin.loc[(admin["level"] == 2) & admin["parent_pcode"].isin(names)
                         & ~admin["parent_pcode"].isin(set(admin["pcode"]))]
    if children.empty:
        return admin
    groups = children.groupby("parent_pcode", sort=True)
    sources = groups["source"].first().fillna("no source")
    counts = groups.size()
    parents = gpd.GeoDataFrame({
        "pcode": counts.index, "name": counts.index.map(names), "level": 1,
        "parent_pcode": "CD", "url": None, "date": None,
        "source": ("Derived by geomap: union of the " + counts.astype(str)
                   + " level-2 areas of " + sources).to_numpy(),
    }, geometry=[shapely.union_all(rows.geometry.to_numpy()) for _, rows in groups],
        crs=admin.crs)
    return pd.concat([admin, parents], ignore_index=True)


def build_places(admin: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one table of every place a record can name: admin areas and towns.

    A town whose ``pcode`` is also an admin area (a city such as Goma, CD6101) is
    folded into that area: its id becomes another key of the area.

    Returns
    -------
    GeoDataFrame
        Columns ``place`` (P-code or town id), ``name``, ``kind`` ('area' or 'town'),
        ``level``, ``pcode``, ``parent_pcode``, ``aliases`` and geometry.
    """
    areas = pd.DataFrame({
        "place": admin["pcode"], "name": admin["name"], "kind": "area",
        "level": admin["level"], "pcode": admin["pcode"],
        "parent_pcode": admin["parent_pcode"], "geometry": admin.geometry,
    })
    own_pcode = towns["pcode"].notna() & towns["pcode"].isin(set(admin["pcode"]))
    alias_of = dict(zip(towns.loc[own_pcode, "town_id"], towns.loc[own_pcode, "pcode"],
                        strict=True))
    loose = towns.loc[~own_pcode]
    points = pd.DataFrame({
        "place": loose["town_id"], "name": loose["name"], "kind": "town",
        "level": 9, "pcode": loose["pcode"], "parent_pcode": loose["province_pcode"],
        "geometry": loose.geometry,
    })
    places = gpd.GeoDataFrame(pd.concat([areas, points], ignore_index=True),
                              geometry="geometry", crs=STORAGE_CRS)
    places["aliases"] = places["place"].map(
        lambda key: sorted(town for town, area in alias_of.items() if area == key))
    return places


def _lookup_tables(places: pd.DataFrame
                   ) -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
    """Return key -> (place, 'p-code' or 'id') and normalised name -> places."""
    keys: dict[str, tuple[str, str]] = {}
    for place, pcode, kind, aliases in zip(places["place"], places["pcode"],
                                           places["kind"], places["aliases"], strict=True):
        place_method = "p-code" if kind == "area" else "id"
        for key, method in ((place, place_method), (pcode, "p-code"),
                            *((alias, "id") for alias in aliases)):
            if isinstance(key, str):
                keys.setdefault(key.casefold(), (place, method))
    names: dict[str, list[str]] = {}
    for place, name in zip(places["place"], places["name"], strict=True):
        if isinstance(name, str):
            bucket = names.setdefault(normalise_name(name), [])
            if place not in bucket:
                bucket.append(place)
    return keys, names


def match_references(references: pd.Series, places: pd.DataFrame) -> pd.DataFrame:
    """Match each distinct reference once: by key, then by name, then fuzzily.

    Returns
    -------
    DataFrame
        Indexed by reference: ``place`` (missing when unmatched or ambiguous),
        ``method`` ('p-code', 'name', 'fuzzy', 'ambiguous' or 'unmatched'), ``score``
        and ``candidates`` (the nearest places for a miss).
    """
    keys, names = _lookup_tables(places)
    label = dict(zip(places["place"], places["name"], strict=True))
    choices = list(names)
    rows = []
    for reference in pd.unique(references.dropna()):
        text = str(reference).strip()
        folded = normalise_name(text)
        if text.casefold() in keys:
            place, method = keys[text.casefold()]
            rows.append((reference, place, method, 100.0, ""))
            continue
        found = names.get(folded, [])
        if len(found) == 1:
            rows.append((reference, found[0], "name", 100.0, ""))
            continue
        if len(found) > 1:
            listed = ", ".join(f"{label[p]} ({p})" for p in found)
            rows.append((reference, None, "ambiguous", 100.0, listed))
            continue
        best = process.extract(folded, choices, scorer=fuzz.ratio, limit=3)
        candidates = ", ".join(
            f"{label[p]} ({p})" for choice, _, _ in best for p in names[choice])
        if best and best[0][1] >= FUZZY_THRESHOLD and len(names[best[0][0]]) == 1 and (
                len(best) == 1 or best[1][1] < best[0][1]):
            rows.append((reference, names[best[0][0]][0], "fuzzy", round(best[0][1], 1),
                         candidates))
        else:
            score = round(best[0][1], 1) if best else 0.0
            rows.append((reference, None, "unmatched", score, candidates))
    return pd.DataFrame(rows, columns=["reference", "place", "method", "score",
                                       "candidates"]).set_index("reference")


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
            name = located["area"].fillna(located.get("name"))
            new_places = gpd.GeoDataFrame({
                "place": place[first], "name": name[first].fillna(place[first]),
                "kind": np.where(point[first], "point", "zone"), "level": 8,
                "pcode": None, "parent_pcode": None,
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
        matches = match_references(records.loc[by_area, "area"], places)
        records.loc[by_area, "place"] = records.loc[by_area, "area"].map(matches["place"])
        records.loc[by_area, "method"] = records.loc[by_area, "area"].map(matches["method"])
        counts = records.loc[by_area, "area"].value_counts().rename("records")
        report = matches.join(counts).reset_index().assign(layer=layer)
        report_parts.append(report)
    all_places = pd.concat([places, new_places], ignore_index=True)
    names = dict(zip(all_places["place"], all_places["name"], strict=True))
    report = (pd.concat(report_parts, ignore_index=True) if report_parts else
              pd.DataFrame(columns=REPORT_COLUMNS))
    report["place_name"] = report["place"].map(names)
    report = report.reindex(columns=REPORT_COLUMNS)
    return records, report, new_places


def unmatched_reasons(records: pd.DataFrame, report: pd.DataFrame) -> pd.Series:
    """Explain, for each unmatched record, why it found no place."""
    reasons = {}
    for reference, method, near in zip(report["reference"], report["method"],
                                       report["candidates"], strict=True):
        near = near if isinstance(near, str) and near else "none"
        reasons[reference] = (
            f"ambiguous area name: matches {near}; use a P-code or town id"
            if method == "ambiguous" else f"unknown area; nearest candidates: {near}")
    explained = np.empty(len(records), dtype=object)
    explained[:] = "point lies in no admin area"  # one shared str (np.full copies it)
    named = records["area"].notna().to_numpy()
    if named.any():  # one lookup per distinct reference, not per row
        found = per_distinct(records["area"][named], lambda areas: areas.map(reasons))
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
