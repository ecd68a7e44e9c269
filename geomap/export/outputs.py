"""Write every output of a build into one staging folder, then put the set in place."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geomap.config import BuildConfig
from geomap.export.embed import check_budget, embed_snippet
from geomap.export.gis import HXL_TAGS, write_geojson
from geomap.export.gis_layers import (
    shape_admin,
    shape_changes,
    shape_control,
    shape_displacement,
    shape_mines,
    shape_towns,
)
from geomap.export.gis_package import write_gis_package
from geomap.export.manifest import LAYER_FOLDER
from geomap.export.raster import write_density
from geomap.export.report import collect_sources, write_report
from geomap.export.staging import OutputFolder, claim_output_folder
from geomap.export.tables import write_csv, write_text
from geomap.layers import Layers, Summary
from geomap.render.markup import MapText
from geomap.render.print.figure import write_static_map


def write_exports(folder: Path, *, layers: Layers, areas: pd.DataFrame,
                  actors: pd.DataFrame, mines: gpd.GeoDataFrame,
                  displaced: pd.DataFrame, text: MapText,
                  changes: pd.DataFrame | None = None,
                  conflict: pd.DataFrame | None = None,
                  events: pd.DataFrame | None = None,
                  totals: pd.DataFrame | None = None) -> list[Path]:
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
    conflict : DataFrame, optional
        Conflict events per area, month and type, for the GeoPackage (counts only).
    events : DataFrame, optional
        The dated events with the changes near each, for the GeoPackage.
    totals : DataFrame, optional
        People displaced and mines per level, for the report.

    Returns
    -------
    list of Path
        Every file written: ``layers/<layer>.geojson``, ``geomap.gpkg``,
        ``geomap.qgz``, ``map.png``, ``map.pdf``, ``map.svg`` and ``report.html``.
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
    if conflict is not None:
        tables["conflict_events"] = conflict
    if events is not None and len(events):
        tables["events"] = events
    package = {**gis, **{f"context_{name}": frame for name, frame in
                         (layers.context or {}).items() if name in ("countries", "lakes")}}
    if changes is not None:  # a layer of points in the GeoPackage, a table in CSV
        package["changes"] = shape_changes(changes, layers.places)
    written += write_gis_package(folder, gis=package, text=text, tables={
        name: table for name, table in tables.items() if name not in package})
    written += write_static_map(folder, places=layers.places, areas=areas, mines=mines,
                                text=text, actors=actors, country=layers.country,
                                context=layers.context, changes=changes)
    sources = collect_sources({"admin": layers.admin, "towns": layers.towns,
                               "mines": layers.mines, "control": layers.control,
                               "displacement": layers.displacement,
                               **({"conflict_events": conflict}
                                  if conflict is not None else {})})
    written.append(write_report(
        folder / "report.html", text=text, png=(folder / "map.png").read_bytes(),
        areas=areas, actors=actors, join_report=layers.join_report,
        rejects=layers.rejects, sources=sources, changes=changes,
        people=getattr(layers, "people", None), totals=totals, events=events))
    return written


def write_outputs(config: BuildConfig, *, layers: Layers, summary: Summary,
                  text: MapText, page: str, report: Callable[[str], None],
                  folder: OutputFolder | None = None) -> list[Path]:
    """Write every output of a build into ``config.out_dir``, all or nothing.

    *folder* is the output folder the build claimed at its start
    (:func:`claim_output_folder`); without it, the folder is claimed here.

    Returns
    -------
    list of Path
        Every file written, under ``config.out_dir``.

    Raises
    ------
    OutputError
        The output folder cannot be written; its previous contents are left intact.
    OutputExistsError
        Files geomap did not write bear its output names in the folder.
    """
    tags = HXL_TAGS if config.hxl else {}
    tables = {"summary_areas": summary.areas, "summary_actors": summary.actors,
              "rejects": layers.rejects, "join_report": layers.join_report}
    if summary.changes is not None:
        tables["changes"] = summary.changes
    if summary.events is not None and len(summary.events):
        tables["events"] = summary.events
    if summary.conflict_events is not None:  # counts only, never ACLED's rows
        tables["conflict_events"] = summary.conflict_events
    claimed = nullcontext(folder) if folder else claim_output_folder(config.out_dir)
    with claimed as owned, owned.staging() as staging:
        written = [write_text(page, staging / "map.html"),
                   write_text(embed_snippet(config.title), staging / "embed.html")]
        written += [write_csv(table, staging / f"{name}.csv", hxl=tags.get(name))
                    for name, table in tables.items()]
        written += write_exports(staging, layers=layers, areas=summary.areas,
                                 actors=summary.actors, mines=summary.mines,
                                 displaced=summary.displaced, text=text,
                                 changes=summary.changes,
                                 conflict=summary.conflict_events,
                                 events=summary.events, totals=summary.totals)
        if summary.density is not None:
            density = write_density(layers.displacement,
                                    staging / "displacement_density.tif",
                                    grid=summary.density)
            written += [density] if density is not None else []
        report(check_budget(staging / "map.html", config.preset))
    return [owned.path / path.relative_to(staging) for path in written]
