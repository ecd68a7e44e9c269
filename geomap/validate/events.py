"""Check the dated events (talks, agreements, deployments, ...) shown beside control."""

from __future__ import annotations

import pandas as pd

from geomap.schema import EVENT_KINDS, ROW, SOURCE_KINDS
from geomap.validate.choices import read_choice, read_dated, read_dates
from geomap.validate.parsing import text_values
from geomap.validate.rejects import Rejects

EVENT_TEXT = ("place", "pcode", "source", "url", "note", "license")
"""Free-text columns of an event, kept as written (stripped; empty is missing)."""


def validate_events(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check a table of dated events; return the good rows and the rejects table.

    Parameters
    ----------
    frame : DataFrame
        Raw rows under canonical names (``date``, ``end``, ``date_precision``,
        ``kind``, ``title``, ``place``, ``pcode``, ``source``, ``source_kind``,
        ``url``, ``note``, ``license``) with ``_row``.

    Returns
    -------
    (DataFrame, DataFrame)
        Events with a parsed ``date`` and its ``date_precision`` (see
        :data:`~geomap.schema.DATE_PRECISIONS`), an optional ``end`` (the last
        day, on or after ``date``), a ``kind`` among
        :data:`~geomap.schema.EVENT_KINDS` ('other' when empty) and a ``title``,
        sorted by date; and one rejects row per problem found. A new frame: the
        input is not changed.

    Examples
    --------
    >>> raw = pd.DataFrame({"date": ["2025-06-27", "soon"], "title": ["A", "B"],
    ...                     "_row": [1, 2]})
    >>> events, rejects = validate_events(raw)
    >>> events["title"].tolist(), rejects["reason"].tolist()
    (['A'], ['unparseable date; expected YYYY-MM-DD, YYYY-MM or YYYY'])
    """
    rejects = Rejects("events")
    frame = pd.DataFrame(frame).copy()
    if ROW not in frame:
        frame[ROW] = pd.RangeIndex(1, len(frame) + 1)
    frame["date"], frame["date_precision"] = read_dated(
        frame, "date", "date_precision", rejects, required=True)
    frame["end"] = read_dates(frame, "end", rejects, required=False)
    backwards = frame["end"].notna() & frame["date"].notna() & (frame["end"] < frame["date"])
    rejects.add(frame, backwards, "end", "the last day is before the first day")
    frame["kind"] = read_choice(frame, "kind", EVENT_KINDS, rejects, default="other",
                                what="event kind")
    frame["source_kind"] = read_choice(frame, "source_kind", SOURCE_KINDS, rejects,
                                       required=False, what="source kind")
    frame["title"] = text_values(frame, "title")
    rejects.add(frame, frame["title"].isna(), "title", "missing title")
    for column in EVENT_TEXT:
        frame[column] = text_values(frame, column)
    frame["pcode"] = frame["pcode"].str.upper()
    bad = frame[ROW].isin(rejects.rejected_array())
    columns = ["date", "end", "date_precision", "kind", "title", *EVENT_TEXT,
               "source_kind", ROW]
    events = frame.loc[~bad, columns].sort_values(["date", ROW], kind="stable")
    return events.reset_index(drop=True), rejects.table()
