"""The process that draws the print map and writes the report, forked ahead.

The print map's process imports matplotlib, pandas and rasterio (about a second and a
half of work) and reads its fonts before it is sent its work. ``geomap build`` forks
it first thing (:func:`fork_ahead`), before this process imports pandas, so that
both cores import at once; a build run from Python forks it when the build starts
(:func:`print_worker`). This module imports nothing heavy itself, for that reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from geomap.export.background import Worker
from geomap.render.print import WARM_UP_STEPS

if TYPE_CHECKING:
    from geomap.config import BuildConfig

PRINTED_OUTPUTS = {"print", "report"}
"""Outputs drawn by the print map's process (their modules, matplotlib among them,
are imported only there, and only by builds that write them)."""
PRINT_MODULES = ("geomap.render.print.figure", "geomap.export.print_map")
"""What the process drawing the print map imports."""
DENSITY_MODULES = ("geomap.export.raster",)
"""What that process imports too when the build writes the density GeoTIFF, which
it writes before the print map: rasterio (and the GDAL it brings) is imported
while that process waits for its work, not by this one on the way to the outputs.
A process forked ahead imports it whatever the outputs (they are not known yet)."""

_ahead: Worker | None = None
"""The worker :func:`fork_ahead` forked, until a build takes it or it is closed."""


def _warm_up(step: str) -> None:
    """One step of the print map's warm-up (:data:`~geomap.render.print.
    WARM_UP_STEPS`), its module imported then."""
    from geomap.render.print import save

    getattr(save, step)()


def _compile_report() -> None:
    """Compile the report's templates, as the first report a process writes would."""
    from geomap.export.report import REPORT_TEMPLATE, TABLES_TEMPLATE
    from geomap.render.templating import environment

    for name in (REPORT_TEMPLATE, TABLES_TEMPLATE):
        environment().get_template(name)


PREPARE_PRINT = (*(partial(_warm_up, step) for step in WARM_UP_STEPS), _compile_report)
"""In the print map's worker, before its work, step by step: what the first print
map and report a process writes pay once (fonts, lazily imported modules, the
report's templates), paid while this process reads the inputs. When the work comes,
the worker stops after the step under way, and the work pays the rest as it meets
it: the figure's words first, the report (written last) last."""


def fork_ahead() -> None:
    """Fork the print map's worker now, for the next build of this process to take
    (:func:`print_worker`); the one forked before, if nobody took it, is closed."""
    global _ahead
    close_ahead()
    _ahead = Worker(PRINT_MODULES + DENSITY_MODULES, prepare=PREPARE_PRINT)


def close_ahead() -> None:
    """Stop the worker forked ahead if no build took it (the build failed first)."""
    global _ahead
    worker, _ahead = _ahead, None
    if worker is not None:
        worker.close()


@contextmanager
def print_worker(config: BuildConfig) -> Iterator[Worker | None]:
    """The process that will draw the print map and write the report: the one forked
    ahead (:func:`fork_ahead`), or one forked now, before the build reads its inputs,
    so it imports matplotlib beside the reading (:class:`~geomap.export.background.
    Worker`); None when neither is wanted (a worker forked ahead is stopped then).

    The building process never imports matplotlib: the GIS styles take the print
    map's symbol sizes from :mod:`geomap.render.style`, not from the drawing modules.
    """
    global _ahead
    worker, _ahead = _ahead, None
    wanted = set(config.outputs)
    if not wanted & PRINTED_OUTPUTS:
        if worker is not None:
            worker.close()
        yield None
        return
    if worker is None:
        worker = Worker(PRINT_MODULES + (DENSITY_MODULES if "density" in wanted else ()),
                        prepare=PREPARE_PRINT)
    try:
        yield worker
    finally:
        worker.close()
