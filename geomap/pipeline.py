"""The whole build, stage by stage: load, validate, join, summarise, render, export."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from geomap.config import OPTIONAL_LAYERS, BuildConfig
from geomap.export.outputs import draw_print_map, write_outputs
from geomap.export.print_worker import print_worker
from geomap.export.staging import claim_output_folder
from geomap.join import describe_join, link_records, unmatched_reasons
from geomap.layers import BuildResult, Layers, Summary
from geomap.load.inputs import read_context, read_country_outline
from geomap.places import build_places
from geomap.render.markup import MapText
from geomap.summarise.credits import citations, credit_lines, list_sources
from geomap.summarise.engines import start_reading, start_reduction
from geomap.summarise.nesting import attach_town_areas
from geomap.summarise.summary import slider_timeline, summarise_build
from geomap.validate.checks import Rejects
from geomap.validate.stream import check_layer

Report = Callable[[str], None]
READ_FIRST = ("admin", "towns", "mines", "control")
"""Layers read whole, in this order, before the displacement records are reduced
(they name the places); the optional inputs and the base map are read while they
are. Displacement is read from the start on a thread, and reduced part by part by
the build's engine."""


def _quiet(_: str) -> None:
    """Report nothing."""


def load_layers(config: BuildConfig, report: Report = _quiet) -> Layers:
    """Read, validate and link every layer named by *config*.

    Returns
    -------
    Layers
        Clean layers with ``place`` on control records, displacement reduced to
        figures per place, day and source by the build's engine
        (:mod:`geomap.summarise.engines`), the rejects and join report, and the
        people count.

    Raises
    ------
    GeomapError
        A file cannot be read or lacks what its layer needs.
    """
    clean, rejects, names = {}, [], {}
    with start_reading(config) as reading:  # parsed on a thread meanwhile
        for layer in READ_FIRST:
            clean[layer], rejected, names[layer] = check_layer(
                config, layer, clean.get("admin"), report)
            rejects.append(rejected)
        places, towns_report = attach_town_areas(
            build_places(clean["admin"], clean["towns"]), clean["towns"])
        control, control_report, record_places = link_records(
            clean["control"], places, clean["admin"], layer="control",
            own_geometry=True)
        places = pd.concat([places, record_places], ignore_index=True)
        with start_reduction(config, places, clean["admin"], reading) as reduction:
            for layer in OPTIONAL_LAYERS:  # read while the records are reduced
                clean[layer], rejected, names[layer] = check_layer(
                    config, layer, clean.get("admin"), report)
                rejects.append(rejected)
            country, context = read_country_outline(config), read_context(config)
            names["displacement"], displacement = reduction.result(report)
    clean["displacement"] = displacement.figures
    parts = [r for r in (towns_report, control_report, displacement.join_report)
             if len(r)]
    join_report = pd.concat(parts or [control_report], ignore_index=True)
    report(describe_join(join_report))
    missing = control["place"].isna()
    unmatched = Rejects("control")
    if missing.any():  # why unlinked records found no place: only when there are some
        unmatched.add(control, missing, "area", unmatched_reasons(control, control_report))
    clean["control"] = control.loc[~missing]
    rejects += [unmatched.table(), displacement.rejects]
    counts = citations(clean)  # once for the sources list and the credits
    sources, sources_more = list_sources(clean, counts=counts)
    rejects_table = pd.concat([r for r in rejects if len(r)], ignore_index=True) \
        if any(len(r) for r in rejects) else rejects[0]
    return Layers(admin=clean["admin"], towns=clean["towns"], mines=clean["mines"],
                  control=clean["control"], displacement=clean["displacement"],
                  events=clean["events"], conflict_events=clean["conflict_events"],
                  places=places, rejects=rejects_table, join_report=join_report,
                  people=displacement.people, sources=sources, sources_more=sources_more,
                  credits=credit_lines(clean, names, counts=counts),
                  density=displacement.density,
                  country=country, context=context)


def run(config: BuildConfig, report: Report = _quiet) -> BuildResult:
    """Run the whole build and write every output into ``config.out_dir``.

    Parameters
    ----------
    config : BuildConfig
        Inputs, date, title and output folder.
    report : callable, optional
        Receives one line per finished step.

    Returns
    -------
    BuildResult
        The paths written, the people count and the summaries.

    Raises
    ------
    GeomapError
        Bad input; nothing in ``config.out_dir`` is changed then.
    """
    with claim_output_folder(config.out_dir) as folder, \
            print_worker(config) as worker:  # one build at a time; print map aside
        layers = load_layers(config, report)
        report(str(layers.people))
        def draw(ready: Summary) -> None:  # the print map, drawn aside from then on
            draw_print_map(config, worker, layers=layers, summary=ready, text=(
                MapText.from_build(config, layers, latest_record=ready.latest_record)))

        summary = summarise_build(layers, config, report, drawn=draw)
        text = MapText.from_build(config, layers, latest_record=summary.latest_record)
        def page() -> str:  # built only when the map is wanted, beside the print map
            from geomap.render.web.density import build_density_overlay
            from geomap.render.web.map import build_map

            overlay = (build_density_overlay(layers.displacement, grid=summary.density)
                       if summary.density is not None else None)
            return build_map(layers.places, summary.areas, summary.mines, text,
                             timeline=slider_timeline(layers, config), changes=summary.changes,
                             preset=config.preset, self_contained=config.self_contained,
                             density=overlay, context=layers.context,
                             events=summary.events)

        paths = write_outputs(config, layers=layers, summary=summary, text=text,
                              page=page, report=report, folder=folder,
                              worker=worker)
    report(f"wrote {len(paths)} files to {config.out_dir}")
    return BuildResult(paths=paths, people=layers.people, rejects=layers.rejects,
                       join_report=layers.join_report, areas=summary.areas,
                       actors=summary.actors)
