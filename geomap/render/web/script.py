"""The map's own JavaScript: panes, layers, layer control, slider, fullscreen."""

from __future__ import annotations

import pandas as pd

from geomap.actors import NO_DATA_COLOR
from geomap.render.markup import MapText, esc, fmt_date, safe_json
from geomap.render.style import PEOPLE_SHADES

PANES = {"admin": 410, "shading": 415, "areas": 420, "displacement": 430, "towns": 440, "mines": 450}
"""Leaflet panes, bottom to top: the layer order is fixed whatever is toggled."""




def people_breaks(people: pd.Series) -> list[int]:
    """Upper bounds of up to four classes of people displaced (quartiles, rounded)."""
    if people.empty:
        return []
    quantiles = people.quantile([0.25, 0.5, 0.75, 1.0], interpolation="higher")
    return sorted({int(value) for value in quantiles})


def people_shade(people: float, breaks: list[int]) -> str | None:
    """The shade of the first class whose upper bound holds *people*."""
    for shade, bound in zip(PEOPLE_SHADES[-len(breaks):], breaks, strict=False):
        if people <= bound:
            return shade
    return None


def layers_script(map_name: str, layers: dict, bounds, text: MapText, *,
                  layer_control: bool = True, fullscreen: bool = False,
                  overlay: tuple[str, list] | None = None) -> str:
    """The map's own script: panes, layers, layer control, attribution.

    *layers* maps a layer name to its pane and GeoJSON; the names 'Admin boundaries',
    'Control: areas', 'Control: towns', 'People displaced' and 'Mining sites' get their
    own styles, any other name is drawn as rings around places (changes).
    """
    people = [f["properties"]["people"] for f in layers["People displaced"][1]["features"]
              if not f["properties"].get("fill")]
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
  var empty = {{"type": "FeatureCollection", "features": []}};
  ["Admin boundaries", "Control: areas", "Control: towns", "People displaced"].forEach(
    function(k) {{ if (!data[k]) data[k] = empty; }});
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
  made["People displaced"] = L.geoJSON(data["People displaced"], {{pane: "shading",
    style: function(f) {{ if (f.geometry.type === "Point") return {{}};
      return {{color: "#54278f", weight: 0.8, fillColor: f.properties.fill,
               fillOpacity: 0.75}}; }},
    pointToLayer: function(f, ll) {{
      return L.circleMarker(ll, {{pane: "displacement",
        radius: circleRadius(f.properties.people), color: "#6a3d9a",
        weight: 1, fillColor: "#9e7bc4", fillOpacity: 0.45}}); }},
    onEachFeature: bind}});
  if (data["Mining sites"]) {{
    var cluster = L.markerClusterGroup({{clusterPane: "mines", showCoverageOnHover: false,
      maxClusterRadius: 40}});
    L.geoJSON(data["Mining sites"], {{
      pointToLayer: function(f, ll) {{
        return L.circleMarker(ll, {{pane: "mines", radius: 5, color: "#111", weight: 1,
          fillColor: "#f1c40f", fillOpacity: 0.95}}); }},
      onEachFeature: bind}}).eachLayer(function(l) {{ cluster.addLayer(l); }});
    made["Mining sites"] = cluster;
  }}
  Object.keys(data).forEach(function(k) {{
    if (made[k]) return;  // the "changed hands" layer: rings around places
    made[k] = L.geoJSON(data[k], {{pointToLayer: function(f, ll) {{
      return L.circleMarker(ll, {{pane: "towns", radius: 11, color: "#ff7f00", weight: 3,
                                  fill: false}}); }}, onEachFeature: bind}});
  }});
  var overlay = {safe_json(overlay)};
  if (overlay) {{
    made["People displaced: density of point records"] = L.imageOverlay(overlay[0],
      overlay[1], {{pane: "shading", opacity: 0.8}});
  }}
  Object.keys(made).forEach(function(k) {{ made[k].addTo(map); }});
  if ({safe_json(layer_control)}) {{
    L.control.layers(null, made, {{collapsed: window.innerWidth < 700}}).addTo(map);
  }}
  if ({safe_json(fullscreen)}) {{
    var full = L.control({{position: "topleft"}});
    full.onAdd = function() {{
      var a = L.DomUtil.create("a", "leaflet-bar geomap-fullscreen");
      a.href = "#"; a.title = "Full screen"; a.setAttribute("role", "button");
      a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" ' +
        'style="vertical-align:middle"><path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" ' +
        'fill="none" stroke="#222" stroke-width="2"/></svg>';
      L.DomEvent.on(a, "click", function(e) {{
        L.DomEvent.preventDefault(e);
        var el = map.getContainer();
        if (document.fullscreenElement) {{ document.exitFullscreen(); }}
        else if (el.requestFullscreen) {{ el.requestFullscreen(); }}
      }});
      return a;
    }};
    full.addTo(map);
  }}
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution({safe_json(credits)});
  map.fitBounds([[{miny}, {minx}], [{maxy}, {maxx}]]);
  window.geomapLayers = made;
}})();
"""


def slider_script(slider: dict, as_of: pd.Timestamp) -> str:
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
