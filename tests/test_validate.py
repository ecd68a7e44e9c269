"""Validation: bad rows go to rejects with their row numbers; bad files raise."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from geomap.errors import CRSError, GeometryError, SchemaError
from geomap.schema import ROW
from geomap.validate.checks import (
    usable_people,
    validate_admin,
    validate_control,
    validate_displacement,
    validate_mines,
)
from geomap.validate.rejects import Rejects


def _rows(records: list[dict]) -> pd.DataFrame:
    """A raw frame as load.read_layer returns it: strings and 1-based row numbers."""
    frame = pd.DataFrame(records).astype("string")
    frame[ROW] = range(1, len(frame) + 1)
    return frame


GOOD = {"area": "T01", "people": "120", "date": "2025-01-15", "assessment": "r1"}


@pytest.mark.parametrize(("change", "column", "fragment"), [
    ({"people": "-5"}, "people", "negative count"),
    ({"people": "many"}, "people", "not a number"),
    ({"people": "12.5"}, "people", "not a whole number"),
    ({"people": ""}, "people", "missing count"),
    ({"date": "31/31/2025"}, "date", "unparseable date"),
    ({"date": ""}, "date", "missing date"),
    ({"area": "", "lon": "29.2", "lat": "45.0"}, "lat", "latitude outside the DRC"),
    ({"area": "", "lon": "-1.6", "lat": "29.2"}, "lon", "swapped"),
    ({"area": "", "lon": "x", "lat": "y"}, "lon", "lon is not a number"),
], ids=["negative", "non-numeric", "fraction", "empty", "bad-date", "no-date",
        "outside-drc", "swapped", "text-coords"])
def test_bad_displacement_rows_are_rejected_with_row_numbers(change, column, fragment):
    """Each bad row lands in rejects with its row number, column and reason."""
    records = [dict(GOOD, lon="", lat=""), {**GOOD, "lon": "", "lat": "", **change},
               dict(GOOD, lon="", lat="")]
    clean, rejects = validate_displacement(_rows(records))
    assert list(clean[ROW]) == [1, 3]
    hit = rejects.loc[rejects["column"] == column]
    assert list(hit["row"]) == [2]
    assert fragment in hit["reason"].iloc[0]


@pytest.mark.parametrize(("lon", "lat", "faults"), [
    ("29.2", "north", {"lat": "lat is not a number"}),
    ("east", "-1.6", {"lon": "lon is not a number"}),
    ("east", "north", {"lon": "lon is not a number", "lat": "lat is not a number"}),
    ("29.2", "", {"lat": "lat is missing while lon is given"}),
    ("", "-1.6", {"lon": "lon is missing while lat is given"}),
    ("29.2", "45.0", {"lat": "latitude outside the DRC extent"}),
    ("45.0", "-1.6", {"lon": "longitude outside the DRC extent"}),
    ("2.35", "48.85", {"lon": "longitude outside", "lat": "latitude outside"}),
], ids=["lat-text", "lon-text", "both-text", "no-lat", "no-lon", "lat-outside",
        "lon-outside", "both-outside"])
def test_coordinate_rejects_name_the_column_at_fault(lon, lat, faults):
    """A bad latitude is reported under lat with its value, a longitude under lon."""
    records = [{**GOOD, "area": "", "lon": "29.2", "lat": "-1.6"},
               {**GOOD, "area": "", "lon": lon, "lat": lat}]
    clean, rejects = validate_displacement(_rows(records))
    assert list(clean[ROW]) == [1]
    found = rejects.loc[rejects["row"] == 2]
    assert sorted(found["column"]) == sorted(faults)
    for column, fragment in faults.items():
        hit = found.loc[found["column"] == column].iloc[0]
        assert fragment in hit["reason"]
        assert hit["value"] == {"lon": lon, "lat": lat}[column]


def test_thousands_separators_are_counted():
    """'1,200' and '1 200' are whole numbers of people."""
    people, usable = usable_people(_rows([{"people": "1,200"}, {"people": "1 200"}]))
    assert list(people) == [1200, 1200]
    assert usable.all()


def test_displacement_needs_a_way_to_be_placed():
    """A file with no area, no lon/lat and no geometry stops with the fix named."""
    with pytest.raises(SchemaError, match=re.escape("--column displacement.area=")):
        validate_displacement(_rows([{"people": "5", "date": "2025-01-01"}]))


def test_projected_coordinates_in_lon_lat_columns_stop_the_file():
    """Metre values in lon/lat columns are a file-level error, not row rejects."""
    records = [{"lon": "712000", "lat": "9810000", "people": "3", "date": "2025"}] * 2
    with pytest.raises(CRSError, match="look projected"):
        validate_displacement(_rows(records))


def test_control_intervals_and_bad_values():
    """Backwards intervals, unknown confidence and bad dates are rejected by row."""
    records = [
        {"area": "alpha", "actor": "M23/AFC", "start": "2025-01-27", "end": ""},
        {"area": "alpha", "actor": "fardc", "start": "2025-02-01", "end": "2025-01-01"},
        {"area": "bravo", "actor": "fardc", "start": "2025", "end": "",
         "confidence": "sure"},
        {"area": "bravo", "actor": "", "start": "2025-01", "end": ""},
        {"area": "bravo", "actor": "fardc", "start": "next week", "end": ""},
    ]
    clean, rejects = validate_control(_rows(records))
    assert list(clean["actor"]) == ["m23"]
    by_row = dict(zip(rejects["row"], rejects["reason"], strict=True))
    assert "not after the start" in by_row[2]
    assert "unknown confidence" in by_row[3]
    assert "missing actor" in by_row[4]
    assert "unparseable date" in by_row[5]


def test_unknown_actor_is_kept_with_a_warning():
    """An actor geomap does not know still shows, and the user is told."""
    records = [{"area": "alpha", "actor": "Raïa Mutomboki", "start": "2015"}]
    with pytest.warns(UserWarning, match="raia-mutomboki"):
        clean, _ = validate_control(_rows(records))
    assert clean["actor"].iloc[0] == "raia-mutomboki"


def test_mines_outside_and_swapped_are_rejected():
    """Mine points must lie in the DRC; swapped axes are named as such."""
    records = [
        {"name": "Good", "lon": "28.88", "lat": "-1.57", "minerals": "Coltan, Cassiterite"},
        {"name": "Swapped", "lon": "-1.57", "lat": "28.88"},
        {"name": "Paris", "lon": "2.35", "lat": "48.85"},
    ]
    clean, rejects = validate_mines(_rows(records))
    assert list(clean["name"]) == ["Good"]
    assert clean["minerals"].iloc[0] == "coltan;cassiterite"
    reasons = rejects.groupby("row")["reason"].agg(" | ".join)
    assert "swapped" in reasons[2]
    assert "outside the DRC" in reasons[3]


def test_admin_repairs_invalid_geometry_and_rejects_duplicates():
    """A bow-tie polygon is repaired (reported); a duplicate P-code is rejected."""
    bowtie = Polygon([(29.0, -1.0), (29.2, -1.2), (29.2, -1.0), (29.0, -1.2)])
    admin = gpd.GeoDataFrame(
        {"pcode": ["t01", "T02", "T02"], "name": ["A", "B", "C"], ROW: [1, 2, 3]},
        geometry=[bowtie, box(29.3, -1.2, 29.5, -1.0), box(29.3, -1.2, 29.5, -1.0)],
        crs="EPSG:4326")
    clean, rejects = validate_admin(admin)
    assert list(clean["pcode"]) == ["T01", "T02"]
    assert clean.geometry.is_valid.all()
    actions = dict(zip(rejects["row"], rejects["action"], strict=True))
    assert actions == {1: "repaired", 3: "rejected"}


def test_admin_outside_drc_is_rejected():
    """A polygon in Europe is rejected with a hint about lat/lon or CRS."""
    admin = gpd.GeoDataFrame({"pcode": ["X1"], "name": ["Far"], ROW: [1]},
                             geometry=[box(2, 48, 3, 49)], crs="EPSG:4326")
    clean, rejects = validate_admin(admin)
    assert clean.empty
    assert "swapped lat/lon or a wrong CRS" in rejects["reason"].iloc[0]


def test_admin_without_geometry_raises():
    """An admin table with no geometry stops with a one-line reason."""
    with pytest.raises(GeometryError, match="must be polygons"):
        validate_admin(_rows([{"pcode": "T01", "name": "A"}]))


def test_rejects_come_in_row_then_column_order_whatever_order_they_were_found():
    """Rows sorted by number, then column name; two reasons for one cell keep the
    order they were found in; repairs are not counted as rejected rows."""
    frame = pd.DataFrame({"lon": ["x", "1", "y"], "people": ["-1", "2", "z"],
                          ROW: [7, 3, 5]})
    rejects = Rejects("displacement")
    rejects.add(frame, frame["people"] != "2", "people", "bad count")
    rejects.add(frame, frame["lon"] != "1", "lon", "bad lon")
    rejects.add(frame, frame["people"] == "-1", "people", "negative")
    rejects.add(frame, frame["lon"] == "1", "lon", "trimmed", action="repaired")
    table = rejects.table()
    assert table[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "lon", "1", "trimmed"], [5, "lon", "y", "bad lon"],
        [5, "people", "z", "bad count"], [7, "lon", "x", "bad lon"],
        [7, "people", "-1", "bad count"], [7, "people", "-1", "negative"]]
    assert list(table.index) == list(range(6))
    assert rejects.rejected_array().tolist() == [5, 7]
