"""A density raster of displaced people from point records: GeoTIFF and map overlay.

Registration files with coordinates can hold millions of rows; the web map never
draws one marker per row. Instead the people of all point records are counted on a
regular lon/lat grid (0.02 degrees, about 2.2 km, over the Kivu extent by default),
written as a GeoTIFF for GIS users and offered as a small PNG for an image overlay.
Both are deterministic: the same records give the same bytes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from rasterio.transform import Affine

from geomap.schema import KIVU_BOUNDS

CELL_DEGREES = 0.02
"""Side of a density cell in degrees (about 2.2 km at the equator)."""

DENSITY_MIN_PEOPLE = 50
"""Cells with fewer people are left blank in published outputs, so that a cell of
about 2 km cannot single out a household (export publishes aggregates by default)."""

RAMP = ((158, 123, 196), (106, 61, 154), (63, 0, 125))
"""Light to dark purple, the colours of the displacement layer on the map."""


def count_density(displacement: gpd.GeoDataFrame, *,
                  bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
                  cell: float = CELL_DEGREES, min_people: int = 0
                  ) -> tuple[np.ndarray, Affine]:
    """Count the people of point records per grid cell.

    Parameters
    ----------
    displacement : GeoDataFrame
        Records with ``people`` and geometry; only non-empty Point rows count
        (records placed by an area reference have no point).
    bounds : (minx, miny, maxx, maxy)
        Grid extent in lon/lat; points outside it are left out.
    cell : float
        Cell size in degrees.
    min_people : int
        Cells holding fewer people are set to 0 (0 keeps every count), for
        publishing a grid where a small cell might single out a household.

    Returns
    -------
    (ndarray, Affine)
        ``uint32`` counts, shape (rows, columns), north up; and the grid transform.

    Examples
    --------
    >>> records = gpd.GeoDataFrame({"people": [3, 4]}, geometry=gpd.points_from_xy(
    ...     [29.001, 29.002], [-1.501, -1.502]), crs="EPSG:4326")
    >>> counts, _ = count_density(records)
    >>> int(counts.sum()), int(counts.max())
    (7, 7)
    """
    minx, miny, maxx, maxy = bounds
    width = round((maxx - minx) / cell)
    height = round((maxy - miny) / cell)
    transform = Affine(cell, 0.0, minx, 0.0, -cell, maxy)
    x, y, people = _points(displacement)
    inside = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    column = np.minimum(((x[inside] - minx) / cell).astype(np.int64), width - 1)
    row = np.minimum(((maxy - y[inside]) / cell).astype(np.int64), height - 1)
    sums = np.bincount(row * width + column, weights=people[inside],
                       minlength=width * height)
    counts = np.rint(sums).astype(np.uint32).reshape(height, width)
    if min_people > 0:
        counts[counts < min_people] = 0
    return counts, transform


def _points(displacement: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and people of the non-empty Point rows."""
    geometry = np.asarray(displacement.geometry.array)
    point = (shapely.get_type_id(geometry) == 0) & ~shapely.is_empty(geometry)
    people = displacement["people"].to_numpy(dtype="float64")[point]
    return shapely.get_x(geometry[point]), shapely.get_y(geometry[point]), people


def has_points(displacement: gpd.GeoDataFrame) -> bool:
    """True when some record has a point of its own."""
    geometry = np.asarray(displacement.geometry.array)
    return bool(((shapely.get_type_id(geometry) == 0)
                 & ~shapely.is_empty(geometry)).any())


