"""Read and check a layer batch by batch, keeping only the checked, compact rows.

A displacement file of registrations may be larger than memory allows as text. Its
rows are read a block at a time (:func:`geomap.load.inputs.read_input_batches`),
checked, and only the columns later stages use are kept; the raw text of a batch is
dropped before the next is read. Rejects, and each row's count of people for the
conservation check, are kept for every row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa

from geomap.config import BuildConfig
from geomap.errors import SchemaError
from geomap.load.constants import fill_constants
from geomap.load.inputs import has_input, read_input_batches
from geomap.progress import announce_file
from geomap.schema import COLUMNS, ROW
from geomap.validate.checks import VALIDATORS, usable_people, validate_displacement
from geomap.validate.conflict import no_conflict_events
from geomap.validate.conservation import all_rejected_message
from geomap.validate.extent import cut_to_provinces

Report = Callable[[str], None]
KEPT_EXTRAS = ("license", "level")
"""Columns outside the canonical schema that displacement rows keep (for credits, and
the kind of place each ``area`` names)."""


def _quiet(_: str) -> None:
    """Report nothing."""


@dataclass(frozen=True)
class CheckedLayer:
    """A layer read and checked: its good rows, its rejects and what was read."""

    path: Path
    clean: gpd.GeoDataFrame
    rejects: pd.DataFrame
    rows: int
    """Rows read from the file."""
    kept: int
    """Rows that passed every check (the length of *clean* when rows are kept)."""
    counts: pd.DataFrame | None = None
    """Displacement only: ``_row`` and each row's usable count of people (0 where
    unusable), for every row read."""


def check_input(config: BuildConfig, layer: str, report: Report = _quiet
                ) -> CheckedLayer:
    """Read *layer*'s input as *config* names it, in batches, and check each batch.

    Returns
    -------
    CheckedLayer
        The good rows of every batch (displacement: without the columns no later
        stage uses), all rejects, the rows read and, for displacement, the counts.

    Raises
    ------
    GeomapError
        The file cannot be read, lacks what its layer needs, or every row of it was
        rejected.
    """
    started = time.perf_counter()
    announce_file(config.inputs.get(layer), layer, report)
    path, batches = read_input_batches(config, layer, report)
    constants = config.constants.get(layer)
    batches = (fill_constants(batch, constants, layer=layer) for batch in batches)
    checked = _check_batches(path, batches, layer, decimal=config.decimal)
    pa.default_memory_pool().release_unused()  # the reader's blocks, back to the system
    report(f"{layer}: {checked.kept:,} of {checked.rows:,} rows kept from "
           f"{path.name} ({time.perf_counter() - started:.1f} s)")
    return checked


def check_layer(config: BuildConfig, layer: str, admin: gpd.GeoDataFrame | None,
                report: Report = _quiet) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Read and check a small layer of a build, and cut it to the chosen provinces.

    Parameters
    ----------
    config : BuildConfig
        The inputs and the provinces.
    layer : str
        A layer read whole (admin, towns, mines, control, events, conflict events).
    admin : GeoDataFrame or None
        The admin areas read already (None for the admin layer itself).
    report : callable, optional
        Told the rows kept and left out.

    Returns
    -------
    (DataFrame, DataFrame, str)
        The good rows, the rejects and the file's name; an optional layer nobody
        gave (no events file) has no rows, no rejects and no name.

    Raises
    ------
    GeomapError
        As :func:`check_input`.
    """
    if not has_input(config, layer):
        none = no_conflict_events() if layer == "conflict_events" else \
            VALIDATORS[layer](pd.DataFrame({ROW: []}))[0]
        return none, pd.DataFrame(), ""
    checked = check_input(config, layer, report)  # in batches, for big files
    clean, rejects = cut_to_provinces(checked.clean, checked.rejects, admin,
                                      config.provinces, layer, report)
    return clean, rejects, checked.path.name


def check_file(path: Path, layer: str, mapping: Mapping[str, str] | None = None, *,
               decimal: str = ".", constants: Mapping[str, str] | None = None
               ) -> CheckedLayer:
    """Read a file as a build reads it, in batches, and check it (``geomap validate``).

    A publisher's file is read by its publisher's loader and cut to the default
    provinces, a canonical file in batches, and *constants* (``--set``) fill what it
    leaves empty: validate and build count the same rows (an HXL hashtag row under
    a DTM header is no row of either). Good rows are counted, not kept (``clean``
    is empty): memory stays bounded whatever the size of the file.

    Raises
    ------
    GeomapError
        The file cannot be read or lacks what its layer needs.
    """
    config = BuildConfig(date=pd.Timestamp.today().normalize(), offline=True,
                         inputs={layer: Path(path)},
                         columns={layer: dict(mapping)} if mapping else {},
                         constants={layer: dict(constants)} if constants else {},
                         decimal=decimal)
    path, batches = read_input_batches(config, layer)
    batches = (fill_constants(batch, constants, layer=layer) for batch in batches)
    return _check_batches(Path(path), batches, layer, decimal=decimal, keep_rows=False)


def _check_batches(path: Path, batches: Iterable[pd.DataFrame], layer: str, *,
                   decimal: str, keep_rows: bool = True) -> CheckedLayer:
    """Check each batch; concatenate the good rows, rejects and counts.

    Without *keep_rows*, good rows are counted, not kept, and a layer whose rows
    were all rejected is not an error.
    """
    clean, rejects, counts, rows, kept = [], [], [], 0, 0
    for raw, good, rejected, count in _checked(batches, layer, decimal):
        rows += len(raw)
        kept += len(good)
        if keep_rows or not clean:  # a view would keep the whole batch alive
            clean.append(good if keep_rows else good.iloc[:0].copy())
        rejects.append(rejected)
        counts.append(count)
        del raw  # the batch's text goes before the next batch is read
    if not clean:  # a reader yields at least one batch, or raises
        msg = f"The {layer} file '{path.name}' holds no rows."
        raise SchemaError(msg)
    table = _concat([r for r in rejects if len(r)], ignore_index=True) \
        if any(map(len, rejects)) else rejects[0]
    good = _concat(clean)
    if keep_rows and rows and good.empty:
        raise SchemaError(all_rejected_message(layer, path, table))
    return CheckedLayer(path=path, clean=good, rejects=table, rows=rows, kept=kept,
                        counts=_concat(counts, ignore_index=True)
                        if layer == "displacement" else None)


def _checked(batches: Iterable[pd.DataFrame], layer: str, decimal: str
             ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                 pd.DataFrame | None]]:
    """Yield each raw batch with its good rows, rejects and counts of people."""
    for raw in batches:
        if layer != "displacement":
            yield (raw, *VALIDATORS[layer](raw), None)
            continue
        good, rejected = validate_displacement(raw, decimal=decimal)
        people, _ = usable_people(raw, decimal=decimal)
        count = pd.DataFrame({ROW: raw[ROW].to_numpy(dtype="int64"),
                              "people": people.to_numpy(dtype="int64")})
        unused = [column for column in raw.columns if column not in
                  {*COLUMNS[layer], *KEPT_EXTRAS, ROW, "lon", "lat"}
                  and column in good.columns]
        yield raw, good.drop(columns=unused), rejected, count


def _concat(frames: list[pd.DataFrame], *, ignore_index: bool = False
            ) -> pd.DataFrame:
    """One frame from several (the frame itself when there is one).

    Good rows keep their index (a batch's rows are numbered on from the last one's).
    """
    return frames[0] if len(frames) == 1 else pd.concat(frames,
                                                        ignore_index=ignore_index)
