"""Check each layer against its schema: good rows go on, bad rows go to rejects."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .dates import parse_dates
from .errors import GeometryError, SchemaError, UnknownActorWarning
from .load import ROW, squash
from .parsing import parse_numbers, per_distinct
from .schema import ACTOR_ALIASES, ACTORS, CONFIDENCE, DRC_BOUNDS, STORAGE_CRS

REJECT_COLUMNS = ("layer", "row", "column", "value", "action", "reason")


class Rejects:
    """Collects rejected (or repaired) rows of one layer as a table."""

    def __init__(self, layer: str) -> None:
        self.layer = layer
        self._parts: list[pd.DataFrame] = []

    def add(self, frame: pd.DataFrame, mask: pd.Series, column: str,
            reason: str | pd.Series, *, action: str = "rejected") -> None:
        """Record every row of *frame* where *mask* holds, with one reason."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        hits = frame.loc[mask]
        values = hits[column] if column in hits else pd.Series("", index=hits.index)
        part = pd.DataFrame({
            "layer": self.layer,
            "row": hits[ROW].to_numpy(),
            "column": column,
            "value": values.astype("string").fillna("").str.slice(0, 200).to_numpy(),
            "action": action,
            "reason": reason[mask].to_numpy() if isinstance(reason, pd.Series) else reason,
        })
        self._parts.append(part)

    def table(self) -> pd.DataFrame:
        """Return every recorded row, in row order."""
        if not self._parts:
            return pd.DataFrame({name: pd.Series(dtype="object") for name in REJECT_COLUMNS})
        table = pd.concat(self._parts, ignore_index=True)
        return table.sort_values(["row", "column"], kind="stable", ignore_index=True)

    def rejected_rows(self) -> set[int]:
        """Row numbers that were rejected (repairs not counted)."""
        return set(self.rejected_array().tolist())

    def rejected_array(self) -> np.ndarray:
        """Row numbers that were rejected, as a sorted array without repeats."""
        rows = [part.loc[part["action"] == "rejected", "row"].to_numpy(dtype="int64")
                for part in self._parts]
        return np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype="int64")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a stripped string column, empty strings as missing."""
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    text = frame[column].astype("string").str.strip()
    empty = text == ""
    return text.mask(empty) if empty.any() else text


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as plain float64 (NaN for anything that is not a number)."""
    return parse_numbers(frame[column])


def require_coordinates(frame: pd.DataFrame, rejects: Rejects,
                        bounds: tuple[float, float, float, float] = DRC_BOUNDS
                        ) -> pd.Series:
    """Return a mask of rows with lon/lat inside *bounds*; reject the others.

    Rows whose lat/lon fall inside *bounds* only when swapped are rejected as swapped.
    Rows with no coordinates at all are left to the caller (they may name an area).
    """
    return _check_coordinates(frame, rejects, bounds, _number(frame, "lon"),
                              _number(frame, "lat"))


def _check_coordinates(frame: pd.DataFrame, rejects: Rejects,
                       bounds: tuple[float, float, float, float], lon: pd.Series,
                       lat: pd.Series) -> pd.Series:
    """:func:`require_coordinates` on lon/lat already parsed."""
    given = _text(frame, "lon").notna() | _text(frame, "lat").notna()
    minx, miny, maxx, maxy = bounds
    inside = lon.between(minx, maxx) & lat.between(miny, maxy)
    swapped = lat.between(minx, maxx) & lon.between(miny, maxy) & ~inside
    unparsed = given & (lon.isna() | lat.isna())
    rejects.add(frame, unparsed, "lon", "coordinates are not numbers")
    rejects.add(frame, swapped, "lon",
                "latitude and longitude look swapped (lat/lon inside the DRC only "
                "when exchanged); write longitude in lon and latitude in lat")
    rejects.add(frame, given & ~unparsed & ~swapped & ~inside, "lon",
                f"coordinates outside the DRC extent {bounds}")
    if given.any() and (lon[given].abs() > 180).all():
        from .errors import CRSError

        msg = ("Every lon/lat value is beyond 180 degrees: the coordinates look "
               "projected. Give lon/lat in degrees (EPSG:4326).")
        raise CRSError(msg)
    return inside


def _points(frame: pd.DataFrame, ok: pd.Series, lon: pd.Series | None = None,
            lat: pd.Series | None = None) -> gpd.GeoDataFrame:
    """Attach point geometry from lon/lat where *ok* holds (none elsewhere)."""
    ok = ok.fillna(False).astype(bool).to_numpy()
    lon = (_number(frame, "lon") if lon is None else lon).to_numpy()
    lat = (_number(frame, "lat") if lat is None else lat).to_numpy()
    geometry = np.full(len(frame), None, dtype=object)
    geometry[ok] = shapely.points(lon[ok], lat[ok])
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                            geometry=gpd.GeoSeries(geometry, index=frame.index,
                                                   crs=STORAGE_CRS))


def require_geometry(frame: gpd.GeoDataFrame, rejects: Rejects, *,
                     kinds: tuple[str, ...],
                     bounds: tuple[float, float, float, float] = DRC_BOUNDS
                     ) -> gpd.GeoDataFrame:
    """Repair invalid geometry, reject null, wrong-type and out-of-DRC features."""
    frame = frame.copy()
    geometry = frame.geometry
    null = geometry.isna() | geometry.is_empty
    rejects.add(frame, null, "geometry", "no geometry")
    invalid = ~null & ~geometry.is_valid
    if invalid.any():
        reasons = pd.Series(shapely.is_valid_reason(geometry.to_numpy()), index=frame.index)
        rejects.add(frame, invalid, "geometry", "invalid geometry repaired: " + reasons,
                    action="repaired")
        repaired = shapely.make_valid(geometry[invalid].to_numpy())
        frame.loc[invalid, frame.geometry.name] = repaired
    types = frame.geometry.geom_type
    wrong = ~null & ~types.isin(kinds)
    rejects.add(frame, wrong, "geometry",
                "expected " + " or ".join(kinds) + " geometry but got " + types.astype(str))
    minx, miny, maxx, maxy = bounds
    box = frame.geometry.bounds
    outside = ~null & ((box.minx < minx) | (box.maxx > maxx)
                       | (box.miny < miny) | (box.maxy > maxy))
    rejects.add(frame, outside & ~wrong, "geometry",
                f"geometry reaches outside the DRC extent {bounds}; check for swapped "
                "lat/lon or a wrong CRS")
    keep = ~(null | wrong | outside)
    return frame.loc[keep]


def _dates(frame: pd.DataFrame, column: str, rejects: Rejects, *,
           required: bool) -> pd.Series:
    """Parse a date column, rejecting unparseable (and, if required, empty) values."""
    text = _text(frame, column)
    parsed = per_distinct(text, parse_dates)
    rejects.add(frame, text.notna() & parsed.isna(), column,
                "unparseable date; expected YYYY-MM-DD, YYYY-MM or YYYY")
    if required:
        rejects.add(frame, text.isna(), column, "missing date")
    return parsed


def normalise_actor(values: pd.Series) -> pd.Series:
    """Map actor names to stable ids ('M23/AFC' -> 'm23'); unknown names are slugged."""
    text = values.astype("string").str.strip()
    lowered = text.str.lower()
    known = {**{key: key for key in ACTORS}, **{label.lower(): key for key, label in
             ((a.id, a.label) for a in ACTORS.values())}, **ACTOR_ALIASES}
    mapped = lowered.map(known)
    slug = lowered.map(lambda value: re.sub(r"[^a-z0-9]+", "-", squash_keep(value)).strip("-")
                       if isinstance(value, str) else value)
    return mapped.fillna(slug).astype("string")


def squash_keep(text: str) -> str:
    """Strip accents but keep separators, lower-cased."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.lower()


def _has_reference(frame: pd.DataFrame) -> bool:
    return "area" in frame or {"lon", "lat"} <= set(frame.columns) or isinstance(
        frame, gpd.GeoDataFrame)


def _located(frame: pd.DataFrame, rejects: Rejects, layer: str) -> pd.DataFrame:
    """Attach point geometry from lon/lat and reject rows with neither area nor place."""
    if not _has_reference(frame):
        msg = (f"The {layer} file has neither an area column nor lon/lat columns nor "
               f"geometry; found {list(c for c in frame.columns if c != ROW)}. Map one "
               f"with --column {layer}.area=COLUMN.")
        raise SchemaError(msg)
    area = _text(frame, "area")
    if {"lon", "lat"} <= set(frame.columns):
        lon, lat = _number(frame, "lon"), _number(frame, "lat")
        inside = _check_coordinates(frame, rejects, DRC_BOUNDS, lon, lat)
        coords_given = _text(frame, "lon").notna() | _text(frame, "lat").notna()
        frame = _points(frame, inside, lon, lat)
        bad_coords = coords_given & ~inside
        located = inside | (area.notna() & ~bad_coords)
    elif isinstance(frame, gpd.GeoDataFrame):
        has_geometry = ~(frame.geometry.isna() | frame.geometry.is_empty)
        checked = require_geometry(frame[has_geometry], rejects,
                                   kinds=("Point", "Polygon", "MultiPolygon"))
        frame = frame.copy()
        frame.loc[has_geometry & ~frame.index.isin(checked.index), frame.geometry.name] = None
        frame.loc[checked.index, frame.geometry.name] = checked.geometry
        located = frame.index.isin(checked.index) | area.notna()
        located = pd.Series(located, index=frame.index)
    else:
        located = area.notna()
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame),
                                 index=frame.index, crs=STORAGE_CRS))
    already = frame[ROW].isin(rejects.rejected_array())
    rejects.add(frame, ~located & ~already, "area", "no area, coordinates or geometry")
    frame["area"] = area
    return frame


def validate_displacement(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check a displacement layer; return the good rows and the rejects table.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        Rows with an integer ``people`` >= 0, a parsed ``date`` and an area reference
        or a point in the DRC; and one rejects row per problem found.

    Raises
    ------
    SchemaError
        The file has no way to place its records.
    """
    rejects = Rejects("displacement")
    text = _text(frame, "people")
    number = _counts(text)
    people, usable = _usable(number)
    rejects.add(frame, text.isna(), "people", "missing count of people")
    rejects.add(frame, text.notna() & number.isna(), "people", "count is not a number")
    rejects.add(frame, number < 0, "people", "negative count of people")
    rejects.add(frame, (number >= 0) & ~usable, "people", "count is not a whole number")
    frame = frame.assign(people=people)
    frame["date"] = _dates(frame, "date", rejects, required=True)
    frame = _located(frame, rejects, "displacement")
    clean, table = _split(frame, rejects)
    for column in ("assessment", "origin", "cause", "source", "url", "note"):
        clean[column] = _text(clean, column)
    return clean, table


def _split(frame: pd.DataFrame, rejects: Rejects) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Drop rejected rows from *frame* and return it with the rejects table."""
    bad = frame[ROW].isin(rejects.rejected_array())
    return frame.loc[~bad].copy(), rejects.table()


def validate_control(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check a control layer of dated intervals; return good rows and rejects.

    Unknown actors are kept with a deterministic colour and an
    :class:`UnknownActorWarning`. A record whose end precedes its start is rejected.
    """
    rejects = Rejects("control")
    actor = _text(frame, "actor")
    rejects.add(frame, actor.isna(), "actor", "missing actor")
    frame = frame.assign(actor=normalise_actor(actor))
    unknown = sorted(set(frame["actor"].dropna()) - set(ACTORS))
    if unknown:
        warnings.warn(f"Control names actor(s) {unknown} that geomap does not know; "
                      "they get a fixed colour of their own.", UnknownActorWarning,
                      stacklevel=2)
    frame["start"] = _dates(frame, "start", rejects, required=False)
    frame["end"] = _dates(frame, "end", rejects, required=False)
    backwards = frame["start"].notna() & frame["end"].notna() & (frame["end"] <= frame["start"])
    rejects.add(frame, backwards, "end", "end date is not after the start date")
    confidence = _text(frame, "confidence").str.lower().fillna("assessed")
    rejects.add(frame, ~confidence.isin(CONFIDENCE), "confidence",
                f"unknown confidence; expected one of {list(CONFIDENCE)}")
    frame["confidence"] = confidence
    frame = _located(frame, rejects, "control")
    for column in ("source", "url", "note", "name"):
        frame[column] = _text(frame, column)
    return _split(frame, rejects)


def validate_mines(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check mining sites: points inside the DRC; minerals as 'a;b' lower-case text."""
    rejects = Rejects("mines")
    if isinstance(frame, gpd.GeoDataFrame) and "lon" not in frame:
        frame = require_geometry(frame, rejects, kinds=("Point",))
    elif {"lon", "lat"} <= set(frame.columns):
        inside = require_coordinates(frame, rejects)
        rejects.add(frame, _text(frame, "lon").isna() & _text(frame, "lat").isna(), "lon",
                    "no coordinates")
        frame = _points(frame, inside)
    else:
        msg = ("The mines file has no geometry and no lon/lat columns; map them with "
               "--column mines.lon=COLUMN --column mines.lat=COLUMN.")
        raise SchemaError(msg)
    frame = frame.copy()
    frame["name"] = _text(frame, "name")
    rejects.add(frame, frame["name"].isna(), "name", "missing site name")
    minerals = _text(frame, "minerals").str.lower().str.replace(r"\s*[;,/|]\s*", ";",
                                                                regex=True)
    frame["minerals"] = minerals.fillna("")
    site_id = _text(frame, "site_id")
    frame["site_id"] = site_id.fillna("row-" + frame[ROW].astype("string"))
    duplicated = frame["site_id"].duplicated(keep="first")
    rejects.add(frame, duplicated, "site_id", "duplicate site_id (first kept)")
    frame["workers"] = pd.to_numeric(_text(frame, "workers"), errors="coerce").astype("Int64")
    frame["visited"] = _dates(frame, "visited", rejects, required=False)
    for column in ("armed_presence", "source", "url", "date", "note"):
        frame[column] = _text(frame, column)
    return _split(frame, rejects)


def validate_admin(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check admin areas: unique P-codes, polygons inside the DRC, levels 1 to 3."""
    if not isinstance(frame, gpd.GeoDataFrame):
        msg = ("The admin file has no geometry: admin areas must be polygons (GeoJSON, "
               "GeoPackage, Shapefile, ...).")
        raise GeometryError(msg)
    rejects = Rejects("admin")
    frame = frame.copy()
    frame["pcode"] = _text(frame, "pcode").str.upper()
    frame["name"] = _text(frame, "name")
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
    frame["parent_pcode"] = _text(frame, "parent_pcode").str.upper()
    for column in ("source", "url", "date"):
        frame[column] = _text(frame, column)
    return _split(frame, rejects)


def validate_towns(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Check towns: unique ids, points inside the DRC."""
    rejects = Rejects("towns")
    if {"lon", "lat"} <= set(frame.columns):
        inside = require_coordinates(frame, rejects)
        frame = _points(frame, inside)
    elif isinstance(frame, gpd.GeoDataFrame):
        frame = require_geometry(frame, rejects, kinds=("Point",))
    else:
        msg = "The towns file has no lon/lat columns and no point geometry."
        raise SchemaError(msg)
    frame = frame.copy()
    frame["town_id"] = _text(frame, "town_id").str.lower()
    duplicate = frame["town_id"].duplicated(keep="first")
    rejects.add(frame, duplicate, "town_id", "duplicate town_id (first kept)")
    rejects.add(frame, frame.geometry.isna(), "geometry", "no location")
    for column in ("name", "pcode", "kind", "territory", "province_pcode", "source",
                   "url", "date"):
        frame[column] = _text(frame, column)
    frame["pcode"] = frame["pcode"].str.upper()
    return _split(frame, rejects)


VALIDATORS = {
    "admin": validate_admin,
    "towns": validate_towns,
    "mines": validate_mines,
    "control": validate_control,
    "displacement": validate_displacement,
}


def usable_people(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return each row's count of people (0 where unusable) and the usable mask.

    A usable count is a whole number >= 0, written with or without thousands
    separators. These are the counts that conservation (read = mapped + rejected) adds.
    """
    return _usable(_counts(_text(frame, "people")))


def _counts(text: pd.Series) -> pd.Series:
    """Numbers written in *text* (spaces, commas, underscores as separators), NaN else.

    Parsed once per distinct value: registrations repeat a few household sizes.
    """
    return per_distinct(text, lambda values: parse_numbers(
        values.str.replace(r"[\s,_]", "", regex=True)))


def _usable(number: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers >= 0 from :func:`_counts` (0 elsewhere), and where they are."""
    usable = number.notna() & (number >= 0) & (number % 1 == 0)
    return number.where(usable, 0).astype("int64"), usable.astype(bool)
