"""Light geometry for the web: coverage-preserving simplification and quantising."""

from __future__ import annotations

import geopandas as gpd
import shapely

WEB_TOLERANCE = {"analyst": 0.002, "article": 0.01}
"""Simplification tolerance in degrees per preset (about 200 m and 1 km)."""
WEB_GRID = {"analyst": 1e-5, "article": 1e-4}
"""Coordinate grid in degrees per preset (about 1 m and 10 m)."""


def simplify_for_web(places: gpd.GeoDataFrame, *, tolerance: float, grid: float
                     ) -> gpd.GeoDataFrame:
    """Return a copy of *places* with lighter polygons and rounded coordinates.

    Admin areas of one level form a coverage: they are simplified together with
    :func:`shapely.coverage_simplify`, so neighbours keep sharing their edges (no gaps,
    no overlaps). Other polygons are simplified one by one, keeping their topology.
    Points are only rounded to *grid*.

    Parameters
    ----------
    places : GeoDataFrame
        Places with ``kind`` and ``level`` columns (see :func:`geomap.join.build_places`).
    tolerance : float
        Simplification tolerance in degrees.
    grid : float
        Coordinates are snapped to multiples of this, in degrees.
    """
    places = places.copy()
    geometry = places.geometry.to_numpy().copy()
    polygonal = shapely.get_type_id(geometry) >= 3  # Polygon, MultiPolygon, ...
    areas = polygonal & (places["kind"] == "area").to_numpy()
    for level in sorted(set(places.loc[areas, "level"])):
        group = areas & (places["level"] == level).to_numpy()
        geometry[group] = shapely.coverage_simplify(geometry[group], tolerance)
    others = polygonal & ~areas
    geometry[others] = shapely.simplify(geometry[others], tolerance,
                                        preserve_topology=True)
    geometry = shapely.set_precision(geometry, grid, mode="pointwise")
    places[places.geometry.name] = geometry
    return places
