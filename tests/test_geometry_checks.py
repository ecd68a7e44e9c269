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


def _plain_check(frame, rejects, bounds, lon, lat):
    """The coordinate checks as first written: every reason worked out on every row."""
    import numpy as np

    from geomap.validate.geometry import _given

    lon_given, lat_given = _given(frame["lon"], lon), _given(frame["lat"], lat)
    x = lon.to_numpy(dtype="float64", na_value=np.nan)
    y = lat.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        x = np.where(np.isfinite(x), x, np.nan)
        y = np.where(np.isfinite(y), y, np.nan)
        given = lon_given | lat_given
        minx, miny, maxx, maxy = bounds
        lon_in, lat_in = (x >= minx) & (x <= maxx), (y >= miny) & (y <= maxy)
        inside = lon_in & lat_in
        swapped = (y >= minx) & (y <= maxx) & (x >= miny) & (x <= maxy) & ~inside
    for column, written, number, other in (("lon", lon_given, x, "lat"),
                                           ("lat", lat_given, y, "lon")):
        rejects.add(frame, written & np.isnan(number), column,
                    f"{column} is not a number")
        rejects.add(frame, given & ~written, column,
                    f"{column} is missing while {other} is given")
    unparsed = given & (np.isnan(x) | np.isnan(y))
    rejects.add(frame, swapped, "lon",
                "latitude and longitude look swapped (lat/lon inside the DRC only "
                "when exchanged); write longitude in lon and latitude in lat")
    outside = given & ~unparsed & ~swapped & ~inside
    rejects.add(frame, outside & ~lon_in, "lon",
                f"longitude outside the DRC extent ({minx} to {maxx})")
    rejects.add(frame, outside & ~lat_in, "lat",
                f"latitude outside the DRC extent ({miny} to {maxy})")
    with np.errstate(invalid="ignore"):
        if given.any() and (np.abs(x[given]) > 180).all():
            msg = "projected"
            raise CRSError(msg)
    return inside, given


ODD_POINTS = [("29.2", "-1.6"), ("", ""), (None, None), ("29.2", ""), ("", "-1.6"),
              ("east", "-1.6"), ("29.2", "north"), ("29,25", "-1,5"), ("1e400", "-1.6"),
              ("29.2", "-inf"), ("nan", "nan"), ("-1.6", "29.2"), ("36.8", "-1.6"),
              ("29.2", "9.5"), ("40", "20"), ("12.0", "-13.5"), ("31.4", "5.4"),
              (" 29.2 ", "-1.6"), ("29.2", "-1.6"), ("500000", "9800000")]


@pytest.mark.parametrize("rows", [ODD_POINTS, ODD_POINTS[:1] * 3, ODD_POINTS[1:5],
                                  [("500000", "9800000"), ("", "")],
                                  [("500000", "9800000"), ("29.2", "-1.6")],
                                  [("29.2", "")] * 2])
def test_coordinates_refused_as_the_plain_checks_refuse_them(rows):
    """Reasons worked out on the rows given and not inside alone: the same rows
    inside, the same rows given, the same rejects in the same order, the same
    refusal of a projected file, for blanks, words, decimal commas, infinities,
    swaps, points outside on either axis, the extent's edges and projected values."""
    import numpy as np

    from geomap.schema import DRC_BOUNDS
    from geomap.validate.geometry import _check_coordinates
    from geomap.validate.parsing import parse_coordinates

    frame = pd.DataFrame({"lon": pd.Series([r[0] for r in rows], dtype="string"),
                          "lat": pd.Series([r[1] for r in rows], dtype="string"),
                          ROW: range(1, len(rows) + 1)})
    lon, lat = parse_coordinates(frame["lon"]), parse_coordinates(frame["lat"])
    answers = []
    for check in (_plain_check, _check_coordinates):
        rejects = Rejects("displacement")
        try:
            inside, given = check(frame, rejects, DRC_BOUNDS, lon, lat)
        except CRSError:
            answers.append("projected")
            continue
        answers.append((inside.tolist(), given.tolist(), rejects.table()))
    if answers[0] == "projected":
        assert answers[1] == "projected"
        return
    assert answers[0][:2] == answers[1][:2]
    pd.testing.assert_frame_equal(answers[0][2], answers[1][2])
    if rows is ODD_POINTS:  # every reason is there to be compared
        reasons = " ".join(answers[1][2]["reason"])
        for said in ("lon is not a number", "lat is not a number", "swapped",
                     "lon is missing", "lat is missing", "longitude outside",
                     "latitude outside"):
            assert said in reasons
        assert np.count_nonzero(answers[1][0]) == 6
