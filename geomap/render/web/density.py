"""The density overlay of the web map: one PNG image of people per cell, whatever the rows."""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from geomap.schema import KIVU_BOUNDS
from geomap.summarise.density import CELL_DEGREES, RAMP, count_density, has_points

if TYPE_CHECKING:  # the grid's transform is not read here
    from affine import Affine


def build_density_overlay(displacement: gpd.GeoDataFrame, *,
                          bounds: tuple[float, float, float, float] = KIVU_BOUNDS,
                          cell: float = CELL_DEGREES, min_people: int = 0,
                          grid: tuple[np.ndarray, Affine | tuple] | None = None
                          ) -> tuple[bytes, list[list[float]]] | None:
    """A transparent PNG of the density grid and its bounds, for an image overlay.

    Cells with no people are transparent; others shade from light to dark purple on
    a log scale. The bounds are Leaflet's ``[[south, west], [north, east]]``, as
    Leaflet's ``L.imageOverlay`` takes them (the PNG is a lon/lat grid:
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
