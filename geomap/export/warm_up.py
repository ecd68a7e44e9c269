"""The print worker's warm-up: its imports and preparation, at the lowest priority.

A worker forked at the start of a build (:class:`~geomap.export.background.Worker`)
imports what its work needs while the build reads its inputs; nobody waits for
those imports yet, so they run on what the build's own threads leave of the
processors.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from functools import partial

WARM_UP_NICENESS = 19
"""The niceness of the warm-up thread: the lowest priority, so it runs on what the
build's own threads leave of the processors."""


class WarmUp:
    """The worker's imports and preparation, step by step on a thread that yields
    the processors to every other thread wanting them, until the work comes.

    While the build reads its small layers its main thread and the thread parsing
    the records have both cores to themselves: the worker's half a second of
    imports, which nobody waits for yet, takes only what they leave. Once the work
    comes, the step under way gets its priority back and the warm-up stops after
    it; the work imports what is left itself. The priority is lowered only where
    it can be raised again (Linux, where a thread has its own, and a user allowed
    to: otherwise a work waiting on a thread starved by a busy machine would wait
    for seconds); elsewhere the warm-up runs at the worker's, as before.
    """

    def __init__(self, modules: tuple[str, ...],
                 prepare: Callable[[], object] | tuple[Callable[[], object], ...] | None
                 ) -> None:
        self._steps = [partial(importlib.import_module, module) for module in modules]
        self._steps += list(prepare) if isinstance(prepare, tuple) else (
            [prepare] if prepare is not None else [])
        self._stop, self._turn = threading.Event(), threading.Lock()
        self._own: tuple[int, int] | None = None  # (thread id, priority) lowered
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="geomap-warm-up")
        self._thread.start()

    def _run(self) -> None:
        """Lower this thread's priority; take each step until told to stop."""
        with self._turn:
            if not self._stop.is_set():
                self._own = _lower_priority()
        try:
            with suppress(Exception):  # the work meets it again and says why
                for step in self._steps:
                    if self._stop.is_set():
                        return
                    step()
        finally:
            with self._turn:  # ended: its priority is nobody's to raise
                self._own = None

    def finish(self) -> None:
        """Give the step being taken its priority back; wait for it to end."""
        self._stop.set()
        with self._turn:
            if self._own is not None:
                with suppress(OSError):
                    os.setpriority(os.PRIO_PROCESS, *self._own)
        self._thread.join()


def _lower_priority() -> tuple[int, int] | None:
    """Give the calling thread the lowest priority if it can be raised again;
    return its id and former priority (None when left as it was)."""
    if not sys.platform.startswith("linux"):  # a thread's own priority: Linux only
        return None
    import resource

    thread = threading.get_native_id()
    try:
        own = os.getpriority(os.PRIO_PROCESS, thread)
        if os.geteuid() != 0 and resource.getrlimit(resource.RLIMIT_NICE)[0] < 20 - own:
            return None  # not allowed to raise it again
        os.setpriority(os.PRIO_PROCESS, thread, WARM_UP_NICENESS)
    except OSError:
        return None
    return thread, own
