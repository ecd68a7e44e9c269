"""Open publisher files by format: shapefile zips, GeoJSON, CSV, XLSX and API JSON.

Files are opened by their registered format, not their name, so a download still
under a temporary name (no suffix) reads the same as the cached file.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geomap.errors import CRSError, SchemaError, SourceError
from geomap.load.delimited import read_text, sniff_text
from geomap.load.read_errors import plain_reason
from geomap.provinces import KIVU
from geomap.schema import ROW
from geomap.sources.registry import publisher_terms
from geomap.text import squash

VECTOR_SUFFIXES = {".geojson", ".gpkg", ".shp", ".fgb", ".gml", ".kml", ".parquet"}


def _quiet(_: str) -> None:
    """Report nothing."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read one publisher file and what to keep of it."""

    fmt: str
    provinces: tuple[str, ...] = KIVU
    level: int | None = None
    source: str = ""
    url: str = ""
    license: str = ""
    companions: tuple[Path, ...] = ()
    report: Callable[[str], None] = field(default=_quiet)


def credit(options: ReadOptions, loader: str, level: int | None = None
           ) -> tuple[str, str]:
    """(source, licence) for the rows of a publisher's file: as given in *options*
    (a registered source), else the terms of the publisher's registered source."""
    licence, attribution = publisher_terms(loader, level)
    return options.source or attribution, options.license or licence


def guess_format(path: Path) -> str:
    """The registry format of a local file, from its suffix and first bytes."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return "zip-shapefile"
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix == ".json":
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
        return "geojson" if re.search(r'"type"\s*:\s*"Feature', head) else "json"
    return "geojson" if suffix == ".geojson" else "vector"


_LEVEL = re.compile(r"adm(?:in)?_?(\d)(?![0-9a-z])", re.IGNORECASE)
"""The admin level in a layer name: 'cod_admin2' (COD-AB since 2026),
'cod_admbnda_adm2_rgc_20190911' (2017, 2019); not 'cod_admin2points' or 'adminlines'."""
DEFAULT_DEEPEST = 2
"""With no level asked, the deepest level up to territories is read: the 2026 DRC
release's level 3 is health zones, not the chefferies and secteurs geomap calls 3."""


def zip_layers(path: Path) -> list[tuple[str, str | None, str]]:
    """The vector layers inside a zip: (GDAL path, layer name or None, label).

    Shapefiles and GeoJSON files are one layer each (labelled by their stem), at the
    zip's root or in a folder; a file geodatabase (``.gdb`` folder) or GeoPackage
    gives one entry per layer. OCHA's COD-AB zips hold ``cod_admin0`` to
    ``cod_admin2`` shapefiles or GeoJSON files at the root, or a
    ``cod_admin_boundaries.gdb`` folder with feature classes of those names
    (OCHA-DAP/hdx-scraper-cod-ab-country @fef5c2f, geodata/formats.py).

    Raises
    ------
    SourceError
        The file is not a readable zip.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as err:
        msg = f"'{path.name}' is not a readable zip file ({err}); it may be truncated."
        raise SourceError(msg) from err
    found: list[tuple[str, str | None, str]] = []
    containers: list[str] = []
    for name in sorted(names):
        lower = name.lower()
        if name.startswith("__MACOSX") or "/." in "/" + name:
            continue
        if lower.endswith((".shp", ".geojson", ".fgb")):
            found.append((f"/vsizip/{{{path}}}/{name}", None, Path(name).stem))
        elif ".gdb/" in lower:
            folder = name[: lower.index(".gdb/") + 4]
            containers += [] if folder in containers else [folder]
        elif lower.endswith(".gpkg"):
            containers.append(name)
    for container in containers:
        dataset = f"/vsizip/{{{path}}}/{container}"
        try:
            layers = pyogrio.list_layers(dataset)[:, 0]
        except pyogrio.errors.DataSourceError as err:
            msg = f"Cannot read '{container}' inside '{path.name}': {plain_reason(err)}."
            raise SourceError(msg) from err
        found += [(dataset, str(layer), str(layer)) for layer in sorted(layers)]
    return found


def shapefile_members(path: Path) -> list[str]:
    """Labels of the vector layers inside a zip (see :func:`zip_layers`), sorted."""
    return [label for *_, label in zip_layers(path)]


def zip_levels(path: Path) -> dict[int, str]:
    """Admin level -> layer label, for each level the zip holds a layer of."""
    levels: dict[int, str] = {}
    for *_, label in zip_layers(path):
        if (found := _LEVEL.search(label)) is not None:
            levels.setdefault(int(found.group(1)), label)
    return levels


def vector_layer(path: Path, fmt: str, level: int | None = None
                 ) -> tuple[str, str | None]:
    """What GDAL opens: (path, layer). Inside a zip, the layer of *level*.

    With no level, the deepest layer up to :data:`DEFAULT_DEEPEST` is taken.

    Raises
    ------
    SourceError
        The zip holds no vector data, or none for the requested admin level.
    """
    if fmt != "zip-shapefile":
        return str(path), None
    layers = zip_layers(path)
    if not layers:
        msg = (f"'{path.name}' holds no vector data (no shapefile, GeoJSON or "
               "geodatabase inside the zip).")
        raise SourceError(msg)
    if len(layers) == 1:
        return layers[0][:2]
    levels = {i: int(m.group(1)) for i, (*_, label) in enumerate(layers)
              if (m := _LEVEL.search(label))}
    if level is None:
        usable = {i: n for i, n in levels.items() if n <= DEFAULT_DEEPEST} or levels
        chosen = max(usable, key=lambda i: (usable[i], -i)) if usable else 0
    else:
        matches = [i for i, n in levels.items() if n == level]
        if not matches:
            msg = (f"'{path.name}' holds no level-{level} layer; it has "
                   f"{[label for *_, label in layers]}.")
            raise SourceError(msg)
        chosen = matches[0]
    return layers[chosen][:2]


def read_vector(path: Path, fmt: str, level: int | None = None, *,
                where: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector publisher file into lon/lat, with a 1-based ``_row``.

    Raises
    ------
    SourceError
        GDAL cannot read the file (truncated, not vector data).
    CRSError
        The file has no CRS.
    """
    target, layer = vector_layer(path, fmt, level)
    try:
        frame = gpd.read_file(target, engine="pyogrio", where=where, layer=layer)
    except Exception as err:
        msg = f"Cannot read '{path.name}': {plain_reason(err)}. The file may be truncated."
        raise SourceError(msg) from err
    if frame.crs is None:
        msg = f"'{path.name}' has no CRS; a shapefile needs its .prj file."
        raise CRSError(msg)
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    frame = frame.reset_index(drop=True)
    frame[ROW] = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _drop_hxl(table: pd.DataFrame) -> pd.DataFrame:
    """Drop an HXL hashtag row (``#adm1+code``...) right under the header."""
    if len(table) and table.iloc[0].astype("string").str.startswith("#").fillna(
            False).sum() >= max(1, table.shape[1] // 2):
        return table.iloc[1:].reset_index(drop=True)
    return table


def _json_records(path: Path) -> list[dict]:
    """The records of an API answer: DTM's ``result``, ACLED's ``data``, or a list."""
    try:
        with path.open("rb") as handle:
            answer = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        msg = f"'{path.name}' is not valid JSON ({err}); it may be truncated."
        raise SourceError(msg) from err
    if isinstance(answer, dict):
        if answer.get("isSuccess") is False:
            errors = answer.get("errorMessages") or ["no reason given"]
            msg = f"The API answered with an error in '{path.name}': {errors[0]}."
            raise SourceError(msg)
        for key in ("result", "data", "results"):
            if isinstance(answer.get(key), list):
                return answer[key]
    if isinstance(answer, list):
        return answer
    msg = (f"'{path.name}' holds JSON but no list of records under 'result' or "
           "'data'.")
    raise SchemaError(msg)


def read_table(path: Path, fmt: str, *, wanted: Callable[[list[str]], bool] | None = None,
               prefer: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read CSV, XLSX (the first sheet *wanted* accepts, sheets named in *prefer*
    first) or API JSON as text columns.

    Raises
    ------
    SourceError
        The file cannot be parsed.
    SchemaError
        No sheet of a workbook has the wanted columns, or a CSV or workbook holds a
        header and no data rows.
    """
    if fmt == "json":
        table = pd.DataFrame.from_records(_json_records(path)).astype("string")
    elif fmt == "xlsx":
        table = _read_workbook(path, wanted, prefer)
    else:  # any encoding and separator; quotes never closed stop the file
        table = read_text(path).drop(columns=ROW)
    table = _drop_hxl(table)
    if fmt != "json" and table.empty:  # an API may rightly answer with no records
        msg = (f"'{path.name}' holds a header but no data rows. Give the file with "
               "its rows; an interrupted download or export leaves only the header.")
        raise SchemaError(msg)
    table.columns = [str(column).strip() for column in table.columns]
    table[ROW] = pd.RangeIndex(1, len(table) + 1)
    return table


def _read_workbook(path: Path, wanted: Callable[[list[str]], bool] | None,
                   prefer: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read the first sheet of a workbook whose header *wanted* accepts."""
    try:
        with path.open("rb") as handle:
            sheets = pd.read_excel(handle, sheet_name=None, dtype=str, engine="openpyxl")
    except Exception as err:
        msg = (f"Cannot read '{path.name}' as a spreadsheet: {plain_reason(err)}. It "
               "may be truncated.")
        raise SourceError(msg) from err
    order = [n for n in prefer if n in sheets] + [n for n in sheets if n not in prefer]
    for name in order:
        if wanted is None or wanted([str(c) for c in sheets[name].columns]):
            return sheets[name]
    found = {name: [str(c) for c in table.columns][:6] for name, table in sheets.items()}
    msg = f"No sheet of '{path.name}' has the expected columns; sheets start with {found}."
    raise SchemaError(msg)


def read_columns(path: Path, fmt: str, level: int | None = None) -> list[str]:
    """The column names of a publisher file, reading as little of it as possible."""
    if fmt in {"zip-shapefile", "geojson", "vector"}:
        try:
            target, layer = vector_layer(path, fmt, level)
            fields = pyogrio.read_info(target, layer=layer)["fields"]
        except pyogrio.errors.DataSourceError as err:
            msg = f"Cannot read '{path.name}': {plain_reason(err)}."
            raise SourceError(msg) from err
        return [str(name) for name in fields]
    if fmt == "json":
        records = _json_records(path)
        if not records:
            msg = f"'{path.name}' holds no records: the API answered with an empty list."
            raise SourceError(msg)
        return sorted({key for record in records[:50] for key in record})
    if fmt == "xlsx":  # every sheet's header: the data may not be on the first
        try:
            with path.open("rb") as handle:
                sheets = pd.read_excel(handle, sheet_name=None, nrows=1, dtype=str,
                                       engine="openpyxl")
        except Exception as err:
            msg = f"Cannot read '{path.name}' as a spreadsheet: {plain_reason(err)}."
            raise SourceError(msg) from err
        return list(dict.fromkeys(str(c).strip() for sheet in sheets.values()
                                  for c in sheet.columns))
    return list(sniff_text(path).columns)


def find_column(columns, *candidates: str) -> str | None:
    """The first column whose folded name is one of *candidates* (folded too)."""
    by_key = {squash(column): column for column in columns}
    for candidate in candidates:
        if squash(candidate) in by_key:
            return by_key[squash(candidate)]
    return None


def missing_columns(loader: str, what: str, columns) -> SchemaError:
    """A one-line error for a publisher file whose columns were renamed."""
    shown = ", ".join(f"'{c}'" for c in list(columns)[:12])
    more = f" and {len(columns) - 12} more" if len(columns) > 12 else ""
    msg = (f"The {loader} file lacks {what}; it has [{shown}]{more}. The publisher may "
           "have renamed its columns: give the file with --column mappings instead.")
    return SchemaError(msg)


def text_column(frame: pd.DataFrame, column: str | None) -> pd.Series:
    """A stripped text column (missing when absent or empty)."""
    if column is None or column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    text = frame[column].astype("string").str.strip()
    return text.mask(text.str.lower().isin({"", "nan", "none", "null", "<null>"}))
