"""A density raster of displaced people from point records: GeoTIFF and map overlay.

Registration files with coordinates can hold millions of rows; the web map never
draws one marker per row. Instead the people of all point records are counted on a
regular lon/lat grid (0.02 degrees, about 2.2 km, over the Kivu extent by default),
written as a GeoTIFF for GIS users and offered as a small PNG for an image overlay.
Both are deterministic: the same records give the same bytes.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from rasterio.transform import Affine

from geomap.schema import KIVU_BOUNDS, STORAGE_CRS

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


def write_density(displacement: gpd.GeoDataFrame, path: str | Path, *,
                  bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
                  cell: float = CELL_DEGREES, min_people: int = 0,
                  grid: tuple[np.ndarray, Affine] | None = None) -> Path | None:
    """Write the people-per-cell GeoTIFF; write nothing when no record has a point.

    *grid*, the result of :func:`count_density` when the caller has it already,
    saves counting the records again.

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


def build_density_overlay(displacement: gpd.GeoDataFrame, *,
                          bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
                          cell: float = CELL_DEGREES, min_people: int = 0,
                          grid: tuple[np.ndarray, Affine] | None = None
                          ) -> tuple[bytes, list[list[float]]] | None:
    """A transparent PNG of the density grid and its bounds, for an image overlay.

    Cells with no people are transparent; others shade from light to dark purple on
    a log scale. The bounds are Leaflet's ``[[south, west], [north, east]]``, as
    ``folium.raster_layers.ImageOverlay`` takes them (the PNG is a lon/lat grid:
    over the Kivu, near the equator, its stretch in Web Mercator is below 0.5 %).

    Returns
    -------
    (bytes, list) or None
        The PNG and its bounds, or None when no record has a point.

    Examples
    --------
    >>> records = gpd.GeoDataFrame({"people": [5]}, geometry=gpd.points_from_xy(
    ...     [29.0], [-1.5]), crs="EPSG:4326")
    >>> png, corners = build_density_overlay(records)
    >>> png[:4] == b"\\x89PNG", corners
    (True, [[-5.2, 26.5], [1.2, 30.3]])
    """
    if grid is None and not has_points(displacement):
        return None
    counts, _ = grid or count_density(displacement, bounds=bounds, cell=cell,
                                      min_people=min_people)
    minx, miny, maxx, maxy = bounds
    return encode_png(shade(counts)), [[miny, minx], [maxy, maxx]]


def shade(counts: np.ndarray) -> np.ndarray:
    """RGBA (uint8) colours of *counts*: transparent at 0, purple on a log scale."""
    top = float(counts.max()) if counts.size else 0.0
    level = np.log1p(counts.astype("float64")) / np.log1p(top) if top > 0 else \
        np.zeros(counts.shape)
    stops = np.linspace(0.0, 1.0, len(RAMP))
    rgba = np.zeros((*counts.shape, 4), dtype=np.uint8)
    for band in range(3):
        rgba[..., band] = np.rint(np.interp(level, stops, [c[band] for c in RAMP]))
    rgba[..., 3] = np.where(counts > 0, np.rint(90 + 150 * level), 0).astype(np.uint8)
    return rgba


def encode_png(rgba: np.ndarray) -> bytes:
    """Encode an (rows, columns, 4) uint8 array as a PNG, byte for byte reproducibly."""
    height, width, _ = rgba.shape
    scanlines = np.zeros((height, 1 + width * 4), dtype=np.uint8)
    scanlines[:, 1:] = rgba.reshape(height, width * 4)  # filter byte 0: none

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(scanlines.tobytes(), 9)) + chunk(b"IEND", b""))
