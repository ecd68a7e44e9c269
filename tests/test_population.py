"""Population rasters: zonal sums checked against hand computations, in two CRSs."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner
from pyproj import Geod, Transformer
from rasterio.transform import Affine
from shapely.geometry import Point, Polygon, box

from geomap.cli import main
from geomap.config import read_config
from geomap.errors import ConfigError, CRSError, GeomapWarning, SourceError
from geomap.summarise.population import attach_population, read_raster, sum_population

NODATA = -9999.0
CELL = 0.01
WEST, NORTH = 29.0, -1.0  # top-left corner of the lon/lat test grid


def _field(rows: int = 60, cols: int = 60) -> np.ndarray:
    """People per cell: 100*row + col west of column 30, 7 from column 30 on."""
    r, c = np.mgrid[0:rows, 0:cols]
    values = np.where(c < 30, 100.0 * r + c, 7.0)
    values[0:10, 40:50] = NODATA  # a hole: rows 0-9, columns 40-49
    return values


def from_origin(west: float, north: float, xsize: float, ysize: float) -> Affine:
    """A north-up grid transform (rasterio's own warns about ``*`` on Affine)."""
    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


def _write(path: Path, values: np.ndarray, transform, crs: str | None,
           nodata: float | None = NODATA) -> Path:
    """Write a one-band float32 GeoTIFF."""
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1],
                       height=values.shape[0], count=1, dtype="float32", crs=crs,
                       transform=transform, nodata=nodata) as raster:
        raster.write(values.astype("float32"), 1)
    return path


def _lonlat_box(col0: float, row0: float, col1: float, row1: float) -> Polygon:
    """A box on the lon/lat grid given in (fractional) column and row numbers."""
    return box(WEST + col0 * CELL, NORTH - row1 * CELL, WEST + col1 * CELL,
               NORTH - row0 * CELL)


def _ramp_sum(rows: range, cols: range) -> float:
    """Sum of 100*r + c over whole cells, in closed form."""
    return 100.0 * len(cols) * sum(rows) + len(rows) * sum(cols)


def _places(geometries: dict, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """Places named after their keys."""
    return gpd.GeoDataFrame({"place": list(geometries), "name": [f"Area {k}" for k in
                                                                 geometries]},
                            geometry=list(geometries.values()), crs=crs)


@pytest.fixture
def lonlat_raster(tmp_path: Path) -> Path:
    """The test field on 0.01 degree cells in EPSG:4326."""
    return _write(tmp_path / "pop_4326.tif", _field(),
                  from_origin(WEST, NORTH, CELL, CELL), "EPSG:4326")


def test_sums_on_lonlat_grid_match_hand_computation(lonlat_raster: Path):
    """Aligned boxes, a box cutting a column in half and a triangle over flat values."""
    places = _places({
        "aligned": _lonlat_box(10, 20, 20, 30),
        "half": _lonlat_box(10.5, 20, 20, 30),
        # legs of 10 cells, shifted a quarter cell so the long side crosses cells
        # between their corners
        "triangle": Polygon([(WEST + 0.3125, NORTH - 0.40), (WEST + 0.4125, NORTH - 0.40),
                             (WEST + 0.3125, NORTH - 0.30)]),
    })
    result = sum_population(places, lonlat_raster)
    aligned = _ramp_sum(range(20, 30), range(10, 20))
    # column 10 only half inside: its ten cells (100*r + 10) count for half
    half = _ramp_sum(range(20, 30), range(11, 20)) + 0.5 * (100 * sum(range(20, 30))
                                                             + 10 * 10)
    triangle = 7.0 * (10 * 10 / 2)  # half of a 10 x 10 block of 7s
    assert aligned == 246450.0
    expected = {"aligned": aligned, "half": half, "triangle": triangle}
    for place, value in expected.items():
        assert result.loc[place, "population"] == pytest.approx(value, rel=0.005)
        assert result.loc[place, "coverage"] == pytest.approx(1.0, abs=1e-6)


def test_nodata_is_skipped_and_lowers_coverage(lonlat_raster: Path):
    """A box half over the nodata hole counts only its valid half, with a warning."""
    places = _places({"holed": _lonlat_box(35, 0, 55, 10)})
    with pytest.warns(GeomapWarning, match=re.escape("Area holed (holed) 50%")):
        result = sum_population(places, lonlat_raster)
    assert result.loc["holed", "population"] == pytest.approx(7.0 * 100, rel=0.005)
    assert result.loc["holed", "coverage"] == pytest.approx(0.5, abs=0.001)


def test_partial_and_missing_coverage_are_named(lonlat_raster: Path):
    """Areas past the raster's edge are named; one wholly outside gets no figure."""
    places = _places({"edge": _lonlat_box(50, 40, 70, 50),
                      "outside": box(31.0, -1.5, 31.2, -1.3),
                      "inside": _lonlat_box(0, 20, 5, 25)})
    with pytest.warns(GeomapWarning) as caught:
        result = sum_population(places, lonlat_raster)
    message = " ".join(str(w.message) for w in caught)
    assert "2 of 3 area(s)" in message
    assert "Area edge (edge) 50%" in message
    assert "Area outside (outside) 0%" in message
    assert "(inside)" not in message
    assert result.loc["edge", "population"] == pytest.approx(7.0 * 100, rel=0.005)
    assert np.isnan(result.loc["outside", "population"])
    assert result.loc["outside", "coverage"] == 0.0
    assert result.loc["inside", "population"] == pytest.approx(
        _ramp_sum(range(20, 25), range(5)), rel=0.005)


def test_full_coverage_gives_no_warning(lonlat_raster: Path):
    """An area wholly on valid cells raises no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sum_population(_places({"a": _lonlat_box(0, 20, 10, 30)}), lonlat_raster)


def test_points_get_no_population(lonlat_raster: Path):
    """Towns are points: they are listed, but with no population or coverage."""
    places = _places({"town": Point(WEST + 0.105, NORTH - 0.205),
                      "area": _lonlat_box(0, 20, 10, 30)})
    result = sum_population(places, lonlat_raster)
    assert list(result.index) == ["town", "area"]
    assert result["population"].isna().tolist() == [True, False]
    assert np.isnan(result.loc["town", "coverage"])


def test_places_in_another_crs_are_reprojected(lonlat_raster: Path):
    """Places given in a projected CRS are brought to the raster's CRS."""
    area = _places({"a": _lonlat_box(10, 20, 20, 30)})
    result = sum_population(area.to_crs("EPSG:32735"), lonlat_raster)
    assert result.loc["a", "population"] == pytest.approx(246450.0, rel=0.005)


# --- a projected raster: 1 km cells in UTM 35S -------------------------------------

X0, Y0, METRE_CELL = 720_000.0, 9_880_000.0, 1000.0


def _utm_box(col0: float, row0: float, col1: float, row1: float) -> Polygon:
    """A box on the UTM grid in (fractional) column and row numbers."""
    return box(X0 + col0 * METRE_CELL, Y0 - row1 * METRE_CELL, X0 + col1 * METRE_CELL,
               Y0 - row0 * METRE_CELL)


@pytest.fixture
def utm_raster(tmp_path: Path) -> Path:
    """The test field on 1 km cells in EPSG:32735 (UTM 35S), near Goma."""
    return _write(tmp_path / "pop_32735.tif", _field(),
                  from_origin(X0, Y0, METRE_CELL, METRE_CELL), "EPSG:32735")


def test_sums_on_projected_grid_match_hand_computation(utm_raster: Path):
    """Boxes drawn on the metre grid, handed over in lon/lat, sum as computed by hand."""
    places = _places({"aligned": _utm_box(10, 20, 20, 30),
                      "half": _utm_box(10.5, 20, 20, 30),
                      "quarter": _utm_box(30, 30, 30.5, 30.5)}, crs="EPSG:32735")
    result = sum_population(places.to_crs("EPSG:4326"), utm_raster)
    half = _ramp_sum(range(20, 30), range(11, 20)) + 0.5 * (100 * sum(range(20, 30))
                                                             + 10 * 10)
    assert result.loc["aligned", "population"] == pytest.approx(246450.0, rel=0.005)
    assert result.loc["half", "population"] == pytest.approx(half, rel=0.005)
    assert result.loc["quarter", "population"] == pytest.approx(7.0 / 4, rel=0.005)
    assert result["coverage"].tolist() == pytest.approx([1.0, 1.0, 1.0], abs=0.001)


def test_same_density_gives_same_people_in_both_crs(tmp_path: Path):
    """A uniform 250 people/km2 gives 250 x the geodesic area in either CRS."""
    density = 250.0
    geod = Geod(ellps="WGS84")
    rows = 100
    lats = NORTH - CELL * np.arange(rows + 1)
    cell_km2 = np.array([abs(geod.polygon_area_perimeter(
        [WEST, WEST + CELL, WEST + CELL, WEST], [lats[i], lats[i], lats[i + 1],
                                                 lats[i + 1]])[0]) / 1e6
        for i in range(rows)])
    lonlat = _write(tmp_path / "flat_4326.tif",
                    np.repeat((density * cell_km2)[:, None], 60, axis=1),
                    from_origin(WEST, NORTH, CELL, CELL), "EPSG:4326")
    utm = _write(tmp_path / "flat_32735.tif", np.full((60, 60), density),
                 from_origin(X0, Y0, METRE_CELL, METRE_CELL), "EPSG:32735")
    area = box(29.12, -1.45, 29.37, -1.22)
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32735", always_xy=True)
    xs, ys = to_utm.transform(*area.exterior.xy)
    grid = box(X0, Y0 - 60 * METRE_CELL, X0 + 60 * METRE_CELL, Y0)
    assert grid.contains(Polygon(zip(xs, ys, strict=True)))  # the UTM raster spans it
    expected = density * abs(geod.geometry_area_perimeter(area)[0]) / 1e6
    places = _places({"a": area})
    for raster in (lonlat, utm):
        got = sum_population(places, raster).loc["a", "population"]
        assert got == pytest.approx(expected, rel=0.005), raster.name


# --- bad input -----------------------------------------------------------------------

def _no_crs(tmp_path: Path) -> Path:
    """A raster without a CRS."""
    return _write(tmp_path / "nocrs.tif", _field(), from_origin(WEST, NORTH, CELL, CELL),
                  None)


def _not_a_raster(tmp_path: Path) -> Path:
    """A text file named like a GeoTIFF."""
    path = tmp_path / "broken.tif"
    path.write_text("this is not a raster\n")
    return path


def _folder(tmp_path: Path) -> Path:
    """A folder where the raster file was expected."""
    path = tmp_path / "rasters"
    path.mkdir()
    return path


@pytest.mark.parametrize(("maker", "error", "fragment"), [
    (lambda tmp: tmp / "absent.tif", SourceError, "absent.tif' does not exist"),
    (_not_a_raster, SourceError, "Cannot read population raster 'broken.tif'"),
    (_no_crs, CRSError, "Population raster 'nocrs.tif' has no CRS"),
    (_folder, SourceError, "rasters' is a folder, not a file. Give the raster file"),
], ids=["missing", "unreadable", "no-crs", "folder"])
def test_bad_raster_raises_one_line(tmp_path: Path, maker, error, fragment):
    """Each broken raster raises its own class with a one-line message."""
    places = _places({"a": _lonlat_box(0, 0, 5, 5)})
    with pytest.raises(error, match=re.escape(fragment)) as caught:
        sum_population(places, maker(tmp_path))
    assert "\n" not in str(caught.value)


def test_unreadable_raster_reason_is_plain(tmp_path: Path):
    """A text file named .tif is said to be in no format GDAL reads, with one stop."""
    with pytest.raises(SourceError) as caught:
        read_raster(_not_a_raster(tmp_path))
    message = str(caught.value)
    assert "it is in no format GDAL reads. Give a GeoTIFF" in message
    assert ".." not in message


def test_places_without_crs_raise(lonlat_raster: Path):
    """Places without a CRS cannot be laid over a raster."""
    places = gpd.GeoDataFrame({"place": ["a"]}, geometry=[_lonlat_box(0, 0, 5, 5)])
    with pytest.raises(CRSError, match="no CRS"):
        sum_population(places, lonlat_raster)


def test_read_raster_cuts_a_window(lonlat_raster: Path):
    """Only the cells under the bounds (plus one) are read; nodata is masked."""
    raster = read_raster(lonlat_raster, bounds=(29.40, -1.05, 29.45, -1.00))
    assert raster.values.shape == (6, 7)  # rows 0-5 (clipped at the top), cols 39-45
    assert raster.values.mask[:, 1:].all()  # columns 40-45 are the nodata hole
    assert not raster.values.mask[:, 0].any()
    assert raster.bounds == pytest.approx((29.39, -1.06, 29.46, -1.0))


# --- the summaries --------------------------------------------------------------------

def test_actor_population_counts_nested_areas_once(lonlat_raster: Path):
    """A province held by A with a territory held by B: B's land is not A's too."""
    places = _places({"P": _lonlat_box(0, 20, 20, 40), "T1": _lonlat_box(0, 20, 10, 30),
                      "T2": _lonlat_box(10, 20, 20, 30),
                      "town": Point(WEST + 0.05, NORTH - 0.25)}).assign(
        level=[1, 2, 2, 9])
    areas = pd.DataFrame({"place": ["P", "T1", "T2", "town"],
                          "actor": ["a", "b", None, "c"], "people": [0, 0, 0, 0]})
    actors = pd.DataFrame({"actor": ["a", "b", "c"], "people": [0, 0, 0]})
    areas_out, actors_out = attach_population(areas, actors, places, lonlat_raster)
    province = _ramp_sum(range(20, 40), range(20))
    t1 = _ramp_sum(range(20, 30), range(10))
    by_place = areas_out.set_index("place")["population"]
    assert by_place["P"] == pytest.approx(province, rel=0.005)
    assert by_place["T1"] == pytest.approx(t1, rel=0.005)
    assert pd.isna(by_place["town"])
    held = actors_out.set_index("actor")["population"]
    assert held["a"] == pytest.approx(province - t1, rel=0.005)
    assert held["b"] == pytest.approx(t1, rel=0.005)
    assert pd.isna(held["c"])  # holds a town only: a point has no population
    assert "population" not in areas  # the inputs are left as they were
    assert "population" not in actors


def test_actor_whose_area_is_all_taken_holds_nobody(lonlat_raster: Path):
    """A province wholly split among territories held by others leaves its holder 0."""
    places = _places({"P": _lonlat_box(0, 20, 20, 30), "T1": _lonlat_box(0, 20, 10, 30),
                      "T2": _lonlat_box(10, 20, 20, 30)}).assign(level=[1, 2, 2])
    areas = pd.DataFrame({"place": ["P", "T1", "T2"], "actor": ["a", "b", "b"]})
    actors = pd.DataFrame({"actor": ["a", "b"]})
    held = attach_population(areas, actors, places, lonlat_raster)[1].set_index(
        "actor")["population"]
    assert held["a"] == 0
    assert held["b"] == pytest.approx(246450.0 + _ramp_sum(range(20, 30), range(10)),
                                      rel=0.005)


def _build(shapes_dir: Path, out: Path, *extra: str):
    """Run `geomap build` on the synthetic layers, writing the tables (all it reads)."""
    return CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir), "--out",
                                     str(out), "--date", "2025-02-20", "--outputs",
                                     "tables", *extra])


@pytest.fixture
def territories_raster(tmp_path: Path) -> Path:
    """3 people per cell over T01 (29.00-29.25) and 5 over T02 (29.25-29.50)."""
    values = np.where(np.arange(50)[None, :] < 25, 3.0, 5.0).repeat(70, axis=0)
    return _write(tmp_path / "worldpop.tif", values,
                  from_origin(29.0, -1.3, CELL, CELL), "EPSG:4326")


def test_cli_adds_population_columns(shapes_dir: Path, tmp_path: Path,
                                     territories_raster: Path):
    """--population adds people per area and per actor; towns stay empty."""
    out = tmp_path / "out"
    result = _build(shapes_dir, out, "--population", str(territories_raster))
    assert result.exit_code == 0, result.output
    areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
    assert areas.loc["T01", "population"] == pytest.approx(25 * 70 * 3, rel=0.005)
    assert areas.loc["T02", "population"] == pytest.approx(25 * 70 * 5, rel=0.005)
    assert areas.loc["alpha", ["population"]].isna().all()
    actors = pd.read_csv(out / "summary_actors.csv").set_index("actor")
    assert actors.loc["m23", "population"] == pytest.approx(25 * 70 * 5, rel=0.005)
    assert pd.isna(actors.loc["fardc", "population"])  # holds the town bravo only


def test_without_raster_population_columns_are_absent(shapes_dir: Path, tmp_path: Path):
    """No raster: no population column at all, not a column of zeros."""
    out = tmp_path / "out"
    assert _build(shapes_dir, out).exit_code == 0
    for name in ("summary_areas.csv", "summary_actors.csv"):
        columns = pd.read_csv(out / name).columns
        assert not [column for column in columns if column.startswith("population")]


def test_cli_missing_raster_is_a_one_line_error(shapes_dir: Path, tmp_path: Path):
    """A missing raster exits 1 with the fix and no traceback, writing nothing."""
    out = tmp_path / "out"
    result = _build(shapes_dir, out, "--population", str(tmp_path / "nope.tif"))
    assert result.exit_code == 1
    assert "nope.tif' does not exist. Check --population" in result.output
    assert "Traceback" not in result.output
    assert not (out / "summary_areas.csv").exists()


def test_cli_folder_as_raster_is_named_a_folder(shapes_dir: Path, tmp_path: Path):
    """A folder given as --population is called a folder, not a missing file."""
    result = _build(shapes_dir, tmp_path / "out", "--quiet", "--population",
                    str(_folder(tmp_path)))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "is a folder, not a file" in lines[0]
    assert "does not exist" not in lines[0]


def test_cli_warns_about_uncovered_areas(shapes_dir: Path, tmp_path: Path):
    """A raster over T01 only: the build works and names T02 as not covered."""
    raster = _write(tmp_path / "west.tif", np.full((70, 25), 2.0),
                    from_origin(29.0, -1.3, CELL, CELL), "EPSG:4326")
    out = tmp_path / "out"
    result = _build(shapes_dir, out, "--population", str(raster))
    assert result.exit_code == 0, result.output
    assert "does not fully cover 1 of 2 area(s): Tango (T02) 0%" in result.stderr
    areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
    assert areas.loc["T01", "population"] == pytest.approx(25 * 70 * 2, rel=0.005)
    assert pd.isna(areas.loc["T02", "population"])


def test_config_reads_population_key(tmp_path: Path):
    """A top-level population key is a path beside the config; under [inputs] it is not."""
    config = tmp_path / "geomap.toml"
    config.write_text('population = "rasters/pop.tif"\n[inputs]\n')
    assert read_config(config)["population"] == tmp_path / "rasters" / "pop.tif"
    config.write_text('[inputs]\npopulation = "pop.tif"\n')
    with pytest.raises(ConfigError, match="is not a layer"):
        read_config(config)
