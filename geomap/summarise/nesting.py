"""Which place lies in which: levels, parents, the areas around an open place, totals.

Places nest: towns lie in territories and cities, which lie in provinces. Figures of
nested places are never added together; every summary row says its level and its
parent, and totals add one level at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.actors import holder_of
from geomap.join import attach_areas
from geomap.places import LEVEL_NAMES, normalise_name
from geomap.schema import METRIC_CRS

TOTAL_GROUPS = {"province": "provinces (level 1)", "territory": "territories and cities "
                "(level 2)", "city": "territories and cities (level 2)",
                "chefferie/secteur": "chefferies and secteurs (level 3)",
                "town": "towns", "control zone": "control zones",
                "control point": "control points"}
"""The group each level name is totalled in: places of one group never overlap."""


def attach_town_areas(places: gpd.GeoDataFrame, towns: pd.DataFrame
                      ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Give each town its territory: the one it is reported in wins over its polygon.

    A town's ``territory`` (a P-code or a name, matched among level-2 areas, the
    territory preferred over a city of the same name) is what the sources say;
    the admin polygon its point falls in can disagree with it where boundaries are
    generalised (Kashebere, reported in Walikale, falls in the Masisi polygon of
    COD-AB 2017). The stated territory wins; without one, the polygon decides.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        *places* with ``parent_pcode`` of towns set to their territory (their
        province when neither is known), and join-report rows for the towns whose
        stated territory and polygon disagree or whose stated territory is unknown.
    """
    places = places.copy()
    admin = places.loc[(places["kind"] == "area") & (places["level"] == 2)]
    loose = places.loc[places["kind"] == "town"]
    columns = ["layer", "reference", "place", "place_name", "method", "score",
               "records", "candidates"]
    if loose.empty or admin.empty:
        return places, pd.DataFrame(columns=columns)
    stated_text = loose["place"].map(towns.set_index("town_id")["territory"]) \
        if "territory" in towns else pd.Series(None, index=loose.index, dtype=object)
    stated = stated_text.map(_stated_areas(admin)).astype(object)
    polygon = attach_areas(loose.geometry, admin.assign(pcode=admin["place"])).astype(
        object)
    parent = stated.where(stated.notna(), polygon)
    parent = parent.where(parent.notna(), loose["parent_pcode"].astype(object))
    places.loc[loose.index, "parent_pcode"] = parent
    names = admin.set_index("place")["name"]
    differ = stated.notna() & polygon.notna() & (stated != polygon)
    unknown = stated_text.notna() & stated.isna()
    rows = [("towns", loose.at[i, "name"], stated[i], names.get(stated[i]),
             "stated territory", 100.0, 1,
             f"the point falls in {names.get(polygon[i])} ({polygon[i]})")
            for i in loose.index[differ]]
    rows += [("towns", loose.at[i, "name"], polygon[i], names.get(polygon[i]),
              "spatial", 100.0, 1,
              f"stated territory '{stated_text[i]}' matches no single level-2 area")
             for i in loose.index[unknown]]
    return places, pd.DataFrame(rows, columns=columns)


def _stated_areas(admin: pd.DataFrame) -> Callable[[object], str | None]:
    """What gives the level-2 area a town's ``territory`` names (its P-code, else its
    name; a territory before a city of the same name), the areas' codes and names
    normalised once for every town."""
    codes = admin["place"].tolist()
    folded = [code.casefold() if isinstance(code, str) else None for code in codes]
    names = [normalise_name(n) if isinstance(n, str) else "" for n in admin["name"]]
    kinds = admin["area_type"].tolist() if "area_type" in admin else None

    def stated(text: object) -> str | None:
        if not isinstance(text, str) or not text.strip():
            return None
        by_code = [code for code, key in zip(codes, folded, strict=True)
                   if key == text.strip().casefold()]
        if len(by_code) == 1:
            return by_code[0]
        wanted = normalise_name(text)
        found = [at for at, name in enumerate(names) if name == wanted]
        if len(found) > 1 and kinds is not None:
            found = [at for at in found
                     if isinstance(kinds[at], str) and kinds[at] == "territory"]
        return codes[found[0]] if len(found) == 1 else None

    return stated


def level_names(places: pd.DataFrame) -> pd.Series:
    """'province', 'territory', 'city', 'town', 'control zone'... for each place."""
    kind = places["kind"]
    named = kind.map({"town": "town", "zone": "control zone", "point": "control point"})
    types = places["area_type"] if "area_type" in places else pd.Series(
        pd.to_numeric(places["level"], errors="coerce").map(LEVEL_NAMES),
        index=places.index)
    return named.where(kind != "area", types).fillna("area").astype(object)


def ancestors(parents: pd.Series) -> dict[str, list[str]]:
    """Each place's chain of enclosing places, nearest first, from place -> parent."""
    chains = {}
    for place in parents.index:
        chain, seen, current = [], {place}, parents.get(place)
        while isinstance(current, str) and current in parents.index and current not in seen:
            chain.append(current)
            seen.add(current)
            current = parents.get(current)
        chains[place] = chain
    return chains


def resolve_within(places: gpd.GeoDataFrame, control_now: pd.DataFrame
                   ) -> pd.DataFrame:
    """For places with no record of their own: every held area or zone around them.

    The most specific record wins: a place's own record always counts first, and
    geomap never copies an area's holder onto a town or a smaller area. This table
    says it out loud instead: "no record of its own; inside Masisi, held by M23/AFC".
    Admin areas are found up the place's parents (a town's reported territory, then
    its province); the nearest held one is named. Control zones are found by
    geometry, every one that overlaps the place, each with its share of the place
    (100 % for a point), so overlapping zones all show.

    Returns
    -------
    DataFrame
        Indexed by ``place`` (only places without a record of their own that lie in
        an area or zone with one): ``within`` (names, with shares for zones) and
        ``within_actor`` (the actor, or 'contested' when they differ).
    """
    held_ids = set(control_now.index)
    open_places = places.loc[~places["place"].isin(held_ids)].drop_duplicates("place")
    if not held_ids or open_places.empty:
        return pd.DataFrame(columns=["within", "within_actor"]).rename_axis("place")
    table = places.drop_duplicates("place").set_index("place")
    chains = ancestors(table["parent_pcode"]) if "parent_pcode" in table else {}
    holder = control_now["actor"]
    around = _held_area_around(open_places, table, held_ids)
    found: dict[str, list[tuple[str, str]]] = {}
    for place in open_places["place"]:
        chain = chains.get(place) or ([around[place]] if place in around else [])
        held = next((p for p in chain if p in held_ids), None)
        if held is not None:
            found.setdefault(place, []).append((table.at[held, "name"], holder[held]))
    for place, name, actor, share in _zone_overlaps(open_places, table, holder):
        found.setdefault(place, []).append((f"{name} ({share})", actor))
    if not found:
        return pd.DataFrame(columns=["within", "within_actor"]).rename_axis("place")
    return pd.DataFrame({
        "within": {p: "; ".join(n for n, _ in v) for p, v in found.items()},
        "within_actor": {p: holder_of(pd.Series([a for _, a in v])) for p, v in
                         found.items()},
    }).rename_axis("place").sort_index()


def _held_area_around(open_places: gpd.GeoDataFrame, table: gpd.GeoDataFrame,
                      held_ids: set) -> dict[str, str]:
    """For places with no parent: the deepest held admin area holding a point of it."""
    held = table.loc[(table["kind"] == "area") & table.index.isin(held_ids)]
    parents = table["parent_pcode"] if "parent_pcode" in table else pd.Series(
        None, index=table.index, dtype=object)
    orphans = open_places.loc[~open_places["place"].map(parents).isin(table.index)]
    if held.empty or orphans.empty:
        return {}
    inside = orphans.geometry.representative_point()
    found = pd.Series(None, index=orphans.index, dtype="object")
    for level in sorted(set(held["level"]), reverse=True):  # deepest area first
        areas = held.loc[held["level"] == level]
        hits = attach_areas(inside[found.isna()], areas.assign(pcode=areas.index))
        found.loc[hits.index] = hits
    found = found.loc[found.notna() & (found != orphans["place"])]
    return dict(zip(orphans.loc[found.index, "place"], found, strict=True))


def _zone_overlaps(open_places: gpd.GeoDataFrame, table: gpd.GeoDataFrame,
                   holder: pd.Series) -> list[tuple[str, str, str, str]]:
    """(place, zone name, actor, share) for every held zone overlapping an open place."""
    zones = table.loc[(table["kind"] == "zone") & table.index.isin(holder.index)]
    if zones.empty:
        return []
    zones = gpd.GeoDataFrame({"zone": zones.index}, geometry=zones.geometry.to_numpy(),
                             crs=table.crs)
    pairs = gpd.sjoin(open_places[["place", "geometry"]], zones, predicate="intersects")
    if pairs.empty:
        return []
    shapes = gpd.GeoSeries(open_places.geometry.to_numpy(),
                           index=open_places["place"].to_numpy(), crs=table.crs)
    place_geoms = shapes.loc[pairs["place"].to_numpy()].to_crs(METRIC_CRS).to_numpy()
    zone_geoms = zones.set_index("zone").geometry.loc[pairs["zone"].to_numpy()].to_crs(
        METRIC_CRS).to_numpy()
    areas = shapely.area(place_geoms)
    overlap = shapely.area(shapely.intersection(shapely.make_valid(place_geoms),
                                                shapely.make_valid(zone_geoms)))
    share = np.where(areas > 0, overlap / np.where(areas > 0, areas, 1), 1.0)
    rows = []
    for place, zone, part in zip(pairs["place"], pairs["zone"], share, strict=True):
        if part <= 0:
            continue  # touching a border only
        label = "100%" if part >= 0.9995 else f"{part:.0%}" if part >= 0.01 else "<1%"
        rows.append((place, table.at[zone, "name"], holder[zone], label))
    return sorted(rows)


def summarise_totals(areas: pd.DataFrame, mines: pd.DataFrame | None = None
                     ) -> pd.DataFrame:
    """Totals of people displaced and mining sites, one row per level, never across.

    Provinces, territories and towns nest, so their figures are added only within
    one level (territories and cities together: they do not overlap). Each total
    carries the range of dates of the figures it adds and how many places of the
    level have a figure: a total over a few places is not the level's total.

    Returns
    -------
    DataFrame
        ``level`` (what the row adds up), ``places``, ``places_with_figure``,
        ``people`` (missing when no place of the level has a figure),
        ``people_as_of`` ('2025-03-01' or '2024-06-30 to 2025-03-01') and
        ``mines`` (each site counted once in the level: the sites in its places,
        counted from *mines* when given, so overlapping control zones count a site
        once; else the sum of the places' counts).
    """
    group = areas["level_name"].map(TOTAL_GROUPS).fillna("other places")
    rows = []
    for label in dict.fromkeys([*TOTAL_GROUPS.values(), "other places"]):
        members = areas.loc[group == label]
        if members.empty:
            continue
        figures = members.loc[members["people"].notna()]
        rows.append({
            "level": label, "places": len(members),
            "places_with_figure": len(figures),
            "people": int(figures["people"].sum()) if len(figures) else pd.NA,
            "people_as_of": date_span(figures["people_as_of"]),
            "mines": _mines_in(label, mines) if mines is not None else
            int(members["mines"].sum()),
        })
    table = pd.DataFrame(rows, columns=["level", "places", "places_with_figure",
                                        "people", "people_as_of", "mines"])
    table["people"] = table["people"].astype("Int64")
    return table


def _mines_in(group: str, mines: pd.DataFrame) -> int:
    """The sites lying in some place of *group*, each counted once."""
    column = {"provinces (level 1)": "adm1_pcode",
              "territories and cities (level 2)": "adm2_pcode",
              "chefferies and secteurs (level 3)": "adm3_pcode", "towns": "town",
              "control zones": "zones"}.get(group)
    if column is None or column not in mines:
        return 0
    return int(mines[column].notna().sum())


def date_span(dates: pd.Series) -> str | None:
    """'2025-03-01', or '2024-06-30 to 2025-03-01' for several dates; None for none."""
    dates = pd.to_datetime(dates.dropna())
    if dates.empty:
        return None
    first, last = dates.min(), dates.max()
    return (f"{first:%Y-%m-%d}" if first == last else
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
