"""The bundled record to 2026: every row sourced, dated and licensed under the rubric,
and the facts it must show (on one shared load of shapes/, no build)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geomap.actors import resolve_control
from geomap.schema import ASSESSING_SOURCE_KINDS, SOURCE_KINDS
from geomap.summarise.events import summarise_events
from geomap.summarise.handovers import list_handovers
from geomap.text import fold, squash

from .conftest import place_of

SHAPES = Path(__file__).resolve().parents[1] / "shapes"
pytestmark = pytest.mark.skipif(not (SHAPES / "control.csv").exists(),
                                reason="the bundled shapes/ folder is not in this checkout")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of one bundled CSV, as written."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _geojson_rows(path: Path) -> list[dict]:
    """The properties of every feature of one bundled GeoJSON file."""
    return [feature["properties"]
            for feature in json.loads(path.read_text(encoding="utf-8"))["features"]]


BUNDLED_TABLES = sorted(SHAPES.glob("*.csv"))
BUNDLED_SHAPES = [SHAPES / "admin.geojson", SHAPES / "drc_outline.geojson"]


@pytest.mark.parametrize("path", BUNDLED_TABLES + BUNDLED_SHAPES, ids=lambda p: p.name)
def test_every_bundled_row_has_source_url_date_and_licence(path: Path):
    """Every row dated; every licence stated; every fact traceable to its page."""
    rows = _csv_rows(path) if path.suffix == ".csv" else _geojson_rows(path)
    assert rows
    for number, row in enumerate(rows, start=1):
        # a control row is dated by its report, and by its start or end
        dated = ("source_date", "start|end") if "source_date" in row else ("date",)
        for column in ("source", "url", "license", *dated):
            values = [str(row.get(name) or "").strip() for name in column.split("|")]
            assert any(values), f"{path.name} row {number}: no {column}"
        assert re.match(r"https?://", row["url"]), f"{path.name} row {number}: url"


def test_control_confidence_follows_the_rubric():
    """Contested aside: assessed exactly when two sources, or one wire or UN source."""
    rows = _csv_rows(SHAPES / "control.csv")
    checked = 0
    for number, row in enumerate(rows, start=1):
        assert row["source_kind"] in SOURCE_KINDS, number
        count = int(row["sources_count"])
        assert count >= 0, number
        if row["confidence"] == "contested":
            continue
        enough = count >= 2 or (count >= 1 and row["source_kind"] in
                                ASSESSING_SOURCE_KINDS)
        assert row["confidence"] == ("assessed" if enough else "claimed"), (
            f"control row {number} ({row['area']}, {row['actor']}): "
            f"{row['confidence']} with {count} source(s) of kind {row['source_kind']}")
        checked += 1
    assert checked > 80


def test_readme_counts_match_the_control_file():
    """The rubric's counts in shapes/README.md are those of control.csv."""
    rows = _csv_rows(SHAPES / "control.csv")
    counts = {level: sum(row["confidence"] == level for row in rows)
              for level in ("assessed", "claimed", "contested")}
    readme = (SHAPES / "README.md").read_text(encoding="utf-8")
    assert "### Confidence rubric" in readme
    assert (f"Counts: {counts['assessed']} assessed, {counts['claimed']} claimed, "
            f"{counts['contested']} contested ({len(rows)} rows)") in readme


def _words(text: str) -> str:
    """Folded text with every run of punctuation as one space: 'actualite cd'."""
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split()) + " "


def _outlets_by_kind() -> dict[str, list[str]]:
    """The README's table of source kinds: kind -> outlet names (see :func:`_words`)."""
    readme = (SHAPES / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Source kinds, outlet by outlet"):]
    kinds: dict[str, list[str]] = {}
    rows = re.findall(r"^\| `([^`]+)`[^|]*\| (.*) \|$", section, re.MULTILINE)
    for kind, outlets in rows:
        if kind in kinds or kind == "source_kind":
            continue
        outlets = re.sub(r"\([^)]*\)|\*|pro-[A-Za-z0-9/]+:", "", outlets)
        names = re.split(r"[;,]| and other | or ", outlets)
        kinds[kind] = [_words(name) for name in names if squash(name)]
    return kinds


def _names(outlet: str, source: str) -> bool:
    """True when *source* names *outlet*: as whole words, or run together when the
    name is long enough not to occur by chance ('Le Haut Panel', 'lehautpanel')."""
    if outlet in _words(source):
        return True
    return len(squash(outlet)) >= 6 and squash(outlet) in squash(source)


def test_readme_gives_the_kind_of_every_outlet_used():
    """Each row's outlet is listed in shapes/README.md under the row's source kind."""
    kinds = _outlets_by_kind()
    assert set(kinds) == set(SOURCE_KINDS)
    assert " ap " in kinds["wire"]
    assert " radio okapi " in kinds["UN"]
    checked = 0
    for path in BUNDLED_TABLES:
        for number, row in enumerate(_csv_rows(path), start=1):
            if "source_kind" not in row:
                continue
            assert any(_names(outlet, row["source"]) for outlet in
                       kinds[row["source_kind"]]), (
                f"{path.name} row {number}: '{row['source']}' is not listed under "
                f"'{row['source_kind']}' in shapes/README.md")
            checked += 1
    assert checked >= 130
    assert not _names(" ap ", "Africa-Press, report")  # no match inside a word


def test_bundled_layers_load_whole(bundled):
    """No rejected row; 24 territories and villes; the newest record is of 2026."""
    assert bundled.rejects.empty, bundled.rejects.head().to_dict("records")
    territories = bundled.admin.loc[bundled.admin["level"] == 2]
    assert len(territories) == 24
    assert set(territories["parent_pcode"]) == {"CD61", "CD62"}
    areas = bundled.places.loc[bundled.places["kind"] == "area"]
    assert set(territories["pcode"]) <= set(areas["place"])
    assert bundled.control["start"].max().year == 2026
    assert len(bundled.events) == len(_csv_rows(SHAPES / "events.csv"))


def test_territory_figures_find_their_territory(bundled):
    """The Masisi figures (a territory named in displacement.csv) join CD6103."""
    report = bundled.join_report.set_index(["layer", "reference"])
    assert report.loc[("displacement", "Masisi"), "place"] == "CD6103"
    masisi = bundled.displacement.loc[bundled.displacement["place"] == "CD6103"]
    assert len(masisi) == 2


@pytest.mark.parametrize(("date", "town", "held"), [
    ("2024-06-01", "rutshuru", True), ("2024-06-01", "kiwanja", True),
    ("2024-06-01", "kitshanga", True), ("2024-06-01", "rubaya", True),
    ("2025-01-24", "sake", True), ("2025-03-01", "kalehe", True),
    ("2025-12-20", "uvira", True), ("2026-02-01", "uvira", False),
    ("2025-01-20", "sake", False), ("2025-12-01", "uvira", False),
])
def test_the_record_gives_the_documented_holders(bundled, date, town, held):
    """M23/AFC holds each town on the day the sources say, and not where they don't."""
    holders = resolve_control(bundled.control, pd.Timestamp(date))["actor"]
    place = place_of(bundled, town)
    assert (holders.get(place) == "m23") is held, (town, date, holders.get(place))


def test_uvira_after_the_pull_out_is_government_held(bundled):
    """As of 2026-02-01 Uvira is FARDC's, since 18 Jan 2026."""
    now = resolve_control(bundled.control, pd.Timestamp("2026-02-01"))
    uvira = now.loc[place_of(bundled, "uvira")]
    assert uvira["actor"] == "fardc"
    assert uvira["since"] == pd.Timestamp("2026-01-18")


@pytest.fixture(scope="module")
def handovers(bundled):
    """Every handover of the bundled record."""
    return list_handovers(bundled.control, bundled.places)


def test_handovers_say_how_exact_their_dates_are(handovers):
    """Numbi's capture is a range, Uvira's fall about 10 Dec was contested first."""
    by_place = handovers.set_index(["name", "changed_on"])
    assert by_place.loc[("Numbi", pd.Timestamp("2025-01-21")),
                        "changed_on_text"] == "19–21 January 2025"
    assert by_place.loc[("Uvira (ville)", pd.Timestamp("2026-01-18")),
                        "actor_after"] == "fardc"
    assert handovers["changed_on"].is_monotonic_increasing


def test_the_agreements_are_listed_with_the_changes_around_them(bundled, handovers):
    """Each agreement keeps its date; the Washington Accords sit beside the Uvira fall."""
    table, nearby = summarise_events(bundled.events, handovers)
    agreements = table.loc[table["kind"] == "agreement"]
    assert {"27 June 2025", "19 July 2025", "15 November 2025",
            "4 December 2025"} <= set(agreements["date_text"])
    assert agreements["source"].notna().all()
    accords = table.loc[table["date"] == pd.Timestamp("2025-12-04")].index[0]
    near = nearby.loc[nearby["event"] == accords]
    assert "Uvira (ville)" in set(near["name"])
    assert (near["days_from_event"].abs() <= 14).all()


def test_control_layer_carries_the_rubric_and_source_date(bundled):
    """The GIS control layer keeps each record's source date, kind and count."""
    from geomap.export.gis_layers import shape_control

    layer = shape_control(bundled.control, bundled.places, pd.Timestamp("2026-03-01"))
    assert {"source_date", "source_kind", "sources_count", "start_precision",
            "end_precision", "license"} <= set(layer.columns)
    assert layer["source_date"].notna().all()
    assert pd.api.types.is_datetime64_any_dtype(layer["source_date"])
    assert layer["sources_count"].notna().all()
    numbi = layer.loc[(layer["place"] == "numbi") & (layer["actor"] == "m23")]
    assert numbi["start_precision"].tolist() == ["range"]
