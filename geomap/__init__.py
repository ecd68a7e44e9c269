"""geomap: maps of territorial control, displacement and mining in the Kivus."""

from importlib.metadata import PackageNotFoundError, version

from geomap.config import BuildConfig
from geomap.errors import GeomapError
from geomap.pipeline import run

try:
    __version__ = version("geomap")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["BuildConfig", "GeomapError", "__version__", "run"]
