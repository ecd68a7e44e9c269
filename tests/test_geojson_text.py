"""GeoJSON geometries written from their coordinate arrays give the text json writes
from the geometry's lists: every kind, holes, parts, heights, whole, tiny and huge
numbers, halves; what json cannot write (NaN) is left to json."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from geomap.export import gis
from geomap.export.geojson_text import FEW, geometry_text, number_texts


def _by_json(shape: shapely.Geometry) -> str:
    """The text write_geojson wrote before: json of the geometry's nested lists."""
    return json.dumps({"type": shape.geom_type, "coordinates": gis._coordinates(shape)},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)


def _numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """Coordinates of every sort: lon/lat, whole, tiny (written with an exponent),
    huge, negative, and halves of the last decimal kept."""
    kinds = [rng.uniform(-180, 180, count), rng.integers(-50, 50, count).astype(float),
             rng.uniform(-2e-4, 2e-4, count), rng.uniform(-1e12, 1e12, count),
             np.round(rng.uniform(-3, 3, count), 6) + 5e-7,
             10.0 ** rng.integers(-8, 17, count) * rng.choice([-1, 1], count)]
    return np.stack(kinds, axis=1)[np.arange(count), rng.integers(0, len(kinds), count)]


def test_numbers_are_written_as_repr_writes_them():
    """Arrow's text is taken only where it is repr's: whole numbers, tiny and huge
    ones by repr, every other number of the sample as repr writes it too."""
    values = _numbers(np.random.default_rng(0), 20_000)
    assert number_texts(values) == [repr(float(v)) for v in values]
    assert number_texts(np.array([30.0, 5e-05, -0.0, 1e16, 0.1])) == [
        "30.0", "5e-05", "-0.0", "1e+16", "0.1"]


def _ring(rng: np.random.Generator, count: int, z: bool) -> np.ndarray:
    """A closed ring of *count* points of :func:`_numbers` (with heights when *z*)."""
    points = _numbers(rng, count * (3 if z else 2)).reshape(count, 3 if z else 2)
    return np.vstack([points, points[:1]])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("z", [False, True], ids=["2d", "3d"])
def test_every_kind_reads_as_json_writes_it(seed, z):
    """Points, lines, rings, polygons with holes and every multi-part kind, small
    (written by repr) and large (by Arrow), give json's text exactly."""
    rng = np.random.default_rng(seed)
    size = int(rng.choice([3, FEW, 4 * FEW]))
    ring = lambda count=size: _ring(rng, count, z)
    polygon = shapely.Polygon(ring(), [ring(4), ring(5)])
    shapes = [shapely.Point(ring(1)[0]), shapely.LineString(ring()),
              shapely.LinearRing(ring()), shapely.Polygon(ring()), polygon,
              shapely.MultiPoint(ring(7)), shapely.MultiLineString([ring(), ring(3)]),
              shapely.MultiPolygon([polygon, shapely.Polygon(ring(4))])]
    for shape in shapes:
        assert geometry_text(shape) == _by_json(shape), shape.geom_type


def test_what_json_refuses_or_this_does_not_write_is_left_to_json():
    """A NaN (json raises), an empty point and a collection give None: the caller
    writes them with json, which raises or writes them as before."""
    assert geometry_text(shapely.LineString([(0, 0), (np.nan, 1)])) is None
    assert geometry_text(shapely.Point()) is None
    assert geometry_text(shapely.GeometryCollection([shapely.Point(1, 2)])) is None
    empty_part = shapely.MultiPolygon([shapely.Polygon([(0, 0), (1, 0), (1, 1)])])
    assert geometry_text(empty_part) == _by_json(empty_part)


def test_a_layer_writes_the_json_text(tmp_path):
    """write_geojson's geometries are json's text of rfc7946_geometry, the missing
    and the collections included."""
    disc = shapely.Point(29.123, -1.5).buffer(0.3, 100)  # valid: GEOS snaps it
    shapes = np.array([disc.difference(shapely.Point(29.1, -1.5).buffer(0.1)), None,
                       shapely.GeometryCollection([shapely.Point(1.5, 2.0)]),
                       shapely.Point(29.0000004, -1.0000005)], dtype=object)
    texts = gis._rfc7946_texts(shapes)
    assert texts == [json.dumps(gis.rfc7946_geometry(shape), ensure_ascii=False,
                                sort_keys=True, separators=(",", ":"))
                     for shape in shapes]
