"""Place the print map's labels: no overlaps, no label nearer another dot than its own.

Positions are tried in a fixed order and checked in display pixels, so the same
map always gets the same labels. A label that finds no free place is left out
(its dot stays), except a place that changed hands: it tries farther positions
and, as a last resort, is drawn where it overlaps least, so no change goes
unnamed. Each label is plain text (editable in the SVG) over a white halo drawn
as a separate shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.text import Text

from geomap.render.print.board import DOT_PX, Board, Rect, Segment, square
from geomap.render.print.draw import geom_types, shapes_of, sorted_rows
from geomap.render.print.marks import add_halo, add_label
from geomap.render.ranking import iter_inner_spots, rank_labels
from geomap.render.style import (
    COUNTRY_TEXT,
    HALO_COLOR,
    LEADER_COLOR,
    MUTED_TEXT_COLOR,
    TEXT_COLOR,
    WATER_TEXT,
)

HALO = [patheffects.Stroke(linewidth=2.4, foreground=HALO_COLOR)]
"""The halo alone: drawn under the label text, which stays text in the SVG."""
NEAR = ((5, 2, "left", "bottom"), (5, -2, "left", "top"),
        (-5, 2, "right", "bottom"), (-5, -2, "right", "top"),
        (0, 6, "center", "bottom"), (0, -6, "center", "top"),
        (8, 8, "left", "bottom"), (8, -8, "left", "top"),
        (-8, 8, "right", "bottom"), (-8, -8, "right", "top"),
        (0, 12, "center", "bottom"), (0, -12, "center", "top"))
"""Positions next to the dot (points from it, alignment), tried in turn."""
FAR = ((26, 14, "left", "center"), (26, -14, "left", "center"),
       (-26, 14, "right", "center"), (-26, -14, "right", "center"),
       (34, 0, "left", "center"), (-34, 0, "right", "center"))
"""Farther positions, joined to the dot by a thin leader line."""
FARTHER = tuple(
    (round(r * math.cos(math.radians(a))), round(r * math.sin(math.radians(a))),
     "left" if math.cos(math.radians(a)) > 0.1 else
     "right" if math.cos(math.radians(a)) < -0.1 else "center", "center")
    for r in (46, 62) for a in range(0, 360, 30))
"""Still farther positions, tried only for places that changed hands."""
LEADER = {"arrowstyle": "-", "color": LEADER_COLOR, "lw": 0.5, "shrinkA": 0,
          "shrinkB": 3}
TOWN_FONT = 6.8
AREA_LABELS = ((9, 20), (6.3, 40))
"""Font size and most areas named, for the top level of areas and the next one."""
RING_PX = 7.0
"""Half the width of a changed-hands ring with its casing, in points."""
SMALL_AREA_PX = 40
"""An area whose drawn shape is under this many pixels across is named like a town."""
RANKED = ("place", "name", "actor", "people", "mines")
"""The columns :func:`geomap.render.ranking.rank_labels` reads."""


def _rect(extent) -> Rect:
    """A matplotlib Bbox as a rectangle of pixels."""
    return (extent.x0, extent.y0, extent.x1, extent.y1)


def short_name(name: object, limit: int = 36) -> str:
    """Display text of a name, cut to *limit* characters."""
    text = "" if name is None or pd.isna(name) else str(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _annotate(ax, text: str, xy, offset, leader, **style):
    """One label at *offset* points from *xy* (plain text, no halo yet)."""
    dx, dy, ha, va = offset
    return add_label(ax, text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha,
                     va=va, parse_math=False, arrowprops=leader, annotation_clip=False,
                     **style)


def _halo(ax, label) -> None:
    """A white halo under *label*: the same text, stroked, no leader."""
    add_halo(ax, label, color=HALO_COLOR, path_effects=HALO)


def _size(ax, renderer, text: str, style) -> tuple[float, float]:
    """Width and height in pixels of *text* drawn in *style*.

    Measured once per text and style, on one probe per style that is never drawn
    (an annotation made and removed for each measure costs more than the rest of
    the placing).
    """
    sizes = ax.__dict__.setdefault("_geomap_sizes", {})
    key = (text, tuple(sorted(style.items())))
    if key not in sizes:
        probes = ax.__dict__.setdefault("_geomap_probes", {})
        probe = probes.get(key[1])
        if probe is None:
            probe = probes[key[1]] = ax.annotate("", (0, 0), parse_math=False,
                                                 annotation_clip=False, **style)
            probe.remove()
            probe.set_figure(ax.figure)
        probe.set_text(text)
        extent = Text.get_window_extent(probe, renderer)
        sizes[key] = (extent.width, extent.height)
    return sizes[key]


def _rect_at(ax, own, offset, size) -> Rect:
    """The pixel rectangle a label of *size* takes at *offset* points from *own*."""
    scale = ax.figure.dpi / 72
    dx, dy, ha, va = offset
    width, height = size[0] * 1.04, size[1] * 1.1
    x = own[0] + dx * scale - {"left": 0.02, "center": 0.5, "right": 0.98}[ha] * width
    y = own[1] + dy * scale - {"bottom": 0.045, "center": 0.5, "top": 0.955}[va] * height
    return (x, y, x + width, y + height)


def _leader_line(ax, own, offset) -> Segment:
    """The leader from just outside the dot to the label anchor, in pixels."""
    scale = ax.figure.dpi / 72
    end = (own[0] + offset[0] * scale, own[1] + offset[1] * scale)
    length = math.hypot(end[0] - own[0], end[1] - own[1])
    share = min((DOT_PX + 2) / length, 1.0) if length else 1.0
    return (own[0] + share * (end[0] - own[0]), own[1] + share * (end[1] - own[1]),
            *end)


def _place_town(ax, renderer, board: Board, text: str, xy, own,
                must: bool) -> bool:
    """Label one town at the first free position; a *must* label that finds none is
    drawn where it covers least. Positions are computed from the text's size, so
    only the label kept becomes an artist."""
    style = {"fontsize": TOWN_FONT, "color": TEXT_COLOR, "zorder": 7}
    tries = [(o, None) for o in NEAR] + [(o, LEADER) for o in (*FAR, *FARTHER)]
    size = _size(ax, renderer, text, style)
    best = None
    for offset, leader in tries:
        rect = _rect_at(ax, own, offset, size)
        line = _leader_line(ax, own, offset) if leader is not None else None
        if board.fits(rect) and (
                board.leader_clear(line) and board.clear_of_dots(rect, own)
                if line is not None else board.nearest_is_own(rect, own)):
            best = (0.0, offset, leader, rect)
            if line is not None:
                board.lead(line)
            break
        cost = board.overlap(rect) if must else math.inf
        if cost < math.inf and (best is None or cost < best[0]):
            best = (cost, offset, leader, rect)
    if best is None:
        return False
    label = _annotate(ax, text, xy, best[1], best[2], **style)
    board.block(best[3])
    _halo(ax, label)
    return True


def place_labels(ax, joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame, *,
                 avoid=(), only: set | None = None, must: set | None = None,
                 areas: bool = True, rings: set | None = None) -> int:
    """Label towns and top-level areas without overlaps; return how many were left out.

    Towns that changed hands (*must*, place ids) go first and are never left out,
    then in the order of :func:`geomap.render.ranking.rank_labels` (provincial
    capitals, towns with a control record, the most displaced...); each town label tries twelve positions around its dot (kept only when
    no other dot is nearer to it), then six farther ones with a leader line that
    crosses nothing. Top-level area names come last, clear of the dots. *avoid*
    lists artists (scale bar, north arrow, inset frame) that labels must not
    cover; *only* limits the towns labelled (place ids; all when None); *areas*
    False leaves out the area names; the dots of *rings* (changed hands) keep
    their whole ring free.
    """
    renderer = ax.figure.canvas.get_renderer()
    must = must or set()
    rows, spots = _label_points(ax, joined)
    places = joined["place"].array[rows]
    dots = _pixels(ax, spots)
    sites = _pixels(ax, np.column_stack([shapely.get_x(shapes_of(mines)),
                                         shapely.get_y(shapes_of(mines))]))
    frame = _rect(ax.get_window_extent(renderer))
    board = Board(frame, dots, [_rect(artist.get_window_extent(renderer))
                                 for artist in avoid])
    ring = RING_PX * ax.figure.dpi / 72
    board.block_all(square(x, y, ring)
                    for (x, y), place in zip(dots, places, strict=True)
                    if place in (rings or ()))
    board.block_all(square(x, y, DOT_PX)
                    for x, y in sites)
    ranks = rank_labels(pd.DataFrame({name: joined[name].array[rows] for name in RANKED
                                      if name in joined}), changed=must).to_numpy()
    wanted = (np.ones(len(rows), dtype=bool) if only is None
              else pd.Series(places).isin(only | must).to_numpy())
    order = sorted((i for i, (x, y) in enumerate(dots)
                    if frame[0] < x < frame[2] and frame[1] < y < frame[3]
                    and wanted[i]), key=ranks.__getitem__)  # every rank differs
    names = joined["name"].array[rows]
    left_out = sum(
        not _place_town(ax, renderer, board, short_name(names[i]),
                        (float(spots[i, 0]), float(spots[i, 1])), dots[i],
                        places[i] in must)
        for i in order)
    ax.geomap_board = board  # context names are placed after, on the same board
    if not areas:
        return left_out
    return left_out + _place_area_labels(ax, renderer, board, joined, set(places))


def _pixels(ax, spots: np.ndarray) -> list[tuple[float, float]]:
    """Display pixels of the points (rows of x, y), in one transform."""
    if not len(spots):
        return []
    return [tuple(pair) for pair in ax.transData.transform(spots).tolist()]


def _label_points(ax, joined: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Towns, and areas drawn too small to hold their name (a city such as Goma),
    each at a point: the latter are named like towns, beside their shape.

    Returns their rows in *joined* (the towns, then those areas) and the x, y of
    their points.
    """
    shapes = shapes_of(joined)
    types = geom_types(shapes)
    rows = np.flatnonzero(types == "Point")
    points = shapes[rows]
    areas = np.flatnonzero((types != "Point") & (joined["kind"] == "area").to_numpy()
                           & (joined["level"].astype(float) >= 2).to_numpy())
    if len(areas):
        corners = ax.transData.transform(
            shapely.bounds(shapes[areas]).reshape(-1, 2))
        small = areas[abs(corners[1::2] - corners[0::2]).max(axis=1) < SMALL_AREA_PX]
        rows = np.concatenate([rows, small])
        points = np.concatenate([points, shapely.point_on_surface(shapes[small])])
    return rows, np.column_stack([shapely.get_x(points), shapely.get_y(points)])


def _place_area_labels(ax, renderer, board: Board, joined: gpd.GeoDataFrame,
                       named: set) -> int:
    """Names of the areas: the top level (counted when left out), then the next
    level in smaller type where they fit; areas in *named* are already labelled."""
    areas = np.flatnonzero(((joined["kind"] == "area") & joined["level"].notna()
                            & ~joined["place"].isin(named)).to_numpy())
    level_of = joined["level"].astype(float).to_numpy()
    levels = sorted(pd.unique(level_of[areas]))[:2]
    shapes, names = shapes_of(joined), joined["name"].array
    left_out = 0
    for rank, level in enumerate(levels):
        group = areas[level_of[areas] == level]
        if len(group) > AREA_LABELS[rank][1]:
            continue
        style = {"fontsize": AREA_LABELS[rank][0], "fontstyle": "italic",
                 "color": MUTED_TEXT_COLOR, "zorder": 6.9}
        for row in sorted_rows(joined, group, by="name"):
            fits = any(_place_free(ax, renderer, board, short_name(names[row]).upper(),
                                   spot, (0, -20, 20), style)
                       for spot in iter_inner_spots(shapes[row]))
            left_out += rank == 0 and not fits
    return left_out


def _place_free(ax, renderer, board: Board, text: str, xy, offsets, style) -> bool:
    """Centre *text* at the first vertical offset where it fits; False when none."""
    size = _size(ax, renderer, text, style)
    own = tuple(ax.transData.transform(xy))
    for dy in offsets:
        offset = (0, dy, "center", "center")
        rect = _rect_at(ax, own, offset, size)
        if board.fits(rect):
            board.block(rect)
            _halo(ax, _annotate(ax, text, xy, offset, None, **style))
            return True
    return False


def place_context_labels(ax, names: list[tuple[str, str, Iterable]]) -> int:
    """Country and lake names where they fit, after the towns; return how many fit.

    *names* holds (kind, text, candidate points) with kind 'country' or 'lake', in
    map units, the best point first (tried in turn, up to the first that fits). Countries are in capitals, lakes in blue
    italics.
    """
    board = getattr(ax, "geomap_board", None)
    if board is None:
        return 0
    renderer = ax.figure.canvas.get_renderer()
    styles = {"country": {"fontsize": 8, "color": COUNTRY_TEXT, "zorder": 6.8},
              "lake": {"fontsize": 7, "fontstyle": "italic", "color": WATER_TEXT,
                       "zorder": 6.8}}
    placed = 0
    for kind, text, spots in names:
        shown = text.upper() if kind == "country" else text
        placed += any(_place_free(ax, renderer, board, shown, spot, (0, -10, 10),
                                  styles[kind]) for spot in spots)
    return placed
