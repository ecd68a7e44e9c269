"""A density raster of displaced people from point records: GeoTIFF and map overlay.

Registration files with coordinates can hold millions of rows; the web map never
draws one marker per row. Instead the people of all point records are counted on a
regular lon/lat grid (0.02 degrees, about 2.2 km, over the Kivu extent by default),
written as a GeoTIFF for GIS users and offered as a small PNG for an image overlay.
Both are deterministic: the same records give the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.join.areas import point_coordinates
from geomap.schema import KIVU_BOUNDS

if TYPE_CHECKING:  # affine (and attrs) are imported by the GeoTIFF's writer and
    from affine import Affine  # count_density, not when the records are summed

CELL_DEGREES = 0.02
"""Side of a density cell in degrees (about 2.2 km at the equator)."""

DENSITY_MIN_PEOPLE = 50
"""Cells with fewer people are left blank in published outputs, so that a cell of
about 2 km cannot single out a household (export publishes aggregates by default)."""

RAMP = ((158, 123, 196), (106, 61, 154), (63, 0, 125))
"""Light to dark purple, the colours of the displacement layer on the map."""


def grid_shape(bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
               cell: float = CELL_DEGREES) -> tuple[int, int]:
    """Rows and columns of the density grid over *bounds*."""
    minx, miny, maxx, maxy = bounds
    return round((maxy - miny) / cell), round((maxx - minx) / cell)


def sum_cells(x: np.ndarray, y: np.ndarray, people: np.ndarray, *,
              bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
              cell: float = CELL_DEGREES, inside: np.ndarray | None = None
              ) -> np.ndarray:
    """People per cell (float64 sums, rows north to south) of points; outside left out.

    Sums of several sets of points add up to the sums of their union, so parts of
    the records can be counted apart and their grids added. *inside*: the points
    to count, already known to lie within *bounds* (all of them inside by default).
    """
    minx, miny, maxx, maxy = bounds
    height, width = grid_shape(bounds, cell)
    if inside is None:
        inside = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    column = np.minimum(((x[inside] - minx) / cell).astype(np.int64), width - 1)
    row = np.minimum(((maxy - y[inside]) / cell).astype(np.int64), height - 1)
    sums = np.bincount(row * width + column, weights=people[inside],
                       minlength=width * height)
    return sums.reshape(height, width)


def finish_density(sums: np.ndarray, *,
                   bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
                   cell: float = CELL_DEGREES, min_people: int = 0
                   ) -> tuple[np.ndarray, tuple[float, ...]]:
    """Whole ``uint32`` counts from :func:`sum_cells`, small cells blanked; and the
    grid transform's six coefficients ``(a, b, c, d, e, f)``, as
    :class:`affine.Affine` takes them.

    The coefficients, not an ``Affine``: the build's summaries keep the grid, but only
    the GeoTIFF's writer (:func:`geomap.export.raster.write_density`) reads its
    transform, in the process that imports rasterio; the building process would
    import affine and attrs for it alone (about 25 ms of CPU).
    """
    minx, _, _, maxy = bounds
    counts = np.rint(sums).astype(np.uint32)
    if min_people > 0:
        counts[counts < min_people] = 0
    return counts, (cell, 0.0, minx, 0.0, -cell, maxy)


def count_density(displacement: gpd.GeoDataFrame, *,
                  bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
                  cell: float = CELL_DEGREES, min_people: int = 0
                  ) -> tuple[np.ndarray, Affine]:
    """Count the people of point records per grid cell.

    Parameters
    ----------
    displacement : DataFrame or GeoDataFrame
        Records with ``people`` and ``lon``/``lat`` columns or Point geometry; only
        records with a point count (records placed by an area reference have none).
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
    from affine import Affine

    x, y, people = _points(displacement)
    counts, transform = finish_density(sum_cells(x, y, people, bounds=bounds, cell=cell),
                                       bounds=bounds, cell=cell, min_people=min_people)
    return counts, Affine(*transform)


def _points(displacement: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and people of the records that have a point."""
    x, y = point_coordinates(displacement)
    point = np.isfinite(x) & np.isfinite(y)
    people = displacement["people"].to_numpy(dtype="float64")[point]
    return x[point], y[point], people


def has_points(displacement: pd.DataFrame) -> bool:
    """True when some record has a point of its own."""
    if "people" not in displacement:
        return False
    x, y = point_coordinates(displacement)
    return bool((np.isfinite(x) & np.isfinite(y)).any())
