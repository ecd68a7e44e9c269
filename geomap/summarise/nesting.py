"""Which place lies in which: towns' territories, levels, totals per level.

Places nest: towns lie in territories and cities, which lie in provinces. Figures of
nested places are never added together; every summary row says its level and its
parent, and totals add one level at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import geopandas as gpd
import pandas as pd

from geomap.join import attach_areas
from geomap.places import LEVEL_NAMES, normalise_name

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
    added = areas[[c for c in ("people", "people_as_of", "mines") if c in areas]]
    rows = []  # only the columns added are cut per level
    for label in dict.fromkeys([*TOTAL_GROUPS.values(), "other places"]):
        members = added.loc[group == label]
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


def date_span(dates: Iterable[object]) -> str | None:
    """'2025-03-01', or '2024-06-30 to 2025-03-01' for several dates; None for none.

    *dates* are a few (one per place added), so they are read one by one."""
    known = [pd.Timestamp(day) for day in dates if pd.notna(day)]
    if not known:
        return None
    first, last = min(known), max(known)
    return (f"{first:%Y-%m-%d}" if first == last else
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
