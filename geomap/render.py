"""Build the interactive folium map: panes, layers, legends, title, sources."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from .aggregate import CONTESTED
from .assets import leaflet_head
from .schema import CONTESTED_COLOR, DISCLAIMER, NO_DATA_COLOR, actor_for

PANES = {"admin": 410, "areas": 420, "displacement": 430, "towns": 440, "mines": 450}
"""Leaflet panes, bottom to top: the layer order is fixed whatever is toggled."""


def safe_json(value: object) -> str:
    """Dump *value* as JSON that is inert inside a ``<script>``: no raw ``<``, ``>``, ``&``.

    Examples
    --------
    >>> safe_json({"name": "</script>"})
    '{"name":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def esc(value: object) -> str:
    """HTML-escape any value for markup ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def link(url: object, label: str = "source") -> str:
    """An escaped link for http(s) URLs only; other schemes are shown as text."""
    text = esc(url)
    if not text.lower().startswith(("http://", "https://")):
        return text
    return f'<a href="{text}" target="_blank" rel="noopener noreferrer">{esc(label)}</a>'


def fmt_date(value: object) -> str:
    """ISO date text of a timestamp, '' for missing."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


@dataclass
class MapText:
    """Everything written on the map besides the data: title, date, sources."""

    title: str
    as_of: pd.Timestamp
    sources: list[tuple[str, str]] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    compare: pd.Timestamp | None = None


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


def _actor_style(actor: pd.Series) -> pd.Series:
    """Fill colour for each actor id (grey for contested, light grey for none)."""
    return actor.map(lambda a: NO_DATA_COLOR if not isinstance(a, str) else
                     CONTESTED_COLOR if a == CONTESTED else actor_for(a).color)


def _place_popup(areas: pd.DataFrame) -> pd.Series:
    """Popup markup for each place row of the summary."""
    rows = []
    for row in areas.itertuples(index=False):
        actor = row.actor_name if isinstance(row.actor_name, str) else "no record"
        lines = [f"<b>{esc(row.name)}</b> <small>{esc(row.pcode if isinstance(row.pcode, str) else row.place)}</small>",
                 f"Control: <b>{esc(actor)}</b>"]
        if isinstance(row.confidence, str):
            lines.append(f"Confidence: {esc(row.confidence)}")
        if fmt_date(row.since):
            lines.append(f"Since: {fmt_date(row.since)}")
        if row.people:
            lines.append(f"Displaced: {row.people:,} (as of {fmt_date(row.people_as_of)})")
        if row.mines:
            lines.append(f"Mining sites: {row.mines}")
        if isinstance(row.source, str):
            lines.append(f"{esc(row.source)} {link(row.url)}")
        rows.append("<br>".join(lines))
    return pd.Series(rows, index=areas.index, dtype="object")


def build_map(places: gpd.GeoDataFrame, areas: pd.DataFrame, mines: gpd.GeoDataFrame,
              text: MapText, *, slider: dict | None = None,
              changes: pd.DataFrame | None = None) -> folium.Map:
    """Build the layered map from places, the per-place summary and mining sites.

    Parameters
    ----------
    places : GeoDataFrame
        Admin areas, towns and record-made places (see :func:`geomap.join.build_places`).
    areas : DataFrame
        The per-place summary (see :func:`geomap.aggregate.summarise_areas`).
    mines : GeoDataFrame
        Validated mining sites.
    text : MapText
        Title, as-of date and source credits.
    slider : dict, optional
        From :func:`geomap.timeline.slider_data`: adds a time slider that recolours
        the control layers, starting at the as-of date.
    changes : DataFrame, optional
        From :func:`geomap.timeline.changes_between`: adds a "Changed hands" layer.

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
    figure.header.add_child(Element(leaflet_head()), name="leaflet_inline")
    figure.header.add_child(Element(f"<style>{_CSS}</style>"), name="geomap_css")
    joined = places.merge(areas.drop(columns=["name", "pcode", "kind"]), on="place",
                          how="left")
    joined["popup"] = _place_popup(joined)
    joined["color"] = _actor_style(joined["actor"])
    joined["label"] = joined["name"].map(esc)
    joined["ref"] = joined["place"]
    admin = joined.loc[joined["kind"] == "area"]
    zones = joined.loc[(joined["kind"].isin(["area", "zone"])) & joined["actor"].notna()]
    points = joined.loc[joined.geom_type == "Point"]
    displaced = joined.loc[joined["people"].fillna(0) > 0].copy()
    displaced["geometry"] = displaced.geometry.representative_point()
    bounds = places.total_bounds
    layers = {
        "Admin boundaries": ("admin", _features(admin, admin[["label", "popup"]])),
        "Control: areas": ("areas", _features(zones, zones[["label", "popup", "color",
                                                           "confidence", "ref"]])),
        "Control: towns": ("towns", _features(points, points[["label", "popup", "color",
                                                              "confidence", "ref"]])),
        "People displaced": ("displacement", _features(
            displaced, displaced[["label", "popup", "people"]])),
        "Mining sites": ("mines", _features(mines, _mine_props(mines))),
    }
    if changes is not None:
        moved = places.merge(changes.drop(columns=["name"]), on="place", how="inner")
        moved["geometry"] = moved.geometry.representative_point()
        moved["label"] = moved["name"].map(esc)
        moved["popup"] = _change_popup(moved)
        layers[f"Changed hands since {fmt_date(text.compare)}"] = (
            "towns", _features(moved, moved[["label", "popup"]]))
    fmap.add_child(_Js(_map_script("__MAP__", layers, bounds, text)))
    if slider is not None and slider["dates"]:
        fmap.add_child(_Js(_slider_script(slider, text.as_of)))
    fmap.add_child(_Html(_title_box(text) + _legends(joined)))
    _fix_ids(figure)
    return fmap


def _change_popup(moved: pd.DataFrame) -> pd.Series:
    """Popup markup of a place that changed hands."""
    def who(actor: object) -> str:
        if not isinstance(actor, str):
            return "no record"
        return "Contested" if actor == CONTESTED else esc(actor_for(actor).label)

    return pd.Series([
        f"<b>{esc(row.name)}</b><br>Changed hands: {who(row.actor_before)} &rarr; "
        f"{who(row.actor_after)}<br>On: {fmt_date(row.changed_on) or 'date unknown'}"
        f"<br>{esc(row.source)} {link(row.url)}"
        for row in moved.itertuples(index=False)], index=moved.index, dtype="object")


def _slider_script(slider: dict, as_of: pd.Timestamp) -> str:
    """A range input that recolours the control layers for any record date."""
    dates = sorted({*slider["dates"], fmt_date(as_of)})
    start = dates.index(fmt_date(as_of))
    data = {**slider, "dates": dates, "nodata": NO_DATA_COLOR,
            "intervals": {place: [[a, b, c, d, esc(e)] for a, b, c, d, e in records]
                          for place, records in slider["intervals"].items()}}
    return f"""
(function() {{
  var sl = {safe_json(data)};
  var dash = {{"assessed": null, "claimed": "4 4", "contested": "2 4"}};
  function holder(place, day) {{
    var on = (sl.intervals[place] || []).filter(function(r) {{
      return (r[0] === "" || r[0] <= day) && (r[1] === "" || day < r[1]); }});
    if (!on.length) return null;
    var names = on.map(function(r) {{ return r[4]; }}).filter(function(v, i, a) {{
      return a.indexOf(v) === i; }});
    if (names.length > 1) return {{color: sl.contested, conf: "contested",
                                   label: "Contested: " + names.join(", ")}};
    var last = on[on.length - 1];
    return {{color: last[2], conf: last[3], label: last[4]}};
  }}
  function restyle(day) {{
    var towns = window.geomapLayers["Control: towns"];
    var areas = window.geomapLayers["Control: areas"];
    [towns, areas].forEach(function(group) {{
      group.eachLayer(function(l) {{
        var h = holder(l.feature.properties.ref, day);
        var c = h ? h.conf : null;
        l.setStyle({{fillColor: !h ? sl.nodata : (c === "claimed" ? "#fff" : h.color),
                    color: c === "claimed" ? h.color : "#222", dashArray: c ? dash[c] : null,
                    weight: c ? 2.5 : 1}});
        l.setTooltipContent(l.feature.properties.label + " &mdash; " +
                            (h ? h.label + " (" + c + ")" : "no record"));
      }});
    }});
    document.getElementById("geomap-date").textContent = day;
  }}
  var box = L.control({{position: "bottomright"}});
  box.onAdd = function() {{
    var div = L.DomUtil.create("div", "geomap-box geomap-slider");
    div.innerHTML = '<label for="geomap-range">Control on <b id="geomap-range-day"></b>' +
      '</label><input id="geomap-range" type="range" min="0" step="1">';
    L.DomEvent.disableClickPropagation(div);
    return div;
  }};
  box.addTo(__MAP__);
  var input = document.getElementById("geomap-range");
  input.max = sl.dates.length - 1;
  input.value = {start};
  function show() {{
    var day = sl.dates[+input.value];
    document.getElementById("geomap-range-day").textContent = day;
    restyle(day);
  }}
  input.addEventListener("input", show);
  document.getElementById("geomap-range-day").textContent = sl.dates[{start}];
  window.geomapSlider = {{input: input, dates: sl.dates, show: show}};
}})();
"""


def _mine_props(mines: gpd.GeoDataFrame) -> pd.DataFrame:
    """Popup and label of each mining site."""
    popups = []
    for row in mines.itertuples(index=False):
        lines = [f"<b>{esc(row.name)}</b>",
                 f"Minerals: {esc(row.minerals.replace(';', ', ')) or 'not recorded'}"]
        if isinstance(row.armed_presence, str):
            lines.append(f"Armed presence: {esc(row.armed_presence)}")
        if fmt_date(row.visited):
            lines.append(f"Last visit: {fmt_date(row.visited)}")
        lines.append(f"{esc(row.source)} {link(row.url)}")
        popups.append("<br>".join(lines))
    return pd.DataFrame({"label": mines["name"].map(esc), "popup": popups},
                        index=mines.index)


def circle_radius(people: float, max_people: float) -> float:
    """Pixel radius of a displacement circle; its area grows with the count."""
    return 4 + 26 * (people / max_people) ** 0.5 if max_people > 0 else 4


def _map_script(map_name: str, layers: dict, bounds, text: MapText) -> str:
    """The map's own script: panes, layers, layer control, attribution."""
    people = [f["properties"]["people"] for f in layers["People displaced"][1]["features"]]
    max_people = max(people, default=1)
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    credits = "Data: " + ", ".join(esc(source) for source in text.credits)
    return f"""
(function() {{
  var map = {map_name};
  var panes = {safe_json(PANES)};
  Object.keys(panes).forEach(function(p) {{ map.createPane(p).style.zIndex = panes[p]; }});
  var data = {safe_json({label: spec[1] for label, spec in layers.items()})};
  var paneOf = {safe_json({label: spec[0] for label, spec in layers.items()})};
  var dash = {{"assessed": null, "claimed": "4 4", "contested": "2 4"}};
  var fillOf = {{"assessed": 0.55, "claimed": 0.2, "contested": 0.35}};
  function bind(f, layer) {{
    layer.bindPopup(f.properties.popup, {{maxWidth: 280}});
    layer.bindTooltip(f.properties.label);
  }}
  var maxPeople = {safe_json(max_people)};
  function circleRadius(n) {{ return 4 + 26 * Math.sqrt(n / maxPeople); }}
  var made = {{}};
  made["Admin boundaries"] = L.geoJSON(data["Admin boundaries"], {{pane: "admin",
    style: {{color: "#333", weight: 1.5, fill: true, fillOpacity: 0.02}}, onEachFeature: bind}});
  made["Control: areas"] = L.geoJSON(data["Control: areas"], {{pane: "areas",
    style: function(f) {{ var c = f.properties.confidence || "assessed";
      return {{color: f.properties.color, weight: 2, dashArray: dash[c],
               fillColor: f.properties.color, fillOpacity: fillOf[c]}}; }},
    onEachFeature: bind}});
  made["Control: towns"] = L.geoJSON(data["Control: towns"], {{
    pointToLayer: function(f, ll) {{ var c = f.properties.confidence;
      return L.circleMarker(ll, {{pane: "towns", radius: 6, weight: c ? 2.5 : 1,
        color: c === "claimed" ? f.properties.color : "#222", dashArray: dash[c] || null,
        fillColor: c === "claimed" ? "#fff" : f.properties.color, fillOpacity: 0.95}}); }},
    onEachFeature: bind}});
  made["People displaced"] = L.geoJSON(data["People displaced"], {{
    pointToLayer: function(f, ll) {{
      return L.circleMarker(ll, {{pane: "displacement",
        radius: circleRadius(f.properties.people), color: "#6a3d9a",
        weight: 1, fillColor: "#9e7bc4", fillOpacity: 0.45}}); }},
    onEachFeature: bind}});
  var cluster = L.markerClusterGroup({{clusterPane: "mines", showCoverageOnHover: false,
    maxClusterRadius: 40}});
  L.geoJSON(data["Mining sites"], {{
    pointToLayer: function(f, ll) {{
      return L.circleMarker(ll, {{pane: "mines", radius: 5, color: "#111", weight: 1,
        fillColor: "#f1c40f", fillOpacity: 0.95}}); }},
    onEachFeature: bind}}).eachLayer(function(l) {{ cluster.addLayer(l); }});
  made["Mining sites"] = cluster;
  Object.keys(data).forEach(function(k) {{
    if (made[k]) return;  // the "changed hands" layer: rings around places
    made[k] = L.geoJSON(data[k], {{pointToLayer: function(f, ll) {{
      return L.circleMarker(ll, {{pane: "towns", radius: 11, color: "#ff7f00", weight: 3,
                                  fill: false}}); }}, onEachFeature: bind}});
  }});
  Object.keys(made).forEach(function(k) {{ made[k].addTo(map); }});
  L.control.layers(null, made, {{collapsed: window.innerWidth < 700}}).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution({safe_json(credits)});
  map.fitBounds([[{miny}, {minx}], [{maxy}, {maxx}]]);
  window.geomapLayers = made;
}})();
"""


def _title_box(text: MapText) -> str:
    """Title, as-of date and disclaimer, top left."""
    compare = (f"<div class='geomap-sub'>Changes since {fmt_date(text.compare)}</div>"
               if text.compare is not None else "")
    return (f"<div class='geomap-box geomap-title'><div class='geomap-h'>{esc(text.title)}"
            f"</div><div class='geomap-sub'>Control as of <b id='geomap-date'>"
            f"{fmt_date(text.as_of)}</b></div>{compare}"
            f"<div class='geomap-note'>{esc(DISCLAIMER)}</div>{_sources_box(text)}</div>")


def _legends(joined: pd.DataFrame) -> str:
    """The control legend (actors, confidence) and the displacement legend (sizes)."""
    actors = [a for a in pd.unique(joined["actor"].dropna()) if a != CONTESTED]
    items = "".join(
        f"<div><span class='geomap-sw' style='background:{actor_for(a).color}'></span>"
        f"{esc(actor_for(a).label)}</div>" for a in sorted(actors))
    items += (f"<div><span class='geomap-sw' style='background:{CONTESTED_COLOR}'></span>"
              "Contested (claims by more than one actor)</div>"
              "<div><span class='geomap-sw geomap-claimed'></span>Claimed, not "
              "confirmed (dashed, hollow)</div>"
              f"<div><span class='geomap-sw' style='background:{NO_DATA_COLOR}'></span>"
              "No control record</div>"
              "<div><span class='geomap-sw' style='border:3px solid #ff7f00;"
              "border-radius:50%;background:none'></span>Changed hands (with "
              "--compare)</div>")
    people = joined["people"].fillna(0)
    top = int(people.max()) if len(people) else 0
    sizes = [s for s in (top, top // 4, top // 16) if s > 0]
    circles = "".join(
        f"<div><span class='geomap-circle' style='width:{2 * circle_radius(s, top):.0f}px;"
        f"height:{2 * circle_radius(s, top):.0f}px'></span>{s:,}</div>" for s in sizes)
    return ("<details class='geomap-box geomap-legend' open><summary class='geomap-h2'>"
            "Legend</summary><div class='geomap-h2'>Control</div>"
            f"{items}<div class='geomap-h2'>People displaced</div>"
            f"{circles or '<div>No figure as of this date</div>'}"
            "<div class='geomap-h2'>Mining sites</div><div><span class='geomap-sw' "
            "style='background:#f1c40f;border-radius:50%'></span>Site (clustered)</div>"
            "</details><script>if (window.innerWidth < 600) {document.querySelector("
            "'.geomap-legend').removeAttribute('open');}</script>")


def _sources_box(text: MapText) -> str:
    """A folded list of every source cited by the data, with links."""
    items = "".join(f"<li>{esc(name)} {link(url)}</li>" for name, url in text.sources)
    return (f"<details class='geomap-sources'><summary>Sources ({len(text.sources)})"
            f"</summary><ul>{items}</ul></details>")


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


_CSS = """
html, body {width: 100%; height: 100%; margin: 0; padding: 0;}
.folium-map {position: absolute; inset: 0;}
.geomap-box {position: absolute; z-index: 1000; background: rgba(255,255,255,0.93);
  font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  padding: 6px 9px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35);}
.geomap-title {top: 10px; left: 50px; max-width: min(420px, calc(100vw - 120px));}
.geomap-h {font-weight: 700; font-size: 15px;}
.geomap-h2 {font-weight: 700; margin-top: 4px;}
.geomap-sub {font-size: 12px;}
.geomap-note {font-size: 10px; color: #555; margin-top: 3px;}
.geomap-legend {bottom: 56px; left: 10px; max-width: 220px;}
.geomap-sw {display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: middle; border: 1px solid #333;}
.geomap-claimed {background: #fff; border: 2px dashed #c0392b;}
.geomap-circle {display: inline-block; border-radius: 50%; background: rgba(158,123,196,0.45);
  border: 1px solid #6a3d9a; margin-right: 5px; vertical-align: middle;}
.geomap-sources summary {cursor: pointer; font-weight: 700; margin-top: 4px;}
.geomap-sources ul {max-height: 30vh; overflow-y: auto; margin: 2px 0; padding-left: 14px;}
@media (max-width: 600px) {
  .geomap-title {left: 10px; top: 80px; max-width: calc(100vw - 70px);}
  .geomap-legend {font-size: 10px; max-width: 160px;}
  .geomap-note {display: none;}
  .leaflet-control-attribution {font-size: 9px; max-height: 3.6em; overflow-y: auto;
    max-width: calc(100vw - 90px);}
}
.geomap-legend summary {cursor: pointer;}
.geomap-slider {position: relative; margin-bottom: 4px !important;}
.geomap-slider input {display: block; width: min(320px, 60vw);}
"""
