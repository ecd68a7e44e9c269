"""Control over time: what changed hands between two dates, and every place on every day."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.actors import (
    holder_since,
    holder_since_days,
    resolve_control,
    resolve_control_days,
)
from geomap.summarise.within import Surroundings

CHANGE_COLUMNS = ("place", "name", "actor_before", "actor_after", "confidence",
                  "changed_on", "source", "url", "note")
"""Columns of ``changes.csv`` (``people`` and ``people_as_of`` follow)."""


def changes_between(control: pd.DataFrame, places: pd.DataFrame, compare: pd.Timestamp,
                    as_of: pd.Timestamp) -> pd.DataFrame:
    """List the places whose holder on *as_of* differs from the one on *compare*.

    Returns
    -------
    DataFrame
        One row per place that changed hands: the actor on each date (empty when no
        record was in force), the day the new holder's unbroken run of records began
        (``changed_on``), and the record in force on *as_of* (source, URL, note).
        Sorted by date of change, then name.
    """
    old = resolve_control(control, compare)
    new = resolve_control(control, as_of)
    both = old[["actor"]].rename(columns={"actor": "actor_before"}).join(new, how="outer")
    both = both.rename(columns={"actor": "actor_after"})
    changed = both.loc[both["actor_before"].fillna("") != both["actor_after"].fillna("")]
    names = places.drop_duplicates("place").set_index("place")["name"]
    held = changed.index[changed["actor_after"].notna()]
    starts = holder_since(control, held, as_of)  # the rule of every output's "since"
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


def slider_days(control: pd.DataFrame, as_of: pd.Timestamp) -> list[pd.Timestamp]:
    """The days the slider stops at: every record's start and end, and the as-of day.

    Examples
    --------
    >>> control = pd.DataFrame({"start": pd.to_datetime(["2025-01-27", None]),
    ...                         "end": pd.to_datetime([None, "2025-01-27"])})
    >>> [f"{day:%Y-%m-%d}" for day in slider_days(control, pd.Timestamp("2025-02-01"))]
    ['2025-01-27', '2025-02-01']
    """
    linked = control.loc[control["place"].notna()] if "place" in control else control
    found = pd.concat([linked["start"], linked["end"]]).dropna()
    return sorted({pd.Timestamp(day) for day in found} | {pd.Timestamp(as_of)})


TIMELINE_COLUMNS = ("day", "place", "actor", "actors", "confidence", "since",
                    "source", "url", "note", "within", "within_actor", "people",
                    "people_as_of")
"""Columns of :func:`control_timeline`."""


def control_timeline(control: pd.DataFrame, places: gpd.GeoDataFrame,
                     steps: dict[str, list], as_of: pd.Timestamp, *,
                     days: list[pd.Timestamp] | None = None) -> pd.DataFrame:
    """Every place on every slider day: holder, confidence, record, figure.

    The page's slider only looks these rows up; it recomputes nothing. Each column
    comes from the rule that owns it: the holder from
    :func:`geomap.actors.resolve_control_days`, ``since`` from
    :func:`geomap.actors.holder_since_days`, the enclosing area from
    :func:`geomap.summarise.within.resolve_within` and the figure from the steps of
    :func:`geomap.summarise.timeline.displacement_steps` (the last step on or before
    the day), so that on the as-of day each place reads as in ``summary_areas.csv``.

    Parameters
    ----------
    control : DataFrame
        The linked control records.
    places : GeoDataFrame
        Every place (see :func:`geomap.places.build_places`).
    steps : dict
        Per place, its displacement figure from each day it changes.
    as_of : Timestamp
        The build's date.
    days : list of Timestamp, optional
        The days to show; by default :func:`slider_days` (every record date and
        *as_of*).

    Returns
    -------
    DataFrame
        :data:`TIMELINE_COLUMNS`: one row per day and place, the holder's columns
        empty where no record is in force, ``people`` missing where there is no
        figure (never 0).
    """
    days = slider_days(control, as_of) if days is None else sorted(set(days))
    held = resolve_control_days(control, days)
    places = places.drop_duplicates("place")
    grid = pd.MultiIndex.from_product([pd.DatetimeIndex(days), places["place"]],
                                      names=["day", "place"])
    known = held.assign(since=holder_since_days(control, held.index).to_numpy())
    timeline = known.reindex(grid)  # each record's texts copied once, missing: none
    timeline[["within", "within_actor"]] = _within_by_day(places, held, days)
    timeline = timeline.reset_index()
    people, dated = _figures_on(steps, timeline["place"], timeline["day"])
    timeline = timeline.assign(people=people, people_as_of=dated)
    return timeline.reindex(columns=list(TIMELINE_COLUMNS))


def _within_by_day(places: gpd.GeoDataFrame, held: pd.DataFrame,
                   days: list[pd.Timestamp]) -> np.ndarray:
    """``within`` and ``within_actor`` of every place on every day, day by day in the
    order of *places* (NaN where a place lies in no held area or zone).

    The areas around a place depend only on which places are held, and who holds
    the areas and zones among them: each distinct set is resolved once. (A place
    held that day has no ``within``: its own record counts.)
    """
    zones = set(places.loc[places["kind"].isin(["area", "zone"]), "place"])
    order = places["place"].tolist()
    position = {place: at for at, place in enumerate(order)}
    surroundings = Surroundings(places)
    rows = held.index.get_level_values("day")
    index = {day: (start, stop) for day, start, stop in _runs(rows)}
    holding = list(zip(held.index.get_level_values("place").tolist(),
                       held["actor"].tolist(), strict=True))
    enclosing: dict[tuple, dict[str, tuple]] = {}
    found = np.full((len(days) * len(order), 2), np.nan, dtype=object)
    for number, day in enumerate(pd.DatetimeIndex(days)):
        start, stop = index.get(day, (0, 0))
        key = tuple((p, a if p in zones else None) for p, a in holding[start:stop])
        if key not in enclosing:  # which places are held, and areas' holders
            enclosing[key] = surroundings.around(dict(holding[start:stop]))
        for place, value in enclosing[key].items():  # the few places in one
            at = position.get(place)
            if at is not None:
                found[number * len(order) + at] = value
    return found


def _runs(values: pd.Index) -> list[tuple[object, int, int]]:
    """(value, first row, row after the last) of each run of equal *values*."""
    if not len(values):
        return []
    codes = np.asarray(values)
    cuts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.r_[0, cuts]
    stops = np.r_[cuts, len(codes)]
    return [(values[a], int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def _figures_on(steps: dict[str, list], places: pd.Series, days: pd.Series
                ) -> tuple[pd.Series, pd.Series]:
    """Each place's figure and its date on each day: the last step on or before it."""
    people = np.full(len(places), None, dtype=object)
    dated = np.full(len(places), np.datetime64("NaT"), dtype="datetime64[s]")
    when = days.to_numpy(dtype="datetime64[s]")
    for place, rows in places.groupby(places, sort=False).indices.items():
        found = steps.get(place)
        if not found:
            continue
        starts = np.array([step[0] for step in found], dtype="datetime64[s]")
        at = np.searchsorted(starts, when[rows], side="right") - 1
        for row, index in zip(rows, at, strict=True):
            if index >= 0 and found[index][1] is not None:
                people[row] = found[index][1]
                dated[row] = np.datetime64(found[index][2], "s")
    return (pd.Series(people, index=places.index, dtype="Int64"),
            pd.Series(dated, index=places.index))
