"""The places around a place: its chain of parents, and the held areas and zones it
lies in on a day ("no record of its own; inside Masisi, held by M23/AFC").

What does not depend on the day (parents, which admin areas hold the inner point of
a place without a parent, how much of each place each control zone covers) is worked
out once by :class:`Surroundings`; a day's answer then only picks among them the
places held that day. The web map's slider asks for many days.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.actors import holder_of
from geomap.schema import METRIC_CRS

WITHIN_COLUMNS = ["within", "within_actor"]


def ancestors(parents: pd.Series | Mapping[str, object]) -> dict[str, list[str]]:
    """Each place's chain of enclosing places, nearest first, from place -> parent
    (a Series indexed by place, or a mapping; one entry per place)."""
    if isinstance(parents, pd.Series):
        parents = dict(zip(parents.index, parents.tolist(), strict=True))
    chains = {}
    for place in parents:
        chain, seen, current = [], {place}, parents.get(place)
        while isinstance(current, str) and current in parents and current not in seen:
            chain.append(current)
            seen.add(current)
            current = parents.get(current)
        chains[place] = chain
    return chains


class Surroundings:
    """What :func:`resolve_within` needs of *places* whatever the day, read once.

    Parameters
    ----------
    places : GeoDataFrame
        Every place (``place``, ``name``, ``kind``, ``level``, optional
        ``parent_pcode``); the first row of a place counts.
    """

    def __init__(self, places: gpd.GeoDataFrame) -> None:
        self.table = places.drop_duplicates("place").set_index("place")
        self.order = self.table.index.tolist()
        self.names = dict(zip(self.order, self.table["name"], strict=True))
        parents = self.table["parent_pcode"] if "parent_pcode" in self.table else \
            pd.Series(None, index=self.table.index, dtype=object)
        self.chains = ancestors(parents) if "parent_pcode" in self.table else {}
        orphan = ~parents.isin(self.table.index).to_numpy()
        self.orphans = [p for p, o in zip(self.order, orphan, strict=True) if o]
        self._points: tuple | None = None
        self.zones = set(self.table.index[self.table["kind"] == "zone"])
        self._zones: list[tuple[str, str, str, str]] | None = None

    def _area_hits(self) -> tuple[list[tuple[object, str]], np.ndarray, np.ndarray]:
        """Admin areas in the order points are matched to them (deepest level first,
        then by id), and for each place without a parent and each area, whether the
        area contains its inner point, and whether it touches it."""
        if self._points is None:
            areas = self.table.loc[self.table["kind"] == "area"]
            areas = areas.assign(pcode=areas.index).sort_values(
                ["level", "pcode"], ascending=[False, True], kind="stable")
            keys = list(zip(areas["level"], areas.index, strict=True))
            inside = gpd.GeoSeries(self.table.geometry.reindex(self.orphans).to_numpy(),
                                   crs=self.table.crs).representative_point()
            x, y = inside.x.to_numpy(), inside.y.to_numpy()
            polygons = np.asarray(areas.geometry.array, dtype=object)
            usable = ~(shapely.is_missing(polygons) | shapely.is_empty(polygons))
            contains = np.zeros((len(x), len(keys)), dtype=bool)
            touches = np.zeros((len(x), len(keys)), dtype=bool)
            for at in np.flatnonzero(usable):
                contains[:, at] = shapely.contains_xy(polygons[at], x, y)
                touches[:, at] = shapely.intersects_xy(polygons[at], x, y)
            self._points = (keys, contains, touches)
        return self._points

    def _held_area_around(self, held_ids: set) -> dict[str, str]:
        """For open places with no parent: the deepest held admin area holding their
        inner point (at each level, the first containing it, else the first whose
        border it lies on)."""
        if not self.orphans:
            return {}
        keys, contains, touches = self._area_hits()
        held = np.array([place in held_ids for _, place in keys], dtype=bool)
        if not held.any():
            return {}
        levels = sorted({level for (level, _), h in zip(keys, held, strict=True) if h},
                        reverse=True)
        tiers = [held & np.array([key[0] == level for key in keys], dtype=bool)
                 for level in levels]
        found: dict[str, str] = {}
        for row, place in enumerate(self.orphans):
            if place in held_ids:
                continue
            for at in tiers:
                hit = np.flatnonzero(at & contains[row])
                if not len(hit):
                    hit = np.flatnonzero(at & touches[row])
                if len(hit):
                    area = keys[hit[0]][1]
                    if area != place:
                        found[place] = area
                    break
        return found

    def _zone_shares(self) -> list[tuple[str, str, str, str]]:
        """(place, zone, zone name, share) for every place and every control zone
        covering some of it (100 % for a point)."""
        if self._zones is None:
            zones = self.table.loc[self.table["kind"] == "zone"]
            self._zones = [] if zones.empty else _overlaps(self.table, zones)
        return self._zones

    def around(self, holders: Mapping[str, object]) -> dict[str, tuple[str, object]]:
        """``(within, within_actor)`` of each place lying in a held area or zone, the
        places held being those of *holders* (place -> actor); see
        :func:`resolve_within`."""
        held_ids = set(holders)
        open_places = [p for p in self.order if p not in held_ids]
        if not held_ids or not open_places:
            return {}
        around = self._held_area_around(held_ids)
        found: dict[str, list[tuple[str, object]]] = {}
        for place in open_places:
            chain = self.chains.get(place) or ([around[place]] if place in around
                                               else [])
            held = next((p for p in chain if p in held_ids), None)
            if held is not None:
                found.setdefault(place, []).append((self.names[held], holders[held]))
        if held_ids & self.zones:
            rows = sorted((place, name, holders[zone], share)
                          for place, zone, name, share in self._zone_shares()
                          if zone in held_ids and place not in held_ids)
            for place, name, holder_id, share in rows:
                found.setdefault(place, []).append((f"{name} ({share})", holder_id))
        return {place: ("; ".join(n for n, _ in v), holder_of([a for _, a in v]))
                for place, v in found.items()}

    def resolve(self, control_now: pd.DataFrame) -> pd.DataFrame:
        """:func:`resolve_within` for the places held as *control_now* says."""
        holder = control_now["actor"]
        found = self.around(dict(zip(holder.index, holder, strict=True)))
        if not found:
            return _none()
        return pd.DataFrame({
            "within": {p: within for p, (within, _) in found.items()},
            "within_actor": {p: actor for p, (_, actor) in found.items()},
        }).rename_axis("place").sort_index()


def _none() -> pd.DataFrame:
    """No place lies in a held area."""
    return pd.DataFrame(columns=WITHIN_COLUMNS).rename_axis("place")


def _overlaps(table: gpd.GeoDataFrame, zones: gpd.GeoDataFrame
              ) -> list[tuple[str, str, str, str]]:
    """(place, zone, zone name, share) for every place of *table* a zone overlaps."""
    zones = gpd.GeoDataFrame({"zone": zones.index}, geometry=zones.geometry.to_numpy(),
                             crs=table.crs)
    shapes = gpd.GeoDataFrame({"place": table.index}, geometry=table.geometry.to_numpy(),
                              crs=table.crs)
    pairs = gpd.sjoin(shapes, zones, predicate="intersects")
    if pairs.empty:
        return []
    pairs = pairs.loc[pairs["place"] != pairs["zone"]]
    geometry = gpd.GeoSeries(table.geometry.to_numpy(), index=table.index,
                             crs=table.crs)
    place_geoms = geometry.loc[pairs["place"].to_numpy()].to_crs(METRIC_CRS).to_numpy()
    zone_geoms = geometry.loc[pairs["zone"].to_numpy()].to_crs(METRIC_CRS).to_numpy()
    areas = shapely.area(place_geoms)
    overlap = shapely.area(shapely.intersection(shapely.make_valid(place_geoms),
                                                shapely.make_valid(zone_geoms)))
    share = np.where(areas > 0, overlap / np.where(areas > 0, areas, 1), 1.0)
    rows = []
    for place, zone, part in zip(pairs["place"], pairs["zone"], share, strict=True):
        if part <= 0:
            continue  # touching a border only
        label = "100%" if part >= 0.9995 else f"{part:.0%}" if part >= 0.01 else "<1%"
        rows.append((place, zone, table.at[zone, "name"], label))
    return rows


def resolve_within(places: gpd.GeoDataFrame, control_now: pd.DataFrame, *,
                   surroundings: Surroundings | None = None) -> pd.DataFrame:
    """For places with no record of their own: every held area or zone around them.

    The most specific record wins: a place's own record always counts first, and
    geomap never copies an area's holder onto a town or a smaller area. This table
    says it out loud instead: "no record of its own; inside Masisi, held by M23/AFC".
    Admin areas are found up the place's parents (a town's reported territory, then
    its province); the nearest held one is named. Control zones are found by
    geometry, every one that overlaps the place, each with its share of the place
    (100 % for a point), so overlapping zones all show.

    Parameters
    ----------
    places : GeoDataFrame
        Every place.
    control_now : DataFrame
        :func:`~geomap.actors.resolve_control` on the day, indexed by place.
    surroundings : Surroundings, optional
        *places* read already (for many days); read here when not given.

    Returns
    -------
    DataFrame
        Indexed by ``place`` (only places without a record of their own that lie in
        an area or zone with one): ``within`` (names, with shares for zones) and
        ``within_actor`` (the actor, or 'contested' when they differ).
    """
    return (surroundings or Surroundings(places)).resolve(control_now)
