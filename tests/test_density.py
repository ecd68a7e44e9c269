"""The density raster: people of point records per cell, GeoTIFF and PNG overlay."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from shapely.geometry import Point, box

from geomap.export.raster import write_density
from geomap.render.web.density import build_density_overlay, encode_png
from geomap.schema import KIVU_BOUNDS
from geomap.summarise.density import (
    CELL_DEGREES,
    _points,
    count_density,
    finish_density,
    sum_cells,
)


@pytest.fixture
def records() -> gpd.GeoDataFrame:
    """Three points in one cell, one far away, one outside the Kivu, one area row."""
    return gpd.GeoDataFrame(
        {"people": [3, 4, 5, 10, 99, 50]},
        geometry=[Point(26.505, 1.195), Point(26.51, 1.19), Point(26.515, 1.185),
                  Point(30.29, -5.19), Point(24.0, -3.0), None],
        crs="EPSG:4326")


def test_counts_land_in_their_cells(records):
    """North-west corner cell holds 12, south-east corner 10; outside and area rows not."""
    counts, transform = count_density(records)
    minx, miny, maxx, maxy = KIVU_BOUNDS
    assert counts.shape == (round((maxy - miny) / CELL_DEGREES),
                            round((maxx - minx) / CELL_DEGREES))
    assert counts[0, 0] == 3 + 4 + 5
    assert counts[-1, -1] == 10
    assert int(counts.sum()) == 22
    assert (transform.c, transform.f) == (minx, maxy)


def test_points_on_the_far_edges_are_kept():
    """A point exactly on the east or south edge of the extent is counted in the grid."""
    _, miny, maxx, _ = KIVU_BOUNDS
    edge = gpd.GeoDataFrame({"people": [2, 3]}, geometry=[Point(maxx, -1.0),
                                                          Point(28.0, miny)],
                            crs="EPSG:4326")
    counts, _ = count_density(edge)
    assert int(counts.sum()) == 5
    assert counts[:, -1].sum() == 2
    assert counts[-1, :].sum() == 3


def test_small_cells_can_be_suppressed(records):
    """min_people hides cells below it and keeps the others exact."""
    counts, _ = count_density(records, min_people=11)
    assert counts[0, 0] == 12
    assert counts[-1, -1] == 0


def test_geotiff_is_georeferenced_and_reproducible(records, tmp_path):
    """The file says EPSG:4326 and people; writing twice gives the same bytes."""
    first = write_density(records, tmp_path / "a.tif")
    second = write_density(records, tmp_path / "b.tif")
    assert first.read_bytes() == second.read_bytes()
    with rasterio.open(first) as raster:
        assert raster.crs.to_epsg() == 4326
        assert raster.dtypes[0] == "uint32"
        assert raster.bounds == pytest.approx(KIVU_BOUNDS)
        assert raster.tags()["units"] == "people"
        band = raster.read(1)
    assert int(band.sum()) == 22
    row, column = raster.index(26.51, 1.19)
    assert band[row, column] == 12


def test_a_finished_grid_writes_the_counted_geotiff(records, tmp_path):
    """The summaries' grid (its transform as six coefficients, no Affine made) writes
    the GeoTIFF's bytes that counting the records writes, and the same overlay."""
    x, y, people = _points(records)
    grid = finish_density(sum_cells(x, y, people), min_people=4)
    assert isinstance(grid[1], tuple)
    counted = write_density(records, tmp_path / "counted.tif", min_people=4)
    finished = write_density(None, tmp_path / "finished.tif", grid=grid)
    assert finished.read_bytes() == counted.read_bytes()
    with rasterio.open(finished) as raster:
        assert raster.transform == count_density(records, min_people=4)[1]
    assert build_density_overlay(records, grid=grid) == build_density_overlay(
        records, min_people=4)


def test_nothing_is_written_without_point_records(tmp_path):
    """Records placed only by area references give no raster and no overlay."""
    by_area = gpd.GeoDataFrame({"people": [5, 6]}, geometry=[None, None],
                               crs="EPSG:4326")
    assert write_density(by_area, tmp_path / "none.tif") is None
    assert not (tmp_path / "none.tif").exists()
    assert build_density_overlay(by_area) is None


def test_polygons_do_not_count_as_points(tmp_path):
    """Only Point rows are counted (a record's own zone is not a location)."""
    mixed = gpd.GeoDataFrame({"people": [5, 7]},
                             geometry=[box(28, -2, 29, -1), Point(28.5, -1.5)],
                             crs="EPSG:4326")
    counts, _ = count_density(mixed)
    assert int(counts.sum()) == 7


def test_overlay_png_decodes_with_transparent_empty_cells(records):
    """The PNG has one pixel per cell, alpha 0 where nobody is, bounds for Leaflet."""
    image_module = pytest.importorskip("PIL.Image")
    png, bounds = build_density_overlay(records)
    image = image_module.open(io.BytesIO(png))
    assert image.mode == "RGBA"
    counts, _ = count_density(records)
    assert image.size == (counts.shape[1], counts.shape[0])
    pixels = np.asarray(image)
    assert (pixels[..., 3][counts == 0] == 0).all()
    assert (pixels[..., 3][counts > 0] > 0).all()
    minx, miny, maxx, maxy = KIVU_BOUNDS
    assert bounds == [[miny, minx], [maxy, maxx]]
    assert build_density_overlay(records)[0] == png


def test_encode_png_round_trips_any_array():
    """The small encoder writes what Pillow reads back, pixel for pixel."""
    image_module = pytest.importorskip("PIL.Image")
    rgba = np.random.default_rng(3).integers(0, 256, (7, 5, 4), dtype=np.uint8)
    decoded = np.asarray(image_module.open(io.BytesIO(encode_png(rgba))))
    assert (decoded == rgba).all()
