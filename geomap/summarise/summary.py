"""The summarise stage in one call: control, displacement, mines, actors, changes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from geomap.actors import holder_since, resolve_control
from geomap.config import BuildConfig
from geomap.layers import Layers, Summary
from geomap.summarise.areas import sum_displaced, summarise_areas
from geomap.summarise.changes import (
    add_changed_people,
    changes_between,
    control_timeline,
    slider_days,
)
from geomap.summarise.conflict import count_conflict_events
from geomap.summarise.density import DENSITY_MIN_PEOPLE, finish_density
from geomap.summarise.events import summarise_events
from geomap.summarise.figure_dates import add_people_as_of_text
from geomap.summarise.handovers import (
    add_changed_on_text,
    add_since_text,
    list_handovers,
    with_date_texts,
)
from geomap.summarise.holders import check_as_of
from geomap.summarise.mines import assign_mines, hold_mines
from geomap.summarise.nesting import summarise_totals
from geomap.summarise.per_actor import summarise_actors
from geomap.summarise.population import attach_population
from geomap.summarise.timeline import displacement_steps


def summarise_build(layers: Layers, config: BuildConfig,
                    report: Callable[[str], None], *,
                    drawn: Callable[[Summary], object] | None = None) -> Summary:
    """Summarise the linked *layers* as of ``config.date``.

    Parameters
    ----------
    drawn : callable, optional
        Given the summaries the print map draws (areas, mines, actors, changes,
        the newest record's date) as soon as they exist, before the others are
        summed: a build starts drawing its print map then.

    Returns
    -------
    Summary
        Per-place and per-actor tables, totals per level, mines with their places
        and holders, changes since ``config.compare``, the density grid of point
        records, every handover of the control record, the events with the changes
        of control near each, and the newest record's date when the as-of date is
        well after it (the slider's days: :func:`slider_timeline`).

    Warns
    -----
    StaleDateWarning
        The as-of date lies more than 30 days after the newest control record.
    """
    lang = config.lang
    control = with_date_texts(layers.control, lang=lang)
    control_now = resolve_control(control, config.date)
    control_now["since"] = holder_since(control, control_now.index, config.date)
    displaced = sum_displaced(layers.displacement, config.date, window_days=config.window)
    mines = assign_mines(layers.mines, layers.places, layers.admin)
    mines = mines.join(hold_mines(mines, control_now["actor"]))
    areas = add_since_text(summarise_areas(layers.places, control_now, displaced, mines),
                           control, lang=lang)
    areas = add_people_as_of_text(areas, layers.displacement, lang=lang)
    actors = summarise_actors(areas, mines)
    if config.population is not None:
        started = time.perf_counter()
        areas, actors = attach_population(areas, actors, layers.places, config.population)
        report(f"population: summed {Path(config.population).name} over the areas "
               f"({time.perf_counter() - started:.1f} s)")
    changes = None
    if config.compare is not None:
        changes = add_changed_on_text(changes_between(
            control, layers.places, config.compare, config.date), control, lang=lang)
        changes, actors = add_changed_people(changes, areas, actors)
    latest_record = check_as_of(layers.control, config.date)
    if drawn is not None:
        drawn(Summary(displaced=displaced, mines=mines, areas=areas, actors=actors,
                      changes=changes, latest_record=latest_record))
    density = (finish_density(layers.density, min_people=DENSITY_MIN_PEOPLE)
               if layers.density is not None else None)  # counted once, used twice
    conflict, conflict_areas = count_conflict_events(
        layers.conflict_events, layers.admin, as_of=config.date, report=report)
    handovers = list_handovers(control, layers.places, lang=lang)
    events, event_changes = summarise_events(layers.events, handovers, lang=lang)
    return Summary(displaced=displaced, mines=mines, areas=areas, actors=actors,
                   totals=summarise_totals(areas, mines), changes=changes,
                   density=density,
                   conflict_events=conflict, conflict_areas=conflict_areas,
                   handovers=handovers, events=events, event_changes=event_changes,
                   latest_record=latest_record)


def slider_timeline(layers: Layers, config: BuildConfig) -> pd.DataFrame:
    """Every place on every day the web map's slider stops at, as of ``config.date``.

    The days are every control record's start and end, every event's date and the
    as-of date; see :func:`geomap.summarise.changes.control_timeline` for the rows.
    Only the web map reads it, so a build works it out beside the print map, not
    before it.
    """
    days = slider_days(layers.control, config.date) + (
        [] if layers.events is None else list(layers.events["date"]))
    return control_timeline(layers.control, layers.places, displacement_steps(
        layers.displacement, window_days=config.window), config.date, days=days)
