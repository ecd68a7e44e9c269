"""Every output of a build on the bundled data: no 0 where no figure exists, no sum
over nested levels, every figure with its date, one date for each change of hands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest


@pytest.fixture(scope="module")
def out(bundled_build) -> Path:
    """The session's build of the bundled data as of 20 Feb 2025, changes since 31 Dec
    2024: no figure is bundled for Goma, and Sud-Kivu's first is dated 28 Feb 2025."""
    return bundled_build[1]


@pytest.fixture(scope="module")
def areas(out: Path) -> pd.DataFrame:
    """summary_areas.csv by place."""
    return pd.read_csv(out / "summary_areas.csv", dtype={"pcode": str}).set_index("place")


def test_no_figure_is_empty_not_zero_in_the_csv(areas):
    """Goma and Sud-Kivu have no figure as of the date: empty cells, not 0."""
    assert pd.isna(areas.loc["CD6101", "people"])  # Goma
    assert pd.isna(areas.loc["CD62", "people"])  # Sud-Kivu: first figure 2025-02-28
    assert areas.loc["CD61", "people"] > 0
    assert (areas["people"].dropna() > 0).all()  # the bundled data holds no real 0


def test_every_figure_has_its_date_and_every_row_its_level(areas):
    """A figure never comes without its date; every row says its level, and its
    parent when it has one."""
    figures = areas.loc[areas["people"].notna()]
    assert figures["people_as_of"].notna().all()
    assert areas["level_name"].notna().all()
    towns = areas.loc[areas["kind"] == "town"]
    assert towns["parent"].isin(areas.index).all()
    assert areas.loc["kashebere", "parent_name"] == "Walikale"  # as reported


def test_actor_figures_are_dated_and_never_add_a_figure_from_before(out):
    """M23 holds Masisi-centre since Jan 2025, whose figure dates from Sep 2024: it is
    left out, named, and M23 has no figure of its own to show."""
    actors = pd.read_csv(out / "summary_actors.csv").set_index("actor")
    with_figure = actors.loc[actors["people"].notna()]
    assert with_figure["people_as_of"].notna().all()
    assert "Masisi-centre: 20,000 as of 2024-09-15" in actors.loc["m23", "people_left_out"]
    assert pd.isna(actors.loc["m23", "people"])


def test_one_date_for_each_change_of_hands(out, areas):
    """Goma changed hands on 25 January in changes.csv and in the summary."""
    changes = pd.read_csv(out / "changes.csv").set_index("place")
    assert changes.loc["CD6101", "changed_on"] == "2025-01-25"
    assert areas.loc["CD6101", "since"] == "2025-01-25"
    assert pd.isna(changes.loc["CD6101", "people"])  # no figure: empty, not 0


def test_gis_layers_carry_null_not_zero(out):
    """GeoJSON and the GeoPackage's summary table hold null where no figure exists."""
    admin = json.loads((out / "layers" / "admin.geojson").read_text(encoding="utf-8"))
    people = {f["properties"]["pcode"]: f["properties"]["people"] for f in
              admin["features"]}
    assert people["CD6101"] is None
    assert people["CD61"] > 0
    table = pyogrio.read_dataframe(out / "geomap.gpkg", layer="summary_areas")
    goma = table.loc[table["place"] == "CD6101", "people"]
    assert goma.isna().all()


def test_the_report_adds_one_level_at_a_time_and_explains_its_sums(out):
    """The report's totals name the level they add; its QA section keeps the sum of
    every row read with its meaning; the console line counts rows."""
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Each row adds one level only" in report
    for level in ("provinces (level 1)", "territories and cities (level 2)", "towns"):
        assert level in report
    assert "not a count of displaced people" in report
    assert "latest record" not in report  # the record runs past 20 Feb 2025


def test_the_slider_gets_each_place_s_figure_for_any_date(out):
    """map.html carries, per place and slider day, the figure in force on that day:
    Sud-Kivu has none before its first figure (28 Feb 2025), then that one."""
    from .render.web.test_page import features, page_data, state

    data = page_data((out / "map.html").read_text(encoding="utf-8"))
    sud_kivu = features(data, "admin")["CD62"]
    shown = {day: {label: value for label, value, _bold in
                   state(data, sud_kivu, day)[1]["rows"]}["Displaced:"]
             for day in data["days"]}
    assert {text for day, text in shown.items() if day < "2025-02-28"} == {"no figure"}
    assert {text for day, text in shown.items() if "2025-02-28" <= day < "2025-03-31"
            } == {"1,860,000 (as of 2025-02-28)"}
    for day, text in shown.items():  # a figure is never dated after the day shown
        assert text == "no figure" or text[-11:-1] <= day
