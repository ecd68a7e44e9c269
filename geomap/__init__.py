"""geomap: maps of territorial control, displacement and mining in the Kivus."""

from importlib.metadata import PackageNotFoundError, version

from .config import BuildConfig
from .errors import GeomapError
from .pipeline import run

try:
    __version__ = version("geomap")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["BuildConfig", "GeomapError", "__version__", "run"]
