"""Write the GeoPackage: typed layers that QGIS and GDAL open as they are.

Layers are written with pyogrio through Arrow, so a date column becomes a GeoPackage
DATE and a count a 64-bit integer with NULL for "no figure"; each layer has one
geometry type. The file is GeoPackage 1.2, which the GDAL and QGIS releases analysts
run (GDAL 3.6, QGIS 3.22) open without a warning. Column aliases and descriptions go
into ``gpkg_data_columns`` (the GeoPackage schema extension), from
:data:`geomap.fields.FIELDS`.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from geomap.errors import CRSError, SchemaError
from geomap.export.gis import cell_text, distinct_names, text_cells
from geomap.fields import aliases_for, field_for
from geomap.schema import STORAGE_CRS

GPKG_VERSION = "1.2"
"""GeoPackage version written: GDAL 3.6 and QGIS 3.22 warn on 1.4, GDAL's default."""
SCHEMA_EXTENSION = "http://www.geopackage.org/spec120/#extension_schema"
UNSYNCED = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "MEMORY"}
"""GDAL's SQLite settings while the package is written: no wait for the disk after
each layer (an fsync per commit, most of the time spent writing a dozen small layers)
and the rollback journal kept in memory. The package is written in the build's
staging folder, which is dropped whole if the build fails, and moved in place once
complete; the bytes of the file are the same."""
NO_SPATIALITE = {"SPATIALITE_LOAD": "NO"}
"""GDAL loads SpatiaLite's hundreds of SQL functions each time it opens the
package (once per layer written); a GeoPackage is written with GDAL's own, so
the file is the same without them."""
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXACT = 2 ** 53
"""Integers up to this size are exact as floats: typed as the general rule types them
(through floats), they keep their value."""


def _as_dates(values: pd.Series) -> pd.Series | None:
    """*values* as Arrow dates, or None when some value is not a whole ISO day.

    A source date given as a month or a year stays text: it is not made a day.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        days = values.dt.tz_localize(None) if values.dt.tz is not None else values
        calendar = days.to_numpy().astype("datetime64[D]")  # the day of each moment
        return pd.Series(pd.arrays.ArrowExtensionArray(
            pa.array(calendar, type=pa.date32(), from_pandas=True)), index=values.index)
    present = values.dropna()
    present = present.loc[present.astype(str).str.strip() != ""]
    if not present.astype(str).str.match(_ISO_DAY).all():
        return None
    parsed = pd.to_datetime(values.where(values.index.isin(present.index)),
                            format="%Y-%m-%d", errors="coerce")
    if parsed.notna().sum() != len(present):  # e.g. 2025-02-30
        return None
    return _as_dates(parsed)


def _as_integers(values: pd.Series) -> pd.Series | None:
    """*values* as nullable 64-bit integers, or None when one is not a whole number."""
    if pd.api.types.is_bool_dtype(values):
        return None
    if pd.api.types.is_integer_dtype(values) and (
            not values.notna().any() or values.abs().max() <= _EXACT):
        return values.astype("Int64")  # whole numbers already, each exact as a float
    text = values.astype(object).where(values.notna(), None)
    blank = text.map(lambda v: isinstance(v, str) and not v.strip())
    numbers = pd.to_numeric(text.where(~blank, None), errors="coerce")
    present = text.notna() & ~blank
    if numbers[present].isna().any():
        return None
    whole = numbers[present]
    if not np.allclose(whole, whole.round()):
        return None
    return numbers.round().astype("Int64")


def _as_flags(values: pd.Series) -> pd.Series | None:
    """*values* as nullable booleans, or None when one is not true or false."""
    try:
        return values.astype("boolean")
    except (TypeError, ValueError):
        return None


def _as_text(values: pd.Series) -> pd.Series:
    """*values* as text cells: lists '; '-joined, missing as None."""
    if isinstance(values.dtype, pd.StringDtype):  # text already: only NA to None
        return pd.Series(text_cells(values), index=values.index, dtype=object)
    return pd.Series([None if (text := cell_text(v)) is None else str(text)
                      for v in values], index=values.index, dtype=object)


def _column(values: pd.Series, kind: str | None) -> pd.Series:
    """One column typed as *kind* (None: undocumented), else kept as text."""
    if kind is None:
        kind = "date" if pd.api.types.is_datetime64_any_dtype(values) else "auto"
    typed = {"date": _as_dates, "count": _as_integers, "integer": _as_integers,
             "flag": _as_flags}.get(kind, lambda _: None)(values)
    if typed is not None:
        return typed
    numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(
        values)
    if numeric and kind in ("number", "auto"):
        return values
    return _as_text(values)


def typed_columns(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Return the non-geometry columns of *frame* typed for the GeoPackage.

    Documented dates become Arrow dates (GeoPackage DATE), counts and integers
    nullable Int64 (NULL is "no figure"); a count with a ``dated_by`` column is NULL
    where that date is missing. A value that does not fit its type (a month where a
    day is expected) keeps the whole column as text rather than lose it.
    Undocumented columns keep their numbers and dates; columns starting with '_' are
    dropped; lists become '; '-joined text.

    Parameters
    ----------
    frame : DataFrame
        A layer or table; it is not changed.
    layer : str
        Its name, to look up its columns in :func:`geomap.fields.field_for`.

    Returns
    -------
    DataFrame
        A new frame with the same index.

    Examples
    --------
    >>> towns = pd.DataFrame({"people": [1200.0, None, 0.0],
    ...                       "people_as_of": ["2025-01-15", None, None]})
    >>> typed_columns(towns, "towns")["people"].tolist()
    [1200, <NA>, <NA>]
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    out: dict[str, pd.Series] = {}
    for column, values in frame.items():
        if column == geometry or str(column).startswith("_"):
            continue
        doc = field_for(layer, str(column))
        out[str(column)] = _column(values, doc.kind if doc else None)
    for column, typed in out.items():
        doc = field_for(layer, column)
        if doc and doc.dated_by in out and typed.dtype == "Int64":
            out[column] = typed.mask(out[doc.dated_by].isna())
    names = distinct_names(out)
    typed = pd.DataFrame(out, index=frame.index)
    return typed if all(k == v for k, v in names.items()) else typed.rename(
        columns=names)


_GEOMETRY_TYPES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                   "MultiLineString", "MultiPolygon", "GeometryCollection")
"""Shapely's geometry type names by type id (:func:`shapely.get_type_id`)."""


def geometry_type(geometry: gpd.GeoSeries) -> tuple[str, bool]:
    """The one GeoPackage geometry type of a column, and whether to promote to multi.

    Raises
    ------
    SchemaError
        The column mixes points, lines and polygons: split it first.
    """
    found = np.unique(shapely.get_type_id(np.asarray(geometry.to_numpy(), dtype=object)))
    kinds = {_GEOMETRY_TYPES[kind] for kind in found.tolist() if kind >= 0}  # -1: none
    for single in ("Point", "LineString", "Polygon"):
        if kinds == {single}:
            return single, False
        if kinds and kinds <= {single, f"Multi{single}"}:
            return f"Multi{single}", True
    if not kinds:
        return "Unknown", False
    msg = (f"A GeoPackage layer takes one geometry type, but got {sorted(kinds)}. "
           "Split the layer by geometry type first.")
    raise SchemaError(msg)


def _arrow_table(columns: pd.DataFrame, geometry: np.ndarray | None = None,
                 promote: bool = False) -> pa.Table:
    """*columns* (typed, fresh index) and *geometry* as the Arrow table pyogrio's
    ``write_dataframe(use_arrow=True)`` hands GDAL for them: single parts made
    multi when *promote*, geometries as WKB, a column of missing values as text.

    The layers are written straight from it: made as a GeoDataFrame and handed to
    ``write_dataframe`` they went through a second round of pandas work (the
    geometry types looked up again, the frame copied) for the same table.
    """
    frame = pd.DataFrame(columns, copy=False)
    if geometry is not None:
        if promote:
            geometry = geometry.copy()
            kinds = shapely.get_type_id(geometry)
            for single, multi in ((0, shapely.multipoints),
                                  (1, shapely.multilinestrings),
                                  (3, shapely.multipolygons)):
                if (mask := kinds == single).any():
                    geometry[mask] = multi(np.atleast_2d(geometry[mask]), axis=0)
        frame["geometry"] = shapely.to_wkb(geometry, hex=False)
    for name, dtype in frame.dtypes.items():  # as pyogrio: text GDAL writes as text
        if name == "geometry" and geometry is not None or dtype != "object":
            continue
        if pd.api.types.infer_dtype(frame[name]) in ("string", "empty"):
            continue  # text, or nothing at all: Arrow takes either as it is
        try:
            pa.Schema.from_pandas(frame[[name]])
        except pa.ArrowInvalid:
            frame[name] = frame[name].astype("string")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for at, field in enumerate(table.schema):  # GDAL takes no Arrow null type
        if pa.types.is_null(field.type):
            table = table.set_column(at, field.with_type(pa.string()),
                                     table[at].cast(pa.string()))
    if geometry is not None:
        field = table.schema.field("geometry")
        if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
            at = table.schema.get_field_index("geometry")
            table = table.set_column(at, field.with_type(pa.binary()),
                                     table[at].cast(pa.binary()))
    return table


def _layer_table(name: str, frame: gpd.GeoDataFrame, promote: bool) -> pa.Table:
    """The layer in lon/lat with typed columns, as an Arrow table (see
    :func:`_arrow_table`)."""
    if frame.crs is None:
        msg = (f"Cannot write layer '{name}': it has no CRS. Set one with "
               "frame.set_crs(...) before exporting.")
        raise CRSError(msg)
    if not frame.crs.equals(STORAGE_CRS):
        frame = frame.to_crs(STORAGE_CRS)
    return _arrow_table(typed_columns(frame, name).reset_index(drop=True),
                        frame.geometry.to_numpy(), promote)


def write_layers(layers: Mapping[str, gpd.GeoDataFrame],
                 tables: Mapping[str, pd.DataFrame], path: Path, *,
                 as_of: pd.Timestamp,
                 empty_types: Mapping[str, str] | None = None) -> Path:
    """Write spatial *layers* then attribute *tables*, typed, into a new GeoPackage.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layer name to spatial layer, each of one geometry type (points and
        multipoints, or polygons and multipolygons, go together as multi).
    tables : mapping of str to DataFrame
        Table name to non-spatial table.
    path : Path
        The ``.gpkg`` to write; an existing file is replaced.
    as_of : Timestamp
        The build date, recorded as each layer's last change, so the same inputs
        give the same bytes.
    empty_types : mapping of str to str, optional
        Geometry type of a layer that has no rows, so it still opens as its kind.

    Returns
    -------
    Path
        *path*.

    Raises
    ------
    SchemaError
        A layer and a table share a name, or a layer mixes geometry types.
    CRSError
        A layer has no CRS.
    """
    clash = sorted(set(layers) & set(tables))
    if clash:
        msg = (f"GeoPackage layer names must be unique, but {clash} is both a layer and "
               "a table. Rename one of them.")
        raise SchemaError(msg)
    path = Path(path)
    path.unlink(missing_ok=True)
    stamp = pd.Timestamp(as_of).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    settings = {"OGR_CURRENT_DATE": stamp, **UNSYNCED, **NO_SPATIALITE}
    previous = {key: pyogrio.get_gdal_config_option(key) for key in settings}
    pyogrio.set_gdal_config_options(settings)
    options: dict = {"dataset_options": {"VERSION": GPKG_VERSION}}
    try:
        for name, frame in layers.items():
            kind, promote = geometry_type(frame.geometry)
            if frame.empty and empty_types and name in empty_types:
                kind = empty_types[name]
            pyogrio.write_arrow(_layer_table(name, frame, promote), path, layer=name,
                                driver="GPKG", geometry_name="geometry",
                                geometry_type=kind, crs=STORAGE_CRS, **options)
            options = {}
        for name, table in tables.items():
            out = typed_columns(pd.DataFrame(table), name).reset_index(drop=True)
            pyogrio.write_arrow(_arrow_table(out), path, layer=name, driver="GPKG",
                                **options)
            options = {}
    finally:
        pyogrio.set_gdal_config_options(previous)
    with closing(open_package(path)) as con, con:
        write_data_columns(con, [*layers, *tables])
    return path


def open_package(path: Path) -> sqlite3.Connection:
    """A connection to the GeoPackage being written, which does not wait for the
    disk after each change (see :data:`UNSYNCED`)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA journal_mode = MEMORY")
    return con


def register_extension(con: sqlite3.Connection, table: str, extension: str,
                       definition: str) -> None:
    """Add one ``gpkg_extensions`` row for *table*, unless it is there already."""
    con.execute("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, "
                "column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT "
                "NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, "
                "column_name, extension_name))")
    known = con.execute("SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND "
                        "column_name IS NULL AND extension_name = ?",
                        (table, extension)).fetchone()
    if not known:  # UNIQUE does not catch it: NULL column names are all distinct
        con.execute("INSERT INTO gpkg_extensions VALUES (?, NULL, ?, ?, 'read-write')",
                    (table, extension, definition))


def write_data_columns(con: sqlite3.Connection, tables: list[str]) -> None:
    """Fill ``gpkg_data_columns``: the alias (name, title) and description of columns.

    Only documented columns get a row; the alias is unique within each table.
    """
    con.execute("CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT "
                "NULL, column_name TEXT NOT NULL, name TEXT, title TEXT, description "
                "TEXT, mime_type TEXT, constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY "
                "KEY (table_name, column_name), CONSTRAINT gdc_tn UNIQUE (table_name, "
                "name))")
    con.execute("CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints ("
                "constraint_name TEXT NOT NULL, constraint_type TEXT NOT NULL, value "
                "TEXT, min NUMERIC, min_is_inclusive BOOLEAN, max NUMERIC, "
                "max_is_inclusive BOOLEAN, description TEXT, CONSTRAINT gdcc_ntv UNIQUE "
                "(constraint_name, constraint_type, value))")
    for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
        register_extension(con, table, "gpkg_schema", SCHEMA_EXTENSION)
    for table in tables:
        docs = aliases_for(table, column_names(con, table))
        rows = [(table, column, doc.alias, doc.alias, doc.description)
                for column, doc in docs.items()]
        con.executemany("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                        "title, description) VALUES (?, ?, ?, ?, ?)", rows)


def column_names(con: sqlite3.Connection, table: str) -> list[str]:
    """The columns of *table* in the GeoPackage, in order."""
    return [row[1] for row in con.execute("SELECT * FROM pragma_table_info(?)",
                                          (table,))]
