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


def _day_text(day: pd.Timestamp, *, month: bool = True, year: bool = True) -> str:
    """'19 Jan 2025', '19 Jan' or '19' (no leading zero)."""
    parts = [str(day.day)]
    if month:
        parts.append(day.strftime("%b"))
    if year:
        parts.append(str(day.year))
    return " ".join(parts)


def _span_text(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """'19–21 Jan 2025', '30 Jan–2 Feb 2025' or '30 Dec 2025–2 Jan 2026'."""
    if first.year != last.year:
        return f"{_day_text(first)}–{_day_text(last)}"
    if first.month != last.month:
        return f"{_day_text(first, year=False)}–{_day_text(last)}"
    return f"{_day_text(first, month=False, year=False)}–{_day_text(last)}"


def describe_date(day: object, precision: object = "day", *,
                  until: object = None) -> str:
    """Write a date as exactly as it is known, for tables, popups and the report.

    Parameters
    ----------
    day : Timestamp or None
        The date (for a month or a year, its first day).
    precision : str, optional
        One of ``DATE_PRECISIONS`` (geomap.schema); missing means ``day``.
    until : Timestamp, optional
        The other end of a range or the last day of a multi-day event.

    Returns
    -------
    str
        '' when *day* is missing.

    Examples
    --------
    >>> day = pd.Timestamp("2025-01-19")
    >>> describe_date(day, "range", until=pd.Timestamp("2025-01-21"))
    '19–21 Jan 2025'
    >>> describe_date(pd.Timestamp("2025-12-10"), "approximate")
    'about 10 Dec 2025'
    >>> describe_date(pd.Timestamp("2025-03-01"), "month")
    'Mar 2025'
    >>> describe_date(pd.Timestamp("2024-03-08"), "bound")
    '8 Mar 2024 (a limit, not the day)'
    """
    if day is None or pd.isna(day):
        return ""
    day = pd.Timestamp(day)
    precision = precision if isinstance(precision, str) and precision else "day"
    last = pd.Timestamp(until) if until is not None and not pd.isna(until) else None
    if precision == "year":
        return str(day.year)
    if precision == "month":
        text = day.strftime("%b %Y")
        return text if last is None else f"{text} (to {_day_text(last)})"
    text = _day_text(day) if last is None or last <= day else _span_text(day, last)
    if precision == "approximate":
        return f"about {text}"
    if precision == "range":
        return text if last is not None and last > day else f"{text} (within a range)"
    if precision == "bound":
        return f"{text} (a limit, not the day)"
    if precision == "last-reported":
        return f"last reported {text}"
    return text
