"""Control over time: what changed hands between two dates, and the slider's data."""

from __future__ import annotations

import pandas as pd

from .aggregate import resolve_control
from .schema import CONTESTED_COLOR, actor_for

CHANGE_COLUMNS = ("place", "name", "actor_before", "actor_after", "confidence",
                  "changed_on", "source", "url", "note")


def changes_between(control: pd.DataFrame, places: pd.DataFrame, before: pd.Timestamp,
                    after: pd.Timestamp) -> pd.DataFrame:
    """List the places whose holder on *after* differs from the one on *before*.

    Returns
    -------
    DataFrame
        One row per place that changed hands: the actor on each date (empty when no
        record was in force), and the record that made the change (its start date,
        source, URL and note). Sorted by date of change, then name.
    """
    old = resolve_control(control, before)
    new = resolve_control(control, after)
    both = old[["actor"]].rename(columns={"actor": "actor_before"}).join(new, how="outer")
    both = both.rename(columns={"actor": "actor_after", "since": "changed_on"})
    changed = both.loc[both["actor_before"].fillna("") != both["actor_after"].fillna("")]
    names = places.set_index("place")["name"]
    table = changed.assign(name=changed.index.map(names)).reset_index()
    table = table.sort_values(["changed_on", "name"], na_position="first", kind="stable")
    return table.reindex(columns=CHANGE_COLUMNS).reset_index(drop=True)


def slider_data(control: pd.DataFrame) -> dict:
    """Per place, the control intervals as ISO text, and the dates the slider stops at.

    Returns
    -------
    dict
        ``intervals``: place -> list of ``[start, end, colour, confidence, actor name]``
        (empty start or end as ``""``); ``dates``: sorted distinct record dates.
    """
    linked = control.loc[control["place"].notna()].sort_values(["place", "start"],
                                                               na_position="first")
    start = linked["start"].dt.strftime("%Y-%m-%d").fillna("")
    end = linked["end"].dt.strftime("%Y-%m-%d").fillna("")
    colours = linked["actor"].map(lambda a: actor_for(a).color)
    labels = linked["actor"].map(lambda a: actor_for(a).label)
    intervals: dict[str, list] = {}
    for place, *record in zip(linked["place"], start, end, colours, linked["confidence"],
                              labels, strict=True):
        intervals.setdefault(place, []).append(record)
    dates = sorted({d for d in (*start, *end) if d})
    return {"intervals": intervals, "dates": dates, "contested": CONTESTED_COLOR}
