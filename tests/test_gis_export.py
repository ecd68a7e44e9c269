"""GIS exports: RFC 7946 GeoJSON layers read back with pyogrio, and the HXL tags."""

from __future__ import annotations

import csv
import json
import re
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import GeometryCollection, MultiPolygon, Point, Polygon

from geomap.cli import main
from geomap.config import BuildConfig
from geomap.errors import CRSError
from geomap.export.gis import HXL_TAGS, rfc7946_geometry, rounded, write_geojson
from geomap.pipeline import run
from geomap.schema import DRC_BOUNDS

from .conftest import CONTROL, SYNTHETIC_DATE

LAYERS = ("admin", "towns", "mines", "control", "displacement")
TABLES = ("summary_areas", "summary_actors", "join_report", "rejects", "sources")
DATE = pd.Timestamp("2025-03-01")


def _build(shapes_dir: Path, out: Path, **options):
    """Run the pipeline on *shapes_dir* into *out*."""
    return run(BuildConfig(date=DATE, shapes_dir=shapes_dir, out_dir=out, **options))


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace area: positive for counter-clockwise rings (lon east, lat north)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))


def _polygons(geometry: dict) -> list[list]:
    """The polygons (lists of rings) of a GeoJSON geometry."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    if geometry["type"] == "GeometryCollection":
        return [p for g in geometry["geometries"] for p in _polygons(g)]
    return []


def _positions(coords) -> list[list[float]]:
    """Every position in nested coordinates."""
    if coords and isinstance(coords[0], int | float):
        return [coords]
    return [p for part in coords for p in _positions(part)]


def check_rfc7946(path: Path) -> dict:
    """Assert the RFC 7946 rules geomap promises for one file; return the document."""
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document, "RFC 7946 removed the crs member"
    assert '"crs"' not in text
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert "crs" not in feature
        assert list(feature["properties"]) == sorted(feature["properties"])
        geometry = feature["geometry"]
        if geometry is None:
            continue
        raw = json.dumps(geometry)
        assert not re.search(r"\d\.\d{7,}", raw), f"more than 6 decimals in {path.name}"
        for lon, lat in (p[:2] for p in _positions(geometry.get("coordinates", []))):
            assert -180 <= lon <= 180
            assert -90 <= lat <= 90
            assert DRC_BOUNDS[0] <= lon <= DRC_BOUNDS[2], "lon/lat swapped or projected"
            assert DRC_BOUNDS[1] <= lat <= DRC_BOUNDS[3]
        for rings in _polygons(geometry):
            assert _signed_area(rings[0]) > 0, "exterior ring must be counter-clockwise"
            assert all(_signed_area(hole) < 0 for hole in rings[1:]), "holes clockwise"
    return document


@pytest.fixture
def built(synthetic_run):
    """The result of the session's build of the synthetic fixture on DATE."""
    assert str(DATE.date()) == SYNTHETIC_DATE
    return synthetic_run[0]


@pytest.fixture
def out(synthetic_out: Path) -> Path:
    """The output folder of that build (read only)."""
    return synthetic_out


def test_build_writes_every_layer_as_rfc7946(built, out: Path) -> None:
    """Each layer file exists, follows RFC 7946 and is listed under layers/."""
    for layer in LAYERS:
        path = out / "layers" / f"{layer}.geojson"
        assert path in built.paths, f"{path} missing from the reported paths"
        document = check_rfc7946(path)
        assert document["features"], f"{layer} is empty"
    assert out / "geomap.gpkg" in built.paths
    assert all(path.exists() for path in built.paths)


def test_layers_round_trip_through_pyogrio(out: Path) -> None:
    """GDAL reads each file back with the same rows, lon/lat CRS and properties."""
    for layer in LAYERS:
        path = out / "layers" / f"{layer}.geojson"
        frame = pyogrio.read_dataframe(path)
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        assert len(frame) == len(features)
        assert frame.crs.to_epsg() == 4326
        assert set(features[0]["properties"]) <= set(frame.columns)


def test_control_layer_keeps_every_record_with_its_place_geometry(out: Path):
    """One feature per control record of the fixture; towns are points, T02 a polygon."""
    features = json.loads((out / "layers" / "control.geojson").read_text(
        encoding="utf-8"))["features"]
    assert len(features) == len(CONTROL)
    kinds = {(f["properties"]["place"], f["geometry"]["type"]) for f in features}
    assert ("T02", "Polygon") in kinds
    assert ("alpha", "Point") in kinds
    alpha = sorted((f["properties"]["start"] or "", f["properties"]["actor"],
                    f["properties"]["in_force"]) for f in features
                   if f["properties"]["place"] == "alpha")
    # fardc until 2025-01-27, then m23: only the m23 record holds on 2025-03-01
    assert alpha == [("", "fardc", False), ("2025-01-27", "m23", True)]


def test_displacement_layer_is_aggregated_per_place(out: Path) -> None:
    """Latest round per place on or before the date, one point inside each place."""
    features = json.loads((out / "layers" / "displacement.geojson")
                          .read_text(encoding="utf-8"))["features"]
    people = {f["properties"]["place"]: f["properties"]["people"] for f in features}
    # T01: round r2 (1500) replaces r1; 'Territoire de Tango' is T02; alpha is a town.
    assert people == {"T01": 1500, "T02": 700, "alpha": 300}
    t01 = next(f for f in features if f["properties"]["place"] == "T01")
    lon, lat = t01["geometry"]["coordinates"]
    assert 29.0 < lon < 29.25
    assert -2.0 < lat < -1.3
    assert t01["properties"]["date"] == "2025-01-15"
    assert t01["properties"]["source"] == "test"


def test_layer_order_does_not_depend_on_input_order(shapes_dir: Path, tmp_path: Path,
                                                    admin: gpd.GeoDataFrame,
                                                    out: Path) -> None:
    """Reversing the admin rows gives byte-identical layer files."""
    admin.iloc[::-1].to_file(shapes_dir / "admin.geojson", driver="GeoJSON")
    _build(shapes_dir, tmp_path / "two", outputs=("layers",))
    for layer in LAYERS:
        name = Path("layers") / f"{layer}.geojson"
        assert (out / name).read_bytes() == (tmp_path / "two" / name
                                             ).read_bytes(), layer


def test_write_geojson_rewinds_rings_and_rounds(tmp_path: Path) -> None:
    """A clockwise shell with a counter-clockwise hole is rewound; 6 decimals kept."""
    shell = [(29.0, -1.5), (29.0, -1.0), (29.5, -1.0), (29.5, -1.5)]  # clockwise
    hole = [(29.1, -1.4), (29.2, -1.4), (29.2, -1.1), (29.1, -1.1)]  # counter-clockwise
    frame = gpd.GeoDataFrame(
        {"name": ["ring", "multi"], "when": pd.to_datetime(["2025-02-01", None]),
         "tags": [["a", "b"], []]},
        geometry=[Polygon(shell, [hole]),
                  MultiPolygon([Polygon(shell), Polygon([(28.0, -2.0), (28.0, -1.9),
                                                         (28.123456789, -1.9)])])],
        crs="EPSG:4326")
    path = write_geojson(frame, tmp_path / "rings.geojson")
    document = check_rfc7946(path)
    first = document["features"][0]
    assert first["properties"] == {"name": "ring", "tags": "a; b", "when": "2025-02-01"}
    assert document["features"][1]["properties"]["when"] is None
    assert [28.123457, -1.9] in document["features"][1]["geometry"]["coordinates"][1][0]


def test_write_geojson_writes_each_geometry_as_on_its_own(tmp_path: Path) -> None:
    """A layer's geometries, snapped and rewound together, come out each as
    :func:`rfc7946_geometry` gives it alone: none missing or empty, a sliver
    narrower than the grid kept raw, a collection's parts, a clockwise shell."""
    sliver = Polygon([(29.0, -1.5), (29.1, -1.5), (29.1, -1.5000001)])
    shell = Polygon([(29.0, -1.5), (29.0, -1.0), (29.5, -1.0), (29.5, -1.5)])
    shapes = [None, Polygon(), sliver, Point(29.1234567, -1.7654321),
              GeometryCollection([Point(28.5, -2.0), shell]), shell]
    frame = gpd.GeoDataFrame({"n": range(len(shapes))}, geometry=shapes,
                             crs="EPSG:4326")
    features = json.loads(write_geojson(frame, tmp_path / "x.geojson").read_text(
        encoding="utf-8"))["features"]
    assert [f["geometry"] for f in features] == [
        json.loads(json.dumps(rfc7946_geometry(shape))) for shape in shapes]
    assert [f["geometry"] for f in features[:2]] == [None, None]
    assert features[2]["geometry"]["type"] == "Polygon"  # kept, not dropped
    assert features[3]["geometry"]["coordinates"] == [29.123457, -1.765432]
    assert features[4]["geometry"]["type"] == "GeometryCollection"
    assert _signed_area(features[5]["geometry"]["coordinates"][0]) > 0


def test_write_geojson_reprojects_and_escapes(tmp_path: Path) -> None:
    """A projected frame comes out in lon/lat; hostile text survives as data."""
    name = '</script><b onmouseover="x">"quoted" \\ é'
    frame = gpd.GeoDataFrame({"name": [name]}, geometry=[Point(29.1, -1.5)],
                             crs="EPSG:4326").to_crs("EPSG:32735")
    path = write_geojson(frame, tmp_path / "point.geojson")
    feature = check_rfc7946(path)["features"][0]
    assert feature["geometry"]["coordinates"] == pytest.approx([29.1, -1.5], abs=1e-6)
    assert feature["properties"]["name"] == name


def test_write_geojson_without_crs_fails(tmp_path: Path) -> None:
    """No CRS is an error that says how to fix it, and no file is written."""
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[Point(29.1, -1.5)])
    with pytest.raises(CRSError, match="has no CRS"):
        write_geojson(frame, tmp_path / "x.geojson")
    assert not (tmp_path / "x.geojson").exists()


def test_geopackage_keeps_columns_that_differ_only_by_case(tmp_path: Path) -> None:
    """'source' and 'Source' both in a layer: GeoPackage fields ignore case, so the
    second is written as 'Source_2' instead of failing with a FieldError."""
    from geomap.export.geopackage import write_layers

    layer = gpd.GeoDataFrame({"Source": ["IPIS"], "source": ["AFP"], "URL": ["u"]},
                             geometry=[Point(29, -1.5)], crs="EPSG:4326")
    path = write_layers({"control_extra": layer}, {}, tmp_path / "x.gpkg",
                        as_of=pd.Timestamp("2025-01-01"))
    back = pyogrio.read_dataframe(path, layer="control_extra")
    assert back[["source", "Source_2", "URL"]].values.tolist() == [["AFP", "IPIS", "u"]]


def _rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_hxl_row_on_every_csv(shapes_dir: Path, tmp_path: Path, out: Path) -> None:
    """--hxl puts a valid hashtag under every column header; off by default."""
    assert not _rows(out / "summary_areas.csv")[1][0].startswith("#")
    result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                       "--date", "2025-03-01", "--compare", "2025-01-01",
                                       "--out", str(tmp_path / "hxl"), "--hxl",
                                       "--quiet", "--outputs", "tables"])
    assert result.exit_code == 0, result.output
    tag = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")
    for table in (*TABLES, "changes"):
        header, tags = _rows(tmp_path / "hxl" / f"{table}.csv")[:2]
        assert all(tag.match(t) for t in tags), (table, tags)
        assert set(header) <= set(HXL_TAGS[table]), table


def test_bundled_data_layers_are_rfc7946(bundled_build) -> None:
    """The real bundled layers (provinces with detailed outlines) pass the same checks
    (in the session's whole build of them)."""
    result, out = bundled_build
    for layer in LAYERS:
        check_rfc7946(out / "layers" / f"{layer}.geojson")
    assert len(result.paths) >= 11


def test_coordinates_are_rounded_as_python_rounds_each():
    """The array rounding gives the very doubles ``round(value, 6)`` gives, halves
    and near-halves included, and never a negative zero."""
    rng = np.random.default_rng(7)
    halves = (np.arange(-3_000_000, 3_000_000, 997) + 0.5) / 1e6
    values = np.concatenate([rng.uniform(-180, 180, 20_000), halves,
                             rng.uniform(-1e-6, 1e-6, 1_000),
                             [0.0, -0.0, 0.0000005, -0.0000005, 29.1234565]])
    expected = [round(float(v), 6) + 0.0 for v in values]
    got = rounded(values)
    assert got.tolist() == expected
    assert not np.signbit(got[got == 0]).any()


def test_figure_sources_are_those_of_the_rows_behind_each_figure():
    """Each figure lists the distinct sources and URLs of its own rows only: its
    rounds, registrations with 'registrations', none dated after the as-of date,
    missing ones left out; a place with no cited row lists nothing."""
    from shapely.geometry import box

    from geomap.export.gis_layers import shape_displacement

    day = pd.Timestamp("2025-03-01")
    records = pd.DataFrame({
        "place": ["T01", "T01", "T01", "T01", "T02", "T02", "T02", "T02", "T03"],
        "assessment": pd.array(["r1", "r1", "r2", None, None, None, "r9", "r1", "r1"],
                               dtype="string"),
        "date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01", "2025-02-10",
                                "2025-02-11", "2025-04-01", "2025-01-01", "2025-01-05",
                                "2025-01-01"]),
        "source": pd.array(["IOM", "OCHA", "IOM", "UNHCR", "UNHCR", "Late", "IOM",
                            None, "IOM"], dtype="string"),
        "url": pd.array(["https://b", "https://a", None, "https://c", "https://c",
                         "https://late", "https://r9", "https://r1", None],
                        dtype="string"),
        "people": 1})
    displaced = pd.DataFrame({
        "people": [10, 20, 5], "people_as_of": pd.to_datetime(["2025-02-10"] * 3),
        "assessment": ["r1; registrations", "registrations; r1", "r2"],
        "kind": "idps"}, index=pd.Index(["T01", "T02", "T04"], name="place"))
    places = gpd.GeoDataFrame({
        "place": ["T01", "T02", "T03", "T04"], "name": ["A", "B", "C", "D"],
        "pcode": ["T01", "T02", "T03", "T04"], "kind": "area"},
        geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs="EPSG:4326")
    layer = shape_displacement(displaced, records, places, day).set_index("place")

    def simply(place: str, assessment: str, column: str) -> str:
        rounds = set(assessment.split("; "))
        rows = records.loc[(records["place"] == place) & (records["date"] <= day)]
        mine = rows["assessment"].astype(object).isin(rounds)
        if "registrations" in rounds:
            mine |= rows["assessment"].isna()
        return "; ".join(sorted(set(rows.loc[mine, column].dropna().astype(str))))

    for place, row in displaced.iterrows():
        for column in ("source", "url"):
            assert layer.loc[place, column] == simply(place, row["assessment"], column)
    assert layer.loc["T01", "source"] == "IOM; OCHA; UNHCR"
    assert layer.loc["T02", "url"] == "https://c; https://r1"
    assert layer.loc["T04", "source"] == ""
