"""The whole build: load, validate, join, summarise, render, export."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geomap.summarise.areas import assign_mines, resolve_control, summarise_actors, summarise_areas
from geomap.config import COUNTRY_FILE, BuildConfig, resolve_shapes_dir
from geomap.summarise.density import (
    DENSITY_MIN_PEOPLE,
    build_density_overlay,
    count_density,
    has_points,
    write_density,
)
from geomap.export.embed import check_budget, embed_snippet
from geomap.summarise.engines import engine_steps
from geomap.errors import SchemaError, SourceError
from geomap.export.staging import staged_outputs, write_csv, write_text
from geomap.export.gis import HXL_TAGS
from geomap.load.inputs import read_input
from geomap.join import (
    add_parent_areas,
    build_places,
    describe_join,
    link_records,
    unmatched_reasons,
)
from geomap.load.files import ROW
from geomap.render.markup import MapText
from geomap.summarise.population import attach_population
from geomap.export.outputs import write_exports
from geomap.progress import announce_file, announce_rows
from geomap.render.web.map import build_map
from geomap.summarise.changes import add_changed_people, changes_between, slider_data
from geomap.validate.checks import VALIDATORS, Rejects, usable_people

Report = Callable[[str], None]


@dataclass(frozen=True)
class PeopleCount:
    """Conservation of people: read = mapped + rejected, exactly."""

    read: int
    mapped: int
    rejected: int
    rows_read: int
    rows_rejected: int

    @property
    def balanced(self) -> bool:
        """True when every person read is either mapped or rejected."""
        return self.read == self.mapped + self.rejected

    def __str__(self) -> str:
        return (f"people read {self.read:,} = mapped {self.mapped:,} + rejected "
                f"{self.rejected:,} ({self.rows_rejected:,} of {self.rows_read:,} rows "
                "rejected; sums of the figures in every row and round, a check that no "
                "row is lost, not a count of displaced people)")


@dataclass
class BuildResult:
    """What a build wrote and what it found."""

    paths: list[Path] = field(default_factory=list)
    people: PeopleCount | None = None
    rejects: pd.DataFrame | None = None
    join_report: pd.DataFrame | None = None
    areas: pd.DataFrame | None = None
    actors: pd.DataFrame | None = None


@dataclass
class Layers:
    """The validated, linked layers of one build."""

    admin: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    mines: gpd.GeoDataFrame
    control: gpd.GeoDataFrame
    displacement: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    rejects: pd.DataFrame
    join_report: pd.DataFrame
    people: PeopleCount
    sources: list[tuple[str, str, str]]
    credits: list[str]
    country: gpd.GeoDataFrame | None = None


def _quiet(_: str) -> None:
    """Report nothing."""


def load_layers(config: BuildConfig, report: Report = _quiet) -> Layers:
    """Read, validate and link every layer named by *config*.

    Returns
    -------
    Layers
        Clean layers with ``place`` on control and displacement records, the rejects
        and join report, and the people count.

    Raises
    ------
    GeomapError
        A file cannot be read or lacks what its layer needs.
    """
    clean: dict[str, gpd.GeoDataFrame] = {}
    rejects = []
    raw_displacement = None
    for layer in ("admin", "towns", "mines", "control", "displacement"):
        started = time.perf_counter()
        announce_file(config.inputs.get(layer), layer, report)
        path, raw = read_input(config, layer, report)
        if layer == "displacement":  # conservation needs only the raw counts
            raw_displacement = raw[[ROW, "people"]]
        announce_rows(layer, len(raw), "validating", report)
        clean[layer], rejected = VALIDATORS[layer](raw)
        rejects.append(rejected)
        if len(raw) and clean[layer].empty:
            raise SchemaError(_all_rejected(layer, path, rejected))
        report(f"{layer}: {len(clean[layer]):,} of {len(raw):,} rows kept from {path.name}"
               f" ({time.perf_counter() - started:.1f} s)")
    del raw  # free the raw text columns before the join
    clean["admin"] = add_parent_areas(clean["admin"])
    places = build_places(clean["admin"], clean["towns"])
    control, control_report, record_places = link_records(
        clean["control"], places, clean["admin"], layer="control", own_geometry=True)
    places = pd.concat([places, record_places], ignore_index=True)
    link_displacement = engine_steps(config.engine)[0]  # pandas or dask
    announce_rows("displacement", len(clean["displacement"]), "joining", report)
    displacement, displacement_report = link_displacement(
        clean["displacement"], places, clean["admin"], layer="displacement",
        own_geometry=False)[:2]
    join_report = pd.concat([control_report, displacement_report], ignore_index=True)
    report(describe_join(join_report))
    for layer, linked, layer_report in (("control", control, control_report),
                                        ("displacement", displacement,
                                         displacement_report)):
        missing = linked["place"].isna()
        unmatched = Rejects(layer)
        unmatched.add(linked, missing, "area", unmatched_reasons(linked, layer_report))
        rejects.append(unmatched.table())
        clean[layer] = linked.loc[~missing]
    rejects_table = pd.concat([r for r in rejects if len(r)], ignore_index=True) \
        if any(len(r) for r in rejects) else rejects[0]
    people = count_people(raw_displacement, clean["displacement"], rejects_table)
    if not people.balanced:  # an internal invariant, never the user's fault
        msg = f"people are not conserved: {people}"
        raise AssertionError(msg)
    sources = _sources(clean)
    credits = _credits(clean, config)
    return Layers(admin=clean["admin"], towns=clean["towns"], mines=clean["mines"],
                  control=clean["control"], displacement=clean["displacement"],
                  places=places, rejects=rejects_table, join_report=join_report,
                  people=people, sources=sources, credits=credits,
                  country=read_country_outline(config))


def read_country_outline(config: BuildConfig) -> gpd.GeoDataFrame | None:
    """The bundled DR Congo outline for the print map's locator, when it is there."""
    try:
        path = resolve_shapes_dir(config.shapes_dir) / COUNTRY_FILE
    except SourceError:
        return None
    return gpd.read_file(path) if path.exists() else None


def _all_rejected(layer: str, path: Path, rejected: pd.DataFrame) -> str:
    """Say why every row of a layer was rejected: the commonest reasons, with rows."""
    reasons = rejected.loc[rejected["action"] == "rejected"]
    top = reasons["reason"].value_counts().index[:2]
    parts = []
    for reason in top:
        rows = reasons.loc[reasons["reason"] == reason, "row"].astype(int).tolist()
        shown = ", ".join(map(str, rows[:3])) + (f" and {len(rows) - 3} more"
                                                 if len(rows) > 3 else "")
        parts.append(f"{reason} (rows {shown})")
    hint = (" Dates must be written YYYY-MM-DD (or YYYY-MM, YYYY)."
            if any("date" in reason for reason in top) else "")
    return (f"Every row of the {layer} file '{path.name}' was rejected: "
            f"{'; '.join(parts)}.{hint} Check it with 'geomap validate {path.name} "
            f"--layer {layer}'.")


def count_people(raw: pd.DataFrame, mapped: pd.DataFrame, rejects: pd.DataFrame
                 ) -> PeopleCount:
    """Count people read, mapped and rejected, each from its own rows."""
    people, _ = usable_people(raw)
    rejected_rows = set(rejects.loc[(rejects["layer"] == "displacement")
                                    & (rejects["action"] == "rejected"), "row"])
    is_rejected = raw[ROW].isin(rejected_rows)
    return PeopleCount(read=int(people.sum()), mapped=int(mapped["people"].sum()),
                       rejected=int(people[is_rejected].sum()), rows_read=len(raw),
                       rows_rejected=int(is_rejected.sum()))


def _sources(clean: dict[str, pd.DataFrame]) -> list[tuple[str, str, str]]:
    """Distinct (source, url, licence) cited by the layers, for the sources list."""
    parts = [frame.reindex(columns=["source", "url", "license"])
             .dropna(subset=["source"]).drop_duplicates()
             for frame in clean.values() if {"source", "url"} <= set(frame.columns)]
    if not parts:
        return []
    table = pd.concat(parts).astype(object).drop_duplicates().fillna("")
    table = table.sort_values(["source", "url", "license"])
    return list(zip(table["source"], table["url"], table["license"], strict=True))


CREDITS = {
    "admin": "admin areas", "towns": "towns", "mines": "mining sites",
    "control": "control", "displacement": "displacement",
}


def _credits(clean: dict[str, pd.DataFrame], config: BuildConfig) -> list[str]:
    """One short credit per layer for the map's attribution line."""
    credits = []
    for layer, label in CREDITS.items():
        frame = clean[layer]
        sources = frame["source"] if "source" in frame else pd.Series([], dtype=object)
        counts = sources.value_counts()  # split each distinct source once, not each row
        publisher = counts.index.astype(str).str.split(r"[,(]", regex=True).str[0]
        by_publisher = counts.groupby(publisher.str.strip().to_numpy()).sum()
        by_publisher = by_publisher.sort_values(ascending=False, kind="stable")
        top = by_publisher.index[:2].tolist()
        others = len(by_publisher) - len(top)
        named = ", ".join(top) + (f" +{others} more" if others > 0 else "")
        credits.append(f"{label}: {named or config.input_path(layer).name}")
    return credits


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
    layers = load_layers(config, report)
    report(str(layers.people))
    control_now = resolve_control(layers.control, config.date)
    displaced = engine_steps(config.engine)[1](layers.displacement, config.date,
                                               window_days=config.window)
    mines = assign_mines(layers.mines, layers.places, layers.admin)
    areas = summarise_areas(layers.places, control_now, displaced, mines)
    actors = summarise_actors(areas, mines, displaced)
    if config.population is not None:
        started = time.perf_counter()
        areas, actors = attach_population(areas, actors, layers.places, config.population)
        report(f"population: summed {Path(config.population).name} over the areas "
               f"({time.perf_counter() - started:.1f} s)")
    text = MapText(title=config.title, as_of=config.date, sources=layers.sources,
                   credits=layers.credits, compare=config.compare)
    changes = None
    if config.compare is not None:
        changes = changes_between(layers.control, layers.places, config.compare,
                                  config.date)
        changes, actors = add_changed_people(changes, areas, actors)
    grid = (count_density(layers.displacement, min_people=DENSITY_MIN_PEOPLE)
            if has_points(layers.displacement) else None)  # counted once, used twice
    overlay = (build_density_overlay(layers.displacement, grid=grid)
               if grid is not None else None)
    fmap = build_map(layers.places, areas, mines, text, slider=slider_data(layers.control),
                     changes=changes, preset=config.preset,
                     self_contained=config.self_contained, density=overlay)
    page = fmap.get_root().render()
    result = BuildResult(people=layers.people, rejects=layers.rejects,
                         join_report=layers.join_report, areas=areas, actors=actors)
    with staged_outputs(Path(config.out_dir)) as staging:
        tags = HXL_TAGS if config.hxl else {}
        written = [
            write_text(page, staging / "map.html"),
            write_text(embed_snippet(config.title), staging / "embed.html"),
            write_csv(areas, staging / "summary_areas.csv", hxl=tags.get("summary_areas")),
            write_csv(actors, staging / "summary_actors.csv",
                      hxl=tags.get("summary_actors")),
            write_csv(layers.rejects, staging / "rejects.csv", hxl=tags.get("rejects")),
            write_csv(layers.join_report, staging / "join_report.csv",
                      hxl=tags.get("join_report")),
        ]
        if changes is not None:
            written.append(write_csv(changes, staging / "changes.csv",
                                     hxl=tags.get("changes")))
        written += write_exports(staging, layers=layers, areas=areas, actors=actors,
                                 mines=mines, displaced=displaced, text=text,
                                 changes=changes)
        density = (write_density(layers.displacement, staging / "displacement_density.tif",
                                 grid=grid) if grid is not None else None)
        written += [density] if density is not None else []
        report(check_budget(staging / "map.html", config.preset))
    result.paths = [Path(config.out_dir) / path.relative_to(staging) for path in written]
    report(f"wrote {len(result.paths)} files to {config.out_dir}")
    return result
