"""Control over time: what changed hands between two dates, and the slider's data."""

from __future__ import annotations

import pandas as pd

from geomap.actors import CONTESTED_COLOR, actor_for, resolve_control

CHANGE_COLUMNS = ("place", "name", "actor_before", "actor_after", "confidence",
                  "changed_on", "source", "url", "note")


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
    names = places.set_index("place")["name"]
    starts = {place: run_start(control.loc[control["place"] == place], actor, after)
              for place, actor in changed["actor_after"].items()}
    table = changed.assign(name=changed.index.map(names),
                           changed_on=changed.index.map(starts)).reset_index()
    table = table.sort_values(["changed_on", "name"], na_position="first", kind="stable")
    return table.reindex(columns=CHANGE_COLUMNS).reset_index(drop=True)


def add_changed_people(changes: pd.DataFrame, areas: pd.DataFrame, actors: pd.DataFrame
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add people displaced to the changes, and per actor in the places it gained.

    Returns
    -------
    (DataFrame, DataFrame)
        *changes* with ``people`` (displaced in that place as of the date), and
        *actors* with ``people_in_places_gained`` (in places that changed hands to
        the actor since the comparison date).
    """
    people = areas.set_index("place")["people"]
    changes = changes.assign(people=changes["place"].map(people).fillna(0).astype("int64"))
    gained = changes.groupby("actor_after")["people"].sum()
    actors = actors.assign(people_in_places_gained=actors["actor"].map(gained)
                           .fillna(0).astype("int64"))
    return changes, actors


def run_start(records: pd.DataFrame, actor: object, day: pd.Timestamp) -> object:
    """The start of *actor*'s unbroken run of records that is in force on *day*.

    Records of the same actor that follow each other without a gap (one starts on or
    before the day the previous one ends) form one run: a capture first reported as
    contested and then confirmed changed hands on the first day.
    """
    own = records.loc[(records["actor"] == actor)
                      & (records["start"].isna() | (records["start"] <= day))]
    own = own.sort_values("start", na_position="first")
    start, previous_end, first = pd.NaT, pd.NaT, True
    for record_start, record_end in zip(own["start"], own["end"], strict=True):
        gap = pd.notna(previous_end) and pd.notna(record_start) and \
            record_start > previous_end
        if first or gap:
            start, first = record_start, False
        previous_end = record_end
    return start


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
