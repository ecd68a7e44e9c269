"""The rendered map in a real headless Chromium: loads, toggles, pops up, stays inert."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from geomap.actors import ACTORS
from geomap.config import BuildConfig
from geomap.pipeline import run

from .conftest import synthetic_admin, write_shapes
from .test_render import hostile_shapes

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# a 1x1 transparent PNG served in place of map tiles (no network here)
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (skipped when Chromium is absent)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run "
                    "installs it")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def open_map(browser, path: Path, width: int, height: int):
    """Open *path* at a viewport size; return the page and its collected problems."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(
        status=200, body=BLANK_PNG, content_type="image/png"))
    page.goto(path.as_uri())
    page.wait_for_function("window.geomapLayers !== undefined")
    return page, problems


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A map built from synthetic layers with hostile names, once for the module."""
    root = tmp_path_factory.mktemp("browser_built")
    shapes_dir = hostile_shapes(write_shapes(root / "shapes", synthetic_admin()))
    run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                    out_dir=root / "out"))
    return root / "out" / "map.html"


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (375, 667)],
                         ids=["desktop", "phone"])
def test_map_loads_without_errors(browser, built: Path, width: int, height: int):
    """The page draws every layer with no console error and no script from data."""
    page, problems = open_map(browser, built, width, height)
    # wait on the page's state, not on time: every layer drawn, nothing loading
    page.wait_for_function(
        "document.querySelectorAll('.leaflet-interactive').length >= 5")
    page.wait_for_load_state("networkidle")
    assert problems == []
    names = page.evaluate("Object.keys(window.geomapLayers)")
    assert names == ["Admin boundaries", "Control: areas", "Control: towns",
                     "People displaced", "Mining sites"]
    assert page.locator(".leaflet-interactive").count() >= 5
    assert page.locator(".geomap-legend").is_visible()
    assert "2025-02-01" in page.locator("#geomap-date").inner_text()
    page.close()


def test_each_layer_toggles_and_popups_open(browser, built: Path):
    """Unticking a layer removes it from the map; a town popup shows escaped text."""
    page, problems = open_map(browser, built, 1280, 800)
    boxes = page.locator(".leaflet-control-layers-overlays input")
    assert boxes.count() == 5
    for index in range(5):
        name = page.locator(".leaflet-control-layers-overlays span span").nth(
            index).inner_text().strip()
        assert page.evaluate(f"!!window.geomapLayers[{name!r}]._map")
        boxes.nth(index).uncheck()
        assert page.evaluate(f"!window.geomapLayers[{name!r}]._map")
        boxes.nth(index).check()
        assert page.evaluate(f"!!window.geomapLayers[{name!r}]._map")
    page.evaluate("""() => { var towns = window.geomapLayers['Control: towns'];
        var first = towns.getLayers()[0]; first.openPopup(); }""")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Control:" in text
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert problems == []
    page.close()


def test_slider_changes_the_layer(browser, shapes_dir: Path, tmp_path: Path):
    """Moving the slider recolours a town and updates the date label."""
    run(BuildConfig(date=pd.Timestamp("2025-02-20"), shapes_dir=shapes_dir,
                    out_dir=tmp_path / "out"))
    page, problems = open_map(browser, tmp_path / "out" / "map.html", 1280, 800)
    colour = """() => { var out = null;
        window.geomapLayers['Control: towns'].eachLayer(function(l) {
          if (l.feature.properties.ref === 'alpha') out = l.options.fillColor; });
        return out; }"""
    assert page.evaluate(colour) == ACTORS["m23"].color  # M23/AFC on 2025-02-20
    dates = page.evaluate("window.geomapSlider.dates")
    page.locator("#geomap-range").fill(str(dates.index("2025-01-01")))
    assert page.locator("#geomap-range-day").inner_text() == "2025-01-01"
    assert page.evaluate(colour) == ACTORS["fardc"].color  # FARDC before the handover
    assert page.locator("#geomap-date").inner_text() == "2025-01-01"
    assert problems == []
    page.close()


def test_article_preset_on_a_phone(browser, shapes_dir: Path, tmp_path: Path):
    """The article map loads on a phone with a fullscreen button and no layer control."""
    run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                    out_dir=tmp_path / "out", preset="article"))
    page, problems = open_map(browser, tmp_path / "out" / "map.html", 375, 667)
    assert page.locator(".geomap-fullscreen").is_visible()
    assert page.locator(".leaflet-control-layers").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []
    page.close()
