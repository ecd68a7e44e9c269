"""Fast column parsing gives exactly what pandas gives, value by value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geomap.dates import parse_dates
from geomap.validate.checks import Rejects
from geomap.validate.choices import read_dated
from geomap.validate.parsing import (
    blank_where,
    parse_numbers,
    per_distinct,
    repeated_text,
)

ODD_NUMBERS = ["1", "1.5", "-2", "1e3", "+3", ".5", "5.", "inf", "nan", "0x10",
               "1_000", " 2", "3 ", "", None, "1,5", "twelve", "\u0661"]


@pytest.mark.parametrize("dtype", ["str", "string", "object"])
def test_parse_numbers_agrees_with_pandas(dtype):
    """pyarrow's cast or pandas' fallback: the same floats and NaNs as to_numeric."""
    values = pd.Series(ODD_NUMBERS, dtype=dtype)
    expected = pd.to_numeric(values, errors="coerce").astype("float64")
    got = parse_numbers(values)
    assert got.dtype == "float64"
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


def test_parse_numbers_plain_column_is_exact():
    """A clean column of coordinates parses exactly (the fast path)."""
    values = pd.Series(["29.12345", "-1.50001", None], dtype="str")
    assert parse_numbers(values).tolist()[:2] == [29.12345, -1.50001]
    assert np.isnan(parse_numbers(values).iloc[2])


def test_parse_numbers_keeps_numeric_columns():
    """Numbers already numeric (Parquet) stay as they are; missing become NaN."""
    values = pd.Series([1, None, 3], dtype="Int64", index=[5, 6, 7])
    got = parse_numbers(values)
    assert got.index.tolist() == [5, 6, 7]
    assert got.iloc[0] == 1.0
    assert np.isnan(got.iloc[1])


def test_per_distinct_equals_the_direct_parse():
    """Dates parsed once per distinct value equal dates parsed row by row."""
    text = pd.Series(["2025-01-02", "2025", None, "soon", "2025-01-02", "2025-02"] * 50,
                     dtype="string")
    pd.testing.assert_series_equal(per_distinct(text, parse_dates), parse_dates(text),
                                   check_names=False)


def test_per_distinct_calls_once_per_distinct_value():
    """The parser sees each distinct value once, and never a missing one."""
    seen = []

    def parse(values: pd.Series) -> pd.Series:
        seen.extend(values.tolist())
        return values.str.len()

    text = pd.Series(["aa", "b", "aa", None, "b", "aa"], index=list("uvwxyz"))
    got = per_distinct(text, parse)
    assert sorted(seen) == ["aa", "b"]
    assert got.index.tolist() == list("uvwxyz")
    assert got.iloc[[0, 1, 2, 4, 5]].tolist() == [2, 1, 2, 1, 2]
    assert pd.isna(got.iloc[3])


def test_rejected_rows_ignore_repairs():
    """Row numbers of rejects, sorted and once each; repaired rows are not rejected."""
    rejects = Rejects("displacement")
    frame = pd.DataFrame({"_row": [1, 2, 3, 4], "people": ["1", "-1", "x", "2"]})
    rejects.add(frame, pd.Series([False, True, True, False]), "people", "bad")
    rejects.add(frame, pd.Series([False, False, True, False]), "date", "bad too")
    rejects.add(frame, pd.Series([True, False, False, False]), "geometry", "fixed",
                action="repaired")
    assert rejects.rejected_array().tolist() == [2, 3]
    assert rejects.rejected_rows() == {2, 3}


@pytest.mark.parametrize("stamped", [
    "2025-01-05T10:00+02:00", "2025-01-05T23:30:00Z", "2025-01-05T23:30:00.000-05:00",
    "2025-01-05T00:15:00+0530", "2025-01-05 10:00+02:00", "2025-01-05T10:00+02",
])
def test_a_date_and_time_with_a_zone_gives_the_day_written(stamped):
    """KoBo and ODK stamp records with their zone: the day is the one written, even
    beside plain dates and other zones (pandas refuses such a mix outright)."""
    values = pd.Series([stamped, "2025-01-06", "2025-01-07T08:00:00-03:00", "2025",
                        None, "soon", "2025-01-05T10:00+99:99x"])
    parsed = parse_dates(values)
    expected = ["2025-01-05", "2025-01-06", "2025-01-07", "2025-01-01", None, None, None]
    assert [None if pd.isna(day) else str(day.date()) for day in parsed] == expected
    assert str(parsed.dtype) == "datetime64[s]"


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "str", "object"])
@pytest.mark.parametrize("blank", [[False] * 5, [True, False, False, True, False],
                                   [True] * 5])
def test_blank_where_is_pandas_mask(dtype, blank):
    """Text blanked by pyarrow is what pandas' mask gives: the same values, dtype,
    index and name, existing gaps kept, whatever is blanked."""
    values = pd.Series(["day", None, "month", " day", ""], dtype=dtype,
                       index=[5, 3, 9, 1, 0], name="date_precision")
    got = blank_where(values, np.array(blank))
    pd.testing.assert_series_equal(got, values.mask(np.array(blank)))


def test_blank_where_on_a_slice_of_pyarrow_text():
    """A part cut from a longer column (an array that starts at an offset) is
    blanked at its own rows."""
    values = repeated_text("day", pd.RangeIndex(6)).iloc[2:]
    blank = np.array([False, True, False, True])
    assert blank_where(values, blank).tolist() == ["day", pd.NA, "day", pd.NA]


@pytest.mark.parametrize("precision", [None, ["", "approximate", "day", "range",
                                              "month", "bound", "", ""]])
def test_read_dated_precision_follows_the_rule(precision):
    """How exact each date is: missing where the date is missing or rejected (blank,
    malformed, impossible, out of range), 'month' or 'year' where the text is
    partial, else the precision column's value, 'day' where it is blank."""
    dates = ["2025-01-05", "", "2025-02-30", "2025-03", "2025", "soon", "0001-01-01",
             " 2025-01-06 "]
    frame = pd.DataFrame({"_row": range(1, 9),
                          "date": pd.Series(dates, dtype="string[pyarrow]")})
    if precision is not None:
        frame["date_precision"] = pd.Series(precision, dtype="string[pyarrow]")
    rejects = Rejects("displacement")
    parsed, got = read_dated(frame, "date", "date_precision", rejects, required=True)
    given = precision or [""] * 8
    expected = []
    for text, written, day in zip(dates, given, parsed, strict=True):
        partial = {4: "year", 7: "month"}.get(len(text.strip()))
        expected.append(None if pd.isna(day) else partial or written or "day")
    assert [None if pd.isna(value) else value for value in got] == expected
    assert expected.count(None) == 4
    assert str(got.dtype) == "string"
    assert sorted(rejects.rejected_array().tolist()) == [2, 3, 6, 7]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "str", "object"])
@pytest.mark.parametrize("values", [
    ["29.1", "-1.5", None, "nan", "NaN", "inf", "1e2", ".5"],  # pyarrow casts them all
    ["29,125", "-1.5", None, " 28,5 ", "1,234,5", "east", "nan", "29.1"]])
def test_coordinates_read_as_the_plain_rule_reads_them(dtype, values):
    """A column pyarrow casts whole is returned as cast (no comma can be in it);
    otherwise decimal commas are read: the same numbers as reading each value."""
    import re

    from geomap.validate.parsing import parse_coordinates

    def plain(value):
        if value is None:
            return np.nan
        comma = re.fullmatch(r"\s*([+-]?\d{1,3}),(\d+)\s*", value)
        if comma:
            return float(f"{comma[1]}.{comma[2]}")
        return float(pd.to_numeric(value, errors="coerce"))

    got = parse_coordinates(pd.Series(values, dtype=dtype))
    np.testing.assert_array_equal(got.to_numpy(), np.array([plain(v) for v in values]))


@pytest.mark.parametrize("unit", ["s", "ms", "ns"])
def test_dates_out_of_range_refused_as_pandas_compares_them(unit):
    """Days compared as arrays: the same rows unparseable, out of range (a day
    before 1800, after 2200, year 1 and 9999, the edges kept) and missing, the same
    days kept, as pandas' comparisons with the range's first and last days."""
    from geomap.validate import choices

    days = ["2025-01-05", None, "1799-12-31", "1800-01-01", "2200-12-31",
            "2200-12-31T12:00", "2201-01-01", "0001-01-01", "9999-12-31", None]
    if unit == "ns":
        days = [d if d is None or "1700" < d < "2262" else None for d in days]
    parsed = pd.Series(np.array([np.datetime64(d) if d else np.datetime64("NaT")
                                 for d in days]).astype(f"datetime64[{unit}]"),
                       index=range(3, 13))
    written = pd.Series([True, True, True, True, True, True, True, True, True, False],
                        index=parsed.index)
    frame = pd.DataFrame({"date": parsed, "_row": range(1, 11)})
    got_rejects, plain_rejects = Rejects("d"), Rejects("d")
    got = choices._reject_dates(frame, "date", written, parsed, got_rejects,
                                required=True)
    plain_rejects.add(frame, written & parsed.isna(), "date",
                      "unparseable date; expected YYYY-MM-DD, YYYY-MM or YYYY")
    outside = parsed.notna() & ((parsed < choices.FIRST_DAY) |
                                (parsed > choices.LAST_DAY))
    plain_rejects.add(frame, outside, "date", "date out of range; expected a day "
                      "from 1800-01-01 to 2200-12-31")
    plain_rejects.add(frame, ~written, "date", "missing date")
    pd.testing.assert_series_equal(got, parsed.mask(outside))
    pd.testing.assert_frame_equal(got_rejects.table(), plain_rejects.table())
    assert len(plain_rejects.table()) >= 4
