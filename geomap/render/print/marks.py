"""Labels and their halos as annotations that cost less to draw more than once.

The print map is saved as a PDF and an SVG (the PNG is the PDF's page):
matplotlib draws every artist once per file. Two parts of a label's drawing give the same result each time and
are done once here: the outline of a halo's text, and the test of which points of
a leader line fall inside the label's box. What is drawn is what
``Axes.annotate`` draws.

The outlines are computed once the map is drawn (:func:`keep_outlines`), before a
build forks the process that saves the PDF beside the one saving the SVG:
otherwise each of the two would compute them all.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation
from matplotlib.textpath import TextToPath
from matplotlib.transforms import IdentityTransform


class _KeptOutlines(TextToPath):
    """Text outlines that are kept: each halo's are computed once, not once per file.

    A halo is drawn as the outline of its text, which matplotlib computes (text
    layout, then every glyph's outline) each time the halo is drawn: once for the
    PDF, once for the SVG. Plain text is outlined as matplotlib's
    ``TextToPath.get_text_path`` does, each glyph's outline loaded once for all
    the texts (the names on a map share most of their letters).
    """

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[tuple, tuple] = {}
        self._glyphs: dict[tuple, tuple] = {}
        self.halos: list[_Halo] = []

    def get_text_path(self, prop, s, ismath=False, **options):
        """The outline of *s* in *prop*, as matplotlib's, computed once."""
        key = (tuple(prop.get_family()), prop.get_style(), prop.get_variant(),
               prop.get_weight(), prop.get_stretch(), prop.get_size_in_points(),
               prop.get_file(), s, ismath, tuple(sorted(options.items())))
        if key not in self._kept:
            if ismath is False and set(options) <= {"features", "language"} \
                    and hasattr(FT2Font, "_layout"):  # matplotlib 3.11's layout
                self._kept[key] = self._outline(prop, s, **options)
            else:
                verts, codes = super().get_text_path(prop, s, ismath=ismath, **options)
                self._kept[key] = (np.array(verts, dtype=float).reshape(-1, 2),
                                   list(codes))
        verts, codes = self._kept[key]
        return verts.copy(), list(codes)

    def _outline(self, prop, s, features=None, language=None) -> tuple:
        """The vertices and codes ``TextToPath.get_text_path`` gives for plain text:
        each glyph's outline moved to its place in the laid-out text."""
        parts, codes = [], []
        items = self._get_font(prop)._layout(s, LoadFlags.NO_HINTING,
                                             features=features, language=language)
        for item in items:
            glyph = (item.ft_object.postscript_name, item.glyph_index)
            if glyph not in self._glyphs:
                item.ft_object.load_glyph(item.glyph_index, flags=LoadFlags.NO_HINTING)
                self._glyphs[glyph] = item.ft_object.get_path()
            glyph_verts, glyph_codes = self._glyphs[glyph]
            parts.append(glyph_verts * 1.0 + [item.x, item.y])
            codes.extend(glyph_codes)
        verts = np.concatenate(parts) if parts else np.empty((0, 2))
        return verts.reshape(-1, 2).astype(float, copy=False), codes


class _Halo(Annotation):
    """A label's halo: its text stroked, drawn from outlines kept between files.

    The outlines are the ones matplotlib draws text effects from (its renderers'
    ``_text2path``); where a renderer has none, matplotlib's own way is used.
    """

    def __init__(self, *args, outlines: _KeptOutlines, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._outlines = outlines

    def draw(self, renderer) -> None:
        """Draw the halo, with the kept outlines."""
        if isinstance(getattr(renderer, "_text2path", None), TextToPath):
            renderer._text2path = self._outlines
        super().draw(renderer)


def keep_outlines(figure) -> None:
    """Compute now the outlines of every halo on *figure*, as its drawing asks for
    them (one call per line of text; a single line carries the halo's font
    features and language), so that every later save finds them kept."""
    outlines = figure.__dict__.get("_geomap_outlines")
    if outlines is None:
        return
    for halo in outlines.halos:
        lines = halo.get_text().split("\n")
        features, language = (halo.get_fontfeatures(), halo.get_language()) if len(
            lines) == 1 else (None, None)
        for line in lines:
            outlines.get_text_path(halo.get_fontproperties(), line, ismath=False,
                                   features=features, language=language)


class _Box(Rectangle):
    """A rectangle in pixels whose inside is tested by four comparisons."""

    def contains(self, mouseevent, radius=None):
        """Whether the point is strictly inside (the box has no stroked edge)."""
        x, y = self.get_xy()
        return (x < mouseevent.x < x + self.get_width()
                and y < mouseevent.y < y + self.get_height()), {}


class _Label(Annotation):
    """A label whose leader line is cut at its box by a cheaper inside test.

    ``Annotation.update_positions`` cuts the leader where it leaves the label's
    box (padded, in pixels) by bisection, testing each point with a generic
    ``Path.contains_point``: that was most of the time a leader took to draw.
    """

    def update_positions(self, renderer) -> None:
        """Place the text and leader as matplotlib does, then swap the box test."""
        super().update_positions(renderer)
        box = self.arrow_patch.patchA if self.arrow_patch is not None else None
        if type(box) is Rectangle and isinstance(box.get_data_transform(),
                                                 IdentityTransform):
            self.arrow_patch.set_patchA(_Box(box.get_xy(), box.get_width(),
                                             box.get_height(),
                                             transform=IdentityTransform(),
                                             clip_on=False))


def _add(ax, annotation: Annotation) -> Annotation:
    """Add *annotation* to *ax* as ``Axes.annotate`` does: not clipped (adding it
    as any artist clips it to the axes, and undoing that cost more than the rest)."""
    annotation.set_transform(IdentityTransform())
    ax._add_text(annotation)
    return annotation


def add_label(ax, text: str, xy, **options) -> Annotation:
    """A label: *options* as for ``Axes.annotate``."""
    return _add(ax, _Label(text, xy, **options))


def add_halo(ax, label: Annotation, **style) -> Annotation:
    """A halo under *label*: the same text at the same place, no leader, in *style*
    (colour and path effects), just under the label; its gid is 'halo'."""
    outlines = ax.figure.__dict__.setdefault("_geomap_outlines", _KeptOutlines())
    halo = _add(ax, _Halo(label.get_text(), label.xy, xytext=label.xyann,
                          textcoords="offset points", ha=label.get_ha(),
                          va=label.get_va(), parse_math=False, annotation_clip=False,
                          fontsize=label.get_fontsize(),
                          fontstyle=label.get_fontstyle(),
                          fontweight=label.get_fontweight(),
                          zorder=label.get_zorder() - 0.01,
                          rotation=label.get_rotation(), outlines=outlines, **style))
    halo.set_gid("halo")
    outlines.halos.append(halo)
    return halo
