"""The GeoPackage's columns written straight as Arrow equal the typing rule's columns
converted by pyarrow, as they were written before: same types, same values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geomap.export.gpkg_columns import typed_columns, typed_table


def _through_pandas(frame: pd.DataFrame, layer: str) -> pa.Table:
    """The rule's columns (:func:`typed_columns`) converted as pyogrio's
    ``write_dataframe(use_arrow=True)`` converts them."""
    typed = typed_columns(frame, layer).reset_index(drop=True)
    for name in typed:
        if typed[name].dtype == object and pd.api.types.infer_dtype(typed[name]) not in (
                "string", "empty"):
            try:
                pa.Schema.from_pandas(typed[[name]])
            except pa.ArrowInvalid:
                typed[name] = typed[name].astype("string")
    table = pa.Table.from_pandas(typed, preserve_index=False)
    for at, field in enumerate(table.schema):
        if pa.types.is_null(field.type):
            table = table.set_column(at, field.with_type(pa.string()),
                                     table[at].cast(pa.string()))
    return table.replace_schema_metadata(None)


MOMENTS = pd.to_datetime(["2025-01-02 23:30", None, "1969-12-31 01:00", "2025-03-01 00:00"])
FRAMES = {
    "towns": pd.DataFrame({  # counts dated by a date, text of every kind, flags
        "people": [1200.0, 30.0, np.nan, 7.0],
        "people_as_of": ["2025-01-15", None, "2025-02-01", "2025-02"],
        "mines": np.array([0, 3, 2, 1], dtype=np.int32),
        "name": pd.Series(["Goma", None, "", " =1"], dtype="string"),
        "note": pd.Series(["a", None, "c", None], dtype="str"),
        "source": pd.Series(["OCHA", np.nan, pd.NA, "x\x01y"], dtype=object),
        "url": [None, None, None, None],
        "minerals": [["gold", "tin"], [], None, ("coltan",)],
        "kind": [1, "town", 2.5, None],
        "workers": ["12", "about 40", None, ""],
        "sources_count": ["2", "", None, "3"],
        "in_force": [True, False, True, True],
        "date": MOMENTS,
        "since": MOMENTS.tz_localize("Africa/Kigali"),
        "source_date": ["2025-01-02", "2025-02-30", None, ""],
        "extra": [b"raw", "text", None, "more"],
        "score": [0.5, np.nan, 1.0, 2.0],
        "records": pd.Series([5, None, 2**53, 1], dtype="Int64"),
        "big": [2**60, 1, 2, 3],
        "Source": ["A", "B", "C", "D"],
        "_row": [1, 2, 3, 4]}),
    "displacement": pd.DataFrame({
        "people": [10, 2**60, 3, 4], "date": MOMENTS,
        "people_as_of": [None, None, None, None], "level": [1.0, 2.0, 3.5, 0.0],
        "confidence": pd.Categorical(["high", "low", None, "high"])}),
    "summary_areas": pd.DataFrame({
        "people": [1.5, 2.0], "people_as_of": MOMENTS[:2], "mines": [np.nan, np.nan],
        "population_coverage": [np.nan, 0.25], "level": [True, False]}),
    "control_areas": pd.DataFrame({  # days written as text
        "start": pd.Series(["2025-01-02", None, "  ", "1999-12-31"], dtype=object),
        "end": pd.Series(["2025-01-02", pd.NA, "", "2024-02-29"], dtype="string"),
        "source_date": pd.Series(["2025-01-02\n", None, "2025-01-03", np.nan],
                                 dtype=object),
        "date": pd.Series(["0999-01-02", None, "2025-01-03", "2025-01-04"],
                          dtype="str")}),
    "events": pd.DataFrame({
        "date": pd.Series([None, np.nan, None, None], dtype=object),
        "end": pd.Series(["2025-1-02", "2025-01-02", None, "2025-01-03"], dtype=object),
        "changes_nearby": ["2025-01-02", "x", None, ""]}),
    "changes": pd.DataFrame({"changed_on": pd.Series(
        ["2025-01-02", pd.Timestamp("2025-01-03"), None, "2025-01-04"], dtype=object)}),
    "rejects": pd.DataFrame({"row": pd.Series(dtype=object),
                             "value": pd.Series(dtype="float64")}),
}


@pytest.mark.parametrize("layer", list(FRAMES))
def test_typed_table_is_the_rule_through_pyarrow(layer: str) -> None:
    """Every column, quick or not, comes out as the rule's column through pyarrow."""
    frame = FRAMES[layer].set_axis(range(7, 7 + len(FRAMES[layer])))
    got = typed_table(frame, layer)
    expected = _through_pandas(frame, layer)
    assert got.schema.names == expected.schema.names
    for name in got.schema.names:
        assert got.schema.field(name).type == expected.schema.field(name).type, name
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name


def test_typed_table_types_and_geometry() -> None:
    """Dated counts are NULL without their date, months stay text, lists are joined,
    names differing by case are made distinct, and the WKB goes last as binary."""
    frame = FRAMES["towns"]
    wkb = np.array([b"\x01", None, b"\x02", b"\x03"], dtype=object)
    table = typed_table(frame, "towns", wkb)
    assert table.schema.names[-1] == "geometry"
    assert table.schema.field("geometry").type == pa.binary()
    assert table.column("geometry").to_pylist() == [b"\x01", None, b"\x02", b"\x03"]
    assert table.column("people").to_pylist() == [1200, None, None, 7]
    assert table.schema.field("people").type == pa.int64()
    assert table.column("people_as_of").to_pylist() == [
        "2025-01-15", None, "2025-02-01", "2025-02"]
    assert table.column("minerals").to_pylist() == ["gold; tin", "", None, "coltan"]
    assert table.column("source").to_pylist() == ["OCHA", None, None, "x\x01y"]
    assert table.schema.field("date").type == pa.date32()
    assert table.column("url").type == pa.string()
    assert "_row" not in table.schema.names
    assert {"source", "Source_2"} <= set(table.schema.names)
    assert table.column("extra").to_pylist()[0] == "b'raw'"
