"""Shape the build's layers for GIS files: one frame per layer, stable row order.

Each exported layer carries P-codes, sources, dates and the status as of the build
date, so an analyst can style it in QGIS without joining anything. Displacement is
published as aggregates per place (never as records of displaced people).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.actors import controller_label, in_force
from geomap.schema import STORAGE_CRS

STATUS_COLUMNS = {"actor": "actor", "actor_name": "actor_name",
                  "confidence": "confidence", "since": "control_since",
                  "source": "control_source", "url": "control_url", "people": "people",
                  "people_as_of": "people_as_of", "mines": "mines"}
"""Columns of the per-place summary added to admin areas and towns (new names)."""


def _status(keys: pd.Series, areas: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The summary row of each place key, renamed for export, plus ``as_of``."""
    summary = areas.drop_duplicates("place").set_index("place")
    status = summary[list(STATUS_COLUMNS)].rename(columns=STATUS_COLUMNS)
    status = status.reindex(keys.to_numpy())
    status.index = keys.index
    # a figure exists only with its date: elsewhere there is none (NULL, never 0)
    status["people"] = status["people"].astype("Float64").round().astype("Int64").mask(
        status["people_as_of"].isna())
    status["mines"] = status["mines"].fillna(0).astype("int64")
    status["as_of"] = as_of
    return status


def _layer(frame: pd.DataFrame, geometry, order: list[str]) -> gpd.GeoDataFrame:
    """A GeoDataFrame in EPSG:4326 sorted by *order*, with a fresh index.

    The table is sorted before it becomes a GeoDataFrame, its geometry a column
    already: geopandas looks for a geometry at each step of a GeoDataFrame's
    making and sorting (a millisecond or two per layer for a few dozen rows).
    """
    table = pd.DataFrame(frame, copy=False)
    if "geometry" in table.columns:
        table = table.drop(columns=["geometry"])
    table = table.assign(geometry=gpd.array.from_shapely(
        np.asarray(list(geometry), dtype=object), crs=STORAGE_CRS))
    table = table.sort_values(order, kind="stable", na_position="first")
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry="geometry")


def shape_admin(admin: gpd.GeoDataFrame, areas: pd.DataFrame,
                as_of: pd.Timestamp) -> gpd.GeoDataFrame:
    """Admin areas with who controls each and the people displaced there."""
    table = pd.concat([admin.drop(columns=admin.geometry.name),
                       _status(admin["pcode"], areas, as_of)], axis=1)
    return _layer(table, admin.geometry, ["level", "pcode"])


def shape_towns(towns: gpd.GeoDataFrame, admin: gpd.GeoDataFrame, areas: pd.DataFrame,
                as_of: pd.Timestamp) -> gpd.GeoDataFrame:
    """Towns with their status; a town folded into an area (a city) takes the area's."""
    folded = towns["pcode"].notna() & towns["pcode"].isin(set(admin["pcode"]))
    keys = towns["town_id"].astype(object).where(~folded, towns["pcode"].astype(object))
    table = pd.concat([towns.drop(columns=towns.geometry.name),
                       _status(keys, areas, as_of)], axis=1)
    return _layer(table, towns.geometry, ["town_id"])


def shape_mines(mines: gpd.GeoDataFrame, areas: pd.DataFrame,
                as_of: pd.Timestamp) -> gpd.GeoDataFrame:
    """Mining sites with their admin area, nearest town and the actor holding them.

    The holder is the one the summaries give (``actor`` and ``held_via`` from
    :func:`geomap.summarise.mines.hold_mines`): the nearest town's, else the control
    zones', else the admin area's.
    """
    table = mines.drop(columns=mines.geometry.name).rename(
        columns={"area": "area_pcode", "town": "near_town", "town_km": "near_town_km"})
    if "actor" not in table:
        table["actor"] = None
    table["actor_name"] = table["actor"].map(controller_label)
    table["as_of"] = as_of
    return _layer(table, mines.geometry, ["site_id", "name"])


def shape_control(control: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                  as_of: pd.Timestamp) -> gpd.GeoDataFrame:
    """Every control record (a dated interval) on the geometry of its place.

    Records with their own geometry keep it; the others take their place's polygon
    or point. ``in_force`` says whether the record holds on the build date.
    """
    shapes = places.drop_duplicates("place").set_index("place")
    own = control.geometry
    has_own = ~(own.isna() | own.is_empty)
    geometry = pd.Series(shapes.geometry.reindex(control["place"].to_numpy()).to_numpy(),
                         index=control.index, dtype=object)
    geometry[has_own] = own[has_own]
    table = control.drop(columns=[control.geometry.name, "name"], errors="ignore")
    table = table.rename(columns={"method": "join_method"})
    table["actor_name"] = table["actor"].map(controller_label)
    table["place_name"] = table["place"].map(shapes["name"])
    table["place_pcode"] = table["place"].map(shapes["pcode"])
    table["in_force"] = in_force(control["start"], control["end"], as_of).astype(bool)
    table["as_of"] = as_of
    return _layer(table, geometry, ["place", "start", "actor", "_row"])


def _figure_sources(cited: pd.DataFrame, figures: pd.DataFrame,
                    as_of: pd.Timestamp) -> list[tuple[str, str]]:
    """Distinct sources and URLs of the rows behind each figure (a place and its
    ``assessment``: rounds '; '-joined, 'registrations' for rows without a round),
    '; '-joined and sorted; only rows dated on or before *as_of* count."""
    cited = cited.loc[(cited["date"] <= as_of).to_numpy()]
    found: dict[object, dict[object, tuple[set, set]]] = {}
    rounds = cited["assessment"].astype(object).where(cited["assessment"].notna(), None)
    for place, key, source, url, has_source, has_url in zip(
            cited["place"].tolist(), rounds.tolist(), cited["source"].tolist(),
            cited["url"].tolist(), cited["source"].notna().tolist(),
            cited["url"].notna().tolist(), strict=True):
        sources, urls = found.setdefault(place, {}).setdefault(key, (set(), set()))
        if has_source:
            sources.add(str(source))
        if has_url:
            urls.add(str(url))
    listed = []
    for place, assessment in zip(figures["place"], figures["assessment"], strict=True):
        rounds = set(str(assessment).split("; "))
        keys = [*rounds, None] if "registrations" in rounds else rounds
        parts = [found.get(place, {}).get(key, (set(), set())) for key in keys]
        listed.append(tuple("; ".join(sorted(set().union(*(part[n] for part in parts))))
                            for n in (0, 1)))
    return listed


def shape_displacement(displaced: pd.DataFrame, displacement: pd.DataFrame,
                       places: gpd.GeoDataFrame, as_of: pd.Timestamp
                       ) -> gpd.GeoDataFrame:
    """People displaced per place as of the build date, one point per place.

    Areas are represented by a point inside them (as on the web map); the figure is
    the place's total, with the assessment, date, sources and URLs behind it.
    """
    shapes = places.drop_duplicates("place").set_index("place")
    figures = displaced.reset_index().rename(columns={"people_as_of": "date"})
    figures = figures.loc[figures["place"].isin(shapes.index)]
    located = shapes.reindex(figures["place"].to_numpy())
    # one row per distinct citation: the records behind a figure can be millions
    cited = displacement.reindex(columns=["place", "assessment", "date", "source", "url"])
    cited = cited.loc[cited["place"].isin(set(figures["place"]))].drop_duplicates()
    sources = _figure_sources(cited, figures, as_of)
    table = pd.DataFrame({
        "place": figures["place"].to_numpy(),
        "name": located["name"].to_numpy(),
        "pcode": located["pcode"].to_numpy(),
        "kind": located["kind"].to_numpy(),
        "people": figures["people"].astype("int64").to_numpy(),
        "date": figures["date"].to_numpy(),
        "assessment": figures["assessment"].to_numpy(),
        "source": [source for source, _ in sources],
        "url": [url for _, url in sources],
        "as_of": as_of,
    })
    points = gpd.GeoSeries(located.geometry.to_numpy(), crs=STORAGE_CRS)
    return _layer(table, points.representative_point(), ["place"])


def shape_changes(changes: pd.DataFrame, places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Places that changed hands, one point inside each (a town at its own point).

    The table is ``changes.csv`` with a geometry; a place geomap cannot locate keeps
    its row with no geometry.
    """
    shapes = places.drop_duplicates("place").set_index("place")
    located = gpd.GeoSeries(shapes.geometry.reindex(changes["place"].to_numpy())
                            .to_numpy(), crs=STORAGE_CRS)
    return _layer(changes.reset_index(drop=True), located.representative_point(),
                  ["place"])
