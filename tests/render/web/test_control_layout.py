"""No box over the map covers another, on a phone, in a small embed and on a desktop.

The page is drawn from a crowded fixture (every actor in the legend, long source
names, a changed-hands layer, the base map), the legend and the layer control are
opened as a reader opens them (a click, a hover), and the bounding boxes of the title
box, layer control, legend, slider, buttons, scale and attribution are compared
pairwise. Each check waits on the page's own state (the layout script marks what was
open when it last placed the boxes), never on time.
"""

from __future__ import annotations

import shutil
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geomap.config import BuildConfig
from geomap.pipeline import load_layers
from geomap.render.web.map import build_map
from geomap.words import word

from ...pages import render_embed, summarise, write_shapes

pytestmark = pytest.mark.browser

CONTEXT = Path(__file__).resolve().parents[3] / "shapes" / "context"
BUNDLED_EXTENT = (26.81, -5.01, 29.99, 0.95)
"""West, south, east, north of the bundled map's places: the view a build opens on."""
CROWDED_CONTROL = [
    # every actor on some slider day, so that the legend lists them all
    ("alpha", "fardc", "", "2025-01-10", "assessed"),
    ("alpha", "m23", "2025-01-10", "2025-01-20", "contested"),
    ("alpha", "m23", "2025-01-20", "", "assessed"),
    ("bravo", "wazalendo", "", "2025-01-15", "assessed"),
    ("bravo", "fdlr", "2025-01-15", "", "claimed"),
    ("charlie", "burundi", "", "2025-01-12", "assessed"),
    ("charlie", "eacrf", "2025-01-12", "", "assessed"),
    ("T01", "adf", "2024-12-01", "2025-01-05", "claimed"),
    ("T01", "rdf", "2025-01-05", "", "contested"),
    ("T02", "m23", "2025-01-01", "", "assessed"),
]
LONG_SOURCE = ("Office for the Coordination of Humanitarian Affairs, Democratic "
               "Republic of the Congo, and the Référentiel Géographique Commun")
BOXES = {
    "title": ".geomap-title", "layers": ".leaflet-control-layers",
    "legend": ".geomap-legend", "slider": "#geomap-slider",
    "zoom": ".leaflet-control-zoom", "reset": "#geomap-reset",
    "fullscreen": "#geomap-fullscreen", "scale": ".leaflet-control-scale",
    "attribution": ".leaflet-control-attribution",
}
"""Every box over the map, by the name a failure reports."""
RECTS = """(boxes) => { const out = {};
  for (const [name, selector] of Object.entries(boxes)) {
    const node = document.querySelector(selector);
    if (!node || !node.getClientRects().length) continue;
    const r = node.getBoundingClientRect();
    out[name] = [r.left, r.top, r.right, r.bottom]; }
  return out; }"""
SIZES = [(375, 667), (680, 510), (1280, 800)]
SIZE_IDS = ["phone", "embed-680x510", "desktop"]


@pytest.fixture(scope="module")
def crowded_layers(tmp_path_factory: pytest.TempPathFactory):
    """The small layers with every actor on the slider and long source names."""
    folder = write_shapes(tmp_path_factory.mktemp("crowded") / "shapes", control=[
        (*row, LONG_SOURCE, "https://example.org/control", "")
        for row in CROWDED_CONTROL], source=LONG_SOURCE)
    return load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=folder))


@pytest.fixture(scope="module")
def context() -> dict[str, gpd.GeoDataFrame]:
    """The bundled base map of countries and lakes."""
    return {name: gpd.read_file(CONTEXT / f"{name}.geojson")
            for name in ("countries", "lakes")}


_PAGES: dict[tuple, str] = {}


def _write_map(folder: Path, layers, context, *, preset: str, lang: str = "en") -> Path:
    """map.html of the crowded layers in *folder*, with changes and the base map
    (rendered once per preset and language)."""
    key = (id(layers), preset, lang)
    if key not in _PAGES:
        summary, text, timeline = summarise(layers, "2025-02-01", compare="2024-12-20")
        text.lang = lang
        _PAGES[key] = build_map(
            layers.places, summary.areas, summary.mines, text, timeline=timeline,
            changes=summary.changes, events=summary.events, preset=preset,
            context=context)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "map.html"
    path.write_text(_PAGES[key], encoding="utf-8")
    return path


def _story(folder: Path) -> Path:
    """An article page around the embed snippet of folder/map.html."""
    words = "<p>" + "A paragraph of the story around the map. " * 30 + "</p>"
    story = folder / "story.html"
    story.write_text(
        "<!DOCTYPE html><html><head><meta name='viewport' "
        "content='width=device-width, initial-scale=1'></head><body>"
        + words * 2 + render_embed("Kivu test map") + words * 4 + "</body></html>",
        encoding="utf-8")
    return story


def _open(browser, path: Path, width: int, height: int, *, story: bool):
    """The page (and the map's frame in it) at *width* x *height*, script run."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(path.as_uri())
    if story:
        page.frame_locator("iframe.geomap-embed").locator(".leaflet-container").wait_for()
        page.evaluate("document.querySelector('iframe.geomap-embed').scrollIntoView("
                      "{block: 'center'})")
        frame = next(f for f in page.frames if f.url.endswith("map.html"))
    else:
        frame = page.main_frame
    frame.wait_for_function("window.geomap !== undefined && document.querySelector("
                            "'.leaflet-container').hasAttribute('data-layout')")
    return page, frame, problems


def _open_panels(frame) -> str:
    """Open the legend (a click on its summary) and the layer control (a hover);
    wait until the layout has placed them; return what is open."""
    legend = frame.locator(".geomap-legend")
    if legend.get_attribute("open") is None:
        frame.locator(".geomap-legend > summary").click()
    expected = "legend"
    if frame.locator(".leaflet-control-layers").count():
        frame.locator(".leaflet-control-layers").hover()
        expected = "legend layers"
    frame.wait_for_function(
        "(want) => document.querySelector('.leaflet-container').dataset.layout === want",
        arg=expected)
    return expected


def _overlaps(rects: dict[str, list[float]]) -> list[str]:
    """The pairs of boxes that share pixels."""
    return [f"{a} {rects[a]} and {b} {rects[b]}"
            for a, b in combinations(rects, 2)
            if rects[a][0] < rects[b][2] and rects[b][0] < rects[a][2]
            and rects[a][1] < rects[b][3] and rects[b][1] < rects[a][3]]


def _inside(rect: list[float], width: float, height: float) -> bool:
    """The box lies wholly inside a view of *width* x *height*."""
    left, top, right, bottom = rect
    return left >= 0 and top >= 0 and right <= width and bottom <= height


def _check_boxes(frame, preset: str) -> list[str]:
    """Assert that every box is shown whole inside the map, that none covers another
    and that no name on the map is under one; return the names shown."""
    rects = frame.evaluate(RECTS, BOXES)
    wanted = set(BOXES) - {"fullscreen" if preset == "analyst" else "layers"}
    assert set(rects) == wanted
    width, height = frame.evaluate("[innerWidth, innerHeight]")
    outside = {name: r for name, r in rects.items() if not _inside(r, width, height)}
    assert outside == {}, (width, height)
    assert _overlaps(rects) == []
    # and no name shown on the map is under a box: names are placed after the boxes
    names = frame.evaluate("""() => [...document.querySelectorAll(
        '.geomap-town-label span, .geomap-base-label span')].filter(
        n => n.getClientRects().length).map(n => { const r = n.getBoundingClientRect();
        return [n.textContent, [r.left, r.top, r.right, r.bottom]]; })""")
    covered = [f"{name} under {pair}" for name, rect in names
               for pair in _overlaps({"name": rect, **rects}) if pair.startswith("name")]
    assert covered == []
    # what a box could not show whole, it scrolls; the attribution is never cut
    for selector in (".geomap-legend", ".leaflet-control-layers-list"):
        if frame.locator(selector).count():
            assert frame.locator(selector).evaluate(
                "n => n.scrollHeight <= n.clientHeight + 1 "
                "|| getComputedStyle(n).overflowY === 'auto'")
    assert frame.locator(".leaflet-control-attribution").evaluate(
        "n => n.scrollHeight <= n.clientHeight + 1 && n.scrollWidth <= n.clientWidth + 1"
        " && n.getBoundingClientRect().height <= 2.5 * parseFloat("
        "getComputedStyle(n).lineHeight)")
    return [name for name, _rect in names]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("preset", ["analyst", "article"])
def test_open_legend_and_layers_cover_no_other_control(
        browser, crowded_layers, context, tmp_path, preset, width, height):
    """map.html opened at a size (the whole page, or an embed of that size)."""
    page, frame, problems = _open(browser, _write_map(
        tmp_path, crowded_layers, context, preset=preset), width, height, story=False)
    _open_panels(frame)
    names = _check_boxes(frame, preset)
    if width > 1000:
        assert {"Rwanda", "Alpha", "Bravo"} <= {name.title() for name in names}
    assert problems == []
    page.close()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=SIZE_IDS)
def test_article_embed_in_a_story_covers_no_control(
        browser, crowded_layers, context, tmp_path, width, height):
    """The article map in the embed snippet's iframe, in a story read at a size."""
    _write_map(tmp_path, crowded_layers, context, preset="article")
    page, frame, problems = _open(browser, _story(tmp_path), width, height, story=True)
    _check_boxes(frame, "article")  # closed as it opens, then open
    _open_panels(frame)
    _check_boxes(frame, "article")
    assert problems == []
    page.close()


def test_french_phone_layout_covers_no_control(browser, crowded_layers, context,
                                               tmp_path):
    """French words are longer; the boxes still keep apart on a phone."""
    page, frame, problems = _open(browser, _write_map(
        tmp_path, crowded_layers, context, preset="analyst", lang="fr"), 375, 667,
        story=False)
    _open_panels(frame)
    _check_boxes(frame, "analyst")
    assert "Légende" in frame.locator(".geomap-legend").inner_text()
    assert problems == []
    page.close()


def test_a_phone_shows_a_short_credit_that_opens_every_source(
        browser, crowded_layers, context, tmp_path):
    """On a phone the long data credit is one line with a link to the sources list,
    which names every source; a desktop shows the credit in full."""
    path = _write_map(tmp_path, crowded_layers, context, preset="analyst")
    page, frame, problems = _open(browser, path, 375, 667, story=False)
    attribution = frame.locator(".leaflet-control-attribution")
    line = attribution.evaluate("n => parseFloat(getComputedStyle(n).lineHeight)")
    assert attribution.bounding_box()["height"] <= 1.5 * line
    text = summarise(crowded_layers, "2025-02-01", compare="2024-12-20")[1]
    cited = text.sources
    assert text.sources_more == 0
    assert attribution.inner_text() == f"Leaflet | Data sources ({len(cited)})"
    assert frame.locator("#geomap-sources > summary").inner_text() == \
        f"Sources ({len(cited)})"  # the same count as the title box
    assert LONG_SOURCE not in attribution.inner_text()
    sources = frame.locator("#geomap-sources")
    assert sources.get_attribute("open") is None
    frame.locator(".geomap-credit").click()
    frame.wait_for_function(
        "document.querySelector('.leaflet-container').dataset.layout === 'sources'")
    listed = sources.locator("li").all_inner_texts()
    assert len(listed) == len(cited) == 3
    assert all(item.startswith(LONG_SOURCE) for item in listed)
    assert sources.locator("li").first.is_visible()
    _check_boxes(frame, "analyst")
    assert problems == []
    page.close()
    page, frame, problems = _open(browser, path, 1280, 800, story=False)
    credit = frame.locator(".leaflet-control-attribution").inner_text()
    assert credit.startswith("Leaflet | Data: admin areas: Office for the Coordination")
    assert frame.locator(".geomap-credit").count() == 0
    assert problems == []
    page.close()


def test_article_embed_takes_about_half_a_phone_screen(browser, crowded_layers,
                                                       context, tmp_path):
    """In a story on a phone the map is about half the screen high (it was 63 %),
    and it keeps 4:3 in a wide column."""
    _write_map(tmp_path, crowded_layers, context, preset="article")
    story = _story(tmp_path)
    page, _frame, _ = _open(browser, story, 375, 667, story=True)
    box = page.locator("iframe.geomap-embed").bounding_box()
    assert 0.45 * 667 <= box["height"] <= 0.56 * 667
    assert box["height"] >= 0.95 * box["width"]
    page.close()
    page, _frame, _ = _open(browser, story, 1280, 800, story=True)
    box = page.locator("iframe.geomap-embed").bounding_box()
    assert box["height"] == pytest.approx(min(box["width"] * 0.75, 0.8 * 800), abs=1)
    page.close()


@pytest.fixture(scope="module")
def kivu_wide(tmp_path_factory: pytest.TempPathFactory):
    """The small layers over the extent of the bundled map (both Kivus), with the
    repository's base map in their shapes folder, read as a build reads them."""
    folder = write_shapes(tmp_path_factory.mktemp("wide") / "shapes")
    gpd.GeoDataFrame(
        {"pcode": ["T01", "T02"], "name": ["Sierra", "Tango"], "level": [2, 2],
         "parent_pcode": ["P1", "P1"], "source": ["test", "test"]},
        geometry=[box(*BUNDLED_EXTENT[:2], 28.4, BUNDLED_EXTENT[3]),
                  box(28.4, BUNDLED_EXTENT[1], *BUNDLED_EXTENT[2:])],
        crs="EPSG:4326").to_file(folder / "admin.geojson", driver="GeoJSON")
    shutil.copytree(CONTEXT, folder / "context")
    return load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=folder))


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)],
                         ids=["desktop", "phone"])
def test_lake_kivu_rwanda_and_burundi_show_on_the_default_view_offline(
        browser, kivu_wide, tmp_path, width, height):
    """A map of the Kivus as a build draws it (its base map read from shapes/ by
    default), opened with every request off the page refused: at the view it opens
    on, Lake Kivu is drawn, and it, Rwanda and Burundi are named, inside the map and
    under no box."""
    assert set(kivu_wide.context) == {"countries", "lakes"}  # read by default
    summary, text, timeline = summarise(kivu_wide, "2025-02-01")
    path = tmp_path / "map.html"
    path.write_text(build_map(kivu_wide.places, summary.areas, summary.mines, text,
                              timeline=timeline, context=kivu_wide.context),
                    encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": height})
    asked: list[str] = []
    page.route(lambda url: not url.startswith("file:"),
               lambda route: (asked.append(route.request.url), route.abort()))
    page.goto(path.as_uri())
    page.wait_for_function("document.querySelector('.leaflet-container')"
                           ".hasAttribute('data-layout')")
    boxes = page.evaluate(RECTS, BOXES)
    shown = {}
    for span in page.locator(".geomap-base-label span").all():
        r = span.bounding_box()
        if r is not None:
            shown[span.inner_text().title()] = [
                r["x"], r["y"], r["x"] + r["width"], r["y"] + r["height"]]
    for name in ("Lake Kivu", "Rwanda", "Burundi"):
        assert name in shown, (name, sorted(shown))
        rect = shown[name]
        assert _inside(rect, width, height), (name, rect)
        assert [pair for pair in _overlaps({name: rect, **boxes})
                if pair.startswith(name)] == []
    # the lakes and countries are drawn, Lake Kivu wholly inside the view
    lakes = kivu_wide.context["lakes"]
    west, south, east, north = lakes.loc[lakes["name"] == "Lake Kivu"].total_bounds
    kivu = page.evaluate("""([south, west, north, east]) => {
        var map = window.geomap.map;
        var a = map.latLngToContainerPoint([north, west]);
        var b = map.latLngToContainerPoint([south, east]);
        return [a.x, a.y, b.x, b.y]; }""", [south, west, north, east])
    assert _inside(kivu, width, height), kivu
    assert kivu[3] - kivu[1] > 20  # big enough to see
    assert page.locator(".leaflet-base-pane path").count() == (
        len(kivu_wide.context["countries"]) + len(lakes))
    assert asked == []
    page.close()


def _slider_name(page) -> str:
    """The slider's accessible name as Chromium gives it to a screen reader (its
    accessibility tree; the tree does not show aria-valuetext, read from the DOM)."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    slider, = [node for node in nodes if node.get("role", {}).get("value") == "slider"]
    return slider["name"]["value"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_slider_is_announced_with_its_date(browser, crowded_layers, context, tmp_path,
                                           lang):
    """A screen reader hears the slider's date in its name and value, not an index,
    and the new date once the slider moves."""
    page, _frame, problems = _open(browser, _write_map(
        tmp_path, crowded_layers, context, preset="analyst", lang=lang), 1280, 800,
        story=False)
    days = page.evaluate("window.geomap.data.days")
    slider = page.locator("#geomap-range")
    for day in (days[page.evaluate("window.geomap.data.start")], days[0]):
        slider.fill(str(days.index(day)))
        page.wait_for_function("(day) => document.getElementById('geomap-range')"
                               ".getAttribute('aria-valuetext') === day", arg=day)
        assert _slider_name(page) == word("slider_label", lang, date=day)
    assert problems == []
    page.close()
