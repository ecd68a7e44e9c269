"""Read any vector or tabular file into a frame with canonical column names."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geomap.errors import CRSError, SchemaError, SourceError
from geomap.load.delimited import read_text, read_text_batches, sniff_text
from geomap.load.read_errors import folder_given, plain_reason
from geomap.schema import ALIASES, COLUMNS, REQUIRED, ROW, STORAGE_CRS
from geomap.text import some, squash

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xls"}


def read_frame(path: str | Path) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read *path* (any vector format GDAL reads, Parquet, CSV or XLSX) as it is.

    Parameters
    ----------
    path : str or Path
        The file. A zipped shapefile may be given as the ``.zip`` itself.

    Returns
    -------
    DataFrame or GeoDataFrame
        Raw columns, with a 1-based ``_row`` column; geometry in EPSG:4326 when the
        file has any.

    Raises
    ------
    SourceError
        The file is missing, truncated or not in a format geomap reads.
    CRSError
        A vector file has no CRS, or lon/lat values far outside their range.
    """
    path = Path(path)
    _require_file(path)
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".tsv", ".txt"}:
            frame = read_text(path)
        elif suffix in {".xlsx", ".xls"}:
            frame = _read_workbook(path)
        elif suffix in {".parquet", ".geoparquet"}:
            frame = _read_parquet(path)
        else:
            frame = gpd.read_file(path, engine="pyogrio")
    except (SourceError, CRSError):
        raise
    except Exception as err:  # every reader's failure becomes one clear line
        msg = (f"Cannot read '{path.name}': {plain_reason(err)}. The file may be "
               "truncated or not in a format geomap reads (any GDAL vector format, "
               "Parquet, CSV, XLSX).")
        raise SourceError(msg) from err
    frame = frame.reset_index(drop=True)
    frame[ROW] = pd.RangeIndex(1, len(frame) + 1)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        frame = _to_storage_crs(frame, path)
    return frame


def _require_file(path: Path) -> None:
    """Raise SourceError unless *path* is a file with some bytes (or a .gdb folder)."""
    if path.is_dir():
        if path.suffix.lower() == ".gdb":  # a File Geodatabase is a folder GDAL reads
            return
        msg = folder_given(path, "Input file", "Give the file itself (a shapefile as "
                           "its .shp, or zipped as one .zip).")
        raise SourceError(msg)
    if not path.exists():
        msg = f"Input file '{path}' does not exist. Check the path."
        raise SourceError(msg)
    if path.stat().st_size == 0:
        msg = (f"Cannot read '{path.name}': the file is empty (0 bytes). Give a file "
               "with a header row and data rows; an interrupted download or copy "
               "leaves an empty file.")
        raise SourceError(msg)


def _read_workbook(path: Path) -> pd.DataFrame:
    """Read the first sheet of an Excel workbook as strings."""
    try:
        return pd.read_excel(path, dtype=str)
    except ImportError as err:  # .xls needs xlrd, which geomap does not install
        msg = (f"Cannot read '{path.name}': reading old .xls workbooks needs the xlrd "
               "package. Save the sheet as .xlsx or CSV, or install xlrd.")
        raise SourceError(msg) from err
    except Exception as err:
        reason = plain_reason(err, fallback="it is not an Excel workbook, or a "
                              "damaged one")
        msg = (f"Cannot read '{path.name}': {reason}. Save it again from Excel, or "
               "give the data as CSV.")
        raise SourceError(msg) from err


def _read_parquet(path: Path) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read GeoParquet when the file carries geo metadata, plain Parquet otherwise."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    if b"geo" in metadata:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def _to_storage_crs(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Check the CRS of a vector file and bring it to lon/lat."""
    if frame.crs is None:
        msg = (f"'{path.name}' has no CRS. Add a .prj file or write the file with its "
               "CRS (GeoJSON is always lon/lat).")
        raise CRSError(msg)
    if not frame.crs.is_geographic:
        return frame.to_crs(STORAGE_CRS)
    minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
    if min(minx, miny) < -180 or maxx > 360 or abs(maxy) > 90 and abs(miny) > 90:
        msg = (f"'{path.name}' says lon/lat ({frame.crs.name}) but holds coordinates up "
               f"to {max(abs(minx), abs(maxx), abs(miny), abs(maxy)):.0f}: they look "
               "projected. Write the file with its real CRS.")
        raise CRSError(msg)
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(STORAGE_CRS)
    return frame


def rename_columns(frame: pd.DataFrame, layer: str,
                   mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return a copy of *frame* with the publisher's columns renamed to canonical ones.

    An explicit *mapping* (canonical name -> column in the file) wins; other canonical
    columns are found among common publisher names (``ALIASES``), ignoring case,
    accents and punctuation.

    Raises
    ------
    SchemaError
        A mapped column is not in the file, or a required column cannot be found.
    """
    by_squash = {squash(column): column for column in frame.columns if column != ROW}
    mapping = {**(_admin_levels(by_squash) if layer == "admin" else {}),
               **(mapping or {})}
    renames: dict[str, str] = {}
    for canonical, raw in mapping.items():
        found = raw if raw in frame.columns else by_squash.get(squash(raw))
        if found is None:
            msg = (f"The {layer} mapping names column '{raw}' for '{canonical}', but the "
                   f"file has only {_listing(by_squash.values())}.")
            raise SchemaError(msg)
        renames[found] = canonical
    taken = set(renames.values())
    wanted = {*COLUMNS[layer], "lon", "lat"}
    for canonical in sorted(wanted - taken - set(frame.columns)):  # 'Source' is source
        raw = by_squash.get(squash(canonical))
        if raw is not None and raw not in renames:
            renames[raw] = canonical
            taken.add(canonical)
    for canonical, aliases in ALIASES.items():
        if canonical in taken or canonical not in wanted:
            continue
        for alias in aliases:
            raw = by_squash.get(squash(alias))
            if raw is not None and raw not in renames:
                renames[raw] = canonical
                taken.add(canonical)
                break
    for raw in frame.columns:  # 'Source', 'URL', 'Note': canonical names in capitals
        canonical = str(raw).lower()
        if (canonical in wanted and canonical != raw and canonical not in taken
                and canonical not in frame.columns and raw not in renames):
            renames[raw] = canonical
            taken.add(canonical)
    level = _area_level(renames, by_squash) if layer in ("control", "displacement") \
        else None
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    keep = [raw for raw in frame.columns if raw not in renames.values() or raw in renames]
    renamed = frame[keep].rename(columns=renames)
    if geometry is not None:
        renamed = renamed.set_geometry(geometry)
    renamed = renamed.loc[:, ~renamed.columns.duplicated()]
    if level is not None:  # 'admin2Name' names level-2 areas: a qualifier
        renamed["level"] = level
    missing = [name for name in REQUIRED[layer] if name not in renamed.columns]
    if missing:
        msg = (f"The {layer} file lacks required column(s) {missing}; it has "
               f"{_listing(by_squash.values())}. Map them with --column "
               f"{layer}.{missing[0]}=COLUMN or [columns.{layer}] in geomap.toml.")
        raise SchemaError(msg)
    return renamed


def _area_level(renames: Mapping[str, str], by_squash: Mapping[str, str]) -> str | None:
    """The admin level an ``area`` column names by its own name ('admin2Name' -> '2'),
    when the file has no ``level`` column of its own."""
    if "level" in by_squash:
        return None
    raw = next((raw for raw, canonical in renames.items() if canonical == "area"), None)
    found = re.fullmatch(r"adm(?:in)?(\d)(?:pcode?|name|fr|en)?", squash(raw or ""))
    return found.group(1) if found else None


def _admin_levels(by_squash: Mapping[str, str]) -> dict[str, str]:
    """Map OCHA COD-AB style columns (ADM2_PCODE, ADM2_FR, ...) of the deepest level."""
    for level in (4, 3, 2, 1):
        pcode = by_squash.get(f"adm{level}pcode")
        if pcode is None:
            continue
        mapping = {"pcode": pcode}
        for suffix in ("fr", "en", "name", "ref"):
            if f"adm{level}{suffix}" in by_squash:
                mapping["name"] = by_squash[f"adm{level}{suffix}"]
                break
        if f"adm{level - 1}pcode" in by_squash:
            mapping["parent_pcode"] = by_squash[f"adm{level - 1}pcode"]
        return mapping
    return {}


def _listing(columns) -> str:
    """Quote up to ten column names for a one-line message, each cut to 40 characters,
    line breaks and other control characters written as escapes."""
    return "[" + some([str(column) for column in columns], width=40) + "]"


def read_layer(path: str | Path, layer: str,
               mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read one layer's file and rename its columns to the canonical schema.

    Parameters
    ----------
    path : str or Path
        Any file :func:`read_frame` reads.
    layer : {'admin', 'towns', 'mines', 'control', 'displacement'}
        The canonical layer the file holds.
    mapping : mapping, optional
        Canonical column name -> the file's column name.

    Returns
    -------
    DataFrame or GeoDataFrame
        Raw values (not yet checked) under canonical names, plus ``_row``.

    Raises
    ------
    SourceError, CRSError, SchemaError
        The file cannot be read, has a bad CRS, or lacks required columns.
    """
    if layer not in REQUIRED:
        msg = f"Unknown layer '{layer}'; expected one of {sorted(REQUIRED)}."
        raise SchemaError(msg)
    frame = read_frame(path)
    if len(frame) == 0:
        msg = f"The {layer} file '{Path(path).name}' holds no rows."
        raise SchemaError(msg)
    return rename_columns(frame, layer, mapping)


def read_layer_batches(path: str | Path, layer: str,
                       mapping: Mapping[str, str] | None = None, *,
                       needed: Collection[str] | None = None,
                       block_bytes: int | None = None) -> Iterator[pd.DataFrame]:
    """Read one layer's file in batches of rows, renamed as :func:`read_layer` does.

    A delimited text file is read block by block (:mod:`geomap.load.delimited`), so
    its size is not bounded by memory; any other file comes whole, as one batch.
    With *needed* (canonical names), a delimited file's other columns are not
    converted at all; *block_bytes* is the text parsed per batch (see
    :func:`~geomap.load.delimited.read_text_batches`).

    Yields
    ------
    DataFrame or GeoDataFrame
        Raw values under canonical names, with ``_row`` counting on across batches.

    Raises
    ------
    SourceError, CRSError, SchemaError
        As :func:`read_layer`.
    """
    path = Path(path)
    if path.suffix.lower() not in {".csv", ".tsv", ".txt"} or path.is_dir():
        yield read_layer(path, layer, mapping)
        return
    if layer not in REQUIRED:
        msg = f"Unknown layer '{layer}'; expected one of {sorted(REQUIRED)}."
        raise SchemaError(msg)
    _require_file(path)
    text_format = sniff_text(path)
    columns = None
    if needed is not None:  # the file's names of the needed canonical columns
        names = list(text_format.columns)
        renamed = rename_columns(pd.DataFrame([names], columns=names), layer, mapping)
        columns = {str(renamed[c].iloc[0]) for c in renamed.columns if c in needed}
    empty = True
    for batch in read_text_batches(path, text_format, columns=columns,
                                   block_bytes=block_bytes):
        empty = False
        yield rename_columns(batch, layer, mapping)
    if empty:
        msg = f"The {layer} file '{path.name}' holds no rows."
        raise SchemaError(msg)
