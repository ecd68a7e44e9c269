"""Pieces of the print map: legend, locator, actor table and scale bar.

Every word comes from :mod:`geomap.words` in the build's language, every colour and
pattern from :mod:`geomap.render.style`, so the legend shows exactly what the map
draws.
"""

from __future__ import annotations

import math
import textwrap

import geopandas as gpd
import pandas as pd
from matplotlib.patches import Circle, Rectangle

from geomap.actors import CONTESTED, CONTESTED_COLOR, actor_for, controller_color
from geomap.render.print.draw import MINE_STYLE, add_patch, add_shapes, line_style
from geomap.render.print.labels import short_name
from geomap.render.style import (
    BORDER_COLOR,
    CONFIDENCE_STYLES,
    HOLLOW_FILL,
    LAND_COLOR,
    LOCATOR_FRAME_COLOR,
    MUTED_TEXT_COLOR,
    NEIGHBOUR_COLOR,
    NO_RECORD_FILL,
    OUTLINE_COLOR,
    PEOPLE_STYLE,
    RING_SIZE,
    RING_STROKES,
    TEXT_COLOR,
    WATER_COLOR,
    WATER_EDGE,
    circle_radius,
)
from geomap.schema import DRC_BOUNDS, METRIC_CRS, STORAGE_CRS
from geomap.words import actor_name, format_number, word

ROW_IN = 0.2
"""Height of one legend line, in inches."""
CHAR_IN = 0.058
"""Rough width of one character at 8 points, in inches (to wrap legend text)."""


def _inch_axes(figure, rect):
    """An axes without frame whose data units are inches, y growing downwards."""
    ax = figure.add_axes(rect)
    ax.set_axis_off()
    width = rect[2] * figure.get_figwidth()
    height = rect[3] * figure.get_figheight()
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    return ax, width, height


class _Legend:
    """A column of legend rows on an inch axes, from the top down."""

    def __init__(self, ax, width: float) -> None:
        self.ax, self.y = ax, 0.05
        self.chars = max(int((width - 0.42) / CHAR_IN), 12)

    def header(self, label: str) -> None:
        self.ax.text(0, self.y, label, fontsize=10, fontweight="bold", va="top",
                     color=TEXT_COLOR, parse_math=False)
        self.y += 0.27

    def text(self, label: str, x: float = 0.42, size: float = 8) -> None:
        """Wrapped text beside a symbol; moves down by its number of lines."""
        lines = textwrap.wrap(label, self.chars) or [""]
        self.ax.text(x, self.y + 0.06, "\n".join(lines), fontsize=size, va="top"
                     if len(lines) > 1 else "center", color=TEXT_COLOR,
                     parse_math=False, linespacing=1.15)
        if len(lines) > 1:  # top-aligned text starts at the symbol's middle
            self.ax.texts[-1].set_y(self.y - 0.02)
        self.y += ROW_IN + (len(lines) - 1) * 0.14 + 0.04

    def swatch(self, label: str, face, *, edge=OUTLINE_COLOR, hatch=None,
               style="-", width=0.8) -> None:
        add_patch(self.ax, Rectangle((0.02, self.y - 0.02), 0.28, 0.16, facecolor=face,
                                     edgecolor=edge, hatch=hatch, linestyle=style,
                                     linewidth=width))
        self.text(label)


def draw_legend(figure, rect, areas: pd.DataFrame, top_people: float, scale: float, *,
                lang: str = "en", changes_since: str | None = None,
                context: bool = False) -> float:
    """Legend of the map's symbols; return the figure y (0-1) of its bottom.

    Control: one swatch per actor present, then how each confidence is drawn
    (solid, hatched and dashed, crosshatched and dotted), with the same patterns
    as the map, so doubt reads in greyscale. *changes_since* (a written date)
    adds the changed-hands ring; *context* adds the border and lake symbols.
    """
    ax, width, _ = _inch_axes(figure, rect)
    legend = _Legend(ax, width)
    legend.header(word("control", lang))
    present = sorted(a for a in pd.unique(areas["actor"].dropna()) if a != CONTESTED)
    for actor in present:
        legend.swatch(short_name(actor_name(actor, lang), 34), actor_for(actor).color)
    stripes = [actor_for(actor).color for actor in present[:3]] or [CONTESTED_COLOR]
    for i, color in enumerate(stripes):  # assessed: the actors' own solid colours
        add_patch(ax, Rectangle((0.02 + 0.28 * i / len(stripes), legend.y - 0.02),
                                0.28 / len(stripes), 0.16, facecolor=color,
                                edgecolor="none"))
    legend.swatch(word("print_assessed", lang), "none")
    for confidence, key in (("claimed", "print_claimed"),
                            ("contested", "print_contested")):
        style = CONFIDENCE_STYLES[confidence]
        face = CONTESTED_COLOR if confidence == "contested" else HOLLOW_FILL
        legend.swatch(word(key, lang), face, hatch=style.hatch,
                      style=line_style(confidence), width=1.2)
    legend.swatch(word("no_control_record", lang), NO_RECORD_FILL)
    add_patch(ax, Circle((0.16, legend.y + 0.06), 0.055, facecolor=CONTESTED_COLOR,
                         edgecolor=OUTLINE_COLOR, linewidth=0.7))
    legend.text(word("town_legend", lang))
    if changes_since is not None:
        ring = RING_SIZE / 72 / 2
        for color, lw in RING_STROKES:
            add_patch(ax, Circle((0.16, legend.y + 0.06), ring, facecolor="none",
                                 edgecolor=color, linewidth=lw))
        legend.text(word("layer_changes", lang, date=changes_since))
    legend.swatch(word("admin_boundary", lang), "none", width=0.9)
    if context:
        ax.plot([0.02, 0.30], [legend.y + 0.06] * 2, color=BORDER_COLOR, linewidth=1.0,
                linestyle=(0, (5, 2, 1, 2)))
        legend.text(word("country_border", lang))
        legend.swatch(word("lake", lang), WATER_COLOR, edge=WATER_EDGE, width=0.5)
    legend.y += 0.12
    legend.header(word("people_displaced", lang))
    _people_circles(ax, legend, top_people, scale, lang)
    legend.header(word("mining_sites", lang))
    ax.scatter([0.16], [legend.y + 0.06], s=22, **MINE_STYLE)
    legend.text(word("mining_site", lang))
    return rect[1] + rect[3] - legend.y / figure.get_figheight()


def _people_circles(ax, legend: _Legend, top: float, scale: float, lang: str) -> None:
    """Three circle sizes side by side with their figures, and what no circle means."""
    sizes = [s for s in (int(top), int(top) // 4, int(top) // 16) if s > 0]
    if not sizes:
        legend.text(word("no_figure_as_of", lang), x=0)
        return
    widest = scale * circle_radius(top, top) / 72
    x = 0.02
    for people in sizes:
        radius = scale * circle_radius(people, top) / 72
        add_patch(ax, Circle((x + radius, legend.y + 2 * widest - radius), radius,
                             facecolor=PEOPLE_STYLE["color"],
                             alpha=PEOPLE_STYLE["alpha"],
                             edgecolor=PEOPLE_STYLE["edgecolors"], linewidth=0.8))
        ax.text(x + radius, legend.y + 2 * widest + 0.05, format_number(people, lang),
                fontsize=7, ha="center", va="top", color=TEXT_COLOR)
        x += max(2 * radius, 0.55) + 0.12
    legend.y += 2 * widest + 0.25
    legend.text(word("no_circle_note", lang), x=0, size=7)
    legend.y += 0.08


def draw_actor_table(figure, rect, actors: pd.DataFrame, *, lang: str = "en") -> None:
    """A small 'who holds what' table: places, mines and people per actor.

    A missing figure of people is written 'no figure', never 0.
    """
    ax, width, _ = _inch_axes(figure, rect)
    y = 0.0
    ax.text(0, y, word("who_holds_what", lang), fontsize=10, fontweight="bold",
            va="top", color=TEXT_COLOR)
    y += 0.28
    columns = (("col_towns", "towns"), ("col_areas", "areas"), ("col_mines", "mines"),
               ("col_displaced_star", "people"))
    xs = [width * f for f in (0.50, 0.62, 0.74, 0.99)]
    for (key, _), x in zip(columns, xs, strict=True):
        ax.text(x, y, word(key, lang), fontsize=7, ha="right", va="top",
                color=MUTED_TEXT_COLOR)
    y += 0.2
    for row in actors.head(8).itertuples(index=False):
        add_patch(ax, Rectangle((0.02, y), 0.14, 0.12, facecolor=controller_color(
             row.actor), edgecolor=OUTLINE_COLOR, linewidth=0.5))
        ax.text(0.22, y + 0.06, short_name(actor_name(row.actor, lang), 22),
                fontsize=7.5, va="center", parse_math=False, color=TEXT_COLOR)
        for (_, column), x in zip(columns, xs, strict=True):
            value = getattr(row, column, None)
            shown = (format_number(value, lang) if value is not None and pd.notna(value)
                     else word("no_figure", lang))
            ax.text(x, y + 0.06, shown, fontsize=7.5, ha="right", va="center",
                    color=TEXT_COLOR)
        y += 0.21
    note = textwrap.wrap(word("displaced_star_note", lang), int(width / 0.05))
    ax.text(0, y + 0.02, "\n".join(note), fontsize=6.5, color=MUTED_TEXT_COLOR,
            va="top")


def draw_locator(figure, rect, places: gpd.GeoDataFrame, bounds, *, lang: str = "en",
                 country: gpd.GeoDataFrame | None = None) -> float:
    """Locator: the DR Congo, the loaded admin areas, this map's area in red.

    The country is the bundled Natural Earth outline when *country* is given; without
    it the dashed box of the DR Congo's extent (:data:`DRC_BOUNDS`) stands in. The
    locator fills the top of *rect*; returns the figure y (0-1) under its caption.
    With less than an inch of room it is left out (and *rect*'s top returned).
    """
    fig_w, fig_h = figure.get_figwidth(), figure.get_figheight()
    side = min(rect[2] * fig_w, rect[3] * fig_h - 0.75, 2.6)
    if side < 1.0:
        return rect[1] + rect[3]
    ax = figure.add_axes((rect[0], rect[1] + rect[3] - side / fig_h - 0.3 / fig_h,
                          side / fig_w, side / fig_h))
    minx, miny, maxx, maxy = DRC_BOUNDS
    admin = places.loc[(places["kind"] == "area")
                       & places.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(admin):
        top = admin.loc[admin["level"].astype(float) == admin["level"].astype(float).min()]
        add_shapes(ax, top.geometry, facecolors=NEIGHBOUR_COLOR,
                   edgecolors=OUTLINE_COLOR, linewidths=0.5, zorder=1)
        bx = top.total_bounds
        minx, miny = min(minx, bx[0]), min(miny, bx[1])
        maxx, maxy = max(maxx, bx[2]), max(maxy, bx[3])
    if country is not None and len(country):
        add_shapes(ax, country.geometry, facecolors=LAND_COLOR, edgecolors=BORDER_COLOR,
                   linewidths=0.7, zorder=0)
        caption = word("locator_outline", lang)
    else:
        ax.add_patch(Rectangle((DRC_BOUNDS[0], DRC_BOUNDS[1]),
                               DRC_BOUNDS[2] - DRC_BOUNDS[0], DRC_BOUNDS[3] - DRC_BOUNDS[1],
                               facecolor="none", edgecolor=BORDER_COLOR,
                               linestyle="--", linewidth=0.8))
        caption = word("locator_box", lang)
    frame = gpd.GeoSeries.from_xy([bounds[0], bounds[2]], [bounds[1], bounds[3]],
                                  crs=METRIC_CRS).to_crs(STORAGE_CRS)
    (x0, x1), (y0, y1) = sorted(frame.x), sorted(frame.y)
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="none",
                           edgecolor=LOCATOR_FRAME_COLOR, linewidth=1.4, zorder=2))
    margin = 0.03 * (maxx - minx)
    ax.set_xlim(minx - margin, maxx + margin)
    ax.set_ylim(miny - margin, maxy + margin)
    ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)), adjustable="box",
                  anchor="NW")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color(MUTED_TEXT_COLOR)
    ax.set_title(word("locator", lang), fontsize=9, fontweight="bold", loc="left")
    lines = textwrap.wrap(caption + " " + word("locator_red", lang),
                          int(side / 0.05))
    ax.text(0, -0.03, "\n".join(lines), transform=ax.transAxes, fontsize=6.5,
            va="top", color=MUTED_TEXT_COLOR, parse_math=False)
    return ax.get_position().y0 - (0.2 + 0.12 * len(lines)) / fig_h


def _nice_length(target_km: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above *target_km*."""
    power = 10 ** math.floor(math.log10(max(target_km, 1e-3)))
    return max(step * power for step in (1, 2, 5) if step * power <= target_km)


def draw_scale_bar(ax, bounds, *, north: bool = True, right: bool = False) -> list:
    """A two-part scale bar (bottom left, or right) and a north arrow (top right).

    Returns the artists drawn, for labels to keep clear of.
    """
    minx, miny, maxx, maxy = bounds
    dx, dy = maxx - minx, maxy - miny
    length = _nice_length(dx / 4 / 1000)
    x0, y0, h = minx + 0.05 * dx, miny + 0.04 * dy, 0.009 * dy
    if right:
        x0 = maxx - 0.05 * dx - length * 1000
    backing = add_patch(ax, Rectangle((x0 - 0.02 * dx, y0 - 0.035 * dy),
                                      length * 1000 + 0.06 * dx, 0.075 * dy,
                                      facecolor="white", alpha=0.8, edgecolor="none",
                                      zorder=8))
    half = length * 500
    for i, color in enumerate((OUTLINE_COLOR, "#ffffff")):
        add_patch(ax, Rectangle((x0 + i * half, y0), half, h, facecolor=color,
                                edgecolor=OUTLINE_COLOR, linewidth=0.7, zorder=9))
    for value, x in ((0, x0), (length / 2, x0 + half), (length, x0 + 2 * half)):
        label = f"{value:g} km" if value == length else f"{value:g}"
        ax.text(x, y0 + 1.6 * h, label, fontsize=7, ha="center", va="bottom", zorder=9,
                color=TEXT_COLOR)
    if not north:
        return [backing]
    arrow = ax.annotate("N", xy=(0.95, 0.97), xytext=(0.95, 0.895),
                        xycoords="axes fraction", ha="center", va="center", fontsize=9,
                        fontweight="bold", color=TEXT_COLOR,
                        arrowprops={"arrowstyle": "-|>", "color": OUTLINE_COLOR,
                                    "lw": 1.2})
    return [backing, arrow]
