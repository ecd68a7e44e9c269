"""Place the print map's labels: no overlaps, no label nearer another dot than its own.

Positions are tried in a fixed order and checked in display pixels, so the same
map always gets the same labels. A label that finds no free place is left out
(its dot stays), which is better on paper than a pile of overlapping names.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import shapely.ops
from matplotlib import patheffects
from matplotlib.text import Text
from shapely.geometry import LineString, Polygon, box

HALO = [patheffects.withStroke(linewidth=2.4, foreground="white")]
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
LEADER = {"arrowstyle": "-", "color": "#666666", "lw": 0.5, "shrinkA": 0,
          "shrinkB": 3}
DOT_PX = 4.5
"""Half the side of the square each dot keeps free of labels, in pixels (the town
dots are about 4 px across at the figure's 100 dpi)."""
PAD_PX = 1.0
"""Gap kept between a new label and anything already placed, in pixels."""
CLEAR_RATIO = 1.3
"""Another dot must be this many times farther from a label than its own dot."""


def _rect(extent) -> Polygon:
    """A matplotlib Bbox as a shapely rectangle."""
    return box(extent.x0, extent.y0, extent.x1, extent.y1)


def short_name(name: object, limit: int = 36) -> str:
    """Display text of a name, cut to *limit* characters."""
    text = "" if name is None or pd.isna(name) else str(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Board:
    """What is already on the map: dots, labels and leader lines, in pixels."""

    def __init__(self, frame: Polygon, dots: list[tuple[float, float]],
                 avoid: list[Polygon]) -> None:
        self.frame = frame
        self.dots = dots
        self.blocked = [box(x - DOT_PX, y - DOT_PX, x + DOT_PX, y + DOT_PX)
                        for x, y in dots] + avoid
        self.leaders: list[LineString] = []

    def fits(self, rect: Polygon) -> bool:
        """True when *rect* is inside the map and keeps a gap to everything placed."""
        padded = rect.buffer(PAD_PX, join_style="mitre")
        return self.frame.contains(rect) and not any(
            padded.intersects(other) for other in [*self.blocked, *self.leaders])

    def nearest_is_own(self, rect: Polygon, own: tuple[float, float]) -> bool:
        """True when every other dot lies clearly farther from *rect* than its own."""
        mine = rect.distance(shapely.Point(own))
        return all(rect.distance(shapely.Point(dot)) >= CLEAR_RATIO * mine + 2
                   for dot in self.dots if dot != own)

    def leader_clear(self, line: LineString) -> bool:
        """True when a leader line crosses no dot, no label and no other leader."""
        return not any(line.intersects(other)
                       for other in [*self.blocked, *self.leaders])


def _try(ax, renderer, board: _Board, text: str, xy, own, offset, leader) -> bool:
    """Draw *text* at one candidate position; keep it when it fits, else remove it."""
    dx, dy, ha, va = offset
    label = ax.annotate(text, xy, xytext=(dx, dy), textcoords="offset points", ha=ha,
                        va=va, fontsize=6.8, color="#111111", zorder=7,
                        path_effects=HALO, parse_math=False, arrowprops=leader)
    label.update_positions(renderer)  # the text alone; the extent spans the leader
    rect = _rect(Text.get_window_extent(label, renderer).expanded(1.04, 1.1))
    line = None
    if leader is not None:
        scale = ax.figure.dpi / 72
        full = LineString([own, (own[0] + dx * scale, own[1] + dy * scale)])
        line = shapely.ops.substring(full, DOT_PX + 2, full.length)
    fits = board.fits(rect) and (
        board.leader_clear(line) if line is not None else board.nearest_is_own(rect,
                                                                              own))
    if fits:
        board.blocked.append(rect)
        if line is not None:
            board.leaders.append(line)
        return True
    label.remove()
    return False


def place_labels(ax, joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame, *,
                 avoid=()) -> int:
    """Label towns and top-level areas without overlaps; return how many were left out.

    Towns with a control record go first, then the most displaced and the ones
    with mines; each town label tries twelve positions around its dot (kept only
    when no other dot is nearer to it), then six farther ones with a leader line
    that crosses nothing. Top-level area names come last, clear of the dots.
    *avoid* lists artists (scale bar, north arrow) that labels must not cover.
    """
    renderer = ax.figure.canvas.get_renderer()
    points = joined.loc[joined.geom_type == "Point"]
    dots = [tuple(ax.transData.transform((x, y)))
            for x, y in zip(points.geometry.x, points.geometry.y, strict=True)]
    sites = [tuple(ax.transData.transform((x, y)))
             for x, y in zip(mines.geometry.x, mines.geometry.y, strict=True)]
    board = _Board(_rect(ax.get_window_extent(renderer)), dots,
                   [_rect(artist.get_window_extent(renderer)) for artist in avoid])
    board.blocked += [box(x - DOT_PX, y - DOT_PX, x + DOT_PX, y + DOT_PX)
                      for x, y in sites]
    left_out = 0
    order = points.assign(sort_held=points["actor"].isna(),
                          sort_people=-points["people"].fillna(0),
                          sort_mines=-points["mines"].fillna(0), label_dot=dots)
    order = order.sort_values(["sort_held", "sort_people", "sort_mines", "name", "place"])
    for row in order.itertuples():
        xy = (row.geometry.x, row.geometry.y)
        tries = [(o, None) for o in NEAR] + [(o, LEADER) for o in FAR]
        if not any(_try(ax, renderer, board, short_name(row.name), xy, row.label_dot, o,
                        lead)
                   for o, lead in tries):
            left_out += 1
    return left_out + _place_area_labels(ax, renderer, board, joined)


def _place_area_labels(ax, renderer, board: _Board, joined: gpd.GeoDataFrame) -> int:
    """Names of the top-level areas, above or below the point inside each area."""
    areas = joined.loc[(joined["kind"] == "area") & joined["level"].notna()]
    if not 0 < len(areas) <= 20:
        return 0
    level = areas["level"].astype(float).min()
    left_out = 0
    for row in areas.loc[areas["level"].astype(float) == level].sort_values(
            "name").itertuples():
        spot = row.geometry.representative_point()
        for offset in (-34, 34, -60, 60, 0):  # clear of the displacement circle
            label = ax.annotate(short_name(row.name).upper(), (spot.x, spot.y),
                                xytext=(0, offset), textcoords="offset points",
                                fontsize=9, style="italic", color="#555555",
                                ha="center", va="center", zorder=7, path_effects=HALO,
                                parse_math=False)
            rect = _rect(label.get_window_extent(renderer))
            if board.fits(rect):
                board.blocked.append(rect)
                break
            label.remove()
        else:
            left_out += 1
    return left_out

