"""Draw the print map's layers on one axes: base map, control, people, towns, changes.

Each layer is one matplotlib collection (one per confidence for control), so the
cost stays flat however many places there are. Styles come from
:mod:`geomap.render.style` and :mod:`geomap.actors`: doubt is drawn by hatch and
line style as well as colour, so it survives greyscale printing.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from shapely.geometry import box

from geomap.actors import CONTESTED, controller_color
from geomap.render.style import (
    BORDER_COLOR,
    CIRCLE_SCALE,
    CLAIMED_TOWN_EDGE,
    CONFIDENCE_STYLES,
    HOLLOW_FILL,
    HOME_ISO3,
    LAND_COLOR,
    MINE_COLOR,
    MINE_EDGE,
    NEIGHBOUR_COLOR,
    NO_RECORD_FILL,
    NO_RECORD_TOWN_EDGE,
    OUTLINE_COLOR,
    PEOPLE_STYLE,
    RING_SIZE,
    RING_STROKES,
    TOWN_EDGE,
    TOWN_SIZE,
    WATER_COLOR,
    WATER_EDGE,
    circle_radius,
)

MINE_STYLE = {"marker": "D", "color": MINE_COLOR, "edgecolors": MINE_EDGE,
              "linewidths": 0.5}


def _ring_path(coords: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Vertices and codes of one closed ring."""
    return coords[:, :2], [Path.MOVETO] + [Path.LINETO] * (len(coords) - 2) + [
        Path.CLOSEPOLY]


def compound_path(geoms) -> Path | None:
    """All rings of *geoms* as one path (holes wound against their shell), or None.

    Shapes drawn alike (one actor, one confidence) become one path: a PDF or SVG
    then holds one element for them, not one per shape, and an overlap of two of
    them is filled once.
    """
    verts, codes = [], []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for poly in getattr(shapely.orient_polygons(geom), "geoms", [geom]):
            if poly.is_empty or poly.geom_type != "Polygon":
                continue
            for ring in (poly.exterior, *poly.interiors):
                ring_verts, ring_codes = _ring_path(np.asarray(ring.coords))
                verts.append(ring_verts)
                codes += ring_codes
    return Path(np.concatenate(verts), codes) if verts else None


def add_shapes(ax, geoms, **style) -> PatchCollection:
    """Add polygons as one collection (holes kept); *style* as for PatchCollection.

    geopandas' own plotting redraws the whole figure on every call; this does not.
    """
    patches = [PathPatch(path) for geom in geoms
               if (path := compound_path([geom])) is not None]
    collection = PatchCollection(patches, match_original=False, **style)
    ax.add_collection(collection, autolim=False)
    return collection


def add_patch(ax, patch: Patch) -> Patch:
    """Add *patch* to *ax* as ``ax.add_patch`` does, without widening the data
    limits: the axes here have their limits set, so nothing reads them (working
    them out for a circle took longer than drawing it)."""
    return ax.add_artist(patch)


def add_lines(ax, geoms, **style) -> LineCollection:
    """Add (multi)lines, and polygon outlines, as one collection."""
    segments = []
    for geom in geoms:
        for part in getattr(geom, "geoms", [geom]):
            if part.is_empty:
                continue
            rings = ([part.exterior, *part.interiors] if part.geom_type == "Polygon"
                     else [part])
            segments += [np.asarray(ring.coords)[:, :2] for ring in rings]
    collection = LineCollection(segments, **style)
    ax.add_collection(collection, autolim=False)
    return collection


def confidence_of(row_confidence: object, actor: object) -> str:
    """The confidence a place is drawn with: 'contested' for a contested holder."""
    if actor == CONTESTED:
        return "contested"
    return row_confidence if row_confidence in CONFIDENCE_STYLES else "assessed"


def line_style(confidence: str):
    """matplotlib linestyle of a confidence's outline (solid, dashed or dotted)."""
    dash = CONFIDENCE_STYLES[confidence].dash
    return "-" if dash is None else (0, dash)


def draw_context(ax, context: dict[str, gpd.GeoDataFrame], view) -> None:
    """Countries (the DR Congo lighter than its neighbours), borders, then lakes.

    *context* holds metric ``countries`` and ``lakes`` frames (either may be
    missing); *view* is the metric box of the axes. Lakes are drawn above the
    admin fills (zorder 1.5) so that the water shows through the areas.
    """
    countries = context.get("countries")
    if countries is not None and len(countries):
        home = countries["iso3"].eq(HOME_ISO3).to_numpy()
        add_shapes(ax, countries.geometry, facecolors=[
            LAND_COLOR if h else NEIGHBOUR_COLOR for h in home], edgecolors="none",
                   zorder=0.5)
        borders = shapely.intersection(countries.boundary.to_numpy(), view.buffer(-1.0))
        add_lines(ax, [b for b in borders if not b.is_empty], colors=BORDER_COLOR,
                  linewidths=1.0, linestyles=[(0, (5, 2, 1, 2))], zorder=3.2)
    lakes = context.get("lakes")
    if lakes is not None and len(lakes):
        add_shapes(ax, lakes.geometry, facecolors=WATER_COLOR, edgecolors=WATER_EDGE,
                   linewidths=0.5, zorder=1.5)


def shapes_of(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The shapes of *frame* as an array, to select by position without copying it."""
    return np.asarray(frame.geometry.array)


def sorted_rows(frame: pd.DataFrame, rows: np.ndarray, by: str = "place"
                ) -> np.ndarray:
    """*rows* (positions in *frame*) in the order ``sort_values(by)`` gives them:
    the same sort of the same values, the frame itself not copied."""
    values = pd.Series(frame[by].array[rows])
    return rows[values.sort_values().index.to_numpy()]


def geom_types(shapes: np.ndarray) -> np.ndarray:
    """geopandas' ``geom_type`` of each shape (None for a missing one)."""
    names = np.array([None, "Point", "LineString", "LinearRing", "Polygon",
                      "MultiPoint", "MultiLineString", "MultiPolygon",
                      "GeometryCollection"], dtype=object)
    return names[shapely.get_type_id(shapes) + 1]


def draw_areas(ax, joined: gpd.GeoDataFrame) -> None:
    """Admin areas (no record), control areas per confidence, then admin outlines."""
    shapes = shapes_of(joined)
    polygon = np.isin(geom_types(shapes), ["Polygon", "MultiPolygon"])
    admin = shapes[polygon & (joined["kind"] == "area").to_numpy()]
    add_shapes(ax, admin, facecolors=NO_RECORD_FILL, edgecolors="none", zorder=1)
    held = sorted_rows(joined, np.flatnonzero(
        polygon & joined["actor"].notna().to_numpy()))
    holders = joined["actor"].array[held]
    drawn = np.array([confidence_of(c, a) for c, a in zip(
        joined["confidence"].array[held], holders, strict=True)], dtype=object)
    for confidence, style in CONFIDENCE_STYLES.items():
        group = drawn == confidence
        if not group.any():
            continue
        group_actors, group_shapes = holders[group], shapes[held[group]]
        actors = sorted(set(group_actors))  # one path per actor: flat cost
        paths = [compound_path(group_shapes[np.array(
            [holder == actor for holder in group_actors], dtype=bool)])
            for actor in actors]
        colors = [controller_color(actor) for actor, path in zip(actors, paths,
                                                                  strict=True) if path]
        edges = colors if style.outline == "actor" else [style.outline] * len(colors)
        collection = PatchCollection([PathPatch(path) for path in paths if path],
                                     match_original=False, facecolors=[
                                         to_rgba(c, style.fill_alpha) for c in colors],
                                     edgecolors=edges, linewidths=1.4,
                                     linestyles=[line_style(confidence)], zorder=2)
        ax.add_collection(collection, autolim=False)
        if style.hatch:
            collection.set_hatch(style.hatch)
    add_lines(ax, admin, colors=OUTLINE_COLOR, linewidths=0.9, zorder=3)


def top_people(joined: gpd.GeoDataFrame) -> float:
    """The largest displacement figure drawn as a circle (0 when none)."""
    people = joined["people"].where(joined["people"] > 0)
    return float(people.max()) if people.notna().any() else 0.0


def draw_people(ax, joined: gpd.GeoDataFrame, top: float) -> None:
    """One circle per place with a figure, its area growing with the count."""
    rows = np.flatnonzero((joined["people"] > 0).to_numpy(dtype=bool, na_value=False))
    if not len(rows):
        return
    figures = pd.DataFrame({"people": joined["people"].array[rows],
                            "place": joined["place"].array[rows]})
    figures = figures.sort_values(["people", "place"], ascending=[False, True])
    spots = shapely.point_on_surface(shapes_of(joined)[rows[figures.index.to_numpy()]])
    size = [(2 * CIRCLE_SCALE * circle_radius(n, top)) ** 2 for n in figures["people"]]
    ax.scatter(shapely.get_x(spots), shapely.get_y(spots), s=size, zorder=4,
               **PEOPLE_STYLE)


def draw_towns(ax, joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame) -> None:
    """Towns by holder and confidence (one collection each), then mining sites.

    Assessed: the holder's colour, dark edge. Claimed: hollow and hatched in the
    holder's colour. Contested: crosshatched with a dotted dark edge.
    """
    shapes = shapes_of(joined)
    towns = sorted_rows(joined, np.flatnonzero(geom_types(shapes) == "Point"))
    holders = joined["actor"].array[towns]
    drawn = np.array([confidence_of(c, a) if isinstance(a, str) else "none"
                      for c, a in zip(joined["confidence"].array[towns], holders,
                                      strict=True)])
    for confidence in ("none", *CONFIDENCE_STYLES):
        group = drawn == confidence
        if not group.any():
            continue
        colors = [controller_color(actor) for actor in holders[group]]
        style = CONFIDENCE_STYLES.get(confidence)
        claimed = confidence == "claimed"
        hatch = style.hatch * 2 if style is not None and style.hatch else None
        spots = shapes[towns[group]]
        ax.scatter(shapely.get_x(spots), shapely.get_y(spots), s=TOWN_SIZE,
                   c=[HOLLOW_FILL] * len(spots) if claimed else colors,
                   edgecolors=colors if claimed else OUTLINE_COLOR,
                   linewidths=(CLAIMED_TOWN_EDGE if claimed else
                               NO_RECORD_TOWN_EDGE if style is None else TOWN_EDGE),
                   hatch=hatch,  # doubled: denser, so it shows on a small dot
                   linestyle="-" if style is None or claimed else line_style(confidence),
                   zorder=6)
    if len(mines):
        ax.scatter(mines.geometry.x, mines.geometry.y, s=16, zorder=6.5, **MINE_STYLE)


def draw_changes(ax, joined: gpd.GeoDataFrame, changes: pd.DataFrame | None) -> int:
    """Rings around towns and thick outlines around areas that changed hands.

    The ring has a dark casing under it so it shows in greyscale. Returns how many
    places were marked.
    """
    if changes is None or changes.empty:
        return 0
    moved = joined.loc[joined["place"].isin(set(changes["place"]))]
    points = moved.loc[moved.geom_type == "Point"]
    areas = moved.loc[moved.geom_type != "Point"]
    for color, width in RING_STROKES:
        if len(points):
            ax.scatter(points.geometry.x, points.geometry.y, s=RING_SIZE ** 2,
                       facecolors="none", edgecolors=color, linewidths=width,
                       zorder=5.5)
        add_lines(ax, areas.geometry, colors=color, linewidths=width + 0.6, zorder=3.5)
    return len(moved)


def clip_to(frame: gpd.GeoDataFrame, view) -> gpd.GeoDataFrame:
    """The rows of *frame* that touch the metric box *view*, clipped to it."""
    if frame is None or frame.empty:
        return frame
    kept = frame.loc[frame.intersects(view)].copy()
    kept["geometry"] = shapely.intersection(kept.geometry.to_numpy(), view)
    return kept.loc[~kept.is_empty]


def view_box(bounds) -> shapely.Polygon:
    """A shapely box of (minx, miny, maxx, maxy)."""
    return box(*bounds)
