"""Build the interactive map page from geomap's template, script and styles.

The page is ``templates/map.html.j2`` with ``static/map.js`` and ``static/map.css``
inlined, and every piece of data in one JSON block that the script reads: layers
as GeoJSON, and for each feature its style, tooltip and popup on each slider day,
worked out here. No text from data passes through a template as template source.
"""

from __future__ import annotations

import base64
from typing import Literal

import geopandas as gpd
import pandas as pd

from geomap.render.markup import MapText, fmt_date
from geomap.render.style import MINE_COLOR, MINE_EDGE
from geomap.render.templating import json_block, render_template, static_text
from geomap.render.web.assets import leaflet_files
from geomap.render.web.features import (
    changes_layer,
    context_labels,
    context_layer,
    control_layers,
    displacement_layer,
    mines_layer,
)
from geomap.render.web.geometry import WEB_GRID, WEB_TOLERANCE, simplify_for_web
from geomap.render.web.panels import (
    LEGEND_COLORS,
    circle_sizes,
    legend_actors,
    shade_classes,
    sources_list,
)
from geomap.render.web.states import DayRows, StateBook
from geomap.render.web.towns import first_zoom, spread_towns, town_labels, town_points
from geomap.summarise.areas import attach_summary
from geomap.words import format_number, word, words_for

SPREAD_UNTIL = 18
"""The closest zoom the page offers: crowded markers are moved apart up to it."""
PANES = {"base": 300, "admin": 410, "shading": 415, "areas": 420, "displacement": 430,
         "mines": 435, "rings": 438, "towns": 440, "baseLabels": 443, "townLabels": 445}
"""Leaflet panes, bottom to top: the layer order is fixed whatever is toggled.
Places in their holder's colour lie above mining sites and changed-hands rings, so
each can be clicked at its centre; names lie above the shapes and catch no click
(a lake's name stays readable over the areas and towns drawn in it)."""


def build_map(places: gpd.GeoDataFrame, areas: pd.DataFrame, mines: gpd.GeoDataFrame,
              text: MapText, *, timeline: pd.DataFrame,
              changes: pd.DataFrame | None = None,
              preset: Literal["analyst", "article"] = "analyst",
              self_contained: bool = True,
              density: tuple[bytes, list[list[float]]] | None = None,
              context: dict[str, gpd.GeoDataFrame] | None = None,
              events: pd.DataFrame | None = None) -> str:
    """Build the layered map page from places, summaries and the control timeline.

    Parameters
    ----------
    places : GeoDataFrame
        Admin areas, towns and record-made places (see :func:`geomap.join.build_places`).
    areas : DataFrame
        The per-place summary (see :func:`geomap.summarise.areas.summarise_areas`);
        gives each place's name, P-code and mining sites.
    mines : GeoDataFrame
        Validated mining sites.
    text : MapText
        Title, as-of date, source credits, language and background tiles.
    timeline : DataFrame
        Every place on every slider day
        (:func:`geomap.summarise.changes.control_timeline`); the slider starts at the
        as-of date, which must be one of its days.
    changes : DataFrame, optional
        From :func:`geomap.summarise.changes.changes_between`: adds a "Changed hands" layer.
    preset : {'analyst', 'article'}
        'analyst': every layer and a layer control. 'article': for embedding in a
        story read on phones: control and displacement only, no layer control, a
        fullscreen button and lighter geometry.
    self_contained : bool
        Inline Leaflet and its cluster plugin (True) or link them from a CDN.
    density : (bytes, bounds), optional
        A PNG density grid of displaced people and its ``[[south, west], [north,
        east]]`` bounds (:func:`geomap.render.web.density.build_density_overlay`),
        drawn as one image overlay whatever the number of records.
    context : dict of GeoDataFrame, optional
        The base map (``countries``, ``lakes``; see
        :func:`geomap.load.inputs.read_context`), drawn under everything.
    events : DataFrame, optional
        Dated events (:func:`geomap.summarise.events.summarise_events`): a mark on
        the slider at each event's first day (a slider day), and its date and title
        under the slider when that day is shown.

    Returns
    -------
    str
        The page; the same inputs give the same text.
    """
    lang = text.lang
    places = simplify_for_web(places, tolerance=WEB_TOLERANCE[preset],
                              grid=WEB_GRID[preset])
    minx, miny, maxx, maxy = (float(v) for v in places.total_bounds)
    spread = _spread(places, (minx, miny, maxx, maxy))
    summarised = attach_summary(places, areas)  # for the states and the town names
    static = summarised[["place", "name", "pcode", "mines"]]
    if static["place"].is_unique and static["place"].notna().all():
        drawn = timeline["place"].isin(static["place"])
        timeline = timeline if drawn.all() else timeline.loc[drawn]
        rows = DayRows(timeline, static)  # read once for the four layers drawn from it
    else:  # one row per place and day, whatever the summary holds
        timeline = timeline.merge(static, on="place", how="inner")
        rows = DayRows(timeline)
    days = [fmt_date(day) for day in sorted(timeline["day"].unique())]
    book = StateBook()
    base = context_layer(context or {}, book)
    layers = [] if base is None else [
        {"id": "context", "name": word("layer_context", lang), "pane": "base",
         "features": base, "interactive": False,
         "labels": context_labels(context or {}, lang)}]
    layers += [{"id": key, "name": name, "pane": key, "features": features}
              for (key, features), name in zip(
                  control_layers(places, timeline, book, lang, rows=rows).items(),
                  (word(key, lang) for key in ("layer_admin", "layer_areas",
                                               "layer_towns")),
                  strict=True)]
    people, breaks, top = displacement_layer(places, timeline, book, lang,
                                             rows=rows)
    layers.append({"id": "displacement", "name": word("layer_displacement", lang),
                   "pane": "shading", "pointPane": "displacement", "features": people})
    if preset == "analyst":
        layers.append({"id": "mines", "name": word("layer_mines", lang),
                       "pane": "mines", "features": mines_layer(mines, book, lang),
                       "cluster": {"fill": MINE_COLOR, "edge": MINE_EDGE}})
    if changes is not None:
        layers.append({"id": "changes", "pane": "rings",
                       "name": word("layer_changes", lang, date=fmt_date(text.compare)),
                       "features": changes_layer(places, changes, book, lang)})
    if density is not None:
        layers.append({"id": "density", "pane": "shading",
                       "name": word("layer_density", lang),
                       "image": "data:image/png;base64,"
                                + base64.b64encode(density[0]).decode("ascii"),
                       "bounds": density[1]})
    layers.append({"id": "labels", "name": word("layer_town_names", lang),
                   "pane": "townLabels", "labels": town_labels(
                       summarised,
                       changed=set() if changes is None else set(changes["place"]))})
    start = days.index(fmt_date(text.as_of)) if days else 0
    marks = _event_marks(events, days)
    data = {**book.tables, "layers": layers, "panes": PANES, "days": days,
            "start": start, "events": marks, "spread": spread,
            "asOf": fmt_date(text.as_of), "bounds": [[miny, minx], [maxy, maxx]],
            "credits": word("data_credit", lang, names=", ".join(text.credits)),
            "creditsShort": word("data_credit_short", lang,  # as the title box counts
                                 count=format_number(len(sources_list(text))
                                                     + text.sources_more, lang)),
            "tiles": _tiles(text.tiles),
            "layerControl": preset == "analyst", "fullscreen": preset == "article"}
    leaflet_css, leaflet_js = leaflet_files(cluster=preset == "analyst",
                                            images=preset == "analyst")
    return render_template(
        "map.html.j2", w=words_for(lang), lang=lang, text=text,
        self_contained=self_contained, leaflet_css=leaflet_css, leaflet_js=leaflet_js,
        css=static_text("geomap.render.web", "map.css"),
        script=static_text("geomap.render.web", "map.js")  # then where its boxes go
        + static_text("geomap.render.web", "layout.js"), data=json_block(data),
        days=days, start=start, sources=sources_list(text), colors=LEGEND_COLORS, legend_actors=legend_actors(timeline, lang),
        shades=shade_classes(breaks), circles=circle_sizes(top),
        mines=preset == "analyst", changes=changes is not None,
        marks=sorted({mark["day"] for mark in marks}),
        fullscreen=preset == "article")


def _spread(places: gpd.GeoDataFrame, bounds: tuple[float, float, float, float]
            ) -> dict[str, dict[str, list[float]]]:
    """Where crowded town markers are drawn at each zoom, from the first one up to the
    first at which none needs to move (see :func:`geomap.render.web.towns.spread_towns`).

    ``{zoom: {place: [lat, lon]}}``: only the moved markers are listed; the page draws
    them there at that zoom (and below the first zoom as at the first), and every
    marker at its true place from the first zoom not listed.
    """
    points, cities = town_points(places)
    towns = places.loc[points]
    fixed = places.loc[cities].geometry.representative_point()
    zoom = first_zoom(bounds)
    spread: dict[str, dict[str, list[float]]] = {}
    while len(towns) and zoom <= SPREAD_UNTIL:
        drawn = spread_towns(towns, fixed, zoom=zoom)
        moved = {str(place): [round(float(new.y), 5), round(float(new.x), 5)]
                 for place, old, new in zip(towns["place"], towns.geometry,
                                            drawn.geometry, strict=True)
                 if not old.equals(new)}
        if not moved:
            break
        spread[str(zoom)] = dict(sorted(moved.items()))
        zoom += 1
    return spread


def _event_marks(events: pd.DataFrame | None, days: list[str]) -> list[dict]:
    """Each event on a slider day: that day's index and '19 July 2025: title'."""
    if events is None or events.empty:
        return []
    index = {day: number for number, day in enumerate(days)}
    return [{"day": index[fmt_date(day)], "text": f"{text}: {title}"}
            for day, text, title in zip(events["date"], events["date_text"],
                                        events["title"], strict=True)
            if fmt_date(day) in index]


def _tiles(tiles: object) -> dict | None:
    """The background tiles for the page's script (None: no tiles, the map is offline)."""
    if tiles is None:
        return None
    return {"url": tiles.url, "attribution": tiles.attribution,
            "maxZoom": tiles.max_zoom, "subdomains": tiles.subdomains}
