"""The records passed between stages: the linked layers, the people count, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd


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
    context: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    """Base-map layers by name ('countries', 'lakes'), in EPSG:4326."""
    events: pd.DataFrame | None = None
    """Dated events (talks, agreements, deployments, ...), by date; see
    :func:`geomap.validate.events.validate_events`."""
    conflict_events: gpd.GeoDataFrame | None = None
    """ACLED conflict events as checked (``date``, ``event_type``, ``fatalities``,
    point, ``source``, ``license``), for counting only: never drawn or written
    (ACLED's terms). See :func:`geomap.validate.conflict.validate_conflict_events`."""


@dataclass
class Summary:
    """The build's summaries as of its date, shared by every output."""

    displaced: pd.DataFrame
    """People displaced per place as of the build date."""
    mines: gpd.GeoDataFrame
    """Mining sites with their area and nearest town."""
    areas: pd.DataFrame
    """One row per place: holder, confidence, people displaced, mines."""
    actors: pd.DataFrame
    """One row per actor: places held, mines, people displaced in them."""
    changes: pd.DataFrame | None = None
    """Places that changed hands since the comparison date (with ``--compare``)."""
    conflict_events: pd.DataFrame | None = None
    """Conflict events (ACLED, ``--conflict-events``) per area, month and type: one
    row per ``pcode``, ``month`` ('YYYY-MM') and ``event_type`` ('Battles',
    'Violence against civilians', 'Explosions/Remote violence') with at least one
    event, with ``name``, ``level``, ``events``, ``fatalities``, ``source``,
    ``license`` and ``note`` (the aggregation, and the months covered). Within the
    months covered, an area-month-type absent from the table had no event (0).
    Written as ``conflict_events.csv`` and a GeoPackage table. None without input.
    See :func:`geomap.summarise.conflict.count_conflict_events`."""
    conflict_areas: gpd.GeoDataFrame | None = None
    """The same counts per area for drawing: every area of the level counted
    (territories when there are any), with its polygon, ``month`` (the build's),
    ``events`` and ``fatalities`` in that month (0 when none; missing when the month
    is outside ``first_month``..``last_month``, the months the events cover), and
    ``events_period``, ``fatalities_period`` over those months. Counts only; no
    event point. None without input."""
    density: tuple | None = None
    """People per grid cell and its transform, when records are points."""
    handovers: pd.DataFrame | None = None
    """Every change of holder in the control record, dated as exactly as known
    (see :func:`geomap.summarise.handovers.list_handovers`)."""
    events: pd.DataFrame | None = None
    """The dated events, one row per event with ``date_text`` and
    ``changes_nearby`` (see :func:`geomap.summarise.events.summarise_events`)."""
    event_changes: pd.DataFrame | None = None
    """The changes of control near each event, one row per pair."""
