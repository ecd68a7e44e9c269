"""Write the files for analysts and report writers: GIS layers, print map, report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geomap.export.gis import write_geojson, write_geopackage
from geomap.export.gis_layers import (
    shape_admin,
    shape_control,
    shape_displacement,
    shape_mines,
    shape_towns,
)
from geomap.render.markup import MapText
from geomap.export.report import collect_sources, write_report
from geomap.render.print.figure import write_static_map

if TYPE_CHECKING:
    from geomap.pipeline import Layers

LAYER_FOLDER = "layers"
EMPTY_TYPES = {"admin": "MultiPolygon", "towns": "Point", "mines": "Point",
               "displacement": "Point"}
"""Geometry type of each layer when a build leaves it without rows."""


def write_exports(folder: Path, *, layers: Layers, areas: pd.DataFrame,
                  actors: pd.DataFrame, mines: gpd.GeoDataFrame,
                  displaced: pd.DataFrame, text: MapText,
                  changes: pd.DataFrame | None = None) -> list[Path]:
    """Write the GIS layers, the GeoPackage, the print map and the report.

    Parameters
    ----------
    folder : Path
        The (staging) output folder; GeoJSON layers go to ``layers/`` inside it.
    layers : Layers
        The validated, linked layers of the build.
    areas, actors : DataFrame
        The per-place and per-actor summaries.
    mines : GeoDataFrame
        Mining sites with their area and nearest town.
    displaced : DataFrame
        People displaced per place as of the build date.
    text : MapText
        Title, dates and sources.
    changes : DataFrame, optional
        Control changes since the comparison date, for the report and GeoPackage.

    Returns
    -------
    list of Path
        Every file written: ``layers/<layer>.geojson``, ``geomap.gpkg``,
        ``map.png``, ``map.pdf``, ``map.svg`` and ``report.html``.
    """
    folder = Path(folder)
    as_of = pd.Timestamp(text.as_of)
    gis = {
        "admin": shape_admin(layers.admin, areas, as_of),
        "towns": shape_towns(layers.towns, layers.admin, areas, as_of),
        "mines": shape_mines(mines, areas, as_of),
        "control": shape_control(layers.control, layers.places, as_of),
        "displacement": shape_displacement(displaced, layers.displacement,
                                           layers.places, as_of),
    }
    (folder / LAYER_FOLDER).mkdir(parents=True, exist_ok=True)
    written = [write_geojson(frame, folder / LAYER_FOLDER / f"{name}.geojson")
               for name, frame in gis.items()]
    tables = {"summary_areas": areas, "summary_actors": actors,
              "join_report": layers.join_report, "rejects": layers.rejects}
    if changes is not None:
        tables["changes"] = changes
    written.append(write_geopackage(gis, tables, folder / "geomap.gpkg",
                                    last_change=as_of, empty_types=EMPTY_TYPES))
    written += write_static_map(folder, places=layers.places, areas=areas, mines=mines,
                                text=text, actors=actors, country=layers.country)
    sources = collect_sources({"admin": layers.admin, "towns": layers.towns,
                               "mines": layers.mines, "control": layers.control,
                               "displacement": layers.displacement})
    written.append(write_report(
        folder / "report.html", text=text, png=(folder / "map.png").read_bytes(),
        areas=areas, actors=actors, join_report=layers.join_report,
        rejects=layers.rejects, sources=sources, changes=changes,
        people=getattr(layers, "people", None)))
    return written
