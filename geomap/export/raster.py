"""Write the density GeoTIFF: people per cell, deterministic bytes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
from rasterio.transform import Affine

from geomap.schema import KIVU_BOUNDS, STORAGE_CRS
from geomap.summarise.density import CELL_DEGREES, count_density, has_points


def write_density(displacement: gpd.GeoDataFrame | None, path: str | Path, *,
                  bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
                  cell: float = CELL_DEGREES, min_people: int = 0,
                  grid: tuple[np.ndarray, Affine | tuple] | None = None
                  ) -> Path | None:
    """Write the people-per-cell GeoTIFF; write nothing when no record has a point.

    *grid*, the result of :func:`count_density` (or of
    :func:`~geomap.summarise.density.finish_density`: the transform as its six
    coefficients) when the caller has it already, saves counting the records again
    (*displacement* is not read then: it may be None).

    Returns
    -------
    Path or None
        *path*, or None when the layer has no point records.
    """
    import rasterio

    if grid is None and not has_points(displacement):
        return None
    counts, transform = grid or count_density(displacement, bounds=bounds, cell=cell,
                                              min_people=min_people)
    if not isinstance(transform, Affine):  # finish_density's six coefficients
        transform = Affine(*transform)
    path = Path(path)
    profile = {"driver": "GTiff", "width": counts.shape[1], "height": counts.shape[0],
               "count": 1, "dtype": "uint32", "crs": STORAGE_CRS,
               "transform": transform, "compress": "deflate", "predictor": 2}
    with rasterio.open(path, "w", **profile) as raster:
        raster.write(counts, 1)
        raster.update_tags(units="people", cell_degrees=str(cell),
                           source="geomap: people of point records per cell")
        raster.set_band_description(1, "displaced people")
    return path
