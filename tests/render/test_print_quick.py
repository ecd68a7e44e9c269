"""The print map's quick paths draw what the plain ones drew, to the byte.

The quick paths are switched back to the plain ways they replaced, and the bundled
map (main map, Goma-Bukavu inset, area names, changed hands) is saved as an SVG
both ways: the bytes must be the same. The parts each path rests on are tested
against the plain way one by one.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import (
    GeometryCollection,
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
    box,
)

from geomap.config import BuildConfig
from geomap.pipeline import load_layers
from geomap.render import ranking
from geomap.render.markup import MapText
from geomap.render.print import figure as print_figure_module
from geomap.render.print import labels, marks, panel, parts
from geomap.render.print.draw import geom_types, shapes_of, sorted_rows
from geomap.render.print.figure import print_figure, save_printed
from geomap.summarise.summary import summarise_build

from ..conftest import REPO
from . import plain_print

DATE = pd.Timestamp("2025-03-01")


PLAIN = {
    "every column": ([(print_figure_module, "_drawn_columns")], lambda joined: joined),
    "all spots first": ([(labels, "iter_inner_spots"),
                         (panel, "iter_inner_spots")],
                        lambda shape: iter(plain_print.all_inner_spots(shape))),
    "areas by frame": ([(panel, "draw_areas")], plain_print.draw_areas),
    "towns by frame": ([(panel, "draw_towns")], plain_print.draw_towns),
    "people by frame": ([(panel, "draw_people")], plain_print.draw_people),
    "labels by frame": ([(panel, "place_labels")], plain_print.place_labels),
    "labels clipped, then not": ([(marks, "_add")], plain_print.add_annotation),
    "patches widen the limits": ([(panel, "add_patch"), (parts, "add_patch")],
                                 lambda ax, patch: ax.add_patch(patch)),
}
"""Each quick path, as where it is called ((module, name) pairs) and the plain way
it replaced."""


@pytest.fixture(scope="module")
def bundled() -> tuple:
    """What the bundled build's print map is drawn from, with changes since 2024."""
    config = BuildConfig(date=DATE, compare=pd.Timestamp("2024-12-31"),
                         shapes_dir=REPO / "shapes")
    layers = load_layers(config)
    summary = summarise_build(layers, config, lambda _: None)
    text = MapText(title=config.title, as_of=DATE, credits=layers.credits,
                   compare=config.compare)
    return layers, summary, text


def _svg(bundled) -> bytes:
    """The bundled print map as an SVG."""
    layers, summary, text = bundled
    figure = print_figure(layers.places, summary.areas, summary.mines, text,
                          actors=summary.actors, country=layers.country,
                          context=layers.context, changes=summary.changes)
    return save_printed(figure, text.title, ("map.svg",))["map.svg"]


@pytest.fixture(scope="module")
def quick_svg(bundled) -> bytes:
    """The bundled print map drawn with every quick path."""
    return _svg(bundled)


def test_the_quick_paths_draw_the_same_bytes(bundled, quick_svg, monkeypatch) -> None:
    """Switching every quick path back to the plain way gives the very same SVG
    (all at once: one more drawing of the map, not one per path)."""
    for called, plain in PLAIN.values():
        for module, name in called:
            assert callable(getattr(module, name))  # still where it is called
            monkeypatch.setattr(module, name, plain)
    assert quick_svg.count(b"<g id=\"text_") > 40  # a map with its names
    assert _svg(bundled) == quick_svg, f"one of {sorted(PLAIN)} draws otherwise"


@pytest.mark.parametrize("shape", [
    box(0, 0, 10, 2),
    Polygon([(0, 0), (10, 0), (10, 10), (8, 10), (8, 2), (0, 2)]),  # an L
    box(0, 0, 10, 10).difference(box(2, 2, 8, 8)),  # a ring
    MultiPolygon([box(0, 0, 1, 1), box(5, 0, 9, 6)]),
])
def test_spots_one_at_a_time_are_all_the_spots_in_order(shape) -> None:
    """The spots tried one at a time are those computed all at once, in order (the
    web map takes them all at once)."""
    expected = plain_print.all_inner_spots(shape)
    assert list(ranking.iter_inner_spots(shape)) == expected
    assert ranking.inner_spots(shape) == expected
    assert len(expected) == 6


@pytest.mark.parametrize("dtype", [object, "string"])
def test_rows_by_place_are_in_the_order_sort_values_gives(dtype) -> None:
    """Rows taken by position and put in place order come in the order the whole
    selection sorted by place did, ties (a place twice) and missing ids included."""
    rng = np.random.default_rng(7)
    names = rng.choice(list("abcdefg"), 60).tolist()
    names[3] = names[40] = None  # sorted last
    places = pd.array(names, dtype=dtype)
    frame = pd.DataFrame({"place": places, "row": np.arange(60)})
    rows = np.flatnonzero(rng.random(60) < 0.7)
    expected = frame.iloc[rows].sort_values("place")["row"].to_numpy()
    assert sorted_rows(frame, rows).tolist() == expected.tolist()
    assert len(set(places[rows])) < len(rows)  # ties to order


def test_geometry_types_are_those_geopandas_gives() -> None:
    """Each kind of shape, an empty one and a missing one get geopandas' type name."""
    shapes = gpd.GeoSeries([
        Point(0, 0), Point(), LineString([(0, 0), (1, 1)]),
        LinearRing([(0, 0), (1, 0), (1, 1)]), box(0, 0, 1, 1),
        MultiPoint([(0, 0), (1, 1)]), MultiLineString([[(0, 0), (1, 1)]]),
        MultiPolygon([box(0, 0, 1, 1)]), GeometryCollection([Point(0, 0)]), None])
    frame = gpd.GeoDataFrame(geometry=shapes)
    expected = [None if pd.isna(name) else name for name in shapes.geom_type]
    assert geom_types(shapes_of(frame)).tolist() == expected
    assert expected[-1] is None


TEXTS = ["Kalehe (ville)", "Bukavu", "Île Idjwi", "office", "AVATAR", "Walikale",
         "Goma — Nyiragongo", "Lac Kivu", "ȘȚ ŋ é", "", " ", "KALEHE"]
"""Names whose outlines share letters, ligatures, kerning, accents, nothing."""


def test_outlines_loaded_once_per_glyph_are_matplotlib_outlines() -> None:
    """Text outlined with each glyph loaded once for all texts (in three faces of
    one family: a glyph's number is the same in each) gives, text after text, the
    vertices and codes matplotlib's own outlining gives."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    from geomap.render.print.marks import _KeptOutlines
    from geomap.render.print.save import SAVE_RC

    kept = _KeptOutlines()
    with matplotlib.rc_context(SAVE_RC):
        for style in ({}, {"style": "italic"}, {"weight": "bold"}):
            prop = FontProperties(size=6.8, **style)
            for language in (None, "fr"):
                for text in TEXTS + TEXTS[::-1]:
                    verts, codes = TextToPath().get_text_path(prop, text,
                                                              language=language)
                    got_verts, got_codes = kept.get_text_path(
                        prop, text, ismath=False, features=None, language=language)
                    assert got_verts.dtype == float
                    assert np.array_equal(got_verts, np.array(
                        verts, dtype=float).reshape(-1, 2))
                    assert got_codes == list(codes)
    assert len(kept._glyphs) < 3 * sum(len(text) for text in TEXTS)  # shared


def test_outlines_without_matplotlib_s_layout_are_matplotlib_s_own(monkeypatch) -> None:
    """Where fonts have no ``_layout`` (a matplotlib other than 3.11), a halo's outline
    is matplotlib's own outlining, kept as the quick one is; nothing is loaded by
    the quick way."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    from geomap.render.print import marks
    from geomap.render.print.save import SAVE_RC

    monkeypatch.setattr(marks, "FT2Font", type("FontWithoutLayout", (), {}))
    kept = marks._KeptOutlines()
    with matplotlib.rc_context(SAVE_RC):
        prop = FontProperties(size=6.8)
        for text in TEXTS:
            verts, codes = TextToPath().get_text_path(prop, text)
            got_verts, got_codes = kept.get_text_path(prop, text, ismath=False)
            assert np.array_equal(got_verts, np.array(verts, dtype=float).reshape(-1, 2))
            assert got_codes == list(codes)
    assert kept._glyphs == {}
