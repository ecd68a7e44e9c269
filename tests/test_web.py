"""Light web output: coverage-preserving simplification, presets, embed, budgets."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from geomap.config import BuildConfig
from geomap.errors import GeomapWarning
from geomap.export.embed import MAP_BUDGET, check_budget, embed_snippet
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


def test_embed_snippet_is_escaped_and_resizes():
    """The snippet is an iframe with an escaped title and a resize script."""
    snippet = embed_snippet('Kivu "<now>"')
    assert '<iframe class="geomap-embed" src="map.html"' in snippet
    assert "&quot;&lt;now&gt;&quot;" in snippet
    assert "<now>" not in snippet
    assert "addEventListener(\"resize\"" in snippet


def test_budget_warns_when_over(tmp_path: Path):
    """A page over its preset's budget is reported with a warning."""
    page = tmp_path / "map.html"
    page.write_bytes(b"x" * (MAP_BUDGET["article"] + 1))
    with pytest.warns(GeomapWarning, match="over budget"):
        check_budget(page, "article")
    assert "budget 10.0 MB" in check_budget(page, "analyst")


def test_article_preset_is_lighter(shapes_dir: Path, tmp_path: Path):
    """The article map has no layer control, no mines layer, and a fullscreen button."""
    pages = {}
    for preset in ("analyst", "article"):
        run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                        out_dir=tmp_path / preset, preset=preset))
        pages[preset] = (tmp_path / preset / "map.html").read_text()
        assert (tmp_path / preset / "embed.html").exists()
    mines_data = "\"Mining sites\":{\"features\""
    assert mines_data in pages["analyst"]
    assert mines_data not in pages["article"]
    assert 'if (true) {\n    L.control.layers' in pages["analyst"]
    assert 'if (false) {\n    L.control.layers' in pages["article"]
    assert "geomap-fullscreen" in pages["article"]


def test_cdn_option_links_leaflet(shapes_dir: Path, tmp_path: Path):
    """--cdn writes a smaller page that links Leaflet instead of inlining it."""
    run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                    out_dir=tmp_path / "cdn", self_contained=False))
    page = (tmp_path / "cdn" / "map.html").read_text()
    assert '<script src="https://unpkg.com/leaflet@1.9.4/dist/leaflet.js">' in page
    assert len(page) < 150_000


def test_point_records_draw_a_density_overlay(shapes_dir: Path, tmp_path: Path):
    """Point records are drawn as one image whatever their number, sparse cells blank."""
    import numpy as np

    from .conftest import write_csv

    rows = [(f"{29.1 + 0.001 * (i % 7):.4f}", "-1.6", "10", "2025-01-10") for i in range(30)]
    rows.append(("29.45", "-1.9", "3", "2025-01-10"))  # a lone household: not shown
    points = write_csv(tmp_path / "points.csv", ["lon", "lat", "people", "date"], rows)
    run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                    out_dir=tmp_path / "out", inputs={"displacement": points}))
    page = (tmp_path / "out" / "map.html").read_text()
    assert "People displaced: density of point records" in page
    assert page.count("[\"data:image/png;base64,") == 1  # one overlay, not one per row
    import rasterio

    with rasterio.open(tmp_path / "out" / "displacement_density.tif") as raster:
        grid = raster.read(1)
    assert grid.sum() == 300  # the 30 clustered rows; the lone household is left out
    assert np.count_nonzero(grid) >= 1


@pytest.mark.parametrize("preset", ["analyst", "article"])
def test_bundled_map_is_within_its_budget(tmp_path: Path, preset: str):
    """The map of the bundled data stays within its preset's size budget.

    The same build (no extra one) shows that the bundled data builds whole: no
    rejected row, and each of the 24 territories and villes drawn with its popup.
    """
    shapes = Path(__file__).resolve().parents[1] / "shapes"
    result = run(BuildConfig(date=pd.Timestamp("2025-03-01"), shapes_dir=shapes,
                             out_dir=tmp_path / preset, preset=preset))
    assert (tmp_path / preset / "map.html").stat().st_size <= MAP_BUDGET[preset]
    assert result.rejects.empty
    page = (tmp_path / preset / "map.html").read_text(encoding="utf-8")
    admin = json.loads((shapes / "admin.geojson").read_text(encoding="utf-8"))
    territories = [feature["properties"]["pcode"] for feature in admin["features"]
                   if feature["properties"]["level"] == 2]
    assert len(territories) == 24
    for pcode in territories:
        assert f"{pcode}\\u003c/small\\u003e" in page, pcode  # its popup's subtitle
