"""Python's cycle collector during a build: off the objects the build starts with.

A build starts with the long-lived objects of its imports (modules, functions, the
tables of pandas and matplotlib), then makes millions of short-lived ones. Each full
pass of the collector walked all of the first (about a third of a second of a
1.7 M-row build), and in the print map's process, forked from this one, each pass
also wrote to the pages holding them, copying them one by one. As the ``gc`` module's
documentation advises for a process that forks without exec, the objects alive when
the build starts are frozen (:func:`gc.freeze`) for its length, so that neither this
process nor its forked copies walk them; young objects are collected less often.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation (Python's default
is 700): a build allocates millions of objects, almost all freed by reference
counting, so a pass every 700 finds little."""


@contextmanager
def collector_for_build() -> Iterator[None]:
    """Freeze the objects alive now and collect young ones less often, until the
    block ends (then everything is as it was, the frozen objects collectable again).

    For the process that runs one build at a time (the command line): the settings
    are the whole process's.
    """
    thresholds = gc.get_threshold()
    hold_for_work()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def hold_for_work() -> None:
    """The settings of :func:`collector_for_build`, never restored: the objects alive
    now frozen, young ones collected less often.

    For a process that does one piece of a build's work and then ends (the print
    map's, forked before the build, which imports and prepares before its work).
    """
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, thresholds[0]), *thresholds[1:])


def freeze_for_exit() -> None:
    """Freeze every object alive now, for a process about to end.

    At exit Python frees the modules' objects by reference counting and runs its
    collector over what is left: passes that walk every object pandas, pyarrow and
    GDAL's bindings made (about a fifth of a second, after the build's files are all
    written). Frozen, they are still freed, and their finalizers run, but the passes
    skip them. Only for the command line's process, never one that goes on.
    """
    gc.freeze()
