"""Both engines give the same figures, however the records are cut into parts or batches.

The dask engine runs on dask's synchronous scheduler here (deterministic, one
thread), and once on a ``dask.distributed.LocalCluster`` whose workers are other
processes, so the areas and the parts really travel.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.config import BuildConfig
from geomap.errors import ConfigError, SourceError
from geomap.join import AreaIndex, link_records
from geomap.load import delimited
from geomap.load import parts as table_parts
from geomap.load.files import read_layer, read_layer_batches
from geomap.places import build_places
from geomap.summarise import engines
from geomap.summarise.areas import sum_displaced
from geomap.summarise.partials import Places
from geomap.validate.checks import validate_displacement

from .conftest import synthetic_admin

dask = pytest.importorskip("dask")

HEADER = ["lon", "lat", "area", "people", "date", "assessment"]


@pytest.fixture(autouse=True)
def synchronous():
    """Run every dask graph in this thread: deterministic and easy to debug."""
    with dask.config.set(scheduler="synchronous"):
        yield


def _rows() -> list[tuple[str, ...]]:
    """Points across the T01/T02 border, one on it, one outside, references, stocks
    in two rounds, registrations over several days, and bad rows."""
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
             ("", "", "Nowhere", "5", "2025-01-20", ""),
             ("29.1", "-1.5", "", "-3", "2025-01-05", ""),  # negative
             ("29.1", "-1.5", "", "4", "2025-02-30", ""),  # no such day
             ("-1.5", "29.1", "", "4", "2025-01-05", "")]  # swapped
    return rows


def _few_dates(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """*rows* with January's registrations on two days instead of 28: the same rows,
    rounds, rejects and totals, and a short timeline (the slider's steps are summed
    day by day for a place with both rounds and registrations, which builds do)."""
    return [(*row[:4], ("2025-01-05" if number % 2 else "2025-01-20")
             if row[4].startswith("2025-01") else row[4], row[5])
            for number, row in enumerate(rows)]


def _write_csv(path: Path, rows: list[tuple[str, ...]], *, blank_every: int = 0) -> Path:
    """The rows as CSV; a blank line after every *blank_every* rows (0: none)."""
    lines = [",".join(HEADER)]
    for number, row in enumerate(rows, start=1):
        lines.append(",".join(row))
        if blank_every and number % blank_every == 0:
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def places(admin) -> Places:
    """The two areas, no town."""
    return _places(admin)


def _places(admin: gpd.GeoDataFrame) -> Places:
    """The areas of *admin*, no town."""
    towns = gpd.GeoDataFrame({"town_id": [], "name": [], "pcode": [],
                              "province_pcode": []}, geometry=[], crs="EPSG:4326")
    return Places(places=build_places(admin, towns), areas=AreaIndex(admin))


def _reduce(path, places: Places, engine: str, **options):
    """Read *path* as a build with *engine* would, and reduce it."""
    config = BuildConfig(date=pd.Timestamp("2025-02-20"),
                         inputs={"displacement": path}, engine=engine)
    records = engines.plan_records(config, lambda _: None)
    return records.plan, engines.reduce_records(records, places, engine=engine,
                                                **options)


def _assert_same(got, expected) -> None:
    """Two reductions hold the same figures, grids, reports, rejects and counts."""
    pd.testing.assert_frame_equal(got.figures, expected.figures)
    pd.testing.assert_frame_equal(got.join_report, expected.join_report)
    pd.testing.assert_frame_equal(got.rejects, expected.rejects)
    assert got.people == expected.people
    assert got.rows_valid == expected.rows_valid
    assert (got.density is None) == (expected.density is None)
    if got.density is not None:
        np.testing.assert_array_equal(got.density, expected.density)


def test_batches_add_up_to_the_whole_file(tmp_path, places, monkeypatch):
    """Read in many small batches, a CSV gives the pandas engine's every table."""
    path = _write_csv(tmp_path / "records.csv", _rows(), blank_every=37)
    whole = _reduce(path, places, "pandas")[1]
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 700)
    assert len(list(read_layer_batches(path, "displacement"))) > 5
    _assert_same(_reduce(path, places, "dask")[1], whole)
    _assert_same(_reduce(path, places, "pandas")[1], whole)
    assert whole.people.balanced
    assert whole.people.rows_read == len(_rows())


def test_rejects_keep_their_rows_in_the_whole_file(tmp_path, places, monkeypatch):
    """Blank lines skipped and not counted: the rows the whole-file reader gives."""
    path = _write_csv(tmp_path / "records.csv", _rows(), blank_every=50)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 500)
    cut = _reduce(path, places, "dask")[1]
    expected = validate_displacement(read_layer(path, "displacement"))[1]
    rejected = cut.rejects.loc[cut.rejects["column"] != "area"]
    assert list(rejected["row"]) == list(expected["row"]) == [407, 408, 409]
    assert set(cut.rejects.loc[cut.rejects["column"] == "area", "row"]) == {402, 406}


def _parquet_files(folder: Path, rows, *, typed: bool) -> list[Path]:
    """The rows in three Parquet files, as text or typed (numbers, dates)."""
    folder.mkdir()
    frame = pd.DataFrame(rows, columns=HEADER).replace("", None)
    if typed:
        frame = frame.assign(lon=pd.to_numeric(frame["lon"]),
                             lat=pd.to_numeric(frame["lat"]),
                             people=pd.to_numeric(frame["people"]).astype("Int64"))
    paths = []
    for number, chunk in enumerate(np.array_split(np.arange(len(frame)), 3)):
        table = pa.Table.from_pandas(frame.iloc[chunk], preserve_index=False)
        if typed:  # dates as Parquet dates; the impossible day stays missing
            dates = pd.to_datetime(frame["date"].iloc[chunk], errors="coerce")
            table = table.set_column(table.schema.get_field_index("date"), "date",
                                     pa.array(dates.dt.date, type=pa.date32()))
        paths.append(folder / f"part-{number}.parquet")
        pq.write_table(table, paths[-1], row_group_size=50)
    return paths


def test_a_folder_or_glob_of_parquet_counts_rows_across_files(tmp_path, places,
                                                              monkeypatch):
    """Three files read as one table: the same tables as the CSV, rows across files;
    both engines read them a few row groups at a time."""
    rows = _rows()
    csv = _reduce(_write_csv(tmp_path / "records.csv", rows), places, "pandas")[1]
    _parquet_files(tmp_path / "parts", rows, typed=False)
    monkeypatch.setattr(table_parts, "PART_ROWS", 100)
    for given in (tmp_path / "parts", str(tmp_path / "parts" / "*.parquet")):
        for engine, parts in (("pandas", 6), ("dask", 6)):
            plan, got = _reduce(given, places, engine)
            assert (len(plan.files), len(plan.parts)) == (3, parts)
            _assert_same(got, csv)


def test_typed_parquet_columns_are_checked_as_numbers_and_dates(tmp_path, places):
    """Typed counts and coordinates, dates as dates: same figures as from text."""
    rows = [row for row in _rows() if row[4] != "2025-02-30"]  # no impossible date
    csv = _reduce(_write_csv(tmp_path / "records.csv", rows), places, "pandas")[1]
    _parquet_files(tmp_path / "typed", rows, typed=True)
    got = _reduce(tmp_path / "typed", places, "dask")[1]
    pd.testing.assert_frame_equal(got.figures, csv.figures)
    assert got.people == csv.people
    assert list(got.rejects["row"]) == list(csv.rejects["row"])
    assert list(got.rejects["reason"]) == list(csv.rejects["reason"])


def test_a_pattern_that_names_no_parquet_file_is_refused(tmp_path):
    """A glob must name Parquet files: a clear line, not an empty build."""
    with pytest.raises(SourceError, match="not a set of Parquet files"):
        table_parts.plan_table(str(tmp_path / "*.parquet"), "displacement")


@pytest.fixture(scope="module")
def reduced(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The rows reduced by the dask engine, and linked record by record as the pandas
    stages do: ``(reduction, linked records)``, once for the module (the
    reduction does not depend on the date or window it is summed for)."""
    admin = synthetic_admin()
    places = _places(admin)
    path = _write_csv(tmp_path_factory.mktemp("records") / "records.csv", _rows())
    with dask.config.set(scheduler="synchronous"):
        reduction = _reduce(path, places, "dask")[1]
    clean = validate_displacement(read_layer(path, "displacement"))[0]
    linked = link_records(clean, places.places, admin, layer="displacement",
                          own_geometry=False)[0]
    return reduction, linked


@pytest.mark.parametrize(("date", "window"), [
    ("2025-01-31", None), ("2025-01-31", 10), ("2025-01-15", None), ("2024-11-01", None),
    ("2025-01-31", 0)], ids=["all", "window", "between-rounds", "before-all", "empty"])
def test_figures_sum_as_the_records_do(reduced, date, window):
    """Stocks by latest round, registrations in the window, empty cases: the figures
    table gives what the linked records give."""
    reduction, linked = reduced
    as_of = pd.Timestamp(date)
    expected = sum_displaced(linked.assign(place=linked["place"].astype(object)), as_of,
                             window_days=window)
    got = sum_displaced(reduction.figures, as_of, window_days=window)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False,
                                  check_index_type=False)


def test_sums_are_stocks_and_registrations_as_the_design_says(reduced):
    """An independent check: T01's figure is its latest round plus its registrations."""
    rows = _rows()
    reduction = reduced[0]
    got = sum_displaced(reduction.figures, pd.Timestamp("2025-01-31"))
    points = pd.DataFrame(rows[:400], columns=HEADER)
    west = pd.to_numeric(points["lon"]) <= 29.25  # the border goes to T01, first by P-code
    assert got.loc["T01", "people"] == 1200 + 7 + pd.to_numeric(
        points["people"])[west].sum()
    assert got.loc["T02", "people"] == 800 + pd.to_numeric(points["people"])[~west].sum()
    assert reduction.figures["records"].sum() == 400 + 1 + 3  # border point, 3 matched


@pytest.fixture(scope="module")
def cluster():
    """A ``dask.distributed.LocalCluster`` on 127.0.0.1: one worker process of two
    threads, so the areas and the parts really travel; started once for the file."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as local:
        yield local


def _tasks_run(cluster, prefix: str) -> int:
    """How many tasks named *prefix* the cluster's scheduler has seen finish."""
    found = cluster.scheduler.task_prefixes.get(prefix)
    return 0 if found is None else found.state_counts["memory"]


def test_distributed_cluster_gives_the_same_tables(tmp_path, places, monkeypatch,
                                                   cluster):
    """Workers in other processes get the areas once, and the Parquet parts by name
    or the text batches as they are read."""
    rows = _rows()
    path = _write_csv(tmp_path / "records.csv", rows)
    whole = _reduce(path, places, "pandas")[1]
    _parquet_files(tmp_path / "parts", rows, typed=False)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 3000)
    monkeypatch.setattr(table_parts, "PART_ROWS", 100)
    address = cluster.scheduler_address
    before = _tasks_run(cluster, "reduce_part")
    _assert_same(_reduce(path, places, "dask", scheduler=address)[1], whole)
    assert _tasks_run(cluster, "reduce_part") - before > 3  # the text batches
    before = _tasks_run(cluster, "reduce_planned")
    plan, got = _reduce(tmp_path / "parts", places, "dask", scheduler=address)
    assert len(plan.parts) > 3
    assert _tasks_run(cluster, "reduce_planned") - before == len(plan.parts)
    _assert_same(got, whole)


TABLES = ("summary_areas.csv", "summary_actors.csv", "rejects.csv", "join_report.csv")


def test_build_with_a_scheduler_runs_on_the_cluster(shapes_dir, tmp_path, monkeypatch,
                                                    cluster):
    """`geomap build --engine dask --scheduler ADDRESS`, and DASK_SCHEDULER_ADDRESS, on
    a folder of typed Parquet files: every part is reduced on the cluster's worker,
    and the tables are byte for byte those of the pandas engine."""
    rows = [row for row in _few_dates(_rows()) if row[4] != "2025-02-30"]
    _parquet_files(tmp_path / "parts", rows, typed=True)
    monkeypatch.setattr(table_parts, "PART_ROWS", 100)
    build = ["build", "--shapes-dir", str(shapes_dir), "--displacement",
             str(tmp_path / "parts"), "--date", "2025-02-20", "--outputs", "tables",
             "--quiet"]
    address = cluster.scheduler_address
    before = _tasks_run(cluster, "reduce_planned")
    pandas = CliRunner().invoke(main, [*build, "--out", str(tmp_path / "pandas")],
                                env={"DASK_SCHEDULER_ADDRESS": None})
    assert pandas.exit_code == 0, pandas.output
    assert _tasks_run(cluster, "reduce_planned") == before  # the pandas engine: here
    for how, given, env in (("option", ["--scheduler", address], {}),
                            ("environment", [], {"DASK_SCHEDULER_ADDRESS": address})):
        before = _tasks_run(cluster, "reduce_planned")
        out = tmp_path / how
        result = CliRunner().invoke(main, [*build, "--out", str(out), "--engine", "dask",
                                           *given], env=env)
        assert result.exit_code == 0, result.output
        assert _tasks_run(cluster, "reduce_planned") - before == 6  # 3 files x 2 parts
        for name in TABLES:
            assert (out / name).read_bytes() == \
                (tmp_path / "pandas" / name).read_bytes(), (how, name)
    areas = pd.read_csv(tmp_path / "pandas" / "summary_areas.csv")
    assert areas["people"].gt(0).any()  # figures, not an empty table


def test_an_unreachable_scheduler_fails_the_build_in_one_line(shapes_dir, tmp_path,
                                                              monkeypatch):
    """--scheduler naming no scheduler: exit 1, one line naming the address."""
    pytest.importorskip("distributed")
    monkeypatch.setattr(engines, "SCHEDULER_TIMEOUT", 0.2)  # nothing listens
    records = _write_csv(tmp_path / "records.csv", _rows())
    result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                       "--displacement", str(records), "--out",
                                       str(tmp_path / "out"), "--engine", "dask",
                                       "--scheduler", "tcp://127.0.0.1:9", "--quiet"])
    assert result.exit_code == 1
    assert "Cannot reach the dask scheduler at 'tcp://127.0.0.1:9'" in result.output
    assert "Traceback" not in result.output


def test_an_unreachable_scheduler_is_a_one_line_error(tmp_path, places, monkeypatch):
    """No scheduler at the address: ConfigError naming it."""
    pytest.importorskip("distributed")
    monkeypatch.setattr(engines, "SCHEDULER_TIMEOUT", 0.2)  # nothing listens
    path = _write_csv(tmp_path / "records.csv", _rows())
    with pytest.raises(ConfigError, match="Cannot reach the dask scheduler at"):
        _reduce(path, places, "dask", scheduler="tcp://127.0.0.1:9")


def test_unknown_engine_is_a_config_error():
    """A typo in geomap.toml's engine says which engines exist."""
    with pytest.raises(ConfigError, match=r"expected one of \['pandas', 'dask'\]"):
        engines.check_engine("spark")


def test_build_with_the_dask_engine_writes_the_same_tables(shapes_dir: Path,
                                                          tmp_path: Path):
    """`geomap build --engine dask` and the default build write identical summaries."""
    outputs = {}
    records = _write_csv(tmp_path / "records.csv", _few_dates(_rows()))
    for engine in ("pandas", "dask"):
        out = tmp_path / engine
        result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                           "--displacement", str(records),
                                           "--out", str(out), "--date", "2025-02-20",
                                           "--engine", engine, "--quiet",
                                           "--outputs", "tables,density"])
        assert result.exit_code == 0, result.output
        outputs[engine] = out
    for name in ("summary_areas.csv", "summary_actors.csv", "rejects.csv",
                 "join_report.csv", "displacement_density.tif"):
        assert (outputs["dask"] / name).read_bytes() == \
            (outputs["pandas"] / name).read_bytes(), name


def test_engine_option_rejects_unknown_values(shapes_dir: Path, tmp_path: Path):
    """--engine takes pandas or dask only (usage error, exit 2)."""
    result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                       "--out", str(tmp_path), "--engine", "spark"])
    assert result.exit_code == 2
    assert "pandas" in result.output
    assert "dask" in result.output
