"""Control over time: what changed hands between two dates, and the slider's data."""

from __future__ import annotations

import pandas as pd

from geomap.actors import CONTESTED_COLOR, actor_for, holder_since, resolve_control

CHANGE_COLUMNS = ("place", "name", "actor_before", "actor_after", "confidence",
                  "changed_on", "source", "url", "note")
"""Columns of ``changes.csv`` (``people`` and ``people_as_of`` follow)."""


def changes_between(control: pd.DataFrame, places: pd.DataFrame, before: pd.Timestamp,
                    after: pd.Timestamp) -> pd.DataFrame:
    """List the places whose holder on *after* differs from the one on *before*.

    Returns
    -------
    DataFrame
        One row per place that changed hands: the actor on each date (empty when no
        record was in force), the day the new holder's unbroken run of records began
        (``changed_on``), and the record in force on *after* (source, URL, note).
        Sorted by date of change, then name.
    """
    old = resolve_control(control, before)
    new = resolve_control(control, after)
    both = old[["actor"]].rename(columns={"actor": "actor_before"}).join(new, how="outer")
    both = both.rename(columns={"actor": "actor_after"})
    changed = both.loc[both["actor_before"].fillna("") != both["actor_after"].fillna("")]
    names = places.drop_duplicates("place").set_index("place")["name"]
    held = changed.index[changed["actor_after"].notna()]
    starts = holder_since(control, held, after)  # the rule of every output's "since"
    table = changed.assign(name=changed.index.map(names),
                           changed_on=starts.reindex(changed.index)).reset_index()
    table = table.sort_values(["changed_on", "name"], na_position="first", kind="stable")
    return table.reindex(columns=CHANGE_COLUMNS).reset_index(drop=True)


def add_changed_people(changes: pd.DataFrame, areas: pd.DataFrame, actors: pd.DataFrame
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add people displaced to the changes, and per actor in the places it gained.

    Returns
    -------
    (DataFrame, DataFrame)
        *changes* with ``people`` and ``people_as_of`` (the place's figure as of the
        date, missing where there is none), and *actors* with
        ``people_in_places_gained``: the figures of places that changed hands to the
        actor, counting only figures dated on or after the change (missing when none
        does).
    """
    figures = areas.drop_duplicates("place").set_index("place")
    people = changes["place"].map(figures["people"]).astype("Int64")
    dated = pd.to_datetime(changes["place"].map(figures["people_as_of"]))
    changes = changes.assign(people=people, people_as_of=dated)
    since_change = people.notna() & (changes["changed_on"].isna()
                                     | (dated >= changes["changed_on"]))
    gained = people.where(since_change).groupby(changes["actor_after"]).sum(min_count=1)
    actors = actors.assign(people_in_places_gained=actors["actor"].map(gained)
                           .astype("Int64"))
    return changes, actors


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
