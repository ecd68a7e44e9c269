"""The records passed between stages: the linked layers, the people count, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PeopleCount:
    """Conservation of the displacement rows: read = mapped + rejected, exactly.

    ``read``, ``mapped`` and ``rejected`` add the ``people`` column over the rows,
    every round, kind and date together: a check that no row is lost, not a count
    of displaced people (that sum can exceed the population of the Kivus).
    """

    read: int
    mapped: int
    rejected: int
    rows_read: int
    rows_rejected: int
    rows_mapped: int | None = None

    @property
    def balanced(self) -> bool:
        """True when every row and every person read is either mapped or rejected."""
        rows = self.rows_mapped is None or (
            self.rows_read == self.rows_mapped + self.rows_rejected)
        return rows and self.read == self.mapped + self.rejected

    def __str__(self) -> str:
        mapped = (self.rows_mapped if self.rows_mapped is not None
                  else self.rows_read - self.rows_rejected)
        return (f"displacement rows read {self.rows_read:,} = mapped {mapped:,} + "
                f"rejected {self.rows_rejected:,}; people in rejected rows: "
                f"{self.rejected:,}")

    def describe_sums(self) -> str:
        """The people column summed over every row read, mapped and rejected, with
        what that sum means (for the report's quality section)."""
        return (f"Sum of the people column over every row read: {self.read:,} = "
                f"{self.mapped:,} in mapped rows + {self.rejected:,} in rejected rows. "
                "It adds every round, date and kind of figure together, so it is a "
                "check that no row was lost, not a count of displaced people; the "
                "map and tables never add rounds, kinds or nested places.")


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
    displacement: pd.DataFrame
    """People and records per place, assessment, kind, day and citation: the records
    reduced part by part (:mod:`geomap.summarise.partials`), never one row each."""
    places: gpd.GeoDataFrame
    rejects: pd.DataFrame
    join_report: pd.DataFrame
    people: PeopleCount
    sources: list[tuple[str, str, str]]
    credits: list[str]
    sources_more: int = 0
    """Sources cited beyond those in *sources* (the map counts them; the report and
    GIS layers list every one)."""
    density: np.ndarray | None = None
    """People of point records per density cell (float sums), None without points."""
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
    totals: pd.DataFrame | None = None
    """People displaced and mines added up per level (never across levels)."""
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
    """People per grid cell and its transform's six coefficients, when records are
    points (:func:`geomap.summarise.density.finish_density`)."""
    handovers: pd.DataFrame | None = None
    """Every change of holder in the control record, dated as exactly as known
    (see :func:`geomap.summarise.handovers.list_handovers`)."""
    events: pd.DataFrame | None = None
    """The dated events, one row per event with ``date_text`` and
    ``changes_nearby`` (see :func:`geomap.summarise.events.summarise_events`)."""
    event_changes: pd.DataFrame | None = None
    """The changes of control near each event, one row per pair."""
    latest_record: pd.Timestamp | None = None
    """The newest control record's date, when the as-of date is over 30 days later."""
