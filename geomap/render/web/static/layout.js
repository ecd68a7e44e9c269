/* geomap web map: where the boxes over the map go, so that none covers another.
 *
 * The title box sits at the top beside the zoom buttons; the slider, the scale and
 * the attribution at the bottom. The legend and the layer control share the space
 * between, and scroll inside it when they are open and longer than it. Where the
 * data credit would take more than two lines (a phone, a small embed), it becomes
 * one short line whose link opens the title box's list of every source; a tile
 * provider's credit stays as it is. Everything is placed again whenever a box opens,
 * closes or changes size; then the map places its names again ("boxesmoved"), and
 * its container says what was open when the boxes were last placed (data-layout),
 * for tests to wait on.
 */
(function () {
  "use strict";

  var geomap = window.geomap;
  var map = geomap.map;
  var root = map.getContainer();
  var GAP = 6;    /* pixels between two boxes */
  var EDGE = 10;  /* Leaflet's margin of a control from the map's edge */
  var TITLE_WIDTH = 420;
  var title = document.querySelector(".geomap-title");
  var sources = title.querySelector(".geomap-sources");
  var legend = document.querySelector(".geomap-legend");
  var slider = document.getElementById("geomap-slider");
  var layers = root.querySelector(".leaflet-control-layers");
  var list = layers && layers.querySelector(".leaflet-control-layers-list");
  var scale = root.querySelector(".leaflet-control-scale");
  var attribution = map.attributionControl;

  function corner(name) {
    return root.querySelector(".leaflet-" + name.split(" ").join(".leaflet-"));
  }

  function escapeText(text) {
    var node = document.createElement("div");
    node.textContent = text;
    return node.innerHTML;
  }

  function shown(node) {
    return !!node && !node.hidden && node.getClientRects().length > 0;
  }

  /* Two boxes share some column of pixels. */
  function across(a, b) {
    return a.left < b.right && b.left < a.right;
  }

  /* The highest top, less a gap, of the *boxes* in the same columns as *box*. */
  function floorOf(box, boxes, height) {
    return boxes.reduce(function (floor, other) {
      return other && across(box, other) ? Math.min(floor, other.top - GAP) : floor;
    }, height - EDGE);
  }

  /* The lowest bottom, plus a gap, of the *boxes* in the same columns as *box*. */
  function ceilingOf(box, boxes) {
    return boxes.reduce(function (ceiling, other) {
      return other && across(box, other) ? Math.max(ceiling, other.bottom + GAP)
        : ceiling;
    }, EDGE);
  }

  /* The data credit: in full when it fits on two lines, else the short line. */
  var full = escapeText(geomap.data.credits);
  var short = '<a href="#" class="geomap-credit">'
    + escapeText(geomap.data.creditsShort) + "</a>";
  var isShort = false;

  function useCredit(shortLine) {
    if (shortLine === isShort) return;
    attribution.removeAttribution(shortLine ? full : short);
    attribution.addAttribution(shortLine ? short : full);
    isShort = shortLine;
  }

  function fitCredit() {
    var node = attribution.getContainer();
    var room = root.clientWidth - (shown(scale)
      ? scale.getBoundingClientRect().right + GAP : 0);
    node.style.maxWidth = Math.max(room, 0) + "px";
    useCredit(false);
    var line = parseFloat(getComputedStyle(node).lineHeight);
    useCredit(node.getBoundingClientRect().height > 2.5 * line);
  }

  attribution.getContainer().addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".geomap-credit")) return;
    event.preventDefault();
    sources.open = true;
    sources.querySelector("summary").focus();
  });

  /* The title box: beside the top-left buttons, clear of what stays top right. A
     layer control to open sits in the left column under the title (its list opens
     rightwards from where it is, so the pointer never leaves it); one always open
     sits top right, under the title when they would meet. */
  function placeTitle(width) {
    var right = corner("top right");
    right.style.top = "";
    var reserve = EDGE;
    if (right.children.length && !right.contains(layers)) {
      reserve = width - right.getBoundingClientRect().left + GAP;
    }
    title.style.maxWidth = Math.min(TITLE_WIDTH,
                                    width - title.offsetLeft - reserve) + "px";
    var head = title.getBoundingClientRect();
    if (!layers) return head;
    layers.style.marginTop = "";
    var left = corner("top left");
    layers.style.maxWidth = (width - EDGE - (left.contains(layers) ? EDGE
      : GAP + left.getBoundingClientRect().right)) + "px";
    var box = layers.getBoundingClientRect();
    if (left.contains(layers)) {
      layers.style.marginTop = (EDGE + Math.max(0, head.bottom + GAP - box.top)) + "px";
    } else if (across(box, head)) {
      right.style.top = (head.bottom + GAP - EDGE) + "px";
    }
    return head;
  }

  /* The buttons of the top-left column, the layer control aside. */
  function buttons() {
    return Array.prototype.filter.call(corner("top left").children, function (node) {
      return node !== layers;
    }).map(function (node) { return node.getBoundingClientRect(); });
  }

  /* The slider above both the attribution and the scale. */
  function placeSlider(bottoms) {
    if (!shown(slider)) return null;
    slider.style.marginBottom = "";
    var box = slider.getBoundingClientRect();
    var margin = parseFloat(getComputedStyle(slider).marginBottom);
    var floor = floorOf(box, bottoms, root.clientHeight) + GAP;
    slider.style.marginBottom = (margin + box.bottom - floor + GAP) + "px";
    return slider.getBoundingClientRect();
  }

  function place() {
    var width = root.clientWidth;
    var height = root.clientHeight;
    var head = placeTitle(width);
    var tops = buttons().concat([head]);
    var bottoms = [shown(scale) ? scale.getBoundingClientRect() : null,
                   attribution.getContainer().getBoundingClientRect()];
    bottoms.push(placeSlider(bottoms));

    var open = shown(layers) && layers.classList.contains(
      "leaflet-control-layers-expanded");
    legend.style.maxHeight = "";
    legend.style.bottom = "";
    var key = legend.getBoundingClientRect();
    var legendFloor = floorOf(key, bottoms, height);
    legend.style.bottom = (height - legendFloor) + "px";
    key = legend.getBoundingClientRect();
    var legendRoom = legendFloor - ceilingOf(key, tops);
    if (open) {
      list.style.height = "";
      list.style.maxHeight = "";
      var control = layers.getBoundingClientRect();
      var chrome = control.height - list.getBoundingClientRect().height;
      var layersFloor = floorOf(control, bottoms, height);
      var layersRoom = layersFloor - control.top;
      if (across(control, key) && !legend.open) {  /* clear of the legend's summary */
        layersRoom = Math.min(layersRoom, key.top - GAP - control.top);
      } else if (across(control, key)) {  /* one column for both: share it */
        var room = Math.min(layersFloor, legendFloor) - control.top - GAP;
        if (control.height + key.height > room) {
          layersRoom = control.height <= room / 2 ? control.height
            : Math.max(room / 2, room - key.height);
          legendRoom = Math.min(legendRoom, room - layersRoom);
        }
      }
      list.style.maxHeight = Math.max(layersRoom - chrome, 0) + "px";
    }
    if (shown(layers) && !open) {
      legendRoom = Math.min(legendRoom, legendFloor - ceilingOf(
        key, [layers.getBoundingClientRect()]));
    }
    legend.style.maxHeight = Math.max(legendRoom, 0) + "px";
    map.fire("boxesmoved");  /* names hidden under a box show again, and back */
    root.setAttribute("data-layout", [legend.open && "legend",
      open && "layers", sources.open && "sources"].filter(Boolean).join(" "));
  }

  function refit() {
    fitCredit();
    place();
  }

  legend.addEventListener("toggle", place);
  sources.addEventListener("toggle", place);
  if (slider) slider.addEventListener("input", place);
  if (layers) {
    new MutationObserver(place).observe(layers, {attributes: true,
                                                 attributeFilter: ["class"]});
  }
  window.addEventListener("resize", refit);
  refit();
})();
