"""Light web geometry (coverage-preserving simplification) and the density overlay."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from geomap.config import BuildConfig
from geomap.pipeline import run
from geomap.render.web.geometry import simplify_for_web


def _wiggly_neighbours() -> gpd.GeoDataFrame:
    """Two areas sharing a border with 200 small zig-zags."""
    border = [(29.25 + 0.002 * math.sin(i), -2.0 + i * 0.0035) for i in range(201)]
    west = Polygon([(29.0, -2.0), *border, (29.0, border[-1][1])])
    east = Polygon([(29.5, -2.0), (29.5, border[-1][1]), *reversed(border)])
    return gpd.GeoDataFrame({"place": ["W", "E"], "kind": "area", "level": 2},
                            geometry=[west, east], crs="EPSG:4326")


def test_simplification_keeps_neighbours_together():
    """After simplifying, neighbours neither overlap nor leave a gap."""
    before = _wiggly_neighbours()
    after = simplify_for_web(before, tolerance=0.01, grid=1e-4)
    west, east = after.geometry
    assert shapely.get_num_coordinates(west) < shapely.get_num_coordinates(
        before.geometry.iloc[0]) / 5
    assert west.intersection(east).area < 1e-12
    union = west.union(east)
    assert len(getattr(union, "interiors", [])) == 0
    assert union.geom_type == "Polygon"
    assert union.area == pytest.approx(before.union_all().area, rel=1e-3)


def test_points_are_only_rounded():
    """Town points move at most half a grid cell."""
    towns = gpd.GeoDataFrame({"place": ["a"], "kind": "town", "level": 9},
                             geometry=[shapely.Point(29.123456, -1.654321)],
                             crs="EPSG:4326")
    point = simplify_for_web(towns, tolerance=0.01, grid=1e-4).geometry.iloc[0]
    assert (round(point.x, 6), round(point.y, 6)) == (29.1235, -1.6543)


def test_point_records_draw_a_density_overlay(shapes_dir: Path, tmp_path: Path):
    """Point records are drawn as one image whatever their number, sparse cells blank."""
    import numpy as np

    from ...conftest import write_csv

    rows = [(f"{29.1 + 0.001 * (i % 7):.4f}", "-1.6", "10", "2025-01-10") for i in range(30)]
    rows.append(("29.45", "-1.9", "3", "2025-01-10"))  # a lone household: not shown
    points = write_csv(tmp_path / "points.csv", ["lon", "lat", "people", "date"], rows)
    run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                    out_dir=tmp_path / "out", inputs={"displacement": points},
                    outputs=("map", "density")))
    page = (tmp_path / "out" / "map.html").read_text()
    assert "People displaced: density of point records" in page
    assert page.count('"image":"data:image/png;base64,') == 1  # one overlay, not per row
    import rasterio

    with rasterio.open(tmp_path / "out" / "displacement_density.tif") as raster:
        grid = raster.read(1)
    assert grid.sum() == 300  # the 30 clustered rows; the lone household is left out
    assert np.count_nonzero(grid) >= 1


def test_page_geometries_are_what_geos_writes_read_back():
    """The page's GeoJSON geometries, made from the coordinates, equal GEOS's own
    GeoJSON read back, number for number: holes, parts, awkward doubles, and the
    shapes left to the text (empty, 3-D, collections)."""
    import json

    from shapely.geometry import (
        GeometryCollection,
        LineString,
        MultiLineString,
        MultiPoint,
        MultiPolygon,
        Point,
    )

    from geomap.render.web.features import geojson_geometry

    holed = Polygon([(29.0, -2.0), (29.3, -2.0), (29.3, -1.7), (29.0, -2.0)],
                    [[(29.2, -1.95), (29.25, -1.95), (29.25, -1.9), (29.2, -1.95)]])
    odd = Point(0.1 + 0.2, -1 / 3)
    shapes = [odd, holed, MultiPolygon([holed, Polygon([(30, -3), (30.1, -3),
                                                       (30.1, -2.9)])]),
              LineString([(29.123450000000002, -1.0), (5e-324, 1e22)]),
              MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]),
              MultiPoint([(29.1, -1.5), (29.2, -1.6)]), Point(), Polygon(),
              Point(29, -1, 1200), GeometryCollection([odd, holed])]
    for shape in [*shapes, *shapely.set_precision(shapes, 1e-5)]:
        assert geojson_geometry(shape) == json.loads(shapely.to_geojson(shape)), shape
    assert geojson_geometry(odd)["coordinates"] == [0.30000000000000004, -1 / 3]
