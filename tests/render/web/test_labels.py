"""Town names, markers that can each be clicked, and keyboard order on the web map.

The browser checks wait on the page's own state: its script has run, and the names
were placed for the zoom asked for (``data-names-zoom`` on the map) and the mines'
clusters have stopped moving (they place the names again when they stop); none waits
for a fixed time.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from geomap.config import BuildConfig
from geomap.pipeline import load_layers
from geomap.render.ranking import rank_labels
from geomap.render.web.map import SPREAD_UNTIL, build_map
from geomap.render.web.towns import SPREAD_PX, first_zoom, spread_towns, town_labels

from ...pages import NAMES_PLACED, open_page, render_page, summarise, write_shapes
from .test_page import page_data

CROWD = [
    # town_id, name, lon, lat: four towns within 300 m of Alpha, one on top of it
    ("alpha", "Alpha", 29.1000, -1.5000),
    ("delta", "Delta-on-the-hill", 29.1010, -1.5004),
    ("echo", "Echo", 29.0995, -1.4990),
    ("foxtrot", "Foxtrot", 29.1000, -1.5000),
    ("golf", "Goma", 29.1020, -1.5010),
    ("bravo", "Bravo", 29.40, -1.50),
    ("charlie", "Charlie-centre", 29.10, -1.80),
]
NAMES = """() => Array.from(document.querySelectorAll('.geomap-town-label span'))
  .filter(s => s.style.display !== 'none').map(s => {
    const r = s.getBoundingClientRect();
    return {name: s.textContent, box: [r.left, r.top, r.right, r.bottom]}; })"""
CENTRES = """() => { const out = [], map = window.geomap.map,
    origin = map.getContainer().getBoundingClientRect();
  window.geomap.layers.towns.eachLayer(function (l) {
    const at = map.latLngToContainerPoint(l.getLatLng());
    const x = origin.left + at.x, y = origin.top + at.y;
    const hit = document.elementFromPoint(x, y);
    out.push({ref: l.feature.properties.ref, x: x, y: y, own: hit === l.getElement(),
              hit: hit && (hit.getAttribute('aria-label') || hit.className.baseVal
                           || hit.className)}); });
  return out; }"""


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory):
    """The small layers with five towns crowded within 300 m, one a provincial capital."""
    folder = write_shapes(tmp_path_factory.mktemp("crowd") / "shapes", towns=[
        (town, name, lon, lat, "", "P1", "test", "https://example.org/towns")
        for town, name, lon, lat in CROWD])
    return load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=folder))


def _write(tmp_path: Path, page: str) -> Path:
    """Write *page* as map.html in *tmp_path*."""
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")
    return path


MINE_MARKS = """() => Array.from(document.querySelectorAll(
    '.leaflet-mines-pane .leaflet-marker-icon, .leaflet-mines-pane path')).map(m => {
    const r = m.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })
  .filter(b => b[2] > b[0] && b[3] > b[1])"""


def _under_mines(names: list[dict], marks: list[list[float]]) -> list[str]:
    """Shown names whose boxes meet a mine marker or cluster."""
    return [name["name"] for name in names for b in marks
            if name["box"][0] < b[2] and b[0] < name["box"][2]
            and name["box"][1] < b[3] and b[1] < name["box"][3]]


def _overlapping(names: list[dict]) -> list[tuple[str, str]]:
    """Pairs of shown names whose boxes intersect."""
    return [(a["name"], b["name"]) for i, a in enumerate(names) for b in names[i + 1:]
            if a["box"][0] < b["box"][2] and b["box"][0] < a["box"][2]
            and a["box"][1] < b["box"][3] and b["box"][1] < a["box"][3]]


def test_names_are_ranked_changed_hands_then_capitals_then_held():
    """One order for both maps: changed hands, capitals, held, displaced, mines, name."""
    places = pd.DataFrame({
        "place": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "name": ["Zulu", "Bukavu", "Kilo", "Alpha", "Mike", "Goma"],
        "actor": [None, None, "m23", None, None, "fardc"],
        "people": [None, None, None, 500, 10, None],
        "mines": [0, 0, 0, 0, 3, 0]}, index=[5, 5, 7, 8, 9, 10])
    ranks = rank_labels(places, changed={"p1"})
    assert list(places["name"].iloc[np.argsort(ranks.to_numpy())]) == [
        "Zulu", "Goma", "Bukavu", "Kilo", "Alpha", "Mike"]
    assert ranks.index.tolist() == places.index.tolist()
    assert rank_labels(places.iloc[::-1], changed={"p1"}).loc[10] == 1


def test_first_zoom_is_leaflets_fit():
    """The zoom Leaflet opens at: the Kivus fit at 7 on a desktop and on a phone."""
    assert first_zoom((26.8, -5.02, 30.0, 0.96)) == 7
    assert first_zoom((26.8, -5.02, 30.0, 0.96), ((680, 510),)) == 6
    assert first_zoom((29.0, -2.0, 29.5, -1.3)) == 10


def _pixels_apart(frame: gpd.GeoDataFrame, zoom: int) -> float:
    """The least distance, in pixels at *zoom*, between two points of *frame*."""
    scale = 256 * 2 ** zoom
    x = (frame.geometry.x + 180) / 360 * scale
    phi = np.radians(frame.geometry.y)
    y = (1 - np.log(np.tan(phi) + 1 / np.cos(phi)) / math.pi) / 2 * scale
    xy = np.column_stack([x, y])
    gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    return float(gaps[~np.eye(len(xy), dtype=bool)].min())


def test_spread_moves_crowded_markers_a_few_pixels_the_same_way_every_time():
    """Markers closer than a marker's radius are moved apart, and only those, by a few
    pixels; a city's middle stays clear; the same input gives the same points."""
    towns = gpd.GeoDataFrame({"place": [t[0] for t in CROWD]}, geometry=[
        Point(lon, lat) for _, _, lon, lat in CROWD], crs="EPSG:4326")
    city = gpd.GeoSeries([Point(29.1015, -1.4985)], crs="EPSG:4326")
    spread = spread_towns(towns, city, zoom=9)
    both = gpd.GeoDataFrame(geometry=[*spread.geometry, *city], crs="EPSG:4326")
    assert _pixels_apart(both, 9) >= SPREAD_PX - 0.5
    assert spread.geometry.iloc[5].equals(towns.geometry.iloc[5])  # Bravo, far away
    assert spread.geometry.iloc[6].equals(towns.geometry.iloc[6])
    moved = spread.to_crs("EPSG:3857").distance(towns.to_crs("EPSG:3857"))
    assert moved.max() < 3 * SPREAD_PX * 156543 / 2 ** 9  # a few pixels at zoom 9
    again = spread_towns(towns.iloc[::-1], city, zoom=9).sort_index()
    assert list(again.geometry.to_wkt()) == list(spread.geometry.to_wkt())
    assert spread_towns(towns.iloc[[5]], city.iloc[:0], zoom=9).geometry.iloc[0].equals(
        towns.geometry.iloc[5])


def _spread_one_by_one(towns: gpd.GeoDataFrame, fixed: gpd.GeoSeries, zoom: int
                       ) -> list[str]:
    """The rule of :func:`spread_towns` written plainly: pass after pass, each marker
    in turn pushed off every other marker (half way) and point (all the way) whose
    centre was too near when its turn came, until a pass moves none; WKT of the
    points it ends at."""
    scale = 256 * 2.0 ** zoom

    def pixels(points: gpd.GeoSeries) -> np.ndarray:
        phi = np.radians(np.clip(points.y.to_numpy(), -85.0511, 85.0511))
        return np.column_stack([
            (points.x.to_numpy() + 180.0) / 360.0 * scale,
            (1 - np.log(np.tan(phi) + 1 / np.cos(phi)) / math.pi) / 2 * scale])

    order = np.argsort(towns["place"].astype(str).to_numpy(), kind="stable")
    start = pixels(towns.geometry.iloc[order])
    still = pixels(fixed) if len(fixed) else np.empty((0, 2))
    xy = start.copy()
    for _ in range(60):
        moved = False
        for i in range(len(xy)):
            others = np.vstack([xy[:i], xy[i + 1:], still])
            gaps = xy[i] - others  # all taken before it moves
            for number, (gap, dist) in enumerate(zip(gaps, np.hypot(*gaps.T),
                                                     strict=True)):
                if dist >= SPREAD_PX - 1e-6:
                    continue
                moved = True
                part = 0.5 if number < len(xy) - 1 else 1.0
                if dist < 1e-6:
                    angle = 2.4 * (i + 1)
                    xy[i] += np.array([math.cos(angle), math.sin(angle)]) * SPREAD_PX * part
                else:
                    xy[i] += gap / dist * (SPREAD_PX - dist) * part
        if not moved:
            break
    lon = np.round(xy[:, 0] / scale * 360.0 - 180.0, 5)
    lat = np.round(np.degrees(np.arctan(np.sinh(math.pi * (1 - 2 * xy[:, 1] / scale)))), 5)
    kept = towns.geometry.to_numpy()[order]
    ends = [old if np.hypot(*(new - first)) < 0.5 else Point(x, y)
            for old, new, first, x, y in zip(kept, xy, start, lon, lat, strict=True)]
    found = [""] * len(towns)
    for at, point in zip(order, ends, strict=True):
        found[at] = shapely.to_wkt(point, rounding_precision=-1)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_spread_is_the_plain_rule_pushing_one_marker_at_a_time(seed):
    """Markers crowded at random (some on the very same point, some on a city's
    middle) end where the plain rule, one marker and one neighbour at a time, puts
    them: to the last digit."""
    rng = np.random.default_rng(seed)
    lon = 29.0 + rng.random(25) * 0.05
    lat = -1.5 + rng.random(25) * 0.05
    lon[3], lat[3] = lon[7], lat[7]  # two towns on one point
    towns = gpd.GeoDataFrame({"place": [f"t{n:02d}" for n in rng.permutation(25)]},
                             geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    city = gpd.GeoSeries([Point(lon[11], lat[11] + 0.001)] if seed % 2 else [],
                         crs="EPSG:4326")
    for zoom in (9, 11):
        spread = spread_towns(towns, city, zoom=zoom)
        assert list(shapely.to_wkt(spread.geometry.to_numpy(), rounding_precision=-1)) \
            == _spread_one_by_one(towns, city, zoom)


def test_page_keeps_true_positions_and_lists_names_in_rank_order(crowded):
    """Markers and names are at their true places in the page's data, with where the
    crowded ones are drawn at each zoom until none needs to move; the names come in
    rank order (the capital first) as plain data, never as markup."""
    data = page_data(render_page(crowded, "2025-02-01"))
    first = first_zoom(tuple(crowded.places.total_bounds))
    zooms = sorted(int(zoom) for zoom in data["spread"])
    assert zooms == list(range(first, first + len(zooms)))
    assert zooms[-1] == SPREAD_UNTIL  # Alpha and Foxtrot share a point: always moved
    assert set(data["spread"][str(first)]) >= {"alpha", "foxtrot"}
    assert set(data["spread"][str(SPREAD_UNTIL)]) == {"alpha", "foxtrot"}
    assert "bravo" not in data["spread"][str(first)]
    sizes = [len(data["spread"][str(zoom)]) for zoom in zooms]
    assert sizes == sorted(sizes, reverse=True)
    towns = {f["properties"]["ref"]: f["geometry"]["coordinates"]
             for layer in data["layers"] if layer["id"] == "towns"
             for f in layer["features"]["features"]}
    assert towns["alpha"] == towns["foxtrot"] == [29.1, -1.5]  # true places
    spec = next(layer for layer in data["layers"] if layer["id"] == "labels")
    assert spec["pane"] == "townLabels"
    assert [label["name"] for label in spec["labels"]][:1] == ["Goma"]
    assert {label["ref"] for label in spec["labels"]} == {t[0] for t in CROWD}
    for label in spec["labels"]:
        assert label["at"] == [towns[label["ref"]][1], towns[label["ref"]][0]]


def test_town_labels_skip_nameless_places_and_name_cities():
    """A city drawn as a shape is named at a point inside it; a blank name is left out."""
    places = gpd.GeoDataFrame({
        "place": ["c1", "t1", "t2", "a1"], "name": ["Goma", "Sake", " ", "Masisi"],
        "kind": ["area", "town", "town", "area"], "area_type": ["city", None, None,
                                                              "territory"]},
        geometry=[Point(29.2, -1.6).buffer(0.05), Point(29.0, -1.6), Point(29.1, -1.6),
                  Point(28.8, -1.4).buffer(0.4)], crs="EPSG:4326")
    labels = town_labels(places, changed={"t1"})
    assert [label["name"] for label in labels] == ["Sake", "Goma"]
    assert places.geometry.iloc[0].contains(Point(labels[1]["at"][::-1]))


def _names_at(page, zoom: int) -> list[dict]:
    """The shown names once they were placed for *zoom* and the clusters settled."""
    page.wait_for_function(NAMES_PLACED, arg=zoom)
    return page.evaluate(NAMES)


@pytest.mark.browser
def test_bundled_names_never_overlap_and_more_show_when_zoomed_in(browser, bundled,
                                                                  tmp_path):
    """At the first zoom Goma and Bukavu are named; no two names overlap, and no name
    covers another town's marker; zoomed in on the Goma-Bukavu corridor more show."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        bundled, "2025-03-01", compare="2024-12-31")))
    zoom = page.evaluate("window.geomap.map.getZoom()")
    first = _names_at(page, zoom)
    shown = {name["name"] for name in first}
    assert {"Goma", "Bukavu"} <= shown, shown
    assert _overlapping(first) == []
    marks = page.evaluate(MINE_MARKS)
    assert marks  # the bundled mines are drawn, clustered at this zoom
    assert _under_mines(first, marks) == []
    spec = next(layer for layer in page_data(page.content())["layers"]
                if layer["id"] == "labels")
    assert len(first) < len(spec["labels"])  # some wait for a closer zoom
    page.evaluate(f"void window.geomap.map.setView([-2.0, 29.0], {zoom + 2}, "
                  "{animate: false})")
    closer = _names_at(page, zoom + 2)
    (south, west), (north, east) = page.evaluate(
        "(b => [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]])"
        "(window.geomap.map.getBounds())")
    at = {label["name"]: label["at"] for label in spec["labels"]}
    was = [name for name in first
           if south <= at[name["name"]][0] <= north and west <= at[name["name"]][1] <= east]
    assert len(closer) > len(was) + 5, (closer, was)  # in the same part of the map
    assert _overlapping(closer) == []
    assert _under_mines(closer, page.evaluate(MINE_MARKS)) == []
    assert problems == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)],
                         ids=["desktop", "phone"])
def test_every_town_is_clickable_at_its_centre(browser, crowded, tmp_path, width, height):
    """At the first zoom the element at each town marker's centre is that marker, and
    a click there opens that town's popup; names and rings never catch the click."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        crowded, "2025-02-01", compare="2025-01-01")), width, height)
    zoom = page.evaluate("window.geomap.map.getZoom()")
    assert zoom == first_zoom(tuple(crowded.places.total_bounds), ((width, height),))
    _names_at(page, zoom)
    centres = page.evaluate(CENTRES)
    assert len(centres) == len(CROWD)
    assert [c for c in centres if not c["own"]] == []
    names = {t[0]: t[1] for t in CROWD}
    for index in range(len(centres)):
        centre = page.evaluate(CENTRES)[index]  # an open popup may have moved the map
        page.mouse.click(centre["x"], centre["y"])
        title = page.locator(".leaflet-popup-content .geomap-popup-title")
        assert title.inner_text() == names[centre["ref"]]
        page.evaluate("void window.geomap.map.closePopup()")  # its button may be under a box
        page.wait_for_function("!document.querySelector('.leaflet-popup')")
    # zoomed in, a marker moves back to its true place once none is near it
    closer = zoom + 4
    page.evaluate(f"void window.geomap.map.setZoom({closer}, {{animate: false}})")
    _names_at(page, closer)
    drawn = page.evaluate("""() => { const out = {};
        window.geomap.layers.towns.eachLayer(l => { const p = l.getLatLng();
          out[l.feature.properties.ref] = [p.lat, p.lng]; }); return out; }""")
    moved = page.evaluate(f"window.geomap.data.spread['{closer}']")
    assert "delta" not in moved
    assert drawn == {town: moved.get(town, [lat, lon]) for town, _, lon, lat in CROWD}
    assert problems == []
    page.close()


@pytest.mark.browser
def test_bundled_towns_above_mines_are_clickable(browser, bundled, tmp_path):
    """On the bundled map every town marker is clickable at its centre, above the
    mining sites and the changed-hands rings."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        bundled, "2026-03-01", compare="2025-12-31")))
    centres = page.evaluate(CENTRES)
    assert len(centres) > 30
    assert [c for c in centres if not c["own"]] == []
    assert page.evaluate("""() => ['mines', 'rings'].every(pane =>
        +window.geomap.map.getPane(pane).style.zIndex <
        +window.geomap.map.getPane('towns').style.zIndex)""")
    assert problems == []
    page.close()


TAB_TRAIL = """() => { const e = document.activeElement;
  return {tag: e.tagName, id: e.id || '', cls: (e.className && e.className.baseVal
    !== undefined ? e.className.baseVal : e.className) || '',
    text: (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 40),
    shape: !!e.closest('.leaflet-map-pane'),
    layers: !!e.closest('.leaflet-control-layers'),
    title: !!e.closest('.geomap-title'), legend: !!e.closest('.geomap-legend')}; }"""


@pytest.mark.browser
def test_keyboard_meets_the_controls_before_the_shapes(browser, crowded, tmp_path):
    """Tabbing from the top passes the title, legend, zoom, reset, layer control and
    slider before the first shape; then Enter opens a town's popup and Space on a
    layer's box hides that layer."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        crowded, "2025-02-01", compare="2025-01-01")))
    trail = []
    for _ in range(40):
        page.keyboard.press("Tab")
        trail.append(page.evaluate(TAB_TRAIL))
        if trail[-1]["shape"]:
            break
    assert trail[-1]["shape"], trail
    before = trail[:-1]
    assert any(step["title"] for step in before), before
    assert any(step["legend"] for step in before), before
    assert any(step["layers"] for step in before), before
    assert any(step["id"] == "geomap-range" for step in before), before
    assert any(step["id"] == "geomap-reset" for step in before), before
    assert any("leaflet-control-zoom-in" in step["cls"] for step in before), before
    assert not any(step["shape"] for step in before)
    page.keyboard.press("Enter")
    assert page.locator(".leaflet-popup-content").is_visible()
    box = page.locator(".leaflet-control-layers-overlays label", has_text="Town names")
    box.locator("input").focus()
    page.keyboard.press("Space")
    assert page.evaluate("!window.geomap.layers.labels._map")
    assert page.locator(".geomap-town-label").count() == 0
    assert problems == []
    page.close()


CONTEXT = Path(__file__).resolve().parents[3] / "shapes" / "context"
SHOWN = """() => Array.from(document.querySelectorAll(
  '.geomap-base-label span, .geomap-town-label span'))
  .filter(s => s.style.display !== 'none').map(s => {
    const r = s.getBoundingClientRect();
    return {name: s.textContent, box: [r.left, r.top, r.right, r.bottom]}; })"""


@pytest.fixture(scope="module")
def with_base_map(bundled) -> tuple[dict, str]:
    """The base map's countries and lakes, and the bundled map drawn over them (as of
    the date and comparison of ``test_bundled_towns_above_mines_are_clickable``)."""
    context = {name: gpd.read_file(CONTEXT / f"{name}.geojson")
               for name in ("countries", "lakes")}
    summary, text, timeline = summarise(bundled, "2026-03-01", compare="2025-12-31")
    return context, build_map(bundled.places, summary.areas, summary.mines, text,
                              timeline=timeline, changes=summary.changes,
                              context=context)


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)],
                         ids=["desktop", "phone"])
def test_base_map_fills_the_first_view_and_names_lake_kivu(browser, with_base_map,
                                                           tmp_path, width, height):
    """The first view of the bundled map lies wholly on the base map (no edge at 32°E);
    Lake Kivu, Rwanda and Burundi are named, and no name overlaps another."""
    context, html = with_base_map
    page, problems = open_page(browser, _write(tmp_path, html), width, height)
    _names_at(page, page.evaluate("window.geomap.map.getZoom()"))
    shown = page.evaluate(SHOWN)
    names = [name["name"] for name in shown]
    for name in ("Lake Kivu", "Rwanda", "Burundi", "Goma", "Bukavu"):
        assert name in names, names
    assert _overlapping(shown) == []
    (south, west), (north, east) = page.evaluate(
        "(b => [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]])"
        "(window.geomap.map.getBounds())")
    land = context["countries"].union_all().union(context["lakes"].union_all())
    assert land.contains(box(west, south, east, north)), (west, south, east, north)
    assert problems == []
    page.close()
