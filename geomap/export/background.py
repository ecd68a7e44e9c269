"""Write some outputs in a second process while this one writes the others.

The print map (PNG, PDF and SVG, drawn three times by matplotlib) and the report that
embeds it take seconds whatever the size of the data, and hold Python's lock while
they draw. On a machine with two cores or more they are written by a forked copy of
this process, which shares its memory and needs nothing sent to it, while this one
builds the web map, the GeoPackage and the tables. Where processes cannot be forked
(or on one core) the work runs here, in turn: the files are the same bytes either way.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from pathlib import Path

from geomap.errors import OutputError


def _forking() -> bool:
    """Whether a second process would run beside this one."""
    return (os.cpu_count() or 1) >= 2 and \
        "fork" in multiprocessing.get_all_start_methods()


class Background:
    """Outputs written by *work* in a forked process (or here, when none can run).

    Parameters
    ----------
    work : callable
        Writes files and returns their paths; runs once.

    Examples
    --------
    >>> job = Background(lambda: [Path("a.png")])
    >>> job.result()
    [PosixPath('a.png')]
    """

    def __init__(self, work: Callable[[], list[Path]]) -> None:
        self._paths: list[Path] | None = None
        self._child = None
        if not _forking():
            self._paths = work()
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._child = context.Process(target=_run, args=(work, send), daemon=True,
                                      name="geomap-outputs")
        self._child.start()
        send.close()

    def result(self) -> list[Path]:
        """Wait for the work; return its paths.

        Raises
        ------
        Exception
            The work's own error, raised here as if the work had run here (a full
            disk is still an ``OSError`` for the output folder to explain).
        OutputError
            The work's process died, or its error could not be sent.
        """
        if self._child is None:
            return self._paths
        try:
            outcome = self._receive.recv()
        except EOFError:
            outcome = None
        self._child.join()
        if isinstance(outcome, list):
            return outcome
        if isinstance(outcome, BaseException):
            raise outcome
        reason = outcome or f"the process writing them ended with {self._child.exitcode}"
        msg = f"The print map and report could not be written: {reason}"
        raise OutputError(msg)


def _run(work: Callable[[], list[Path]], send) -> None:
    """In the child: do *work*, send its paths or its error, never return."""
    code = 0
    try:
        send.send(work())
    except BaseException as err:  # noqa: BLE001 - sent to the parent, which raises it
        code = 1
        try:
            send.send(err)
        except Exception:  # noqa: BLE001 - an error that cannot travel: its words
            lines = traceback.format_exception_only(type(err), err)
            send.send(lines[-1].strip() if lines else type(err).__name__)
    finally:
        send.close()
        os._exit(code)  # no atexit handlers of the parent run twice
