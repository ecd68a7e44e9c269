"""One row per actor: the places it holds, the mines there, the people displaced there.

A per-actor figure of people displaced adds the figures of the places the actor
holds as of the date, but only figures dated while it held them (on or after the
first day of its unbroken run there): a figure from before a capture describes the
previous holder's time. A place inside another place counted for the same actor is
left out, so nested figures are never added. Every total carries its dates.
"""

from __future__ import annotations

import pandas as pd

from geomap.actors import ACTORS, CONTESTED, controller_label
from geomap.summarise.mines import count_mines_by_actor, key_dtype
from geomap.summarise.nesting import date_span
from geomap.summarise.within import ancestors


def count_held_people(areas: pd.DataFrame) -> pd.DataFrame:
    """Per actor, the people displaced in the places it holds, dated while held.

    Parameters
    ----------
    areas : DataFrame
        The per-place summary: ``place``, ``name``, ``actor``, ``since``, ``parent``,
        ``people`` and ``people_as_of``.

    Returns
    -------
    DataFrame
        Indexed by actor: ``people`` (missing when no figure counts),
        ``people_as_of`` (the dates of the figures added), ``people_places`` (the
        places whose figures were added) and ``people_left_out`` (figures of places
        held that predate the holding, or that lie inside a place already counted).
    """
    table = areas.drop_duplicates("place")  # a few hundred places: read as lists
    place = table["place"].tolist()
    name = dict(zip(place, table["name"].tolist(), strict=True))
    chains = ancestors(dict(zip(place, table["parent"].tolist(), strict=True)))
    figures = dict(zip(place, zip(table["people"].tolist(), table["people_as_of"].tolist(),
                                  strict=True), strict=True))
    held = [(p, a, s) for p, a, s, gone in zip(
        place, table["actor"].tolist(), table["since"].tolist(),
        table["actor"].isna().tolist(), strict=True) if not gone]
    counted: dict[str, list[str]] = {}
    left_out: dict[str, list[str]] = {}
    # outer places first (then by name, missing names last), so a place inside a
    # counted place is seen after it
    for place_, actor, since in sorted(held, key=lambda row: (
            len(chains.get(row[0], [])), not isinstance(name[row[0]], str),
            name[row[0]] if isinstance(name[row[0]], str) else "")):
        people, dated = figures[place_]
        if pd.isna(people):
            continue
        figure = f"{name[place_]}: {int(people):,}"
        if pd.notna(since) and dated < since:
            left_out.setdefault(actor, []).append(
                f"{figure} as of {dated:%Y-%m-%d}, before {controller_label(actor)} "
                f"held it (since {since:%Y-%m-%d})")
            continue
        outer = [p for p in chains.get(place_, []) if p in counted.get(actor, [])]
        if outer:
            left_out.setdefault(actor, []).append(
                f"{figure}, inside {name[outer[0]]} (counted)")
            continue
        counted.setdefault(actor, []).append(place_)
    rows = {}
    for actor in dict.fromkeys(actor for _, actor, _ in held):
        places = counted.get(actor, [])
        rows[actor] = {
            "people": sum(int(figures[p][0]) for p in places) if places else pd.NA,
            "people_as_of": date_span(figures[p][1] for p in places),
            "people_places": "; ".join(
                f"{n} ({d:%Y-%m-%d})" for n, d in sorted(
                    (name[p], figures[p][1]) for p in places)) or None,
            "people_left_out": "; ".join(left_out.get(actor, [])) or None,
        }
    result = pd.DataFrame.from_dict(rows, orient="index", columns=[
        "people", "people_as_of", "people_places", "people_left_out"])
    result["people"] = result["people"].astype("Int64")
    return result.rename_axis("actor")


def summarise_actors(areas: pd.DataFrame, mines: pd.DataFrame) -> pd.DataFrame:
    """One row per actor in control somewhere: places held, mines, people displaced.

    Each mine counts once, for the actor :func:`~geomap.summarise.mines.hold_mines`
    gives it (``actor`` column of *mines*).

    Returns
    -------
    DataFrame
        ``actor``, ``actor_name``, ``areas``, ``towns``, ``zones`` (places held of
        each kind), ``places``, ``people`` (see :func:`count_held_people`),
        ``people_as_of``, ``people_places``, ``people_left_out``, ``mines`` (a true
        0 when no site is held) and ``mines_by_mineral``.
    """
    held: dict[str, list] = {}  # per actor: areas, towns, zones, names (few rows)
    for actor, kind, name, gone in zip(
            areas["actor"].tolist(), areas["kind"].tolist(), areas["name"].tolist(),
            areas["actor"].isna().tolist(), strict=True):
        if not gone:
            counts = held.setdefault(actor, [0, 0, 0, []])
            counts[0] += kind == "area"
            counts[1] += kind == "town"
            counts[2] += kind in ("zone", "point")
            counts[3].append(name)
    actors = sorted(held)
    table = pd.DataFrame({
        "areas": pd.Series([held[a][0] for a in actors], dtype="int64"),
        "towns": pd.Series([held[a][1] for a in actors], dtype="int64"),
        "zones": pd.Series([held[a][2] for a in actors], dtype="int64"),
        "places": pd.Series(["; ".join(sorted(held[a][3])) for a in actors],
                            dtype="str" if actors else object),
    }).set_axis(pd.Index(actors, dtype=key_dtype(areas["actor"]), name="actor"))
    by_actor = count_mines_by_actor(mines) if "actor" in mines else pd.DataFrame(
        {"mines": pd.Series(dtype="int64"), "mines_by_mineral": pd.Series(dtype=object)})
    table = table.reindex(table.index.union(by_actor.index))  # contested sites too
    for column in ("areas", "towns", "zones"):
        table[column] = table[column].fillna(0).astype("int64")
    table = table.join(count_held_people(areas))
    table["mines"] = by_actor["mines"].reindex(table.index).fillna(0).astype("int64")
    table["mines_by_mineral"] = by_actor["mines_by_mineral"].reindex(table.index) \
        .fillna("")
    table.index.name = "actor"
    table = table.reset_index()
    table.insert(1, "actor_name", table["actor"].map(controller_label))
    order = {actor: i for i, actor in enumerate([*ACTORS, CONTESTED])}
    table["_order"] = table["actor"].map(order).fillna(len(order))
    return table.sort_values(["_order", "actor"]).drop(columns="_order").reset_index(
        drop=True)
