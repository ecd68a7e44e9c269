"""Mining sites: the places each lies in, and the actor holding each, counted once.

A site lies in one admin area of each level (a territory and its province), near
at most one town, and in any number of control zones. Counts per place are true
zeros where no site lies; summed within one level they give each site once.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.actors import holder_of
from geomap.join import attach_areas, point_coordinates
from geomap.schema import METRIC_CRS

TOWN_RADIUS_KM = 10.0
"""A mine belongs to the nearest town within this distance (else to its area only)."""


def assign_mines(mines: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                 admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of *mines* with the places each site lies in or near.

    Returns
    -------
    GeoDataFrame
        *mines* plus ``area`` (the deepest admin area), ``adm1_pcode``,
        ``adm2_pcode``... (the area of each level present), ``town`` and ``town_km``
        (the nearest town within :data:`TOWN_RADIUS_KM`, distances in the metric
        CRS; none farther) and ``zones`` (the control zones holding it, ';'-joined).
    """
    mines = mines.copy()
    xy = point_coordinates(gpd.GeoDataFrame(geometry=mines.geometry))  # read once
    mines["area"] = attach_areas(mines.geometry, admin, xy=xy)
    for level in sorted(set(pd.to_numeric(admin["level"], errors="coerce").dropna())):
        mines[f"adm{int(level)}_pcode"] = attach_areas(
            mines.geometry, admin.loc[admin["level"] == level], xy=xy)
    mines["zones"] = _zones_of(mines, places)
    towns = places.loc[places.geom_type == "Point"]
    if towns.empty or mines.empty:
        mines["town"] = None
        return mines
    town, metres = nearest_towns(mines.geometry.to_crs(METRIC_CRS).to_numpy(),
                                 towns.geometry.to_crs(METRIC_CRS).to_numpy(),
                                 towns["place"], TOWN_RADIUS_KM * 1000)
    mines["town"] = pd.Series(town, index=mines.index, dtype=towns["place"].dtype)
    mines["town_km"] = pd.Series(metres / 1000, index=mines.index).round(1)
    return mines


def nearest_towns(sites: np.ndarray, towns: np.ndarray, places: pd.Series,
                  radius: float) -> tuple[list, np.ndarray]:
    """The place of the town nearest each site within *radius* (ties: the first
    place in sorted order), and its distance; None and NaN where none is.

    ``gpd.sjoin_nearest(max_distance=radius)`` kept to each site's nearest, by
    place: a site's distances to every town measured at once (a few dozen sites
    and towns; GEOS measures each pair as the join's tree does, within *radius*
    included).
    """
    names = places.to_numpy(dtype=object)
    distance = shapely.distance(sites[:, None], towns[None, :]) if len(towns) else \
        np.full((len(sites), 0), np.nan)
    town: list = [None] * len(sites)
    metres = np.full(len(sites), np.nan)
    for row, found in enumerate(distance):
        near = np.flatnonzero(found <= radius)  # NaN (no geometry) is never near
        if len(near):
            closest = found[near].min()
            town[row] = min(names[near[found[near] == closest]].tolist())
            metres[row] = closest
    return town, metres


def _zones_of(mines: gpd.GeoDataFrame, places: gpd.GeoDataFrame) -> pd.Series:
    """The control zones (polygon records) each site lies in, ';'-joined, or None."""
    zones = places.loc[places["kind"] == "zone", ["place", "geometry"]]
    empty = pd.Series(None, index=mines.index, dtype="object")
    if zones.empty or mines.empty:
        return empty
    hits = gpd.sjoin(mines[[mines.geometry.name]], zones, predicate="intersects")
    if hits.empty:
        return empty
    joined = hits.groupby(level=0)["place"].agg(lambda p: ";".join(sorted(set(p))))
    return joined.reindex(mines.index).astype("object")


def count_mines(mines: pd.DataFrame) -> pd.Series:
    """Count mines per place: each site counts for its town, its area of every level
    and every zone it lies in (so within one level each site counts once)."""
    levels = [c for c in mines.columns if c.startswith("adm") and c.endswith("_pcode")]
    columns = [mines[c] for c in ("town", *levels) if c in mines]
    if not levels and "area" in mines:
        columns.append(mines["area"])
    if "zones" in mines:
        columns.append(mines["zones"].dropna().str.split(";").explode())
    keys = pd.concat(columns).dropna() if columns else pd.Series(dtype=object)
    return keys.value_counts().sort_index()


def hold_mines(mines: pd.DataFrame, holders: pd.Series) -> pd.DataFrame:
    """The actor holding each site as of the date, and through what.

    A site counts for the holder of its nearest town when that town has a record of
    its own in force; else for the control zones it lies in (one actor, or
    'contested' when zones of several actors overlap there); else for the holder of
    the most specific admin area around it that has a record in force.

    Parameters
    ----------
    mines : DataFrame
        From :func:`assign_mines`.
    holders : Series
        The holder (actor id or 'contested') of every place held, by place.

    Returns
    -------
    DataFrame
        Indexed like *mines*: ``actor`` (missing where nothing around the site is
        held) and ``held_via`` ('town', 'control zone' or 'admin area').
    """
    actor = (mines["town"].map(holders) if "town" in mines else
             pd.Series(None, index=mines.index)).astype(object)
    via = pd.Series(None, index=mines.index, dtype="object").mask(actor.notna(), "town")
    if "zones" in mines:
        zoned = mines["zones"].map(lambda z: holder_of(pd.Series(
            [holders.get(p) for p in z.split(";")], dtype=object))
            if isinstance(z, str) else None).astype(object)
        fill = actor.isna() & zoned.notna()
        actor, via = actor.mask(fill, zoned), via.mask(fill, "control zone")
    levels = sorted((c for c in mines.columns if c.startswith("adm")
                     and c.endswith("_pcode")), reverse=True) or ["area"]
    for column in levels:
        if column not in mines:
            continue
        held = mines[column].map(holders).astype(object)
        fill = actor.isna() & held.notna()
        actor, via = actor.mask(fill, held), via.mask(fill, "admin area")
    return pd.DataFrame({"actor": actor.where(actor.notna(), None),
                         "held_via": via}, index=mines.index)


def key_dtype(keys: pd.Series) -> object:
    """The dtype of the groups' index when grouping by *keys*: the column's own, or
    (object columns) the one pandas infers from the values (None)."""
    return None if keys.dtype == object else keys.dtype


def count_mines_by_actor(mines: pd.DataFrame) -> pd.DataFrame:
    """Mines per actor, each site once: ``mines`` and ``mines_by_mineral`` text.

    Returns
    -------
    DataFrame
        Indexed by actor (from *mines*' ``actor`` column).
    """
    sites: dict[str, int] = {}  # a few sites: counted one by one
    found: dict[str, dict[str, int]] = {}
    for actor, minerals, gone, blank in zip(
            mines["actor"].tolist(), mines["minerals"].tolist(),
            mines["actor"].isna().tolist(), mines["minerals"].isna().tolist(),
            strict=True):
        if gone:
            continue
        sites[actor] = sites.get(actor, 0) + 1
        per_mineral = found.setdefault(actor, {})
        for mineral in ("" if blank else minerals).split(";"):
            if mineral != "":
                per_mineral[mineral] = per_mineral.get(mineral, 0) + 1
    by_mineral = {actor: "; ".join(f"{mineral}: {n}" for mineral, n in
                                   sorted(found[actor].items()))
                  for actor in sorted(found) if found[actor]}
    held = pd.Index(sorted(sites), dtype=key_dtype(mines["actor"]), name="actor")
    table = pd.DataFrame({"mines": pd.Series([sites[a] for a in held], index=held,
                                             dtype="int64")})
    table["mines_by_mineral"] = pd.Series(
        by_mineral, dtype="str" if by_mineral else object).reindex(
        table.index).fillna("")
    return table
