"""Summaries as of a date: control per place, people displaced, mines per actor."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geomap.actors import ACTORS, CONTESTED, controller_label
from geomap.join import attach_areas
from geomap.schema import METRIC_CRS

TOWN_RADIUS_KM = 10.0
"""A mine belongs to the nearest town within this distance (else to its area only)."""


def sum_displaced(displacement: pd.DataFrame, date: pd.Timestamp, *,
                  window_days: int | None = None) -> pd.DataFrame:
    """Return people displaced per place as of *date*.

    Rows that carry an ``assessment`` are stocks: each place shows the sum of its rows
    in its most recent assessment dated on or before *date* (a round is dated by its
    latest row, so a round is never cut in two by *date*); rounds are never added
    together. Rows without an assessment (registration records, one per household
    or person) are summed over the *window_days* ending on *date* (all earlier rows
    when no window is given).

    Returns
    -------
    DataFrame
        Indexed by ``place``: ``people`` (int), ``as_of`` (date of the figure) and
        ``assessment``.
    """
    used = displacement[["place", "assessment", "people", "date"]]
    linked = used.loc[used["place"].notna()]
    stock = linked.loc[linked["assessment"].notna()]
    flow = linked.loc[linked["assessment"].isna() & (linked["date"] <= date)]
    parts = []
    if not stock.empty:
        rounds = (stock.groupby(["place", "assessment"], sort=True)
                  .agg(people=("people", "sum"), as_of=("date", "max")).reset_index())
        rounds = rounds.loc[rounds["as_of"] <= date]
        rounds = rounds.sort_values(["place", "as_of", "assessment"], kind="stable")
        if not rounds.empty:
            parts.append(rounds.groupby("place").tail(1).set_index("place"))
    if not flow.empty:
        if window_days is not None:
            flow = flow.loc[flow["date"] > date - pd.Timedelta(days=window_days)]
        sums = flow.groupby("place", sort=True).agg(people=("people", "sum"),
                                                    as_of=("date", "max"))
        parts.append(sums.assign(assessment="registrations"))
    if not parts:
        return pd.DataFrame({"people": pd.Series(dtype="int64"),
                             "as_of": pd.Series(dtype="datetime64[s]"),
                             "assessment": pd.Series(dtype="object")}).rename_axis("place")
    combined = pd.concat(parts)
    if combined.index.duplicated().any():  # a place with both kinds: show the sum
        combined = combined.groupby(level=0).agg(
            people=("people", "sum"), as_of=("as_of", "max"),
            assessment=("assessment", lambda v: "; ".join(sorted(set(v)))))
    combined["people"] = combined["people"].astype("int64")
    return combined.sort_index()


def assign_mines(mines: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                 admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of *mines* with ``area`` (deepest admin area) and ``town``.

    ``town`` is the nearest town within :data:`TOWN_RADIUS_KM`, distances taken in
    the metric CRS; mines farther from every town have none.
    """
    mines = mines.copy()
    mines["area"] = attach_areas(mines.geometry, admin)
    towns = places.loc[places.geom_type == "Point"]
    if towns.empty or mines.empty:
        mines["town"] = None
        return mines
    nearest = gpd.sjoin_nearest(
        mines[[mines.geometry.name]].to_crs(METRIC_CRS),
        towns[["place", "geometry"]].to_crs(METRIC_CRS),
        max_distance=TOWN_RADIUS_KM * 1000, distance_col="_distance", how="left")
    nearest = nearest.sort_values("_distance", kind="stable")
    nearest = nearest[~nearest.index.duplicated(keep="first")]
    mines["town"] = nearest["place"].reindex(mines.index)
    mines["town_km"] = (nearest["_distance"] / 1000).round(1).reindex(mines.index)
    return mines


def count_mines(mines: pd.DataFrame) -> pd.Series:
    """Count mines per place: each mine counts for its town and for its area."""
    keys = pd.concat([mines["town"], mines["area"]]).dropna()
    return keys.value_counts().sort_index()


def resolve_within(places: gpd.GeoDataFrame, control_now: pd.DataFrame
                   ) -> pd.DataFrame:
    """For places with no record of their own, the smallest area around them that has one.

    The most specific record wins: a place's own record always counts first, and
    geomap never copies an area's holder onto a town or a smaller area. This table
    says it out loud instead: "no record of its own; inside Masisi, held by M23/AFC".

    Returns
    -------
    DataFrame
        Indexed by ``place`` (only places without a record of their own that lie in
        an area with one): ``within`` (that area's name) and ``within_actor``.
    """
    held = places.loc[places["kind"].isin(["area", "zone"])
                      & places["place"].isin(control_now.index)]
    open_places = places.loc[~places["place"].isin(control_now.index)]
    if held.empty or open_places.empty:
        return pd.DataFrame(columns=["within", "within_actor"]).rename_axis("place")
    inside = open_places.geometry.representative_point()
    found = pd.Series(None, index=open_places.index, dtype="object")
    for level in sorted(set(held["level"]), reverse=True):  # deepest area first
        areas = held.loc[held["level"] == level].assign(pcode=held["place"])
        hits = attach_areas(inside[found.isna()], areas)
        found.loc[hits.index] = hits
    found = found.loc[found.notna() & (found != open_places["place"])]
    names = places.set_index("place")["name"]
    return pd.DataFrame({"within": found.map(names).to_numpy(),
                         "within_actor": found.map(control_now["actor"]).to_numpy()},
                        index=pd.Index(open_places.loc[found.index, "place"], name="place"))


def summarise_areas(places: gpd.GeoDataFrame, control_now: pd.DataFrame,
                    displaced: pd.DataFrame, mines: pd.DataFrame) -> pd.DataFrame:
    """One row per area or town: who controls it, people displaced, mines.

    Returns
    -------
    DataFrame
        ``name``, ``pcode``, ``place``, ``kind``, ``level``, ``actor``,
        ``actor_name``, ``confidence``, ``since``, ``within`` and ``within_actor``
        (see :func:`resolve_within`), ``people``, ``people_as_of``, ``mines``,
        ``source``, ``url``; zeros kept for places with no records.
    """
    table = pd.DataFrame({"place": places["place"], "name": places["name"],
                          "pcode": places["pcode"], "kind": places["kind"],
                          "level": places["level"]}).set_index("place")
    table = table.join(control_now[["actor", "confidence", "since", "source", "url"]])
    table["actor_name"] = table["actor"].map(controller_label)
    table = table.join(displaced[["people", "as_of"]].rename(columns={"as_of":
                                                                      "people_as_of"}))
    table["people"] = table["people"].fillna(0).astype("int64")
    table["mines"] = count_mines(mines).reindex(table.index).fillna(0).astype("int64")
    table = table.join(resolve_within(places, control_now))
    table = table.reset_index().sort_values(["level", "kind", "name"], kind="stable")
    table["level"] = table["level"].where(table["kind"] == "area").astype("Int64")
    return table[["name", "pcode", "place", "kind", "level", "actor", "actor_name",
                  "confidence", "since", "within", "within_actor", "people",
                  "people_as_of", "mines", "source", "url"]]


def summarise_actors(areas: pd.DataFrame, mines: pd.DataFrame,
                     displaced: pd.DataFrame) -> pd.DataFrame:
    """One row per actor in control somewhere: places held, mines, people displaced.

    A mine counts for the actor holding its town when that town has a record in
    force, else for the actor holding its area; each mine counts once.
    """
    holder = areas.set_index("place")["actor"]
    mine_holder = mines["town"].map(holder).fillna(mines["area"].map(holder))
    mine_rows = mines.assign(actor=mine_holder).dropna(subset=["actor"])
    exploded = mine_rows.assign(mineral=mine_rows["minerals"].str.split(";")).explode(
        "mineral")
    exploded = exploded.loc[exploded["mineral"].fillna("") != ""]
    counts = exploded.groupby(["actor", "mineral"]).size().reset_index(name="n")
    labels = counts["mineral"] + ": " + counts["n"].astype(str)
    by_mineral = labels.groupby(counts["actor"]).agg("; ".join) if len(counts) else \
        pd.Series(dtype="object")
    held = areas.dropna(subset=["actor"])
    grouped = held.groupby("actor", sort=True)
    table = pd.DataFrame({
        "areas": grouped["kind"].agg(lambda k: int((k != "town").sum())),
        "towns": grouped["kind"].agg(lambda k: int((k == "town").sum())),
        "places": grouped["name"].agg(lambda n: "; ".join(sorted(n))),
        "people": grouped["people"].sum().astype("int64"),
    })
    table["mines"] = mine_rows.groupby("actor").size().reindex(table.index).fillna(0)
    table["mines"] = table["mines"].astype("int64")
    table["mines_by_mineral"] = by_mineral.reindex(table.index).fillna("")
    table.index.name = "actor"
    table = table.reset_index()
    table.insert(1, "actor_name", table["actor"].map(controller_label))
    order = {actor: i for i, actor in enumerate([*ACTORS, CONTESTED])}
    table["_order"] = table["actor"].map(order).fillna(len(order))
    return table.sort_values(["_order", "actor"]).drop(columns="_order").reset_index(
        drop=True)

def attach_summary(places: gpd.GeoDataFrame, areas: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return *places* (geometry kept) with the per-place summary columns joined on."""
    summary = areas.drop(columns=["name", "pcode", "kind", "level"], errors="ignore")
    joined = places.merge(summary, on="place", how="left")
    return gpd.GeoDataFrame(joined, geometry=places.geometry.name, crs=places.crs)
