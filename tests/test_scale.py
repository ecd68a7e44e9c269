"""Scale: the benchmark's synthetic registrations through the pipeline, small and fast.

No timing is asserted here (benchmarks/bench_displacement.py measures); these tests
check what must hold at any size: exact conservation of people, every injected bad
row rejected at its own row number for its own reason, and a map whose size does not
grow with the number of rows.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geomap.config import BuildConfig
from geomap.join import build_places, link_records
from geomap.load import read_layer
from geomap.pipeline import count_people, run
from geomap.validate import Rejects, validate_admin, validate_displacement

REPO = Path(__file__).resolve().parents[1]
LAST_DAY = pd.Timestamp("2025-06-30")

REASONS = {
    # kind of injected bad row: (column named by the reject, fragment of its reason)
    "negative": ("people", "negative count of people"),
    "not-a-number": ("people", "count is not a number"),
    "swapped": ("lon", "look swapped"),
    "outside-drc": ("lon", "outside the DRC extent"),
    "bad-date": ("date", "unparseable date"),
    "in-no-area": ("area", "point lies in no admin area"),
}


def _generator():
    """The benchmark's generator module, loaded from benchmarks/synthetic.py."""
    if "synthetic" in sys.modules:
        return sys.modules["synthetic"]
    spec = importlib.util.spec_from_file_location("synthetic",
                                                  REPO / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    """benchmarks/synthetic.py."""
    return _generator()


@pytest.fixture(scope="module")
def polygons(generator):
    """35 synthetic boxes over the Kivu (never the real files: results stay fixed)."""
    return generator.build_polygons("grid")


def _inputs(generator, polygons, folder: Path, rows: int, suffix: str = ".csv"):
    """Write the admin boxes and *rows* records; return their paths and the truth."""
    folder.mkdir(parents=True, exist_ok=True)
    truth = generator.generate_records(polygons, rows, seed=7)
    admin = generator.write_admin(polygons, folder / "admin.geojson")
    records = generator.write_records(truth, folder / f"registrations{suffix}")
    return admin, records, truth


def _linked(admin_path: Path, records_path: Path):
    """Read, validate and join the records as the pipeline does."""
    admin = validate_admin(read_layer(admin_path, "admin"))[0]
    towns = gpd.GeoDataFrame({"town_id": [], "name": [], "pcode": [],
                              "province_pcode": []}, geometry=[], crs="EPSG:4326")
    raw = read_layer(records_path, "displacement")
    clean, rejects = validate_displacement(raw)
    linked, report, _ = link_records(clean, build_places(admin, towns), admin,
                                     layer="displacement", own_geometry=False)
    missing = linked["place"].isna()
    unmatched = Rejects("displacement")
    unmatched.add(linked, missing, "area", "point lies in no admin area")
    rejects = pd.concat([rejects, unmatched.table()], ignore_index=True)
    return raw, linked.loc[~missing], rejects, report


def test_generator_is_deterministic(generator, polygons, tmp_path):
    """The same seed writes the same file, byte for byte; another seed does not."""
    first = generator.write_records(generator.generate_records(polygons, 3000, seed=1),
                                    tmp_path / "a.csv")
    again = generator.write_records(generator.generate_records(polygons, 3000, seed=1),
                                    tmp_path / "b.csv")
    other = generator.write_records(generator.generate_records(polygons, 3000, seed=2),
                                    tmp_path / "c.csv")
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_twenty_thousand_rows_conserve_people_and_reject_exactly(generator, polygons,
                                                                   tmp_path):
    """Every person is mapped or rejected, and each bad row is rejected for its reason."""
    admin, records, truth = _inputs(generator, polygons, tmp_path, 20_000)
    raw, mapped, rejects, _ = _linked(admin, records)
    rejected = rejects.loc[rejects["action"] == "rejected"]
    assert sorted(set(rejected["row"])) == sorted(truth.bad.index)
    for row, kind in truth.bad.items():
        column, fragment = REASONS[kind]
        found = rejected.loc[rejected["row"] == row]
        assert (found["column"] == column).any(), (row, kind, found)
        assert found["reason"].str.contains(fragment, regex=False).any(), (row, kind)
    people = count_people(raw, mapped, rejects)
    expected_read = int(truth.people.sum())
    expected_rejected = int(truth.people.loc[truth.bad.index - 1].sum())
    assert people.read == expected_read
    assert people.rejected == expected_rejected
    assert people.mapped == expected_read - expected_rejected
    assert people.balanced


def test_points_fall_in_the_box_they_were_drawn_in(generator, polygons, tmp_path):
    """The join puts each point in its own box: P-code rows and point rows agree."""
    admin, records, truth = _inputs(generator, polygons, tmp_path, 5_000)
    _, mapped, _, report = _linked(admin, records)
    text = truth.records.loc[mapped["_row"] - 1]
    lon = pd.to_numeric(text["lon"]).to_numpy()
    lat = pd.to_numeric(text["lat"]).to_numpy()
    spatial = (mapped["method"] == "spatial").to_numpy()
    minx, miny = 26.5, -5.2
    width, height = (30.3 - 26.5) / 7, (1.2 + 5.2) / 5
    column = ((lon[spatial] - minx) // width).astype(int)
    row = ((lat[spatial] - miny) // height).astype(int)
    expected = [f"SY{r * 7 + c + 1:02d}" for r, c in zip(row, column, strict=True)]
    assert list(mapped.loc[spatial, "place"]) == expected
    by_code = ~spatial
    assert (mapped.loc[by_code, "place"].to_numpy()
            == text.loc[by_code, "area"].to_numpy()).all()
    assert report["records"].sum() == len(mapped) + (truth.bad == "in-no-area").sum()


@pytest.mark.parametrize("suffix", [".parquet", ".geoparquet"])
def test_parquet_inputs_give_the_csv_result(generator, polygons, tmp_path, suffix):
    """Parquet and GeoParquet go through the same checks: same rows kept, same people."""
    admin, csv_path, truth = _inputs(generator, polygons, tmp_path / "csv", 4_000)
    _, other_path, _ = _inputs(generator, polygons, tmp_path / "other", 4_000, suffix)
    _, from_csv, _, _ = _linked(admin, csv_path)
    _, from_other, other_rejects, _ = _linked(admin, other_path)
    assert list(from_other["_row"]) == list(from_csv["_row"])
    assert list(from_other["place"]) == list(from_csv["place"])
    assert from_other["people"].sum() == from_csv["people"].sum()
    rejected = other_rejects.loc[other_rejects["action"] == "rejected", "row"]
    assert sorted(set(rejected)) == sorted(truth.bad.index)


def _build(generator, polygons, folder: Path, rows: int):
    """Run the whole build on *rows* synthetic records; return the result."""
    admin, records, truth = _inputs(generator, polygons, folder / "in", rows)
    config = BuildConfig(date=LAST_DAY, inputs={"admin": admin, "displacement": records},
                         out_dir=folder / "out", shapes_dir=REPO / "shapes")
    return run(config), truth


def test_map_size_does_not_grow_with_rows(generator, polygons, tmp_path):
    """2,000 or 20,000 records: map.html differs by a few digits, not by rows."""
    small, small_truth = _build(generator, polygons, tmp_path / "small", 2_000)
    large, large_truth = _build(generator, polygons, tmp_path / "large", 20_000)
    small_map = tmp_path / "small" / "out" / "map.html"
    large_map = tmp_path / "large" / "out" / "map.html"
    assert abs(large_map.stat().st_size - small_map.stat().st_size) < 4_000
    for result, truth in ((small, small_truth), (large, large_truth)):
        assert result.people.balanced
        assert result.people.read == int(truth.people.sum())
        assert result.people.rows_rejected == len(truth.bad)
    density = tmp_path / "large" / "out" / "displacement_density.tif"
    assert density.exists()
