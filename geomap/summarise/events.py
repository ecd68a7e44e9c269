"""Dated events beside the control record: which fell near a date, and what changed
hands around each."""

from __future__ import annotations

import pandas as pd

from geomap.dates import describe_date
from geomap.words import DEFAULT_LANG, word

EVENT_WINDOW_DAYS = 14
"""Changes of control listed beside an event: those within this many days of it."""
EVENT_COLUMNS = ("date", "end", "date_precision", "date_text", "kind", "title",
                 "place", "pcode", "source", "source_kind", "url", "license", "note",
                 "changes_nearby")
"""Columns of the events table (``events.csv``), one row per event, by date."""
NEARBY_COLUMNS = ("event", "event_date", "event_title", "place", "name", "changed_on",
                  "changed_on_text", "days_from_event", "actor_before",
                  "actor_after", "actor_before_name", "actor_after_name",
                  "confidence", "source", "url")
"""Columns of the table of changes of control near each event (one row per pair)."""


def _last_day(events: pd.DataFrame) -> pd.Series:
    """The last day of each event: its ``end``; else the last day of its month or
    year when only that is known; else its ``date``."""
    precision = (events["date_precision"].astype(object) if "date_precision" in events
                 else pd.Series("day", index=events.index, dtype=object))
    last = events["date"].where(precision != "month",
                                events["date"] + pd.offsets.MonthEnd(0))
    last = last.where(precision != "year", events["date"] + pd.offsets.YearEnd(0))
    return events["end"].where(events["end"].notna(), last)


def events_between(events: pd.DataFrame, first: pd.Timestamp,
                   last: pd.Timestamp) -> pd.DataFrame:
    """The events that overlap the days from *first* to *last* (both included).

    An event known only to its month (or year) spans that whole month (or year).

    Returns
    -------
    DataFrame
        A copy of those rows of *events*, by date.

    Examples
    --------
    >>> events = pd.DataFrame({"date": pd.to_datetime(["2025-06-27", "2025-07-19"]),
    ...                        "end": pd.to_datetime([None, None]),
    ...                        "date_precision": ["day", "day"],
    ...                        "title": ["Washington", "Doha"]})
    >>> events_between(events, pd.Timestamp("2025-07-01"),
    ...                pd.Timestamp("2025-07-31"))["title"].tolist()
    ['Doha']
    """
    overlap = (events["date"] <= last) & (_last_day(events) >= first)
    return events.loc[overlap].sort_values("date", kind="stable").copy()


def events_near(events: pd.DataFrame, day: pd.Timestamp, *,
                days: int = EVENT_WINDOW_DAYS) -> pd.DataFrame:
    """The events within *days* days of *day* (before or after), by date."""
    window = pd.Timedelta(days=days)
    return events_between(events, day - window, day + window)


def changes_near_events(events: pd.DataFrame, handovers: pd.DataFrame, *,
                        days: int = EVENT_WINDOW_DAYS) -> pd.DataFrame:
    """Pair each event with the changes of control within *days* days of it.

    Parameters
    ----------
    events : DataFrame
        Validated events (``date``, ``end``, ``title``, ...).
    handovers : DataFrame
        From :func:`geomap.summarise.handovers.list_handovers`.
    days : int, optional
        Days before the event's first day and after its last day.

    Returns
    -------
    DataFrame
        :data:`NEARBY_COLUMNS`: ``event`` is the event's position in *events*,
        ``days_from_event`` is negative before the event, 0 during it and positive
        after it. By event, then day of change, then place name.
    """
    if events.empty or handovers.empty:
        return pd.DataFrame(columns=list(NEARBY_COLUMNS))
    window = pd.Timedelta(days=days)
    spans = pd.DataFrame({"event": range(len(events)),
                          "event_date": events["date"].to_numpy(),
                          "event_last": _last_day(events).to_numpy(),
                          "event_title": events["title"].to_numpy()})
    # every event against every change at once, then the pairs within the window
    # only (by event, then in the handovers' order), rather than all pairs made
    changed_on = pd.DatetimeIndex(handovers["changed_on"]).to_numpy()[None, :]
    near = ((changed_on >= (pd.DatetimeIndex(spans["event_date"]) - window)
             .to_numpy()[:, None])
            & (changed_on <= (pd.DatetimeIndex(spans["event_last"]) + window)
               .to_numpy()[:, None]))
    event, change = near.nonzero()
    pairs = pd.concat([spans.iloc[event].reset_index(drop=True),
                       handovers.iloc[change].reset_index(drop=True)], axis=1)
    before = (pairs["changed_on"] - pairs["event_date"]).dt.days
    after = (pairs["changed_on"] - pairs["event_last"]).dt.days
    pairs = pairs.assign(days_from_event=before.where(before < 0, after.clip(lower=0)))
    pairs = pairs.sort_values(["event", "changed_on", "name"], kind="stable")
    return pairs.reindex(columns=list(NEARBY_COLUMNS)).reset_index(drop=True)


def summarise_events(events: pd.DataFrame | None, handovers: pd.DataFrame, *,
                     days: int = EVENT_WINDOW_DAYS, lang: str = DEFAULT_LANG
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events table for the page and the report, and the changes near each event.

    Returns
    -------
    (DataFrame, DataFrame)
        :data:`EVENT_COLUMNS`, one row per event by date, ``date_text`` written as
        exactly as the date is known ('about 12–15 September 2025', 'April 2025',
        in *lang*) and ``changes_nearby`` listing the changes of control within
        *days* days ('Numbi: FARDC → M23/AFC, 19–21 January 2025; ...'); and the
        table of
        :func:`changes_near_events`. Both empty when there are no events (None).
    """
    if events is None or events.empty:
        return (pd.DataFrame(columns=list(EVENT_COLUMNS)),
                pd.DataFrame(columns=list(NEARBY_COLUMNS)))
    events = events.reset_index(drop=True)
    nearby = changes_near_events(events, handovers, days=days)
    none = word("no_record", lang)
    lines = pd.Series([word("change_line", lang, place=place, before=before or none,
                            after=after or none, date=date)
                       for place, before, after, date in zip(
                           nearby["name"].astype(str),
                           nearby["actor_before_name"].astype(object).fillna(""),
                           nearby["actor_after_name"].astype(object).fillna(""),
                           nearby["changed_on_text"].astype(str), strict=True)],
                      index=nearby.index, dtype=object)
    listed = lines.groupby(nearby["event"]).agg("; ".join) if len(lines) else {}
    table = events.assign(
        date_text=[describe_date(day, precision, until=end, lang=lang)
                   for day, precision, end
                   in zip(events["date"], events["date_precision"], events["end"],
                          strict=True)],
        changes_nearby=[listed.get(index, "") for index in range(len(events))])
    return table.reindex(columns=list(EVENT_COLUMNS)), nearby
