"""Small layers read once, and the page, embed and report rendered from them in-process."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geomap.config import BuildConfig
from geomap.export.embed import embed_snippet
from geomap.export.report import collect_sources, write_report
from geomap.layers import Layers
from geomap.pipeline import load_layers
from geomap.render.markup import MapText
from geomap.render.web.map import build_map
from geomap.summarise.summary import slider_timeline, summarise_build

from .conftest import CONTROL, DISPLACEMENT, TOWNS, write_csv

BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
"""A 1x1 transparent PNG: map tiles in browser tests, the print map in reports."""


def write_shapes(folder: Path, *, towns: list[tuple] | None = None,
                 mines: list[tuple] | None = None, control: list[tuple] | None = None,
                 admin_names: tuple[str, str] = ("Sierra", "Tango"),
                 source: str = "test") -> Path:
    """Write the synthetic layers of tests/conftest.py, with the given rows instead."""
    folder.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(
        {"pcode": ["T01", "T02"], "name": list(admin_names), "level": [2, 2],
         "parent_pcode": ["P1", "P1"], "source": [source, source]},
        geometry=[box(29.0, -2.0, 29.25, -1.3), box(29.25, -2.0, 29.5, -1.3)],
        crs="EPSG:4326").to_file(folder / "admin.geojson", driver="GeoJSON")
    write_csv(folder / "towns.csv",
              ["town_id", "name", "lon", "lat", "pcode", "province_pcode", "source", "url"],
              towns or [(*town, source, "https://example.org/towns") for town in TOWNS])
    write_csv(folder / "mines.csv",
              ["site_id", "name", "minerals", "lon", "lat", "source", "url"],
              mines or [("m1", "Mine one", "coltan;cassiterite", 29.12, -1.52, source, ""),
                        ("m2", "Mine two", "gold", 29.45, -1.9, source, "")])
    write_csv(folder / "control.csv",
              ["area", "actor", "start", "end", "confidence", "source", "url", "note"],
              control or [(*row, source, "https://example.org/control", "")
                          for row in CONTROL])
    write_csv(folder / "displacement.csv",
              ["area", "people", "date", "assessment", "source"],
              [(*row, source) for row in DISPLACEMENT])
    return folder


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (skipped when Chromium is absent), whose
    pages are kept open between tests (:class:`KeptPages`)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run "
                    "installs it")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield KeptPages(chromium)
        chromium.close()


class KeptPages:
    """A Chromium whose ``new_page`` hands out a tab kept open from an earlier test.

    A new tab (a new renderer process) costs Chromium about a second of CPU; a file
    loaded in an open tab, about a third of that. ``new_page(viewport=...)`` gives a
    tab at that size showing a blank document; its ``close()`` drops the handlers and
    routes the test set on it and loads a blank document (a fresh JavaScript world,
    focus and scroll), then keeps it for the next test. The pages share one context:
    geomap's pages keep no cookie or storage. Anything else (``new_context``, or
    ``new_page`` with options besides the viewport) is Chromium's own.

    Parameters
    ----------
    chromium : playwright.sync_api.Browser
        The browser.
    """

    def __init__(self, chromium) -> None:
        self.chromium = chromium
        self._context = None
        self._free: list = []

    def new_page(self, *, viewport: dict | None = None, **options: object):
        """A page at *viewport* (Playwright's default 1280 x 720) on a blank document."""
        if options:
            return self.chromium.new_page(viewport=viewport, **options)
        page = self._free.pop() if self._free else self._open()
        page.set_viewport_size(viewport or {"width": 1280, "height": 720})
        return page

    def _open(self):
        """A new tab whose ``on`` and ``close`` are those of a kept page."""
        if self._context is None:
            self._context = self.chromium.new_context()
        page = self._context.new_page()
        handlers: list[tuple] = []
        kind = type(page)

        def on(event: str, handler) -> None:
            handlers.append((event, handler))
            kind.on(page, event, handler)

        def close(**_options: object) -> None:
            for event, handler in handlers:
                kind.remove_listener(page, event, handler)
            handlers.clear()
            try:
                page.unroute_all(behavior="ignoreErrors")
                page.goto("about:blank")
            except Exception:  # noqa: BLE001 - a crashed tab is closed, not kept
                kind.close(page)
                return
            self._free.append(page)

        page.on, page.close = on, close
        return page

    def __getattr__(self, name: str):
        """Chromium's own attribute (``new_context``, ``version`` ...)."""
        return getattr(self.chromium, name)


@pytest.fixture(scope="session")
def small_layers(tmp_path_factory: pytest.TempPathFactory) -> Layers:
    """The synthetic layers of tests/conftest.py, read and linked once."""
    folder = write_shapes(tmp_path_factory.mktemp("small") / "shapes")
    return load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=folder))


_SUMMARIES: dict[tuple, tuple] = {}


def summarise(layers: Layers, date: str, *, compare: str | None = None,
              title: str = "Kivu test map") -> tuple:
    """The summary, map text and control timeline of *layers* as of *date* (cached)."""
    key = (id(layers), date, compare, title)
    if key not in _SUMMARIES:
        _SUMMARIES[key] = (layers, *_summarise(layers, date, compare=compare,
                                               title=title))
    _layers, summary, text, timeline = _SUMMARIES[key]
    return summary, replace(text), timeline


def _summarise(layers: Layers, date: str, *, compare: str | None,
               title: str) -> tuple:
    """The summary, map text and control timeline of *layers* as of *date*."""
    config = BuildConfig(date=pd.Timestamp(date), title=title,
                         compare=pd.Timestamp(compare) if compare else None)
    summary = summarise_build(layers, config, lambda _: None)
    text = MapText.from_build(config, layers, latest_record=summary.latest_record)
    return summary, text, slider_timeline(layers, config)


_RENDERED: dict[tuple, tuple] = {}


def render_page(layers: Layers, date: str, *, compare: str | None = None,
                title: str = "Kivu test map", cached: bool = True,
                **options: object) -> str:
    """map.html of *layers* as of *date*, rendered in-process (no build, no files).

    Rendered once per layers, date and options in a test process (the same inputs give
    the same text, which ``cached=False`` renders again to check)."""
    key = (id(layers), date, compare, title, tuple(sorted(options.items())))
    try:
        hash(key)
    except TypeError:  # an option that is a table or a dict: rendered each time
        cached = False
    if not cached:
        return _render_page(layers, date, compare=compare, title=title, **options)
    if key not in _RENDERED:  # the layers are kept with their page: ids stay theirs
        _RENDERED[key] = (layers, _render_page(layers, date, compare=compare,
                                               title=title, **options))
    return _RENDERED[key][1]


def _render_page(layers: Layers, date: str, *, compare: str | None, title: str,
                 **options: object) -> str:
    """map.html of *layers* as of *date*, rendered now."""
    summary, text, timeline = summarise(layers, date, compare=compare, title=title)
    return build_map(layers.places, summary.areas, summary.mines, text,
                     timeline=timeline, changes=summary.changes,
                     events=summary.events, **options)


def render_report(layers: Layers, date: str, path: Path, *,
                  compare: str | None = None, title: str = "Kivu test map",
                  png: bytes | Callable[[], bytes] = BLANK_PNG) -> str:
    """report.html of *layers* as of *date* (a blank PNG for the print map)."""
    summary, text, _ = summarise(layers, date, compare=compare, title=title)
    sources = collect_sources({"admin": layers.admin, "towns": layers.towns,
                               "mines": layers.mines, "control": layers.control,
                               "displacement": layers.displacement})
    write_report(path, text=text, png=png, areas=summary.areas,
                 actors=summary.actors, join_report=layers.join_report,
                 rejects=layers.rejects, sources=sources, changes=summary.changes,
                 people=layers.people, totals=summary.totals, events=summary.events)
    return path.read_text(encoding="utf-8")


def render_embed(title: str) -> str:
    """embed.html for *title*."""
    return embed_snippet(title)


def open_page(browser, path: Path, width: int = 1280, height: int = 800):
    """Open *path* in *browser* at a viewport size, tiles served blank.

    Returns the page, once its script has run, and the list that collects its
    console errors, page errors and dialogs (a dialog is dismissed and recorded).
    """
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(
        status=200, body=BLANK_PNG, content_type="image/png"))
    page.goto(path.as_uri())
    page.wait_for_function("window.geomap !== undefined")
    return page, problems


NAMES_PLACED = """(zoom) => document.getElementById('geomap-map').dataset.namesZoom
  === String(zoom) && !document.querySelector('.leaflet-cluster-anim')
  && document.getAnimations().length === 0"""
"""The names were placed for *zoom*, again once the mines' clusters stopped moving, and
nothing on the page is still sliding into place (markers move with a CSS transition
while the clusters split or merge)."""


def move_slider(page, day: str) -> None:
    """Move the page's slider to *day*, as a reader dragging it would."""
    days = page.evaluate("window.geomap.data.days")
    page.locator("#geomap-range").fill(str(days.index(day)))
