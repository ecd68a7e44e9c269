"""Conflict events (ACLED): checked, counted per area, month and type, never passed on."""

from __future__ import annotations

import pandas as pd
import pytest

from geomap.config import read_config
from geomap.errors import ConfigError
from geomap.load.formats import ReadOptions
from geomap.load.publishers import read_publisher
from geomap.summarise.conflict import AREA_COLUMNS, TABLE_COLUMNS, count_conflict_events
from geomap.validate.checks import VALIDATORS
from geomap.validate.conflict import (
    WITHHELD,
    no_conflict_events,
    validate_conflict_events,
)

from .publisher_files import TERRITORIES, acled_csv, acled_events, cod_ab_2026_zip

COUNTED = {"Battles", "Violence against civilians", "Explosions/Remote violence"}
KIVU_NAMES = {t[1]: t[0] for t in TERRITORIES if t[3] in ("CD61", "CD62")}


@pytest.fixture(scope="module")
def cod_admin(tmp_path_factory):
    """Provinces and territories read from a COD-AB zip in the 2026 layout."""
    path = cod_ab_2026_zip(tmp_path_factory.mktemp("cod") / "cod_admin_boundaries.shp.zip")
    return VALIDATORS["admin"](read_publisher("cod-ab", path,
                                              ReadOptions(fmt="zip-shapefile")))[0]


@pytest.fixture(scope="module")
def rows():
    """Three hundred synthetic events in ACLED's columns."""
    return acled_events(300)


@pytest.fixture(scope="module")
def events(tmp_path_factory, rows):
    """The events as a build checks them, from an ACLED-shaped CSV."""
    path = acled_csv(tmp_path_factory.mktemp("acled") / "acled.csv", rows)
    raw = read_publisher("acled", path, ReadOptions(fmt="csv"))
    clean, rejects = validate_conflict_events(raw)
    assert rejects.empty
    return clean


def _expected(rows: list[dict]) -> pd.DataFrame:
    """Counts computed straight from the fixture: each event lies in the territory
    named in its admin2 (the generator places it inside that box)."""
    table = pd.DataFrame(rows)
    table = table.loc[table["admin2"].isin(KIVU_NAMES) & table["event_type"].isin(COUNTED)]
    table = table.assign(pcode=table["admin2"].map(KIVU_NAMES),
                         month=table["event_date"].str.slice(0, 7),
                         fatalities=table["fatalities"].astype(int))
    return (table.groupby(["pcode", "month", "event_type"])
            .agg(events=("fatalities", "size"), fatalities=("fatalities", "sum"))
            .reset_index())


def test_events_are_counted_per_area_month_and_type(events, cod_admin, rows):
    """The table matches counts made by hand from the fixture, row for row."""
    table, _ = count_conflict_events(events, cod_admin, as_of=pd.Timestamp("2025-02-15"))
    assert tuple(table.columns) == TABLE_COLUMNS
    got = table[["pcode", "month", "event_type", "events", "fatalities"]]
    expected = _expected(rows)
    assert got.reset_index(drop=True).equals(expected.astype(got.dtypes.to_dict()))
    assert set(table["level"]) == {2}
    assert set(table["month"]) == {"2024-11", "2024-12", "2025-01", "2025-02",
                                   "2025-03", "2025-04"}
    assert table["note"].iloc[0].startswith("Counted by geomap from ACLED events of "
                                            "2024-11 to 2025-04")


def test_per_area_frame_keeps_true_zeros_apart_from_no_figure(events, cod_admin):
    """Every territory gets a row; a month inside the period with no event is 0, a
    month outside it has no figure."""
    _, areas = count_conflict_events(events, cod_admin, as_of=pd.Timestamp("2025-02-15"))
    assert tuple(areas.columns) == (*AREA_COLUMNS, "geometry")
    assert sorted(areas["pcode"]) == ["CD6101", "CD6107", "CD6111", "CD6201"]
    assert areas["events"].notna().all()
    assert areas["events_period"].sum() == (
        events["event_type"].isin(COUNTED).sum())
    _, later = count_conflict_events(events, cod_admin, as_of=pd.Timestamp("2026-01-01"))
    assert later["events"].isna().all()
    assert (later["events_period"] == areas["events_period"]).all()


def test_no_event_level_data_survives_the_count(events, cod_admin):
    """Neither the table nor the frame holds an id, a note, an actor or a point."""
    table, areas = count_conflict_events(events, cod_admin, as_of=pd.Timestamp("2025-02-15"))
    forbidden = {"event_id_cnty", "notes", "actor1", "latitude", "longitude", "lat",
                 "lon", "date", "geometry"}
    assert not forbidden & set(table.columns)
    assert set(areas.geom_type) <= {"Polygon", "MultiPolygon"}
    assert len(table) < events["event_type"].isin(COUNTED).sum()


def test_an_event_on_a_shared_border_is_counted_once(admin):
    """A point on the edge of two areas counts for one of them, not both, nor none."""
    raw = pd.DataFrame({"date": ["2025-01-10"], "event_type": ["Battles"],
                        "fatalities": ["4"], "lon": ["29.25"], "lat": ["-1.60"],
                        "_row": [1]})  # T01 and T02 share the meridian 29.25
    clean, _ = validate_conflict_events(raw)
    table, _ = count_conflict_events(clean, admin, as_of=pd.Timestamp("2025-01-31"))
    assert table["events"].sum() == 1
    assert table["fatalities"].sum() == 4


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("date", "sometime", "unparseable date"),
    ("event_type", "Skirmish", "unknown event type"),
    ("fatalities", "-2", "fatalities is not a whole number >= 0"),
    ("fatalities", "", "missing count of fatalities"),
    ("lat", "", "no coordinates"),
    ("lon", "45.2", "outside"),
], ids=["date", "type", "negative", "no-fatalities", "no-point", "outside-drc"])
def test_bad_events_are_rejected_without_their_values(column, value, reason):
    """Each bad event is a rejects row with its row number and reason; the value is
    withheld, since it is ACLED's data."""
    good = {"date": "2025-01-26", "event_type": "Battles", "fatalities": "3",
            "lon": "29.2234", "lat": "-1.6512"}
    raw = pd.DataFrame([good, {**good, column: value}]).assign(_row=[1, 2])
    if column == "lat":
        raw.loc[1, "lon"] = ""
    clean, rejects = validate_conflict_events(raw)
    assert len(clean) == 1
    assert set(rejects["row"]) == {2}
    assert rejects["reason"].str.contains(reason, regex=False).any()
    assert set(rejects["value"]) == {WITHHELD}


def test_old_csv_dates_and_type_spellings_are_read():
    """'26 January 2025' (older exports) and 'Strategic Developments' both parse."""
    raw = pd.DataFrame({"date": ["26 January 2025", "2025-01-27"],
                        "event_type": ["battles", "Strategic Developments"],
                        "fatalities": ["1", "0"], "lon": ["29.2", "29.2"],
                        "lat": ["-1.6", "-1.6"], "_row": [1, 2]})
    clean, rejects = validate_conflict_events(raw)
    assert rejects.empty
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-26", "2025-01-27"]
    assert clean["event_type"].tolist() == ["Battles", "Strategic developments"]


def test_no_input_gives_no_table(cod_admin):
    """Without conflict events there is no table and no frame, not empty zeros."""
    empty = validate_conflict_events(pd.DataFrame({"_row": []}))[0]
    assert count_conflict_events(empty, cod_admin, as_of=pd.Timestamp("2025-01-01")) == (
        None, None)


def test_geomap_toml_names_conflict_events(tmp_path):
    """[inputs] conflict_events takes 'acled' or a file; 'acled' is not a layer."""
    config = tmp_path / "geomap.toml"
    config.write_text('[inputs]\nconflict_events = "acled"\n', encoding="utf-8")
    assert read_config(config)["inputs"]["conflict_events"] == "acled"
    config.write_text('[inputs]\nacled = "acled.csv"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'conflict_events'"):
        read_config(config)


def test_no_conflict_events_are_the_checked_empty_table(shapes_dir):
    """A build given no conflict events gets, made directly, what checking an empty
    table gives: the same columns, dtypes, index, geometry and CRS."""
    import geopandas as gpd

    from geomap.config import BuildConfig
    from geomap.schema import ROW
    from geomap.validate.stream import check_layer

    checked = validate_conflict_events(pd.DataFrame({ROW: []}))[0]
    config = BuildConfig(date=pd.Timestamp("2025-06-30"), shapes_dir=shapes_dir)
    events, rejects, name = check_layer(config, "conflict_events", None)
    for made in (no_conflict_events(), events):
        assert isinstance(made, gpd.GeoDataFrame)
        pd.testing.assert_frame_equal(made, checked)
        assert made.crs == checked.crs
        assert made.geometry.name == checked.geometry.name
    assert (len(rejects), name) == (0, "")
