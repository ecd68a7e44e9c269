"""Dated events on the page's slider and in the report, as text, never as markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geomap.config import BuildConfig
from geomap.pipeline import load_layers

from ...conftest import write_csv
from ...pages import move_slider, open_page, render_page, render_report, write_shapes

HOSTILE = '<img src=x onerror="alert(1)"> Talks & <b>more</b>'
EVENTS = [
    ("2025-01-20", "", "day", "talks", HOSTILE, "Luanda", "", "AFP",
     "https://example.org/1", "Fact cited"),
    ("2025-02", "", "", "agreement", "Framework signed", "Doha", "", "Reuters",
     "https://example.org/2", "Fact cited"),
]


@pytest.fixture(scope="module")
def event_layers(tmp_path_factory: pytest.TempPathFactory):
    """The small synthetic layers with two events (one title holding markup)."""
    folder = write_shapes(tmp_path_factory.mktemp("events") / "shapes")
    write_csv(folder / "events.csv", ["date", "end", "date_precision", "kind", "title",
                                      "place", "pcode", "source", "url", "license"],
              EVENTS)
    return load_layers(BuildConfig(date=pd.Timestamp("2025-02-20"), shapes_dir=folder))


def _data(page: str) -> dict:
    """The page's data block."""
    found = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>',
                      page, re.DOTALL)
    return json.loads(found.group(1))


def test_events_are_slider_days_with_a_mark_each(event_layers):
    """Each event's first day is a slider day, marked, with its date and title."""
    page = render_page(event_layers, "2025-02-20")
    data = _data(page)
    assert "2025-01-20" in data["days"]
    assert "2025-02-01" in data["days"]  # a month-only event marks its first day
    marks = {data["days"][mark["day"]]: mark["text"] for mark in data["events"]}
    assert marks == {"2025-01-20": f"20 January 2025: {HOSTILE}",
                     "2025-02-01": "February 2025: Framework signed"}
    options = re.findall(r'<datalist id="geomap-marks">(.*?)</datalist>', page)[0]
    assert options.count("<option") == 2
    assert "<img src=x" not in page  # the title reaches the page only as JSON


def test_no_events_no_marks(small_layers):
    """Without events the slider has no marks and no event line."""
    page = render_page(small_layers, "2025-02-01")
    assert "geomap-marks" not in page
    assert _data(page)["events"] == []


@pytest.mark.browser
def test_the_slider_shows_the_event_of_the_day(browser, event_layers, tmp_path: Path):
    """On an event's day the slider box names it, as text; on other days, nothing."""
    path = tmp_path / "map.html"
    path.write_text(render_page(event_layers, "2025-02-20"), encoding="utf-8")
    page, problems = open_page(browser, path)
    note = page.locator("#geomap-event")
    assert note.inner_text() == ""  # the as-of day has no event
    move_slider(page, "2025-01-20")
    assert note.inner_text() == f"20 January 2025: {HOSTILE}"
    assert page.locator("#geomap-event img").count() == 0
    move_slider(page, "2025-02-01")
    assert note.inner_text() == "February 2025: Framework signed"
    move_slider(page, "2025-01-27")
    assert note.inner_text() == ""
    assert page.evaluate("document.querySelectorAll('#geomap-marks option').length") == 2
    assert problems == []
    page.close()


def test_report_lists_events_beside_the_changes_around_them(event_layers,
                                                            tmp_path: Path):
    """The report's events table: date as known, kind, title (escaped), changes."""
    report = render_report(event_layers, "2025-02-20", tmp_path / "report.html")
    section = report[report.index("Events and the changes of control around them"):]
    section = section[:section.index("</section>")]
    assert "20 January 2025" in section
    assert "February 2025" in section
    assert "agreement" in section
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in section or \
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in section
    assert "<img src=x" not in section
    assert "Alpha: FARDC → M23/AFC, 27 January 2025" in section
