"""Figures that can be quoted: missing is not zero, nested levels are never added,
a per-actor figure counts only figures dated while the actor held the place, one rule
dates a change, and stale as-of dates are said."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geomap.actors import holder_since, resolve_control
from geomap.dates import parse_dates
from geomap.summarise.areas import sum_displaced, summarise_areas
from geomap.summarise.changes import changes_between
from geomap.summarise.holders import StaleDateWarning, check_as_of
from geomap.summarise.mines import assign_mines, hold_mines
from geomap.summarise.nesting import summarise_totals
from geomap.summarise.per_actor import summarise_actors
from geomap.summarise.timeline import displacement_steps
from geomap.summarise.within import resolve_within

DAY = pd.Timestamp


def _control(rows: list[tuple]) -> pd.DataFrame:
    """Linked control records: place, actor, start, end, confidence."""
    frame = pd.DataFrame(rows, columns=["place", "actor", "start", "end", "confidence"])
    frame["start"] = parse_dates(frame["start"])
    frame["end"] = parse_dates(frame["end"])
    return frame.assign(source="s", url="u", note=None)


def _displacement(rows: list[tuple]) -> pd.DataFrame:
    """Linked displacement rows: place, people, date, assessment[, kind]."""
    columns = ["place", "people", "date", "assessment", "kind"][:len(rows[0])]
    frame = pd.DataFrame(rows, columns=columns)
    frame["date"] = parse_dates(frame["date"])
    return frame


@pytest.fixture
def places() -> gpd.GeoDataFrame:
    """A province P1 holding territories T1 and T2; town 'ma' in T1, 'gm' in T2."""
    return gpd.GeoDataFrame({
        "place": ["P1", "T1", "T2", "ma", "gm"],
        "name": ["Prov", "Terr one", "Terr two", "Ma-centre", "Gm"],
        "kind": ["area", "area", "area", "town", "town"], "level": [1, 2, 2, 9, 9],
        "pcode": ["P1", "T1", "T2", None, None],
        "parent_pcode": ["CD", "P1", "P1", "T1", "T2"],
        "area_type": ["province", "territory", "territory", None, None]},
        geometry=[box(29.0, -2.0, 29.5, -1.0), box(29.0, -2.0, 29.25, -1.0),
                  box(29.25, -2.0, 29.5, -1.0), Point(29.1, -1.5), Point(29.4, -1.5)],
        crs="EPSG:4326")


@pytest.fixture
def admin(places) -> gpd.GeoDataFrame:
    """The admin areas of *places*."""
    areas = places.loc[places["kind"] == "area"]
    return gpd.GeoDataFrame({"pcode": areas["place"], "name": areas["name"],
                             "level": areas["level"]}, geometry=areas.geometry.to_numpy(),
                            crs="EPSG:4326").reset_index(drop=True)


def _summary(places, admin, control, displacement, day, mines=None):
    """The per-place and per-actor summaries as the build makes them."""
    now = resolve_control(control, day)
    now["since"] = holder_since(control, now.index, day)
    mines = mines if mines is not None else gpd.GeoDataFrame(
        {"name": pd.Series(dtype=object), "minerals": pd.Series(dtype=object)},
        geometry=[], crs="EPSG:4326")
    mines = assign_mines(mines, places, admin)
    mines = mines.join(hold_mines(mines, now["actor"]))
    areas = summarise_areas(places, now, sum_displaced(displacement, day), mines)
    return areas.set_index("place"), summarise_actors(areas, mines).set_index("actor")


def test_no_figure_is_missing_not_zero(places, admin):
    """A place without a figure has none (empty), a published 0 stays 0, and a figure
    dated after the as-of date does not exist yet (Sud-Kivu on 2025-02-20)."""
    control = _control([("gm", "m23", "2025-01-25", None, "assessed")])
    figures = _displacement([("T1", 0, "2025-01-01", "r1"),
                             ("P1", 1860000, "2025-02-28", "r2")])
    areas, actors = _summary(places, admin, control, figures, DAY("2025-02-20"))
    assert areas.loc["T1", "people"] == 0
    assert pd.isna(areas.loc["P1", "people"])  # its figure is dated 2025-02-28
    assert pd.isna(areas.loc["gm", "people"])  # no figure bundled: Goma
    assert pd.isna(actors.loc["m23", "people"])  # nothing to add up: no figure, not 0
    assert areas.loc["T1", "people_as_of"] == DAY("2025-01-01")


def test_rows_say_their_level_and_parent_and_totals_stay_within_one(places, admin):
    """Provinces, territories and towns each add up apart; each mine counts once in
    each level, for its area of every level and its nearest town."""
    figures = _displacement([("P1", 1000, "2025-01-01", "r"), ("T1", 400, "2025-01-01",
                             "r"), ("ma", 20, "2025-01-02", "r")])
    mines = gpd.GeoDataFrame({"name": ["a", "b"], "minerals": ["gold", "coltan"]},
                             geometry=[Point(29.11, -1.51), Point(29.4, -1.9)],
                             crs="EPSG:4326")
    areas, _ = _summary(places, admin, _control([("T1", "m23", "2025", None,
                                                  "assessed")]),
                        figures, DAY("2025-02-01"), mines)
    assert areas.loc["ma", ["level_name", "parent", "parent_name"]].tolist() == [
        "town", "T1", "Terr one"]
    assert areas.loc["T1", ["level_name", "parent"]].tolist() == ["territory", "P1"]
    assert areas.loc["P1", "mines"] == 2  # a province counts its sites too
    assert areas.loc[["T1", "T2"], "mines"].sum() == 2
    totals = summarise_totals(areas.reset_index()).set_index("level")
    assert totals.loc["provinces (level 1)", "people"] == 1000
    assert totals.loc["territories and cities (level 2)", ["people", "mines"]].tolist() \
        == [400, 2]
    assert totals.loc["towns", ["people", "people_as_of", "mines"]].tolist() == [
        20, "2025-01-02", 1]
    assert totals.loc["territories and cities (level 2)", "places_with_figure"] == 1


def test_a_per_actor_figure_counts_only_figures_dated_while_held(places, admin):
    """Masisi-centre's 20,000 of September 2024 predates M23's capture (January
    2025): M23's 'displaced in places held' leaves it out and says why."""
    control = _control([("ma", "fardc", None, "2025-01-04", "assessed"),
                        ("ma", "m23", "2025-01-04", "2025-01-05", "contested"),
                        ("ma", "m23", "2025-01-05", None, "assessed"),
                        ("gm", "m23", "2025-02-14", None, "assessed")])
    figures = _displacement([("ma", 20000, "2024-09-15", "s"),
                             ("gm", 99000, "2025-03-01", "s")])
    _, actors = _summary(places, admin, control, figures, DAY("2025-06-01"))
    assert actors.loc["m23", "people"] == 99000
    assert actors.loc["m23", "people_as_of"] == "2025-03-01"
    assert actors.loc["m23", "people_places"] == "Gm (2025-03-01)"
    assert "Ma-centre: 20,000 as of 2024-09-15, before M23/AFC held it (since " \
           "2025-01-04)" in actors.loc["m23", "people_left_out"]


def test_nested_places_held_by_one_actor_are_counted_once(places, admin):
    """An actor holding a territory and a town inside it adds the territory's
    figure only."""
    control = _control([("T1", "m23", "2024", None, "assessed"),
                        ("ma", "m23", "2024", None, "assessed")])
    figures = _displacement([("T1", 500, "2025-01-01", "r"), ("ma", 20, "2025-01-01",
                                                               "r")])
    _, actors = _summary(places, admin, control, figures, DAY("2025-02-01"))
    assert actors.loc["m23", "people"] == 500
    assert "Ma-centre: 20, inside Terr one (counted)" in actors.loc["m23",
                                                                    "people_left_out"]


def test_one_rule_dates_the_change_in_every_output(places, admin):
    """Goma: contested from 25 January, M23 alone from 27: the summary's 'since' and
    changes.csv's 'changed_on' are both 25 January."""
    control = _control([("gm", "fardc", None, "2025-01-25", "assessed"),
                        ("gm", "m23", "2025-01-25", "2025-01-27", "contested"),
                        ("gm", "m23", "2025-01-27", None, "assessed")])
    areas, _ = _summary(places, admin, control, _displacement([("T1", 1, "2024", "r")]),
                        DAY("2025-03-01"))
    changes = changes_between(control, places, DAY("2024-12-31"), DAY("2025-03-01"))
    assert areas.loc["gm", "since"] == DAY("2025-01-25")
    assert changes.set_index("place").loc["gm", "changed_on"] == DAY("2025-01-25")


def test_kinds_are_never_added(places, admin):
    """IDPs and new displacement in one place stay two figures; the main one is IDPs."""
    figures = _displacement([("T1", 1000, "2025-01-01", "r1", "idps"),
                             ("T1", 200, "2025-01-05", "flash", "new-displacement")])
    summed = sum_displaced(figures, DAY("2025-02-01"))
    assert sorted(summed["kind"]) == ["idps", "new-displacement"]
    areas, _ = _summary(places, admin, _control([("T2", "m23", "2025", None,
                                                  "assessed")]),
                        figures, DAY("2025-02-01"))
    assert areas.loc["T1", "people"] == 1000
    assert areas.loc["T1", "other_figures"] == "new-displacement 200 as of 2025-01-05"


def test_stale_as_of_date_is_warned_and_returned():
    """An as-of date more than 30 days after the newest record is flagged."""
    control = _control([("x", "m23", "2025-01-01", "2025-03-09", "assessed")])
    with pytest.warns(StaleDateWarning, match="newest control record is dated 2025-03-09"):
        assert check_as_of(control, DAY("2026-11-30")) == DAY("2025-03-09")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_as_of(control, DAY("2025-04-01")) is None  # 23 days: fine


@pytest.mark.parametrize("window", [None, 10], ids=["all-rows", "window"])
def test_slider_steps_give_the_figure_of_any_day(window):
    """For every day, the step in force gives what sum_displaced gives on that day."""
    figures = _displacement([
        ("A", 100, "2025-01-01", "r1"), ("A", 50, "2025-01-01", "r1"),
        ("A", 90, "2025-02-10", "r2"), ("B", 5, "2025-01-03", None),
        ("B", 7, "2025-01-20", None), ("C", 40, "2025-01-05", "r1"),
        ("C", 3, "2025-01-06", None), ("C", 8, "2025-01-25", None),
        ("C", 60, "2025-01-28", "r2"), ("C", 10, "2025-02-02", "r2"),
        ("C", 4, "2025-02-15", None), ("D", 6, "2025-01-02", None),
        ("D", 30, "2025-01-12", "r1")])
    figures["assessment"] = figures["assessment"].astype(object)
    steps = displacement_steps(figures, window_days=window)
    # Both sides are constant between the days a record is dated (or leaves the
    # window) and the days a step starts: each such day and the day before it cover
    # every stretch of days, so checking them is checking any day.
    turns = set(figures["date"]) | {pd.Timestamp(step[0]) for found in steps.values()
                                    for step in found}
    if window:
        turns |= {day + pd.Timedelta(days=window) for day in figures["date"]}
    days = sorted(turns | {day - pd.Timedelta(days=1) for day in turns}
                  | {pd.Timestamp("2025-03-01")})
    for day in days:
        expected = sum_displaced(figures, day, window_days=window)
        for place in ("A", "B", "C", "D"):
            before = [s for s in steps.get(place, []) if s[0] <= f"{day:%Y-%m-%d}"]
            shown = before[-1][1:] if before else [None, None]
            want = ([int(expected.loc[place, "people"]),
                     f"{expected.loc[place, 'people_as_of']:%Y-%m-%d}"]
                    if place in expected.index else [None, None])
            assert shown == want, (place, day)


@pytest.mark.parametrize("window", [None, 10], ids=["all-rows", "window"])
def test_each_place_steps_only_through_its_own_registrations(window):
    """Places of registrations only, read from one table, step as each would alone
    (no sum runs on into the next place); places with rounds are left to their rule."""
    figures = _displacement([
        ("B", 5, "2025-01-03", None), ("A", 2, "2025-01-01", None),
        ("B", 7, "2025-01-20", None), ("A", 4, "2025-01-01", None),
        ("E", 9, "2025-01-02", None), ("A", 8, "2025-02-11", None),
        ("C", 40, "2025-01-05", "r1"), ("C", 3, "2025-01-06", None),
        ("E", 1, "2025-01-15", None), ("E", 6, "2025-01-30", None)])
    figures["assessment"] = figures["assessment"].astype(object)
    steps = displacement_steps(figures, window_days=window)
    assert list(steps) == ["A", "B", "C", "E"]
    for place in steps:
        alone = figures.loc[figures["place"] == place]
        assert steps[place] == displacement_steps(alone, window_days=window)[place]
    if window is None:
        assert steps["A"] == [["2025-01-01", 6, "2025-01-01"],
                              ["2025-02-11", 14, "2025-02-11"]]
        assert steps["E"][0] == ["2025-01-02", 9, "2025-01-02"]


def test_mines_in_a_control_zone_count_for_its_actor(places, admin):
    """A site inside a zone counts for the zone's actor; where zones of two actors
    overlap it is contested; 'within' lists every zone with its share."""
    zone_a = box(29.0, -2.0, 29.2, -1.4)
    zone_b = box(29.1, -2.0, 29.3, -1.4)
    zones = gpd.GeoDataFrame({
        "place": ["zone-a", "zone-b"], "name": ["FDLR zone", "Nyatura zone"],
        "kind": "zone", "level": 8, "pcode": None, "parent_pcode": None},
        geometry=[zone_a, zone_b], crs="EPSG:4326")
    everything = pd.concat([places, zones], ignore_index=True)
    control = _control([("zone-a", "fdlr", "2015-09-14", None, "assessed"),
                        ("zone-b", "nyatura", "2015-09-14", None, "assessed")])
    mines = gpd.GeoDataFrame({"name": ["west", "both"], "minerals": ["gold", "gold"]},
                             geometry=[Point(29.05, -1.9), Point(29.15, -1.9)],
                             crs="EPSG:4326")
    areas, actors = _summary(everything, admin, control, _displacement(
        [("T1", 1, "2015", "r")]), DAY("2016-01-01"), mines)
    assert actors.loc["fdlr", "mines"] == 1
    assert actors.loc["contested", "mines"] == 1
    assert areas.loc[["zone-a", "zone-b"], "mines"].tolist() == [2, 1]
    assert "nyatura" not in actors.index or actors.loc["nyatura", "mines"] == 0
    within = resolve_within(everything, resolve_control(control, DAY("2016-01-01")))
    assert within.loc["T1", "within"] == "FDLR zone (48%); Nyatura zone (36%)"
    assert within.loc["T1", "within_actor"] == "contested"
    assert within.loc["ma", "within"] == "FDLR zone (100%); Nyatura zone (100%)"


def test_a_stale_date_is_said_beside_the_as_of_date():
    """The report's header reads 'latest record: D' when the build says it is stale."""
    from geomap.export.report import html_header as _header
    from geomap.render.markup import MapText

    stale = MapText(title="t", as_of=DAY("2026-11-30"), latest_record=DAY("2026-03-01"))
    assert "Control as of <b>2026-11-30</b> (latest record: 2026-03-01)" in _header(stale)
    assert "latest record" not in _header(MapText(title="t", as_of=DAY("2026-03-05")))
