"""geomap: maps of territorial control, displacement and mining in the Kivus.

Importing the package loads nothing heavy: ``geomap.run``, ``geomap.BuildConfig`` and
``geomap.GeomapError`` are imported on first use, so ``geomap --version`` and
``geomap validate`` start without pandas' neighbours (geopandas, matplotlib, folium).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

__all__ = ["BuildConfig", "GeomapError", "__version__", "run"]

_LAZY = {"BuildConfig": "geomap.config", "GeomapError": "geomap.errors",
         "run": "geomap.pipeline"}


def __getattr__(name: str) -> Any:
    """Import ``run``, ``BuildConfig`` and ``GeomapError`` when first asked for, and
    look ``__version__`` up then: a build never asks for it (finding the installed
    distribution took 6 ms). importlib.metadata itself is imported with the package
    all the same: geopandas and matplotlib import it, and the print map's process,
    forked after this import, then has it already."""
    if name == "__version__":
        try:
            return version("geomap")
        except PackageNotFoundError:  # running from a source tree
            return "0.0.0"
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    msg = f"module 'geomap' has no attribute '{name}'"
    raise AttributeError(msg)
