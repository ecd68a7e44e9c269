"""The print map: PNG at A4 landscape size, not blank, in the actor colours; PDF, SVG."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from PIL import Image

from geomap.actors import ACTORS
from geomap.config import BuildConfig
from geomap.pipeline import run

from .conftest import SYNTHETIC_DATE, TOWNS, write_csv

DATE = pd.Timestamp("2025-03-01")


def _rgb(color: str) -> tuple[int, int, int]:
    """'#c0392b' as an (r, g, b) tuple."""
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


@pytest.fixture
def out(synthetic_out: Path) -> Path:
    """The session's build of the synthetic fixture on DATE (read only)."""
    assert str(DATE.date()) == SYNTHETIC_DATE
    return synthetic_out


def test_png_is_a4_landscape_at_200_dpi(out: Path) -> None:
    """297 x 210 mm at 200 dpi is 2339 x 1654 pixels."""
    with Image.open(out / "map.png") as image:
        assert image.size == (2339, 1654)
        assert image.format == "PNG"


def test_png_is_not_blank_and_shows_actor_colours(out: Path) -> None:
    """Many colours, a fair share of ink, and the exact fills of the actors held."""
    with Image.open(out / "map.png") as image:
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    # one integer per colour: np.unique on rows (axis=0) is many times slower
    packed = np.unique((pixels[:, 0].astype(np.uint32) << 16)
                       | (pixels[:, 1].astype(np.uint32) << 8) | pixels[:, 2])
    colours = {(v >> 16, (v >> 8) & 255, v & 255) for v in packed.tolist()}
    assert len(colours) > 50
    ink = (pixels.sum(axis=1) < 600).mean()
    assert 0.01 < ink < 0.6, f"{ink:.1%} of the page is ink"
    # the fixture has M23 (alpha, T02) and FARDC (bravo) in force on the date
    for actor in ("m23", "fardc"):
        assert _rgb(ACTORS[actor].color) in colours, actor
    assert _rgb(ACTORS["adf"].color) not in colours  # not in the data, not in the legend


def test_pdf_is_one_a4_landscape_page(out: Path) -> None:
    """A PDF file of one page whose media box is 297 x 210 mm, with no creation date."""
    data = (out / "map.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert box is not None
    width, height = (float(v) for v in box.groups())
    assert width == pytest.approx(297 / 25.4 * 72, abs=0.5)
    assert height == pytest.approx(210 / 25.4 * 72, abs=0.5)
    assert b"/CreationDate" not in data
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1


def test_svg_parses(out: Path) -> None:
    """The SVG is well-formed XML with an svg root and no date."""
    root = ET.parse(out / "map.svg").getroot()
    assert root.tag.endswith("svg")
    assert "<dc:date>" not in (out / "map.svg").read_text(encoding="utf-8")


def test_two_renders_are_byte_identical(shapes_dir: Path, tmp_path: Path,
                                       out: Path) -> None:
    """The same inputs give the same PNG, PDF and SVG bytes."""
    run(BuildConfig(date=DATE, shapes_dir=shapes_dir, out_dir=tmp_path / "b",
                    outputs=("print",)))
    for name in ("map.png", "map.pdf", "map.svg"):
        digests = {hashlib.sha256(folder.joinpath(name).read_bytes()).hexdigest()
                   for folder in (out, tmp_path / "b")}
        assert len(digests) == 1, name


def test_labels_do_not_overlap(shapes_dir: Path, tmp_path: Path) -> None:
    """Crowded towns: every label drawn on the map is clear of every other one."""
    from geomap.actors import resolve_control
    from geomap.pipeline import load_layers
    from geomap.render.markup import MapText
    from geomap.render.print.figure import build_static_map
    from geomap.summarise.areas import sum_displaced, summarise_areas
    from geomap.summarise.mines import assign_mines

    crowd = [(f"t{i}", f"Crowded town {i}", 29.10 + 0.004 * i, -1.55, "", "P1")
             for i in range(12)]
    write_csv(shapes_dir / "towns.csv",
              ["town_id", "name", "lon", "lat", "pcode", "province_pcode", "source"],
              [(*town, "test") for town in [*TOWNS, *crowd]])
    config = BuildConfig(date=DATE, shapes_dir=shapes_dir, out_dir=tmp_path / "o")
    layers = load_layers(config)
    mines = assign_mines(layers.mines, layers.places, layers.admin)
    areas = summarise_areas(layers.places, resolve_control(layers.control, DATE),
                            sum_displaced(layers.displacement, DATE), mines)
    figure = build_static_map(layers.places, areas, mines, MapText("t", DATE))
    renderer = figure.canvas.get_renderer()
    drawn = []
    for ax in figure.axes:  # the main map and, where towns crowd, the inset
        labels = [t for t in ax.texts if t.get_text() and t.get_gid() != "halo"]
        for text in labels:  # place annotation texts, then measure the text alone
            if hasattr(text, "update_positions"):
                text.update_positions(renderer)
        boxes = [Text.get_window_extent(t, renderer) for t in labels]
        drawn += [t.get_text() for t in labels]
        for i, one in enumerate(boxes):
            for other in boxes[i + 1:]:
                assert not one.overlaps(other), "two labels overlap"
    crowded = sum(name.startswith("Crowded town") for name in drawn)
    assert 0 < crowded < 12  # some drawn, some dropped: the test is crowded enough
