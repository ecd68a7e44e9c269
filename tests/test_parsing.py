"""Fast column parsing gives exactly what pandas gives, value by value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geomap.dates import parse_dates
from geomap.validate.checks import Rejects
from geomap.validate.parsing import parse_numbers, per_distinct

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
