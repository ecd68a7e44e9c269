"""Parse full and partial ISO dates (YYYY, YYYY-MM, YYYY-MM-DD) without row loops."""

from __future__ import annotations

import pandas as pd

_PARTIAL_YEAR = r"^\s*(-?\d{4})\s*$"
_PARTIAL_MONTH = r"^\s*(-?\d{4})-(\d{1,2})\s*$"


def parse_dates(values: pd.Series) -> pd.Series:
    """Return *values* as ``datetime64[s]`` days; unparseable or empty become NaT.

    A year alone stands for its first day and a year-month for the first of that month,
    so ``'2025'`` and ``'2025-01'`` both give 2025-01-01. Dates before 1970 work.

    Examples
    --------
    >>> parse_dates(pd.Series(["2025", "2025-02", "1962-06-30", "soon"])).dt.strftime(
    ...     "%Y-%m-%d").tolist()
    ['2025-01-01', '2025-02-01', '1962-06-30', nan]
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize(None).dt.floor("D").astype("datetime64[s]") \
            if getattr(values.dt, "tz", None) is not None \
            else values.dt.floor("D").astype("datetime64[s]")
    text = values.astype("string").str.strip()
    text = text.str.replace(_PARTIAL_YEAR, r"\1-01-01", regex=True)
    text = text.str.replace(_PARTIAL_MONTH, r"\1-\2-01", regex=True)
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    return parsed.dt.floor("D").astype("datetime64[s]")


def parse_date(text: str) -> pd.Timestamp:
    """Parse one date as :func:`parse_dates` does; raise ValueError when it fails."""
    parsed = parse_dates(pd.Series([text]))[0]
    if pd.isna(parsed):
        msg = f"expected a date such as 2025-02-20, 2025-02 or 2025 but got '{text}'"
        raise ValueError(msg)
    return parsed
