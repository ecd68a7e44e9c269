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
from geomap.summarise.mines import count_mines_by_actor
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
    table = areas.drop_duplicates("place").set_index("place")
    held = table.loc[table["actor"].notna()]
    chains = ancestors(table["parent"])
    counted: dict[str, list[str]] = {}
    left_out: dict[str, list[str]] = {}
    order = held.assign(_depth=[len(chains.get(p, [])) for p in held.index])
    for place, row in order.sort_values(["_depth", "name"], kind="stable").iterrows():
        if pd.isna(row["people"]):
            continue
        actor, figure = row["actor"], f"{row['name']}: {int(row['people']):,}"
        dated = row["people_as_of"]
        if pd.notna(row["since"]) and dated < row["since"]:
            left_out.setdefault(actor, []).append(
                f"{figure} as of {dated:%Y-%m-%d}, before {controller_label(actor)} "
                f"held it (since {row['since']:%Y-%m-%d})")
            continue
        outer = [p for p in chains.get(place, []) if p in counted.get(actor, [])]
        if outer:
            left_out.setdefault(actor, []).append(
                f"{figure}, inside {table.at[outer[0], 'name']} (counted)")
            continue
        counted.setdefault(actor, []).append(place)
    rows = {}
    for actor in held["actor"].unique():
        places = table.loc[counted.get(actor, [])]
        rows[actor] = {
            "people": int(places["people"].sum()) if len(places) else pd.NA,
            "people_as_of": date_span(places["people_as_of"]),
            "people_places": "; ".join(
                f"{n} ({d:%Y-%m-%d})" for n, d in sorted(zip(
                    places["name"], places["people_as_of"], strict=True))) or None,
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
    held = areas.dropna(subset=["actor"])
    kind = held["kind"]
    table = pd.DataFrame({  # places held of each kind, counted in one grouping
        "areas": (kind == "area").astype("int64"),
        "towns": (kind == "town").astype("int64"),
        "zones": kind.isin(["zone", "point"]).astype("int64"),
    }).groupby(held["actor"], sort=True).sum()
    table["places"] = held.groupby("actor", sort=True)["name"].agg(
        lambda n: "; ".join(sorted(n)))
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
