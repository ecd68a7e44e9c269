"""A GeoJSON layer's properties read straight from the cells equal the rule applied
column by column: dates as ISO days, text with None where missing, numbers as
JSON numbers (the quick path of the usual columns, the rule for the others)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geomap.export.gis import _attribute, _json_column, _properties, _property

MOMENTS = pd.to_datetime(["2025-01-02 23:30", None, "1969-12-31 01:00",
                          "2025-03-01 00:00"])
COLUMNS = {
    "moments": MOMENTS,
    "days": MOMENTS.as_unit("s").floor("D"),
    "no_days": pd.Series([pd.NaT] * 4, dtype="datetime64[ns]"),
    "old_days": pd.to_datetime(["0999-05-01", None, "2025-01-01", "1500-01-01"],
                               format="ISO8601").as_unit("s"),
    "zoned": MOMENTS.tz_localize("Africa/Kigali"),
    "ints": np.array([3, 0, -1, 1_700_000], dtype=np.int32),
    "floats": [1.5, np.nan, -0.0, 2.0],
    "flags": [True, False, True, True],
    "string": pd.Series(["Goma", None, "", " =1"], dtype="string"),
    "str": pd.Series(["a", None, "c", None], dtype="str"),
    "text": pd.Series(["OCHA", np.nan, pd.NA, "x\x01y"], dtype=object),
    "none": pd.Series([None, np.nan, None, None], dtype=object),
    "numpy_text": pd.Series([np.str_("a"), None, np.str_("c"), "d"], dtype=object),
    "lists": [["gold", "tin"], [], None, ("coltan",)],
    "mixed": [1, "town", 2.5, None],
    "numbers": [1, 2.5, None, np.int64(4)],
    "nullable": pd.Series([5, None, 7, 1], dtype="Int64"),
    "stamps": [pd.Timestamp("2025-01-02"), None, "2025-02", pd.NaT],
    "bytes": [b"raw", "text", None, "more"],
}


def _json(values: list) -> str:
    """The values as written in a GeoJSON file."""
    return json.dumps(values, ensure_ascii=False, allow_nan=False)


@pytest.mark.parametrize("name", list(COLUMNS))
def test_property_is_the_rule(name: str) -> None:
    """Each column comes out as the rule's: the same values, written the same."""
    values = pd.Series(COLUMNS[name]).set_axis(range(5, 9))
    expected = _json_column(_attribute(values))
    got = _property(values)
    assert _json(got) == _json(expected)
    assert [type(v) for v in got] == [type(v) for v in expected]


def test_properties_names_and_values() -> None:
    """Internal columns are left out, case-twins made distinct, values as written."""
    frame = pd.DataFrame({"Source": ["A", "B"], "source": ["a", None], "_row": [1, 2],
                          "date": MOMENTS[:2], "people": [10.0, np.nan]})
    names, values = _properties(frame)
    assert names == ["Source_2", "source", "date", "people"]
    assert values == [["A", "B"], ["a", None], ["2025-01-02", None], [10.0, None]]


def test_shared_geometries_are_written_as_copies(tmp_path) -> None:
    """Rows drawing one geometry object (a place's outline under each of its
    records) give the file that copies of it give, each row its own geometry."""
    import geopandas as gpd
    import shapely
    from shapely.geometry import Point, Polygon

    from geomap.export.gis import write_geojson

    outline = Polygon([(29, -1.5), (29.1234567, -1.5), (29.1, -1.4), (29, -1.5)])
    shared = [outline, Point(28.5, -2.0000004), outline, None, outline]
    copies = [shapely.from_wkb(shapely.to_wkb(s)) if s is not None else None
              for s in shared]
    rows = {"place": ["a", "b", "a", "c", "a"], "start": [1, 2, 3, 4, 5]}
    one = write_geojson(gpd.GeoDataFrame(rows, geometry=shared, crs="EPSG:4326"),
                        tmp_path / "shared.geojson")
    other = write_geojson(gpd.GeoDataFrame(rows, geometry=copies, crs="EPSG:4326"),
                          tmp_path / "copies.geojson")
    assert one.read_bytes() == other.read_bytes()
    features = json.loads(one.read_text())["features"]
    assert [f["properties"]["start"] for f in features] == [1, 2, 3, 4, 5]
    assert features[0]["geometry"] == features[4]["geometry"]
    assert [29.123457, -1.5] in features[0]["geometry"]["coordinates"][0]
    assert features[1]["geometry"] == {"type": "Point", "coordinates": [28.5, -2.0]}
    assert features[3]["geometry"] is None
    assert list(features[0]) == ["geometry", "properties", "type"]
