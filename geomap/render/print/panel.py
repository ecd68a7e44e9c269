"""One map panel of the print map (the main map or the Goma-Bukavu inset).

A panel is an axes in metric coordinates (:data:`geomap.schema.METRIC_CRS`) with
the base map, control, people, towns, mines and changed-hands rings drawn on it,
each layer once; labels are placed afterwards by :mod:`.labels`.
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.patches import Rectangle

from geomap.render.print.draw import (
    add_patch,
    clip_to,
    draw_areas,
    draw_changes,
    draw_context,
    draw_people,
    draw_towns,
    view_box,
)
from geomap.render.print.labels import place_context_labels, place_labels
from geomap.render.ranking import iter_inner_spots
from geomap.render.style import HOME_ISO3, INSET_FRAME_COLOR, LAND_COLOR
from geomap.schema import METRIC_CRS, STORAGE_CRS

CORRIDOR = (28.58, -2.70, 29.42, -1.44)
"""Lon/lat box of the Goma-Bukavu inset: Lake Kivu's shores from Kibumba and Sake
in the north to Bukavu, Kabare and Walungu in the south, where towns are too
close together to name on the main map."""
CORRIDOR_MIN_TOWNS = 6
"""Towns in the corridor needed before the inset is drawn."""
MAX_SHARE = 0.15
"""The inset is drawn only when the corridor is at most this share of the main map
(so that it enlarges: on a map of the corridor alone it would not)."""
MIN_NAME_SHARE = 0.015
"""A country or lake is named when its visible part covers this share of the panel."""


def corridor_bounds(joined: gpd.GeoDataFrame, bounds) -> tuple | None:
    """Metric bounds of the inset, or None when the corridor is not crowded.

    The inset is drawn when the map reaches the corridor, the corridor is a small
    part of it (:data:`MAX_SHARE`) and at least :data:`CORRIDOR_MIN_TOWNS` towns
    lie in it.
    """
    corridor = gpd.GeoSeries([view_box(CORRIDOR)], crs=STORAGE_CRS).to_crs(METRIC_CRS)
    area = corridor.iloc[0]
    if not area.intersects(view_box(bounds)) or area.area > MAX_SHARE * view_box(
            bounds).area:
        return None
    towns = joined.loc[joined.geom_type == "Point"]
    if int(towns.within(area).sum()) < CORRIDOR_MIN_TOWNS:
        return None
    return tuple(area.bounds)


def prepare_context(context: dict | None, bounds) -> dict[str, gpd.GeoDataFrame]:
    """The context layers in metric coordinates, clipped to *bounds* (with a margin)."""
    view = view_box(bounds).buffer(0.2 * max(bounds[2] - bounds[0], bounds[3] - bounds[1]))
    ready = {}
    for name, frame in (context or {}).items():
        if frame is None or frame.empty:
            continue
        ready[name] = clip_to(frame.to_crs(METRIC_CRS), view)
    return ready


def context_names(context: dict[str, gpd.GeoDataFrame], bounds, lang: str
                  ) -> list[tuple[str, str, Iterator[tuple[float, float]]]]:
    """Names of the neighbouring countries and lakes big enough in this panel.

    Each comes with candidate points inside its visible part (countries: off the
    lakes), best first, each worked out when it is tried.
    Names are Natural Earth's, in French with ``lang='fr'``; the DR Congo itself
    is not named on its own map.
    """
    view = view_box(bounds)
    lakes = context.get("lakes")
    water = (shapely.union_all(lakes.geometry.to_numpy())
             if lakes is not None and len(lakes) else None)
    names = []
    for kind, frame in (("country", context.get("countries")),
                        ("lake", lakes)):
        if frame is None or frame.empty:
            continue
        for row in frame.sort_values("name").itertuples():
            if kind == "country" and getattr(row, "iso3", "") == HOME_ISO3 or \
                    not isinstance(row.name, str) or not row.name:  # a lake with no name
                continue
            shape = row.geometry.intersection(view)
            if kind == "country" and water is not None:
                shape = shape.difference(water)
            if shape.is_empty or shape.area < MIN_NAME_SHARE * view.area:
                continue
            text = getattr(row, "name_fr", None) if lang == "fr" else row.name
            names.append((kind, str(text or row.name), iter_inner_spots(shape)))
    return names


def draw_panel(ax, joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame, bounds, *,
               context: dict[str, gpd.GeoDataFrame], changes: pd.DataFrame | None,
               top: float) -> None:
    """Draw every layer of the map on *ax*, framed to the metric *bounds*."""
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor(LAND_COLOR)
    draw_context(ax, context, view_box(bounds))
    draw_areas(ax, joined)
    draw_people(ax, joined, top)
    draw_towns(ax, joined, mines)
    draw_changes(ax, joined, changes)
    ax.set_axis_off()
    add_patch(ax, Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="none",
                            edgecolor=INSET_FRAME_COLOR, linewidth=0.8, zorder=10))


def label_panel(ax, joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame, *,
                context: dict[str, gpd.GeoDataFrame], bounds, lang: str,
                changed: set, avoid=(), only: set | None = None,
                areas: bool = True, rings: set | None = None) -> int:
    """Place town, area and context names on a drawn panel; return names left out.

    Changed-hands towns (*changed*) inside the panel are never left out; *areas*
    False leaves the area names to the main map.
    """
    inside = joined.loc[joined.intersects(view_box(bounds))]
    seen = mines.loc[mines.intersects(view_box(bounds))] if len(mines) else mines
    left_out = place_labels(ax, inside, seen, avoid=avoid, only=only, must=changed,
                            areas=areas, rings=rings)
    place_context_labels(ax, context_names(context, bounds, lang))
    return left_out


def frame_on(ax, bounds) -> Rectangle:
    """Draw the inset's outline on the main map; return the patch."""
    return add_patch(ax, Rectangle((bounds[0], bounds[1]), bounds[2] - bounds[0],
                                   bounds[3] - bounds[1], facecolor="none",
                                   edgecolor=INSET_FRAME_COLOR, linewidth=1.1,
                                   zorder=8))
