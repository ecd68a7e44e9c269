"""Progress on long builds: finer report lines for big inputs, a live spinner on terminals.

The pipeline reports one line per finished step through a ``report(str)`` callback.
A 1.7-million-row registration file makes single steps last seconds, so the pipeline
also says when such a step starts (only for big inputs: small builds print as before),
and the command line keeps a rich spinner with the elapsed time on stderr meanwhile.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

Report = Callable[[str], None]

BIG_ROWS = 200_000
"""Layers with at least this many rows get a line before each long step."""

BIG_BYTES = 20_000_000
"""Input files at least this large get a line before they are read."""


def announce_file(path: object, layer: str, report: Report) -> None:
    """Say that a big local input file is being read (nothing for small ones)."""
    if not isinstance(path, (str, Path)):
        return
    path = Path(path)
    try:
        size = path.stat().st_size if path.is_file() else 0
    except OSError:
        return
    if size >= BIG_BYTES:
        report(f"{layer}: reading {path.name} ({size / 1e6:,.0f} MB)")


def announce_rows(layer: str, rows: int, doing: str, report: Report) -> None:
    """Say that a long step on a big layer starts, e.g. 'validating 1,700,000 rows'."""
    if rows >= BIG_ROWS:
        report(f"{layer}: {doing} {rows:,} rows")


@contextmanager
def live_status(say: Report, *, quiet: bool) -> Iterator[Report]:
    """Yield a report callback that also keeps a spinner on stderr between lines.

    The spinner shows the elapsed time and the last step done; it appears only when
    stderr is a terminal and not *quiet*, so logs and tests see *say*'s lines alone.
    """
    if quiet or not sys.stderr.isatty():
        yield say
        return
    from rich.console import Console

    elapsed = _Elapsed()
    with Console(stderr=True).status(elapsed, spinner="dots"):

        def report(line: str) -> None:
            say(line)
            elapsed.last = line

        yield report


class _Elapsed:
    """Spinner text that counts the seconds since the build started."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = ""

    def __rich__(self) -> object:
        from rich.text import Text

        done = f"; done: {self.last[:60]}" if self.last else ""
        return Text(f"working, {time.perf_counter() - self.started:.0f} s{done}")
