"""Parse text columns fast: numbers through pyarrow, anything else once per distinct value.

Registration files hold millions of rows but few distinct counts, dates or area names,
and their coordinates are plain decimal numbers. Parsing each distinct value once, and
casting numbers in pyarrow's C++ kernels, keeps validation free of per-row Python work.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geomap.schema import MAX_PEOPLE_PER_ROW

GROUP_SEPARATORS = " \u00a0\u202f\u2009'\u2019_"
"""Characters that separate thousands in any convention: spaces (plain, no-break,
narrow no-break, thin), apostrophes and underscores; the comma or the dot that is not
the decimal mark is added to them."""


def per_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series]
                 ) -> pd.Series:
    """Apply *parse* once to each distinct value of *values* and spread the results.

    Parameters
    ----------
    values : Series
        Any column; missing values stay missing (``parse`` never sees them).
    parse : callable
        Takes and returns a Series of the same length (a vectorised parser).

    Returns
    -------
    Series
        ``parse(values)``, indexed like *values*, with the dtype ``parse`` gives.

    Examples
    --------
    >>> per_distinct(pd.Series(["1", "1", None, "2"]), lambda s: s + "!").tolist()
    ['1!', '1!', nan, '2!']
    """
    codes, uniques = pd.factorize(values)
    parsed = parse(pd.Series(uniques, dtype=values.dtype)).array
    return pd.Series(parsed.take(codes, allow_fill=True), index=values.index,
                     name=values.name)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Return *values* as float64, NaN for missing values and for text that is no number.

    Plain numbers (``-1.5``, ``.5``, ``2e3``) are cast by pyarrow; any other text
    (spaces around a number, ``1,5``, words) is left to pandas'
    ``to_numeric(errors="coerce")``, value by value. Both read a plain number alike.

    Examples
    --------
    >>> parse_numbers(pd.Series(["29.1", "-1.5", None])).tolist()
    [29.1, -1.5, nan]
    >>> parse_numbers(pd.Series(["29.1", "east", " 2 "])).tolist()
    [29.1, nan, 2.0]
    """
    return _numbers(values)[0]


def _numbers(values: pd.Series) -> tuple[pd.Series, bool]:
    """:func:`parse_numbers`, and whether pyarrow's cast read every value given (no
    text of another kind was left to pandas)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return pd.Series(values.to_numpy(dtype="float64", na_value=np.nan),
                         index=values.index, name=values.name), False
    text = arrow_text(values)
    if text is None and pd.api.types.is_string_dtype(values):  # objects, maybe text
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            text = pa.array(values.array, type=pa.large_string())  # else pandas reads
    if text is not None:
        cast = True
        try:
            number = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            number, cast = _cast_plain(values, text), False
        return pd.Series(number, index=values.index, name=values.name), cast
    number = pd.to_numeric(values, errors="coerce")
    return pd.Series(number.to_numpy(dtype="float64", na_value=np.nan),
                     index=values.index, name=values.name), False


_PLAIN_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
"""A number pyarrow's cast reads as pandas does: no spaces, no separators, no words."""


def _cast_plain(values: pd.Series, text: pa.Array) -> np.ndarray:
    """Numbers of a text column some of whose values are no plain number: the plain
    ones cast by pyarrow, the others (few, in a file of numbers) by pandas."""
    plain = pc.match_substring_regex(text, _PLAIN_NUMBER).fill_null(False)
    chosen = plain.to_numpy(zero_copy_only=False)
    number = np.full(len(text), np.nan)
    number[chosen] = pc.cast(pc.filter(text, plain), pa.float64()).to_numpy(
        zero_copy_only=False)
    others = np.flatnonzero(~chosen & values.notna().to_numpy())
    if len(others):
        number[others] = pd.to_numeric(values.iloc[others], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)
    return number


def arrow_text(values: pd.Series) -> pa.Array | None:
    """*values* as one pyarrow string array, when they are pyarrow-backed text."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        text = pa.array(values.array)
        return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return None


_DECIMAL_COMMA = r"^\s*([+-]?\d{1,3}),(\d+)\s*$"
"""A coordinate written with a decimal comma: one to three digits, a comma, digits."""


def parse_coordinates(values: pd.Series) -> pd.Series:
    """Return longitudes or latitudes as float64, reading decimal commas too.

    As :func:`parse_numbers`, but ``29,1234`` (French Excel) reads as 29.1234: a
    coordinate has at most three digits before its decimal mark, so a comma there
    cannot separate thousands. Only columns that are not plain numbers pay for this.

    Examples
    --------
    >>> parse_coordinates(pd.Series(["29,125", "-1.5", "1,234,5"])).tolist()
    [29.125, -1.5, nan]
    """
    number, cast = _numbers(values)
    if cast or pd.api.types.is_numeric_dtype(values) or not number.isna().any():
        return number  # cast: every value was a plain number, none has a comma
    unread = number.isna() & values.notna()  # only text that is no plain number
    if not unread.any():
        return number
    text = values[unread].astype("string")
    comma = per_distinct(text, lambda v: v.str.fullmatch(_DECIMAL_COMMA)).fillna(
        False).astype(bool)
    if comma.any():
        fixed = text[comma].str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
        number = number.copy()
        number[comma.index[comma.to_numpy()]] = parse_numbers(fixed).to_numpy()
    return number


def text_values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return *column* of *frame* as stripped strings, empty ones as missing.

    A column the frame lacks comes back all missing, so optional columns need no
    special case.

    Examples
    --------
    >>> text_values(pd.DataFrame({"a": [" x ", ""]}), "a").tolist()
    ['x', <NA>]
    >>> text_values(pd.DataFrame({"a": ["x"]}), "b").tolist()
    [<NA>]
    """
    if column not in frame:  # all missing: a null array, no value written per row
        nulls = pa.chunked_array([pa.nulls(len(frame), pa.large_string())])
        return pd.Series(pd.arrays.ArrowStringArray(nulls), index=frame.index,
                         name=column)
    values = frame[column]
    arrow = arrow_text(values)
    if arrow is not None:  # the same, without pandas' work per step
        text = pc.utf8_trim_whitespace(arrow)
        empty = pc.equal(text, "")
        if pc.any(empty).as_py():
            text = pc.if_else(empty, pa.scalar(None, text.type), text)
        return _text_series(text, values.index, column)
    text = values.astype("string").str.strip()
    empty = text == ""
    return text.mask(empty) if empty.any() else text


def blank_where(values: pd.Series, blank: np.ndarray) -> pd.Series:
    """*values* missing where *blank* holds (``values.mask(blank)``); pyarrow-backed
    text is blanked by pyarrow in one step (pandas' mask of a registration part's
    few hundred thousand rows took about 15 ms).

    Examples
    --------
    >>> blank_where(repeated_text("day", pd.RangeIndex(3)),
    ...             np.array([False, True, False])).tolist()
    ['day', <NA>, 'day']
    """
    blank = np.asarray(blank, dtype=bool)
    arrow = arrow_text(values) if getattr(values.dtype, "na_value", None) is pd.NA \
        else None
    if arrow is None or not blank.any():
        return values.mask(blank) if blank.any() else values
    text = pc.if_else(pa.array(blank), pa.scalar(None, arrow.type), arrow)
    return _text_series(text, values.index, values.name)


def repeated_text(value: str, index: pd.Index) -> pd.Series:
    """*value* in every row, as text (``pd.Series(value, index, dtype="string")``
    built straight from its bytes, not taken row by row).

    Examples
    --------
    >>> repeated_text("idps", pd.RangeIndex(2)).tolist()
    ['idps', 'idps']
    """
    data = value.encode()
    offsets = np.arange(len(index) + 1, dtype=np.int64) * len(data)
    text = pa.LargeStringArray.from_buffers(len(index), pa.py_buffer(offsets),
                                            pa.py_buffer(data * len(index)))
    return _text_series(text, index, None)


def _text_series(text: pa.Array, index: pd.Index | None, name: str | None
                 ) -> pd.Series:
    """A pyarrow string array as a Series of pandas' ``string`` dtype."""
    if not pa.types.is_large_string(text.type):
        text = text.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([text])), index=index,
                     name=name)


def distinct_text(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, pd.Series]:
    """*column* as :func:`text_values` gives it, as codes into its distinct values.

    Returns
    -------
    (ndarray, Series)
        Each row's position among the distinct values (-1 where missing or blank),
        and the distinct stripped values, in the order they first appear.

    Examples
    --------
    >>> codes, uniques = distinct_text(pd.DataFrame({"a": [" x", "y", "", "x"]}), "a")
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, -1, 0], ['x', 'y'])
    """
    values = frame.get(column)
    arrow = None if values is None else arrow_text(values)
    if arrow is None:
        text = text_values(frame, column)
        codes, uniques = pd.factorize(text)
        return codes.astype(np.int64), pd.Series(uniques, dtype=text.dtype)
    encoded = pc.dictionary_encode(arrow)  # distinct values first, then stripped
    stripped = pc.utf8_trim_whitespace(encoded.dictionary)
    stripped = pc.if_else(pc.equal(stripped, ""), pa.scalar(None, stripped.type),
                          stripped)
    inner = pc.dictionary_encode(stripped)  # ' a' and 'a' are one value
    inner_codes = np.append(inner.indices.fill_null(-1).to_numpy(
        zero_copy_only=False).astype(np.int64), -1)  # a missing value's index: -1
    codes = inner_codes[encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)]
    return codes, _text_series(inner.dictionary, None, None)


def with_columns(frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """*frame* with *columns* set (``frame.assign(**columns)``), made as one frame
    rather than a column at a time."""
    if type(frame) is not pd.DataFrame or not frame.columns.is_unique or not all(
            isinstance(values, pd.Series) and values.index.equals(frame.index)
            for values in columns.values()):
        return frame.assign(**columns)
    kept = {name: frame[name] for name in frame.columns}
    return pd.DataFrame({**kept, **columns}, index=frame.index, copy=False)


def read_count(text: str, decimal: str = ".") -> tuple[int | None, str | None]:
    """Read one count of people; return ``(count, None)`` or ``(None, reason)``.

    A count is a whole number from 0 to :data:`~geomap.schema.MAX_PEOPLE_PER_ROW`,
    written with or without thousands separators (``12,500``, ``12 500``,
    ``12'500``, ``1.250.000``), or as a whole decimal (``12.0``, ``1.2E+04``).
    *decimal* is the file's decimal mark, ``.`` or ``,``. A value that reads one way
    with a decimal point and another with a decimal comma (``1.000``: 1 or 1000) is
    refused with a hint rather than guessed.

    Examples
    --------
    >>> read_count("12,500"), read_count("1.250.000"), read_count("2.0")
    ((12500, None), (1250000, None), (2, None))
    >>> read_count("1.000")[1]  # doctest: +ELLIPSIS
    "'1.000' reads as 1 with a decimal point but as 1000 with dots between ..."
    >>> read_count("1.000", decimal=","), read_count("2,5")[1]
    ((1000, None), 'looks like a decimal comma: use --decimal ,')
    >>> read_count("1e19")[1]
    'count above 50,000,000, more than one row can hold: a slip or an overflow'
    """
    patterns = _count_patterns(decimal)
    other = "," if decimal == "." else "."
    body = text.strip()
    if patterns["ambiguous"].fullmatch(body):
        mark, name = ("point", "dots") if decimal == "." else ("comma", "commas")
        as_decimal = f"{float(body.replace(decimal, '.')):g}"
        as_thousands = int(body.replace(decimal, ""))
        return None, (f"'{body}' reads as {as_decimal} with a decimal {mark} but as "
                      f"{as_thousands} with {name} between thousands; give --decimal "
                      f"{other} if {name} separate thousands in this file")
    if patterns["thousands"].fullmatch(body):  # 1.250.000: only thousands can repeat
        body = body.replace(decimal, "")
    elif patterns["grouped"].fullmatch(body):
        body = patterns["separators"].sub("", body)
    elif not patterns["number"].fullmatch(body):
        if patterns["other"].fullmatch(body):
            kind = "comma" if decimal == "." else "point"
            return None, f"looks like a decimal {kind}: use --decimal {other}"
        return None, "count is not a number"
    value = (int(body) if body.lstrip("+-").isdigit()
             else float(body.replace(decimal, ".")))
    if not math.isfinite(value):
        return None, "count is not a number"
    if value < 0:
        return None, "negative count of people"
    if value % 1:
        return None, "count is not a whole number"
    if value > MAX_PEOPLE_PER_ROW:
        return None, (f"count above {MAX_PEOPLE_PER_ROW:,}, more than one row can hold: "
                      "a slip or an overflow")
    return int(value), None


@lru_cache(maxsize=2)
def _count_patterns(decimal: str) -> dict[str, re.Pattern]:
    """Regular expressions of :func:`read_count` for one decimal mark."""
    if decimal not in (".", ","):
        msg = f"the decimal mark must be '.' or ',', not {decimal!r}"
        raise ValueError(msg)
    mark = re.escape(decimal)
    other = re.escape("," if decimal == "." else ".")
    separators = "[" + re.escape(GROUP_SEPARATORS) + other + "]"
    return {
        "ambiguous": re.compile(rf"[+-]?\d{{1,3}}{mark}\d{{3}}"),
        "thousands": re.compile(rf"[+-]?\d{{1,3}}(?:{mark}\d{{3}}){{2,}}"),
        "grouped": re.compile(rf"[+-]?\d{{1,3}}({separators})\d{{3}}(?:\1\d{{3}})*"
                              rf"(?:{mark}\d+)?"),
        "separators": re.compile(separators),
        "number": re.compile(rf"[+-]?(?:\d+(?:{mark}\d*)?|{mark}\d+)(?:[eE][+-]?\d+)?"),
        "other": re.compile(rf"[+-]?\d*{other}\d+"),
    }


def parse_counts(text: pd.Series, *, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Read a column of counts of people, each distinct value once (:func:`read_count`).

    Parameters
    ----------
    text : Series
        Stripped text, missing where the cell is empty (:func:`text_values`).
    decimal : {'.', ','}
        The file's decimal mark.

    Returns
    -------
    (Series of int64, Series of object)
        Each row's count (0 where missing or refused), and why it was refused
        (None where it was read or is missing).
    """
    codes, uniques = pd.factorize(text)
    counts, reasons = coded_counts(codes, uniques, decimal=decimal)
    return (pd.Series(counts, index=text.index, name=text.name),
            pd.Series(reasons, index=text.index, name=text.name, dtype=object))


def coded_counts(codes: np.ndarray, uniques: pd.Series | pd.Index | np.ndarray, *,
                 decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Counts and reasons (:func:`parse_counts`) of values given as codes (-1:
    missing) into their distinct values."""
    read = [read_count(str(value), decimal) for value in uniques]
    counts = np.array([count or 0 for count, _ in read] + [0], dtype="int64")
    reasons = np.array([reason for _, reason in read] + [None], dtype=object)
    return counts[codes], reasons[codes]
