"""Build the interactive folium map: panes, layers, legends, title, sources."""

from __future__ import annotations

import base64
import json
from typing import Literal

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geomap.actors import controller_color, controller_label
from geomap.render.markup import MapText, esc, fmt_date, link
from geomap.render.web.assets import leaflet_head
from geomap.render.web.geometry import WEB_GRID, WEB_TOLERANCE, simplify_for_web
from geomap.render.web.panels import MAP_CSS, legend_box, title_box
from geomap.render.web.script import (
    layers_script,
    people_breaks,
    people_shade,
    slider_script,
)
from geomap.summarise.areas import attach_summary

CDN_HEAD = """<link rel="stylesheet" href="https://unpkg.com/leaflet@1.9.4/dist/leaflet.css">
<link rel="stylesheet" href="https://unpkg.com/leaflet.markercluster@1.4.1/dist/MarkerCluster.css">
<link rel="stylesheet" href="https://unpkg.com/leaflet.markercluster@1.4.1/dist/MarkerCluster.Default.css">
<script src="https://unpkg.com/leaflet@1.9.4/dist/leaflet.js"></script>
<script src="https://unpkg.com/leaflet.markercluster@1.4.1/dist/leaflet.markercluster.js"></script>"""
"""Leaflet from a CDN, for ``--cdn`` (smaller pages that need the network)."""


class _Js(MacroElement):
    """A piece of map script with its data passed through :func:`safe_json`."""

    _template = Template("""{% macro script(this, kwargs) %}
{{ this.code.replace("__MAP__", this._parent.get_name()) }}
{% endmacro %}""")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "GeomapScript"
        self.code = code


class _Html(MacroElement):
    """A block of markup placed in the page body (title box, legends)."""

    _template = Template("""{% macro html(this, kwargs) %}
{{ this.markup }}
{% endmacro %}""")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "GeomapHtml"
        self.markup = markup


def _features(frame: gpd.GeoDataFrame, props: pd.DataFrame) -> dict:
    """GeoJSON FeatureCollection of *frame*'s geometry with the given properties."""
    shapes = gpd.GeoSeries(frame.geometry.to_numpy(), crs=frame.crs).set_precision(1e-5)
    geometry = json.loads(shapes.to_json(drop_id=True))["features"]
    records = props.astype(object).where(props.notna(), None).to_dict("records")
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": g["geometry"], "properties": p}
                         for g, p in zip(geometry, records, strict=True)]}


def _popup(title: str, subtitle: str, rows: list[tuple[str, str]], source: object,
           url: object) -> str:
    """Popup markup: an escaped title, 'label: value' rows that have a value, the source.

    Values in *rows* must already be escaped (they may hold markup of our own).
    """
    lines = [f"<b>{esc(title)}</b>" + (f" <small>{esc(subtitle)}</small>" if subtitle
                                       else "")]
    lines += [f"{label}: {value}" for label, value in rows if value]
    if isinstance(source, str):
        lines.append(f"{esc(source)} {link(url)}")
    return "<br>".join(lines)


def _place_popup(areas: pd.DataFrame) -> pd.Series:
    """Popup markup for each place row of the summary."""
    popups = []
    for row in areas.itertuples(index=False):
        actor = row.actor_name if isinstance(row.actor_name, str) else "no record"
        people = (f"{row.people:,} (as of {fmt_date(row.people_as_of)})"
                  if pd.notna(row.people) else "no figure")
        within = getattr(row, "within", None)
        around = (f"no record of its own; inside {esc(within)}, held by "
                  f"{esc(controller_label(row.within_actor))}" if isinstance(within, str)
                  else "")
        popups.append(_popup(
            row.name, row.pcode if isinstance(row.pcode, str) else row.place,
            [("Control", f"<b>{esc(actor)}</b>"), ("Confidence", esc(row.confidence)),
             ("Since", fmt_date(row.since)), ("Note", around), ("Displaced", people),
             ("Mining sites", str(row.mines) if row.mines else "")],
            row.source, row.url))
    return pd.Series(popups, index=areas.index, dtype="object")


def build_map(places: gpd.GeoDataFrame, areas: pd.DataFrame, mines: gpd.GeoDataFrame,
              text: MapText, *, slider: dict | None = None,
              changes: pd.DataFrame | None = None,
              preset: Literal["analyst", "article"] = "analyst",
              self_contained: bool = True,
              density: tuple[bytes, list[list[float]]] | None = None) -> folium.Map:
    """Build the layered map from places, the per-place summary and mining sites.

    Parameters
    ----------
    places : GeoDataFrame
        Admin areas, towns and record-made places (see :func:`geomap.join.build_places`).
    areas : DataFrame
        The per-place summary (see :func:`geomap.summarise.areas.summarise_areas`).
    mines : GeoDataFrame
        Validated mining sites.
    text : MapText
        Title, as-of date and source credits.
    slider : dict, optional
        From :func:`geomap.summarise.changes.slider_data`: adds a time slider that recolours
        the control layers, starting at the as-of date.
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
        east]]`` bounds (:func:`geomap.summarise.density.build_density_overlay`), drawn as an
        image overlay whatever the number of records.

    Returns
    -------
    folium.Map
        A map whose script and styles are inlined (tiles aside) and whose element ids
        are fixed, so the same inputs give the same page.
    """
    figure = Figure(title=esc(text.title))
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True, max_zoom=18,
                      zoom_control=True, attribution_control=True)
    fmap.default_js = []
    fmap.default_css = []
    figure.add_child(fmap)
    figure.header.add_child(Element(leaflet_head() if self_contained else CDN_HEAD),
                            name="leaflet")
    figure.header.add_child(Element(f"<style>{MAP_CSS}</style>"), name="geomap_css")
    places = simplify_for_web(places, tolerance=WEB_TOLERANCE[preset],
                              grid=WEB_GRID[preset])
    joined = attach_summary(places, areas)
    joined["popup"] = _place_popup(joined)
    joined["color"] = joined["actor"].map(controller_color)
    joined["label"] = joined["name"].map(esc)
    joined["ref"] = joined["place"]
    admin = joined.loc[joined["kind"] == "area"]
    zones = joined.loc[(joined["kind"].isin(["area", "zone"])) & joined["actor"].notna()]
    points = joined.loc[joined.geom_type == "Point"]
    displaced = joined.loc[joined["people"].fillna(0) > 0].copy()
    shaded = (displaced["kind"] == "area") & (displaced["level"] >= 2)
    breaks = people_breaks(displaced.loc[shaded, "people"])
    displaced["fill"] = displaced["people"].map(lambda n: people_shade(n, breaks))
    displaced["fill"] = displaced["fill"].where(shaded)
    circles = displaced.geometry.representative_point()
    displaced["geometry"] = displaced.geometry.where(shaded, circles)
    bounds = places.total_bounds
    layers = {
        "Admin boundaries": ("admin", _features(admin, admin[["label", "popup"]])),
        "Control: areas": ("areas", _features(zones, zones[["label", "popup", "color",
                                                           "confidence", "ref"]])),
        "Control: towns": ("towns", _features(points, points[["label", "popup", "color",
                                                              "confidence", "ref"]])),
        "People displaced": ("displacement", _features(
            displaced, displaced[["label", "popup", "people", "fill"]])),
    }
    if preset == "analyst":
        layers["Mining sites"] = ("mines", _features(mines, _mine_props(mines)))
    if changes is not None:
        moved = places.merge(changes.drop(columns=["name"]), on="place", how="inner")
        moved["geometry"] = moved.geometry.representative_point()
        moved["label"] = moved["name"].map(esc)
        moved["popup"] = _change_popup(moved)
        layers[f"Changed hands since {fmt_date(text.compare)}"] = (
            "towns", _features(moved, moved[["label", "popup"]]))
    overlay = None if density is None else (
        "data:image/png;base64," + base64.b64encode(density[0]).decode("ascii"), density[1])
    fmap.add_child(_Js(layers_script("__MAP__", layers, bounds, text,
                                     layer_control=preset == "analyst",
                                     fullscreen=preset == "article", overlay=overlay)))
    if slider is not None and slider["dates"]:
        fmap.add_child(_Js(slider_script(slider, text.as_of)))
    fmap.add_child(_Html(title_box(text) + legend_box(
        joined, circles=displaced.loc[~shaded, "people"], mines=preset == "analyst",
        breaks=breaks, changes=changes is not None)))
    _fix_ids(figure)
    return fmap


def _change_popup(moved: pd.DataFrame) -> pd.Series:
    """Popup markup of a place that changed hands."""
    def who(actor: object) -> str:
        return esc(controller_label(actor) or "no record")

    return pd.Series([
        f"<b>{esc(row.name)}</b><br>Changed hands: {who(row.actor_before)} &rarr; "
        f"{who(row.actor_after)}<br>On: {fmt_date(row.changed_on) or 'date unknown'}"
        f"<br>{esc(row.source)} {link(row.url)}"
        for row in moved.itertuples(index=False)], index=moved.index, dtype="object")


def _mine_props(mines: gpd.GeoDataFrame) -> pd.DataFrame:
    """Popup and label of each mining site."""
    visits = (mines["history"].map(_visit_count) if "history" in mines
              else pd.Series("", index=mines.index))
    popups = [
        _popup(row.name, "", [
            ("Minerals", esc(row.minerals.replace(";", ", ")) or "not recorded"),
            ("Armed presence", esc(row.armed_presence)),
            ("Last visit", fmt_date(row.visited)), ("Visits recorded", count)],
            row.source, row.url)
        for row, count in zip(mines.itertuples(index=False), visits, strict=True)]
    return pd.DataFrame({"label": mines["name"].map(esc), "popup": popups},
                        index=mines.index)


def _visit_count(history: object) -> str:
    """How many visits an IPIS site's JSON history lists ('' when none)."""
    if not isinstance(history, str) or not history.strip():
        return ""
    try:
        return str(len(json.loads(history)))
    except (ValueError, TypeError):
        return ""

def _fix_ids(figure: Figure) -> None:
    """Replace folium's random element ids by counters, for reproducible pages."""
    counter = 0

    def walk(element) -> None:
        nonlocal counter
        element._id = f"{counter:04d}"
        counter += 1
        for child in element._children.values():
            walk(child)

    walk(figure)


