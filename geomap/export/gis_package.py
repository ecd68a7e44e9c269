"""The analysts' package: ``geomap.gpkg`` and the QGIS project ``geomap.qgz`` beside it.

The GeoPackage holds every layer typed (:mod:`geomap.export.geopackage`), its
provenance (:mod:`geomap.export.gpkg_metadata`) and a default QGIS style
(:mod:`geomap.export.qgis_styles`, :mod:`geomap.export.qgis_sld`); the project shows
the layers in the web map's order with the print map's layout
(:mod:`geomap.export.qgis_project`, :mod:`geomap.export.qgis_layout`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj

from geomap.export import gis_style as st
from geomap.export.geopackage import column_names, geometry_type, write_layers
from geomap.export.gpkg_metadata import (
    Provenance,
    metadata_element,
    write_layer_metadata,
)
from geomap.export.qgis_layout import LayoutText, LegendEntry, layout_element
from geomap.export.qgis_project import ProjectInfo, ProjectLayer, project_xml, write_qgz
from geomap.export.qgis_sld import sld, write_layer_styles
from geomap.export.qgis_styles import qml, style_elements
from geomap.fields import aliases_for
from geomap.render.markup import MapText, fmt_date
from geomap.schema import DISCLAIMER, METRIC_CRS

GPKG_NAME = "geomap.gpkg"
PROJECT_NAME = "geomap.qgz"


@dataclass(frozen=True)
class Plan:
    """One spatial layer of the package: what it is called, shows and draws."""

    table: str
    title: str
    role: str
    empty_type: str
    abstract: str
    group: str | None = None
    visible: bool = True


RECORDS = "Control records (dated, for the time controller)"
PLANS = (  # top of the QGIS layer tree first: the web map's layers, top to bottom
    Plan("mines", "Mining sites", "mines", "Point", "Mining sites with their admin "
         "area, nearest town and the actor holding them on the as-of date."),
    Plan("displacement", "People displaced", "people", "Point", "People displaced per "
         "place (the latest assessment of each place on or before the as-of date, "
         "never added across rounds or kinds), one point inside each place."),
    Plan("towns", "Control: towns", "towns", "Point", "Towns with the actor holding "
         "each on the as-of date (a town shows only its own records), the "
         "confidence and source of that record, and the people displaced there."),
    Plan("admin", "Control: areas", "areas", "MultiPolygon", "Admin areas (provinces, "
         "territories, villes) with the actor holding each on the as-of date, the "
         "confidence and source of that record, and the people displaced there."),
    Plan("admin", "Admin boundaries", "boundaries", "MultiPolygon", "Admin area "
         "outlines."),
    Plan("control_places", "Control records: towns", "record_places", "Point",
         "Every control record on a town: the actor, the dated interval [start, end) "
         "and its confidence and source.", RECORDS, False),
    Plan("control_areas", "Control records: areas", "record_areas", "MultiPolygon",
         "Every control record on an area: the actor, the dated interval [start, "
         "end) and its confidence and source.", RECORDS, False),
)
TABLES = "Tables"
TABLE_TITLES = {"summary_areas": "Summary per place", "summary_actors":
                "Summary per actor", "changes": "Changes of control",
                "join_report": "Join report", "rejects": "Rejected rows"}


def split_control(control: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Control records as two layers of one geometry type each.

    Returns
    -------
    dict
        ``control_areas`` (polygons) and ``control_places`` (points, and records
        without a geometry, so that none is lost); new frames in the input's order.
    """
    polygon = control.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    return {"control_areas": control.loc[polygon].copy(),
            "control_places": control.loc[~polygon].copy()}


def _pairs(names: object, urls: object) -> list[tuple[str, str]]:
    """(source, URL) pairs of one cell pair; '; '-joined lists pair up when they can."""
    names = names.split("; ") if isinstance(names, str) and names else []
    links = urls.split("; ") if isinstance(urls, str) and urls else []
    if len(links) == len(names):
        return list(zip(names, links, strict=True))
    return [(name, "") for name in names] + [(link, link) for link in links]


def provenance(plan: Plan, frame: pd.DataFrame, text: MapText) -> Provenance:
    """Title, abstract, sources and licences of one layer, from its own columns."""
    found: dict[tuple[str, str], None] = {}
    for prefix in ("", "control_"):
        if f"{prefix}source" in frame:
            urls = frame.get(f"{prefix}url", pd.Series(None, index=frame.index))
            for names, links in zip(frame[f"{prefix}source"], urls, strict=True):
                found.update(dict.fromkeys(_pairs(names, links)))
    licence_of = {(s, u): lic for s, u, lic in text.sources if lic}
    licences = {licence_of[pair] for pair in found if pair in licence_of}
    if "license" in frame:
        licences |= set(frame["license"].dropna().astype(str)) - {""}
    return Provenance(plan.title, plan.abstract, text.as_of, sorted(licences),
                      sorted(found))


def _metric_extent(frames: list[gpd.GeoDataFrame]) -> tuple[float, ...]:
    """Bounds of everything drawn in the print map's CRS, padded as on the print map."""
    shapes = [frame.to_crs(METRIC_CRS).geometry for frame in frames if len(frame)]
    if not shapes:
        return (0.0, 0.0, 1.0, 1.0)
    minx, miny, maxx, maxy = pd.concat(shapes).total_bounds
    pad = max(0.06 * max(maxx - minx, maxy - miny), 2000.0)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Lon/lat bounds of a layer, None when it is empty."""
    if not len(frame) or frame.geometry.isna().all():
        return None
    return tuple(float(v) for v in frame.to_crs("EPSG:4326").total_bounds)


def _plural(count: object, word: str) -> str:
    """'1 town', '3 towns'."""
    number = int(count) if pd.notna(count) else 0
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def _holders_text(actors: pd.DataFrame | None) -> str:
    """'Who holds what' as on the print map: places, mines and people per actor."""
    if actors is None or not len(actors):
        return ""
    lines = ["Who holds what (people displaced: in the places each actor holds)"]
    for row in actors.head(8).itertuples(index=False):
        people = (f"{int(row.people):,} people displaced" if pd.notna(row.people)
                  else "no displacement figure")
        counts = ", ".join(_plural(getattr(row, column), word) for column, word in (
            ("towns", "town"), ("areas", "area"), ("mines", "mining site")))
        lines.append(f"{row.actor_name}: {counts}, {people}")
    return "\n".join(lines)


def _layout_text(text: MapText, actors: pd.DataFrame | None) -> LayoutText:
    """The words of the print layout, as on the print map."""
    subtitle = f"Control as of {fmt_date(text.as_of)}"
    if text.compare is not None:
        subtitle += f"  ·  changes since {fmt_date(text.compare)}"
    names = text.credits or [name for name, _, _ in text.sources]
    sources = ("Sources: " + ("; ".join(names) or "not recorded") + ". Every source, "
               "with its link and licence, is in each layer's metadata and in "
               "report.html.")
    name = pyproj.CRS(METRIC_CRS).name
    return LayoutText(text.title, subtitle, sources,
                      f"{DISCLAIMER} Projection: {name} ({METRIC_CRS}).", st.DOUBT_NOTE,
                      _holders_text(actors))


def write_gis_package(folder: Path, *, gis: Mapping[str, gpd.GeoDataFrame],
                      tables: Mapping[str, pd.DataFrame], text: MapText) -> list[Path]:
    """Write ``geomap.gpkg`` (typed, styled, documented) and ``geomap.qgz`` beside it.

    Parameters
    ----------
    folder : Path
        The (staging) output folder.
    gis : mapping of str to GeoDataFrame
        The shaped layers ``admin``, ``towns``, ``mines``, ``control`` and
        ``displacement`` (:mod:`geomap.export.gis_layers`).
    tables : mapping of str to DataFrame
        Attribute tables (summaries, changes, join report, rejects), in order.
    text : MapText
        Title, as-of date, credits and the (source, URL, licence) of every source.

    Returns
    -------
    list of Path
        The GeoPackage and the project.

    Raises
    ------
    SchemaError
        A layer mixes geometry types, or a layer and a table share a name.
    """
    folder = Path(folder)
    frames = {**{k: v for k, v in gis.items() if k != "control"},
              **split_control(gis["control"])}
    spatial = {p.table: frames[p.table] for p in sorted(PLANS, key=lambda p: p.table)}
    gpkg = write_layers(spatial, tables, folder / GPKG_NAME, last_change=text.as_of,
                        empty_types={p.table: p.empty_type for p in PLANS})
    actors = pd.concat([frames[t]["actor"] for t in ("admin", "towns", "control_areas",
                                                     "control_places")])
    look = {"categories": st.holder_categories(actors),
            "classes": st.people_classes(frames["displacement"]["people"].max()
                                         if len(frames["displacement"]) else 0)}
    layers, styles = [], []
    with closing(sqlite3.connect(gpkg)) as con, con:
        for plan in PLANS:
            frame = frames[plan.table]
            kind = (geometry_type(frame.geometry)[0] if len(frame) else plan.empty_type)
            meta = provenance(plan, frame, text)
            bounds = _bounds(frame)
            fields = aliases_for(plan.table, column_names(con, plan.table))
            elements = style_elements(plan.role, **look)
            if plan.role != "boundaries":
                write_layer_metadata(con, plan.table, meta, bounds)
                styles.append((plan.table, "geom", qml(elements, fields),
                               sld(plan.table, plan.role, **look)))
            layers.append(ProjectLayer(
                plan.table, plan.title, kind, bounds, elements, plan.group, plan.visible,
                metadata_element(plan.table, meta, bounds, tag="resourceMetadata"),
                ("start", "end") if plan.role.startswith("record") else None, fields,
                key="boundaries" if plan.role == "boundaries" else ""))
        for table in tables:
            fields = aliases_for(table, column_names(con, table))
            styles.append((table, "", qml([], fields), ""))
            layers.append(ProjectLayer(table, TABLE_TITLES.get(table, table), "", None,
                                       [], TABLES, True, None, None, fields))
        write_layer_styles(con, styles, as_of=text.as_of)
    extent = _metric_extent([frames[t] for t in ("admin", "towns", "mines")])
    by_table = {(layer.table, layer.key): layer for layer in layers}
    legend = [_entry(by_table[("admin", "")], "Control", "group"),
              _entry(by_table[("towns", "")], "Towns, coloured by who holds them",
                     "subgroup"),
              _entry(by_table[("admin", "boundaries")], "Admin boundary", "hidden",
                     {0: "Admin boundary"}),
              _entry(by_table[("displacement", "")], "People displaced", "group"),
              _entry(by_table[("mines", "")], "Mining sites", "group",
                     {0: "Mining site"})]
    info = ProjectInfo(text.title, text.as_of, "Who holds what in the Kivu provinces "
                       "of eastern DR Congo, where people are displaced and where the "
                       "mines are.", sorted({(s, u) for s, u, _ in text.sources}),
                       sorted({lic for _, _, lic in text.sources if lic}), METRIC_CRS)
    document = project_xml(layers, info, GPKG_NAME, view=extent, layouts=[
        layout_element(_layout_text(text, tables.get("summary_actors")), extent, legend)])
    return [gpkg, write_qgz(folder / PROJECT_NAME, document)]


def _entry(layer: ProjectLayer, title: str, style: str,
           labels: dict[int, str] | None = None) -> LegendEntry:
    """A legend entry for a project layer."""
    return LegendEntry(layer.layer_id, layer.source(GPKG_NAME), title, style,
                       labels or {})
