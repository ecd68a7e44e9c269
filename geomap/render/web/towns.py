"""Town markers that can each be clicked, and town names in the order they are placed.

At the map's first zoom, markers a few kilometres apart would cover each other's
centre. :func:`spread_towns` moves such markers apart by a few pixels at that zoom,
the same way every time; the true positions stay in the page's data. The names are
listed in the order of :func:`geomap.render.ranking.rank_labels`; the page places
them in that order and hides a name that would overlap one already placed.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.render.ranking import rank_labels
from geomap.render.style import TOWN_RADIUS

VIEWS = ((1280, 800), (375, 667))
"""Window sizes (pixels) whose first zoom the markers are spread for: a desktop
browser and a phone."""
SPREAD_PX = TOWN_RADIUS + 3
"""Least distance between the centres of two markers: each centre clear of the
other marker's disc and its outline."""
ROUNDS = 60
"""Passes of pushing markers apart; the few crowded groups settle in far fewer."""


def _pixels(lon: np.ndarray, lat: np.ndarray, zoom: int) -> np.ndarray:
    """Web Mercator pixels at *zoom* (256-pixel tiles), as the page's map projects."""
    scale = 256 * 2.0 ** zoom
    phi = np.radians(np.clip(lat, -85.0511, 85.0511))
    x = (lon + 180.0) / 360.0 * scale
    y = (1 - np.log(np.tan(phi) + 1 / np.cos(phi)) / math.pi) / 2 * scale
    return np.column_stack([x, y])


def _degrees(xy: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of Web Mercator pixels at *zoom*."""
    scale = 256 * 2.0 ** zoom
    lon = xy[:, 0] / scale * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(math.pi * (1 - 2 * xy[:, 1] / scale))))
    return lon, lat


def first_zoom(bounds: tuple[float, float, float, float],
               views: tuple[tuple[int, int], ...] = VIEWS) -> int:
    """The lowest zoom the page opens at in *views*, framed on *bounds*.

    Leaflet's ``fitBounds`` takes the largest whole zoom at which *bounds* (lon/lat,
    west, south, east, north) fit the window.

    Examples
    --------
    >>> first_zoom((26.8, -5.02, 30.0, 0.96))
    7
    """
    west, south, east, north = bounds
    corners = _pixels(np.array([west, east]), np.array([north, south]), 0)
    width, height = np.maximum(np.abs(corners[1] - corners[0]), 1e-9)
    zooms = [math.floor(round(math.log2(min(w / width, h / height)) * 100) / 100)
             for w, h in views]
    return max(0, min(18, min(zooms)))


def spread_towns(towns: gpd.GeoDataFrame, fixed: gpd.GeoSeries, *, zoom: int
                 ) -> gpd.GeoDataFrame:
    """Move point markers apart until no centre lies under another marker at *zoom*.

    Parameters
    ----------
    towns : GeoDataFrame
        Point places (lon/lat) drawn as markers, with ``place``.
    fixed : GeoSeries
        Points that stay where they are and that no marker may cover: the middle of
        a city drawn as a shape (Goma, Bukavu).
    zoom : int
        The zoom the markers must be apart at (see :func:`first_zoom`).

    Returns
    -------
    GeoDataFrame
        A copy of *towns* with moved points (5 decimals); a marker far from others
        keeps its point. The same input gives the same points.
    """
    if len(towns) < 2 and not len(fixed):
        return towns.copy()
    order = np.argsort(towns["place"].astype(str).to_numpy(), kind="stable")
    start = _pixels(towns.geometry.x.to_numpy()[order], towns.geometry.y.to_numpy()[order],
                    zoom)
    still = _pixels(fixed.x.to_numpy(), fixed.y.to_numpy(), zoom) if len(fixed) else \
        np.empty((0, 2))
    count = len(start)
    drawn = np.vstack([start, still])  # the markers, then the points that stay
    xy = drawn[:count]  # moved in place, one marker after another
    share = np.where(np.arange(len(drawn)) < count, 0.5, 1.0)  # a marker moves half
    for _ in range(ROUNDS):
        if not _crowded(drawn, count):  # a pass would move nothing
            break
        moved = False
        for i in range(count):
            gaps = xy[i] - drawn  # to every other marker and point, in their order
            far = np.hypot(gaps[:, 0], gaps[:, 1])
            far[i] = np.inf  # not to itself
            near = far < SPREAD_PX - 1e-6
            if not near.any():
                continue
            moved = True
            for gap, dist, part in zip(gaps[near], far[near], share[near], strict=True):
                if dist < 1e-6:  # the same point: step out on a fixed angle
                    angle = 2.4 * (i + 1)
                    gap, dist = np.array([math.cos(angle), math.sin(angle)]), 0.0
                    xy[i] += gap * SPREAD_PX * part
                    continue
                xy[i] += gap / dist * (SPREAD_PX - dist) * part
        if not moved:
            break
    lon, lat = _degrees(xy, zoom)
    spread = towns.copy()
    points = gpd.points_from_xy(np.round(lon, 5), np.round(lat, 5), crs=towns.crs)
    unchanged = np.hypot(*(xy - start).T) < 0.5
    kept = towns.geometry.to_numpy()[order]
    spread.loc[spread.index[order], spread.geometry.name] = np.where(
        unchanged, kept, np.asarray(points))
    return spread


def _crowded(drawn: np.ndarray, count: int) -> bool:
    """Whether a centre of the first *count* points of *drawn* (the markers) may lie
    under another marker or on a point that stays: False only when every one is
    clear by a margin (1e-6 pixel) that the last digits of the arithmetic, worked
    out here all at once and in the pass one by one, cannot cross."""
    gaps = drawn[:count, None, :] - drawn[None, :, :]
    far = np.hypot(gaps[..., 0], gaps[..., 1])
    far[np.arange(count), np.arange(count)] = np.inf
    return bool((far < SPREAD_PX).any())


def town_points(places: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """Which places are named as towns: point places, and cities drawn as shapes.

    Returns
    -------
    (Series of bool, Series of bool)
        For each row of *places*: a point (a marker), and a city area (level 2 or
        below) named at a point inside it.
    """
    points = places.geom_type == "Point"
    kind = places["area_type"] if "area_type" in places else pd.Series(
        None, index=places.index)
    cities = (places["kind"] == "area") & kind.eq("city") & ~points
    return points, cities


def town_labels(joined: gpd.GeoDataFrame, *, changed: set) -> list[dict]:
    """Names of the towns and cities of *joined*, in the order they are placed.

    Parameters
    ----------
    joined : GeoDataFrame
        Places (as drawn) with their summary (``actor``, ``people``, ``mines``).
    changed : set of str
        Places that changed hands, named first.

    Returns
    -------
    list of dict
        ``{"name", "ref", "at": [lat, lon]}`` for each, the first to be placed first.
    """
    points, cities = town_points(joined)
    named = joined.loc[points | cities].copy()
    named = named.loc[named["name"].notna() & named["name"].astype(str).str.strip().ne("")]
    if named.empty:
        return []
    at = named.geometry.representative_point()
    ranks = rank_labels(named, changed=changed).to_numpy()
    rows = zip(ranks.tolist(), named["name"], named["place"], at, strict=True)
    return [{"name": str(name), "ref": str(place),
             "at": [round(float(point.y), 5), round(float(point.x), 5)]}
            for _, name, place, point in sorted(rows, key=lambda row: row[0])]
