"""The places around a place, read once for many days, against the rule worked out
afresh for each day: parents, parentless places on borders, levels, zones."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from geomap.actors import holder_of, resolve_control
from geomap.dates import parse_dates
from geomap.join import attach_areas
from geomap.schema import METRIC_CRS
from geomap.summarise.changes import control_timeline
from geomap.summarise.within import Surroundings, ancestors, resolve_within


def _within_simply(places: gpd.GeoDataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """The rule spelled out for one day: parents up the chain, else the deepest held
    admin area holding the place's inner point, and every held zone over it."""
    empty = pd.DataFrame(columns=["within", "within_actor"]).rename_axis("place")
    held_ids = set(now.index)
    open_places = places.loc[~places["place"].isin(held_ids)].drop_duplicates("place")
    if not held_ids or open_places.empty:
        return empty
    table = places.drop_duplicates("place").set_index("place")
    chains = ancestors(table["parent_pcode"]) if "parent_pcode" in table else {}
    parents = table.get("parent_pcode", pd.Series(None, index=table.index, dtype=object))
    orphans = open_places.loc[~open_places["place"].map(parents).isin(table.index)]
    held = table.loc[(table["kind"] == "area") & table.index.isin(held_ids)]
    around = pd.Series(None, index=orphans.index, dtype=object)
    inside = orphans.geometry.representative_point()
    for level in sorted(set(held["level"]), reverse=True):
        areas = held.loc[held["level"] == level]
        hits = attach_areas(inside[around.isna()], areas.assign(pcode=areas.index))
        around.loc[hits.index] = hits
    around = dict(zip(orphans["place"], around, strict=True))
    found: dict[str, list] = {}
    for place in open_places["place"]:
        chain = chains.get(place) or ([around[place]] if isinstance(
            around.get(place), str) and around[place] != place else [])
        first = next((p for p in chain if p in held_ids), None)
        if first is not None:
            found.setdefault(place, []).append((table.at[first, "name"],
                                                now.at[first, "actor"]))
    zones = table.loc[(table["kind"] == "zone") & table.index.isin(held_ids)]
    rows = []
    for place, zone in itertools.product(open_places["place"], zones.index):
        shape, over = (gpd.GeoSeries([table.at[p, "geometry"]], crs=table.crs)
                       .to_crs(METRIC_CRS).iloc[0] for p in (place, zone))
        if shape is None or not shape.intersects(over):
            continue
        share = (shapely.make_valid(shape).intersection(shapely.make_valid(over)).area
                 / shape.area) if shape.area > 0 else 1.0
        if share > 0:
            label = ("100%" if share >= 0.9995 else f"{share:.0%}" if share >= 0.01
                     else "<1%")
            rows.append((place, table.at[zone, "name"], now.at[zone, "actor"], label))
    for place, name, actor, label in sorted(rows):
        found.setdefault(place, []).append((f"{name} ({label})", actor))
    if not found:
        return empty
    return pd.DataFrame({
        "within": {p: "; ".join(n for n, _ in v) for p, v in found.items()},
        "within_actor": {p: holder_of([a for _, a in v]) for p, v in found.items()},
    }).rename_axis("place").sort_index()


@pytest.fixture
def places() -> gpd.GeoDataFrame:
    """A province over two territories; a town with a parent, record places without
    one (inside a territory, on the territories' shared border, on the province's
    outer edge, outside everything, with no geometry); two overlapping zones."""
    return gpd.GeoDataFrame({
        "place": ["P1", "T1", "T2", "ma", "in", "edge", "rim", "far", "none",
                  "Z1", "Z2", "P1"],
        "name": ["Prov", "Terr one", "Terr two", "Ma", "In", "Edge", "Rim", "Far",
                 "None", "Zone one", "Zone two", "Prov again"],
        "kind": ["area", "area", "area", "town", "point", "point", "point", "point",
                 "point", "zone", "zone", "area"],
        "level": [1, 2, 2, 9, 8, 8, 8, 8, 8, 8, 8, 1],
        "parent_pcode": ["CD", "P1", "P1", "T1", None, None, None, None, None, None,
                         None, None]},
        geometry=[box(29.0, -2.0, 29.5, -1.0), box(29.0, -2.0, 29.25, -1.0),
                  box(29.25, -2.0, 29.5, -1.0), Point(29.1, -1.5), Point(29.1, -1.2),
                  Point(29.25, -1.5), Point(29.5, -1.5), Point(31.0, 0.0), None,
                  Polygon([(29.05, -1.9), (29.3, -1.9), (29.3, -1.4), (29.05, -1.4)]),
                  box(29.2, -1.8, 29.45, -1.3), box(0, 0, 1, 1)],
        crs="EPSG:4326")


HOLDERS = ["P1", "T1", "T2", "ma", "edge", "Z1", "Z2"]


@pytest.mark.parametrize("held", [
    held for size in range(len(HOLDERS) + 1)
    for held in itertools.combinations(HOLDERS, size) if size <= 3 or size == 7])
def test_surroundings_answer_as_the_rule_for_each_day(places, held):
    """Every set of held places (up to three, and all) reads as the rule says."""
    actors = ["m23", "fardc", "m23", "wazalendo", "fdlr", "m23", "fardc"]
    now = pd.DataFrame({"actor": [actors[HOLDERS.index(p)] for p in held]},
                       index=pd.Index(list(held), name="place", dtype=object))
    found = Surroundings(places).resolve(now)
    pd.testing.assert_frame_equal(found, _within_simply(places, now))


def test_one_surroundings_serves_many_days(places):
    """A Surroundings read once gives each day's answer, whatever came before it."""
    surroundings = Surroundings(places)
    days = [("T2",), ("P1", "Z1"), (), ("T1", "Z2", "edge"), ("T2",)]
    for held in days:
        now = pd.DataFrame({"actor": ["m23"] * len(held)},
                           index=pd.Index(list(held), name="place", dtype=object))
        pd.testing.assert_frame_equal(resolve_within(places, now,
                                                     surroundings=surroundings),
                                      _within_simply(places, now))


def test_a_place_on_a_border_takes_the_first_held_area(places):
    """The record place on T1 and T2's shared border lies in the first held one."""
    now = pd.DataFrame({"actor": ["m23", "fardc"]},
                       index=pd.Index(["T2", "T1"], name="place", dtype=object))
    within = Surroundings(places).resolve(now)
    assert within.loc["edge", "within"].startswith("Terr one")
    only_t2 = Surroundings(places).resolve(now.loc[["T2"]])
    assert only_t2.loc["edge", "within"] == "Terr two"
    assert "far" not in only_t2.index
    assert "none" not in only_t2.index


def test_timeline_within_matches_each_day_resolved_afresh(places):
    """The slider's ``within`` columns are each day's rule, for a record history in
    which areas, a zone and a town change hands."""
    control = pd.DataFrame({
        "place": ["T1", "T1", "Z1", "ma", "P1", "T2"],
        "actor": ["m23", "fardc", "fdlr", "m23", "m23", "fardc"],
        "start": parse_dates(pd.Series([None, "2025-02-01", "2025-01-10", "2025-01-20",
                                        "2025-03-01", "2025-01-05"])),
        "end": parse_dates(pd.Series(["2025-02-01", None, "2025-03-01", "2025-02-15",
                                      None, "2025-01-25"])),
        "confidence": "assessed", "source": "s", "url": "u", "note": None})
    days = sorted(set(pd.to_datetime(["2024-12-01", "2025-01-05", "2025-01-10",
                                      "2025-01-20", "2025-01-25", "2025-02-01",
                                      "2025-02-15", "2025-03-01", "2025-04-01"])))
    timeline = control_timeline(control, places, {}, days[-1], days=days)
    for day in days:
        rows = timeline.loc[timeline["day"] == day].set_index("place")
        expected = _within_simply(places, resolve_control(control, day))
        got = rows.loc[rows["within"].notna(), ["within", "within_actor"]]
        assert got.to_dict("index") == expected.to_dict("index"), day
        assert np.all(rows.loc[~rows.index.isin(expected.index), "within"].isna())
