"""The control record as a list of handovers, each dated as exactly as it is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.actors import in_force, resolve_control_days
from geomap.dates import describe_date
from geomap.words import DEFAULT_LANG, actor_name

HANDOVER_COLUMNS = ("place", "name", "changed_on", "changed_on_text", "actor_before",
                    "actor_after", "actor_before_name", "actor_after_name",
                    "confidence", "source", "url")
_ONE_DAY = pd.Timedelta(days=1)
SUMMARISED = ("place", "actor", "start", "end", "confidence", "source", "url", "note",
              "start_precision", "end_precision")
"""The columns of the control records that the summaries read."""


def _precision(control: pd.DataFrame, side: str) -> pd.Series:
    """The ``start_precision``/``end_precision`` column, 'day' where the file has none."""
    column = f"{side}_precision"
    if column in control:
        return control[column].astype(object).where(control[column].notna(), "day")
    return pd.Series("day", index=control.index, dtype=object)


def _in_force(records: list[tuple[pd.Timestamp, pd.Timestamp]],
              day: pd.Timestamp) -> bool:
    """True when some record of *records* (start, end: NaT where open) is in force
    on *day*: :func:`geomap.actors.in_force` for one place's few records."""
    return any(bool(in_force(start, end, day)) for start, end in records)


def describe_control_dates(control: pd.DataFrame, *,
                           lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Write each record's start and end as exactly as they are known.

    A ``range`` date is one end of the days within which the change happened: when
    the place has no record in force between this record and its neighbour (the
    days the sources leave open), the range runs from one to the other, e.g.
    Numbi '19–21 January 2025'. Other precisions read 'about 10 December 2025',
    'March 2025', '8 March 2024 (a limit, not the day)' or 'last reported 17
    January 2026' (in *lang*: see :func:`geomap.dates.describe_date`).

    Returns
    -------
    DataFrame
        Indexed like *control*: ``start_text`` and ``end_text`` ('' where the date
        is empty).
    """
    start_precision = _precision(control, "start").tolist()
    end_precision = _precision(control, "end").tolist()
    start_text, end_text = [""] * len(control), [""] * len(control)
    first, last = control["start"].tolist(), control["end"].tolist()  # Timestamps
    rows_of: dict[object, list[int]] = {}  # each place's records, by position
    for at, (place, unlinked) in enumerate(zip(
            control["place"].tolist(), control["place"].isna().tolist(), strict=True)):
        if not unlinked:
            rows_of.setdefault(place, []).append(at)
    for rows in rows_of.values():
        records = [(first[at], last[at]) for at in rows]
        ends = [end for _, end in records if pd.notna(end)]
        starts = [start for start, _ in records if pd.notna(start)]
        for at in rows:
            start = given = first[at]
            end, until = last[at], None
            if pd.notna(start) and start_precision[at] == "range":
                before = [day for day in ends if day < start]
                if before and not _in_force(records, max(before)):
                    start, until = max(before), given
            start_text[at] = describe_date(start, start_precision[at], until=until,
                                           lang=lang)
            until = None
            if pd.notna(end) and end_precision[at] == "range":
                after = [day for day in starts if day > end]
                if after and not _in_force(records, end):
                    until = min(after)
            end_text[at] = describe_date(end, end_precision[at], until=until, lang=lang)
    return pd.DataFrame({"start_text": pd.Series(start_text, dtype=object),
                         "end_text": pd.Series(end_text, dtype=object)}
                        ).set_axis(control.index)


def with_date_texts(control: pd.DataFrame, *, lang: str = DEFAULT_LANG
                    ) -> pd.DataFrame:
    """*control* (linked records only) with ``start_text`` and ``end_text`` added
    (see :func:`describe_control_dates`), so later steps write them only once.

    Returns
    -------
    DataFrame
        A plain frame of the columns of :data:`SUMMARISED` that *control* has, and
        the texts: the summaries copy and cut the records many times, and neither
        the geometry nor the file's other columns are read there.
    """
    linked = control.loc[control["place"].notna()]
    texts = describe_control_dates(linked, lang=lang)
    return pd.DataFrame(linked[[c for c in SUMMARISED if c in linked.columns]]).join(
        texts)


def _texts(linked: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The records' date texts: carried by :func:`with_date_texts`, else written."""
    if {"start_text", "end_text"} <= set(linked.columns):
        return linked[["start_text", "end_text"]]
    return describe_control_dates(linked, lang=lang)


def holders_on(control: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """Who held each place on each day of *days*, by the one holder rule.

    Parameters
    ----------
    control : DataFrame
        Linked control records (``place``, ``actor``, ``start``, ``end``, ...).
    days : DataFrame
        ``place`` and ``day`` columns, one row per question.

    Returns
    -------
    DataFrame
        One row per row of *days*, in order (index 0..n-1): ``actor`` (missing
        where no record is in force), ``confidence``, ``source``, ``url``; from
        :func:`geomap.actors.resolve_control_days`.
    """
    wanted = pd.DatetimeIndex(days["day"]).as_unit("ns")
    held = resolve_control_days(control, list(wanted.unique()))
    held.index = held.index.set_levels(
        pd.DatetimeIndex(held.index.levels[0]).as_unit("ns"), level="day")
    asked = pd.MultiIndex.from_arrays([wanted, days["place"].to_numpy()],
                                      names=["day", "place"])
    found = held.reindex(asked)[["actor", "confidence", "source", "url"]]
    return found.reset_index(drop=True)


def list_handovers(control: pd.DataFrame, places: pd.DataFrame, *,
                   lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Every day a place changed holder in the record, dated as exactly as known.

    A handover is a day whose holder differs from the day before's (an actor, two
    actors at once: 'contested', or no record). Days the sources leave open between
    two holders are folded into one handover, dated by the range they span (Numbi,
    FARDC to M23/AFC, '19–21 January 2025'), except where the same actor is on both
    sides (a withdrawal and a return stay two handovers).

    Returns
    -------
    DataFrame
        :data:`HANDOVER_COLUMNS`, sorted by day, then name: ``changed_on`` is the
        first day of the new holder, ``confidence``, ``source`` and ``url`` are those
        of the record in force on it.
    """
    linked = control.loc[control["place"].notna()]
    texts = _texts(linked, lang)
    bounds = pd.concat([
        pd.DataFrame({"place": linked["place"], "day": linked["start"],
                      "text": texts["start_text"]}),
        pd.DataFrame({"place": linked["place"], "day": linked["end"],
                      "text": texts["end_text"]})]).dropna(subset=["day"])
    # a day on which one record starts says more than one that ends on it
    bounds = bounds.drop_duplicates(["place", "day"], keep="first")
    bounds = bounds.sort_values(["place", "day"], kind="stable").reset_index(drop=True)
    both = holders_on(linked, pd.concat([bounds.assign(day=bounds["day"] - _ONE_DAY),
                                         bounds], ignore_index=True))  # one lookup
    before = both.iloc[:len(bounds)].reset_index(drop=True)
    after = both.iloc[len(bounds):].reset_index(drop=True)
    changed = before["actor"].fillna("") != after["actor"].fillna("")
    table = pd.DataFrame({
        "place": bounds["place"], "changed_on": bounds["day"],
        "changed_on_text": bounds["text"],
        "actor_before": before["actor"], "actor_after": after["actor"],
        "confidence": after["confidence"], "source": after["source"],
        "url": after["url"]}).loc[changed].reset_index(drop=True)
    table = _fold_gaps(table, lang)
    names = places.drop_duplicates("place").set_index("place")["name"]
    table["name"] = table["place"].map(names)
    table["actor_before_name"] = table["actor_before"].map(lambda a: actor_name(a, lang))
    table["actor_after_name"] = table["actor_after"].map(lambda a: actor_name(a, lang))
    table = table.sort_values(["changed_on", "name"], kind="stable", ignore_index=True)
    return table.reindex(columns=HANDOVER_COLUMNS)


def _fold_gaps(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Fold 'X to no record' then 'no record to Y' (X != Y) into one ranged handover."""
    keep = pd.Series(True, index=table.index)
    table = table.copy()
    place, day = table["place"].tolist(), table["changed_on"].tolist()
    before, after = table["actor_before"].tolist(), table["actor_after"].tolist()
    for index in range(len(table) - 1):  # a row folded into is read folded
        if (place[index] == place[index + 1] and pd.isna(after[index])
                and pd.notna(before[index]) and pd.isna(before[index + 1])
                and after[index + 1] != before[index]):
            before[index + 1] = before[index]
            table.loc[index + 1, "actor_before"] = before[index]
            table.loc[index + 1, "changed_on_text"] = describe_date(
                day[index], "range", until=day[index + 1], lang=lang)
            keep[index] = False
    return table.loc[keep].reset_index(drop=True)


def _start_of(control: pd.DataFrame, texts: pd.DataFrame, place: pd.Series,
              day: pd.Series, actor: pd.Series | None = None) -> pd.DataFrame:
    """``precision`` and ``text`` of the record of *place* (and *actor*) starting on
    *day*, row by row; empty where there is none."""
    keys, wanted = [control["place"].tolist(), control["start"].tolist()], \
        [place.tolist(), day.tolist()]
    if actor is not None:
        keys.append(control["actor"].tolist())
        wanted.append(actor.tolist())
    found: dict[tuple, tuple[object, object]] = {}
    for key, dated, precision, text in zip(
            zip(*keys, strict=True), control["start"].notna().tolist(),
            _precision(control, "start").tolist(), texts["start_text"].tolist(),
            strict=True):
        if dated:  # the last record of a key counts
            found[key] = (precision, text)
    pairs = [found.get(key, (np.nan, np.nan)) for key in zip(*wanted, strict=True)]
    return pd.DataFrame({"precision": pd.Series([p for p, _ in pairs], dtype=object),
                         "text": pd.Series([t for _, t in pairs], dtype=object)}
                        ).set_axis(place.index)


def add_since_text(areas: pd.DataFrame, control: pd.DataFrame, *,
                   lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Add ``since_precision`` and ``since_text`` after ``since`` in the place summary.

    ``since`` is the start of the record in force; these say how exact it is and
    write it so ('19–21 January 2025', 'about 10 December 2025'). Returns a new
    frame.
    """
    linked = control.loc[control["place"].notna()]
    found = _start_of(linked, _texts(linked, lang), areas["place"],
                      areas["since"])
    table = areas.copy()
    at = list(table.columns).index("since") + 1
    table.insert(at, "since_precision", found["precision"].where(areas["since"].notna()))
    table.insert(at + 1, "since_text", found["text"].where(areas["since"].notna(), ""))
    return table


def add_changed_on_text(changes: pd.DataFrame, control: pd.DataFrame, *,
                        lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """Add ``changed_on_precision`` and ``changed_on_text`` after ``changed_on``.

    ``changed_on`` is the first day of the new holder's run of records; these come
    from that run's first record. Returns a new frame.
    """
    linked = control.loc[control["place"].notna()]
    found = _start_of(linked, _texts(linked, lang), changes["place"],
                      changes["changed_on"], changes["actor_after"])
    table = changes.copy()
    at = list(table.columns).index("changed_on") + 1
    dated = changes["changed_on"].notna()
    table.insert(at, "changed_on_precision", found["precision"].where(dated))
    text = found["text"].where(found["text"].notna(), changes["changed_on"].map(
        lambda day: describe_date(day, lang=lang)))
    table.insert(at + 1, "changed_on_text", text.where(dated, ""))
    return table
