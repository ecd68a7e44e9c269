"""The displacement reduction's quick paths give what the plain pandas paths give.

Counts, coordinates and dates of millions of rows are read on pyarrow arrays, per
distinct value, and grouped on integer codes; each test below holds one quick path
to the slower, obvious one, on the odd values files hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from geomap.dates import parse_dates
from geomap.join import links
from geomap.places import build_places, match_references
from geomap.summarise import partials
from geomap.validate import choices, parsing
from geomap.validate.checks import keep_rows, validate_displacement
from geomap.validate.parsing import distinct_text, text_values, with_columns
from geomap.validate.rejects import Rejects

from .conftest import spy

BAD_COORDINATES = ["1,5", " 28.1 ", "", "NaN", "nan", "1e400", "-1e400", "inf", "29,125",
                   "28.", ".5", "+29.2", "east", "\u00a029.1", "29.1\t", None, "0x1D",
                   "1_000", "1.2.3", "-", "1e99999", "−1.5"]
ODD_TEXT = ["a", " a", "a ", "\ta\n", "\u00a0a\u2003", "", "  ", None, "a b", "é ", "b"]


def _records(lon: list, lat: list, dtype: str) -> pd.DataFrame:
    """Point records at *lon*/*lat*, counted and dated, as text of *dtype*."""
    rows = len(lon)
    return pd.DataFrame({
        "lon": pd.Series(lon, dtype=dtype), "lat": pd.Series(lat, dtype=dtype),
        "people": pd.Series(["5"] * rows, dtype=dtype),
        "date": pd.Series(["2025-01-02"] * rows, dtype=dtype),
        "_row": np.arange(1, rows + 1)})


class _NoCast:
    """pyarrow.compute, but its cast of text to numbers fails as on a bad value."""

    def __getattr__(self, name: str):
        return getattr(pc, name)

    @staticmethod
    def cast(values, target):
        if len(values) and pa.types.is_floating(target):
            msg = "not a number"
            raise pa.ArrowInvalid(msg)
        return pc.cast(values, target)


@pytest.mark.parametrize("bad", BAD_COORDINATES)
@pytest.mark.parametrize("dtype", ["str", "object"])
def test_a_bad_coordinate_is_rejected_alike_by_the_cast_and_by_pandas(bad, dtype,
                                                                      monkeypatch):
    """One odd value among plain ones: pyarrow casts the plain ones and pandas reads
    the rest, with the same rejects (rows, values, reasons) and points as pandas
    reading every value."""
    lon = ["29.1", "29.2", bad, "29.3", "29.4"]
    lat = ["-1.5", bad, "-1.6", "-1.7", "-1.8"]
    quick = validate_displacement(_records(lon, lat, dtype))
    monkeypatch.setattr(parsing, "pc", _NoCast())  # pandas reads every value
    monkeypatch.setattr(parsing, "_PLAIN_NUMBER", r"[^\s\S]")
    slow = validate_displacement(_records(lon, lat, dtype))
    pd.testing.assert_frame_equal(quick[1], slow[1])
    np.testing.assert_array_equal(quick[0]["lon"].to_numpy(), slow[0]["lon"].to_numpy())
    np.testing.assert_array_equal(quick[0]["lat"].to_numpy(), slow[0]["lat"].to_numpy())
    assert quick[0]["_row"].tolist() == slow[0]["_row"].tolist()


def test_bad_coordinates_give_their_reasons():
    """The odd values' rejects, one by one (not only the same on both paths)."""
    lon = ["29.1", " 29.2 ", "1,5", "1e400", "east", "29,125", "", "NaN"]
    frame = _records(lon, ["-1.5"] * len(lon), "str")
    clean, rejects = validate_displacement(frame)
    assert clean["lon"].tolist() == [29.1, 29.2, 29.125]
    reasons = dict(zip(rejects["row"], rejects["reason"], strict=True))
    assert reasons[3].startswith("longitude outside")  # 1,5 read as 1.5
    assert reasons[4] == reasons[5] == reasons[8] == "lon is not a number"
    assert reasons[7] == "lon is missing while lat is given"


@pytest.mark.parametrize("dtype", ["str", "string", "object"])
def test_text_values_on_pyarrow_strip_as_pandas_does(dtype):
    """Stripped as str.strip strips (unicode spaces too), blanks missing."""
    frame = pd.DataFrame({"a": pd.Series(ODD_TEXT, dtype=dtype)})
    expected = frame["a"].astype("string").str.strip()
    expected = expected.mask(expected == "")
    pd.testing.assert_series_equal(text_values(frame, "a"), expected, check_names=False)


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_distinct_text_codes_the_stripped_values(dtype):
    """Codes into the distinct stripped values, in the order they first appear."""
    frame = pd.DataFrame({"a": pd.Series(ODD_TEXT * 3, dtype=dtype)})
    codes, uniques = distinct_text(frame, "a")
    expected_codes, expected = pd.factorize(text_values(frame, "a"))
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected) == ["a", "a b", "é", "b"]
    none, nothing = distinct_text(frame, "absent")
    assert set(none.tolist()) == {-1}
    assert len(nothing) == 0


def test_rejects_take_arrays_and_aligned_series_alike():
    """A boolean array is row by row; a Series is aligned on the frame's index."""
    frame = pd.DataFrame({"_row": [1, 2, 3], "people": ["1", "x", "-1"]},
                         index=[10, 11, 12])
    by_array, by_series = Rejects("displacement"), Rejects("displacement")
    by_array.add(frame, np.array([False, True, True]), "people",
                 pd.Series(["-", "no number", "negative"], index=frame.index))
    by_series.add(frame, pd.Series([True, True, False], index=[12, 11, 10]), "people",
                  pd.Series(["negative", "no number", "-"], index=[12, 11, 10]))
    pd.testing.assert_frame_equal(by_array.table(), by_series.table())
    assert by_array.table()[["row", "value", "reason"]].values.tolist() == [
        [2, "x", "no number"], [3, "-1", "negative"]]


def test_keep_rows_is_loc():
    """Rows kept column by column equal ``frame.loc[keep]``, dtypes and index."""
    frame = pd.DataFrame({
        "text": pd.Series(["a", None, "c", "d"], dtype="str"),
        "string": pd.Series(["a", "b", None, "d"], dtype="string"),
        "number": [1.5, np.nan, 3.0, 4.0], "count": [1, 2, 3, 4],
        "day": pd.to_datetime(["2025-01-01", None, "2025-01-03", "2025-01-04"]),
        "kind": pd.Categorical(["x", "y", "x", None])}, index=[7, 5, 3, 1])
    keep = np.array([True, False, True, True])
    pd.testing.assert_frame_equal(keep_rows(frame, keep), frame.loc[keep])


@pytest.mark.parametrize("column", [
    pd.Series(pd.to_datetime(["2025-01-03", None, "2024-12-31", "2025-01-03"]
                             ).astype("datetime64[s]")),
    pd.Series(pd.to_datetime(["2025-01-03 10:00", None, "2025-01-03 00:00"])),
    pd.Series(pd.to_datetime([None, None])).astype("datetime64[s]"),
    pd.Series(["day", None, "day"], dtype="string"),
    pd.Series(["day", "month", None, "day"], dtype="str"),
    pd.Series([None, None], dtype="string"),
    pd.Series(pd.Categorical(["b", None, "a"])),
    pd.Series([3, 1, 3]),
])
def test_key_codes_number_the_values_as_factorize_does(column):
    """Whatever the order of the levels, each row's code names its value."""
    codes, levels = partials._key_codes(column)
    codes = np.broadcast_to(codes, len(column))  # one number: the same in every row
    got = [None if code < 0 else levels[code] for code in codes]
    assert got == [None if pd.isna(value) else value for value in column]
    assert len(set(levels)) == len(levels)


def test_figures_counted_in_an_array_or_sorted_agree(monkeypatch):
    """Few distinct keys are counted in an array; many are sorted: the same sums."""
    linked = pd.DataFrame({
        "place": pd.Categorical(["T01", "T02", "T01", "T01", None]),
        "date": pd.to_datetime(["2025-01-02", "2025-01-02", "2025-01-02", "2024-05-01",
                                "2025-01-02"]).astype("datetime64[s]"),
        "kind": pd.Series(["idps"] * 5, dtype="string"),
        "source": pd.Series(["a", None, "a", "b", "a"], dtype="str"),
        "people": [5, 7, 11, 13, 17]})
    mapped = np.array([True, True, True, True, False])
    dense = partials._figures(linked, mapped)
    monkeypatch.setattr(partials, "DENSE_GROUPS", 0)
    sorted_ = partials._figures(linked, mapped)
    key = ["place", "date", "source"]

    def ordered(table: pd.DataFrame) -> pd.DataFrame:
        return table.astype({"place": "string", "source": "string"}).sort_values(
            key, ignore_index=True)

    pd.testing.assert_frame_equal(ordered(dense), ordered(sorted_))
    assert ordered(dense)["people"].tolist() == [13, 16, 7]
    assert ordered(dense)["records"].tolist() == [1, 2, 1]


def test_references_are_matched_once_across_parts(admin, monkeypatch):
    """The matcher gives match_references' table, asking only for new references."""
    towns = admin.iloc[:0][["geometry"]].assign(town_id=[], name=[], pcode=[],
                                                province_pcode=[])
    places = build_places(admin, towns)
    asked = spy(monkeypatch, links, "reference_matches",
                lambda references, _table: list(references))
    matcher = links.ReferenceMatcher(places)
    for part in (["T01", "Tango", None, "T01"], ["Tango", "Nowhere", "t01"]):
        references = pd.Series(part, dtype="str")
        pd.testing.assert_frame_equal(matcher(references),
                                      match_references(references, places))
    assert asked == [["T01", "Tango"], ["Nowhere", "t01"]]


def test_dates_remembered_across_parts_are_the_dates_parsed(monkeypatch):
    """Dates parsed once per process equal dates parsed afresh, partial ones too;
    a text already seen is not parsed again."""
    monkeypatch.setattr(choices, "_DATES", {})
    texts = pd.Series(["2025-01-02", "2025", "2025-02", "soon", "99999-01-01",
                       "2025-13-01", "2025-1", "1799-12-31"], dtype="string")
    parsed = []

    def parse(values):
        parsed.extend(values.tolist())
        return parse_dates(values)

    monkeypatch.setattr(choices, "parse_dates", parse)
    for part in (texts, texts.iloc[::-1].reset_index(drop=True)):
        days, partial = choices._distinct_dates(part)
        pd.testing.assert_series_equal(days, parse_dates(part))
        pd.testing.assert_series_equal(partial, choices._partial_precision(part))
    assert sorted(parsed) == sorted(texts.tolist())


def test_columns_set_at_once_are_assign():
    """Columns set in one new frame equal ``assign``: order, dtypes, the input left."""
    frame = pd.DataFrame({"a": [1, 2], "b": pd.array(["x", None], dtype="str")},
                         index=[4, 2])
    columns = {"b": pd.Series(["y", "z"], index=frame.index, dtype="string"),
               "c": pd.Series([0.5, 1.5], index=frame.index)}
    pd.testing.assert_frame_equal(with_columns(frame, columns), frame.assign(**columns))
    assert frame["b"].tolist()[0] == "x"
    shifted = {"c": pd.Series([1.0, 2.0], index=[2, 4])}  # aligned on the index
    pd.testing.assert_frame_equal(with_columns(frame, shifted), frame.assign(**shifted))


@pytest.mark.parametrize("case", ["mixed", "none inside", "no points", "none mapped"])
def test_density_of_a_part_is_the_plain_sum(case):
    """People per cell of the mapped points inside the grid, as summing the mapped
    points with finite coordinates gives it: points outside the grid, on its edges,
    NaN and infinite ones, and rows not mapped; no grid only when no mapped row has
    a point, a grid of zeros when none lies inside it."""
    from geomap.schema import KIVU_BOUNDS
    from geomap.summarise.density import sum_cells

    minx, miny, maxx, maxy = KIVU_BOUNDS
    x = np.array([29.1, 29.1, minx, maxx, 12.5, np.nan, np.inf, 28.0, -np.inf, 29.3])
    y = np.array([-1.6, -1.6, miny, maxy, -4.0, -1.0, -1.0, np.nan, -1.0, 0.5])
    mapped = np.array([True, True, True, True, True, True, True, True, True, False])
    if case == "none inside":
        x[:4] = x[9] = 12.5
    elif case == "no points":
        x[:] = np.nan
    elif case == "none mapped":
        mapped[:] = False
    linked = pd.DataFrame({"lon": x, "lat": y, "people": np.arange(3, 13)})
    point = mapped & np.isfinite(x) & np.isfinite(y)
    plain = sum_cells(x[point], y[point], linked["people"].to_numpy(dtype="float64")[
        point]) if point.any() else None
    got = partials._density(linked, mapped)
    if plain is None:
        assert got is None
    else:
        assert got.dtype == plain.dtype
        assert np.array_equal(got, plain)
        assert got.sum() == (0 if case == "none inside" else 3 + 4 + 5 + 6)


@pytest.mark.parametrize("rows", [
    np.arange(5, 25), np.arange(5, 25)[3:], np.array([5, 6, 8, 9]), np.array([7, 6, 5]),
    np.array([5, 5, 6, 7]), np.array([1]), np.array([], dtype=np.int64),
    np.arange(5, 25, dtype=np.uint32), np.arange(5.0, 9.0), np.array([3, 4, 6, 5])])
@pytest.mark.parametrize("chosen", [
    np.array([5, 9, 24, 25, 4, -3, 9]), np.array([], dtype=np.int64),
    np.arange(0, 40), np.array([7.0, 8.5])])
def test_rows_among_is_isin(rows, chosen):
    """Rows placed by position where they are numbered one after another, and
    np.isin otherwise: the same answer for gaps, repeats, any order, numbers
    outside, no rows, other integer types and floats."""
    from geomap.validate.rejects import rows_among

    assert rows_among(rows, chosen).tolist() == np.isin(rows, chosen).tolist()
