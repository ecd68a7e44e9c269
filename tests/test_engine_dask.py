"""The dask engine gives the default engine's results, on the local synchronous scheduler."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, box

from geomap.cli import main
from geomap.errors import ConfigError
from geomap.join import attach_areas, link_records
from geomap.places import build_places
from geomap.summarise import engines as engine_dask
from geomap.summarise.areas import sum_displaced
from geomap.validate.checks import validate_displacement

dask = pytest.importorskip("dask")
dask_geopandas = pytest.importorskip("dask_geopandas")


@pytest.fixture(autouse=True)
def synchronous():
    """Run every dask graph in this thread: deterministic and easy to debug."""
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture
def records() -> gpd.GeoDataFrame:
    """Validated records: points (one on the T01/T02 border, one outside), references,
    stocks in two rounds and registrations over several days."""
    rows = []
    for index in range(400):
        lon = 29.01 + (index % 47) * 0.01  # 29.01 .. 29.47, across the border at 29.25
        lat = -1.95 + (index % 13) * 0.05
        rows.append((f"{lon:.2f}", f"{lat:.2f}", "", str(1 + index % 5),
                     f"2025-01-{1 + index % 28:02d}", ""))
    rows += [("29.25", "-1.5", "", "7", "2025-01-05", ""),  # on the shared border
             ("28.00", "-1.5", "", "9", "2025-01-05", ""),  # in no area
             ("", "", "T01", "1000", "2024-12-01", "r1"),
             ("", "", "Tango", "800", "2025-01-10", "r1"),
             ("", "", "T01", "1200", "2025-01-20", "r2"),
             ("", "", "Nowhere", "5", "2025-01-20", "")]
    raw = pd.DataFrame(rows, columns=["lon", "lat", "area", "people", "date",
                                      "assessment"]).astype("string")
    raw["_row"] = range(1, len(raw) + 1)
    return validate_displacement(raw)[0]


@pytest.fixture
def places(admin) -> gpd.GeoDataFrame:
    """The two areas and no town."""
    towns = gpd.GeoDataFrame({"town_id": [], "name": [], "pcode": [],
                              "province_pcode": []}, geometry=[], crs="EPSG:4326")
    return build_places(admin, towns)


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_link_records_matches_the_default_engine(records, places, admin, npartitions):
    """Same places, methods and join report, however the rows are partitioned."""
    expected = link_records(records, places, admin, layer="displacement",
                            own_geometry=False)
    got = engine_dask.link_records(records, places, admin, layer="displacement",
                                   own_geometry=False, npartitions=npartitions)
    pd.testing.assert_frame_equal(got[0], expected[0])
    pd.testing.assert_frame_equal(got[1], expected[1])
    linked = got[0].set_index("_row")
    assert linked.loc[401, "place"] in {"T01", "T02"}  # on the border: counted once
    assert pd.isna(linked.loc[402, "place"])  # the point in no area


@pytest.mark.parametrize(("date", "window"), [
    ("2025-01-31", None), ("2025-01-31", 10), ("2025-01-15", None), ("2024-11-01", None),
    ("2025-01-31", 0)], ids=["all", "window", "between-rounds", "before-all", "empty"])
def test_sum_displaced_matches_the_default_engine(records, places, admin, date, window):
    """Stocks by latest round, registrations in the window, empty cases: identical."""
    linked = link_records(records, places, admin, layer="displacement",
                          own_geometry=False)[0]
    as_of = pd.Timestamp(date)
    expected = sum_displaced(linked, as_of, window_days=window)
    got = engine_dask.sum_displaced(linked, as_of, window_days=window, npartitions=4)
    pd.testing.assert_frame_equal(got, expected)


def test_sums_are_stocks_and_registrations_as_the_design_says(records, places, admin):
    """An independent check: T01's figure is its latest round plus its registrations."""
    linked = link_records(records, places, admin, layer="displacement",
                          own_geometry=False)[0]
    got = engine_dask.sum_displaced(linked, pd.Timestamp("2025-01-31"))
    points = linked.loc[linked["assessment"].isna() & (linked["place"] == "T01")]
    assert got.loc["T01", "people"] == 1200 + points["people"].sum()
    assert got.loc["T02", "people"] == 800 + linked.loc[
        linked["assessment"].isna() & (linked["place"] == "T02"), "people"].sum()


def test_sum_displaced_takes_a_dask_frame(records, places, admin):
    """Partitioned input (as read from partitioned Parquet) gives the same table."""
    import dask.dataframe as dd

    linked = link_records(records, places, admin, layer="displacement",
                          own_geometry=False)[0]
    columns = ["place", "assessment", "date", "people"]
    with dask.config.set({"dataframe.convert-string": False}):  # keep object text
        parts = dd.from_pandas(pd.DataFrame(linked[columns]), npartitions=3)
    as_of = pd.Timestamp("2025-01-31")
    pd.testing.assert_frame_equal(engine_dask.sum_displaced(parts, as_of),
                                  sum_displaced(linked, as_of))


def test_attach_areas_on_dask_geoseries(admin):
    """The lazy version of attach_areas: same P-codes, border point counted once."""
    points = gpd.GeoSeries([Point(29.1, -1.5), Point(29.25, -1.5), Point(29.4, -1.9),
                            Point(27.0, -1.5)], crs="EPSG:4326")
    lazy = engine_dask.attach_areas(dask_geopandas.from_geopandas(points,
                                                                  npartitions=2), admin)
    assert hasattr(lazy, "compute")
    computed = lazy.compute()
    expected = attach_areas(points, admin)
    assert list(computed.fillna("none")) == list(expected.fillna("none"))
    assert computed.iloc[0] == "T01"
    assert computed.iloc[2] == "T02"


def test_nested_areas_give_the_deepest(admin):
    """A level-3 area inside T01 wins over T01, in both engines."""
    nested = pd.concat([admin, gpd.GeoDataFrame(
        {"pcode": ["T0101"], "name": ["Inner"], "level": [3], "parent_pcode": ["T01"],
         "source": ["test"]}, geometry=[box(29.05, -1.6, 29.15, -1.4)], crs="EPSG:4326")],
        ignore_index=True)
    points = gpd.GeoSeries([Point(29.1, -1.5), Point(29.2, -1.5)], crs="EPSG:4326")
    lazy = engine_dask.attach_areas(dask_geopandas.from_geopandas(points, npartitions=1),
                                    nested)
    assert list(lazy.compute()) == ["T0101", "T01"]


def test_unknown_engine_is_a_config_error():
    """A typo in geomap.toml's engine says which engines exist."""
    with pytest.raises(ConfigError, match=r"expected one of \['pandas', 'dask'\]"):
        engine_dask.engine_steps("spark")


def test_build_with_the_dask_engine_writes_the_same_tables(shapes_dir: Path,
                                                          tmp_path: Path):
    """`geomap build --engine dask` and the default build write identical summaries."""
    outputs = {}
    for engine in ("pandas", "dask"):
        out = tmp_path / engine
        result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                           "--out", str(out), "--date", "2025-02-20",
                                           "--engine", engine, "--quiet"])
        assert result.exit_code == 0, result.output
        outputs[engine] = out
    for name in ("summary_areas.csv", "summary_actors.csv", "rejects.csv",
                 "join_report.csv"):
        assert (outputs["dask"] / name).read_bytes() == \
            (outputs["pandas"] / name).read_bytes(), name


def test_engine_option_rejects_unknown_values(shapes_dir: Path, tmp_path: Path):
    """--engine takes pandas or dask only (usage error, exit 2)."""
    result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                       "--out", str(tmp_path), "--engine", "spark"])
    assert result.exit_code == 2
    assert "pandas" in result.output
    assert "dask" in result.output


def test_partitioned_registrations_without_assessment(admin):
    """Registrations read from Parquet (no assessment column): points to sums, lazily."""
    import dask.dataframe as dd

    points = gpd.GeoDataFrame(
        {"people": [2, 3, 4, 5], "date": pd.to_datetime(
            ["2025-01-01", "2025-01-02", "2025-01-03", "2025-03-01"]).astype(
            "datetime64[s]")},
        geometry=[Point(29.1, -1.5), Point(29.2, -1.6), Point(29.4, -1.5),
                  Point(29.1, -1.4)], crs="EPSG:4326")
    parts = dask_geopandas.from_geopandas(points, npartitions=2)
    parts["place"] = engine_dask.attach_areas(parts.geometry, admin)
    got = engine_dask.sum_displaced(parts.drop(columns="geometry"),
                                    pd.Timestamp("2025-01-31"))
    assert isinstance(parts, dd.DataFrame)
    assert got["people"].to_dict() == {"T01": 5, "T02": 4}  # March is after the date
    assert set(got["assessment"]) == {"registrations"}
