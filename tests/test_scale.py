"""Scale: the benchmark's synthetic registrations through the pipeline, small and fast.

No timing is asserted here (benchmarks/bench_displacement.py measures); these tests
check what must hold at any size: exact conservation of people, every injected bad
row rejected at its own row number for its own reason by the real pipeline
(``geomap.pipeline.load_layers``), a map whose size does not grow with the number of
rows, and synthetic territories that tile the Kivu bounds as real ones would.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geomap.config import BuildConfig
from geomap.join import AreaIndex, link_records
from geomap.load.files import read_layer
from geomap.pipeline import load_layers, run
from geomap.places import build_places
from geomap.schema import KIVU_BOUNDS
from geomap.validate.checks import validate_displacement

from .conftest import write_csv

REPO = Path(__file__).resolve().parents[1]
LAST_DAY = pd.Timestamp("2025-06-30")

REASONS = {
    # kind of injected bad row: (column the reject must name, what its reason must say)
    "negative": ("people", "negative count of people"),
    "not-a-number": ("people", "count is not a number"),
    "swapped": ("lon", "look swapped"),
    "outside-drc": ("lon", "outside the DRC extent"),
    "bad-date": ("date", "unparseable date"),
    "in-no-area": ("area", "point lies in no admin area"),
}


def _benchmark_module(name: str):
    """A module of benchmarks/ (synthetic.py, territories.py), loaded from its file."""
    if name in sys.modules:
        return sys.modules[name]
    path = REPO / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    """benchmarks/synthetic.py."""
    return _benchmark_module("synthetic")


@pytest.fixture(scope="module")
def territories():
    """benchmarks/territories.py."""
    return _benchmark_module("territories")


@pytest.fixture(scope="module")
def polygons(territories):
    """35 synthetic wiggled Voronoi territories (never the real ones: results stay)."""
    return territories.build_polygons("synthetic")


@pytest.fixture(scope="module")
def boxes(territories):
    """35 synthetic boxes over the Kivu, a 7 x 5 grid."""
    return territories.build_polygons("grid")


def _other_layers(polygons: gpd.GeoDataFrame, folder: Path) -> dict[str, Path]:
    """One town, one mine and one control row inside the first two territories."""
    first, second = (shapely.get_coordinates(shape.representative_point())[0]
                     for shape in polygons.geometry.iloc[:2])
    pcode = polygons["pcode"].iloc[0]
    town = ("t1", "Town one", *first.round(5), pcode, "SY", "test", "")
    mine = ("m1", "Mine one", "gold", *second.round(5), "test", "")
    control = ("t1", "m23", "2025-01-27", "", "assessed", "test", "", "")
    return {
        "towns": write_csv(folder / "towns.csv",
                            ["town_id", "name", "lon", "lat", "pcode", "province_pcode",
                             "source", "url"], [town]),
        "mines": write_csv(folder / "mines.csv",
                            ["site_id", "name", "minerals", "lon", "lat", "source",
                             "url"], [mine]),
        "control": write_csv(folder / "control.csv",
                              ["area", "actor", "start", "end", "confidence", "source",
                               "url", "note"], [control]),
    }


def _inputs(generator, polygons, folder: Path, rows: int, suffix: str = ".csv"):
    """Write every layer (the territories, *rows* records, a town, a mine, a control
    row) into *folder*; return the build's inputs and the generator's truth."""
    folder.mkdir(parents=True, exist_ok=True)
    truth = generator.generate_records(polygons, rows, seed=7)
    records = folder / f"registrations{suffix}"
    inputs = {"admin": generator.write_admin(polygons, folder / "admin.geojson"),
              "displacement": generator.write_records(truth, records),
              **_other_layers(polygons, folder)}
    return inputs, truth


def _loaded(inputs: dict[str, Path], out_dir: Path):
    """The pipeline's own read, validate and join of *inputs*."""
    return load_layers(BuildConfig(date=LAST_DAY, inputs=inputs, out_dir=out_dir))


def _linked(inputs: dict[str, Path], polygons: gpd.GeoDataFrame) -> pd.DataFrame:
    """The records row by row, as one part of the build sees them: read, validated and
    linked to the territories."""
    towns = gpd.GeoDataFrame({"town_id": [], "name": [], "pcode": [],
                              "province_pcode": []}, geometry=[], crs="EPSG:4326")
    clean = validate_displacement(read_layer(inputs["displacement"], "displacement"))[0]
    return link_records(clean, build_places(polygons, towns), AreaIndex(polygons),
                        layer="displacement", own_geometry=False)[0]


def _displacement_rejects(layers) -> pd.DataFrame:
    """The rejected displacement rows of the pipeline's rejects table."""
    rejects = layers.rejects
    return rejects.loc[(rejects["layer"] == "displacement")
                       & (rejects["action"] == "rejected")]


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


@pytest.fixture(scope="module")
def twenty_thousand(generator, polygons, tmp_path_factory):
    """Every layer with 20,000 records, and the generator's truth (written once for
    the module; the tests only read them)."""
    return _inputs(generator, polygons, tmp_path_factory.mktemp("twenty") / "in", 20_000)


def test_twenty_thousand_rows_conserve_people_and_reject_exactly(twenty_thousand,
                                                                   tmp_path):
    """Every person is mapped or rejected; each bad row is rejected for its reason."""
    inputs, truth = twenty_thousand
    layers = _loaded(inputs, tmp_path / "out")
    rejected = _displacement_rejects(layers)
    assert sorted(set(rejected["row"])) == sorted(truth.bad.index)
    for row, kind in truth.bad.items():
        column, fragment = REASONS[kind]
        found = rejected.loc[rejected["row"] == row]
        assert (found["column"] == column).any(), (row, kind, found)
        assert found["reason"].str.contains(fragment, regex=False).any(), (row, kind)
    expected_read = int(truth.people.sum())
    expected_rejected = int(truth.people.loc[truth.bad.index - 1].sum())  # 1-based rows
    assert layers.people.read == expected_read
    assert layers.people.rejected == expected_rejected
    assert layers.people.mapped == expected_read - expected_rejected
    assert layers.people.rows_rejected == len(truth.bad)
    assert int(layers.displacement["people"].sum()) == expected_read - expected_rejected


def test_points_land_in_the_wiggled_territory_that_covers_them(generator, polygons,
                                                                tmp_path):
    """On complex outlines each point record is given the territory that covers it."""
    inputs, truth = _inputs(generator, polygons, tmp_path / "in", 5_000)
    mapped = _linked(inputs, polygons)
    spatial = mapped.loc[mapped["method"] == "spatial"]
    text = truth.records.loc[spatial["_row"] - 1]
    lon = pd.to_numeric(text["lon"]).to_numpy()
    lat = pd.to_numeric(text["lat"]).to_numpy()
    shapes = polygons.set_index("pcode").geometry
    covered = [shapely.intersects_xy(shapes[place], x, y)
               for place, x, y in zip(spatial["place"], lon, lat, strict=True)]
    assert len(spatial) > 4_000
    assert all(covered)
    assert spatial["place"].nunique() == len(polygons)


def test_points_fall_in_the_box_they_were_drawn_in(generator, boxes, tmp_path):
    """The join puts each point in its own box: P-code rows and point rows agree."""
    inputs, truth = _inputs(generator, boxes, tmp_path / "in", 5_000)
    layers = _loaded(inputs, tmp_path / "out")
    mapped = _linked(inputs, boxes)
    mapped = mapped.loc[mapped["place"].notna()]
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
    report = layers.join_report.loc[layers.join_report["layer"] == "displacement"]
    assert report["records"].sum() == len(mapped) + (truth.bad == "in-no-area").sum()


@pytest.fixture(scope="module")
def from_csv(generator, polygons, tmp_path_factory):
    """4,000 records written as CSV and loaded by the pipeline, with their truth (once
    for the module; the tests only read them)."""
    folder = tmp_path_factory.mktemp("csv")
    csv_inputs, truth = _inputs(generator, polygons, folder / "in", 4_000)
    return _loaded(csv_inputs, folder / "out"), truth


@pytest.mark.parametrize("suffix", [".parquet", ".geoparquet"])
def test_parquet_inputs_give_the_csv_result(generator, polygons, tmp_path, suffix,
                                            from_csv):
    """Parquet and GeoParquet go through the same checks: same figures, same people,
    the same rows rejected."""
    from_csv, truth = from_csv
    other_inputs, _ = _inputs(generator, polygons, tmp_path / "other", 4_000, suffix)
    from_other = _loaded(other_inputs, tmp_path / "out-other")
    pd.testing.assert_frame_equal(from_other.displacement, from_csv.displacement)
    assert from_other.people == from_csv.people
    rejected = _displacement_rejects(from_other)["row"]
    assert sorted(set(rejected)) == sorted(truth.bad.index)


def _build(given: tuple, folder: Path, outputs: tuple[str, ...] = ("map",)):
    """Run the build on the *given* inputs and truth, writing *outputs* (what the test
    reads); return the result and the truth."""
    inputs, truth = given
    config = BuildConfig(date=LAST_DAY, inputs=inputs, out_dir=folder / "out",
                         shapes_dir=REPO / "shapes", outputs=outputs)
    return run(config), truth


def test_map_size_does_not_grow_with_rows(generator, polygons, twenty_thousand,
                                          tmp_path):
    """2,000 or 20,000 records: map.html differs by a few digits, not by rows.

    Ten times the rows make each figure a digit or so longer in the per-day states of
    the slider (a few kilobytes); a page that grew with rows would grow by megabytes.
    """
    small, small_truth = _build(_inputs(generator, polygons, tmp_path / "in", 2_000),
                                tmp_path / "small")
    large, large_truth = _build(twenty_thousand, tmp_path / "large", ("map", "density"))
    small_map = tmp_path / "small" / "out" / "map.html"
    large_map = tmp_path / "large" / "out" / "map.html"
    growth = abs(large_map.stat().st_size - small_map.stat().st_size)
    assert growth < 0.01 * small_map.stat().st_size
    for result, truth in ((small, small_truth), (large, large_truth)):
        assert result.people.balanced
        assert result.people.read == int(truth.people.sum())
        assert result.people.rows_rejected == len(truth.bad)
    density = tmp_path / "large" / "out" / "displacement_density.tif"
    assert density.exists()


def test_density_raster_is_the_same_written_beside_the_print_map(twenty_thousand,
                                                                tmp_path):
    """With the report wanted, the density GeoTIFF is written by the process drawing
    the print map (which imported rasterio while the build read): the same bytes, in
    the same place of the paths written, as when the build writes it itself."""
    alone, _ = _build(twenty_thousand, tmp_path / "alone", ("density",))
    aside, _ = _build(twenty_thousand, tmp_path / "aside", ("report", "density"))
    name = "displacement_density.tif"
    assert (tmp_path / "aside" / "out" / name).read_bytes() == \
        (tmp_path / "alone" / "out" / name).read_bytes()
    assert [path.name for path in aside.paths] == [name, "report.html"]
    assert [path.name for path in alone.paths] == [name]


def test_synthetic_territories_tile_the_bounds(territories, polygons):
    """Valid, no overlap, no gap, real-like vertex counts, identical shared edges."""
    shapes = polygons.geometry.to_numpy()
    bounds = box(*KIVU_BOUNDS)
    assert len(shapes) == 35
    assert shapely.is_valid(shapes).all()
    assert set(shapely.get_type_id(shapes)) == {3}  # single polygons
    overlaps = [shapely.intersection(a, b).area
                for i, a in enumerate(shapes) for b in shapes[i + 1:]]
    assert max(overlaps) < 1e-12
    assert abs(shapely.union_all(shapes).area - bounds.area) < 1e-9 * bounds.area
    assert shapely.covers(bounds, shapes).all()
    vertices = shapely.get_num_coordinates(shapes)
    assert vertices.min() >= 500
    assert vertices.max() <= 4_000
    assert np.median(vertices) >= 1_000
    rings = [shapely.get_coordinates(shape) for shape in shapes]
    owners: dict[tuple[float, float], set[int]] = {}
    for index, ring in enumerate(rings):
        for x, y in ring:
            owners.setdefault((x, y), set()).add(index)
    edge = bounds.exterior.buffer(1e-9)  # the outline of the bounds, with a margin
    points = np.array(list(owners))
    inner = [point for point, on_edge in zip(owners, shapely.intersects_xy(
        edge, points[:, 0], points[:, 1]), strict=True) if not on_edge]
    assert len(inner) > 10_000
    assert all(len(owners[point]) >= 2 for point in inner)  # each on a shared edge
    report = territories.check_partition(polygons)
    assert report["invalid"] == 0
    assert report["overlap"] < 1e-12
    assert abs(report["gap"]) < 1e-9


def test_synthetic_territories_are_deterministic(territories, polygons):
    """The same seed gives the same vertices; another seed other territories."""
    again = territories.build_polygons("synthetic")
    other = territories.build_polygons("synthetic", seed=1)
    assert list(again["pcode"]) == list(polygons["pcode"])
    assert all(shapely.equals_exact(again.geometry, polygons.geometry, tolerance=0))
    assert not shapely.equals(other.geometry.iloc[0], polygons.geometry.iloc[0])


def test_check_partition_finds_overlaps_and_gaps(territories):
    """Two overlapping boxes leave the rest of the bounds uncovered: both are found."""
    minx, miny, _, _ = KIVU_BOUNDS
    broken = gpd.GeoDataFrame(geometry=[box(minx, miny, minx + 1, miny + 1),
                                        box(minx + 0.5, miny, minx + 1.5, miny + 1)],
                              crs="EPSG:4326")
    report = territories.check_partition(broken)
    assert report["overlap"] == pytest.approx(0.5)
    assert report["gap"] == pytest.approx(box(*KIVU_BOUNDS).area - 1.5)


def test_polygon_kinds_and_bad_kind(territories, boxes, tmp_path, monkeypatch):
    """'grid' gives boxes; an unknown kind is refused; 'real' needs its file."""
    assert (shapely.get_num_coordinates(boxes.geometry.to_numpy()) == 5).all()
    with pytest.raises(ValueError, match="Polygons must be one of"):
        territories.build_polygons("voronoi")
    monkeypatch.setattr(territories, "REAL_ADMIN", tmp_path / "absent.geojson")
    assert territories.resolve_kind("auto") == "synthetic"
    with pytest.raises(FileNotFoundError, match="absent.geojson"):
        territories.build_polygons("real")
