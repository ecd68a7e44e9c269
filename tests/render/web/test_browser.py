"""The page in a real headless Chromium: layers, slider, popups, presets.

Every check waits on the page's own state (its script has run, the slider's input
event restyles synchronously); none waits for a fixed time.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geomap.actors import holder_since, resolve_control
from geomap.config import BuildConfig
from geomap.pipeline import load_layers
from geomap.render.markup import fmt_date
from geomap.render.web.map import build_map
from geomap.render.web.states import holder_text
from geomap.render.web.styles import KEYS, area_style, town_style

from ...conftest import TOWNS
from ...pages import (
    NAMES_PLACED,
    move_slider,
    open_page,
    render_embed,
    render_page,
    summarise,
    write_shapes,
)
from .test_page import page_data, state

pytestmark = pytest.mark.browser

RICH_CONTROL = [
    # area, actor, start, end, confidence: handovers, fighting, claims, gaps
    ("alpha", "fardc", "", "2025-01-25", "assessed"),
    ("alpha", "m23", "2025-01-25", "2025-01-27", "contested"),
    ("alpha", "m23", "2025-01-27", "", "assessed"),
    ("bravo", "fardc", "", "", "assessed"),
    ("bravo", "wazalendo", "2025-02-10", "2025-02-15", "assessed"),
    ("charlie", "m23", "2025-02", "", "claimed"),
    ("T02", "m23", "2025-01-01", "2025-03-01", "assessed"),
    ("T02", "fardc", "2025-04-01", "", "assessed"),
    ("T01", "wazalendo", "2024-12-15", "2025-01-10", "claimed"),
]
LEAFLET_STYLES = """(id) => { var out = {};
  window.geomap.layers[id].eachLayer(function(l) {
    var o = l.options, style = {stroke: o.stroke, color: o.color, weight: o.weight,
      opacity: o.opacity, dashArray: o.dashArray, fill: o.fill, fillColor: o.fillColor,
      fillOpacity: o.fillOpacity};
    if (l.getRadius) style.radius = l.getRadius();
    out[l.feature.properties.ref] = style; });
  return out; }"""

BOUND_POPUPS = """(wanted) => { var out = {};
  wanted.forEach(function(pair) { window.geomap.layers[pair[0]].eachLayer(function(l) {
    if (l.feature.properties.ref !== pair[1]) return;
    var content = l.getPopup().getContent();
    var node = typeof content === "function" ? content(l) : content;
    node.querySelectorAll("br").forEach(function(br) { br.replaceWith("\\n"); });
    out[pair[1]] = node.textContent; }); });
  return out; }"""
"""The text each popup would show if opened now: {ref: text}, lines as in the page."""

DRAWN_NOW = f"""(wanted) => ({{
  date: Array.from(document.querySelectorAll('#geomap-date'), n => n.innerText),
  open: Array.from(document.querySelectorAll('.leaflet-popup-content'),
                   n => n.innerText),
  towns: ({LEAFLET_STYLES})('towns'), areas: ({LEAFLET_STYLES})('areas'),
  people: ({LEAFLET_STYLES})('displacement'), bound: ({BOUND_POPUPS})(wanted)}})"""
"""What the page shows now, read at once: the date and open popup texts (each a list,
one a node), the Leaflet styles of towns, areas and displacement, and BOUND_POPUPS."""


@pytest.fixture(scope="module")
def rich_layers(tmp_path_factory: pytest.TempPathFactory):
    """The small layers with a record full of handovers, fighting, claims and gaps."""
    folder = write_shapes(tmp_path_factory.mktemp("rich") / "shapes", control=[
        (*row, "test", "https://example.org/control", "") for row in RICH_CONTROL])
    return load_layers(BuildConfig(date=pd.Timestamp("2025-02-12"), shapes_dir=folder))


def _write(tmp_path: Path, page: str) -> Path:
    """Write *page* as map.html in *tmp_path*."""
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")
    return path


def _expected(style: dict) -> dict:
    """The options Leaflet holds after setStyle(style)."""
    return {key: style.get(key) for key in (*KEYS, "radius") if key in style}


def _open_popup(page, layer: str, ref: str) -> str:
    """Open the popup of feature *ref* of *layer*; return its text."""
    page.evaluate("""([id, ref]) => { window.geomap.layers[id].eachLayer(function(l) {
        if (l.feature.properties.ref === ref) l.openPopup(); }); }""", [layer, ref])
    return page.locator(".leaflet-popup-content").inner_text()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)],
                         ids=["desktop", "phone"])
def test_page_loads_without_errors(browser, small_layers, tmp_path, width, height):
    """Every layer is drawn, with the legend and the date, and no console error."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        small_layers, "2025-02-01")), width, height)
    assert page.evaluate("Object.keys(window.geomap.layers)") == [
        "admin", "areas", "towns", "displacement", "mines", "labels"]
    assert page.locator(".leaflet-interactive").count() >= 5
    assert page.locator(".geomap-legend").is_visible()
    assert page.locator(".geomap-legend").get_attribute("open") == (
        None if width < 600 else "")
    assert page.locator("#geomap-date").inner_text() == "2025-02-01"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
    page.close()


def _popup_lines(control: pd.DataFrame, held: pd.DataFrame, place: str,
                 day: str) -> tuple[str, str | None]:
    """The popup's 'Control:' and 'Since:' lines of *place* on *day*, from the holder
    rule (*held*: ``resolve_control(control, day)``) and the since rule (None: no
    'Since:' line)."""
    on = pd.Timestamp(day)
    actor = held["actor"].get(place)
    holder = holder_text(actor, held["actors"].get(place), "en")
    since = fmt_date(holder_since(control, [place], on)[place]) if actor else ""
    return f"Control: {holder}", (f"Since: {since}" if since else None)


def test_every_day_back_and_forth_matches_python(browser, rich_layers, tmp_path):
    """Over every record date, forth then back, towns and areas are drawn as the
    holder rule and the style table say, the displacement as Python worked it out,
    and the popups follow the slider (the open one of a town, and those a town with
    a gap and both areas give when opened): the holder, and since when its run
    began."""
    html = render_page(rich_layers, "2025-02-12")
    data = page_data(html)
    control = rich_layers.control
    record_days = {f"{day:%Y-%m-%d}" for day in
                   pd.concat([control["start"], control["end"]]).dropna()}
    assert set(data["days"]) == record_days | {"2025-02-12"}  # every record date
    page, problems = open_page(browser, _write(tmp_path, html))
    forth_and_back = [*data["days"], *reversed(data["days"])]
    assert _open_popup(page, "towns", "alpha").startswith("Alpha alpha")
    seen = set()
    held_on = {day: resolve_control(control, pd.Timestamp(day)) for day in data["days"]}
    lines_on = {(day, place): _popup_lines(control, held_on[day], place, day)
                for day in data["days"] for place in ("alpha", "charlie", "T01", "T02")}
    spec = next(s for s in data["layers"] if s["id"] == "displacement")
    for day in forth_and_back:
        move_slider(page, day)
        now = page.evaluate(DRAWN_NOW, [["towns", "charlie"], ["areas", "T01"],
                                        ["areas", "T02"]])
        assert now["date"] == [day]
        held = held_on[day]
        for town in (t[0] for t in TOWNS):
            expected = town_style(held["actor"].get(town), held["confidence"].get(town))
            assert now["towns"][town] == _expected(expected), (day, town)
        assert set(now["areas"]) == {"T01", "T02"}
        for area, drawn in now["areas"].items():
            expected = area_style(held["actor"].get(area), held["confidence"].get(area))
            assert drawn == _expected(expected), (day, area)
        for feature in spec["features"]["features"]:
            drawn = now["people"][feature["properties"]["ref"]]
            style = state(data, feature, day)[0]
            assert {k: drawn[k] for k in style} == style, (day, feature["properties"])
        assert len(now["open"]) == 1, (day, now["open"])  # alpha's, kept open
        for place, text in {"alpha": now["open"][0], **now["bound"]}.items():
            popup = text.splitlines()
            holder, since = lines_on[day, place]
            assert holder in popup, (day, place, popup)
            assert since in popup if since else not any(
                line.startswith("Since:") for line in popup), (day, place, popup)
            seen.add((holder, since))
    assert ("Control: no record", None) in seen  # gaps and fresh runs both shown
    assert ("Control: Wazalendo", "Since: 2024-12-15") in seen
    assert problems == []
    page.close()


def test_areas_keep_their_own_style_after_moving_away_and_back(browser, small_layers,
                                                               tmp_path):
    """Back on the build date, an area looks as it did at first (not like a town)."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        small_layers, "2025-02-01")))
    first = page.evaluate(LEAFLET_STYLES, "areas")
    move_slider(page, "2025-01-27")
    move_slider(page, "2025-01-01")
    move_slider(page, "2025-02-01")
    assert page.evaluate(LEAFLET_STYLES, "areas") == first
    assert first["T02"]["color"] == area_style("m23", "assessed")["color"]
    assert problems == []
    page.close()


def test_an_area_held_only_after_the_build_date_appears(browser, small_layers,
                                                        tmp_path):
    """Built as of 2024-12-01 (no holder), Tango is drawn when the slider reaches M23."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        small_layers, "2024-12-01")))
    assert page.evaluate(LEAFLET_STYLES, "areas")["T02"]["fill"] is False
    move_slider(page, "2025-02-01")
    assert page.evaluate(LEAFLET_STYLES, "areas")["T02"] == _expected(
        area_style("m23", "assessed"))
    assert problems == []
    page.close()


def test_popups_and_tooltips_follow_the_slider(browser, small_layers, tmp_path):
    """Alpha reads M23/AFC since 2025-01-27 on the build date, FARDC on 2025-01-01."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        small_layers, "2025-02-20")))
    text = _open_popup(page, "towns", "alpha")
    assert "Control: M23/AFC" in text
    assert "Since: 2025-01-27" in text
    move_slider(page, "2025-01-01")
    text = page.locator(".leaflet-popup-content").inner_text()
    assert "Control: FARDC" in text
    assert "M23" not in text
    page.locator(".leaflet-popup-close-button").click()
    page.evaluate("""() => { window.geomap.layers.towns.eachLayer(function(l) {
        if (l.feature.properties.ref === 'alpha') l.openTooltip(); }); }""")
    tip = page.locator(".leaflet-tooltip", has_text="Alpha")  # the mouse may rest on
    assert tip.inner_text() == "Alpha — FARDC (assessed)"  # an area and open its own
    assert problems == []
    page.close()


def test_each_layer_toggles(browser, small_layers, tmp_path):
    """Unticking a layer in the layer control removes it from the map, ticking adds it."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        small_layers, "2025-02-01")))
    boxes = page.locator(".leaflet-control-layers-overlays input")
    ids = page.evaluate("Object.keys(window.geomap.layers)")
    assert boxes.count() == len(ids) == 6
    for index, layer in enumerate(ids):
        boxes.nth(index).uncheck()
        assert page.evaluate(f"!window.geomap.layers[{layer!r}]._map")
        boxes.nth(index).check()
        assert page.evaluate(f"!!window.geomap.layers[{layer!r}]._map")
    assert problems == []
    page.close()


def test_article_preset_on_a_phone(browser, small_layers, tmp_path):
    """The article map loads on a phone with a fullscreen button and no layer control."""
    page, problems = open_page(browser, _write(tmp_path, render_page(
        small_layers, "2025-02-01", preset="article")), 375, 667)
    assert page.locator("#geomap-fullscreen").is_visible()
    assert page.locator(".leaflet-control-layers").count() == 0
    assert page.locator("#geomap-slider").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []
    page.close()


CONTEXT = Path(__file__).resolve().parents[3] / "shapes" / "context"


@pytest.mark.parametrize(("lang", "names"), [
    ("en", ["Lake Kivu", "Rwanda", "Burundi", "Lake Tanganyika", "Uganda"]),
    ("fr", ["Lac Kivu", "Rwanda", "Burundi", "Lac Tanganyika", "Ouganda"])])
def test_base_map_is_drawn_offline(browser, small_layers, tmp_path, lang, names):
    """With every request off the page blocked, countries and lakes are drawn and named."""
    context = {name: gpd.read_file(CONTEXT / f"{name}.geojson")
               for name in ("countries", "lakes")}
    summary, text, timeline = summarise(small_layers, "2025-02-01")
    text.lang = lang
    path = _write(tmp_path, build_map(
        small_layers.places, summary.areas, summary.mines, text, timeline=timeline,
        context=context))
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    asked: list[str] = []

    def block(route) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith("file:"), block)
    page.goto(path.as_uri())
    page.wait_for_function("window.geomap !== undefined")
    page.evaluate("void window.geomap.map.fitBounds([[-5, 27], [1, 31.5]], "
                  "{animate: false})")
    page.wait_for_function(NAMES_PLACED, arg=page.evaluate("window.geomap.map.getZoom()"))
    shown = page.locator(".geomap-base-label").all_inner_texts()
    for name in names:
        assert any(label.lower() == name.lower() for label in shown), (name, shown)
    # the shapes are drawn in the base pane, under the data, and catch no click
    pane = page.locator(".leaflet-base-pane path")
    assert pane.count() == 23  # 12 countries and 11 lakes
    assert page.evaluate("""() => +getComputedStyle(document.querySelector(
        '.leaflet-base-pane')).zIndex < +getComputedStyle(document.querySelector(
        '.leaflet-admin-pane')).zIndex""")
    assert page.locator(".leaflet-base-pane .leaflet-interactive").count() == 0
    assert page.locator(".leaflet-tile").count() == 0
    assert asked == []
    page.close()


def _article_in_a_story(tmp_path: Path, small_layers) -> Path:
    """An article page: paragraphs, the embed snippet's iframe of map.html, paragraphs."""
    _write(tmp_path, render_page(small_layers, "2025-02-01", preset="article"))
    words = "<p>" + "A paragraph of the story around the map. " * 30 + "</p>"
    story = tmp_path / "story.html"
    story.write_text(
        "<!DOCTYPE html><html><head><meta name='viewport' "
        "content='width=device-width, initial-scale=1'></head><body>"
        + words * 3 + render_embed("Kivu test map") + words * 6 + "</body></html>",
        encoding="utf-8")
    return story


def _map_frame(page):
    """The embedded map's frame, once its script has run, and its box on the page."""
    frame = page.frame_locator("iframe.geomap-embed")
    frame.locator(".leaflet-container").wait_for()
    page.evaluate("document.querySelector('iframe.geomap-embed').scrollIntoView("
                  "{block: 'center'})")
    inner = next(f for f in page.frames if f.url.endswith("map.html"))
    inner.wait_for_function("window.geomap !== undefined")
    return inner, page.locator("iframe.geomap-embed").bounding_box()


VIEW = "[window.geomap.map.getZoom(), window.geomap.map.getCenter().lat, " \
       "window.geomap.map.getCenter().lng]"


def test_article_embed_lets_the_wheel_scroll_the_story(browser, small_layers, tmp_path):
    """A mouse wheel over the embedded map scrolls the article; the map stays put."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(_article_in_a_story(tmp_path, small_layers).as_uri())
    inner, box = _map_frame(page)
    view, before = inner.evaluate(VIEW), page.evaluate("window.scrollY")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 400)
    page.wait_for_function(f"window.scrollY > {before}")
    assert inner.evaluate(VIEW) == view
    assert inner.locator(".leaflet-control-zoom").is_visible()
    assert inner.locator("#geomap-reset").is_visible()
    page.close()


def test_article_embed_lets_one_finger_scroll_the_story(browser, small_layers, tmp_path):
    """On a phone a one-finger swipe over the map scrolls the article, not the map."""
    context = browser.new_context(viewport={"width": 375, "height": 667},
                                  has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(_article_in_a_story(tmp_path, small_layers).as_uri())
    inner, box = _map_frame(page)
    view, before = inner.evaluate(VIEW), page.evaluate("window.scrollY")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7
    cdp = context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                          "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {
            "type": "touchMove", "touchPoints": [{"x": x, "y": y - 25 * step}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function(f"window.scrollY > {before}")
    assert inner.evaluate(VIEW) == view
    assert inner.evaluate("window.geomap.map.dragging.enabled()") is False
    context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_language_slider_name_and_keyboard_popups(browser, small_layers, tmp_path, lang):
    """The page says its language, the slider names its date, Enter on a town opens it."""
    summary, text, timeline = summarise(small_layers, "2025-02-01")
    text.lang = lang
    page, problems = open_page(browser, _write(tmp_path, build_map(
        small_layers.places, summary.areas, summary.mines, text, timeline=timeline,
        changes=summary.changes)))
    assert page.evaluate("document.documentElement.lang") == lang
    slider = page.locator("#geomap-range")
    assert slider.get_attribute("aria-valuetext") == "2025-02-01"
    days = page.evaluate("window.geomap.data.days")
    move_slider(page, days[0])
    assert slider.get_attribute("aria-valuetext") == days[0]
    assert page.locator("label[for=geomap-range]").inner_text().endswith(days[0])
    legend = page.locator(".geomap-legend").inner_text()
    assert ("Légende" in legend) == (lang == "fr")
    town = page.locator(".leaflet-towns-pane [tabindex='0']").first
    town.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert ("Contrôle" in popup or "contrôle" in popup) == (lang == "fr"), popup
    assert problems == []
    page.close()


def test_clustered_sites_are_drawn_in_the_mines_colour(browser, tmp_path,
                                                       tmp_path_factory):
    """Two sites side by side cluster into one disc in the mining sites' own colour,
    not the plugin's green (which reads as a changed-hands ring)."""
    folder = write_shapes(tmp_path_factory.mktemp("cluster") / "shapes", mines=[
        ("m1", "Mine one", "gold", 29.120, -1.520, "test", ""),
        ("m2", "Mine two", "gold", 29.121, -1.521, "test", "")])
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=folder))
    page, problems = open_page(browser, _write(tmp_path, render_page(layers,
                                                                     "2025-02-01")))
    disc = page.locator(".geomap-cluster")
    assert disc.count() == 1
    assert disc.inner_text() == "2"
    assert disc.evaluate("d => getComputedStyle(d).backgroundColor") == \
        "rgb(250, 236, 29)"  # MINE_COLOR, #faec1d
    assert page.locator(".marker-cluster-small, .marker-cluster-medium").count() == 0
    assert problems == []
    page.close()
