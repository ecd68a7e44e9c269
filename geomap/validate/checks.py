"""Check each layer against its schema: good rows go on, bad rows go to rejects."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.actors import ACTOR_ALIASES, ACTORS
from geomap.errors import GeomapWarning, GeometryError, SchemaError, UnknownActorWarning
from geomap.schema import (
    CONFIDENCE,
    DEFAULT_DISPLACEMENT_KIND,
    DISPLACEMENT_KIND_ALIASES,
    DISPLACEMENT_KINDS,
    MAX_PEOPLE_PER_ROW,
    QUALIFIERS,
    ROW,
    SOURCE_KINDS,
)
from geomap.text import fold, some, squash
from geomap.validate.choices import read_choice, read_dated, read_dates
from geomap.validate.conflict import validate_conflict_events
from geomap.validate.events import validate_events
from geomap.validate.geometry import (
    attach_points,
    points_as_columns,
    require_coordinates,
    require_geometry,
    require_location,
)
from geomap.validate.parsing import (
    distinct_text,
    parse_numbers,
    per_distinct,
    read_count,
    text_values,
    with_columns,
)
from geomap.validate.rejects import (
    Rejects,
    rows_among,
)


def normalise_actor(values: pd.Series) -> pd.Series:
    """Map actor names to stable ids ('M23/AFC' -> 'm23'); unknown names are slugged."""
    text = values.astype("string").str.strip()
    lowered = text.str.lower()
    known = {**{key: key for key in ACTORS}, **{label.lower(): key for key, label in
             ((a.id, a.label) for a in ACTORS.values())}, **ACTOR_ALIASES}
    mapped = lowered.map(known)
    slug = lowered.map(lambda value: re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")
                       if isinstance(value, str) else value)
    return mapped.fillna(slug).astype("string")


def require_level(frame: pd.DataFrame, rejects: Rejects) -> pd.DataFrame:
    """Check the optional ``level`` column, the kind of place an ``area`` names.

    Values are words of :data:`~geomap.schema.QUALIFIERS` ('town', 'territory',
    'city', 'province', '2'...); rows with another value are rejected. Returns
    *frame* with ``level`` as text ('' columns and absent ones stay missing).
    """
    if "level" not in frame:  # nothing written: nothing to check, nothing to set
        return frame
    level = text_values(frame, "level")
    known = per_distinct(level, lambda values: values.map(
        lambda v: squash(v) in QUALIFIERS).astype("boolean")).fillna(True)
    rejects.add(frame, ~known.astype(bool), "level",
                "unknown level; expected one of 'province', 'territory', 'city', 'town', "
                "'chefferie', 'secteur' or an admin level 1, 2, 3")
    return frame.assign(level=level)


def validate_displacement(frame: pd.DataFrame, *, decimal: str = ".",
                          people: tuple[pd.Series, pd.Series, pd.Series] | None = None
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check a displacement layer; return the good rows and the rejects table.

    Every check runs on whole columns, on their own types: counts, coordinates and
    dates typed in a Parquet file are checked as numbers and dates, never cast to
    text; text is parsed once per distinct value. Counts written as text are read by
    :func:`~geomap.validate.parsing.read_count` with the file's *decimal* mark
    (``.`` or ``,``). *people*, when given, is :func:`read_people` of *frame*,
    already read.

    Returns
    -------
    (DataFrame, DataFrame)
        Rows with an integer ``people`` >= 0, a parsed ``date`` with its
        ``date_precision`` (``month`` for a ``YYYY-MM`` date), a ``kind`` among
        :data:`~geomap.schema.DISPLACEMENT_KINDS` (``idps`` when the file has none)
        and an area reference or a point in the DRC (``lon``/``lat`` floats, NaN
        for rows placed by their area; point geometry is read into them); and one
        rejects row per problem found.

    Raises
    ------
    SchemaError
        The file has no way to place its records.
    """
    frame, rejects = check_displacement(frame, decimal=decimal, people=people)
    clean, table = _split(frame, rejects)
    return with_columns(clean, {column: text_values(clean, column) for column in (
        "assessment", "origin", "cause", "source", "url", "note")}), table


def check_displacement(frame: pd.DataFrame, *, decimal: str = ".",
                       people: tuple[pd.Series, pd.Series, pd.Series] | None = None
                       ) -> tuple[pd.DataFrame, Rejects]:
    """:func:`validate_displacement`'s checks, every row kept: the rows checked (the
    rejected ones too, as they were read where a check failed) and the rejects.

    A caller that goes on with the good rows alone leaves out those of
    ``rejects.rejected_array()``, without a copy of the rows it keeps.
    """
    rejects = Rejects("displacement")
    people, written, refused = people or read_people(frame, decimal=decimal)
    rejects.add(frame, ~written, "people", "missing count of people")
    rejects.add(frame, refused.notna(), "people", refused)
    date, precision = read_dated(frame, "date", "date_precision", rejects,
                                 required=True)
    kind = read_choice(frame, "kind", DISPLACEMENT_KINDS, rejects,
                       aliases=DISPLACEMENT_KIND_ALIASES,
                       default=DEFAULT_DISPLACEMENT_KIND, what="kind")
    frame = with_columns(frame, {"people": people, "date": date,
                                 "date_precision": precision, "kind": kind})
    frame = require_level(frame, rejects)
    if isinstance(frame, gpd.GeoDataFrame) and not {"lon", "lat"} <= set(frame.columns):
        frame = points_as_columns(frame, rejects, "displacement")
    return require_location(frame, rejects, "displacement", points="columns"), rejects


def _split(frame: pd.DataFrame, rejects: Rejects) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Drop rejected rows from *frame* and return it with the rejects table."""
    bad = rows_among(frame[ROW].to_numpy(), rejects.rejected_array())
    kept = keep_rows(frame, ~bad) if bad.any() else frame.copy(deep=False)  # copy-on-write
    return kept, rejects.table()


def keep_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The rows of *frame* where *keep* holds (``frame.loc[keep]``), each column
    filtered as its own array: pyarrow text is filtered by pyarrow, not taken."""
    if isinstance(frame, gpd.GeoDataFrame) or not frame.columns.is_unique:
        return frame.loc[keep]
    return pd.DataFrame({name: values.array[keep] for name, values in frame.items()},
                        index=frame.index[keep], copy=False)


UNDATED = ("no start and no end date: the record would hold forever; give a start per "
           "row, or one for the whole file with --set control.start=YYYY-MM-DD "
           "([set.control] in geomap.toml)")
"""Why a control record with neither a start nor an end is rejected."""


def validate_control(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check a control layer of dated intervals; return good rows and rejects.

    Unknown actors are kept with a deterministic colour and an
    :class:`UnknownActorWarning`. A record whose end precedes its start is rejected,
    and so is one with neither start nor end (in force forever: geomap does not
    guess when a snapshot such as the IPIS 2015 zones held; ``--set`` says it).
    Records without a confidence are read as 'assessed', with a warning.
    """
    rejects = Rejects("control")
    actor = text_values(frame, "actor")
    rejects.add(frame, actor.isna(), "actor", "missing actor")
    frame = frame.assign(actor=normalise_actor(actor))
    unknown = sorted(set(frame["actor"].dropna()) - set(ACTORS))
    if unknown:
        warnings.warn(f"Control names {len(unknown):,} actor(s) that geomap does not "
                      f"know ({some(unknown)}); "
                      "they get a fixed colour of their own.", UnknownActorWarning,
                      stacklevel=2)
    undated = text_values(frame, "start").isna() & text_values(frame, "end").isna()
    rejects.add(frame, undated, "start", UNDATED)
    for side in ("start", "end"):
        frame[side], frame[f"{side}_precision"] = read_dated(
            frame, side, f"{side}_precision", rejects, required=False)
    backwards = frame["start"].notna() & frame["end"].notna() & (frame["end"] <= frame["start"])
    rejects.add(frame, backwards, "end", "end date is not after the start date")
    confidence = text_values(frame, "confidence").str.lower()
    if confidence.isna().any():
        warnings.warn(f"{int(confidence.isna().sum()):,} control record(s) give no "
                      "confidence; they are read as 'assessed'. Say what they are with "
                      "--set control.confidence=claimed (or assessed, contested).",
                      GeomapWarning, stacklevel=2)
    confidence = confidence.fillna("assessed")
    rejects.add(frame, ~confidence.isin(CONFIDENCE), "confidence",
                f"unknown confidence; expected one of {list(CONFIDENCE)}")
    frame["confidence"] = confidence
    frame = require_level(frame, rejects)
    frame = require_location(frame, rejects, "control")
    for column in ("source", "url", "note", "name"):
        frame[column] = text_values(frame, column)
    return _split(_read_citation(frame, rejects), rejects)


def _read_citation(frame: pd.DataFrame, rejects: Rejects) -> pd.DataFrame:
    """The rubric's columns, when the file has them: ``source_kind`` (a closed
    choice), ``sources_count`` (a whole number >= 0) and ``source_date``."""
    frame = frame.copy()
    if "source_kind" in frame:
        frame["source_kind"] = read_choice(frame, "source_kind", SOURCE_KINDS, rejects,
                                           required=False, what="source kind")
    if "sources_count" in frame:
        text = text_values(frame, "sources_count")
        count = parse_numbers(text)
        bad = text.notna() & ~(count.notna() & (count >= 0) & (count % 1 == 0))
        rejects.add(frame, bad, "sources_count", "expected a whole number >= 0")
        frame["sources_count"] = count.where(~bad).astype("Int64")
    if "source_date" in frame:
        frame["source_date"] = read_dates(frame, "source_date", rejects, required=False)
    return frame


def validate_mines(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check mining sites: points inside the DRC; minerals as 'a;b' lower-case text."""
    rejects = Rejects("mines")
    if isinstance(frame, gpd.GeoDataFrame) and "lon" not in frame:
        frame = require_geometry(frame, rejects, kinds=("Point",))
    elif {"lon", "lat"} <= set(frame.columns):
        inside = require_coordinates(frame, rejects)
        rejects.add(frame, text_values(frame, "lon").isna() & text_values(frame, "lat").isna(), "lon",
                    "no coordinates")
        frame = attach_points(frame, inside)
    else:
        msg = ("The mines file has no geometry and no lon/lat columns; map them with "
               "--column mines.lon=COLUMN --column mines.lat=COLUMN.")
        raise SchemaError(msg)
    frame = frame.copy()
    frame["name"] = text_values(frame, "name")
    rejects.add(frame, frame["name"].isna(), "name", "missing site name")
    minerals = text_values(frame, "minerals").str.lower().str.replace(r"\s*[;,/|]\s*", ";",
                                                                regex=True)
    frame["minerals"] = minerals.fillna("")
    site_id = text_values(frame, "site_id")
    frame["site_id"] = site_id.fillna("row-" + frame[ROW].astype("string"))
    duplicated = frame["site_id"].duplicated(keep="first")
    rejects.add(frame, duplicated, "site_id", "duplicate site_id (first kept)")
    frame["workers"] = pd.to_numeric(text_values(frame, "workers"), errors="coerce").astype("Int64")
    frame["visited"] = read_dates(frame, "visited", rejects, required=False)
    for column in ("armed_presence", "source", "url", "date", "note"):
        frame[column] = text_values(frame, column)
    return _split(frame, rejects)


def validate_admin(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check admin areas: unique P-codes, polygons inside the DRC, levels 1 to 3."""
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = ("The admin file has no geometry: admin areas must be polygons (GeoJSON, "
               "GeoPackage, Shapefile, ...).")
        raise GeometryError(msg)
    rejects = Rejects("admin")
    frame = frame.copy()
    frame["pcode"] = text_values(frame, "pcode").str.upper()
    frame["name"] = text_values(frame, "name")
    rejects.add(frame, frame["pcode"].isna(), "pcode", "missing P-code")
    duplicate = frame["pcode"].notna() & frame["pcode"].duplicated(keep="first")
    rejects.add(frame, duplicate, "pcode", "duplicate P-code (first kept)")
    frame = require_geometry(frame, rejects, kinds=("Polygon", "MultiPolygon"))
    if "level" in frame:
        level = pd.to_numeric(frame["level"], errors="coerce")
    else:
        digits = frame["pcode"].str.extract(r"^[A-Z]{2}(\d+)$")[0].str.len()
        level = (digits // 2).where(digits.notna(), 1)
    frame["level"] = level.fillna(1).astype("int64")
    frame["parent_pcode"] = text_values(frame, "parent_pcode").str.upper()
    for column in ("source", "url", "date"):
        frame[column] = text_values(frame, column)
    return _split(frame, rejects)


def validate_towns(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check towns: unique ids, points inside the DRC."""
    rejects = Rejects("towns")
    if {"lon", "lat"} <= set(frame.columns):
        inside = require_coordinates(frame, rejects)
        frame = attach_points(frame, inside)
    elif isinstance(frame, gpd.GeoDataFrame):
        frame = require_geometry(frame, rejects, kinds=("Point",))
    else:
        msg = "The towns file has no lon/lat columns and no point geometry."
        raise SchemaError(msg)
    frame = frame.copy()
    frame["town_id"] = text_values(frame, "town_id").str.lower()
    duplicate = frame["town_id"].duplicated(keep="first")
    rejects.add(frame, duplicate, "town_id", "duplicate town_id (first kept)")
    rejects.add(frame, frame.geometry.isna(), "geometry", "no location")
    for column in ("name", "pcode", "kind", "territory", "province_pcode", "source",
                   "url", "date"):
        frame[column] = text_values(frame, column)
    frame["pcode"] = frame["pcode"].str.upper()
    return _split(frame, rejects)


VALIDATORS = {
    "admin": validate_admin,
    "towns": validate_towns,
    "mines": validate_mines,
    "control": validate_control,
    "displacement": validate_displacement,
    "events": validate_events,
    "conflict_events": validate_conflict_events,
}


def usable_people(frame: pd.DataFrame, *, decimal: str = "."
                  ) -> tuple[pd.Series, pd.Series]:
    """Return each row's count of people (0 where unusable) and the usable mask.

    A usable count is one :func:`~geomap.validate.parsing.read_count` reads. These
    are the counts that conservation (read = mapped + rejected) adds.
    """
    people, written, refused = read_people(frame, decimal=decimal)
    return people, (written & refused.isna()).astype(bool)


def _coded_people(codes: np.ndarray, uniques: pd.Series, *, decimal: str
                  ) -> tuple[np.ndarray, pd.Categorical]:
    """:func:`~geomap.validate.parsing.coded_counts`, the reasons as a categorical
    (missing where a count is read): a part's few reasons are told apart from its
    rows by their codes, not by testing 430,000 objects for None (about 3 ms)."""
    read = [read_count(str(value), decimal) for value in uniques]
    counts = np.array([count or 0 for count, _ in read] + [0], dtype="int64")
    reasons = {reason: None for _, reason in read if reason is not None}
    number = {reason: code for code, reason in enumerate(reasons)}
    reason_codes = np.array([-1 if reason is None else number[reason]
                             for _, reason in read] + [-1], dtype=np.int64)
    return counts[codes], pd.Categorical.from_codes(
        reason_codes[codes], categories=pd.Index(list(reasons), dtype=object),
        validate=False)


def read_people(frame: pd.DataFrame, *, decimal: str = "."
                ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each row's count of people (0 where none), where one is written, and why a
    written one is refused (missing where it is read).

    A numeric column (a typed Parquet count) is checked as numbers, by the rules of
    :func:`~geomap.validate.parsing.read_count`; text is read by it, once per
    distinct value.
    """
    values = frame.get("people")
    if values is None or not pd.api.types.is_numeric_dtype(values) or \
            pd.api.types.is_bool_dtype(values):
        codes, uniques = distinct_text(frame, "people")
        people, refused = _coded_people(codes, uniques, decimal=decimal)
        index = frame.index
        return (pd.Series(people, index=index, name="people"),
                pd.Series(codes >= 0, index=index, name="people"),
                pd.Series(refused, index=index, name="people"))
    number = values.to_numpy(dtype="float64", na_value=np.nan)
    written = ~np.isnan(number)
    with np.errstate(invalid="ignore"):  # NaN and inf have no remainder
        fraction = number % 1 != 0
    reasons = np.select(
        [~written, ~np.isfinite(number), number < 0, fraction,
         number > MAX_PEOPLE_PER_ROW],
        [None, "count is not a number", "negative count of people",
         "count is not a whole number",
         (f"count above {MAX_PEOPLE_PER_ROW:,}, more than one row can hold: a slip "
          "or an overflow")], default=None).astype(object)
    usable = written & pd.isna(reasons)
    people = np.where(usable, np.nan_to_num(number), 0).astype("int64")
    index = frame.index
    return (pd.Series(people, index=index, name="people"),
            pd.Series(written, index=index), pd.Series(reasons, index=index,
                                                        dtype=object))
