"""Turn each publisher's file into a canonical layer, cut to the chosen provinces.

The admin boundary publishers live here (OCHA COD-AB, geoBoundaries, Natural Earth);
IPIS in :mod:`geomap.load.ipis`, IOM DTM in :mod:`geomap.load.surveys`, ACLED in
:mod:`geomap.load.acled`.
Every loader returns raw canonical columns plus ``_row``, ready for
``geomap.validate.checks.VALIDATORS[layer]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geomap.errors import GeomapError
from geomap.load.acled import acled_columns, read_acled
from geomap.load.formats import (
    ReadOptions,
    credit,
    find_column,
    guess_format,
    read_columns,
    read_vector,
    shapefile_members,
    zip_levels,
)
from geomap.load.formats import missing_columns as _missing
from geomap.load.ipis import (
    ipis_columns,
    ipis_places_columns,
    read_ipis,
    read_ipis_places,
)
from geomap.load.surveys import dtm_columns, read_dtm
from geomap.provinces import PROVINCES, describe, keep_mask, province_of
from geomap.schema import ROW
from geomap.sources.registry import SOURCES, Source
from geomap.text import squash

_NULLS = {"<null>", "null", "none", "nan", ""}


def _text(values: pd.Series) -> pd.Series:
    """Strip text; COD-AB's literal '<Null>' and empty strings become missing."""
    text = values.astype("string").str.strip()
    return text.mask(text.str.lower().isin(_NULLS))


def _cut_report(options: ReadOptions, label: str, kept: int, total: int) -> None:
    """Say how much of a file the province cut kept."""
    options.report(f"{label}: kept {kept:,} of {total:,} features in "
                   f"{describe(options.provinces)}")


# OCHA COD-AB ---------------------------------------------------------------------

def cod_ab_columns(columns, level: int | None = None) -> dict[str, str]:
    """Map COD-AB columns of *level* (the deepest present by default), old or new schema.

    Accepts ``adm2_pcode``/``adm2_name`` (the lower-case schema of the COD-AB
    specification, OCHA-DAP/hdx-cod-ab-specification @ad25750 specs/boundaries, used
    by the DRC release of April 2026), ``ADM2_PCODE``/``ADM2_FR`` (2017, 2019) and
    ``admin2Pcode``/``admin2Name_fr`` (older), in any case. ``adm2_name1`` is an
    alternate-LANGUAGE name in the current schema, so it is not read as an alias.

    Raises
    ------
    SchemaError
        No P-code column of the level, or no name column for it.
    """
    columns = list(columns)
    levels = sorted(int(m.group(2)) for c in columns  # shapefiles cut names at 10
                    if (m := re.fullmatch(r"adm(in)?(\d)pcode?", squash(c))))
    if not levels or (level is not None and level not in levels):
        wanted = f"ADM{level}_PCODE" if level else "an ADM<n>_PCODE column"
        error = _missing("COD-AB", f"'{wanted}'", columns)
        raise error
    level = level or levels[-1]
    mapping = {"pcode": _pcode_column(columns, level)}
    name = find_column(columns, *(f"{p}{level}{s}" for p in ("adm", "admin") for s in
                                  ("fr", "namefr", "name", "en", "nameen", "ref")))
    if name is None:
        error = _missing("COD-AB", f"a name column for level {level} ('ADM{level}_FR' "
                         f"or 'adm{level}_name')", columns)
        raise error
    mapping["name"] = name
    for key, candidates in (
            ("alt_name", (f"adm{level}alt1fr", f"admin{level}altname1fr")),
            ("date", ("validon", "valid_on", "date"))):
        found = find_column(columns, *candidates)
        if found is not None:
            mapping[key] = found
    for key, wanted in (("parent_pcode", level - 1), ("province", 1)):
        if (found := _pcode_column(columns, wanted)) is not None:
            mapping[key] = found
    mapping["level"] = str(level)
    mapping["deepest"] = str(levels[-1])
    return mapping


def _pcode_column(columns, level: int) -> str | None:
    """The P-code column of *level*: ADM2_PCODE, admin2Pcode, adm2_pcode, admin2Pcod."""
    for column in columns:
        if re.fullmatch(rf"adm(in)?{level}pcode?", squash(column)):
            return column
    return None


def read_cod_ab(path: Path, options: ReadOptions) -> gpd.GeoDataFrame:
    """Read an OCHA COD-AB file (zipped shapefiles, GeoJSON or geodatabase) as admin areas.

    With no level asked, a file that holds both a province and a territory layer
    (``cod_admin1`` and ``cod_admin2``) gives both: provinces (level 1) and
    territories (level 2), the province rows first; their ``_row`` counts the rows of
    the province layer, then those of the territory layer. Otherwise one level is read.
    ``ADM<n>ALT1FR`` becomes ``alt_name`` (its literal '<Null>' is missing): CD6107,
    published as 'Oicha' in 2017, keeps that name with ``alt_name`` 'Beni'.
    """
    if options.level is None and options.fmt == "zip-shapefile" and {1, 2} <= set(
            zip_levels(path)):
        provinces = _read_cod_ab_level(path, replace(options, level=1))
        territories = _read_cod_ab_level(path, replace(options, level=2))
        territories[ROW] = territories[ROW] + int(provinces.attrs["rows"])
        return pd.concat([provinces, territories], ignore_index=True)
    return _read_cod_ab_level(path, options)


def _read_cod_ab_level(path: Path, options: ReadOptions) -> gpd.GeoDataFrame:
    """Read one level of a COD-AB file, cut to the chosen provinces."""
    mapping = cod_ab_columns(read_columns(path, options.fmt, options.level),
                             options.level)
    level = int(mapping["level"])
    raw = read_vector(path, options.fmt, options.level)
    rows = len(raw)
    if level < int(mapping["deepest"]):  # provinces from a file of territories
        raw = raw.dissolve(by=mapping["pcode"], as_index=False, aggfunc="first",
                           sort=True)
        raw[ROW] = pd.RangeIndex(1, len(raw) + 1)
    source, licence = credit(options, "cod-ab", options.level)
    admin = gpd.GeoDataFrame({
        "pcode": _text(raw[mapping["pcode"]]).str.upper(),
        "name": _text(raw[mapping["name"]]),
        "alt_name": _text(raw[mapping["alt_name"]]) if "alt_name" in mapping else pd.NA,
        "level": level,
        "parent_pcode": (_text(raw[mapping["parent_pcode"]]).str.upper()
                         if "parent_pcode" in mapping else pd.NA),
        "source": source, "url": options.url or path.name, "license": licence,
        "date": _iso_dates(raw[mapping["date"]]) if "date" in mapping else pd.NA,
        ROW: raw[ROW],
    }, geometry=raw.geometry, crs=raw.crs)
    province = (admin["pcode"] if level == 1 else
                _text(raw[mapping["province"]]).str.upper() if "province" in mapping
                else admin["pcode"].str.slice(0, 4))
    keep = keep_mask(province_of(province), options.provinces)
    _cut_report(options, f"COD-AB level {level}", sum(keep), len(admin))
    admin = admin.loc[keep]
    admin.attrs["rows"] = rows
    return admin


def _iso_dates(values: pd.Series) -> pd.Series:
    """Dates as YYYY-MM-DD text (shapefile dates come back as timestamps)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").astype("string")
    return _text(values).str.slice(0, 10)


# geoBoundaries ---------------------------------------------------------------------

def geoboundaries_columns(columns) -> dict[str, str]:
    """Map geoBoundaries' ``shapeName``, ``shapeISO``, ``shapeID`` (and ``shapeType``)."""
    mapping = {key: find_column(columns, raw) for key, raw in
               (("name", "shapeName"), ("iso", "shapeISO"), ("id", "shapeID"),
                ("type", "shapeType"))}
    if mapping["name"] is None or mapping["id"] is None:
        error = _missing("geoBoundaries", "'shapeName' and 'shapeID'", list(columns))
        raise error
    return {key: value for key, value in mapping.items() if value is not None}


def _shape_level(raw: pd.DataFrame, mapping: dict[str, str]) -> int | None:
    """The geoBoundaries level of the file, from shapeType ('ADM2' -> 2)."""
    if "type" in mapping:
        found = _text(raw[mapping["type"]]).dropna().str.extract(r"(\d)")[0]
        if len(found.dropna()):
            return int(found.dropna().iloc[0])
    return None


def _level_of(shape_level: int | None, given: int | None) -> int:
    """The admin level: as registered, else from shapeType, else 1.

    geoBoundaries' COD ADM3 is not a level below ADM2 but a second, older layer of
    territories (188 units, 'Territoire', RGC 2010: releaseData/gbOpen/COD/ADM3/
    geoBoundaries-COD-ADM3-metaData.json @d3f41dd), so it is read as level 2.
    """
    if given is not None:
        return given
    return 2 if shape_level == 3 else shape_level or 1


def _provinces_from(raw: pd.DataFrame, mapping: dict[str, str]) -> pd.Series:
    """OCHA P-codes of geoBoundaries ADM1 features, by shapeISO then shapeName."""
    by_iso = pd.Series(province_of(raw[mapping["iso"]]) if "iso" in mapping else
                       [None] * len(raw), index=raw.index, dtype="object")
    by_name = pd.Series(province_of(raw[mapping["name"]]), index=raw.index, dtype="object")
    return by_iso.fillna(by_name)


def read_geoboundaries(path: Path, options: ReadOptions) -> gpd.GeoDataFrame:
    """Read a geoBoundaries GeoJSON as admin areas.

    ADM1 provinces get their OCHA P-code (found by ISO code or name). Deeper levels
    keep ``shapeISO`` (or ``shapeID`` when it is empty) as P-code and get their province
    from the ADM1 file (``options.companions``) by a point inside each polygon;
    without it the province extents are used.
    """
    raw = read_vector(path, options.fmt)
    mapping = geoboundaries_columns(raw.columns)
    shape_level = _shape_level(raw, mapping)
    level = _level_of(shape_level, options.level)
    source, licence = credit(options, "geoboundaries", level)
    same_level = SOURCES.get(f"geoboundaries:adm{shape_level or level}")
    if same_level is not None and not options.license:  # a file given by path
        source, licence = same_level.attribution, same_level.license
    shape_id = _text(raw[mapping["id"]])
    iso = (_text(raw[mapping["iso"]]) if "iso" in mapping else
           pd.Series(pd.NA, index=raw.index, dtype="string"))
    if level == 1:
        province = _provinces_from(raw, mapping)
        pcode = province.fillna(iso).fillna(shape_id)
        parent = pd.Series("CD", index=raw.index, dtype="object")
    else:
        own = iso.where(~iso.duplicated(keep=False))
        pcode = own.fillna(shape_id)
        province = _locate(raw.geometry, options.companions)
        parent = province
    admin = gpd.GeoDataFrame({
        "pcode": pcode.astype("string"), "name": _text(raw[mapping["name"]]),
        "level": level, "parent_pcode": parent.astype("string"),
        "source": source, "url": options.url or path.name, "license": licence,
        "date": pd.NA, ROW: raw[ROW],
    }, geometry=raw.geometry, crs=raw.crs)
    keep = keep_mask(province.astype("object").where(province.notna(), None),
                     options.provinces)
    _cut_report(options, "geoBoundaries", sum(keep), len(admin))
    return admin.loc[keep]


def _locate(geometry: gpd.GeoSeries, companions: tuple[Path, ...]) -> pd.Series:
    """The province P-code holding a point of each polygon: from the ADM1 file when
    given, else (or when in no ADM1 polygon) from the provinces' extents."""
    points = geometry.representative_point()
    result = pd.Series(None, index=geometry.index, dtype="object")
    for companion in companions:
        provinces = read_vector(companion, "geojson")
        codes = _provinces_from(provinces, geoboundaries_columns(provinces.columns))
        for code, polygon in zip(codes, provinces.geometry, strict=True):
            if code is not None:
                result = result.mask(result.isna() & points.within(polygon), code)
    for code, province in PROVINCES.items():
        minx, miny, maxx, maxy = province.bounds
        inside = points.x.between(minx, maxx) & points.y.between(miny, maxy)
        result = result.mask(result.isna() & inside, code)
    return result.fillna("outside")


# Natural Earth ---------------------------------------------------------------------

def natural_earth_columns(columns) -> dict[str, str]:
    """Map Natural Earth admin-1 columns (``iso_3166_2``, ``name``, ``adm0_a3``)."""
    mapping = {key: find_column(columns, raw) for key, raw in
               (("iso", "iso_3166_2"), ("name", "name"), ("country", "adm0_a3"))}
    if mapping["iso"] is None or mapping["name"] is None:
        error = _missing("Natural Earth", "'iso_3166_2' and 'name'", list(columns))
        raise error
    return {key: value for key, value in mapping.items() if value is not None}


def read_natural_earth(path: Path, options: ReadOptions) -> gpd.GeoDataFrame:
    """Read Natural Earth admin-1 (world or DRC only) as DRC provinces.

    Natural Earth has no P-codes: provinces unchanged since 2015 (Nord-Kivu, Sud-Kivu,
    Maniema) get their OCHA P-code from the ISO code, others keep the ISO code; the ISO
    code stays in ``iso_3166_2``.
    """
    mapping = natural_earth_columns(read_columns(path, options.fmt))
    where = f"{mapping['country']} = 'COD'" if "country" in mapping else None
    raw = read_vector(path, options.fmt, where=where)
    iso = _text(raw[mapping["iso"]]).str.upper()
    ocha = {p.iso: p.pcode for p in PROVINCES.values() if p.iso in {"CD-NK", "CD-SK",
                                                                     "CD-MA"}}
    pcode = iso.map(ocha).fillna(iso)
    source, licence = credit(options, "natural-earth")
    admin = gpd.GeoDataFrame({
        "pcode": pcode.astype("string"), "name": _text(raw[mapping["name"]]),
        "iso_3166_2": iso, "level": 1, "parent_pcode": "CD", "source": source,
        "license": licence, "url": options.url or path.name,
        "date": pd.NA, ROW: raw[ROW],
    }, geometry=raw.geometry, crs=raw.crs)
    keep = keep_mask(province_of(iso), options.provinces)
    _cut_report(options, "Natural Earth", sum(keep), len(admin))
    return admin.loc[keep]


# Dispatch ---------------------------------------------------------------------------

LOADERS: dict[str, tuple[str, Callable, Callable]] = {
    "cod-ab": ("admin", read_cod_ab, cod_ab_columns),
    "geoboundaries": ("admin", read_geoboundaries, geoboundaries_columns),
    "natural-earth": ("admin", read_natural_earth, natural_earth_columns),
    "ipis": ("mines", read_ipis, ipis_columns),
    "ipis-places": ("mines", read_ipis_places, ipis_places_columns),
    "dtm": ("displacement", read_dtm, dtm_columns),
    "acled": ("conflict_events", read_acled, acled_columns),
}
"""Loader name -> (layer, read function, column check)."""


def read_publisher(loader: str, path: str | Path, options: ReadOptions) -> pd.DataFrame:
    """Read *path* with the named publisher loader; see :data:`LOADERS`.

    Returns
    -------
    DataFrame or GeoDataFrame
        Canonical raw columns plus ``_row``, only rows in ``options.provinces``.

    Raises
    ------
    SourceError, SchemaError, CRSError
        The file cannot be read or its columns are not the publisher's.
    """
    return LOADERS[loader][1](Path(path), options)


def check_source_file(path: Path, source: Source) -> None:
    """Raise SchemaError if a source's file lacks its publisher's columns."""
    check_publisher(source.loader, path, source.format, source.level)


def check_publisher(loader: str, path: Path, fmt: str, level: int | None = None) -> None:
    """Raise SchemaError if *path* lacks the columns its publisher's loader needs."""
    columns = read_columns(path, fmt, level)
    check = LOADERS[loader][2]
    if loader == "cod-ab":
        check(columns, level)
    else:
        check(columns)


_SIGNATURES = (  # most specific first: DTM tables also carry admin1Pcode/admin2Pcode
    ("dtm", lambda keys: "numpresentidpind" in keys or {"admin1label",
                                                         "admin2label"} <= keys),
    ("acled", lambda keys: {"eventidcnty", "eventdate"} <= keys),
    ("ipis", lambda keys: {"vid", "visitdate"} <= keys),
    ("ipis-places", lambda keys: keys == {"name", "kind", "longitude", "latitude"}),
    ("geoboundaries", lambda keys: {"shapeid", "shapename"} <= keys),
    ("natural-earth", lambda keys: {"iso31662", "adm0a3"} <= keys and "pcode" not in keys),
    ("cod-ab", lambda keys: any(re.fullmatch(r"adm(in)?\dpcode?", k) for k in keys)),
)


def detect_loader(path: str | Path) -> tuple[str, str] | None:
    """Recognise a publisher's file by its columns: (loader, format) or None.

    Files in geomap's own canonical shape (``pcode``, ``area``, ``site_id``...) are
    not publisher files and give None, so they load as before.
    """
    path = Path(path)
    if not path.is_file():
        return None
    fmt = guess_format(path)
    if fmt == "zip-shapefile" and not shapefile_members(path):
        return None
    try:
        keys = {squash(column) for column in read_columns(path, fmt)}
    except (GeomapError, OSError, ValueError):  # leave the error to the normal reader
        return None
    for loader, matches in _SIGNATURES:
        if matches(keys):
            return loader, fmt
    return None

