"""The engines: how displacement records are read, checked, joined and summed.

Both engines take the records a part at a time, reduce each part to small tables
(:mod:`geomap.summarise.partials`) and add those up, so they give the same figures
and hold only a part of the rows at a time:

- ``pandas`` (the default) reduces the parts in this process, in the order they are
  read (two at a time on threads): Parquet a few row groups at a time, delimited
  text in the batches it is read in;
- ``dask`` reduces them as dask tasks, each joined against the places and areas
  sent once: on local threads, or on a ``dask.distributed`` cluster when a scheduler
  address is given. Parquet (a file, a folder or a glob of files) is cut into row
  groups that the workers read themselves; delimited text, which cannot be cut
  without reading it in order (quoted line breaks, encodings), is read here batch by
  batch and the batches are sent out, a few at a time.

The dask engine needs the optional dependencies: ``pip install "geomap[dask]"``.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, Self

import pandas as pd

from geomap.config import BuildConfig
from geomap.errors import ConfigError, SchemaError
from geomap.join import AreaIndex
from geomap.load.parts import Part, TablePlan, read_part
from geomap.schema import ENGINES
from geomap.summarise.partials import Partial, Places, add_partials, reduce_part
from geomap.summarise.reading import (  # noqa: F401 - plan_records: here as before
    BATCH_BLOCKS,
    ReadAhead,
    Records,
    plan_records,
    start_reading,
)
from geomap.validate.conservation import all_rejected_message

FAN_IN = 8
"""Partials added up by one dask task: a tree, so no task holds them all."""

IN_FLIGHT = 2
"""Batches of text sent out per dask worker thread at a time."""

SCHEDULER_TIMEOUT = 10
"""Seconds to wait for a dask scheduler to answer."""

Report = Callable[[str], None]


def require_dask() -> Any:
    """Import and return ``dask``; raise ConfigError when it is missing."""
    try:
        import dask
    except ImportError as err:
        msg = ("The dask engine needs dask, which is not installed. Install it with "
               "pip install 'geomap[dask]', or build with --engine pandas.")
        raise ConfigError(msg) from err
    return dask


def check_engine(engine: str) -> str:
    """Return *engine* if it is one geomap knows; raise ConfigError otherwise."""
    if engine not in ENGINES:
        msg = f"Unknown engine '{engine}'; expected one of {list(ENGINES)}."
        raise ConfigError(msg)
    if engine == "dask":
        require_dask()
    return engine


def reduce_records(records: Records, places: Places, *, engine: str = "pandas",
                   scheduler: str | None = None, decimal: str = ".",
                   reading: ReadAhead | None = None) -> Partial:
    """Validate, link and sum the displacement records with *engine*.

    Parameters
    ----------
    records : Records
        From :func:`plan_records`.
    places : Places
        The places and the admin area index.
    engine : {'pandas', 'dask'}
        Parts in turn in this process, or as dask tasks.
    scheduler : str, optional
        Address of a ``dask.distributed`` scheduler (dask engine only); local
        threads when None.
    decimal : {'.', ','}
        The decimal mark of counts written as text.
    reading : ReadAhead, optional
        Reading *records* already (:func:`start_reading`); otherwise their batches
        are read on a thread from now on, the next while one is reduced.

    Returns
    -------
    Partial
        The figures, density sums, join report, rejects and people count of all
        records.
    """
    dask = check_engine(engine) == "dask"
    if records.plan is not None and dask:
        places.areas.build_grid()  # built and prepared here, before workers share it
        return _parts_on_dask(records.plan, places, scheduler, decimal)
    with reading or ReadAhead(lambda _: records).start() as ahead:
        if dask:
            places.areas.build_grid()  # built and prepared here, before workers share it
            return _batches_on_dask(ahead.batches(), places, scheduler, decimal)
        return add_partials(list(_in_turn(ahead.batches(), places, decimal)))


def _in_turn(batches: Iterator[pd.DataFrame], places: Places, decimal: str
             ) -> Iterator[Partial]:
    """The batches' partials in file order, two batches reduced at a time on threads.

    Much of the work (parsing numbers and dates, the point tests, the sums) runs
    outside Python's lock, so two threads keep two cores busy; one batch waits
    beside the two being reduced (and the one being read).
    """
    from concurrent.futures import ThreadPoolExecutor

    workers = min(2, os.cpu_count() or 1)
    with ThreadPoolExecutor(workers, thread_name_prefix="geomap-reduce") as pool:
        pending: collections.deque = collections.deque()
        for batch in batches:
            pending.append(pool.submit(reduce_part, batch, places, decimal=decimal))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _reduce_planned(plan: TablePlan, part: Part, places: Places,
                    decimal: str) -> Partial:
    """Read one part and reduce it (a dask task)."""
    return reduce_part(read_part(plan, part), places, decimal=decimal)


def _parts_on_dask(plan: TablePlan, places: Places, scheduler: str | None,
                   decimal: str) -> Partial:
    """The parts as dask tasks that read their own rows, added up in a tree."""
    dask = require_dask()
    shared = dask.delayed(places, traverse=False)
    table = dask.delayed(plan, traverse=False)
    level = [dask.delayed(_reduce_planned, pure=True)(table, part, shared, decimal)
             for part in plan.parts]
    while len(level) > 1:
        level = [dask.delayed(add_partials, pure=True)(level[i:i + FAN_IN])
                 for i in range(0, len(level), FAN_IN)]
    if scheduler is None:
        return level[0].compute()  # dask's default for these tasks: local threads
    with _client(scheduler) as client:
        return client.compute(level[0]).result()


def _batches_on_dask(batches: Iterator[pd.DataFrame], places: Places,
                     scheduler: str | None, decimal: str) -> Partial:
    """Batches read here, reduced as dask tasks a few at a time, then added up."""
    dask = require_dask()
    if scheduler is None:
        from dask.system import CPU_COUNT

        shared, done = dask.delayed(places, traverse=False), []
        while wave := list(islice(batches, max(1, CPU_COUNT) * IN_FLIGHT)):
            tasks = [dask.delayed(reduce_part, pure=True)(batch, shared, decimal=decimal)
                     for batch in wave]
            done.append(add_partials(list(dask.compute(*tasks))))
        return add_partials(done)
    from distributed import as_completed

    with _client(scheduler) as client:
        shared = client.scatter(places, broadcast=True)
        numbered = enumerate(batches)
        order: dict[str, int] = {}

        def submit(number: int, batch: pd.DataFrame) -> Any:
            future = client.submit(reduce_part, batch, shared, decimal=decimal,
                                   pure=False)
            order[future.key] = number
            return future

        width = max(1, sum(client.nthreads().values())) * IN_FLIGHT
        running = as_completed([submit(*item) for item in islice(numbered, width)],
                               loop=client.loop)
        done = {}
        for future in running:
            done[order[future.key]] = future.result()
            following = next(numbered, None)
            if following is not None:
                running.add(submit(*following))
        return add_partials([done[number] for number in sorted(done)])  # file order


def _client(scheduler: str) -> Any:
    """A ``dask.distributed`` client of the scheduler at *scheduler*."""
    try:
        from distributed import Client
    except ImportError as err:
        msg = ("A dask scheduler address needs dask.distributed, which is not "
               "installed: pip install 'geomap[dask]'.")
        raise ConfigError(msg) from err
    try:
        return Client(scheduler, timeout=SCHEDULER_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        msg = f"Cannot reach the dask scheduler at '{scheduler}': {err}."
        raise ConfigError(msg) from err


class Reduction:
    """The displacement records of a build, reduced on threads while it goes on.

    Made by :func:`start_reduction`. :meth:`result` waits for the figures and says
    what planning the input said, then how many rows were kept; leaving the context
    without it (a later layer failed) stops the reading and waits for the parts
    being reduced. The dask engine starts when :meth:`result` is asked.
    """

    def __init__(self, config: BuildConfig, places: pd.DataFrame, admin: pd.DataFrame,
                 reading: ReadAhead) -> None:
        self._config, self._places, self._admin = config, places, admin
        self._reading = reading
        self._lines: list[str] = []
        self._done: tuple[Records, Partial] | None = None
        self._error: BaseException | None = None
        self._started = time.perf_counter()
        self._thread: threading.Thread | None = None
        if config.engine == "pandas":
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="geomap-reduce-records")
            self._thread.start()

    def _run(self) -> None:
        """Plan (or wait for the plan) and reduce; keep the figures or the error."""
        config = self._config
        try:
            records = self._reading.records(self._lines.append)
            areas = AreaIndex(self._admin)
            self._done = records, reduce_records(
                records, Places(places=self._places, areas=areas), engine=config.engine,
                scheduler=config.scheduler, decimal=config.decimal,
                reading=self._reading)
        except BaseException as err:  # noqa: BLE001 - raised by result()
            self._error = err

    def result(self, report: Report) -> tuple[str, Partial]:
        """The input's name and its reduced tables, once every part is reduced.

        Raises
        ------
        GeomapError
            The input cannot be read, holds no rows, or every row is rejected.
        AssertionError
            People are not conserved (a bug, never the user's fault).
        """
        if self._thread is None:
            self._run()
        else:
            self._thread.join()
        lines, self._lines = self._lines, []
        for line in lines:
            report(line)
        if self._error is not None:
            raise self._error
        assert self._done is not None
        records, total = self._done
        people = total.people
        if people.rows_read == 0:
            msg = f"The displacement file '{records.name}' holds no rows."
            raise SchemaError(msg)
        if total.rows_valid == 0:
            raise SchemaError(all_rejected_message("displacement", Path(records.name),
                                                   total.rejects))
        if not people.balanced:  # an internal invariant, never the user's fault
            msg = f"people are not conserved: {people}"
            raise AssertionError(msg)
        report(f"displacement: {total.rows_valid:,} of {people.rows_read:,} rows kept "
               f"from {records.name} ({time.perf_counter() - self._started:.1f} s)")
        return records.name, total

    def close(self) -> None:
        """Stop reading and wait for the parts being reduced."""
        self._reading.close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def start_reduction(config: BuildConfig, places: pd.DataFrame, admin: pd.DataFrame,
                    reading: ReadAhead) -> Reduction:
    """Begin reducing the displacement records *reading* reads, on threads.

    Parameters
    ----------
    config : BuildConfig
        The engine, scheduler and decimal mark.
    places : DataFrame
        Every place records may name (admin areas, towns, control's own places).
    admin : GeoDataFrame
        The admin areas points fall in.
    reading : ReadAhead
        The input, being read since the build began
        (:func:`~geomap.summarise.reading.start_reading`).
    """
    return Reduction(config, places, admin, reading)


def read_displacement(config: BuildConfig, places: pd.DataFrame, admin: pd.DataFrame,
                      report: Report, reading: ReadAhead | None = None
                      ) -> tuple[str, Partial]:
    """The displacement layer of a build, reduced by ``config.engine``.

    *reading* is the input being read since the build began
    (:func:`~geomap.summarise.reading.start_reading`); it is started here otherwise.

    Returns
    -------
    (str, Partial)
        The input's name, and its reduced tables.

    Raises
    ------
    GeomapError, AssertionError
        As :meth:`Reduction.result`.
    """
    with start_reduction(config, places, admin,
                         reading or start_reading(config)) as reduction:
        return reduction.result(report)
