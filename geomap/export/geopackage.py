"""Write the GeoPackage: typed layers that QGIS and GDAL open as they are.

Layers are written with pyogrio through Arrow, so a date column becomes a GeoPackage
DATE and a count a 64-bit integer with NULL for "no figure"; each layer has one
geometry type. The file is GeoPackage 1.2, which the GDAL and QGIS releases analysts
run (GDAL 3.6, QGIS 3.22) open without a warning. Column aliases and descriptions go
into ``gpkg_data_columns`` (the GeoPackage schema extension), from
:data:`geomap.fields.FIELDS`.
"""

from __future__ import annotations

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
from geomap.export.gpkg_columns import typed_table
from geomap.fields import aliases_for
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


def _wkb(geometry: np.ndarray, promote: bool) -> np.ndarray:
    """*geometry* as WKB, as pyogrio's ``write_dataframe`` writes it: single parts
    made multi when *promote*; None where missing."""
    if promote:
        geometry = geometry.copy()
        kinds = shapely.get_type_id(geometry)
        for single, multi in ((0, shapely.multipoints), (1, shapely.multilinestrings),
                              (3, shapely.multipolygons)):
            if (mask := kinds == single).any():
                geometry[mask] = multi(np.atleast_2d(geometry[mask]), axis=0)
    return shapely.to_wkb(geometry, hex=False)


def _layer_table(name: str, frame: gpd.GeoDataFrame, promote: bool) -> pa.Table:
    """The layer in lon/lat with typed columns and its geometry as WKB, as the
    Arrow table GDAL is handed (:func:`~geomap.export.gpkg_columns.typed_table`).

    The layers are written straight from it: made as a GeoDataFrame and handed to
    ``write_dataframe`` they went through a second round of pandas work (the
    geometry types looked up again, the frame copied) for the same table.
    """
    if frame.crs is None:
        msg = (f"Cannot write layer '{name}': it has no CRS. Set one with "
               "frame.set_crs(...) before exporting.")
        raise CRSError(msg)
    if not frame.crs.equals(STORAGE_CRS):
        frame = frame.to_crs(STORAGE_CRS)
    return typed_table(frame, name, _wkb(np.asarray(frame.geometry.to_numpy(),
                                                    dtype=object), promote))


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
            pyogrio.write_arrow(typed_table(pd.DataFrame(table), name), path,
                                layer=name, driver="GPKG", **options)
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
