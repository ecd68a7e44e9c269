"""Actors: stable ids, display names and colours, and THE holder rule.

Every output (web map, print map, report, GIS layers) asks this module who holds a
place on a day and in which colour it is drawn; none of them recomputes it.
Colours were chosen to stay apart in greyscale and under deuteranopia and protanopia
(CIEDE2000 >= 15 for every pair drawn together; tests/test_style.py checks it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Actor:
    """An armed actor with a stable id, a display name and one colour."""

    id: str
    label: str
    color: str


ACTORS = {
    actor.id: actor
    for actor in (
        Actor("m23", "M23/AFC", "#c0240a"),
        Actor("fardc", "FARDC", "#77bed7"),
        Actor("wazalendo", "Wazalendo", "#317d57"),
        Actor("fdlr", "FDLR", "#0d758c"),
        Actor("adf", "ADF", "#452c24"),
        Actor("burundi", "Burundian army (FDNB)", "#fa770f"),
        Actor("rdf", "Rwanda Defence Force (RDF)", "#562148"),
        Actor("eacrf", "EAC Regional Force (EACRF)", "#1509f6"),
    )
}


CONTESTED = "contested"
"""The holder shown where records of two or more actors are in force on one day."""


CONTESTED_COLOR = "#8d9392"


NO_DATA_COLOR = "#e8e8e3"


ACTOR_ALIASES = {
    "m23/afc": "m23", "afc/m23": "m23", "afc": "m23", "m23-afc": "m23",
    "government": "fardc", "fardc/wazalendo": "fardc", "forces armees": "fardc",
    "forces armées de la république démocratique du congo": "fardc",
    "eac regional force": "eacrf", "east african community regional force": "eacrf",
    "eac-rf": "eacrf", "rwanda defence force": "rdf", "rwandan army": "rdf",
}


_FALLBACK_PALETTE = ("#e67e22", "#16a085", "#7f8c8d", "#b7950b", "#6c3483",
                     "#117a65", "#a04000", "#2874a6", "#943126", "#196f3d")


def actor_for(actor_id: str) -> Actor:
    """Return the actor record for *actor_id*; unknown ids get a stable colour."""
    if actor_id in ACTORS:
        return ACTORS[actor_id]
    digest = hashlib.sha256(actor_id.encode("utf-8")).digest()
    color = _FALLBACK_PALETTE[digest[0] % len(_FALLBACK_PALETTE)]
    return Actor(actor_id, actor_id, color)


def controller_label(actor: object) -> str | None:
    """Display name of a holder: an actor's name, 'Contested', or None when missing."""
    if not isinstance(actor, str) or not actor:
        return None
    return "Contested" if actor == CONTESTED else actor_for(actor).label


def controller_color(actor: object) -> str:
    """Colour of a holder: the actor's, grey when contested, light grey when missing."""
    if not isinstance(actor, str) or not actor:
        return NO_DATA_COLOR
    return CONTESTED_COLOR if actor == CONTESTED else actor_for(actor).color


def resolve_control(control: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Return who controls each place on *day*, from dated intervals.

    A record is in force on *day* when ``start <= day < end`` (a missing start is
    "since before the record", a missing end is ongoing), so on the day of a handover
    the new holder shows. Records in force of two or more actors make the place
    contested; so does a record whose own confidence is 'contested'.

    Returns
    -------
    DataFrame
        Indexed by ``place``: ``actor`` (an actor id or 'contested'), ``actors``
        (ids in force, ';'-joined), ``confidence``, ``since``, ``source``, ``url``
        and ``note`` of the latest record in force.
    """
    return resolve_control_days(control, [day]).droplevel("day")


def resolve_control_days(control: pd.DataFrame, days: list[pd.Timestamp]
                         ) -> pd.DataFrame:
    """Return who controls each place on each of *days*: :func:`resolve_control` for many days.

    The rule is the one of :func:`resolve_control`, applied to every day at once (the
    web map's slider needs the holder of every place on every record date).

    Returns
    -------
    DataFrame
        Indexed by ``day`` and ``place`` (only places with a record in force that
        day), with the columns of :func:`resolve_control`.
    """
    columns = ["actor", "actors", "confidence", "since", "source", "url", "note"]
    linked = control["place"].notna().to_numpy()
    cells = {name: control[name].array[linked]  # the linked records' columns
             for name in ("place", "actor", "start", "end", "confidence", "source",
                          "url", "note")}
    wanted = pd.DatetimeIndex(sorted(set(days)))
    force = in_force(cells["start"].to_numpy()[:, None], cells["end"].to_numpy()[:, None],
                     wanted.to_numpy()[None, :])
    rows, which = force.nonzero()
    if not len(rows):
        empty = pd.MultiIndex.from_arrays([pd.DatetimeIndex([]), pd.Index([], dtype=object)],
                                          names=["day", "place"])
        return pd.DataFrame(columns=columns, index=empty)
    # the records in force by day, place and start (none first), then file order
    place = pd.factorize(np.asarray(cells["place"], dtype=object))
    rank = np.argsort(np.argsort(np.asarray(place[1], dtype=object), kind="stable"))
    starts = pd.Series(cells["start"]).rank(method="dense", na_option="top").to_numpy()
    order = np.lexsort((rows, starts[rows], rank[place[0]][rows], which))
    rows, which = rows[order], which[order]
    group = np.r_[True, (which[1:] != which[:-1])
                  | (place[0][rows[1:]] != place[0][rows[:-1]])].cumsum() - 1
    last = np.r_[group[1:] != group[:-1], True]
    taken = rows[last]  # the latest record in force, per day and place
    latest = {name: values.take(taken) for name, values in cells.items()}
    index = pd.MultiIndex.from_arrays(  # the places of the column's own dtype
        [wanted[which[last]], pd.Index(latest["place"], dtype=control["place"].dtype)],
        names=["day", "place"])
    column = {name: pd.Series(values, index=index, dtype=control[name].dtype,
                              copy=False)  # one index shared, each column's own dtype
              for name, values in latest.items() if name not in ("place", "end")}
    actors = column["actor"].astype("string")  # where one actor is in force
    named = np.asarray(cells["actor"], dtype=object)
    code = pd.factorize(named, use_na_sentinel=False)[0][rows]  # per record in force
    starts_at = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    several_ids = np.flatnonzero(np.minimum.reduceat(code, starts_at)
                                 != np.maximum.reduceat(code, starts_at))
    if len(several_ids):  # the ids in force, sorted and ';'-joined
        ends = np.r_[starts_at[1:], len(rows)]
        actors.iloc[several_ids] = [
            ";".join(sorted({named[record] for record in rows[starts_at[number]:
                                                              ends[number]]}))
            for number in several_ids.tolist()]
    # one actor in force (a missing 'several' counts as several, as Series.where has it)
    one = (~actors.str.contains(";", regex=False)).to_numpy(dtype=bool, na_value=False)
    if not one.all():
        column["actor"] = column["actor"].where(one, CONTESTED)
        column["confidence"] = column["confidence"].where(one, CONTESTED)
    return pd.DataFrame({
        "actor": column["actor"], "actors": actors, "confidence": column["confidence"],
        "since": column["start"], "source": column["source"], "url": column["url"],
        "note": column["note"]}, columns=columns)


def in_force(start, end, day):
    """True for each record in force on *day*: ``start <= day < end``, open ends open.

    *start*, *end* and *day* are Series, arrays or dates that broadcast together (a
    column of records against a row of days gives every record on every day).
    """
    return (pd.isna(start) | (start <= day)) & (pd.isna(end) | (end > day))


def holder_of(actors: pd.Series | list) -> str | None:
    """The holder given the actors of the records in force: one actor, 'contested', None.

    Examples
    --------
    >>> holder_of(pd.Series(["m23", "m23"])), holder_of(pd.Series(["m23", "fardc"]))
    ('m23', 'contested')
    """
    distinct = {a for a in actors if isinstance(a, str) and a}
    if not distinct:
        return None
    return distinct.pop() if len(distinct) == 1 else CONTESTED


def _run_starts(start: np.ndarray, end: np.ndarray, actor: np.ndarray,
                days: np.ndarray) -> np.ndarray:
    """First day of the unbroken run of the holder on each of *days* (NaT: before the
    records), for one place's records given by their *start*, *end* (``datetime64[s]``)
    and *actor* arrays.

    The holder changes only where a record starts or ends, so each such change is
    looked at once: the run of the holder on a day began at the latest change on or
    before it whose eve had another holder.
    """

    def holders_on(days: np.ndarray) -> list[str | None]:
        """The holder on each of *days* (all records against all days at once)."""
        force = in_force(start[:, None], end[:, None], days[None, :])
        return [holder_of(list(actor[column])) for column in force.T]

    changes = np.unique(np.concatenate([start, end]))
    changes = changes[~np.isnat(changes)]
    eves = holders_on(changes - np.timedelta64(1, "D"))
    holders = holders_on(changes)  # each holds until the next change
    began = np.full(len(changes) + 1, np.datetime64("NaT"), dtype="datetime64[s]")
    for last, now in enumerate(holders):  # the run of the holder from each change
        for at in range(last, -1, -1):
            if eves[at] != now:
                began[last] = changes[at]
                break
    # a day before every change (-1: the last, NaT) began before the records
    return began[np.searchsorted(changes, days, side="right") - 1]


def holder_since(control: pd.DataFrame, places: pd.Index | list,
                 day: pd.Timestamp) -> pd.Series:
    """The day each place's holder on *day* began its unbroken run of days.

    A capture reported as contested and then confirmed changed hands on the first
    day; a gap with no record in force, or days when another actor is also in force,
    break the run. NaT means "since before the first record".

    Parameters
    ----------
    control : DataFrame
        Linked records with ``place``, ``actor``, ``start`` and ``end``.
    places : index-like
        The places to date (normally those held on *day*).
    day : Timestamp
        The as-of day.

    Returns
    -------
    Series
        Indexed by place, ``datetime64`` (NaT where the run starts before the record).

    Examples
    --------
    >>> control = pd.DataFrame({"place": ["g"] * 3, "actor": ["fardc", "m23", "m23"],
    ...     "start": pd.to_datetime([None, "2025-01-25", "2025-01-27"]),
    ...     "end": pd.to_datetime(["2025-01-25", "2025-01-27", None])})
    >>> str(holder_since(control, ["g"], pd.Timestamp("2025-03-01"))["g"].date())
    '2025-01-25'
    """
    wanted = pd.Index(places)
    pairs = pd.MultiIndex.from_arrays([pd.DatetimeIndex([day] * len(wanted)), wanted],
                                      names=["day", "place"])
    return pd.Series(holder_since_days(control, pairs).to_numpy(), index=wanted,
                     dtype="datetime64[s]").rename_axis("place")


def holder_since_days(control: pd.DataFrame, pairs: pd.MultiIndex) -> pd.Series:
    """:func:`holder_since` for many days: the run start of each (day, place) pair.

    Returns
    -------
    Series
        Indexed by *pairs* (levels ``day`` and ``place``), ``datetime64[s]``.
    """
    days = pairs.get_level_values(0).to_numpy(dtype="datetime64[s]")
    where = pairs.get_level_values(1).to_numpy(dtype=object)
    found = np.full(len(pairs), np.datetime64("NaT"), dtype="datetime64[s]")
    linked = control.loc[control["place"].isin(pd.unique(where))]
    place = linked["place"].to_numpy(dtype=object)
    order = np.argsort(place, kind="stable")  # each column read once, then cut
    place = place[order]
    start = linked["start"].to_numpy(dtype="datetime64[s]")[order]
    end = linked["end"].to_numpy(dtype="datetime64[s]")[order]
    actor = linked["actor"].to_numpy(dtype=object)[order]
    cuts = np.flatnonzero(place[1:] != place[:-1]) + 1
    rows = pd.Series(where).groupby(where, sort=False).indices
    for first, last in zip(np.r_[0, cuts], np.r_[cuts, len(place)], strict=True):
        if last > first and place[first] in rows:
            at = rows[place[first]]
            found[at] = _run_starts(start[first:last], end[first:last],
                                    actor[first:last], days[at])
    return pd.Series(found, index=pairs, dtype="datetime64[s]")
