"""The HTML report: self-contained, escaped, with its tables and print CSS."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from geomap.config import BuildConfig
from geomap.export.report import MAX_ROWS, collect_sources, html_table
from geomap.pipeline import run

from .conftest import CONTROL, TOWNS, write_csv

DATE = pd.Timestamp("2025-03-01")
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def hostile_dir(shapes_dir: Path) -> Path:
    """The fixture with markup in a town name and in a control source."""
    towns = [("alpha", f"Alpha {HOSTILE}", 29.10, -1.50, "", "P1"), *TOWNS[1:]]
    write_csv(shapes_dir / "towns.csv",
              ["town_id", "name", "lon", "lat", "pcode", "province_pcode", "source"],
              [(*town, "test") for town in towns])
    write_csv(shapes_dir / "control.csv",
              ["area", "actor", "start", "end", "confidence", "source", "url", "note"],
              [(*row, "<script>alert(2)</script>", "javascript:alert(3)", "")
               for row in CONTROL])
    return shapes_dir


def _report(shapes_dir: Path, out: Path, **options) -> str:
    """Build and return the report's text."""
    run(BuildConfig(date=DATE, shapes_dir=shapes_dir, out_dir=out, **options))
    return (out / "report.html").read_text(encoding="utf-8")


def test_report_is_self_contained(shapes_dir: Path, tmp_path: Path) -> None:
    """No stylesheet, script or image is loaded from elsewhere; the PNG is inside."""
    page = _report(shapes_dir, tmp_path / "out")
    assert "<link" not in page
    assert "<script" not in page
    assert "@import" not in page
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 1
    assert base64.b64decode(images[0]) == (tmp_path / "out" / "map.png").read_bytes()


def test_report_escapes_hostile_text(hostile_dir: Path, tmp_path: Path) -> None:
    """Markup from data is shown as text; a javascript: URL is not made a link."""
    page = _report(hostile_dir, tmp_path / "out")
    assert HOSTILE not in page
    assert "<script" not in page
    assert "Alpha &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert 'href="javascript' not in page
    assert "href='javascript" not in page


def test_report_has_its_tables(shapes_dir: Path, tmp_path: Path) -> None:
    """Who holds what, places, join QA, rejects count, sources and the disclaimer."""
    page = _report(shapes_dir, tmp_path / "out")
    for heading in ("Who holds what", "Places held", "how records were linked",
                    "rows set aside", "Sources and licences"):
        assert heading in page
    assert page.count("<table>") >= 5
    assert "M23/AFC" in page
    assert "FARDC" in page
    assert "<td>T01</td>" in page  # P-codes are listed
    assert "Control as of <b>2025-03-01</b>" in page
    assert "do not imply official endorsement" in page
    assert "Changes since" not in page  # no --compare given
    assert "<b>0</b> rows rejected" in page  # the fixture has no bad rows


def test_report_lists_changes_with_compare(shapes_dir: Path, tmp_path: Path) -> None:
    """With --compare the report lists places that changed hands."""
    page = _report(shapes_dir, tmp_path / "out", compare=pd.Timestamp("2025-01-01"))
    section = page.split("Changes since 2025-01-01", 1)[1].split("</section>", 1)[0]
    # alpha passed from FARDC to M23 on 2025-01-27 (see conftest.CONTROL)
    row = next(r for r in section.split("<tr>") if "<td>Alpha</td>" in r)
    assert "FARDC" in row
    assert "M23/AFC" in row
    assert "2025-01-27" in row
    assert "Bravo" not in section  # FARDC throughout


def test_report_counts_rejects(shapes_dir: Path, tmp_path: Path) -> None:
    """A displacement row naming an unknown area is counted and listed."""
    with (shapes_dir / "displacement.csv").open("a", encoding="utf-8") as handle:
        handle.write("Nowhere,50,2025-01-15,r2,test\n")
    page = _report(shapes_dir, tmp_path / "out")
    assert "<b>1</b> row(s) rejected (displacement: 1)" in page
    assert "<td>Nowhere</td>" in page


def test_report_prints_on_a4_landscape(shapes_dir: Path, tmp_path: Path) -> None:
    """Print CSS: A4 landscape pages, header rows repeated, rows not split."""
    page = _report(shapes_dir, tmp_path / "out")
    assert "@page {size: A4 landscape" in page
    media = page.split("@media print", 1)[1]
    assert "break-inside: avoid" in media
    assert "table-header-group" in media


def test_html_table_escapes_links_and_caps_rows() -> None:
    """Cells are escaped, only http(s) URLs become links, long tables are cut."""
    table = pd.DataFrame({"name": ["<b>x</b>"] * (MAX_ROWS + 5),
                          "url": ["javascript:alert(1)"] + ["https://e.org/?a=1&b=2"] * (
                              MAX_ROWS + 4)})
    markup = html_table(table, {"name": "Name", "url": "Link"})
    assert "<b>x</b>" not in markup
    assert "&lt;b&gt;x&lt;/b&gt;" in markup
    assert 'href="https://e.org/?a=1&amp;b=2"' in markup
    assert 'href="javascript' not in markup
    assert markup.count("<tr>") == MAX_ROWS + 1  # header + rows shown
    assert f"{MAX_ROWS + 5:,} rows; the first {MAX_ROWS} shown" in markup
    assert html_table(table.iloc[:0], {"name": "Name"}).startswith("<p class='empty'>")


def test_collect_sources_keeps_licences() -> None:
    """Distinct source, link and licence per layer, sorted; layers without sources skipped."""
    admin = pd.DataFrame({"source": ["NE", "NE"], "url": ["https://ne", "https://ne"],
                          "license": ["Public domain", "Public domain"]})
    towns = pd.DataFrame({"source": ["WOF", None], "url": ["https://wof", None]})
    table = collect_sources({"towns": towns, "admin": admin,
                             "mines": pd.DataFrame({"name": ["x"]})})
    assert table.to_dict("records") == [
        {"layer": "admin", "source": "NE", "url": "https://ne", "license": "Public domain"},
        {"layer": "towns", "source": "WOF", "url": "https://wof", "license": ""},
    ]
