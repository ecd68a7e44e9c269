"""Saving the print map: words stay editable text in the PDF, only asked files drawn."""

from __future__ import annotations

import io
import re
import zlib

import matplotlib
import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from geomap.config import BuildConfig
from geomap.pipeline import load_layers
from geomap.render.markup import MapText
from geomap.render.print import save
from geomap.render.print.figure import (
    PRINTED,
    draw_static_map,
    print_figure,
    save_printed,
)
from geomap.render.print.save import LAYOUT_TABLES, warm_up
from geomap.summarise.summary import summarise_build

from ..conftest import synthetic_admin, write_shapes

DATE = pd.Timestamp("2025-03-01")
TITLE = "Kivu: qui contrôle quoi, fin février"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> dict[str, bytes]:
    """The synthetic fixture's print map in every format, small (40 dpi PNG)."""
    shapes = write_shapes(tmp_path_factory.mktemp("save") / "shapes", synthetic_admin())
    config = BuildConfig(date=DATE, shapes_dir=shapes)
    layers = load_layers(config)
    summary = summarise_build(layers, config, lambda _: None)
    text = MapText(title=TITLE, as_of=DATE, credits=layers.credits)
    return draw_static_map(layers.places, summary.areas, summary.mines, text,
                           actors=summary.actors, dpi=40), (layers, summary, text)


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object of an uncompressed-xref PDF by number, streams inflated."""
    found = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.DOTALL):
        body = match.group(2)
        stream = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.DOTALL)
        if stream is not None and b"/FlateDecode" in body:
            body = body[:stream.start()] + zlib.decompress(stream.group(1))
        found[int(match.group(1))] = body
    return found


def _unicode_of(cmap: bytes) -> str:
    """The characters a ToUnicode CMap maps glyphs to (its <hex> targets)."""
    ranges = re.search(rb"beginbfrange(.*)endbfrange", cmap, re.DOTALL).group(1)
    targets = re.findall(rb"\[([^\]]*)\]", ranges)
    return "".join(bytes.fromhex(value.decode()).decode("utf-16-be")
                   for group in targets for value in re.findall(rb"<([0-9a-f]+)>", group))


def test_pdf_words_are_truetype_text_with_their_characters(drawn) -> None:
    """map.pdf embeds TrueType (CID) fonts, not Type 3 glyph drawings, and maps every
    glyph back to its character, so an editor can select, search and edit the words
    (pdf.fonttype 42; the reason it was chosen)."""
    objects = _objects(drawn[0]["map.pdf"])
    fonts = [body for body in objects.values() if b"/Type /Font" in body]
    assert fonts
    assert not any(b"/Type3" in body for body in fonts)
    assert sum(b"/Subtype /CIDFontType2" in body for body in fonts) >= 2  # + bold
    cmaps = [objects[int(number)] for body in fonts
             for number in re.findall(rb"/ToUnicode (\d+) 0 R", body)]
    shown = "".join(_unicode_of(cmap) for cmap in cmaps)
    assert set(TITLE.replace(" ", "")) <= set(shown)
    assert set("Alpha") <= set(shown)


def test_pdf_fonts_are_whole_fonts_without_layout_tables(drawn) -> None:
    """Each embedded font program is a valid TrueType subset with outlines and a
    character map, and leaves out the layout tables a PDF reader never reads."""
    objects = _objects(drawn[0]["map.pdf"])
    files = [objects[int(number)] for body in objects.values()
             for number in re.findall(rb"/FontFile2 (\d+) 0 R", body)]
    assert files
    for data in files:
        font = TTFont(io.BytesIO(data[data.index(b"\x00\x01\x00\x00"):]))
        assert {"glyf", "cmap", "hmtx", "head"} <= set(font.keys())
        assert not set(LAYOUT_TABLES) & set(font.keys())
        assert len(font.getGlyphOrder()) < 200  # a subset, not the 6,000 glyphs


def test_png_is_opaque_rgb_with_its_metadata(drawn) -> None:
    """The page is white: the PNG has no alpha channel, and keeps title and dpi."""
    with Image.open(io.BytesIO(drawn[0]["map.png"])) as image:
        assert image.mode == "RGB"
        assert image.info["Title"] == TITLE
        assert image.info["Software"] == "geomap"
        assert round(image.info["dpi"][0]) == 40
        assert len(np.unique(np.asarray(image).reshape(-1, 3), axis=0)) > 20


def test_only_the_files_asked_for_are_drawn(drawn) -> None:
    """files=('map.png',) (a report without the print map) gives the same PNG bytes
    alone; an unknown file name is refused."""
    everything, (layers, summary, text) = drawn
    assert list(everything) == list(PRINTED)
    alone = draw_static_map(layers.places, summary.areas, summary.mines, text,
                            actors=summary.actors, dpi=40, files=("map.png",))
    assert list(alone) == ["map.png"]
    assert alone["map.png"] == everything["map.png"]
    with pytest.raises(ValueError, match="map.jpg"):
        draw_static_map(layers.places, summary.areas, summary.mines, text, dpi=40,
                        files=("map.jpg",))


def test_warmed_up_and_saved_in_parts_the_files_are_the_same_bytes(drawn) -> None:
    """What the print worker does ahead (fonts read, a word laid out and saved) and
    saving the PNG from one copy of the drawn figure, the PDF and SVG from another
    (the build's two processes), change no byte: the PDF embedding fonts read ahead
    is the PDF that read them as it was saved."""
    everything, (layers, summary, text) = drawn
    warm_up()
    ready = sum(len(fonts) for fonts in save._READ_AHEAD.values())
    assert ready >= 3  # the regular, bold and italic faces

    def figure():
        return print_figure(layers.places, summary.areas, summary.mines, text,
                            actors=summary.actors)

    pages = save_printed(figure(), text.title, ("map.png", "map.pdf"), dpi=40)
    assert sum(len(fonts) for fonts in save._READ_AHEAD.values()) < ready  # used
    svg = save_printed(figure(), text.title, ("map.svg",), dpi=40)
    assert list(pages) == ["map.png", "map.pdf"]
    assert {**pages, **svg} == everything


def test_png_is_the_pdf_page_rasterised_to_whole_pixels(drawn) -> None:
    """The PNG is the PDF's page drawn by PDFium: at 41 dpi the A4 page is 479.4 x
    339.0 pixels, and the PNG is 479 x 339 (rounded, not rounded up); a PNG of another
    figure's PDF differs, and what is not a PDF is refused."""
    everything, (layers, summary, text) = drawn
    pdf = everything["map.pdf"]
    png = save.save_png(pdf, (479, 339), 41, {"Software": "geomap", "Title": text.title})
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (479, 339)
        assert image.mode == "RGB"
        page = np.asarray(image)
    assert save_printed(print_figure(layers.places, summary.areas, summary.mines,
                                     text, actors=summary.actors), text.title,
                        ("map.png",), dpi=41)["map.png"] == png
    with Image.open(io.BytesIO(everything["map.png"])) as small:  # 40 dpi
        assert small.size == (468, 331)
    figure = print_figure(layers.places, summary.areas.iloc[:0], summary.mines.iloc[:0],
                          text)
    other = save_printed(figure, text.title, ("map.png",), dpi=41)["map.png"]
    with Image.open(io.BytesIO(other)) as image:
        assert (np.asarray(image) != page).any(axis=2).mean() > 0.01
    with pytest.raises(save.pdfium.PdfiumError):
        save.save_png(b"%PDF-1.4 not a page", (10, 10), 41, {})


def _two_labels_svg(kind: str, before_saving=lambda figure: None) -> bytes:
    """An SVG of two labels (one with a leader line) and their halos, drawn by
    geomap or by plain matplotlib, saved twice (*before_saving* called first)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from geomap.render.print import labels
    from geomap.render.print.save import SAVE_RC, save_vector

    style = {"fontsize": 6.8, "zorder": 7}
    with matplotlib.rc_context(SAVE_RC):
        figure = Figure(figsize=(2, 1))
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        for xy, offset, leader in (((0.98, 0.5), (5, 2, "left", "bottom"), None),
                                   ((0.3, 0.3), (26, 14, "left", "center"),
                                    labels.LEADER)):
            if kind == "geomap":
                labels._halo(ax, labels._annotate(ax, "Kalehe (ville)", xy, offset,
                                                  leader, **style))
                continue
            # how labels and halos were drawn before this module kept any work
            label = ax.annotate("Kalehe (ville)", xy, xytext=offset[:2],
                                textcoords="offset points", ha=offset[2],
                                va=offset[3], parse_math=False, arrowprops=leader,
                                annotation_clip=False, **style)
            ax.annotate(label.get_text(), label.xy, xytext=label.xyann,
                        textcoords="offset points", ha=offset[2], va=offset[3],
                        parse_math=False, annotation_clip=False, fontsize=6.8,
                        fontstyle="normal", fontweight="normal",
                        color=labels.HALO_COLOR, path_effects=labels.HALO,
                        zorder=6.99, rotation=0).set_gid("halo")
        before_saving(figure)
        return b"".join(save_vector(figure, "svg", {"Date": None}) for _ in range(2))


def test_labels_drawn_with_kept_work_are_matplotlib_labels() -> None:
    """A halo drawn from kept outlines and a leader cut by the quicker box test are
    the very shapes matplotlib draws, not clipped at the frame (the first label
    sticks out of it), the same in every save."""
    drawn = _two_labels_svg("geomap")
    assert drawn == _two_labels_svg("matplotlib")
    assert drawn.count(b"<text") == 4  # two labels, two saves: halos are shapes


def test_halo_outlines_kept_ahead_are_those_every_save_draws(monkeypatch) -> None:
    """Halo outlines computed once the map is drawn (before a build forks the
    process saving the PDF and SVG beside the one saving the PNG) are the very
    ones matplotlib draws, and no save computes one again."""
    from matplotlib.textpath import TextToPath

    from geomap.render.print.marks import _KeptOutlines, keep_outlines

    computed = []
    original, outline = TextToPath.get_text_path, _KeptOutlines._outline

    def counted(self, prop, s, *args, **kwargs):
        computed.append(s)
        return original(self, prop, s, *args, **kwargs)

    def outlined(self, prop, s, **kwargs):
        computed.append(s)
        return outline(self, prop, s, **kwargs)

    def keep(figure) -> None:
        keep_outlines(figure)
        assert computed == ["Kalehe (ville)"]  # two halos, one text in one font
        computed.clear()

    monkeypatch.setattr(TextToPath, "get_text_path", counted)
    monkeypatch.setattr(_KeptOutlines, "_outline", outlined)
    drawn = _two_labels_svg("geomap", before_saving=keep)
    assert computed == []
    assert drawn == _two_labels_svg("matplotlib")


def test_pdf_laid_out_without_glyph_outlines_is_the_same_pdf(drawn, monkeypatch) -> None:
    """Laying the PDF's words out without loading each glyph's outline (the quick
    way, used for every word) writes the very bytes matplotlib's own layout writes."""
    everything, (layers, summary, text) = drawn
    figure = print_figure(layers.places, summary.areas, summary.mines, text,
                          actors=summary.actors)
    laid_out = []

    unloaded = save._layout_unloaded

    def counted(string, font, **kwargs):
        laid_out.append(string)
        return unloaded(string, font, **kwargs)

    monkeypatch.setattr(save, "_layout_unloaded", counted)
    quick = save_printed(figure, text.title, ("map.pdf",))["map.pdf"]
    assert TITLE in laid_out
    assert len(laid_out) > 10
    monkeypatch.setattr(save, "_glyphs_unloaded", save._nothing)
    assert save_printed(figure, text.title, ("map.pdf",))["map.pdf"] == quick
    assert quick == everything["map.pdf"]


@pytest.mark.parametrize("changed", ["signature", "fonttype", "module", "release"])
def test_glyphs_are_loaded_as_matplotlib_does_where_it_differs(changed,
                                                               monkeypatch) -> None:
    """Where matplotlib's layout takes other arguments, the fonts are Type 3 (drawn
    from the outlines), the PDF writer lays text out otherwise or matplotlib is
    another release, its own layout is kept; where not, the quick one is used for
    the save only, beside the rest of matplotlib's text helpers."""
    from matplotlib import _text_helpers
    from matplotlib.backends import backend_pdf

    used = []

    def failing() -> None:
        with matplotlib.rc_context({"pdf.fonttype": 42}), save._glyphs_unloaded():
            used.append(backend_pdf._text_helpers.layout)
            raise KeyError

    with pytest.raises(KeyError):
        failing()
    assert used == [save._layout_unloaded]
    assert backend_pdf._text_helpers is _text_helpers  # restored on errors too
    with matplotlib.rc_context({"pdf.fonttype": 42}), save._glyphs_unloaded():
        helpers = backend_pdf._text_helpers
        assert {name for name in vars(_text_helpers) if not name.startswith("__")} <= set(
            vars(helpers))
    if changed == "signature":
        monkeypatch.setattr(_text_helpers, "layout", lambda string, font, flags: [])
    elif changed == "module":
        monkeypatch.setattr(backend_pdf, "_text_helpers", object())
    elif changed == "release":  # not the release whose layout it repeats
        monkeypatch.setattr(matplotlib, "__version__", "3.12.0")
    kept = backend_pdf._text_helpers
    with matplotlib.rc_context({"pdf.fonttype": 3 if changed == "fonttype" else 42}
                               ), save._glyphs_unloaded():
        assert backend_pdf._text_helpers is kept
