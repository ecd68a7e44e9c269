"""The plain ways the print map's quick paths replaced, kept to test them against.

Each function here is the code the print map ran before a quicker way did the same
work: ``tests/render/test_print_quick.py`` draws the map both ways and compares
the bytes. They stand for the drawing as it was: when the print map is meant to
draw differently, change the quick path and its plain way here together, or drop
the plain way (and its test) once the quick path has a test of its own rule.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch
from matplotlib.transforms import IdentityTransform
from shapely.geometry import LineString

from geomap.actors import controller_color
from geomap.render.print.board import DOT_PX, Board, square
from geomap.render.print.draw import (
    MINE_STYLE,
    add_lines,
    add_shapes,
    compound_path,
    confidence_of,
    line_style,
)
from geomap.render.print.labels import (
    AREA_LABELS,
    RING_PX,
    SMALL_AREA_PX,
    _place_free,
    _place_town,
    _rect,
    short_name,
)
from geomap.render.ranking import rank_labels
from geomap.render.style import (
    CIRCLE_SCALE,
    CLAIMED_TOWN_EDGE,
    CONFIDENCE_STYLES,
    HOLLOW_FILL,
    MUTED_TEXT_COLOR,
    NO_RECORD_FILL,
    NO_RECORD_TOWN_EDGE,
    OUTLINE_COLOR,
    PEOPLE_STYLE,
    TOWN_EDGE,
    TOWN_SIZE,
    circle_radius,
)


def add_annotation(ax, annotation):
    """Add a label or halo as an artist, then undo the clipping that adds."""
    annotation.set_transform(IdentityTransform())
    ax.add_artist(annotation)
    annotation.set_clip_box(None)
    annotation.set_clip_path(None)
    return annotation


def all_inner_spots(shape) -> list[tuple[float, float]]:
    """Every candidate spot of *shape*, computed before any is tried."""
    point = shape.representative_point()
    spots = [(point.x, point.y)]
    minx, miny, maxx, maxy = shape.bounds
    for share in (0.5, 0.3, 0.7, 0.15, 0.85):
        y = miny + share * (maxy - miny)
        cut = shape.intersection(LineString([(minx - 1, y), (maxx + 1, y)]))
        parts = getattr(cut, "geoms", [cut])
        widest = max(parts, key=lambda part: part.length, default=None)
        if widest is not None and not widest.is_empty:
            middle = widest.interpolate(0.5, normalized=True)
            spots.append((middle.x, middle.y))
    return spots


def draw_areas(ax, joined: gpd.GeoDataFrame) -> None:
    """Admin areas (no record), control areas per confidence, then admin outlines."""
    polygons = joined.loc[joined.geom_type.isin(["Polygon", "MultiPolygon"])]
    admin = polygons.loc[polygons["kind"] == "area"]
    add_shapes(ax, admin.geometry, facecolors=NO_RECORD_FILL, edgecolors="none",
               zorder=1)
    held = polygons.loc[polygons["actor"].notna()].sort_values("place")
    drawn = [confidence_of(c, a) for c, a in zip(held["confidence"], held["actor"],
                                                  strict=True)]
    for confidence, style in CONFIDENCE_STYLES.items():
        group = held.loc[[d == confidence for d in drawn]]
        if group.empty:
            continue
        actors = sorted(set(group["actor"]))  # one path per actor: flat cost
        paths = [compound_path(group.geometry[(group["actor"] == actor).to_numpy()])
                 for actor in actors]
        colors = [controller_color(actor) for actor, path in zip(actors, paths,
                                                                  strict=True) if path]
        edges = colors if style.outline == "actor" else [style.outline] * len(colors)
        shapes = PatchCollection([PathPatch(path) for path in paths if path],
                                 match_original=False, facecolors=[
                                     to_rgba(c, style.fill_alpha) for c in colors],
                                 edgecolors=edges, linewidths=1.4,
                                 linestyles=[line_style(confidence)], zorder=2)
        ax.add_collection(shapes, autolim=False)
        if style.hatch:
            shapes.set_hatch(style.hatch)
    add_lines(ax, admin.geometry, colors=OUTLINE_COLOR, linewidths=0.9, zorder=3)


def draw_people(ax, joined: gpd.GeoDataFrame, top: float) -> None:
    """One circle per place with a figure, its area growing with the count."""
    people = joined.loc[joined["people"] > 0].sort_values(["people", "place"],
                                                           ascending=[False, True])
    if people.empty:
        return
    spots = people.geometry.representative_point()
    size = [(2 * CIRCLE_SCALE * circle_radius(n, top)) ** 2 for n in people["people"]]
    ax.scatter(spots.x, spots.y, s=size, zorder=4, **PEOPLE_STYLE)


def draw_towns(ax, joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame) -> None:
    """Towns by holder and confidence (one collection each), then mining sites.

    Assessed: the holder's colour, dark edge. Claimed: hollow and hatched in the
    holder's colour. Contested: crosshatched with a dotted dark edge.
    """
    towns = joined.loc[joined.geom_type == "Point"].sort_values("place")
    drawn = np.array([confidence_of(c, a) if isinstance(a, str) else "none"
                      for c, a in zip(towns["confidence"], towns["actor"], strict=True)])
    for confidence in ("none", *CONFIDENCE_STYLES):
        group = towns.loc[drawn == confidence]
        if group.empty:
            continue
        colors = [controller_color(actor) for actor in group["actor"]]
        style = CONFIDENCE_STYLES.get(confidence)
        claimed = confidence == "claimed"
        hatch = style.hatch * 2 if style is not None and style.hatch else None
        ax.scatter(group.geometry.x, group.geometry.y, s=TOWN_SIZE,
                   c=[HOLLOW_FILL] * len(group) if claimed else colors,
                   edgecolors=colors if claimed else OUTLINE_COLOR,
                   linewidths=(CLAIMED_TOWN_EDGE if claimed else
                               NO_RECORD_TOWN_EDGE if style is None else TOWN_EDGE),
                   hatch=hatch,  # doubled: denser, so it shows on a small dot
                   linestyle="-" if style is None or claimed else line_style(confidence),
                   zorder=6)
    if len(mines):
        ax.scatter(mines.geometry.x, mines.geometry.y, s=16, zorder=6.5, **MINE_STYLE)


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
    points = _label_points(ax, renderer, joined)
    dots = _pixels(ax, points)
    sites = _pixels(ax, mines)
    frame = _rect(ax.get_window_extent(renderer))
    board = Board(frame, dots, [_rect(artist.get_window_extent(renderer))
                                 for artist in avoid])
    ring = RING_PX * ax.figure.dpi / 72
    board.block_all(square(x, y, ring)
                    for (x, y), place in zip(dots, points["place"], strict=True)
                    if place in (rings or ()))
    board.block_all(square(x, y, DOT_PX)
                    for x, y in sites)
    order = points.assign(label_rank=rank_labels(points, changed=must).to_numpy(),
                          label_dot=dots)
    order = order.loc[[frame[0] < x < frame[2] and frame[1] < y < frame[3]
                       for x, y in order["label_dot"]]]
    if only is not None:
        order = order.loc[order["place"].isin(only | must)]
    order = order.sort_values("label_rank")
    left_out = sum(
        not _place_town(ax, renderer, board, short_name(row.name),
                        (row.geometry.x, row.geometry.y), row.label_dot,
                        row.place in must)
        for row in order.itertuples())
    ax.geomap_board = board  # context names are placed after, on the same board
    if not areas:
        return left_out
    return left_out + _place_area_labels(ax, renderer, board, joined,
                                         set(points["place"]))


def _pixels(ax, frame: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    """Display pixels of the points of *frame*, in one transform."""
    if frame.empty:
        return []
    xy = np.column_stack([frame.geometry.x, frame.geometry.y])
    return [tuple(pair) for pair in ax.transData.transform(xy).tolist()]


def _label_points(ax, renderer, joined: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Towns, and areas drawn too small to hold their name (a city such as Goma),
    each at a point: the latter are named like towns, beside their shape."""
    points = joined.loc[joined.geom_type == "Point"]
    shapes = joined.loc[(joined.geom_type != "Point") & (joined["kind"] == "area")
                        & (joined["level"].astype(float) >= 2)]
    if shapes.empty:
        return points
    corners = ax.transData.transform(shapes.geometry.bounds.to_numpy().reshape(-1, 2))
    size = abs(corners[1::2] - corners[0::2]).max(axis=1)
    small = shapes.loc[size < SMALL_AREA_PX].copy()
    small["geometry"] = small.geometry.representative_point()
    return pd.concat([points, small]) if len(small) else points


def _place_area_labels(ax, renderer, board: Board, joined: gpd.GeoDataFrame,
                       named: set) -> int:
    """Names of the areas: the top level (counted when left out), then the next
    level in smaller type where they fit; areas in *named* are already labelled."""
    areas = joined.loc[(joined["kind"] == "area") & joined["level"].notna()
                       & ~joined["place"].isin(named)]
    levels = sorted(areas["level"].astype(float).unique())[:2]
    left_out = 0
    for rank, level in enumerate(levels):
        group = areas.loc[areas["level"].astype(float) == level]
        if len(group) > AREA_LABELS[rank][1]:
            continue
        style = {"fontsize": AREA_LABELS[rank][0], "fontstyle": "italic",
                 "color": MUTED_TEXT_COLOR, "zorder": 6.9}
        for row in group.sort_values("name").itertuples():
            fits = any(_place_free(ax, renderer, board, short_name(row.name).upper(),
                                   spot, (0, -20, 20), style)
                       for spot in all_inner_spots(row.geometry))
            left_out += rank == 0 and not fits
    return left_out


