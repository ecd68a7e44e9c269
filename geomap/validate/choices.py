"""Checks shared by the layers: dates, how exact they are, and closed choices."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from geomap.dates import parse_dates
from geomap.schema import DATE_PRECISIONS
from geomap.text import fold
from geomap.validate.parsing import (
    blank_where,
    distinct_text,
    per_distinct,
    repeated_text,
    text_values,
)
from geomap.validate.rejects import Rejects

_MONTH_ONLY = r"^\s*-?\d{4}-\d{1,2}\s*$"
_YEAR_ONLY = r"^\s*-?\d{4}\s*$"


def _parse_column(frame: pd.DataFrame, column: str
                  ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Where a date is written, its dates, and 'month'/'year' where the text is
    partial; each distinct value parsed once (a registration file repeats a few
    dates). A typed date column (Parquet dates or timestamps) is taken as it is,
    never cast to text: its dates are whole days."""
    if column in frame and pd.api.types.is_datetime64_any_dtype(frame[column]):
        partial = pd.Series(pd.NA, index=frame.index, dtype="string")
        return frame[column].notna(), parse_dates(frame[column]), partial
    codes, distinct = distinct_text(frame, column)

    def spread(values: pd.Series) -> pd.Series:
        return pd.Series(values.array.take(codes, allow_fill=True), index=frame.index)

    written = pd.Series(codes >= 0, index=frame.index, name=column)
    days, partial = _distinct_dates(distinct)
    if partial.isna().all():  # only whole days: no text spread over the rows
        partial = text_values(frame.iloc[:, :0], "date_precision")
        return written, spread(days), partial
    return written, spread(days), spread(partial)


_DATES: dict[str, tuple[np.datetime64, str | None]] = {}
"""Dates and partial precisions of texts already parsed (registration files repeat
a few hundred dates in every part of millions of rows)."""
_DATES_KEPT = 100_000
"""At most this many texts are remembered (a file of timestamps has no end of them)."""


def _distinct_dates(distinct: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`~geomap.dates.parse_dates` and :func:`_partial_precision` of distinct
    texts, each text parsed once in a process while it is remembered."""
    texts = distinct.tolist()
    if len(texts) > _DATES_KEPT:
        return parse_dates(distinct), _partial_precision(distinct)
    known = {text: _DATES.get(text) for text in texts}  # one look each: threads share it
    unseen = [text for text, found in known.items() if found is None]
    if unseen:
        values = pd.Series(unseen, dtype=distinct.dtype)
        days, partial = parse_dates(values), _partial_precision(values)
        if len(_DATES) + len(unseen) > _DATES_KEPT:
            _DATES.clear()
        for text, day, precision in zip(unseen, days.to_numpy(), partial.array,
                                        strict=True):
            known[text] = _DATES[text] = (day, None if pd.isna(precision) else precision)
    return (pd.Series(np.array([known[text][0] for text in texts],
                               dtype="datetime64[s]")),
            pd.Series([known[text][1] for text in texts], dtype="string"))


FIRST_DAY, LAST_DAY = pd.Timestamp("1800-01-01"), pd.Timestamp("2200-12-31")
"""Dates a record may bear. Others (year 0, 99999: a typo or a spreadsheet's zero
date) are rejected: no record of the Kivu is dated there, and pandas' timestamps,
which the summaries use, end in 2262."""


def _reject_dates(frame: pd.DataFrame, column: str, written: pd.Series,
                  parsed: pd.Series, rejects: Rejects, *, required: bool) -> pd.Series:
    """Reject unparseable (and, if required, empty) dates and dates out of range;
    return *parsed* with the latter missing too. Days of numpy's kind are compared
    as arrays (pandas' comparisons of a part's days took about 3 ms)."""
    values = parsed.to_numpy()
    if values.dtype.kind == "M" and parsed.index.equals(frame.index) and \
            written.index.equals(frame.index):
        missing, written = np.isnat(values), written.to_numpy(dtype=bool)
        first, last = (np.datetime64(day.date()).astype(values.dtype)
                       for day in (FIRST_DAY, LAST_DAY))
        outside = ~missing & ((values < first) | (values > last))
    else:
        missing, outside = parsed.isna(), parsed.notna() & (
            (parsed < FIRST_DAY) | (parsed > LAST_DAY))
    rejects.add(frame, written & missing, column,
                "unparseable date; expected YYYY-MM-DD, YYYY-MM or YYYY")
    if outside.any():
        rejects.add(frame, outside, column, f"date out of range; expected a day from "
                    f"{FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}")
        parsed = parsed.mask(outside)
    if required:
        rejects.add(frame, ~written, column, "missing date")
    return parsed


def read_dates(frame: pd.DataFrame, column: str, rejects: Rejects, *,
               required: bool) -> pd.Series:
    """Parse a date column, rejecting unparseable (and, if required, empty) values.

    Returns
    -------
    Series
        ``datetime64[s]`` days (a ``YYYY-MM`` or ``YYYY`` date is its first day), NaT
        where the value is empty or rejected.
    """
    written, parsed, _ = _parse_column(frame, column)
    return _reject_dates(frame, column, written, parsed, rejects, required=required)


def _slug(value: str) -> str:
    """Fold accents and case, and join words with '-' ('Mobile population' ->
    'mobile-population')."""
    return re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")


def slug_values(values: pd.Series) -> pd.Series:
    """:func:`_slug` of each value; missing values stay missing."""
    return values.astype("string").map(
        lambda value: _slug(value) if isinstance(value, str) else value
    ).astype("string")


def read_choice(frame: pd.DataFrame, column: str, choices: Sequence[str],
                rejects: Rejects, *, aliases: Mapping[str, str] | None = None,
                default: str | None = None, required: bool = True,
                what: str = "value") -> pd.Series:
    """Read a column of closed choices; reject values outside *choices*.

    Values are compared after :func:`slug_values` (so 'IDPs', 'idps' and ' IDPs '
    agree); *aliases* map other spellings. Empty values take *default*; without one
    they are rejected when *required*, else left missing.

    Returns
    -------
    Series
        The canonical choice of each row (as written in *choices*), missing where
        the row was rejected.
    """
    if column not in frame and (default is not None or not required):
        return repeated_text(default, frame.index) if default is not None else \
            text_values(frame, column)  # a file without the column: no work per row
    text = text_values(frame, column)
    folded = {_slug(c): c for c in choices}  # no frame per choice (0.3 ms each)
    folded.update(aliases or {})
    chosen = per_distinct(text, lambda values: slug_values(values).map(folded)
                          .astype("string"))  # once per distinct value
    unknown = text.notna() & chosen.isna()
    if unknown.any():
        reasons = per_distinct(text.loc[unknown], lambda values: values.map(
            lambda value: _unknown_reason(value, choices, what)).astype(object))
        rejects.add(frame, unknown, column, reasons.reindex(frame.index))
    if default is None and required:
        rejects.add(frame, text.isna(), column, f"missing {what}; expected one of "
                    f"{list(choices)}")
    elif default is not None:
        chosen = chosen.mask(text.isna(), default)
    return chosen


def _unknown_reason(value: str, choices: Sequence[str], what: str) -> str:
    """'unknown kind 'idp's'; expected one of [...]' with the nearest choices first."""
    near = difflib.get_close_matches(fold(value), list(choices), n=3, cutoff=0.5)
    hint = f" (nearest: {near})" if near else ""
    return f"unknown {what} '{value}'; expected one of {list(choices)}{hint}"


def read_dated(frame: pd.DataFrame, column: str, precision_column: str,
               rejects: Rejects, *, required: bool) -> tuple[pd.Series, pd.Series]:
    """Parse a date column as :func:`read_dates` does, and say how exact each date is.

    A ``YYYY-MM`` date is ``month`` and a ``YYYY`` date is ``year`` whatever
    *precision_column* says (the text cannot be more exact than it is); other dates
    take that column's value, ``day`` when it is empty. Where the date is empty, so
    is the precision. Values outside :data:`~geomap.schema.DATE_PRECISIONS` are
    rejected.

    Returns
    -------
    (Series, Series)
        The dates, and one of ``DATE_PRECISIONS`` per row with a date.
    """
    written, dates, partial = _parse_column(frame, column)
    dates = _reject_dates(frame, column, written, dates, rejects, required=required)
    given = read_choice(frame, precision_column, DATE_PRECISIONS, rejects,
                        default="day", what="date precision")
    partial_given, undated = partial.notna().to_numpy(), dates.isna().to_numpy()
    if partial_given.any():
        given = given.mask(partial_given, partial)
    return dates, blank_where(given, undated)


def _partial_precision(written: pd.Series) -> pd.Series:
    """'month' for ``YYYY-MM``, 'year' for ``YYYY``, missing for other text."""
    month = written.str.match(_MONTH_ONLY).fillna(False).astype(bool)
    year = written.str.match(_YEAR_ONLY).fillna(False).astype(bool)
    partial = pd.Series(pd.NA, index=written.index, dtype="string")
    return partial.mask(month, "month").mask(year, "year")
