"""The map's sources list stays short whatever the input; the layers, sources.csv and
the report keep every source."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from geomap.config import BuildConfig
from geomap.pipeline import run
from geomap.summarise.credits import MAP_SOURCES, citations, credit_lines, list_sources

from .conftest import write_csv


def test_few_sources_are_all_listed_in_order():
    """Under the limit: every distinct (source, url, licence), sorted, no 'more' line."""
    control = pd.DataFrame({"source": ["B", "A", "A", None], "url": ["u", "v", "v", "w"],
                            "license": [None, "x", "x", None]})
    assert list_sources({"control": control}) == ([("A", "v", "x"), ("B", "u", "")], 0)


def test_many_sources_keep_the_most_cited_and_count_the_rest():
    """One office per row: the most cited are named, the others counted in one line."""
    offices = [f"Office {i:04d}" for i in range(500)]
    displacement = pd.DataFrame({"source": offices + ["Office 0042"] * 5 +
                                 ["Office 0300"] * 3, "url": ""})
    listed, more = list_sources({"displacement": displacement}, limit=5)
    assert [name for name, _, _ in listed] == [
        "Office 0000", "Office 0001", "Office 0002", "Office 0042", "Office 0300"]
    assert more == 495
    listed, more = list_sources({"displacement": displacement})
    assert (len(listed), more) == (MAP_SOURCES, 500 - MAP_SOURCES)


def test_map_size_does_not_grow_with_sources(shapes_dir: Path, tmp_path: Path):
    """3,000 rows, each citing its own office: map.html names MAP_SOURCES of them and
    stays the size of a build citing one source; the GeoJSON layer cites all 3,000."""
    sizes = {}
    for offices in (1, 3000):
        rows = [("T01" if i % 2 else "T02", "3", "2025-01-15", "r1",
                 f"Registration office {i % offices:04d}") for i in range(3000)]
        path = write_csv(tmp_path / f"reg{offices}.csv",
                         ["area", "people", "date", "assessment", "source"], rows)
        out = tmp_path / f"out{offices}"
        run(BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                        inputs={"displacement": path}, out_dir=out,
                        outputs=("map",) if offices == 1 else ("map", "layers",
                                                               "tables", "report")))
        sizes[offices] = (out / "map.html").stat().st_size
    page = (out / "map.html").read_text(encoding="utf-8")
    assert page.count("Registration office ") <= MAP_SOURCES
    more = re.search(r"and ([\d,]+) more sources", page)
    assert more is not None
    assert int(more[1].replace(",", "")) >= 3000 - MAP_SOURCES  # and other layers'
    assert abs(sizes[3000] - sizes[1]) < 5_000
    layer = json.loads((out / "layers" / "displacement.geojson").read_text())
    cited = {name for feature in layer["features"]
             for name in str(feature["properties"].get("source", "")).split("; ")}
    assert len({name for name in cited if name.startswith("Registration office")}) \
        == 3000
    table = pd.read_csv(out / "sources.csv", keep_default_na=False)
    offices = table.loc[table["layer"] == "displacement", "source"]
    assert sorted(offices) == sorted({f"Registration office {i:04d}" for i in range(3000)})
    report = (out / "report.html").read_text(encoding="utf-8")
    assert all(f"<td>Registration office {i:04d}<td>" in report for i in range(3000))


def test_citations_count_records_and_read_a_missing_url_or_licence_as_empty():
    """Figures count the records behind them, other layers their rows; rows without
    a source cite nothing; a missing url or licence reads ''."""
    displacement = pd.DataFrame({"source": ["IOM", "IOM", None, "UNHCR"],
                                 "url": ["u", "u", "u", None], "records": [3, 4, 9, 1]})
    control = pd.DataFrame({"source": ["B", "A", "B"]})
    counts = citations({"displacement": displacement, "control": control})
    assert counts == {"displacement": {("IOM", "u", ""): 7, ("UNHCR", "", ""): 1},
                      "control": {("B", "", ""): 2, ("A", "", ""): 1}}
    assert list(counts["control"]) == [("B", "", ""), ("A", "", "")]  # as first cited


def test_sources_cited_by_as_many_rows_are_kept_by_name():
    """Past the limit, ties in rows are broken by source, then url, then licence, and
    a source cited by several layers adds their rows."""
    towns = pd.DataFrame({"source": ["C", "B", "A", "A"], "url": ["", "", "y", "x"]})
    mines = pd.DataFrame({"source": ["C"], "url": [""]})
    listed, more = list_sources({"towns": towns, "mines": mines}, limit=2)
    assert listed == [("A", "x", ""), ("C", "", "")]
    assert more == 2


def test_credit_names_the_two_publishers_cited_most_then_counts_the_others():
    """'Source: "IOM DTM, round 3"' credits IOM DTM; rounds of one publisher add up;
    ties go by name; a layer citing nobody is credited with its file's name."""
    control = pd.DataFrame({"source": [
        'Source: "IOM DTM, round 3"', "IOM DTM (round 4)", "Radio Okapi", "Actualite",
        "Zeta", "Zeta"]})
    mines = pd.DataFrame({"source": [None, None]})
    conflict = pd.DataFrame({"source": pd.Series([], dtype=object)})
    credits = credit_lines({"control": control, "mines": mines,
                            "conflict_events": conflict},
                           {"control": "control.csv", "mines": "mines.csv",
                            "conflict_events": "acled.csv"})
    assert credits == ["mining sites: mines.csv",
                       "control: IOM DTM, Zeta +2 more"]
