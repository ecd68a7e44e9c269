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
from geomap.validate.parsing import parse_coordinates, text_values
from geomap.validate.rejects import Rejects

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


def check_coordinates(frame: pd.DataFrame, rejects: Rejects, bounds: Bounds,
                      lon: pd.Series, lat: pd.Series) -> pd.Series:
    """:func:`require_coordinates` on lon/lat already parsed as numbers."""
    lon, lat = lon.where(np.isfinite(lon)), lat.where(np.isfinite(lat))  # inf: no number
    lon_text, lat_text = text_values(frame, "lon"), text_values(frame, "lat")
    given = lon_text.notna() | lat_text.notna()
    minx, miny, maxx, maxy = bounds
    lon_in, lat_in = lon.between(minx, maxx), lat.between(miny, maxy)
    inside = lon_in & lat_in
    for column, text, number, other in (("lon", lon_text, lon, "lat"),
                                        ("lat", lat_text, lat, "lon")):
        rejects.add(frame, text.notna() & number.isna(), column,
                    f"{column} is not a number")
        rejects.add(frame, given & text.isna(), column,
                    f"{column} is missing while {other} is given")
    unparsed = given & (lon.isna() | lat.isna())
    swapped = lat.between(minx, maxx) & lon.between(miny, maxy) & ~inside
    rejects.add(frame, swapped, "lon",
                "latitude and longitude look swapped (lat/lon inside the DRC only "
                "when exchanged); write longitude in lon and latitude in lat")
    outside = given & ~unparsed & ~swapped & ~inside
    rejects.add(frame, outside & ~lon_in, "lon",
                f"longitude outside the DRC extent ({minx} to {maxx})")
    rejects.add(frame, outside & ~lat_in, "lat",
                f"latitude outside the DRC extent ({miny} to {maxy})")
    if given.any() and (lon[given].abs() > 180).all():
        msg = ("Every lon/lat value is beyond 180 degrees: the coordinates look "
               "projected. Give lon/lat in degrees (EPSG:4326).")
        raise CRSError(msg)
    return inside


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


def require_location(frame: pd.DataFrame, rejects: Rejects, layer: str
                     ) -> gpd.GeoDataFrame:
    """Attach point geometry from lon/lat; reject rows with neither area nor place.

    A record is placed by an ``area`` name or P-code, by lon/lat inside the DRC, or
    by its own geometry. A record whose coordinates are bad is not placed by its area
    either: the coordinates show the file is wrong about it.

    Returns
    -------
    GeoDataFrame
        Every row of *frame* (rejected ones included), with geometry where known and
        a cleaned ``area`` column.

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
    if {"lon", "lat"} <= set(frame.columns):
        lon, lat = parse_coordinates(frame["lon"]), parse_coordinates(frame["lat"])
        inside = check_coordinates(frame, rejects, DRC_BOUNDS, lon, lat)
        coords_given = (text_values(frame, "lon").notna()
                        | text_values(frame, "lat").notna())
        frame = attach_points(frame, inside, lon, lat)
        located = inside | (area.notna() & ~(coords_given & ~inside))
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
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(
            [None] * len(frame), index=frame.index, crs=STORAGE_CRS))
    already = frame[ROW].isin(rejects.rejected_array())
    rejects.add(frame, ~located & ~already, "area", "no area, coordinates or geometry")
    frame["area"] = area
    return frame
