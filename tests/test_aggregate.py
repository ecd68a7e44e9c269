"""Control as of a date, stocks of displaced people, mines per actor."""

from __future__ import annotations

import pandas as pd
import pytest

from geomap.actors import resolve_control
from geomap.dates import parse_dates
from geomap.summarise.areas import sum_displaced


def _control(rows: list[tuple]) -> pd.DataFrame:
    """Linked control records: place, actor, start, end, confidence."""
    frame = pd.DataFrame(rows, columns=["place", "actor", "start", "end", "confidence"])
    frame["start"] = parse_dates(frame["start"])
    frame["end"] = parse_dates(frame["end"])
    return frame.assign(source="s", url="u", note=None)


DAY = pd.Timestamp


@pytest.mark.parametrize(("date", "expected"), [
    ("2025-01-26", "fardc"),
    ("2025-01-27", "m23"),  # same-day handover: the new holder shows
    ("2025-03-01", "m23"),
    ("2025-04-02", "fardc"),
])
def test_handover_and_withdrawal(date, expected):
    """Intervals are [start, end): the day of a change belongs to the new holder."""
    control = _control([
        ("goma", "fardc", None, "2025-01-27", "assessed"),
        ("goma", "m23", "2025-01-27", "2025-04-02", "assessed"),
        ("goma", "fardc", "2025-04-02", None, "assessed"),
    ])
    assert resolve_control(control, DAY(date)).loc["goma", "actor"] == expected


def test_gap_shows_no_control():
    """Between two records nobody is shown in control."""
    control = _control([("x", "m23", "2024-01", "2024-02", "assessed"),
                        ("x", "fardc", "2024-06", None, "assessed")])
    assert "x" not in resolve_control(control, DAY("2024-04-01")).index


def test_overlapping_claims_are_contested():
    """Two actors in force on the same day make the place contested."""
    control = _control([("x", "m23", "2025-01-01", None, "assessed"),
                        ("x", "wazalendo", "2025-02-01", None, "claimed")])
    row = resolve_control(control, DAY("2025-02-10")).loc["x"]
    assert row["actor"] == "contested"
    assert row["confidence"] == "contested"
    assert row["actors"] == "m23;wazalendo"


def test_pre_1970_dates_work():
    """Dates before the Unix epoch resolve like any other."""
    control = _control([("x", "fardc", "1960-06-30", "1964-01-01", "assessed")])
    assert resolve_control(control, DAY("1962-01-01")).loc["x", "actor"] == "fardc"


def _displacement(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["place", "people", "date", "assessment"])
    frame["date"] = parse_dates(frame["date"])
    return frame


def test_rounds_are_never_summed():
    """An area shows its most recent round on or before the date, not a total."""
    rows = [("T01", 1000, "2024-10-01", "r1"), ("T01", 400, "2025-01-15", "r2"),
            ("T01", 100, "2025-01-15", "r2"), ("T01", 9, "2025-06-01", "r3")]
    result = sum_displaced(_displacement(rows), DAY("2025-02-01"))
    assert result.loc["T01", "people"] == 500
    assert result.loc["T01", "assessment"] == "r2"
    assert sum_displaced(_displacement(rows), DAY("2024-12-31")).loc["T01", "people"] == 1000


def test_registrations_are_summed_over_a_window():
    """Rows without a round are summed over the window ending at the date."""
    rows = [("T01", 5, "2025-01-01", None), ("T01", 7, "2025-01-20", None),
            ("T01", 11, "2025-03-01", None)]
    frame = _displacement(rows)
    assert sum_displaced(frame, DAY("2025-02-01")).loc["T01", "people"] == 12
    windowed = sum_displaced(frame, DAY("2025-02-01"), window_days=20)
    assert windowed.loc["T01", "people"] == 7


def test_a_round_is_not_cut_in_two_by_the_date():
    """A round whose rows span the date is shown only once all of it is dated."""
    rows = [("T01", 1000, "2024-10-01", "r1"), ("T01", 400, "2025-01-10", "r2"),
            ("T01", 100, "2025-01-20", "r2")]
    result = sum_displaced(_displacement(rows), DAY("2025-01-15"))
    assert result.loc["T01", "people"] == 1000  # r2 is dated 2025-01-20
    assert sum_displaced(_displacement(rows), DAY("2025-01-20")).loc["T01", "people"] == 500


def test_town_inherits_nothing_silently(admin):
    """A town with no record of its own keeps none; the area around it is named."""
    import geopandas as gpd
    from shapely.geometry import Point

    from geomap.summarise.areas import resolve_within, summarise_areas

    places = gpd.GeoDataFrame({
        "place": ["T01", "T02", "own", "bare"], "name": ["Sierra", "Tango", "Own", "Bare"],
        "kind": ["area", "area", "town", "town"], "level": [2, 2, 9, 9],
        "pcode": ["T01", "T02", None, None]},
        geometry=[*admin.geometry, Point(29.1, -1.5), Point(29.12, -1.6)],
        crs="EPSG:4326")
    control = _control([("T01", "m23", "2025-01-01", None, "assessed"),
                        ("own", "fardc", "2025-01-01", None, "assessed")])
    now = resolve_control(control, DAY("2025-02-01"))
    within = resolve_within(places, now)
    assert within.loc["bare", "within"] == "Sierra"
    assert within.loc["bare", "within_actor"] == "m23"
    assert "own" not in within.index  # its own record wins
    mines = pd.DataFrame({"town": pd.Series(dtype=object), "area": pd.Series(dtype=object)})
    areas = summarise_areas(places, now, sum_displaced(_displacement([]), DAY("2025")),
                            mines).set_index("place")
    assert pd.isna(areas.loc["bare", "actor"])  # nothing copied onto the town
    assert areas.loc["own", "actor"] == "fardc"
    assert pd.isna(areas.loc["own", "within"])


@pytest.mark.parametrize(("start", "day", "held"), [
    ("2025-01", "2025-01-01", True), ("2025-01", "2024-12-31", False),
    ("2025", "2025-01-01", True), ("2025", "2024-12-31", False),
], ids=["month-on", "month-before", "year-on", "year-before"])
def test_partial_dates_start_on_the_first_day(start, day, held):
    """A record dated '2025-01' or '2025' is in force from that period's first day."""
    control = _control([("x", "m23", start, None, "claimed")])
    assert ("x" in resolve_control(control, DAY(day)).index) is held


def test_actor_counts_per_kind_as_counted_one_by_one():
    """Areas, towns and zones (control points with them) held per actor, the places
    named and the mines by mineral, as counted place by place; nobody holding
    anything gives no actor row."""
    from geomap.summarise.per_actor import summarise_actors

    areas = pd.DataFrame({
        "place": ["T01", "T02", "g", "z", "p", "w"],
        "name": ["Sierra", "Tango", "Goma", "Zone", "Point", "Walikale"],
        "kind": ["area", "area", "town", "zone", "point", "town"],
        "actor": pd.array(["m23", "fardc", "m23", "m23", "contested", None],
                          dtype="string"),
        "since": pd.NaT, "parent": None, "people": pd.array([None] * 6, dtype="Int64"),
        "people_as_of": pd.NaT})
    mines = pd.DataFrame({"actor": ["m23", "m23", None],
                          "minerals": ["gold;coltan", "gold", "tin"]})
    table = summarise_actors(areas, mines).set_index("actor")
    for actor in ("m23", "fardc", "contested"):
        mine = areas.loc[areas["actor"] == actor]
        assert table.loc[actor, "areas"] == (mine["kind"] == "area").sum()
        assert table.loc[actor, "towns"] == (mine["kind"] == "town").sum()
        assert table.loc[actor, "zones"] == mine["kind"].isin(["zone", "point"]).sum()
        assert table.loc[actor, "places"] == "; ".join(sorted(mine["name"]))
    assert table.loc["m23", "mines_by_mineral"] == "coltan: 1; gold: 2"
    assert table.loc["fardc", "mines"] == 0
    nobody = summarise_actors(areas.assign(actor=pd.NA), mines.assign(actor=None))
    assert nobody.empty


def test_mines_per_actor_count_sites_without_minerals_and_list_minerals_sorted():
    """A site with no minerals counts for its holder (with no mineral text); minerals
    are listed by name, each site once per mineral; unheld sites count for nobody."""
    from geomap.summarise.mines import count_mines_by_actor

    mines = pd.DataFrame({"actor": ["m23", "fardc", "m23", None, "m23"],
                          "minerals": ["tin;gold", None, "gold", "coltan", ""]})
    table = count_mines_by_actor(mines)
    assert table.index.tolist() == ["fardc", "m23"]
    assert table["mines"].tolist() == [1, 3]
    assert table["mines_by_mineral"].tolist() == ["", "gold: 2; tin: 1"]


def test_a_date_span_reads_any_dates_and_skips_missing_ones():
    """One date, a range of several (whatever their order), None when none is known."""
    from geomap.summarise.nesting import date_span

    assert date_span([DAY("2025-03-01"), pd.NaT, DAY("2024-06-30")]) == \
        "2024-06-30 to 2025-03-01"
    assert date_span(pd.Series([DAY("2025-03-01")] * 2)) == "2025-03-01"
    assert date_span(iter([pd.NaT, None])) is None


def test_a_figure_date_is_written_as_exactly_as_its_least_exact_row():
    """Rows of a place on its figure's day: the least exact precision wins ('March
    2025', not '1 March 2025'); other places' and other days' rows do not count; a
    missing precision is a day; no figure, no text."""
    from geomap.dates import describe_date
    from geomap.summarise.figure_dates import add_people_as_of_text

    march, june = DAY("2025-03-01"), DAY("2025-06-01")
    areas = pd.DataFrame({"place": ["a", "b", "c", "d"],
                          "people_as_of": [march, march, pd.NaT, june],
                          "mines": 0})
    displacement = pd.DataFrame({
        "place": ["a", "a", "b", "b", "d", None],
        "date": [march, march, march, june, june, june],
        "date_precision": ["day", "month", None, "year", "approximate", "year"]})
    table = add_people_as_of_text(areas, displacement)
    assert list(table.columns) == ["place", "people_as_of", "people_as_of_text", "mines"]
    assert table["people_as_of_text"].tolist() == [
        "March 2025", describe_date(march), "", describe_date(june, "approximate")]
    assert table["people_as_of_text"].iloc[1] != "March 2025"
