"""Exception and warning classes: every deliberate failure of geomap."""

from __future__ import annotations


class GeomapError(Exception):
    """Base class for every error geomap raises deliberately."""


class SourceError(GeomapError, LookupError):
    """An unknown source, or a source whose file is missing or unreadable."""


class ChecksumError(GeomapError, ValueError):
    """A file differs from its registered hash."""


class SchemaError(GeomapError, ValueError):
    """A layer lacks required columns or holds values of the wrong kind."""


class GeometryError(GeomapError, ValueError):
    """Null, invalid, wrong-type or out-of-extent geometry in a whole file."""


class CRSError(GeomapError, ValueError):
    """A file has no CRS, a projected CRS where lon/lat was expected, or a mismatch."""


class ConfigError(GeomapError, ValueError):
    """A geomap.toml or a command-line mapping is malformed."""


class OutputError(GeomapError, OSError):
    """The output folder cannot be created or written to."""


class OutputExistsError(GeomapError, FileExistsError):
    """Files geomap did not write bear its output names in the output folder."""


class GeomapWarning(UserWarning):
    """Base class for problems geomap reports but works around."""


class UnknownActorWarning(GeomapWarning):
    """A control record names an actor geomap has no display name or colour for."""
