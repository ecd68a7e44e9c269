"""The print map's fonts read into memory measure and place words as matplotlib's."""

from __future__ import annotations

import io

import matplotlib
import pytest
from matplotlib.backends import _backend_pdf_ps, backend_pdf
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import LoadFlags

from geomap.render.print import memfonts
from geomap.render.print.save import SAVE_RC

WORDS = ["Goma", "Kalehe (ville)", "Kivu : qui contrôle quoi, fin février — 12 345",
         "", "  two  spaces ", "ﬁ AV Wa To", "Bukavu 中 ✓"]
"""Words to measure: accents, a dash, kerned pairs, nothing, spaces, and
characters DejaVu Sans lacks (drawn from matplotlib's fallback font)."""
PROPS = [FontProperties(size=size, **style) for size, style in (
    (6.8, {"family": "DejaVu Sans"}), (9, {"family": "DejaVu Sans", "weight": "bold"}),
    (14.5, {"family": "DejaVu Sans", "style": "italic"}),
    (8, {"family": ["DejaVu Serif", "DejaVu Sans"]}))]
"""The print map's faces, and a chain of two fonts."""


@pytest.fixture
def renderer():
    """A PDF renderer, with matplotlib's fonts as the print map saves them."""
    with matplotlib.rc_context(SAVE_RC):
        yield backend_pdf.RendererPdf(backend_pdf.PdfFile(io.BytesIO()), 72, 1, 1)


@pytest.mark.filterwarnings("ignore:Glyph 20013")
@pytest.mark.parametrize("prop", PROPS, ids=["regular", "bold", "italic", "chain"])
def test_words_measured_in_memory_are_matplotlibs_measures(renderer, prop) -> None:
    """Each word's width, height and descent are matplotlib's to the last bit."""
    own = _backend_pdf_ps.RendererPDFPSBase.get_text_width_height_descent
    for word in WORDS:
        assert memfonts._measure(renderer, word, prop, False) == own(
            renderer, word, prop, False), word
    assert memfonts._measure(renderer, r"$x^2$", prop, True) == own(
        renderer, r"$x^2$", prop, True)


@pytest.mark.filterwarnings("ignore:Glyph 20013")
@pytest.mark.parametrize("prop", PROPS, ids=["regular", "bold", "italic", "chain"])
def test_words_laid_out_in_memory_are_matplotlibs_glyphs(renderer, prop) -> None:
    """Each glyph of a word laid out by the font's copy is matplotlib's glyph, at
    its place, in matplotlib's font (the one the PDF names); a word with glyphs
    from a fallback font is laid out by matplotlib's font itself."""
    by_copy = 0
    for word in WORDS:
        font = memfonts._font(renderer, prop)
        placed = memfonts.layout(word, font)
        own = font._layout(word, LoadFlags.NO_HINTING)
        by_copy += all(isinstance(item, memfonts.Placed) for item in placed)
        assert [(item.ft_object, item.char, item.glyph_index, item.x, item.y,
                 item.prev_kern) for item in placed] == [
            (item.ft_object, item.char, item.glyph_index, item.x, item.y,
             item.prev_kern) for item in own], word
        assert all(item.ft_object.fname == font.fname for item in placed
                   if isinstance(item, memfonts.Placed))
    assert by_copy == len(WORDS) - 1  # not the one with fallback glyphs


def test_a_chain_holding_the_last_resort_font_is_not_copied() -> None:
    """matplotlib treats its Last Resort font apart (its character map): a chain
    holding it is left to matplotlib."""
    resort = memfonts.os.path.realpath(memfonts.cbook._get_data_path(
        "fonts", "ttf", "LastResortHE-Regular.ttf"))
    assert memfonts._copy((((resort, 0),), 0, True, 1)) is None


@pytest.mark.parametrize("changed", ["measuring", "digest", "renderer", "none"])
def test_fonts_in_memory_only_where_matplotlib_measures_as_3_11(changed,
                                                                monkeypatch) -> None:
    """Where matplotlib measures PDF text otherwise (its source differs, or the PDF
    renderer has its own), its own way is kept; where not, the fonts in memory are
    used for the save only, and matplotlib's way is back after it, errors too."""
    base = _backend_pdf_ps.RendererPDFPSBase
    if changed == "measuring":
        monkeypatch.setattr(base, "get_text_width_height_descent",
                            lambda self, s, prop, ismath: (0, 0, 0))
    elif changed == "digest":
        monkeypatch.setattr(memfonts, "MEASURE_SOURCE", "0" * 16)
    elif changed == "renderer":
        monkeypatch.setattr(backend_pdf.RendererPdf, "_get_font_ttf",
                            lambda self, prop: base._get_font_ttf(self, prop),
                            raising=False)
    kept = (backend_pdf.RendererPdf.get_text_width_height_descent,
            backend_pdf.RendererPdf._get_font_ttf)
    used = []

    def failing() -> None:
        with memfonts.measured_in_memory():
            used.append((backend_pdf.RendererPdf.get_text_width_height_descent,
                         backend_pdf.RendererPdf._get_font_ttf))
            raise KeyError

    with pytest.raises(KeyError):
        failing()
    assert used == [(memfonts._measure, memfonts._font) if changed == "none"
                    else kept]
    assert (backend_pdf.RendererPdf.get_text_width_height_descent,
            backend_pdf.RendererPdf._get_font_ttf) == kept
    assert "get_text_width_height_descent" not in vars(backend_pdf.RendererPdf)
