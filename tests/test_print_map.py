"""The print map keeps context, doubt, every change and its language (issue 13)."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from shapely.geometry import Point, box

from geomap.config import BuildConfig
from geomap.export.print_map import write_static_map
from geomap.load.inputs import read_context
from geomap.pipeline import load_layers
from geomap.render.markup import MapText
from geomap.render.print.draw import draw_areas, draw_towns
from geomap.render.print.figure import build_static_map, draw_static_map, printable
from geomap.render.print.parts import draw_actor_table, draw_legend
from geomap.render.style import (
    CHANGED_RING_COLOR,
    CONFIDENCE_STYLES,
    NEIGHBOUR_COLOR,
    WATER_COLOR,
)
from geomap.summarise.summary import summarise_build

from .conftest import REPO, synthetic_admin, write_shapes

DATE = pd.Timestamp("2025-03-01")


def _texts(figure: Figure) -> list[str]:
    """Every word drawn on the figure, in every axes."""
    return [t.get_text() for t in figure.texts] + [
        t.get_text() for ax in figure.axes for t in ax.texts]


def _faces(ax) -> set[str]:
    """Face colours of the collections of *ax*, as hex."""
    return {to_hex(face, keep_alpha=False) for c in ax.collections
            for face in np.atleast_2d(c.get_facecolor()) if len(face)}


@pytest.fixture(scope="module")
def context() -> dict[str, gpd.GeoDataFrame]:
    """The committed base-map layers (shapes/context), read as a build reads them."""
    layers = read_context(BuildConfig(date=DATE, shapes_dir=REPO / "shapes"))
    if set(layers) != {"countries", "lakes"}:
        pytest.skip("shapes/context is not in this checkout")
    return layers


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple:
    """The synthetic fixture near Goma, loaded and summarised once for this module."""
    shapes = write_shapes(tmp_path_factory.mktemp("print") / "shapes", synthetic_admin())
    config = BuildConfig(date=DATE, shapes_dir=shapes)
    layers = load_layers(config)
    return layers, summarise_build(layers, config, lambda _: None)


def _synthetic(synthetic, context, lang: str = "en") -> Figure:
    """The print map of the synthetic fixture, on the real base map."""
    layers, summary = synthetic
    text = MapText(title=BuildConfig(date=DATE, lang=lang).title, as_of=DATE,
                   credits=layers.credits, lang=lang)
    return build_static_map(layers.places, summary.areas, summary.mines, text,
                            actors=summary.actors, context=context)


def test_context_layers_reach_the_drawing(synthetic, context) -> None:
    """Lake Kivu and Rwanda are drawn and named under the data, offline."""
    figure = _synthetic(synthetic, context)
    faces = _faces(figure.axes[0])
    assert WATER_COLOR in faces
    assert NEIGHBOUR_COLOR in faces
    texts = _texts(figure)
    assert "RWANDA" in texts
    assert "Lake Kivu" in texts
    assert any("Natural Earth" in t for t in figure.texts[-1].get_text().split("\n"))


def test_without_context_the_map_still_draws(synthetic) -> None:
    """No base-map files: no water, no neighbour, no credit, and no error."""
    figure = _synthetic(synthetic, None)
    assert WATER_COLOR not in _faces(figure.axes[0])
    assert "Natural Earth (public domain)" not in figure.texts[-1].get_text()


def test_french_print_map(synthetic, context) -> None:
    """--lang fr: title, date, legend, table and lake name in French."""
    texts = _texts(_synthetic(synthetic, context, lang="fr"))
    joined = "\n".join(texts)
    assert "Contrôle au 1er mars 2025" in joined
    assert "Contrôle" in texts
    assert "Personnes déplacées" in texts
    assert "Qui tient quoi" in texts
    assert "Lac Kivu" in texts
    assert "Control as of" not in joined
    assert "People displaced" not in texts


def _no_network(*_args, **_kwargs):
    """A socket that tries to connect anywhere: the network is off."""
    msg = "the network is off in this test"
    raise OSError(msg)


@pytest.fixture(scope="module")
def bundled_figure() -> tuple[Figure, pd.DataFrame]:
    """The print map of the bundled record on 1 March 2025, changes since 2024, on
    the base map a build reads by default, drawn with the network off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket, "getaddrinfo", _no_network)
        config = BuildConfig(date=DATE, compare=pd.Timestamp("2024-12-31"),
                             shapes_dir=REPO / "shapes")
        layers = load_layers(config)
        assert set(layers.context) == {"countries", "lakes"}
        summary = summarise_build(layers, config, lambda _: None)
        text = MapText(title=config.title, as_of=DATE, credits=layers.credits,
                       compare=config.compare)
        figure = build_static_map(layers.places, summary.areas, summary.mines, text,
                                  actors=summary.actors, country=layers.country,
                                  context=layers.context, changes=summary.changes)
    return figure, summary.changes


def test_bundled_map_shows_where_it_is(bundled_figure) -> None:
    """Lake Kivu, Rwanda and Burundi are named inside the map's frame (drawn with the
    network off); a Goma-Bukavu inset is drawn."""
    figure, _ = bundled_figure
    texts = _texts(figure)
    for name in ("Lake Kivu", "RWANDA", "BURUNDI", "Goma", "Bukavu"):
        assert name in texts, name
    main, inset = figure.axes[:2]
    assert WATER_COLOR in _faces(main)  # the lakes, Kivu among them
    for ax, names in ((main, ("RWANDA", "BURUNDI")), (inset, ("Lake Kivu",))):
        (left, right), (bottom, top) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        for name in names:
            anchors = {t.xy for t in ax.texts if t.get_text() == name}
            assert len(anchors) == 1, name  # the name and its halo
            (x, y), = anchors
            assert left < x < right, name
            assert bottom < y < top, name
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert "Goma to Bukavu" in titles


def test_no_town_that_changed_hands_is_left_out(bundled_figure) -> None:
    """Every place in changes.csv is named on the map or in the inset, and ringed."""
    figure, changes = bundled_figure
    assert len(changes) >= 10
    texts = set(_texts(figure))
    assert sorted(set(changes["name"]) - texts) == []
    rings = [c for ax in figure.axes[:1] for c in ax.collections
             if len(c.get_edgecolor()) and to_hex(c.get_edgecolor()[0]) ==
             CHANGED_RING_COLOR]
    assert rings, "no changed-hands ring on the main map"
    legend = "\n".join(texts)
    assert "Changed hands since 31 December 2024" in legend


def test_doubt_is_drawn_with_patterns_and_line_styles() -> None:
    """Claimed and contested areas and towns differ from assessed without colour."""
    places = gpd.GeoDataFrame(
        {"place": ["a", "b", "c", "t1", "t2"], "kind": ["area"] * 3 + ["town"] * 2,
         "actor": ["m23", "m23", "contested", "m23", "fardc"],
         "confidence": ["assessed", "claimed", "contested", "claimed", "contested"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), Point(0.5, 2),
                  Point(1.5, 2)])
    figure = Figure()
    ax = figure.add_subplot()
    draw_areas(ax, places)
    hatches = {c.get_hatch() for c in ax.collections}
    assert CONFIDENCE_STYLES["claimed"].hatch in hatches
    assert CONFIDENCE_STYLES["contested"].hatch in hatches
    styles = {str(c.get_linestyle()[0]) for c in ax.collections}
    assert len(styles) >= 3  # solid, dashed, dotted
    towns = Figure().add_subplot()
    draw_towns(towns, places, places.iloc[:0])
    town_hatches = {c.get_hatch() for c in towns.collections}
    assert town_hatches == {CONFIDENCE_STYLES["claimed"].hatch * 2,
                            CONFIDENCE_STYLES["contested"].hatch * 2}


def test_actor_table_writes_no_figure_never_zero() -> None:
    """An actor without a displacement figure reads 'no figure' (w3's NaN)."""
    actors = pd.DataFrame({"actor": ["m23", "fardc"], "towns": [3, 1], "areas": [0, 1],
                           "mines": [2, 0], "people": [1500.0, np.nan]})
    figure = Figure(figsize=(8, 4))
    draw_actor_table(figure, (0.1, 0.1, 0.5, 0.8), actors)
    texts = _texts(figure)
    assert "no figure" in texts
    assert "1,500" in texts
    french = Figure(figsize=(8, 4))
    draw_actor_table(french, (0.1, 0.1, 0.5, 0.8), actors, lang="fr")
    assert "aucun chiffre" in _texts(french)
    assert "1\u00a0500" in _texts(french)


def test_legend_shows_each_confidence_and_the_ring() -> None:
    """The legend draws the map's hatches and names the comparison date."""
    areas = pd.DataFrame({"actor": ["m23", "fardc", None]})
    figure = Figure(figsize=(4, 8))
    draw_legend(figure, (0.05, 0.05, 0.9, 0.9), areas, 1000.0, 0.8,
                changes_since="31 December 2024", context=True)
    ax = figure.axes[0]
    hatches = {p.get_hatch() for p in ax.patches}
    assert {CONFIDENCE_STYLES["claimed"].hatch,
            CONFIDENCE_STYLES["contested"].hatch} <= hatches
    texts = _texts(figure)
    assert "Changed hands since 31 December 2024" in texts
    assert "Lake" in texts
    assert "International border" in texts


def test_svg_keeps_words_as_editable_text(synthetic, context, tmp_path: Path) -> None:
    """map.svg holds the title and town names as <text>, each label once."""
    layers, summary = synthetic
    text = MapText(title="Kivu <test> & co", as_of=DATE, credits=layers.credits)
    write_static_map(tmp_path, places=layers.places, areas=summary.areas,
                     mines=summary.mines, text=text, actors=summary.actors,
                     context=context, dpi=40)
    root = ET.parse(tmp_path / "map.svg").getroot()
    words = ["".join(node.itertext()) for node in root.iter()
             if node.tag.endswith("text")]
    assert "Kivu <test> & co" in words
    assert words.count("Alpha") == 1  # the halo is a shape, the label is text


def test_format_characters_in_names_are_drawn_without_them(synthetic) -> None:
    """A BOM, zero-width space or bidi mark inside a name or the title (as scraped
    text holds) is left out of every print file; matplotlib's PDF writer failed on
    U+FEFF."""
    layers, summary = synthetic
    places = layers.places.copy()
    places["name"] = places["name"].where(places["name"] != "Alpha",
                                          "\ufeffAl\u200bpha\u202e")
    text = MapText(title="Kivu\ufeff map\u2066", as_of=DATE,
                   credits=["te\ufeffst\x07"])
    drawn = draw_static_map(places, summary.areas, summary.mines, text,
                            actors=summary.actors, dpi=40)
    assert drawn["map.pdf"].startswith(b"%PDF")
    assert drawn["map.png"].startswith(b"\x89PNG")
    root = ET.fromstring(drawn["map.svg"])
    words = ["".join(node.itertext()) for node in root.iter()
             if node.tag.endswith("text")]
    assert "Alpha" in words
    assert "Kivu map" in words
    svg = drawn["map.svg"].decode("utf-8")
    assert not any(ch in svg for ch in "\ufeff\u200b\u202e\u2066\x07")
    assert printable("a\ufeffb\nc\u200f") == "ab\nc"
