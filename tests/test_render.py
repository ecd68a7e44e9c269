"""The rendered page: escaping of hostile text, inlined assets, fixed ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geomap.config import BuildConfig
from geomap.pipeline import run
from geomap.render.markup import safe_json

from .conftest import TOWNS, synthetic_admin, write_csv, write_shapes

HOSTILE = [
    "O'Brien `tick` \"quoted\"",
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
]


def hostile_shapes(shapes_dir: Path) -> Path:
    """Rewrite the synthetic towns and control notes with hostile text."""
    rows = [(tid, HOSTILE[i % 3], lon, lat, pcode, prov, HOSTILE[(i + 1) % 3],
             "javascript:alert(3)") for i, (tid, _, lon, lat, pcode, prov)
            in enumerate(TOWNS)]
    write_csv(shapes_dir / "towns.csv",
              ["town_id", "name", "lon", "lat", "pcode", "province_pcode", "source", "url"],
              rows)
    write_csv(shapes_dir / "control.csv",
              ["area", "actor", "start", "end", "confidence", "source", "url", "note"],
              [("alpha", "m23", "2025-01-01", "", "assessed", HOSTILE[2],
                "https://example.org/?a=<b>", HOSTILE[1])])
    return shapes_dir


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The map page built from hostile names, once for the module (tests only read it)."""
    root = tmp_path_factory.mktemp("hostile_page")
    shapes_dir = hostile_shapes(write_shapes(root / "shapes", synthetic_admin()))
    config = BuildConfig(date=__import__("pandas").Timestamp("2025-02-01"),
                         shapes_dir=shapes_dir, out_dir=root / "out",
                         title="<b>Title</b> & co")
    run(config)
    return (root / "out" / "map.html").read_text(encoding="utf-8")


def test_no_raw_markup_from_data(page: str):
    """No hostile string, nor any '<' from data, appears raw anywhere in the page."""
    for text in HOSTILE:
        assert text not in page
    assert "<img" not in page
    assert "<script>alert" not in page
    assert "<b>Title</b>" not in page
    assert "&lt;b&gt;Title&lt;/b&gt; &amp; co" in page


def test_hostile_text_is_escaped_not_dropped(page: str):
    """The names are still there, escaped for markup inside script data."""
    assert "O\\u0026#x27;Brien" in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page


def test_javascript_urls_are_not_links(page: str):
    """Only http(s) URLs become links."""
    assert 'href="javascript' not in page
    assert "href=\\\"javascript" not in page


def test_page_loads_nothing_from_outside_but_tiles(page: str):
    """Leaflet and the cluster plugin are inlined: no external script or style."""
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "L.markerClusterGroup" in page
    assert "leaflet" in page.lower()


def test_same_inputs_same_page(shapes_dir: Path, tmp_path: Path):
    """Two builds of the same inputs give byte-identical pages."""
    import pandas as pd

    pages = []
    for name in ("a", "b"):
        run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                        out_dir=tmp_path / name))
        pages.append((tmp_path / name / "map.html").read_bytes())
    assert pages[0] == pages[1]


def test_safe_json_escapes_script_breakers():
    """'<', '>', '&' and line separators never appear raw in script data."""
    text = safe_json({"k": "</script>&\u2028"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text


def test_attribution_credits_each_layer(shapes_dir: Path, tmp_path: Path):
    """The attribution names the publishers of every layer, the most cited first."""
    import pandas as pd

    write_csv(shapes_dir / "control.csv", ["area", "actor", "start", "source", "url"], [
        ("alpha", "m23", "2025-01-01", "Radio Okapi, report (2025)", "https://a.example"),
        ("bravo", "m23", "2025-01-01", "Radio Okapi (2025), other", "https://b.example"),
        ("charlie", "m23", "2025-01-01", "Africanews, report", "https://c.example"),
        ("T02", "m23", "2025-01-01", "OCHA", "https://d.example"),
        ("T01", "m23", "2025-01-01", "RFI", "https://e.example")])
    run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                    out_dir=tmp_path / "out"))
    page = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    credit = re.search(r'addAttribution\("([^"]*)"\)', page).group(1)
    assert credit.startswith("Data: admin areas: test, towns: test, mining sites: test")
    assert "control: Radio Okapi, Africanews +2 more" in credit
