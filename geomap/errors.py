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


MESSAGE_CHARS = 2000
"""A message longer than this (a path or value from data quoted in it) is cut."""


def one_line(message: object) -> str:
    """*message* as one line: line breaks and other control characters written as
    escapes (a value quoted from data may hold them), cut to MESSAGE_CHARS."""
    text = "".join(ch if ch.isprintable() or ch == " " else
                   ch.encode("unicode_escape").decode("ascii") for ch in str(message))
    return text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS - 1] + "…"
