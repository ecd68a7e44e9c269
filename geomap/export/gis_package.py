"""The analysts' package: ``geomap.gpkg`` and the QGIS project ``geomap.qgz`` beside it.

The GeoPackage holds every layer typed (:mod:`geomap.export.geopackage`), its
provenance (:mod:`geomap.export.gpkg_metadata`) and a default QGIS style
(:mod:`geomap.export.qgis_styles`, :mod:`geomap.export.qgis_sld`); the project shows
the layers in the web map's order with the print map's layout
(:mod:`geomap.export.qgis_project`, :mod:`geomap.export.qgis_layout`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geomap.export import gis_style as st
from geomap.export.geopackage import (
    column_names,
    geometry_type,
    open_package,
    write_layers,
)
from geomap.export.gis_text import layout_text, provenance
from geomap.export.gpkg_metadata import metadata_element, write_layer_metadata
from geomap.export.qgis_layout import LegendEntry, layout_element
from geomap.export.qgis_project import ProjectInfo, ProjectLayer, project_xml, write_qgz
from geomap.export.qgis_sld import sld, write_layer_styles
from geomap.export.qgis_styles import qml, style_elements
from geomap.fields import aliases_for
from geomap.render.markup import MapText
from geomap.schema import METRIC_CRS
from geomap.words import WORDS, format_date, word

GPKG_NAME = "geomap.gpkg"
PROJECT_NAME = "geomap.qgz"


@dataclass(frozen=True)
class Plan:
    """One spatial layer of the package: its table, words, style and place in the tree.

    ``title`` and ``abstract`` are keys of :data:`geomap.words.WORDS`.
    """

    table: str
    title: str
    role: str
    empty_type: str
    abstract: str
    group: str | None = None
    visible: bool = True


RECORDS = "gis_records_group"
PLANS = (  # top of the QGIS layer tree first, as drawn on the web and print maps
    Plan("control_places", "gis_records_towns", "record_places", "Point",
         "gis_abstract_records_towns", RECORDS, False),
    Plan("control_areas", "gis_records_areas", "record_areas", "MultiPolygon",
         "gis_abstract_records_areas", RECORDS, False),
    Plan("mines", "layer_mines", "mines", "Point", "gis_abstract_mines"),
    Plan("towns", "layer_towns", "towns", "Point", "gis_abstract_towns"),
    Plan("changes", "layer_changes", "changes", "Point", "gis_abstract_changes"),
    Plan("displacement", "layer_displacement", "people", "Point",
         "gis_abstract_displacement"),
    Plan("context_lakes", "gis_layer_lakes", "lakes", "MultiPolygon",
         "gis_abstract_lakes"),
    Plan("admin", "layer_areas", "areas", "MultiPolygon", "gis_abstract_areas"),
    Plan("admin", "layer_admin", "boundaries", "MultiPolygon",
         "gis_abstract_boundaries"),
    Plan("context_countries", "gis_layer_countries", "countries", "MultiPolygon",
         "gis_abstract_countries"),
)
"""The spatial layers of the project. The web map's layers come in the order of its
panes (mines over towns over circles over areas over boundaries); changed hands,
lakes and countries where the print map draws them; the control records (off, for
QGIS's time controller) on top. Layers a build does not have are left out."""


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


def _metric_extent(frames: list[gpd.GeoDataFrame]) -> tuple[float, ...]:
    """Bounds of everything drawn in the print map's CRS, padded as on the print map."""
    shapes = [frame.geometry.to_crs(METRIC_CRS) for frame in frames if len(frame)]
    if not shapes:
        return (0.0, 0.0, 1.0, 1.0)
    minx, miny, maxx, maxy = pd.concat(shapes).total_bounds
    pad = max(0.06 * max(maxx - minx, maxy - miny), 2000.0)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Lon/lat bounds of a layer, None when it is empty."""
    if not len(frame) or frame.geometry.isna().all():
        return None
    return tuple(float(v) for v in frame.geometry.to_crs("EPSG:4326").total_bounds)


def _looks(frames: Mapping[str, gpd.GeoDataFrame], lang: str) -> dict:
    """The holders and the classes of people displaced the styles draw."""
    actors = pd.concat([frames[t]["actor"] for t in ("admin", "towns", "control_areas",
                                                     "control_places")])
    people = frames["displacement"]["people"]
    return {"categories": st.holder_categories(actors, lang),
            "classes": st.people_classes(people.max() if people.notna().any() else 0,
                                         lang)}


def write_gis_package(folder: Path, *, gis: Mapping[str, gpd.GeoDataFrame],
                      tables: Mapping[str, pd.DataFrame], text: MapText) -> list[Path]:
    """Write ``geomap.gpkg`` (typed, styled, documented) and ``geomap.qgz`` beside it.

    Parameters
    ----------
    folder : Path
        The (staging) output folder.
    gis : mapping of str to GeoDataFrame
        The shaped layers ``admin``, ``towns``, ``mines``, ``control`` and
        ``displacement`` (:mod:`geomap.export.gis_layers`), and when the build has
        them ``changes`` (points) and the base map's ``context_countries`` and
        ``context_lakes``.
    tables : mapping of str to DataFrame
        Attribute tables (summaries, changes, join report, rejects), in order.
    text : MapText
        Title, as-of date, language, credits and the (source, URL, licence) of every
        source.

    Returns
    -------
    list of Path
        The GeoPackage and the project.

    Raises
    ------
    SchemaError
        A layer mixes geometry types, or a layer and a table share a name.
    """
    folder, lang = Path(folder), text.lang
    frames = {**{k: v for k, v in gis.items() if k != "control"},
              **split_control(gis["control"])}
    plans = [plan for plan in PLANS if plan.table in frames]
    spatial = {p.table: frames[p.table] for p in sorted(plans, key=lambda p: p.table)}
    gpkg = write_layers(spatial, tables, folder / GPKG_NAME, as_of=text.as_of,
                        empty_types={p.table: p.empty_type for p in plans})
    compare = format_date(text.compare, lang) if text.compare is not None else ""
    looks = _looks(frames, lang)
    layers, styles = [], []
    with closing(open_package(gpkg)) as con, con:
        for plan in plans:
            frame = frames[plan.table]
            kind = geometry_type(frame.geometry)[0] if len(frame) else plan.empty_type
            title = word(plan.title, lang, date=compare)
            meta = provenance(title, word(plan.abstract, lang), frame, text)
            bounds = _bounds(frame)
            fields = aliases_for(plan.table, column_names(con, plan.table))
            elements = style_elements(plan.role, lang=lang, **looks)
            if plan.role != "boundaries":  # a second look at admin, in the project
                write_layer_metadata(con, plan.table, meta, bounds)
                styles.append((plan.table, "geom", qml(elements, fields),
                               sld(plan.table, plan.role, lang=lang, **looks)))
            layers.append(ProjectLayer(
                plan.table, title, kind, bounds, elements,
                plan.group and word(plan.group, lang), plan.visible,
                metadata_element(plan.table, meta, bounds, tag="resourceMetadata"),
                ("start", "end") if plan.role.startswith("record") else None, fields,
                key="boundaries" if plan.role == "boundaries" else ""))
        for table in tables:
            fields = aliases_for(table, column_names(con, table))
            styles.append((table, "", qml([], fields), ""))
            title = f"gis_table_{table}"
            layers.append(ProjectLayer(
                table, word(title, lang) if title in WORDS else table, "", None,
                [], word("gis_tables", lang), True, None, None, fields))
        write_layer_styles(con, styles, as_of=text.as_of)
    extent = _metric_extent([frames[t] for t in ("admin", "towns", "mines")])
    info = ProjectInfo(text.title, text.as_of, word("gis_abstract_project", lang),
                       sorted({(s, u) for s, u, _ in text.sources}),
                       sorted({lic for _, _, lic in text.sources if lic}), METRIC_CRS,
                       lang)
    document = project_xml(layers, info, GPKG_NAME, view=extent, layouts=[
        layout_element(layout_text(text, tables.get("summary_actors")), extent,
                       _legend(layers, lang, compare))])
    return [gpkg, write_qgz(folder / PROJECT_NAME, document)]


def _legend(layers: list[ProjectLayer], lang: str, compare: str) -> list[LegendEntry]:
    """The layout's legend, as the print map's: control, towns, changes, boundaries,
    lakes, borders, people displaced, mining sites (those the build has)."""
    by_table = {(layer.table, layer.key): layer for layer in layers}
    wanted = (("admin", "", "control", "group", None),
              ("towns", "", "gis_towns_legend", "subgroup", None),
              ("changes", "", "layer_changes", "hidden", "layer_changes"),
              ("admin", "boundaries", "admin_boundary", "hidden", "admin_boundary"),
              ("context_countries", "", "country_border", "hidden", "country_border"),
              ("context_lakes", "", "lake", "hidden", "lake"),
              ("displacement", "", "people_displaced", "group", None),
              ("mines", "", "mining_sites", "group", "mining_site"))
    entries = []
    for table, key, title, style, label in wanted:
        layer = by_table.get((table, key))
        if layer is not None:
            entries.append(LegendEntry(
                layer.layer_id, layer.source(GPKG_NAME), word(title, lang, date=compare),
                style, {0: word(label, lang, date=compare)} if label else {}))
    return entries
