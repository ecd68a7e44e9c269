"""The layers of the web map as GeoJSON, each feature with its states by day."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely

from geomap.render.markup import fmt_date
from geomap.render.ranking import inner_spots
from geomap.render.style import HOME_ISO3
from geomap.render.web.states import DayRows, StateBook, holder_tip, popup, text
from geomap.render.web.styles import (
    ADMIN_STYLE,
    CHANGED_STYLE,
    COUNTRY_STYLE,
    HIDDEN,
    LAKE_STYLE,
    MINE_STYLE,
    NEIGHBOUR_STYLE,
    area_style,
    people_circle_style,
    people_shade,
    people_shade_style,
    town_style,
)
from geomap.words import actor_name, value_word, word


def collection(frame: gpd.GeoDataFrame, states: dict[str, list[int]] | list[list[int]]
               ) -> dict:
    """A GeoJSON FeatureCollection of *frame* whose features carry ``ref`` and ``s``.

    *states* maps each ``place`` to its states by day, or lists them in row order.
    """
    shapes = shapely.set_precision(frame.geometry.to_numpy(), 1e-5)
    refs = frame["place"].tolist() if "place" in frame else [None] * len(frame)
    ordered = [states[ref] for ref in refs] if isinstance(states, dict) else states
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geojson_geometry(shape),
         "properties": {"ref": ref, "s": state}}
        for shape, ref, state in zip(shapes, refs, ordered, strict=True)]}


_PLAIN = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
          "MultiPolygon"}


def geojson_geometry(shape: shapely.Geometry) -> dict:
    """``json.loads(shapely.to_geojson(shape))``, made from the coordinates.

    GEOS writes each coordinate as the shortest text that reads back as the same
    number, so the lists read back are the coordinates themselves: taken as they
    are, they skip writing and parsing thousands of numbers per outline. Other
    geometries (missing, empty, 3-D, collections) go through the text.
    """
    kind = shape.geom_type if shape is not None else None
    if kind not in _PLAIN or shape.is_empty or shape.has_z:
        return json.loads(shapely.to_geojson(shape))
    return {"type": kind, "coordinates": _coordinates(shape, kind)}


def _coordinates(shape: shapely.Geometry, kind: str) -> list:
    """The GeoJSON ``coordinates`` of a 2-D point, line or polygon, or of their
    multi-part forms."""
    if kind == "Point":
        return [shape.x, shape.y]
    if kind == "LineString":
        return shapely.get_coordinates(shape).tolist()
    if kind == "Polygon":
        return [shapely.get_coordinates(shape.exterior).tolist(),
                *(shapely.get_coordinates(ring).tolist() for ring in shape.interiors)]
    single = kind.removeprefix("Multi")
    return [_coordinates(part, single) for part in shape.geoms]


def control_layers(places: gpd.GeoDataFrame, timeline: pd.DataFrame, book: StateBook,
                   lang: str, *, rows: DayRows | None = None) -> dict[str, dict]:
    """The admin outlines and the control areas and towns, by day.

    Every area or zone held on any slider day is on the areas layer, drawn hidden on
    the days it has no record; every point place is on the towns layer. *rows* is
    *timeline* read already (:class:`DayRows`), when the caller has it.
    """
    rows = rows or DayRows(timeline)
    held = set(timeline.loc[timeline["actor"].notna(), "place"].unique())
    admin = places.loc[places["kind"] == "area"]
    zones = places.loc[places["kind"].isin(["area", "zone"]) & places["place"].isin(held)
                       & (places.geom_type != "Point")]
    towns = places.loc[places.geom_type == "Point"]
    return {
        "admin": collection(admin, rows.states(book, lambda r: ADMIN_STYLE, lang,
                                               places=set(admin["place"]))),
        "areas": collection(zones, rows.states(
            book, lambda r: area_style(r.actor, r.confidence), lang, tip=holder_tip,
            places=set(zones["place"]))),
        "towns": collection(towns, rows.states(
            book, lambda r: town_style(r.actor, r.confidence), lang, tip=holder_tip,
            places=set(towns["place"]))),
    }


def context_layer(context: dict[str, gpd.GeoDataFrame], book: StateBook) -> dict | None:
    """The base map: the DR Congo lighter than its neighbours, then the lakes.

    Drawn under everything, never clickable; None when no context layer was read.
    """
    parts = []
    countries = context.get("countries")
    if countries is not None and len(countries):
        home = countries["iso3"].eq(HOME_ISO3)
        parts.append((countries, [COUNTRY_STYLE if h else NEIGHBOUR_STYLE
                                  for h in home]))
    lakes = context.get("lakes")
    if lakes is not None and len(lakes):
        parts.append((lakes, [LAKE_STYLE] * len(lakes)))
    if not parts:
        return None
    shapes = gpd.GeoDataFrame(geometry=pd.concat(
        [frame.geometry.to_crs("EPSG:4326") for frame, _ in parts], ignore_index=True))
    states = [[book.state(style, {}, "")] for _, styles in parts for style in styles]
    return collection(shapes, states)


def context_labels(context: dict[str, gpd.GeoDataFrame], lang: str) -> list[dict]:
    """Names of the base map's countries and lakes, each with the spots it may take.

    The page puts a name on the first of its ``spots`` where it overlaps nothing
    (``at`` is the first). A country's first spot is its ``label_lon``/``label_lat``
    when it has one, then points inside its land (off the lakes); a lake's are
    points inside it. A lake with no name in the data is drawn unnamed. French names
    come from ``name_fr`` when *lang* is ``"fr"``.
    """
    labels = []
    lakes = context.get("lakes")
    water = (shapely.union_all(lakes.to_crs("EPSG:4326").geometry.to_numpy())
             if lakes is not None and len(lakes) else None)
    for kind in ("countries", "lakes"):
        frame = context.get(kind)
        if frame is None or not len(frame):
            continue
        frame = frame.to_crs("EPSG:4326")
        for _, row in frame.iterrows():
            name = row.get("name_fr") if lang == "fr" else None
            if not isinstance(name, str) or not name:
                name = row.get("name")
            if not isinstance(name, str) or not name:
                continue
            shape = row.geometry
            if kind == "countries" and water is not None:
                shape = shape.difference(water)
            spots = [] if shape.is_empty else inner_spots(shape)
            lon, lat = row.get("label_lon"), row.get("label_lat")
            if pd.notna(lon) and pd.notna(lat):
                spots.insert(0, (lon, lat))
            spots = [[round(float(y), 4), round(float(x), 4)] for x, y in spots]
            if spots:
                labels.append({"name": name,
                               "kind": "lake" if kind == "lakes" else "country",
                               "at": spots[0], "spots": spots})
    return labels


def displacement_layer(places: gpd.GeoDataFrame, timeline: pd.DataFrame,
                       book: StateBook, lang: str, *, rows: DayRows | None = None
                       ) -> tuple[dict, list[int], float]:
    """People displaced by day: territories shaded by class, other places as circles
    (*rows*: *timeline* read already, see :class:`DayRows`).

    Returns
    -------
    (dict, list of int, float)
        The layer, the class bounds of the shading and the largest circle figure,
        both over every slider day (so the legend holds whatever the slider shows).
    """
    counted = timeline.loc[timeline["people"].fillna(0) > 0]
    shown = places.loc[places["place"].isin(set(counted["place"].unique()))].copy()
    shaded = (shown["kind"] == "area") & (shown["level"] >= 2) & \
        (shown.geom_type != "Point")
    shaded_places = set(shown.loc[shaded, "place"])
    figures = counted.drop_duplicates(["place", "people_as_of", "people"])
    breaks = people_breaks(figures.loc[figures["place"].isin(shaded_places), "people"])
    circles = counted.loc[~counted["place"].isin(shaded_places), "people"]
    top = float(circles.max()) if len(circles) else 0.0

    def draw(row: object) -> dict:
        people = row.people if pd.notna(row.people) else 0
        if people <= 0:
            return dict(HIDDEN) if row.place in shaded_places else {
                **HIDDEN, "radius": 4}
        if row.place in shaded_places:
            return people_shade_style(people_shade(people, breaks))
        return people_circle_style(people, top)

    shown["geometry"] = shown.geometry.where(shaded, shown.geometry.representative_point())
    states = (rows or DayRows(timeline)).states(book, draw, lang,
                                                places=set(shown["place"]))
    return collection(shown, states), breaks, top


def people_breaks(people: pd.Series) -> list[int]:
    """Upper bounds of up to four classes of people displaced (quartiles, rounded)."""
    if people.empty:
        return []
    quantiles = people.quantile([0.25, 0.5, 0.75, 1.0], interpolation="higher")
    return sorted({int(value) for value in quantiles})


def mines_layer(mines: gpd.GeoDataFrame, book: StateBook, lang: str) -> dict:
    """Mining sites with their popups (the same every day)."""
    visits = (mines["history"].map(_visit_count) if "history" in mines
              else pd.Series("", index=mines.index))
    states = [[book.state(MINE_STYLE, popup(row.name, "", [
        ("minerals", ", ".join(value_word("mineral", m, lang) for m in minerals)
         if (minerals := _minerals(row.minerals)) else word("not_recorded", lang)),
        ("armed_presence", row.armed_presence), ("last_visit", fmt_date(row.visited)),
        ("visits_recorded", count)], row.source, row.url, lang), text(row.name))]
        for row, count in zip(mines.itertuples(index=False), visits, strict=True)]
    return collection(mines.drop(columns="place", errors="ignore"), states)


def changes_layer(places: gpd.GeoDataFrame, changes: pd.DataFrame, book: StateBook,
                  lang: str) -> dict:
    """Rings around the places that changed hands, with the change in their popup."""
    moved = places.merge(changes.drop(columns=["name"]), on="place", how="inner")
    moved["geometry"] = moved.geometry.representative_point()

    def who(actor: object) -> str:
        return actor_name(actor, lang) or word("no_record", lang)

    states = [[book.state(CHANGED_STYLE, popup(row.name, "", [
        ("", word("changed_hands_popup", lang, before=who(row.actor_before),
                  after=who(row.actor_after))),
        ("", word("changed_on", lang, date=fmt_date(row.changed_on)
                  or word("date_unknown", lang)))],
        row.source, row.url, lang), text(row.name))]
        for row in moved.itertuples(index=False)]
    return collection(gpd.GeoDataFrame(moved, geometry="geometry", crs=places.crs),
                      states)


def _minerals(minerals: object) -> list[str]:
    """The ';'-separated minerals of a site."""
    return [m for m in minerals.split(";") if m] if isinstance(minerals, str) else []


def _visit_count(history: object) -> str:
    """How many visits an IPIS site's JSON history lists ('' when none)."""
    if not isinstance(history, str) or not history.strip():
        return ""
    try:
        return str(len(json.loads(history)))
    except (ValueError, TypeError):
        return ""
