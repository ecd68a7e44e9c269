"""The print map: map.png, map.pdf and map.svg drawn with matplotlib (no browser).

This module draws and returns bytes; :mod:`geomap.export.print_map` writes them.

The map is drawn in :data:`geomap.schema.METRIC_CRS`, so the scale bar is true. It
sits on a base map of countries and lakes (``shapes/context``), draws doubt as the
web map does (claimed hatched and dashed, contested crosshatched and dotted, places
that changed hands ringed), adds a Goma-Bukavu inset where the corridor is too
crowded to name every town, and writes every word in the build's language. Text
stays text in the SVG, so a graphics desk can edit or translate it. The same
inputs give the same bytes in every format.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from geomap.render.markup import MapText
from geomap.render.print.draw import top_people, view_box
from geomap.render.print.marks import keep_outlines
from geomap.render.print.panel import (
    corridor_bounds,
    draw_panel,
    frame_on,
    label_panel,
    prepare_context,
)
from geomap.render.print.parts import (
    draw_actor_table,
    draw_legend,
    draw_locator,
    draw_scale_bar,
)
from geomap.render.print.save import SAVE_RC, save_figure
from geomap.render.style import CIRCLE_SCALE, MUTED_TEXT_COLOR, TEXT_COLOR
from geomap.schema import METRIC_CRS
from geomap.summarise.areas import attach_summary
from geomap.words import format_date, word

A4_MM = (297.0, 210.0)
DPI = 200


def _frame_text(figure: Figure, text: MapText, top: float) -> None:
    """Title, then the as-of date, the comparison date and the latest record."""
    lang = text.lang
    figure.text(0.03, top, text.title, fontsize=16, fontweight="bold", va="top",
                parse_math=False, color=TEXT_COLOR)
    parts = [word("as_of", lang, date=format_date(text.as_of, lang))]
    if text.compare is not None:
        parts.append(word("changes_since", lang, date=format_date(text.compare, lang)))
    latest = getattr(text, "latest_record", None)
    if latest is not None and not pd.isna(latest):
        parts.append(word("latest_record", lang, date=format_date(latest, lang)))
    figure.text(0.03, top - 0.045, "  ·  ".join(parts), fontsize=11, va="top",
                color=TEXT_COLOR, parse_math=False)


def _footer_lines(text: MapText, width_in: float, context: bool) -> list[str]:
    """Sources, projection and disclaimer, wrapped to the page width."""
    lang = text.lang
    chars = int(width_in * 72 / 6.5 * 1.85)
    names = text.credits or [name for name, _, _ in text.sources]
    sources = (word("sources_line", lang, names="; ".join(names)
                    or word("sources_not_recorded", lang))
               + " " + word("sources_in_report", lang))
    if context:
        sources += " " + word("context_credit", lang)
    lines = textwrap.wrap(sources, chars)[:4]
    lines += textwrap.wrap(word("disclaimer", lang) + " "
                           + word("projection", lang, crs=METRIC_CRS), chars)
    return lines


def _map_box(bounds, max_w: float, max_h: float) -> tuple[float, float]:
    """Width and height (inches) of the map frame that keep the data's aspect."""
    minx, miny, maxx, maxy = bounds
    aspect = (maxx - minx) / max(maxy - miny, 1.0)
    width, height = max_h * aspect, max_h
    if width > max_w:
        width, height = max_w, max_w / aspect
    return width, height


def build_static_map(places: gpd.GeoDataFrame, areas: pd.DataFrame,
                     mines: gpd.GeoDataFrame, text: MapText, *,
                     actors: pd.DataFrame | None = None,
                     size_mm: tuple[float, float] = A4_MM,
                     country: gpd.GeoDataFrame | None = None,
                     context: dict[str, gpd.GeoDataFrame] | None = None,
                     changes: pd.DataFrame | None = None) -> Figure:
    """Draw the print map on a matplotlib figure of *size_mm* (A4 landscape).

    Parameters
    ----------
    places : GeoDataFrame
        Admin areas, towns and record-made places.
    areas : DataFrame
        The per-place summary (who controls what, people displaced).
    mines : GeoDataFrame
        Mining sites.
    text : MapText
        Title, dates, source credits and language.
    actors : DataFrame, optional
        The per-actor summary, shown as a small table.
    size_mm : (float, float)
        Page width and height in millimetres.
    country : GeoDataFrame, optional
        The DR Congo outline, for the locator.
    context : dict, optional
        Base-map layers by name (``countries``, ``lakes``), drawn under the data.
    changes : DataFrame, optional
        Places that changed hands since ``text.compare`` (``place`` column), ringed.

    Returns
    -------
    Figure
        A figure with an Agg canvas; nothing is shown or written.
    """
    lang = text.lang
    width_in, height_in = size_mm[0] / 25.4, size_mm[1] / 25.4
    figure = Figure(figsize=(width_in, height_in), facecolor="white")
    FigureCanvasAgg(figure)
    joined = _drawn_columns(attach_summary(places, areas)).to_crs(METRIC_CRS)
    mines_m = mines.to_crs(METRIC_CRS)
    bounds = _padded_bounds(joined, mines_m)
    base = prepare_context(context, bounds)
    footer = _footer_lines(text, width_in - 0.7, bool(base))
    top_in, left_in, gap = 0.95, 0.35, 0.3
    bottom_in = 0.3 + len(footer) * 6.5 * 1.35 / 72
    avail_h = height_in - top_in - bottom_in
    map_w, map_h = _map_box(bounds, width_in * 0.45, avail_h)
    ax = figure.add_axes((left_in / width_in, bottom_in / height_in,
                          map_w / width_in, map_h / height_in))
    top = top_people(joined)
    changed = set(changes["place"]) if changes is not None and len(changes) else set()
    draw_panel(ax, joined, mines_m, bounds, context=base, changes=changes, top=top)
    furniture = draw_scale_bar(ax, bounds)
    corridor = corridor_bounds(joined, bounds)
    only = None
    if corridor is not None:  # the inset names the corridor's towns; cities stay
        frame_on(ax, corridor)
        inside = joined.representative_point().within(view_box(corridor))
        only = set(joined.loc[~inside | joined["pcode"].notna(), "place"])
    left_out = label_panel(ax, joined, mines_m, context=base, bounds=bounds, lang=lang,
                           changed=changed if only is None else changed & only,
                           avoid=furniture, only=only, rings=changed)
    _frame_text(figure, text, 1 - 0.3 / height_in)
    x = left_in + map_w + gap
    rest = width_in - x - 0.3
    column = rest * 0.5 - gap / 2
    if corridor is not None:
        left_out += _draw_inset(figure, (x, bottom_in, column, map_h), joined, mines_m,
                                corridor, base=base, changes=changes, top=top,
                                lang=lang, changed=changed, actors=actors)
        legend_x = x + column + gap
    else:
        legend_x = x
    legend_w = rest - column - gap if corridor is not None else column
    under = draw_legend(figure, (legend_x / width_in, bottom_in / height_in,
                                 legend_w / width_in, map_h / height_in), areas, top,
                        CIRCLE_SCALE, lang=lang, context=bool(base),
                        changes_since=format_date(text.compare, lang)
                        if changed else None)
    side_x = legend_x if corridor is not None else x + column + gap
    side_top = under - 0.15 / height_in if corridor is not None else (
        bottom_in + map_h) / height_in
    side_w = legend_w if corridor is not None else rest - column - gap
    below = draw_locator(figure, (side_x / width_in, bottom_in / height_in,
                                  side_w / width_in, side_top - bottom_in / height_in),
                         places, bounds, lang=lang, country=country)
    if corridor is None and actors is not None and len(actors):
        draw_actor_table(figure, (side_x / width_in, bottom_in / height_in,
                                  side_w / width_in, below - bottom_in / height_in),
                         actors, lang=lang)
    if left_out:
        figure.text((left_in + map_w) / width_in, (bottom_in - 0.04) / height_in,
                    word("crowded_names", lang, count=left_out), fontsize=6,
                    color=MUTED_TEXT_COLOR, ha="right", va="top")
    figure.text(left_in / width_in, 0.12 / height_in, "\n".join(footer), fontsize=6.5,
                color=TEXT_COLOR, va="bottom", linespacing=1.35, parse_math=False)
    return figure


def _draw_inset(figure: Figure, box_in, joined, mines, corridor, *, base, changes,
                top: float, lang: str, changed: set, actors) -> int:
    """The Goma-Bukavu inset at the top of its column, the actor table under it.

    Returns the names left out in the inset.
    """
    x, bottom, width, height = box_in
    fig_w, fig_h = figure.get_figwidth(), figure.get_figheight()
    table_h = 0.75 + 0.21 * (min(len(actors), 8) if actors is not None else 0)
    aspect = (corridor[2] - corridor[0]) / (corridor[3] - corridor[1])
    inset_h = min(height - table_h - 0.6, width / aspect)
    inset_w = inset_h * aspect
    y = bottom + height - 0.25 - inset_h  # room for the title above
    ax = figure.add_axes((x / fig_w, y / fig_h, inset_w / fig_w, inset_h / fig_h))
    draw_panel(ax, joined, mines, corridor, context=base, changes=changes, top=top)
    furniture = draw_scale_bar(ax, corridor, north=False, right=True)
    ax.set_title(word("inset_title", lang), fontsize=9, fontweight="bold", loc="left",
                 color=TEXT_COLOR)
    left_out = label_panel(ax, joined, mines, context=base, bounds=corridor,
                           lang=lang, changed=changed, avoid=furniture, areas=False,
                           rings=changed)
    if actors is not None and len(actors):
        draw_actor_table(figure, (x / fig_w, bottom / fig_h, width / fig_w,
                                  (y - bottom - 0.3) / fig_h), actors, lang=lang)
    return left_out


DRAWN = ("place", "name", "kind", "level", "pcode", "actor", "confidence", "people",
         "mines")
"""The columns of the places and their summary that the print map reads."""


def _drawn_columns(joined: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """*joined* with only the columns the map reads (:data:`DRAWN`) and its geometry:
    every selection of rows while drawing then copies a few columns, not thirty."""
    kept = [name for name in joined.columns
            if name in DRAWN or name == joined.geometry.name]
    return joined[kept]


def _padded_bounds(joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame
                   ) -> tuple[float, float, float, float]:
    """Metric bounds of everything drawn, with a 6 % margin (at least 2 km)."""
    frames = [frame.geometry for frame in (joined, mines) if len(frame)]
    minx, miny, maxx, maxy = pd.concat(frames).total_bounds
    pad = max(0.06 * max(maxx - minx, maxy - miny), 2000.0)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _pixels(figure: Figure, dpi: int) -> tuple[int, int]:
    """Width and height in whole pixels of *figure*'s page at *dpi*."""
    return tuple(round(inches * dpi) for inches in figure.get_size_inches())


PRINTED = ("map.png", "map.pdf", "map.svg")
"""The print map's files, in the order :func:`draw_static_map` returns them."""
_UNPRINTABLE = {"Cc", "Cf", "Cs"}
"""Unicode categories no print map shows: control and format characters (a BOM or a
zero-width space inside a name, bidi marks) and lone surrogates. matplotlib's PDF
writer fails on some of them (U+FEFF), and none has a glyph."""


def printable(text: str) -> str:
    """*text* without control, format or surrogate characters (line breaks kept)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text
                   if ch == "\n" or unicodedata.category(ch) not in _UNPRINTABLE)


def _texts(artist) -> Iterator[Text]:
    """Every text under *artist*, except in axes' x and y axes (the print map shows
    no tick labels; walking them makes matplotlib create every tick, which took
    longer than saving the SVG)."""
    for child in artist.get_children():
        if isinstance(child, Axis):
            continue
        if isinstance(child, Text):
            yield child
        yield from _texts(child)


def _printable_texts(figure: Figure) -> None:
    """Drop unprintable characters from every text on *figure* (see :func:`printable`)."""
    for artist in _texts(figure):
        shown = artist.get_text()
        clean = printable(shown)
        if clean != shown:
            artist.set_text(clean)


def print_figure(*args: Any, **kwargs: Any) -> Figure:
    """The print map drawn, with printable text only, ready for :func:`save_printed`.

    Parameters are those of :func:`build_static_map`. The figure can be saved by
    this process or by a copy of it (a fork), in any of its formats.
    """
    with mpl.rc_context(SAVE_RC):
        figure = build_static_map(*args, **kwargs)
        _printable_texts(figure)
        keep_outlines(figure)  # once, for every format and process that saves it
    return figure


def save_printed(figure: Figure, title: str, files: tuple[str, ...] = PRINTED, *,
                 dpi: int = DPI) -> dict[str, bytes]:
    """The files of a figure from :func:`print_figure`, as bytes.

    Parameters
    ----------
    figure : Figure
        The drawn print map.
    title : str
        The map's title, stored in each file's metadata.
    files : tuple of str
        The files wanted, from :data:`PRINTED`.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    dict of str to bytes
        File name to its bytes, in the order of :data:`PRINTED`.
    """
    _check_files(files)
    saved = save_figure(figure, tuple(name.split(".")[1] for name in files),
                        title=printable(title), pixels=_pixels(figure, dpi), dpi=dpi)
    return {name: saved[name.split(".")[1]] for name in PRINTED if name in files}


def _check_files(files: tuple[str, ...]) -> None:
    """Refuse names of files the print map does not have."""
    unknown = sorted(set(files) - set(PRINTED))
    if unknown:
        msg = f"Unknown print map files {unknown}: expected some of {list(PRINTED)}."
        raise ValueError(msg)


def draw_static_map(places: gpd.GeoDataFrame, areas: pd.DataFrame,
                    mines: gpd.GeoDataFrame, text: MapText, *,
                    actors: pd.DataFrame | None = None, dpi: int = DPI,
                    size_mm: tuple[float, float] = A4_MM,
                    country: gpd.GeoDataFrame | None = None,
                    context: dict[str, gpd.GeoDataFrame] | None = None,
                    changes: pd.DataFrame | None = None,
                    files: tuple[str, ...] = PRINTED) -> dict[str, bytes]:
    """The print map as the bytes of ``map.png``, ``map.pdf`` and ``map.svg``.

    Parameters
    ----------
    places, areas, mines, text, actors, country, context, changes
        As for :func:`build_static_map`.
    dpi : int
        Resolution of the PNG (A4 landscape at 200 dpi is 2339 x 1654 pixels).
    size_mm : (float, float)
        Page size in millimetres.
    files : tuple of str
        The files wanted, from :data:`PRINTED`; only these are drawn.

    Returns
    -------
    dict of str to bytes
        File name to its bytes, in the order of :data:`PRINTED`; nothing is
        written. No dates or random ids are stored in them; the SVG keeps its
        words as text, the PDF embeds TrueType fonts.
    """
    _check_files(files)
    figure = print_figure(places, areas, mines, text, actors=actors, size_mm=size_mm,
                          country=country, context=context, changes=changes)
    return save_printed(figure, text.title, files, dpi=dpi)
