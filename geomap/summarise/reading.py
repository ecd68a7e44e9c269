"""Displacement records planned and read on a thread, ahead of their reduction.

A build reads the small layers first (admin areas, towns, mines, control, events)
and reduces the displacement records only once the places they name exist. Parsing
delimited text releases Python's lock, so a big registration file is read meanwhile
on a thread (:func:`start_reading`): its encoding is found, its rows parsed, and its
first batches wait, in file order, for the reduction to ask for them.

What a user sees does not change. Lines said while the input is planned (the file
being read, rows a publisher's loader left out) are held back and said when the
reduction starts, where a build that read the file then would say them; an error
while planning or reading is raised there too, after any error of the small layers.
When an earlier step fails, the thread is stopped and the file closed before the
error goes on.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pandas as pd

from geomap.config import BuildConfig
from geomap.load import delimited
from geomap.load.memory import use_small_pages
from geomap.load.parts import NEEDED, TablePlan, plan_table, read_part, table_files
from geomap.progress import announce_file

Report = Callable[[str], None]

BATCH_BLOCKS = 4
"""Blocks of delimited text per batch for the pandas engine (16 MB, about 430,000
registration rows). Checking, joining and summing a batch has a fixed cost (pandas'
own, 25-50 ms), paid in this process: two blocks a batch instead of one cut the
reduction of 1.7 million rows from about 2.9 to 2.2 s of CPU, and four instead of
two cut reading and reducing them from 1.73 to 1.58 CPU-s, for about 70 MB more at
the building process's peak. The dask engine keeps one block per batch, more tasks
to spread."""

READ_AHEAD = 3
"""Batches read and waiting for the reduction. The small layers take about a second
to read; batches parsed meanwhile (outside Python's lock) are work the reduction,
which keeps both cores busy, no longer shares them with: three cut the CPU of the
reduction's stretch of a 1.7 M-row build by about 0.2 s, its peak memory unchanged."""

EARLY_SUFFIXES = {".csv", ".tsv", ".txt", ".parquet", ".geoparquet"}
"""Local files read while the other layers are: text parsed and Parquet read by
pyarrow, which touch nothing the other layers use. Other formats (GDAL's, Excel)
and registered sources (which may be fetched) are read when the reduction starts."""

_DONE, _CLOSED = object(), object()


class _ClosedError(Exception):
    """The reading was stopped (an earlier step failed) while batches were wanted."""


@dataclass(frozen=True)
class Records:
    """The displacement input: Parquet planned in parts, or batches being read."""

    name: str
    plan: TablePlan | None = None
    batches: Iterable[pd.DataFrame] = ()


def plan_records(config: BuildConfig, report: Report) -> Records:
    """Plan the displacement input: Parquet in parts, anything else in batches.

    A publisher's file recognised by its columns, a registered source, or a file of
    another format is read as :func:`~geomap.load.inputs.read_input_batches` reads
    it.
    """
    from geomap.load.inputs import input_path, read_input_batches
    from geomap.load.publishers import LOADERS, detect_loader
    from geomap.sources.registry import is_source_name

    given = config.inputs.get("displacement")
    mapping = config.columns.get("displacement")
    if given is None or not is_source_name(given):
        path = input_path(config, "displacement")
        files = table_files(path)
        detected = (None if mapping or not files or len(files) > 1
                    or not files[0].is_file() else detect_loader(files[0]))
        if files and (detected is None or LOADERS[detected[0]][0] != "displacement"):
            plan = plan_table(path, "displacement", mapping, cut=True)
            if plan is not None:
                announce_file(plan.files[0], "displacement", report)
                return Records(name=plan.name, plan=plan)
    announce_file(given, "displacement", report)
    block = BATCH_BLOCKS * delimited.BLOCK_BYTES if config.engine == "pandas" else None
    path, batches = read_input_batches(config, "displacement", report,
                                       needed=NEEDED["displacement"], block_bytes=block)
    return Records(name=path.name, batches=batches)


class ReadAhead:
    """Records planned and read on a thread; their batches handed on in file order.

    At most :data:`READ_AHEAD` batches wait read (besides one being handed over),
    so a bounded few are in memory beside those being reduced. Use it as a context
    manager: leaving it stops the thread and closes the file, whatever happened.

    Parameters
    ----------
    plan : callable
        Given a report callback, returns the :class:`Records` (may raise).
    engine : str
        The build's engine: for ``dask``, Parquet parts are read by the workers, so
        only the plan is made here.
    """

    def __init__(self, plan: Callable[[Report], Records], engine: str = "pandas"
                 ) -> None:
        self._plan, self._engine = plan, engine
        self._lines: list[str] = []
        self._queue: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
        self._stop, self._planned = threading.Event(), threading.Event()
        self._closing = threading.Lock()
        self._records: Records | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Begin planning and reading on the thread now; return self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="geomap-read-ahead")
            self._thread.start()
        return self

    @property
    def started(self) -> bool:
        """Whether the thread was started (the input is being read or planned)."""
        return self._thread is not None

    def records(self, report: Report) -> Records:
        """The records, once planned; the lines said meanwhile are said to *report*.

        Not started yet: planned here, in this thread, then read on the other.

        Raises
        ------
        GeomapError
            What planning raised (the input is missing or cannot be read).
        """
        if self._thread is None:
            self._records = self._plan(report)
            self.start()
        self._planned.wait()
        lines, self._lines = self._lines, []
        for line in lines:
            report(line)
        if self._error is not None:
            raise self._error
        assert self._records is not None
        return self._records

    def batches(self) -> Iterator[pd.DataFrame]:
        """The batches read, in file order; an error while reading is raised here (and
        an internal one when the reading is closed meanwhile)."""
        while (item := self._queue.get()) is not _DONE:
            if item is _CLOSED:
                raise _ClosedError
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop reading, wait for the thread to close the file and end; a reduction
        still asking for batches is told (by an internal error) to stop too."""
        self._stop.set()
        if self._thread is not None:
            while self._thread.is_alive():  # a batch handed over frees the thread
                with contextlib.suppress(queue.Empty):
                    self._queue.get(timeout=0.05)
            self._thread.join()
        with self._closing:  # the reduction and the build may close it at once
            with contextlib.suppress(queue.Empty):
                while True:
                    self._queue.get_nowait()
            self._queue.put_nowait(_CLOSED)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _run(self) -> None:
        """Plan (unless planned already), then read every batch into the queue."""
        try:
            if self._records is None:
                self._records = self._plan(self._lines.append)
        except BaseException as err:  # noqa: BLE001 - raised by records()
            self._error = err
            return
        finally:
            self._planned.set()
        records = self._records
        if records.plan is not None and self._engine == "dask":
            return  # the workers read the parts themselves
        plan = records.plan
        source = iter(records.batches) if plan is None else \
            (read_part(plan, part) for part in plan.parts)
        try:
            while not self._stop.is_set():  # stopped: not one more batch parsed
                batch = next(source, _DONE)
                if not self._hand(batch) or batch is _DONE:
                    return
        except BaseException as err:  # noqa: BLE001 - handed to the reading side
            self._hand(err)
        finally:
            close = getattr(source, "close", None)
            if close is not None:  # a generator: its reader and file, closed now
                close()

    def _hand(self, item: object) -> bool:
        """Queue *item* unless stopped; False when the reading side is gone."""
        if self._stop.is_set():
            return False
        self._queue.put(item)
        return not self._stop.is_set()


def start_reading(config: BuildConfig) -> ReadAhead:
    """The displacement input of *config*, planned and read on a thread from now on.

    Only local delimited text and Parquet start now (:data:`EARLY_SUFFIXES`); other
    inputs are planned when :meth:`ReadAhead.records` is first asked, as before.
    The process takes its memory in small pages from now on
    (:func:`~geomap.load.memory.use_small_pages`).
    """
    from geomap.sources.registry import is_source_name

    use_small_pages()

    reading = ReadAhead(lambda say: plan_records(config, say), config.engine)
    given = config.inputs.get("displacement")
    if given is not None and is_source_name(given):
        return reading
    path = None if given is None else Path(given)
    if path is None or path.suffix.lower() in EARLY_SUFFIXES \
            or any(char in str(given) for char in "*?[") \
            or (path.is_dir() and path.suffix.lower() != ".gdb"):  # Parquet files
        return reading.start()
    return reading
