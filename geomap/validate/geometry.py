"""Check where records are: lon/lat pairs, geometries, and area-or-place references.

Bad locations go to the rejects table, naming the column at fault; good ones become
point geometry in lon/lat. Used by :mod:`geomap.validate.checks` for every layer.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.errors import CRSError, SchemaError
from geomap.schema import DRC_BOUNDS, ROW, STORAGE_CRS
from geomap.validate.parsing import parse_coordinates, text_values, with_columns
from geomap.validate.rejects import Rejects, rows_among

Bounds = tuple[float, float, float, float]


def require_coordinates(frame: pd.DataFrame, rejects: Rejects,
                        bounds: Bounds = DRC_BOUNDS) -> pd.Series:
    """Return a mask of rows with lon/lat inside *bounds*; reject the others.

    Each reject names the column at fault: ``lat`` when only the latitude is not a
    number, is missing or lies outside *bounds*, ``lon`` for the longitude, one
    reject for each when both are. Rows whose lat/lon fall inside *bounds* only when
    swapped are rejected once, as swapped, under ``lon``. Rows with no coordinates
    at all are left to the caller (they may name an area).

    Parameters
    ----------
    frame : DataFrame
        Raw records with ``lon``, ``lat`` and ``_row`` columns.
    rejects : Rejects
        Receives the rejected rows.
    bounds : tuple, default DRC_BOUNDS
        ``(min lon, min lat, max lon, max lat)``.

    Returns
    -------
    Series of bool
        True where both coordinates are numbers inside *bounds*.

    Raises
    ------
    CRSError
        Every longitude given is beyond 180 degrees: the file is projected.
    """
    return check_coordinates(frame, rejects, bounds, parse_coordinates(frame["lon"]),
                             parse_coordinates(frame["lat"]))


def _given(values: pd.Series, number: pd.Series) -> np.ndarray:
    """Where a coordinate is written: any number, or any text that is not blank.

    *number* is *values* parsed; only values that are no number are looked at as
    text (a typed column never is).
    """
    given = number.notna().to_numpy().copy()
    unread = ~given & values.notna().to_numpy()
    if unread.any() and not pd.api.types.is_numeric_dtype(values):
        text = text_values(values[unread].to_frame("value"), "value")
        given[np.flatnonzero(unread)[text.notna().to_numpy()]] = True
    return given


def check_coordinates(frame: pd.DataFrame, rejects: Rejects, bounds: Bounds,
                      lon: pd.Series, lat: pd.Series) -> pd.Series:
    """:func:`require_coordinates` on lon/lat already parsed as numbers."""
    inside, _ = _check_coordinates(frame, rejects, bounds, lon, lat)
    return pd.Series(inside, index=frame.index)


def _check_coordinates(frame: pd.DataFrame, rejects: Rejects, bounds: Bounds,
                       lon: pd.Series, lat: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`check_coordinates` as arrays: where the point is inside *bounds*, and
    where either coordinate is written.

    Only a row with a coordinate written and no point inside can be refused, so the
    reasons are worked out on those few rows alone, not on every row read."""
    lon_given, lat_given = _given(frame["lon"], lon), _given(frame["lat"], lat)
    x = lon.to_numpy(dtype="float64", na_value=np.nan)
    y = lat.to_numpy(dtype="float64", na_value=np.nan)
    minx, miny, maxx, maxy = bounds
    if not np.isfinite(bounds).all():  # else NaN and inf compare outside already
        x, y = np.where(np.isfinite(x), x, np.nan), np.where(np.isfinite(y), y, np.nan)
    with np.errstate(invalid="ignore"):
        inside = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    given = lon_given | lat_given
    odd = np.flatnonzero(given & ~inside)
    xs = _refuse_coordinates(frame, rejects, bounds, odd, x[odd], y[odd],
                             lon_given[odd], lat_given[odd])
    with np.errstate(invalid="ignore"):
        if given.any() and (np.abs(xs) > 180).all() and not (
                inside.any() and minx >= -180 and maxx <= 180) and (np.abs(np.where(
                    np.isfinite(x), x, np.nan)[given]) > 180).all():
            msg = ("Every lon/lat value is beyond 180 degrees: the coordinates look "
                   "projected. Give lon/lat in degrees (EPSG:4326).")
            raise CRSError(msg)
    return inside, given


def _refuse_coordinates(frame: pd.DataFrame, rejects: Rejects, bounds: Bounds,
                        odd: np.ndarray, x: np.ndarray, y: np.ndarray,
                        lon_given: np.ndarray, lat_given: np.ndarray) -> np.ndarray:
    """Refuse the rows *odd* of *frame* (coordinates *x*, *y*, written or not) that
    are no point inside *bounds*, each for its reasons; return *x*, NaN where not
    finite."""
    with np.errstate(invalid="ignore"):  # inf is no number; NaN compares False
        x = np.where(np.isfinite(x), x, np.nan)
        y = np.where(np.isfinite(y), y, np.nan)
        minx, miny, maxx, maxy = bounds
        lon_in, lat_in = (x >= minx) & (x <= maxx), (y >= miny) & (y <= maxy)
        swapped = (y >= minx) & (y <= maxx) & (x >= miny) & (x <= maxy)

    def refuse(where: np.ndarray, column: str, reason: str) -> None:
        if where.any():
            mask = np.zeros(len(frame), dtype=bool)
            mask[odd[where]] = True
            rejects.add(frame, mask, column, reason)

    for column, written, number, other in (("lon", lon_given, x, "lat"),
                                           ("lat", lat_given, y, "lon")):
        refuse(written & np.isnan(number), column, f"{column} is not a number")
        refuse(~written, column, f"{column} is missing while {other} is given")
    unparsed = np.isnan(x) | np.isnan(y)
    refuse(swapped, "lon", "latitude and longitude look swapped (lat/lon inside the "
           "DRC only when exchanged); write longitude in lon and latitude in lat")
    outside = ~unparsed & ~swapped
    refuse(outside & ~lon_in, "lon", f"longitude outside the DRC extent ({minx} to "
           f"{maxx})")
    refuse(outside & ~lat_in, "lat", f"latitude outside the DRC extent ({miny} to "
           f"{maxy})")
    return x


def attach_points(frame: pd.DataFrame, ok: pd.Series, lon: pd.Series | None = None,
                  lat: pd.Series | None = None) -> gpd.GeoDataFrame:
    """Return *frame* without lon/lat, with point geometry where *ok* holds.

    Rows where *ok* is false get no geometry. *lon* and *lat* are parsed from the
    frame when not given.
    """
    ok = ok.fillna(False).astype(bool).to_numpy()
    lon = (parse_coordinates(frame["lon"]) if lon is None else lon).to_numpy()
    lat = (parse_coordinates(frame["lat"]) if lat is None else lat).to_numpy()
    geometry = np.full(len(frame), None, dtype=object)
    geometry[ok] = shapely.points(lon[ok], lat[ok])
    return gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                            geometry=gpd.GeoSeries(geometry, index=frame.index,
                                                   crs=STORAGE_CRS))


def require_geometry(frame: gpd.GeoDataFrame, rejects: Rejects, *,
                     kinds: tuple[str, ...], bounds: Bounds = DRC_BOUNDS
                     ) -> gpd.GeoDataFrame:
    """Repair invalid geometry, reject null, wrong-type and out-of-DRC features.

    Returns
    -------
    GeoDataFrame
        A copy holding the kept features, repaired ones made valid.
    """
    frame = frame.copy()
    geometry = frame.geometry
    null = geometry.isna() | geometry.is_empty
    rejects.add(frame, null, "geometry", "no geometry")
    unreal = ~null & _non_finite(geometry)
    rejects.add(frame, unreal, "geometry",
                "a coordinate is not a finite number (NaN or infinite)")
    null = null | unreal
    invalid = ~null & ~geometry.is_valid
    if invalid.any():
        reasons = pd.Series(shapely.is_valid_reason(geometry.to_numpy()),
                            index=frame.index)
        rejects.add(frame, invalid, "geometry", "invalid geometry repaired: " + reasons,
                    action="repaired")
        repaired = shapely.make_valid(geometry[invalid].to_numpy())
        frame.loc[invalid, frame.geometry.name] = repaired
    types = frame.geometry.geom_type
    wrong = ~null & ~types.isin(kinds)
    rejects.add(frame, wrong, "geometry",
                "expected " + " or ".join(kinds) + " geometry but got "
                + types.astype(str))
    minx, miny, maxx, maxy = bounds
    box = frame.geometry.bounds
    outside = ~null & ((box.minx < minx) | (box.maxx > maxx)
                       | (box.miny < miny) | (box.maxy > maxy))
    rejects.add(frame, outside & ~wrong, "geometry",
                f"geometry reaches outside the DRC extent {bounds}; check for swapped "
                "lat/lon or a wrong CRS")
    keep = ~(null | wrong | outside)
    return frame.loc[keep]


def _non_finite(geometry: gpd.GeoSeries) -> pd.Series:
    """Where a geometry holds a NaN or infinite coordinate (GEOS fails on those)."""
    coords, index = shapely.get_coordinates(geometry.to_numpy(), include_z=False,
                                            return_index=True)
    bad = np.zeros(len(geometry), dtype=bool)
    bad[index[~np.isfinite(coords).all(axis=1)]] = True
    return pd.Series(bad, index=geometry.index)


def _has_reference(frame: pd.DataFrame) -> bool:
    """Whether *frame* has any way to place its records: area, lon/lat or geometry."""
    return "area" in frame or {"lon", "lat"} <= set(frame.columns) or isinstance(
        frame, gpd.GeoDataFrame)


def points_as_columns(frame: gpd.GeoDataFrame, rejects: Rejects, layer: str
                      ) -> pd.DataFrame:
    """Point geometry as ``lon``/``lat`` columns; reject any other kind of geometry.

    Records placed by a point need only its two numbers: millions of rows then cost
    two float columns, not a shapely object each.
    """
    geometry = np.asarray(frame.geometry.array, dtype=object)
    present = ~(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    point = present & (shapely.get_type_id(geometry) == 0)
    names = {1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
             5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
    kinds = pd.Series(shapely.get_type_id(geometry), index=frame.index).map(names)
    rejects.add(frame, pd.Series(present & ~point, index=frame.index), "geometry",
                f"expected Point geometry ({layer} records are placed by a point or an "
                "area reference) but got " + kinds.fillna("other"))
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    lon[point], lat[point] = shapely.get_x(geometry[point]), shapely.get_y(geometry[point])
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return plain.assign(lon=lon, lat=lat)


def require_location(frame: pd.DataFrame, rejects: Rejects, layer: str, *,
                     points: str = "geometry") -> pd.DataFrame:
    """Check where records are; reject rows with neither area nor place.

    A record is placed by an ``area`` name or P-code, by lon/lat inside the DRC, or
    by its own geometry. A record whose coordinates are bad is not placed by its area
    either: the coordinates show the file is wrong about it.

    Parameters
    ----------
    points : {'geometry', 'columns'}
        'geometry' turns lon/lat into point geometry (a GeoDataFrame); 'columns'
        keeps them as float columns, NaN where a record has no usable point.

    Returns
    -------
    DataFrame or GeoDataFrame
        Every row of *frame* (rejected ones included), with its location and a
        cleaned ``area`` column.

    Raises
    ------
    SchemaError
        The file has no area column, no lon/lat columns and no geometry.
    """
    if not _has_reference(frame):
        found = [column for column in frame.columns if column != ROW]
        msg = (f"The {layer} file has neither an area column nor lon/lat columns nor "
               f"geometry; found {found}. Map one with --column {layer}.area=COLUMN.")
        raise SchemaError(msg)
    area = text_values(frame, "area")
    placed = {}
    if {"lon", "lat"} <= set(frame.columns):
        lon, lat = parse_coordinates(frame["lon"]), parse_coordinates(frame["lat"])
        inside, coords_given = _check_coordinates(frame, rejects, DRC_BOUNDS, lon, lat)
        if points == "columns":  # set with the area, below
            placed = {"lon": pd.Series(np.where(inside, lon.to_numpy(), np.nan),
                                       index=frame.index),
                      "lat": pd.Series(np.where(inside, lat.to_numpy(), np.nan),
                                       index=frame.index)}
        else:
            frame = attach_points(frame, pd.Series(inside, index=frame.index), lon, lat)
        located = inside | (area.notna().to_numpy() & ~(coords_given & ~inside))
    elif isinstance(frame, gpd.GeoDataFrame):
        has_geometry = ~(frame.geometry.isna() | frame.geometry.is_empty)
        checked = require_geometry(frame[has_geometry], rejects,
                                   kinds=("Point", "Polygon", "MultiPolygon"))
        frame = frame.copy()
        dropped = has_geometry & ~frame.index.isin(checked.index)
        frame.loc[dropped, frame.geometry.name] = None
        frame.loc[checked.index, frame.geometry.name] = checked.geometry
        located = pd.Series(frame.index.isin(checked.index) | area.notna(),
                            index=frame.index)
    else:
        located = area.notna()
        if points == "columns":
            frame = frame.assign(lon=np.nan, lat=np.nan)
        else:
            frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(
                [None] * len(frame), index=frame.index, crs=STORAGE_CRS))
    already = rows_among(frame[ROW].to_numpy(), rejects.rejected_array())
    rejects.add(frame, ~np.asarray(located, dtype=bool) & ~already, "area",
                "no area, coordinates or geometry")
    return with_columns(frame, {**placed, "area": area})
