"""Where records are: each coordinate reject names the column at fault."""

from __future__ import annotations

import pandas as pd
import pytest

from geomap.errors import CRSError
from geomap.schema import ROW
from geomap.validate.geometry import require_coordinates
from geomap.validate.rejects import Rejects


def _points(*pairs: tuple[str, str]) -> pd.DataFrame:
    """Raw lon/lat text as read from a CSV, with 1-based row numbers."""
    frame = pd.DataFrame(pairs, columns=["lon", "lat"]).astype("string")
    frame[ROW] = range(1, len(frame) + 1)
    return frame


def test_only_the_bad_column_is_named():
    """A text latitude next to a good longitude is a 'lat' reject, with lat's value."""
    frame = _points(("29.2", "-1.6"), ("29.2", "north"), ("east", "-1.6"))
    rejects = Rejects("mines")
    inside = require_coordinates(frame, rejects)
    assert inside.tolist() == [True, False, False]
    table = rejects.table()
    assert table[["row", "column", "value"]].values.tolist() == [
        [2, "lat", "north"], [3, "lon", "east"]]
    assert table["reason"].tolist() == ["lat is not a number", "lon is not a number"]


def test_swapped_pair_is_one_reject():
    """Swapped axes are one problem of the pair: one reject, under lon."""
    rejects = Rejects("mines")
    inside = require_coordinates(_points(("-1.6", "29.2")), rejects)
    assert not inside.any()
    table = rejects.table()
    assert len(table) == 1
    assert table["column"].iloc[0] == "lon"
    assert "look swapped" in table["reason"].iloc[0]


def test_rows_without_coordinates_are_left_to_the_caller():
    """No lon and no lat: not inside, and no reject (the row may name an area)."""
    rejects = Rejects("displacement")
    inside = require_coordinates(_points(("", "")), rejects)
    assert not inside.any()
    assert rejects.table().empty


def test_projected_values_stop_the_file():
    """Every longitude beyond 180 degrees is a CRS problem, not row rejects."""
    with pytest.raises(CRSError, match="look projected"):
        require_coordinates(_points(("712000", "9810000")), Rejects("mines"))


def test_nan_and_infinite_coordinates_are_not_numbers():
    """'nan', 'inf' and '-Infinity' are rejects saying 'not a number', never points."""
    rejects = Rejects("towns")
    inside = require_coordinates(_points(("nan", "-1.6"), ("29.2", "inf"),
                                         ("-Infinity", "-1.6"), ("29.2", "-1.6")),
                                 rejects)
    assert inside.tolist() == [False, False, False, True]
    assert rejects.table()["reason"].tolist() == [
        "lon is not a number", "lat is not a number", "lon is not a number"]


def test_decimal_commas_in_coordinates_are_read():
    """French Excel's '29,2' and '-1,6' are 29.2 and -1.6: a coordinate has at most
    three digits before its decimal mark, so the comma cannot separate thousands."""
    rejects = Rejects("towns")
    inside = require_coordinates(_points(("29,2", "-1,6"), ("29,2,1", "-1,6")), rejects)
    assert inside.tolist() == [True, False]
    assert rejects.table()["reason"].tolist() == ["lon is not a number"]


@pytest.mark.parametrize("ring", [
    [(29.0, -1.5), (29.2, -1.5), (29.2, float("nan")), (29.0, -1.7), (29.0, -1.5)],
    [(29.0, -1.5), (29.2, -1.5), (float("nan"), float("nan")), (29.0, -1.7),
     (29.0, -1.5)],
    [(29.0, -1.5), (29.2, -1.5), (29.2, float("inf")), (29.0, -1.7), (29.0, -1.5)],
], ids=["nan-lat", "nan-point", "infinite"])
def test_polygons_with_unreal_coordinates_are_rejects(tmp_path, ring):
    """A NaN in a GeoJSON polygon is a reject with its reason, not a GEOSException."""
    import json

    from geomap.load.files import read_layer
    from geomap.validate.checks import validate_admin

    features = [{"type": "Feature", "properties": {"pcode": code, "name": code},
                 "geometry": {"type": "Polygon", "coordinates": [coords]}}
                for code, coords in (("T01", ring),
                                     ("T02", [(29.3, -1.5), (29.4, -1.5), (29.4, -1.7),
                                              (29.3, -1.5)]))]
    path = tmp_path / "admin.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    clean, rejects = validate_admin(read_layer(path, "admin"))
    assert clean["pcode"].tolist() == ["T02"]
    rejected = rejects.loc[rejects["action"] == "rejected"]
    assert rejected["row"].tolist() == [1]
    assert rejected["reason"].tolist() == [
        "a coordinate is not a finite number (NaN or infinite)"]
