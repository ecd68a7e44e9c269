/* geomap web map.
 *
 * Draws the layers declared in the page's data block (#geomap-data) and, for the
 * day the slider shows, looks up each feature's style, tooltip and popup. geomap
 * worked all of them out in Python for every day: this script decides nothing
 * about who holds a place. Text from data is only ever written with textContent.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("geomap-data").textContent);
  var MAX_ZOOM = 18;
  var day = data.start;

  function escapeText(text) {
    var box = document.createElement("div");
    box.textContent = text;
    return box.innerHTML;
  }

  function element(parent, tag, text) {
    var node = parent.appendChild(document.createElement(tag));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A feature's state on the day shown: [style, popup, tooltip] indices. */
  function stateOf(feature) {
    var states = feature.properties.s;
    return data.states[states.length === 1 ? states[0] : states[day]];
  }

  function styleOf(feature) {
    return data.styles[stateOf(feature)[0]];
  }

  function popupOf(layer) {
    var popup = data.popups[stateOf(layer.feature)[1]];
    var root = document.createElement("div");
    root.className = "geomap-popup";
    element(root, "b", popup.title).className = "geomap-popup-title";
    if (popup.sub) {
      root.appendChild(document.createTextNode(" "));
      element(root, "small", popup.sub);
    }
    popup.rows.forEach(function (row) {
      element(root, "br");
      root.appendChild(document.createTextNode(row[0] + " "));
      element(root, row[2] ? "b" : "span", row[1]);
    });
    if (popup.source !== null) {
      element(root, "br");
      root.appendChild(document.createTextNode(popup.source + " "));
      if (popup.url && /^https?:\/\//i.test(popup.url)) {
        var link = element(root, "a", popup.link);
        link.href = popup.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      } else if (popup.urlText) {
        root.appendChild(document.createTextNode(popup.urlText));
      }
    }
    return root;
  }

  function tooltipOf(layer) {
    var tip = document.createElement("span");
    tip.textContent = data.tips[stateOf(layer.feature)[2]];
    return tip;
  }

  /* The article embed stays calm in a story: the wheel and a one-finger swipe
     scroll the page, not the map, until the reader taps the map (two fingers
     always move and zoom it). */
  var calm = data.fullscreen;
  /* A cluster of sites: a disc in the layer's own colours (not the plugin's green,
     which reads as a changed-hands ring), with the number of sites in it. */
  function clusterIcon(colours) {
    return function (group) {
      var disc = document.createElement("div");
      disc.className = "geomap-cluster";
      disc.style.background = colours.fill;
      disc.style.borderColor = colours.edge;
      disc.textContent = group.getChildCount();
      return L.divIcon({html: disc, className: "", iconSize: L.point(26, 26)});
    };
  }

  var map = L.map("geomap-map", {zoomControl: true,
    maxZoom: data.tiles ? data.tiles.maxZoom : MAX_ZOOM,
    scrollWheelZoom: !calm, dragging: !(calm && L.Browser.mobile)});
  map.fitBounds(data.bounds);
  if (data.tiles) {  /* background tiles, when the build asked for them (--tiles) */
    var tileOptions = {maxZoom: data.tiles.maxZoom,
      attribution: data.tiles.attribution};  /* the provider's own credit, as HTML */
    if (data.tiles.subdomains) tileOptions.subdomains = data.tiles.subdomains;
    L.tileLayer(data.tiles.url, tileOptions).addTo(map);
  }
  L.control.scale().addTo(map);
  Object.keys(data.panes).forEach(function (name) {
    map.createPane(name).style.zIndex = data.panes[name];
  });

  /* The layers, in the order data.layers declares them. */
  var names = [];  /* every name, in the order it is placed (geomap's order) */
  var made = {};
  var clusterPanes = [];  /* panes of clustered markers: town names keep clear */
  var named = {};
  var changing = [];
  data.layers.forEach(function (spec) {
    var layer;
    if (spec.image) {
      layer = L.imageOverlay(spec.image, spec.bounds, {pane: spec.pane, opacity: 0.8});
    } else if (spec.features) {
      layer = L.geoJSON(spec.features, {
        pane: spec.pane,
        interactive: spec.interactive !== false,
        style: styleOf,
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, L.extend(
            {pane: spec.pointPane || spec.pane}, styleOf(feature)));
        },
        onEachFeature: function (feature, item) {
          if (spec.interactive === false) return;  /* the base map: nothing to say */
          item.bindPopup(popupOf, {maxWidth: 280});
          item.bindTooltip(tooltipOf);
          if (feature.geometry.type === "Point") {  /* towns and sites: by keyboard too */
            item.on("add", function () {
              var node = item.getElement && item.getElement();
              if (!node || node.hasAttribute("tabindex")) return;
              node.setAttribute("tabindex", "0");
              node.setAttribute("role", "button");
              node.setAttribute("aria-label", data.tips[stateOf(feature)[2]]);
              node.addEventListener("keydown", function (event) {
                if (event.key === "Enter" || event.key === " ") {
                  event.preventDefault();
                  item.openPopup();
                }
              });
            });
          }
        }
      });
      if (spec.features.features.some(function (f) {
        return f.properties.s.length > 1;
      })) {
        changing.push(layer);
      }
      if (spec.cluster) {
        var cluster = L.markerClusterGroup({clusterPane: spec.pane,
          iconCreateFunction: clusterIcon(spec.cluster),
          showCoverageOnHover: false, maxClusterRadius: 40});
        layer.eachLayer(function (item) { cluster.addLayer(item); });
        cluster.on("animationend", function () { placeNames(); });
        clusterPanes.push(spec.pane);
        layer = cluster;
      }
    }
    if (spec.labels) {  /* names: text only, never clickable */
      layer = spec.features ? L.layerGroup([layer]) : L.layerGroup();
      spec.labels.forEach(function (label) {
        var name = document.createElement("span");
        name.textContent = label.name;
        var kind = label.kind || "town";
        var marker = L.marker(label.at, {pane: spec.features ? "baseLabels" : spec.pane,
          interactive: false, keyboard: false,
          icon: L.divIcon({html: name, iconSize: null, className: kind === "town" ?
            "geomap-town-label" : "geomap-base-label geomap-base-" + kind})});
        marker.addTo(layer);
        names.push({marker: marker, side: kind === "town", group: layer,
                    ref: label.ref, spots: label.spots || [label.at]});
      });
    }
    layer.addTo(map);
    made[spec.id] = layer;
    named[escapeText(spec.name)] = layer;
  });

  /* Names without overlaps: in geomap's order (countries and lakes, then towns by
     rank), each shown only where its box meets no name already shown and no box or
     control over the map. A town's name goes right of it, else left, clear of other
     town markers; a country or lake takes the first of its spots that is free. Run
     after each move. */
  var GAP = 4;
  function boxOf(item, x, y) {
    var span = item.marker.getElement().firstChild;
    if (!item.size) {  /* measured once, while shown */
      span.style.display = "";
      span.style.left = "";
      var rect = span.getBoundingClientRect();
      var origin = map.getContainer().getBoundingClientRect();
      var at = map.latLngToContainerPoint(item.marker.getLatLng());
      item.size = [rect.width, rect.height];
      item.shift = [rect.left - origin.left - at.x, rect.top - origin.top - at.y];
    }
    return [x + item.shift[0], y + item.shift[1],
            x + item.shift[0] + item.size[0], y + item.shift[1] + item.size[1]];
  }
  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }
  /* Crowded town markers drawn apart at this zoom, as geomap listed them (below its
     first listed zoom as at that one); every other marker at its true place. */
  var spreadZooms = Object.keys(data.spread || {}).map(Number);
  function movedNow() {
    if (!spreadZooms.length) return {};
    var zoom = Math.max(Math.round(map.getZoom()), Math.min.apply(null, spreadZooms));
    return data.spread[String(zoom)] || {};
  }
  function spreadMarkers() {
    var moved = movedNow();
    Object.keys(made).forEach(function (id) {
      var layer = made[id];
      if (!layer.eachLayer || !layer.getLayers) return;
      layer.eachLayer(function (item) {
        var ref = item.feature && item.feature.properties.ref;
        if (!ref || !item.setLatLng) return;
        if (!item.trueLatLng) item.trueLatLng = item.getLatLng();
        var at = moved[ref] ? L.latLng(moved[ref]) : item.trueLatLng;
        if (!at.equals(item.getLatLng())) item.setLatLng(at);
      });
    });
  }

  function placeNames() {
    var size = map.getSize(), placed = [], dots = [], moved = movedNow();
    var origin = map.getContainer().getBoundingClientRect();
    document.querySelectorAll(".geomap-box, .leaflet-control").forEach(function (box) {
      var r = box.getBoundingClientRect();  /* a name under a box could not be read */
      if (r.width && r.height) {
        placed.push([r.left - origin.left, r.top - origin.top,
                     r.right - origin.left, r.bottom - origin.top]);
      }
    });
    clusterPanes.forEach(function (pane) {  /* a town's name clear of mine markers */
      var marks = map.getPane(pane).querySelectorAll(".leaflet-marker-icon, path");
      marks.forEach(function (mark) {
        var r = mark.getBoundingClientRect();
        if (r.width && r.height) {
          dots.push({ref: null, box: [r.left - origin.left, r.top - origin.top,
                                      r.right - origin.left, r.bottom - origin.top]});
        }
      });
    });
    if (made.towns && map.hasLayer(made.towns)) {
      made.towns.eachLayer(function (item) {
        if (!item.getRadius || !item.options.stroke && !item.options.fill) return;
        var at = map.latLngToContainerPoint(item.getLatLng()), r = item.getRadius();
        dots.push({ref: item.feature.properties.ref,
                   box: [at.x - r, at.y - r, at.x + r, at.y + r]});
      });
    }
    names.forEach(function (item) {
      var span = item.marker.getElement() && item.marker.getElement().firstChild;
      if (!span || !map.hasLayer(item.group)) return;
      var chosen = null;
      /* a town: beside its marker; a country or lake: the first spot clear of
         everything, else of names */
      var spots = item.side ? [moved[item.ref] || item.spots[0]] :
        item.spots.concat(item.spots);
      spots.some(function (spot, index) {
        var blocking = item.side || index < item.spots.length;
        var at = map.latLngToContainerPoint(spot);
        var box = boxOf(item, at.x, at.y), width = box[2] - box[0];
        var tries = item.side ? [0, -(width + 2 * (box[0] - at.x))] : [0];
        return tries.some(function (dx) {
          var tried = [box[0] + dx, box[1], box[2] + dx, box[3]];
          var clear = tried[0] >= 0 && tried[1] >= 0 && tried[2] <= size.x &&
            tried[3] <= size.y && !placed.some(function (other) {
              return overlaps(tried, other);
            }) && !(blocking && dots.some(function (dot) {
              return dot.ref !== item.ref && overlaps(tried, dot.box);
            }));
          if (clear) chosen = {spot: spot, dx: dx, box: tried};
          return clear;
        });
      });
      span.style.display = chosen ? "" : "none";
      if (!chosen) return;
      var at = L.latLng(chosen.spot);
      if (!at.equals(item.marker.getLatLng())) item.marker.setLatLng(at);
      span.style.left = chosen.dx ? item.shift[0] + chosen.dx + "px" : "";
      placed.push(chosen.box);
    });
    map.getContainer().setAttribute("data-names-zoom", map.getZoom());
  }

  /* Show day number *index* of data.days: restyle, and refresh open popups. */
  function show(index) {
    day = index;
    changing.forEach(function (group) {
      group.eachLayer(function (item) {
        if (item.feature.properties.s.length === 1) return;
        item.setStyle(styleOf(item.feature));
        if (item.isPopupOpen()) item.getPopup().update();
        if (item.isTooltipOpen()) item.getTooltip().update();
      });
    });
    document.getElementById("geomap-date").textContent = data.days[index];
    document.getElementById("geomap-range-day").textContent = data.days[index];
    var range = document.getElementById("geomap-range");
    if (range) range.setAttribute("aria-valuetext", data.days[index]);
    var stale = document.getElementById("geomap-stale");
    if (stale) stale.hidden = index !== data.start;
    showEvents(index);
  }

  /* The events on day number *index* (marked on the slider), under the slider. */
  function showEvents(index) {
    var note = document.getElementById("geomap-event");
    if (!note) return;
    note.textContent = (data.events || []).filter(function (mark) {
      return mark.day === index;
    }).map(function (mark) { return mark.text; }).join(" · ");
  }

  function control(id, position, setUp) {
    var node = document.getElementById(id);
    if (!node) return null;
    var box = L.control({position: position});
    box.onAdd = function () {
      node.hidden = false;
      L.DomEvent.disableClickPropagation(node);
      setUp(node);
      return node;
    };
    box.addTo(map);
    return node;
  }

  var slider = control("geomap-slider", "bottomright", function (node) {
    var input = node.querySelector("input");
    input.addEventListener("input", function () { show(+input.value); });
    showEvents(day);
  });

  control("geomap-fullscreen", "topleft", function (node) {
    L.DomEvent.on(node, "click", function (event) {
      L.DomEvent.preventDefault(event);
      var container = map.getContainer();
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else if (container.requestFullscreen) {
        container.requestFullscreen();
      }
    });
  });

  control("geomap-reset", "topleft", function (node) {
    L.DomEvent.on(node, "click", function (event) {
      L.DomEvent.preventDefault(event);
      map.fitBounds(data.bounds);
    });
  });

  var hint = document.getElementById("geomap-hint");
  if (calm && hint) {
    var woken = false, hideLater = null;
    var say = function (text) {
      if (woken) return;
      hint.textContent = text;
      hint.hidden = false;
      clearTimeout(hideLater);
      hideLater = setTimeout(function () { hint.hidden = true; }, 1500);
    };
    map.on("click", function () {
      woken = true;
      hint.hidden = true;
      map.scrollWheelZoom.enable();
      map.dragging.enable();
    });
    map.getContainer().addEventListener("wheel", function () {
      say(hint.getAttribute("data-wheel"));
    }, {passive: true});
    map.getContainer().addEventListener("touchmove", function (event) {
      if (event.touches.length === 1 && !map.dragging.enabled()) {
        say(hint.getAttribute("data-touch"));
      }
    }, {passive: true});
  }

  if (data.layerControl) {
    var narrow = window.innerWidth < 700;  /* a list to open, under the buttons */
    L.control.layers(null, named, {collapsed: narrow,
      position: narrow ? "topleft" : "topright"}).addTo(map);
  }
  /* Keyboard order: the title, the legend and the map's controls come before the
     shapes (the boxes and controls are placed by CSS, not by their order). */
  var mapNode = map.getContainer();
  mapNode.parentNode.appendChild(mapNode);
  mapNode.insertBefore(map._controlContainer, mapNode.firstChild);
  map.on("zoomend", spreadMarkers);
  map.on("resize zoomend moveend overlayadd overlayremove boxesmoved",
         placeNames);  /* boxesmoved: static/layout.js placed the boxes again */
  spreadMarkers();
  placeNames();

  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution(escapeText(data.credits));
  if (window.innerWidth < 600) {
    document.querySelector(".geomap-legend").removeAttribute("open");
  }

  window.geomap = {
    map: map, layers: made, data: data, show: show,
    day: function () { return day; },
    input: slider && slider.querySelector("input")
  };
})();
