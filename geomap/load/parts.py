"""Read Parquet in parts: row groups of a file, a folder or a glob of files, each part
with the row number of its first row.

Registration files can hold tens of millions of rows. A part holds whole rows, so it
can be read, checked, joined and summed on its own (on a dask worker too), and the
rows it rejects keep their row numbers in the whole input: data rows counted from 1,
across the files in name order. Only the columns a layer needs are read, and typed
columns keep their types (numbers stay numbers, dates stay dates). Delimited text is
read in batches by :mod:`geomap.load.delimited`.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geomap.errors import SourceError
from geomap.load.read_errors import folder_given, plain_reason
from geomap.schema import COLUMNS, ROW

PARQUET_SUFFIXES = {".parquet", ".geoparquet"}

NEEDED = {"displacement": (*(c for c in COLUMNS["displacement"]
                             if c not in ("origin", "cause", "note")),
                           "lon", "lat", "kind", "date_precision", "level",
                           "license")}
"""Canonical columns read from a partitioned table (others are never used)."""

PART_ROWS = 500_000
"""Rows per part for Parquet: row groups are gathered up to this many rows."""


@dataclass(frozen=True)
class Part:
    """Whole rows of one file: a range of its row groups."""

    file: int
    start: int
    stop: int
    first_row: int
    """Row number (1-based, whole input) of the part's first row."""
    rows: int
    """Rows the part holds (from the file's metadata)."""


@dataclass(frozen=True)
class TablePlan:
    """How to read a table in parts, and which of its columns to read as what."""

    files: tuple[Path, ...]
    columns: tuple[tuple[str, str], ...]
    """(column in the file, canonical name) of the columns read."""
    parts: tuple[Part, ...]
    geometry: str | None = None
    """The WKB geometry column of a GeoParquet file in lon/lat."""

    @property
    def name(self) -> str:
        """The input as the user would name it: a file, or a folder of files."""
        return self.files[0].name if len(self.files) == 1 else \
            f"{self.files[0].parent.name}/ ({len(self.files)} files)"


def table_files(path: str | Path) -> list[Path] | None:
    """The Parquet files of a table: one file, a folder or a glob of Parquet files.

    Returns None for any other input (it is read by :mod:`geomap.load.files`).

    Raises
    ------
    SourceError
        A glob or folder that holds no Parquet file.
    """
    text = str(path)
    if any(char in text for char in "*?["):
        files = sorted(Path(name) for name in glob.glob(text) if Path(name).is_file())
        if not files or any(f.suffix.lower() not in PARQUET_SUFFIXES for f in files):
            msg = (f"'{text}' matches {len(files)} file(s), not a set of Parquet files; "
                   "a pattern must name Parquet files (e.g. registrations/*.parquet).")
            raise SourceError(msg)
        return files
    path = Path(path)
    if path.is_dir() and path.suffix.lower() != ".gdb":
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in PARQUET_SUFFIXES)
        if not files:
            raise SourceError(folder_given(path, "Input", "Give a file, or a folder or "
                                           "pattern of Parquet files."))
        return files
    return [path] if path.suffix.lower() in PARQUET_SUFFIXES else None


def plan_table(path: str | Path, layer: str, mapping: Mapping[str, str] | None = None,
               *, cut: bool = False) -> TablePlan | None:
    """Plan the parts of a Parquet table, or return None for other inputs.

    Parameters
    ----------
    path : str or Path
        A Parquet file, a folder of Parquet files, or a glob of them.
    layer : str
        The canonical layer (its :data:`NEEDED` columns are read).
    mapping : mapping, optional
        Canonical column name -> the file's column name.
    cut : bool
        False: one part per file. True: parts of about :data:`PART_ROWS` rows.

    Raises
    ------
    SourceError, SchemaError
        Missing, empty or unreadable files, or a required column missing.
    """
    from geomap.load.files import _require_file

    files = table_files(path)
    if files is None:
        return None
    for file in files:
        _require_file(file)
    return _plan_parquet(files, layer, mapping, cut=cut)


def _columns(header: list[str], layer: str, mapping: Mapping[str, str] | None
             ) -> tuple[tuple[str, str], ...]:
    """(file column, canonical name) for the needed columns, by the layer's rules."""
    from geomap.load.files import rename_columns

    names = pd.DataFrame([header], columns=header)  # each cell holds its own name
    renamed = rename_columns(names, layer, mapping)
    wanted = NEEDED.get(layer, tuple(renamed.columns))
    return tuple((str(renamed[c].iloc[0]), c) for c in renamed.columns
                 if c in wanted and c != ROW)


def _plan_parquet(files: list[Path], layer: str, mapping: Mapping[str, str] | None, *,
                  cut: bool) -> TablePlan | None:
    """Row groups of Parquet files, with the row number of each part's first row."""
    import json

    import pyarrow.parquet as pq

    schemas, metas = [], []
    for file in files:
        try:
            meta = pq.ParquetFile(file).metadata
        except Exception as err:  # a truncated or foreign file: one clear line
            msg = f"Cannot read '{file.name}': {plain_reason(err)}."
            raise SourceError(msg) from err
        metas.append(meta)
        schemas.append(meta.schema.to_arrow_schema())
    names = [field.name for field in schemas[0]]
    if any([field.name for field in schema] != names for schema in schemas[1:]):
        msg = (f"The Parquet files in '{files[0].parent.name}' do not share one set of "
               "columns; give files with the same columns.")
        raise SourceError(msg)
    geo = json.loads((schemas[0].metadata or {}).get(b"geo", b"null"))
    geometry = None
    if geo:
        geometry = geo.get("primary_column", "geometry")
        spec = geo.get("columns", {}).get(geometry, {})
        crs = spec.get("crs")
        lonlat = crs is None or (isinstance(crs, dict) and crs.get("id", {}).get("code")
                                 in (4326, "CRS84"))
        if spec.get("encoding", "WKB").upper() != "WKB" or not lonlat:
            return None  # read whole, reprojected by geopandas
        names = [name for name in names if name != geometry]
    columns = _columns(names, layer, mapping)
    parts, first_row = [], 1
    for number, meta in enumerate(metas):
        groups = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
        start, rows = 0, 0
        for group, count in enumerate(groups):
            rows += count
            last = group == len(groups) - 1
            if last or (cut and rows + groups[group + 1] > PART_ROWS):
                parts.append(Part(number, start, group + 1, first_row, rows))
                first_row += rows
                start, rows = group + 1, 0
    return TablePlan(files=tuple(files), columns=columns, parts=tuple(parts),
                     geometry=geometry)


def read_part(plan: TablePlan, part: Part) -> pd.DataFrame:
    """The rows of *part* under canonical names, with ``_row``.

    Returns
    -------
    DataFrame or GeoDataFrame
        Text columns as strings, typed columns as numbers or datetimes; a GeoParquet
        part has its point geometry.

    Raises
    ------
    SourceError
        The part cannot be read.
    """
    import pyarrow.parquet as pq

    path = plan.files[part.file]
    wanted = [raw for raw, _ in plan.columns]
    if plan.geometry is not None:
        wanted.append(plan.geometry)
    try:
        table = pq.ParquetFile(path).read_row_groups(list(range(part.start, part.stop)),
                                                     columns=wanted)
    except Exception as err:  # a truncated file: one clear line
        msg = (f"Cannot read '{path.name}': {plain_reason(err)}. The file may be "
               "truncated or not in a format geomap reads.")
        raise SourceError(msg) from err
    return _frame(plan, table, part.first_row)


def _frame(plan: TablePlan, table, first_row: int) -> pd.DataFrame:
    """An Arrow table as a frame under canonical names: strings, numbers, datetimes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for raw, canonical in plan.columns:
        array = table.column(raw)
        kind = array.type
        if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
            if pa.types.is_timestamp(kind) and kind.tz is not None:
                array = pc.local_timestamp(array)
            columns[canonical] = pd.Series(array.cast(pa.timestamp("s")).to_numpy(
                zero_copy_only=False)).astype("datetime64[s]")
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            columns[canonical] = array.to_pandas()  # ints with gaps come as floats
        else:
            columns[canonical] = pd.Series(array.cast(pa.string()).to_pandas(
                types_mapper=lambda _: pd.StringDtype("pyarrow")))
    frame = pd.DataFrame(columns)
    frame[ROW] = np.arange(first_row, first_row + table.num_rows, dtype=np.int64)
    if plan.geometry is None:
        return frame
    import geopandas as gpd
    import shapely

    geometry = shapely.from_wkb(table.column(plan.geometry).to_numpy(
        zero_copy_only=False))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
