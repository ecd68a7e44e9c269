"""Save a drawn print map as the bytes of ``map.png``, ``map.pdf`` and ``map.svg``.

Only the formats asked for are drawn (the report embeds the PNG alone, which is
drawn from the PDF: a PNG draws the PDF too, and does not keep it). Text stays
text: in the SVG every word is a ``<text>`` element (``svg.fonttype: none``), and
the PDF embeds its fonts as TrueType (``pdf.fonttype: 42``, not Type 3 glyph
procedures), with a ToUnicode map, so that the words can be selected, searched and
edited in a drawing program. The PNG is the PDF's page rasterised by PDFium
(pypdfium2), so the picture and the printable file are one drawing. No date or
random id is written: the same figure gives the same bytes.
"""

from __future__ import annotations

import inspect
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import matplotlib as mpl
import matplotlib.backends.backend_pdf  # imported with this module (and so before a
import matplotlib.backends.backend_svg  # build forks the process drawing the map)
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools import subset
from matplotlib import _text_helpers, font_manager
from matplotlib.backends import _backend_pdf_ps, backend_pdf
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font, LoadFlags
from PIL.PngImagePlugin import PngInfo

from geomap.render.print import WARM_UP_STEPS

SAVE_RC = {"svg.hashsalt": "geomap", "svg.fonttype": "none", "pdf.fonttype": 42,
           "pdf.compression": 3, "font.family": "DejaVu Sans", "path.simplify": True}
"""svg.fonttype 'none' keeps every word as a <text> element in map.svg; pdf.fonttype 42
embeds TrueType fonts in map.pdf, which editors can edit as text. map.pdf's streams
are compressed at zlib level 3, not matplotlib's 6: a tenth less time to save the
page, for a file 7 % larger (385 KB for the bundled map)."""
PNG_COMPRESSION = 3
"""zlib level of map.png: level 6 (Pillow's default) took twice as long on the A4 map
for a file 1 % smaller."""
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "morx",
                 "mort", "kerx")
"""Font tables left out of the fonts embedded in map.pdf: they tell a text layout
engine how to pick and place glyphs (ligatures, kerning), which matplotlib has done
already; a PDF reader draws the glyphs where the page puts them. Reading and
subsetting them was most of the time a PDF took to write."""
READ_AHEAD = ("cmap", "post", "glyf", "hmtx")
"""Tables of an embedded font that subsetting reads whole (the characters' glyphs,
their names, outlines and widths): most of the time it takes once the layout tables
are left out."""
FACES = (({}, 2), ({"weight": "bold"}, 1), ({"style": "italic"}, 1))
"""The faces of the print map's words (font properties beside the family) and how
many subsets of each its PDF embeds: a subset holds at most 256 glyphs, and the
regular face's words (names, figures, notes) hold more."""
_READ_AHEAD: dict[tuple[str, int], list] = {}
"""Fonts read by :func:`read_fonts_ahead` by path and face index, not used yet."""


PDF_METADATA = {"CreationDate": None, "ModDate": None, "Creator": "geomap",
                "Producer": "geomap"}
"""What map.pdf says of itself besides its title: no dates (the same figure gives the
same bytes)."""
_PDFIUM = threading.Lock()
"""PDFium is not safe to call from two threads at once."""


def save_png(pdf: bytes, pixels: tuple[int, int], dpi: int,
             metadata: dict[str, str]) -> bytes:
    """The first page of *pdf* rasterised to *pixels* (width, height) by PDFium, as an
    opaque RGB PNG marked *dpi* (the page is white: no alpha).

    The page is drawn to exactly *pixels*, stretched by less than a pixel where the
    page's size at *dpi* is not whole pixels.
    """
    width, height = pixels
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            bitmap = pdfium.PdfBitmap.new_native(width, height, pdfium_c.FPDFBitmap_BGR,
                                                 rev_byteorder=True)
            pdfium_c.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xFFFFFFFF)  # white
            pdfium_c.FPDF_RenderPageBitmap(bitmap, document[0], 0, 0, width, height, 0,
                                           pdfium_c.FPDF_REVERSE_BYTE_ORDER)
            image = bitmap.to_pil()
        finally:
            document.close()
    info = PngInfo()
    for key, value in metadata.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    image.save(buffer, format="png", pnginfo=info, dpi=(dpi, dpi),
               compress_level=PNG_COMPRESSION)
    return buffer.getvalue()


def save_vector(figure: Figure, fmt: str, metadata: dict[str, object]) -> bytes:
    """The figure as PDF or SVG bytes (call inside ``mpl.rc_context(SAVE_RC)``)."""
    buffer = io.BytesIO()
    with _lean_font_subsets() if fmt == "pdf" else _nothing(), \
            _glyphs_unloaded() if fmt == "pdf" else _nothing():
        figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


@contextmanager
def _nothing() -> Iterator[None]:
    """A context that changes nothing."""
    yield


def _subset_options(face_index: int) -> subset.Options:
    """The options of matplotlib's TrueType subsetting, and :data:`LAYOUT_TABLES`
    dropped."""
    options = subset.Options(glyph_names=True, recommended_glyphs=True)
    options.drop_tables += [*LAYOUT_TABLES, "FFTM", "PfEd", "BDF", "meta", "MERG",
                            "TSIV", "Zapf", "bdat", "bloc", "cidg", "fdsc", "feat",
                            "fmtx", "fond", "just", "ltag", "trak", "xref"]
    options.font_number = face_index
    return options


def _lean_font(path: str, options: subset.Options):
    """The font at *path*, read as subsetting reads it, without its layout tables."""
    font = subset.load_font(path, options)
    for tag in LAYOUT_TABLES:  # before subsetting, which walks every layout lookup
        if tag in font:
            del font[tag]
    return font


def _subset_without_layout(fontfile, glyphs):
    """matplotlib's TrueType subsetting, without the :data:`LAYOUT_TABLES` (on a font
    :func:`read_fonts_ahead` read, when one is left)."""
    options = _subset_options(fontfile.face_index)
    ready = _READ_AHEAD.get((str(fontfile), fontfile.face_index))
    font = ready.pop() if ready else _lean_font(fontfile, options)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(gids=glyphs)
    subsetter.subset(font)
    return _backend_pdf_ps.SubsetResults(font, subsetter.glyph_index_map)._as_cm()


@contextmanager
def _lean_font_subsets() -> Iterator[None]:
    """While a PDF is written, embed each font without its layout tables.

    matplotlib's PDF writer subsets each TrueType font it embeds with fontTools
    (``matplotlib.backends._backend_pdf_ps.get_glyphs_subset``), keeping the
    layout tables. Where that function takes a font path and glyph indices
    (matplotlib 3.11), the same subsetting without them is used for this save;
    with another matplotlib, its own is kept (slower, same text).
    """
    original = getattr(_backend_pdf_ps, "get_glyphs_subset", None)
    if original is None or not hasattr(_backend_pdf_ps, "SubsetResults") or list(
            inspect.signature(original).parameters) != ["fontfile", "glyphs"]:
        yield
        return
    _backend_pdf_ps.get_glyphs_subset = _subset_without_layout
    try:
        yield
    finally:
        _backend_pdf_ps.get_glyphs_subset = original


LAYOUT_TESTED = "3.11."
"""The matplotlib release whose text layout :func:`_layout_unloaded` repeats (its
tests hold the PDF to matplotlib's own there); another keeps matplotlib's."""


def _layout_unloaded(string, font, *, features=None, language=None):
    """The laid-out glyphs of *string* in *font*, as ``_text_helpers.layout`` gives
    them, without loading each glyph's outline into the font."""
    return font._layout(string, LoadFlags.NO_HINTING, features=features,
                        language=language)


@contextmanager
def _glyphs_unloaded() -> Iterator[None]:
    """While a PDF is written, lay its words out without loading their glyphs.

    matplotlib's PDF writer places each glyph of a word where the text layout puts
    it (``_text_helpers.layout``), and that layout loads each glyph's outline into
    the font as it goes, which is unused: the glyph's code and place are written,
    and a reader draws it from the embedded TrueType font (``pdf.fonttype`` 42). Where
    the PDF writer lays text out through ``_text_helpers.layout(string, font, *,
    features, language)`` and the font has ``_layout`` (matplotlib 3.11), the same
    layout without the outlines is used for this save; otherwise, and for Type 3
    fonts (drawn from the outlines), matplotlib's own.
    """
    original = getattr(_text_helpers, "layout", None)
    if (mpl.rcParams["pdf.fonttype"] != 42
            or not mpl.__version__.startswith(LAYOUT_TESTED)
            or getattr(backend_pdf, "_text_helpers", None) is not _text_helpers
            or original is None or not hasattr(FT2Font, "_layout")
            or list(inspect.signature(original).parameters) != [
                "string", "font", "features", "language"]):
        yield
        return
    backend_pdf._text_helpers = SimpleNamespace(**{**vars(_text_helpers),
                                                   "layout": _layout_unloaded})
    try:
        yield
    finally:
        backend_pdf._text_helpers = _text_helpers


def save_figure(figure: Figure, formats: tuple[str, ...], *, title: str,
                pixels: tuple[int, int], dpi: int) -> dict[str, bytes]:
    """The figure in each of *formats* (``pdf``, ``svg``, ``png``), as bytes.

    The PNG is the PDF rasterised to *pixels* at *dpi* (:func:`save_png`): a PNG
    without the PDF still draws the PDF, and does not keep it.
    """
    saved = {}
    with mpl.rc_context(SAVE_RC):
        if "pdf" in formats or "png" in formats:
            saved["pdf"] = save_vector(figure, "pdf", {**PDF_METADATA, "Title": title})
        if "svg" in formats:
            saved["svg"] = save_vector(figure, "svg", {
                "Date": None, "Creator": "geomap", "Title": title})
    if "png" in formats:
        saved["png"] = save_png(saved["pdf"], pixels, dpi,
                                {"Software": "geomap", "Title": title})
    if "pdf" not in formats:
        saved.pop("pdf", None)
    return saved


def read_fonts_ahead() -> None:
    """Read the fonts the next PDF will embed (:data:`FACES`), each table subsetting
    reads whole (:data:`READ_AHEAD`) read now, for :func:`_subset_without_layout`.

    Each font read ahead is used by one subset of one PDF, then dropped: the PDF's
    bytes are those of a font read then.
    """
    for style, copies in FACES:
        found = font_manager.findfont(font_manager.FontProperties(
            family=SAVE_RC["font.family"], **style))
        index = getattr(found, "face_index", 0)
        fonts = _READ_AHEAD.setdefault((str(found), index), [])
        for _ in range(copies - len(fonts)):
            font = _lean_font(str(found), _subset_options(index))
            for tag in READ_AHEAD:
                if tag in font:
                    font[tag]  # read now: fontTools reads a table when asked
            fonts.append(font)


def warm_up_words() -> None:
    """Load the fonts of the map's words (regular, bold, italic) and lay a word out
    in each on the Agg canvas, as the first print map a process draws would."""
    with mpl.rc_context(SAVE_RC):
        figure = Figure(figsize=(1, 1))
        canvas = FigureCanvasAgg(figure)
        for rank, style in enumerate(({}, {"fontweight": "bold"},
                                      {"fontstyle": "italic"})):
            figure.text(0.1, 0.1 + 0.3 * rank, "Kivu 1", fontsize=8, **style)
        canvas.draw()


def warm_up_pages() -> None:
    """Save a one-word PDF (importing what fontTools' font subsetting imports as it
    meets each table) and rasterise it to a PNG (PDFium's first page, Pillow's
    image plugins), as the first print map a process saves would."""
    with mpl.rc_context(SAVE_RC):
        figure = Figure(figsize=(1, 1))
        figure.text(0.1, 0.1, "Kivu 1", fontsize=8)
        pdf = save_vector(figure, "pdf", {"CreationDate": None, "ModDate": None})
    save_png(pdf, (72, 72), 72, {})


def warm_up() -> None:
    """Pay now what the first print map a process saves pays once, on first use
    (:data:`~geomap.render.print.WARM_UP_STEPS`).

    A process that will draw the print map calls it while it waits for the data;
    nothing it does is written into a map (the files stay the same bytes).
    """
    for step in WARM_UP_STEPS:
        globals()[step]()
