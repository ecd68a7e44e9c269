"""The print map's fonts read into memory, for laying out the PDF's words.

matplotlib opens a font file for FreeType through a Python file object, and
FreeType reads it a few bytes at a time as it lays text out (each read a seek and
a read of the file): measuring and placing the words took most of the time the
PDF's text took to save. A copy of each font read whole into memory (the same
bytes, the same fallback fonts after it) lays text out three times as fast, to the
same positions. matplotlib's own fonts stay the ones the PDF names and embeds: a
font read from memory has no file name.

The copies are read once per process (:func:`read_ahead`, while the process that
draws the map waits for its data) and used only while a PDF is saved
(:func:`measured_in_memory`), where matplotlib measures text as version 3.11 does;
otherwise matplotlib's own way is kept.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import os
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import matplotlib as mpl
from matplotlib import cbook, font_manager
from matplotlib.backends import _backend_pdf_ps, backend_pdf
from matplotlib.ft2font import FT2Font, LoadFlags

MEASURE_SOURCE = "cb41c4109cb22021"
"""The first digits of the SHA-256 of matplotlib 3.11's PDF text measuring and
font setting (``RendererPDFPSBase.get_text_width_height_descent`` and
``_get_font_ttf``, dedented), which :func:`_measure` and :func:`_ready` repeat
with a font read into memory: another text, another way, and matplotlib's own
is used."""
_COPIES: dict[tuple, FT2Font | None] = {}
"""Each font chain read into memory, by what matplotlib caches its own by (None
where one is not made: a chain holding the Last Resort font)."""
_COPY_OF: dict[int, tuple[FT2Font, float]] = {}
"""The copy in memory of each of matplotlib's fonts the PDF writer took last, and
the size it was set to, by the font's id."""


_realpath = functools.lru_cache(64)(os.path.realpath)
"""A font file's real path, as matplotlib keys its fonts by (found once)."""


class Placed(NamedTuple):
    """A glyph laid out, as matplotlib's ``LayoutItem`` gives it to the PDF writer."""

    ft_object: FT2Font
    char: str
    glyph_index: int
    x: float
    y: float
    prev_kern: float


def _key(prop) -> tuple:
    """What matplotlib keys its cached font for *prop* by (its files, kerning
    factor, Last Resort fallback, thread)."""
    files = tuple(
        (_realpath(found.path), found.face_index)
        if isinstance(found, font_manager.FontPath) else (_realpath(found), 0)
        for found in font_manager.fontManager._find_fonts_by_props(prop))
    return (files, mpl.rcParams["text.kerning_factor"],
            mpl.rcParams["font.enable_last_resort"], threading.get_ident())


def _copy(key: tuple) -> FT2Font | None:
    """The font chain of *key* read into memory, as matplotlib makes it from files."""
    if key not in _COPIES:
        files, kerning, last_resort, thread = key
        resort = os.path.realpath(cbook._get_data_path("fonts", "ttf",
                                                       "LastResortHE-Regular.ttf"))
        _COPIES[key] = None if any(path == resort for path, _ in files) else (
            font_manager._get_font.__wrapped__(
                tuple((io.BytesIO(Path(path).read_bytes()), index)
                      for path, index in files),
                _kerning_factor=kerning, thread_id=thread,
                enable_last_resort=last_resort))
    return _COPIES[key]


def read_ahead(props) -> None:
    """Read into memory the fonts of each of *props* (font properties)."""
    for prop in props:
        _copy(_key(prop))


def _ready(copy: FT2Font, size: float) -> FT2Font:
    """*copy* set as matplotlib sets a font it hands out, at *size* points."""
    copy._set_transform([[0x10000, 0], [0, 0x10000]], [0, 0])
    copy.clear()
    copy.set_size(size, 72)
    return copy


def _font(self, prop):
    """matplotlib's font for *prop*, its copy in memory noted for :func:`layout`."""
    font = _backend_pdf_ps.RendererPDFPSBase._get_font_ttf(self, prop)
    copy = None if mpl.rcParams[self._use_afm_rc_name] else _copy(_key(prop))
    if copy is None:
        _COPY_OF.pop(id(font), None)
    else:
        _COPY_OF[id(font)] = (copy, prop.get_size_in_points())
    return font


def _measure(self, s, prop, ismath):
    """The width, height and descent of *s* in points, as matplotlib's PDF writer
    measures plain text, with the font read into memory."""
    copy = None if ismath or mpl.rcParams[self._use_afm_rc_name] else _copy(_key(prop))
    if copy is None:
        return _backend_pdf_ps.RendererPDFPSBase.get_text_width_height_descent(
            self, s, prop, ismath)
    font = _ready(copy, prop.get_size_in_points())
    font.set_text(s, 0.0, flags=LoadFlags.NO_HINTING)
    width, height = font.get_width_height()
    return width / 64, height / 64, font.get_descent() / 64


def layout(string, font, *, features=None, language=None) -> list:
    """The glyphs of *string* in matplotlib's *font* (as the PDF writer took it
    last) laid out by its copy in memory where all the glyphs are the font's own
    (no fallback), else by *font* itself; their outlines not loaded."""
    copy, size = _COPY_OF.get(id(font), (None, 0.0))
    if copy is not None:
        items = _ready(copy, size)._layout(string, LoadFlags.NO_HINTING,
                                           features=features, language=language)
        if all(item.ft_object is copy for item in items):
            return [Placed(font, item.char, item.glyph_index, item.x, item.y,
                           item.prev_kern) for item in items]
    return font._layout(string, LoadFlags.NO_HINTING, features=features,
                        language=language)


def _source_matches() -> bool:
    """Whether matplotlib measures text for PDFs as :func:`_measure` repeats."""
    base = _backend_pdf_ps.RendererPDFPSBase
    method = base.get_text_width_height_descent
    try:
        source = "".join(textwrap.dedent(inspect.getsource(function))
                         for function in (method, base._get_font_ttf))
    except (OSError, TypeError):
        return False
    return (backend_pdf.RendererPdf.get_text_width_height_descent is method
            and backend_pdf.RendererPdf._get_font_ttf
            is _backend_pdf_ps.RendererPDFPSBase._get_font_ttf
            and hashlib.sha256(source.encode()).hexdigest().startswith(MEASURE_SOURCE)
            and list(inspect.signature(getattr(font_manager._get_font, "__wrapped__",
                                               len)).parameters) == [
                "font_filepaths", "_kerning_factor", "thread_id", "enable_last_resort"])


@contextmanager
def measured_in_memory() -> Iterator[None]:
    """While a PDF is saved, measure its words with the fonts read into memory."""
    if not _source_matches():
        yield
        return
    backend_pdf.RendererPdf.get_text_width_height_descent = _measure
    backend_pdf.RendererPdf._get_font_ttf = _font
    try:
        yield
    finally:
        del backend_pdf.RendererPdf.get_text_width_height_descent
        del backend_pdf.RendererPdf._get_font_ttf
        _COPY_OF.clear()
