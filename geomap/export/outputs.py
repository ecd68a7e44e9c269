"""Write the outputs of a build into one staging folder, then put the set in place."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geomap.config import BuildConfig
from geomap.export.background import Background, Worker
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
from geomap.export.manifest import LAYER_FOLDER
from geomap.export.print_worker import PRINTED_OUTPUTS
from geomap.export.report import collect_sources, write_report
from geomap.export.staging import OutputFolder, claim_output_folder
from geomap.export.tables import write_csv, write_text
from geomap.layers import Layers, Summary
from geomap.render.markup import MapText

GIS_OUTPUTS = {"layers", "gpkg"}
"""Outputs built from the GIS layers: their modules (the GeoPackage and QGIS
writers) are imported only by builds that write them."""
DENSITY_FILE = "displacement_density.tif"
PAGE_FILES = ("map.png", "map.pdf")
"""The print map's files saved by a copy of the process that draws it (the PDF, and
its page rasterised into the PNG), while that process saves the SVG and makes the
report (see :func:`_write_print`)."""


def _write_density(folder: Path, grid: tuple) -> list[Path]:
    """``displacement_density.tif`` from the density *grid* of the build's records
    (:func:`geomap.summarise.density.finish_density`)."""
    from geomap.export.raster import write_density

    written = write_density(None, folder / DENSITY_FILE, grid=grid)
    return [written] if written is not None else []


def _gis_layers(layers: Layers, summary: Summary, as_of: pd.Timestamp
                ) -> dict[str, gpd.GeoDataFrame]:
    """The five GIS layers, shaped from the summaries (one row per place or record)."""
    return {
        "admin": shape_admin(layers.admin, summary.areas, as_of),
        "towns": shape_towns(layers.towns, layers.admin, summary.areas, as_of),
        "mines": shape_mines(summary.mines, summary.areas, as_of),
        "control": shape_control(layers.control, layers.places, as_of),
        "displacement": shape_displacement(summary.displaced, layers.displacement,
                                           layers.places, as_of),
    }


def _write_gis(folder: Path, wanted: set[str], *, layers: Layers, summary: Summary,
               text: MapText, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """``layers/<layer>.geojson`` and ``geomap.gpkg`` with ``geomap.qgz``, as wanted."""
    if not wanted & GIS_OUTPUTS:
        return []
    gis = _gis_layers(layers, summary, pd.Timestamp(text.as_of))
    written = []
    if "layers" in wanted:
        (folder / LAYER_FOLDER).mkdir(parents=True, exist_ok=True)
        written += [write_geojson(frame, folder / LAYER_FOLDER / f"{name}.geojson")
                    for name, frame in gis.items()]
    if "gpkg" in wanted:
        from geomap.export.gis_package import write_gis_package

        package = {**gis, **{f"context_{name}": frame for name, frame in
                             (layers.context or {}).items()
                             if name in ("countries", "lakes")}}
        if summary.changes is not None:  # points in the GeoPackage, a table in CSV
            package["changes"] = shape_changes(summary.changes, layers.places)
        order = ("summary_areas", "summary_actors", "join_report", "rejects",
                 "changes", "conflict_events", "events", "sources")
        written += write_gis_package(folder, gis=package, text=text, tables={
            name: tables[name] for name in order
            if name in tables and name not in package})
    return written


def _write_print(wanted: set[str], later: Callable[[], tuple], *, layers: Layers,
                 summary: Summary, text: MapText) -> list[Path]:
    """The print map (``map.png``, ``.pdf``, ``.svg``) and ``report.html``, as wanted.

    The map is drawn once; a copy of this process forked then (it shares the drawn
    figure: nothing is sent to it) saves the PDF and its raster, the PNG, while this
    one saves the SVG and makes the report, then waits for the PNG the report embeds
    (:class:`Background`: in turn where no process can be forked). Without
    ``print`` only the report is written (the PDF is drawn for its PNG, not kept).

    The work starts as soon as what the map draws is summed
    (:func:`draw_print_map`): *later* returns what comes after, waited for once the
    map is drawn: the output folder, the report's totals, events and sources, and
    the density grid when this process writes its GeoTIFF (first in the paths).
    """
    from geomap.export import print_map  # the module's name: tests replace its writer
    from geomap.render.print.figure import print_figure, save_printed

    figure = print_figure(layers.places, summary.areas, summary.mines, text,
                          actors=summary.actors, country=layers.country,
                          context=layers.context, changes=summary.changes)
    folder, totals, events, sources, density = later()  # summed meanwhile
    pages = Background(lambda: print_map.write_printed(folder, save_printed(
        figure, text.title, PAGE_FILES))) if "print" in wanted else None

    def png() -> bytes:
        """The print map's PNG: the one the copy saved, or saved here."""
        if pages is None:
            return save_printed(figure, text.title, ("map.png",))["map.png"]
        pages.result()
        return (folder / "map.png").read_bytes()

    try:
        written = _write_density(folder, density) if density is not None else []
        svg = print_map.write_printed(folder, save_printed(
            figure, text.title, ("map.svg",))) if pages is not None else []
        if "report" in wanted:
            report = write_report(
                folder / "report.html", text=text, png=png,
                areas=summary.areas, actors=summary.actors,
                join_report=layers.join_report, rejects=layers.rejects,
                sources=sources, changes=summary.changes,
                people=getattr(layers, "people", None), totals=totals, events=events)
        written += (pages.result() if pages is not None else []) + svg
    except BaseException:
        if pages is not None:  # nothing may write into the folder once this fails
            pages.stop()
        raise
    return written + ([report] if "report" in wanted else [])


def draw_print_map(config: BuildConfig, worker: Worker | None, *, layers: Layers,
                   summary: Summary, text: MapText) -> None:
    """Send the print map's work to *worker* now, when the map is wanted.

    Called as soon as what the map draws is summed (the places' holders, people
    and mines, the actors, the changes: :func:`~geomap.summarise.summary.
    summarise_build`), so that it is drawn while this process sums the rest and
    writes its own outputs; the folder and the report's tables follow
    (:func:`write_outputs`). Without a worker, the work starts there.
    """
    if worker is None or worker.job is not None \
            or not set(config.outputs) & PRINTED_OUTPUTS:
        return
    printing, printed_summary = _for_print(layers, summary)
    worker.start(partial(_write_print, set(config.outputs), layers=printing,
                         summary=printed_summary, text=text), waits=True)


def _for_print(layers: Layers, summary: Summary) -> tuple[Layers, Summary]:
    """*layers* and *summary* holding only what :func:`_write_print` reads.

    The print map's process receives its work pickled: the records, density grids
    and handovers it does not read (a few megabytes at a million rows) stay here.
    """
    return (replace(layers, admin=None, towns=None, mines=None, control=None,
                    displacement=None, density=None, events=None,
                    conflict_events=None),
            replace(summary, displaced=None, density=None, handovers=None,
                    event_changes=None, conflict_events=None, conflict_areas=None,
                    totals=None, events=None))  # the report's: sent later


def write_outputs(config: BuildConfig, *, layers: Layers, summary: Summary,
                  text: MapText, page: str | Callable[[], str],
                  report: Callable[[str], None],
                  folder: OutputFolder | None = None,
                  worker: Worker | None = None) -> list[Path]:
    """Write the outputs ``config.outputs`` names into ``config.out_dir``, as one set.

    The print map and report are written by a second process while this one writes
    the others (:mod:`geomap.export.background`); every output is built from the
    summaries, never from the records row by row.

    The print map's work may have been sent already (:func:`draw_print_map`); it is
    sent here the folder and the report's tables.

    Parameters
    ----------
    page : str or callable
        The web map's HTML, or what builds it (called only when the map is wanted,
        while the print map is being drawn).
    folder : OutputFolder, optional
        The output folder the build claimed at its start
        (:func:`claim_output_folder`); without it, the folder is claimed here.
    worker : Worker, optional
        The process forked at the build's start to draw the print map
        (:func:`~geomap.export.print_worker.print_worker`), sent its work already
        or not; without it, a process is forked here.

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
    wanted = set(config.outputs)
    tags = HXL_TAGS if config.hxl else {}
    conflict = summary.conflict_events
    sources = collect_sources({  # every one, whatever the map lists
        "admin": layers.admin, "towns": layers.towns, "mines": layers.mines,
        "control": layers.control, "displacement": layers.displacement,
        **({"conflict_events": conflict} if conflict is not None else {})})
    tables = {"summary_areas": summary.areas, "summary_actors": summary.actors,
              "rejects": layers.rejects, "join_report": layers.join_report,
              "sources": sources}
    if summary.changes is not None:
        tables["changes"] = summary.changes
    if summary.events is not None and len(summary.events):
        tables["events"] = summary.events
    if summary.conflict_events is not None:  # counts only, never ACLED's rows
        tables["conflict_events"] = summary.conflict_events
    claimed = nullcontext(folder) if folder else claim_output_folder(config.out_dir)
    with claimed as owned, owned.staging() as staging:
        printed = None
        density = (partial(_write_density, staging, summary.density)
                   if "density" in wanted and summary.density is not None else None)
        if wanted & PRINTED_OUTPUTS:
            grid = None
            if worker is not None:  # sent its work already, or now
                draw_print_map(config, worker, layers=layers, summary=summary, text=text)
                printed = worker.job
                if density is not None:  # it imported rasterio
                    grid, density = summary.density, None
            else:
                printing, printed_summary = _for_print(layers, summary)
                printed = Background(partial(
                    _write_print, wanted, layers=printing, summary=printed_summary,
                    text=text), waits=True)
            printed.send((staging, summary.totals, summary.events, sources, grid))
        written = []
        try:
            if "map" in wanted:
                html = page() if callable(page) else page
                written += [write_text(html, staging / "map.html"),
                            write_text(embed_snippet(config.title), staging / "embed.html")]
            if "tables" in wanted:
                written += [write_csv(table, staging / f"{name}.csv", hxl=tags.get(name))
                            for name, table in tables.items()]
            written += _write_gis(staging, wanted, layers=layers, summary=summary,
                                  text=text, tables=tables)
            if density is not None:  # else written by the print map's process
                written += density()
        except BaseException:  # the folder goes: first let the print map's work end
            if printed is not None:
                printed.abandon()
            raise
        if printed is not None:
            written += printed.result()
        if "map" in wanted:
            report(check_budget(staging / "map.html", config.preset))
    return [owned.path / path.relative_to(staging) for path in written]
