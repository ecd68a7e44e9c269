"""Link records to places: by P-code or id, by name, fuzzily, or by where they are."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.actors import controller_label
from geomap.join.areas import AreaIndex, point_coordinates
from geomap.places import (
    PLACE_COLUMNS,
    matches_table,
    qualify,
    reference_matches,
)
from geomap.schema import STORAGE_CRS
from geomap.validate.parsing import per_distinct, with_columns

REPORT_COLUMNS = ("layer", "reference", "place", "place_name", "method", "score",
                  "records", "candidates")


def _geometry_key(geometry: gpd.GeoSeries) -> pd.Series:
    """A short stable key for each distinct geometry (same shape, same key)."""
    wkb = shapely.to_wkb(geometry.to_numpy(), output_dimension=2)
    return pd.Series([None if g is None else hashlib.sha1(g).hexdigest()[:10]
                      for g in wkb], index=geometry.index, dtype="object")


def _own_places(records: gpd.GeoDataFrame, has_geometry: np.ndarray
                ) -> tuple[pd.Series, gpd.GeoDataFrame]:
    """Places made from records' own geometry (a town point or a zone), and their keys."""
    located = records.loc[has_geometry]
    keys = _geometry_key(located.geometry)
    point = located.geometry.geom_type == "Point"
    place = pd.Series(np.where(point, "point-", "zone-"), index=located.index) + keys
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
    return place, new_places


def _spatial_report(found: np.ndarray, pcodes: np.ndarray, layer: str) -> pd.DataFrame:
    """Join report rows for points: records per area, and those outside every area."""
    counts = np.bincount(found + 1, minlength=len(pcodes) + 1)
    places = np.append("(outside every area)", pcodes)
    order = sorted(np.flatnonzero(counts), key=lambda i: (-counts[i], places[i]))
    return pd.DataFrame({
        "place": places[order], "records": counts[order], "layer": layer,
        "reference": "(coordinates)",
        "method": np.where(np.array(order, dtype=np.int64) == 0, "unmatched",
                           "spatial"),
        "score": 100.0, "candidates": ""})


class ReferenceMatcher:
    """:func:`~geomap.places.match_references` against one places table, each
    reference matched once however many parts of the records name it."""

    def __init__(self, places: pd.DataFrame) -> None:
        self.places = places
        self._rows: dict[str, tuple] = {}

    def __call__(self, references: pd.Series) -> pd.DataFrame:
        """The table :func:`~geomap.places.match_references` gives."""
        distinct = pd.unique(references.dropna())
        unseen = [reference for reference in distinct if reference not in self._rows]
        for row in reference_matches(unseen, self.places) if unseen else ():
            self._rows[row[0]] = row
        return matches_table([self._rows[reference] for reference in distinct])

    def __getstate__(self) -> dict:
        return {"places": self.places, "_rows": dict(self._rows)}


_NO_PLACES = gpd.GeoDataFrame(columns=[*PLACE_COLUMNS, "aliases"], geometry="geometry",
                              crs=STORAGE_CRS)
"""No new places (a copy of it is returned: made once, it costs nothing a part)."""


class _Codes:
    """Each record's place and method as codes into growing lists of distinct values."""

    def __init__(self, rows: int) -> None:
        self.place = np.full(rows, -1, dtype=np.int64)
        self.method = np.full(rows, -1, dtype=np.int64)
        self.places: dict[str, int] = {}
        self.methods: dict[str, int] = {}

    @staticmethod
    def codes(values: np.ndarray, table: dict[str, int]) -> np.ndarray:
        """Codes of *values* (missing ones -1), adding new values to *table*."""
        return np.array([-1 if pd.isna(value) else table.setdefault(value, len(table))
                         for value in values], dtype=np.int64)

    @staticmethod
    def column(codes: np.ndarray, table: dict[str, int], *, categorical: bool
               ) -> pd.Categorical | np.ndarray:
        """A categorical column of *codes* (or object values, for small layers)."""
        column = pd.Categorical.from_codes(codes, categories=list(table))
        return column if categorical else np.asarray(column, dtype=object)


def link_records(records: pd.DataFrame, places: gpd.GeoDataFrame,
                 admin: gpd.GeoDataFrame | AreaIndex, *, layer: str, own_geometry: bool,
                 matcher: ReferenceMatcher | None = None, rows: np.ndarray | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Give each record a ``place``: by its ``area`` reference or by where it is.

    Parameters
    ----------
    records : DataFrame or GeoDataFrame
        Validated records with an ``area`` column, and ``lon``/``lat`` columns or
        geometry.
    places : GeoDataFrame
        From :func:`~geomap.places.build_places`.
    admin : GeoDataFrame or AreaIndex
        Admin areas, for points that fall in them (an index is used as it is).
    layer : str
        The layer name, for the report.
    own_geometry : bool
        True for control: a record with its own geometry is a place of its own (a
        town point or a zone); its columns stay plain objects. False for
        displacement: points fall in admin areas, and ``place`` and ``method`` are
        categorical (a few bytes a row, whatever the rows).
    matcher : ReferenceMatcher, optional
        Matches references against *places*, remembering them (parts of one layer
        share one); a reference is matched anew without it.
    rows : ndarray of bool, optional
        Only the records where it holds are linked and counted in the report; the
        others get no place (all are linked without it).

    Returns
    -------
    (DataFrame, DataFrame, GeoDataFrame)
        The records with ``place`` and ``method`` (unmatched rows have no place);
        the join report, one row per distinct reference; and the new places made
        from records' own geometry.
    """
    records = records.copy(deep=False)  # copy-on-write: the input stays unchanged
    codes = _Codes(len(records))
    new_places = _NO_PLACES.copy()
    report_parts = []
    if own_geometry and isinstance(records, gpd.GeoDataFrame):
        has_geometry = ~(records.geometry.isna() | records.geometry.is_empty).to_numpy()
        if rows is not None:
            has_geometry &= rows
        if has_geometry.any():
            place, new_places = _own_places(records, has_geometry)
            codes.place[has_geometry] = codes.codes(place.to_numpy(), codes.places)
            codes.method[has_geometry] = codes.methods.setdefault("own geometry", 0)
    else:
        x, y = point_coordinates(records)
        has_geometry = np.isfinite(x) & np.isfinite(y)
        if rows is not None:
            has_geometry &= rows
        if has_geometry.any():
            index = admin if isinstance(admin, AreaIndex) else AreaIndex(admin)
            found = index.locate(x[has_geometry], y[has_geometry])
            lookup = codes.codes(index.pcodes, codes.places)
            codes.place[has_geometry] = np.where(found >= 0, lookup[found], -1)
            spatial = codes.methods.setdefault("spatial", len(codes.methods))
            codes.method[has_geometry] = np.where(found >= 0, spatial, -1)
            report_parts.append(_spatial_report(found, index.pcodes, layer))
    by_area = ~has_geometry & records["area"].notna().to_numpy()
    if rows is not None:
        by_area &= rows
    if by_area.any():
        references = references_of(pd.DataFrame(
            {column: records[column].array[by_area] for column in ("area", "level")
             if column in records}, index=records.index[by_area]))
        matches = (matcher or ReferenceMatcher(places))(references)
        positions, distinct = pd.factorize(references)
        aligned = matches.index.equals(distinct)  # both in order of first appearance
        found = matches if aligned else matches.reindex(distinct)
        codes.place[by_area] = codes.codes(found["place"].to_numpy(), codes.places)[
            positions]
        codes.method[by_area] = codes.codes(found["method"].to_numpy(),
                                            codes.methods)[positions]
        counts = np.bincount(positions, minlength=len(distinct))
        matched = matches.assign(records=counts) if aligned else matches.join(
            pd.Series(counts, index=distinct, name="records"))
        report_parts.append(matched.reset_index().assign(layer=layer))
    records = with_columns(records, {
        "place": pd.Series(codes.column(codes.place, codes.places,
                                        categorical=not own_geometry), index=records.index),
        "method": pd.Series(codes.column(codes.method, codes.methods,
                                         categorical=not own_geometry),
                            index=records.index)})
    all_places = pd.concat([places, new_places], ignore_index=True) if len(new_places) \
        else places
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
    layers: dict[object, dict[object, float]] = {}  # a few rows per layer: a loop
    for layer, method, records in zip(
            report["layer"].tolist(), report["method"].tolist(),
            report["records"].fillna(0).tolist(), strict=True):
        if pd.notna(layer):
            counts = layers.setdefault(layer, {})
            if pd.notna(method):
                counts[method] = counts.get(method, 0) + records
    parts = []
    for layer in sorted(layers):
        methods = sorted(layers[layer])  # most records first, ties as pandas sorts
        counts = pd.Series([layers[layer][m] for m in methods], index=methods,
                           dtype=None if methods else "int64").sort_values(
            ascending=False)
        detail = ", ".join(f"{int(n):,} {'by ' if m in ('name', 'p-code', 'id') else ''}{m}"
                           for m, n in counts.items())
        parts.append(f"{layer} {int(counts.sum()):,} records: {detail}")
    return "Join: " + "; ".join(parts) + "." if parts else "Join: no references."
