"""Parse full and partial ISO dates (YYYY, YYYY-MM, YYYY-MM-DD) without row loops."""

from __future__ import annotations

import pandas as pd

from geomap.words import MONTHS, format_date, word

_PARTIAL_YEAR = r"^\s*(-?\d{4})\s*$"
_PARTIAL_MONTH = r"^\s*(-?\d{4})-(\d{1,2})\s*$"
_ZONE = r"([T ][\d:.,]+)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
"""A time's zone (``Z``, ``+02:00``, ``-0500``) after an ISO date and time: dropped,
so the day is the one written (KoBo and ODK exports stamp records so)."""


def parse_dates(values: pd.Series) -> pd.Series:
    """Return *values* as ``datetime64[s]`` days; unparseable or empty become NaT.

    A year alone stands for its first day and a year-month for the first of that month,
    so ``'2025'`` and ``'2025-01'`` both give 2025-01-01. Dates before 1970 work. A
    date and time with a zone (``2025-01-05T23:30+02:00``) gives the day written
    there, 5 January, whatever the zones of the other values.

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
    text = text.str.replace(_ZONE, r"\1", regex=True)
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    return parsed.dt.floor("D").astype("datetime64[s]")


def parse_date(text: str) -> pd.Timestamp:
    """Parse one date as :func:`parse_dates` does; raise ValueError when it fails."""
    parsed = parse_dates(pd.Series([text]))[0]
    if pd.isna(parsed):
        msg = f"expected a date such as 2025-02-20, 2025-02 or 2025 but got '{text}'"
        raise ValueError(msg)
    return parsed



def _span(first: pd.Timestamp, last: pd.Timestamp, lang: str) -> str:
    """'19–21 January 2025', '30 January–2 February 2025', or across two years."""
    if first.year != last.year:
        return f"{format_date(first, lang)}–{format_date(last, lang)}"
    if first.month != last.month:
        number = format_date(first, lang).rsplit(" ", 1)[0]  # '30 January'
        return f"{number}–{format_date(last, lang)}"
    number = "1er" if lang == "fr" and first.day == 1 else str(first.day)
    return f"{number}–{last.day} {MONTHS[lang][last.month - 1]} {last.year}"


def describe_date(day: object, precision: object = "day", *, until: object = None,
                  lang: str = "en") -> str:
    """Write a date as exactly as it is known, for tables, popups and the report.

    Parameters
    ----------
    day : Timestamp or None
        The date (for a month or a year, its first day).
    precision : str, optional
        One of ``DATE_PRECISIONS`` (geomap.schema); missing means ``day``.
    until : Timestamp, optional
        The other end of a range, or the last day of a multi-day event.
    lang : {'en', 'fr'}, optional
        The language written (see :mod:`geomap.words`).

    Returns
    -------
    str
        '' when *day* is missing.

    Examples
    --------
    >>> day = pd.Timestamp("2025-01-19")
    >>> describe_date(day, "range", until=pd.Timestamp("2025-01-21"))
    '19–21 January 2025'
    >>> describe_date(pd.Timestamp("2025-12-10"), "approximate")
    'about 10 December 2025'
    >>> describe_date(pd.Timestamp("2025-03-01"), "month", lang="fr")
    'mars 2025'
    >>> describe_date(pd.Timestamp("2024-03-08"), "bound")
    '8 March 2024 (a limit, not the day)'
    """
    if day is None or pd.isna(day):
        return ""
    day = pd.Timestamp(day)
    precision = precision if isinstance(precision, str) and precision else "day"
    last = pd.Timestamp(until) if until is not None and not pd.isna(until) else None
    if precision in ("month", "year"):
        text = format_date(day, lang, precision=precision)
        return text if last is None else word("date_to", lang, first=text,
                                               last=format_date(last, lang))
    spans = last is not None and last > day
    text = _span(day, last, lang) if spans else format_date(day, lang)
    if precision == "range" and not spans:
        return word("date_within_range", lang, date=text)
    phrase = {"approximate": "date_about", "bound": "date_limit",
              "last-reported": "date_last_reported"}.get(precision)
    return word(phrase, lang, date=text) if phrase else text
