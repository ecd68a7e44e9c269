"""The HTML report: self-contained, escaped, with its tables and print CSS."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from geomap.config import BuildConfig
from geomap.export.report import (
    MAX_ROWS,
    PNG_MARK,
    collect_sources,
    html_table,
    source_rows,
    table_rows,
)
from geomap.pipeline import load_layers

from ..conftest import CONTROL, TOWNS
from ..pages import BLANK_PNG, render_report, write_shapes

DATE = "2025-03-01"
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def report(small_layers, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the small layers as of DATE."""
    return render_report(small_layers, DATE, tmp_path_factory.mktemp("report") / "r.html")


def test_report_is_self_contained(report: str) -> None:
    """No stylesheet, script or image is loaded from elsewhere; the PNG is inside."""
    assert "<link" not in report
    assert "<script" not in report
    assert "@import" not in report
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", report)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", report)
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", report)
    assert len(images) == 1
    assert base64.b64decode(images[0]) == BLANK_PNG


def test_report_waits_for_a_png_still_being_saved(small_layers, tmp_path: Path
                                                 ) -> None:
    """A PNG given as what returns it (another process saving it meanwhile) is asked
    for once, after the page is made, and gives the same bytes as the PNG given; a
    title holding the mark the PNG takes the place of keeps it as text."""
    asked = []

    def png() -> bytes:
        asked.append(True)
        return BLANK_PNG

    given = render_report(small_layers, DATE, tmp_path / "given.html")
    assert render_report(small_layers, DATE, tmp_path / "later.html", png=png) == given
    assert asked == [True]
    title = f"Kivu {PNG_MARK} map"
    page = render_report(small_layers, DATE, tmp_path / "mark.html", title=title,
                         png=png)
    assert PNG_MARK not in page
    assert "Kivu &lt;!--geomap:print-map--&gt; map" in page
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert [base64.b64decode(image) for image in images] == [BLANK_PNG]


def test_report_escapes_hostile_text(tmp_path: Path) -> None:
    """Markup from data is shown as text; a javascript: URL is not made a link."""
    towns = [("alpha", f"Alpha {HOSTILE}", 29.10, -1.50, "", "P1", "test", ""),
             *[(*town, "test", "") for town in TOWNS[1:]]]
    folder = write_shapes(tmp_path / "shapes", towns=towns, control=[
        (*row, "<script>alert(2)</script>", "javascript:alert(3)", "")
        for row in CONTROL])
    layers = load_layers(BuildConfig(date=pd.Timestamp(DATE), shapes_dir=folder))
    page = render_report(layers, DATE, tmp_path / "r.html", compare="2025-01-01")
    assert HOSTILE not in page
    assert "<script" not in page
    assert "Alpha &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "javascript:alert(3)" in page  # shown, as text
    assert 'href="javascript' not in page
    assert "href='javascript" not in page


def test_report_has_its_tables(report: str) -> None:
    """Who holds what, places, join QA, rejects count, sources and the disclaimer."""
    for heading in ("Who holds what", "Places held", "how records were linked",
                    "rows set aside", "Sources and licences"):
        assert heading in report
    assert report.count("<table>") >= 5
    assert "M23/AFC" in report
    assert "FARDC" in report
    assert "<td>T01</td>" in report  # P-codes are listed
    assert "Control as of <b>2025-03-01</b>" in report
    assert "do not imply official endorsement" in report
    assert "Changes since" not in report  # no --compare given
    assert "<b>0</b> rows rejected" in report  # the fixture has no bad rows
    assert "Records linked: " in report


def test_report_lists_changes_with_compare(small_layers, tmp_path: Path) -> None:
    """With --compare the report lists places that changed hands."""
    page = render_report(small_layers, DATE, tmp_path / "r.html", compare="2025-01-01")
    section = page.split("Changes since 2025-01-01", 1)[1].split("</section>", 1)[0]
    # alpha passed from FARDC to M23 on 2025-01-27 (see conftest.CONTROL)
    row = next(r for r in section.split("<tr>") if "<td>Alpha</td>" in r)
    assert "FARDC" in row
    assert "M23/AFC" in row
    assert "27 January 2025" in row  # the day of the change, written as it is known
    assert "Bravo" not in section  # FARDC throughout


def test_report_counts_rejects(tmp_path: Path) -> None:
    """A displacement row naming an unknown area is counted and listed."""
    folder = write_shapes(tmp_path / "shapes")
    with (folder / "displacement.csv").open("a", encoding="utf-8") as handle:
        handle.write("Nowhere,50,2025-01-15,r2,test\n")
    layers = load_layers(BuildConfig(date=pd.Timestamp(DATE), shapes_dir=folder))
    page = render_report(layers, DATE, tmp_path / "r.html")
    assert "<b>1</b> row(s) rejected (displacement: 1)" in page
    assert "<td>Nowhere</td>" in page


def test_report_prints_on_a4_landscape(report: str) -> None:
    """Print CSS: A4 landscape pages, header rows repeated, rows not split."""
    assert "@page {size: A4 landscape" in report
    media = report.split("@media print", 1)[1]
    assert "break-inside: avoid" in media
    assert "table-header-group" in media


def test_html_table_escapes_links_and_caps_rows() -> None:
    """Cells are escaped, only http(s) URLs become links, long tables are cut."""
    table = pd.DataFrame({"name": ["<b>x</b>"] * (MAX_ROWS + 5),
                          "url": ["javascript:alert(1)"] + ["https://e.org/?a=1&b=2"] * (
                              MAX_ROWS + 4)})
    markup = html_table(table, {"name": "col_place", "url": "col_link"})
    assert "<b>x</b>" not in markup
    assert "&lt;b&gt;x&lt;/b&gt;" in markup
    assert 'href="https://e.org/?a=1&amp;b=2"' in markup
    assert 'href="javascript' not in markup
    assert markup.count("<tr>") == MAX_ROWS + 1  # header + rows shown
    assert f"{MAX_ROWS + 5:,} rows; the first {MAX_ROWS} shown" in markup
    assert html_table(table.iloc[:0], {"name": "col_place"}).startswith(
        "<p class='empty'>")


def test_a_missing_figure_reads_no_figure_never_zero() -> None:
    """People displaced: a true zero is 0; a missing figure is 'no figure'."""
    table = pd.DataFrame({"name": ["a", "b"], "people": [0, None],
                          "mines": [0, None]}).astype({"people": "Int64"})
    rows = table_rows(table, {"name": "col_place", "people": "col_people",
                              "mines": "col_mining_sites"})
    assert [[cell["text"] for cell in row] for row in rows["rows"]] == [
        ["a", "0", "0"], ["b", "no figure", ""]]


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


def test_report_changes_with_no_holder_before(small_layers, tmp_path: Path) -> None:
    """Every change starting from no record (an all-missing Arrow column) reads 'no
    record', not a crash: T02 is first held by M23 on 2025-01-01."""
    page = render_report(small_layers, "2025-01-10", tmp_path / "r.html",
                         compare="2024-12-01")
    section = page.split("Changes since 2024-12-01", 1)[1].split("</section>", 1)[0]
    row = next(r for r in section.split("<tr>") if "<td>T02</td>" in r)
    assert "no record" in row
    assert "M23/AFC" in row


def test_report_lists_every_source_escaped() -> None:
    """Sources are never cut (a file whose every row names its own source lists them
    all, in blocks); text is escaped and only http(s) URLs are links."""
    count = MAX_ROWS * 3 + 7
    sources = collect_sources({"displacement": pd.DataFrame({
        "source": [f"Note {i:05d} <b>" for i in range(count)],
        "url": ["javascript:alert(1)"] + [f"https://e.org/{i}?a=1&b=2"
                                          for i in range(1, count)]})})
    markup = "".join(source_rows(sources, "en", block=100))
    rows = markup.count("<tr>") - 1  # the header row
    assert rows == count
    assert "Note 00000 &lt;b&gt;" in markup
    assert f"Note {count - 1:05d} &lt;b&gt;" in markup
    assert "<b>" not in markup
    assert 'href="https://e.org/7?a=1&amp;b=2"' in markup
    assert 'href="javascript' not in markup
    assert "<td>javascript:alert(1)" in markup
    assert f"{count:,} source(s), all listed." in markup
    assert "".join(source_rows(sources.iloc[:0], "fr")).startswith(
        "<p class='empty'>Aucune ligne.</p>")


def test_report_page_holds_every_source(small_layers, tmp_path: Path) -> None:
    """The page written around the sources table is whole: one table of sources,
    the footer after it."""
    page = render_report(small_layers, DATE, tmp_path / "r.html")
    section = page.split("<h2>Sources and licences</h2>", 1)[1]
    assert section.index("</table>") < section.index("</section>") < section.index(
        "<footer>")
    assert "<!--" not in page
    assert page.rstrip().endswith("</html>")
