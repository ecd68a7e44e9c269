"""The local cache of source files: where it is, what it holds, what goes in.

A file enters the cache only whole and checked: not an HTML error page, a complete
zip, the publisher's columns and, when registered, the right sha256. ``GEOMAP_CACHE``
moves the cache; ``GEOMAP_MIRROR`` may name a local folder of files.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from geomap.errors import ChecksumError, SourceError
from geomap.sources.registry import Source, get_source


def cache_dir() -> Path:
    """The cache folder: ``GEOMAP_CACHE``, else the user cache folder of geomap."""
    return Path(os.environ.get("GEOMAP_CACHE") or platformdirs.user_cache_dir("geomap"))


def mirror() -> str | None:
    """The ``GEOMAP_MIRROR`` base (URL or folder), or None."""
    return os.environ.get("GEOMAP_MIRROR") or None


def cached_path(source: Source) -> Path:
    """Where *source*'s file lives in the cache (it may not exist yet)."""
    return cache_dir() / source.filename


@dataclass(frozen=True)
class CacheStatus:
    """Whether a source's file is cached, with its size and download date."""

    cached: bool
    size: int | None = None
    date: str | None = None


def cache_status(source: Source) -> CacheStatus:
    """The cache state of *source* (its own file only)."""
    path = cached_path(source)
    if not path.is_file():
        return CacheStatus(cached=False)
    stat = path.stat()
    day = datetime.fromtimestamp(stat.st_mtime, tz=UTC).strftime("%Y-%m-%d")
    return CacheStatus(cached=True, size=stat.st_size, date=day)


def is_good(source: Source) -> bool:
    """True when the file is cached and matches its sha256 (when one is registered)."""
    path = cached_path(source)
    if not path.is_file():
        return False
    return not (source.sha256 and _sha256(path) != source.sha256)


def offline_message(missing: list[Source]) -> str:
    """Name every missing file and how to get it."""
    files = " and ".join(f"'{s.filename}' ({s.name}"
                         + (", present but not matching its sha256)"
                            if cached_path(s).is_file() else ")") for s in missing)
    names = " ".join(dict.fromkeys(s.name for s in missing))
    return (f"Offline, and the cache '{cache_dir()}' lacks {files}. Run 'geomap fetch "
            f"{names}' where there is internet (then copy that cache folder here and "
            "set GEOMAP_CACHE to it), or set GEOMAP_MIRROR to a mirror URL or folder "
            "holding these files.")


def local_mirror() -> Path | None:
    """The mirror as a local folder (a path or a file:// URL), else None."""
    base = mirror()
    if base is None:
        return None
    base = base.removeprefix("file://")
    folder = Path(base)
    return folder if "://" not in base and folder.is_dir() else None


def _sha256(path: Path) -> str:
    """The sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


ContentCheck = Callable[[Path, Source], None]
"""Checks a downloaded file's content (the load stage knows publishers' columns)."""


def check_download(path: Path, source: Source, check: ContentCheck | None = None
                   ) -> None:
    """Raise if *path* is not *source*'s data: empty, an error page, a broken zip,
    or missing the publisher's columns.

    Raises
    ------
    SourceError, SchemaError
    """
    size = path.stat().st_size
    if size == 0:
        msg = f"'{source.filename}' for '{source.name}' arrived empty."
        raise SourceError(msg)
    with path.open("rb") as handle:
        head = handle.read(2048).lstrip().lower()
    if re.match(rb"<(!doctype html|html|\?xml|serviceexceptionreport|ows:)", head) or (
            source.format != "csv" and head.startswith(b"<")):
        kind = "an HTML page" if b"html" in head[:300] else "an XML or error document"
        msg = (f"'{source.name}' answered with {kind}, not {source.format} data: the "
               "server sent an error or login page. Try again later or use GEOMAP_MIRROR.")
        raise SourceError(msg)
    if source.format in {"zip-shapefile", "xlsx"}:
        try:
            with zipfile.ZipFile(path) as archive:
                broken = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            msg = (f"'{source.filename}' for '{source.name}' is not a whole zip file "
                   f"({size:,} bytes): it was truncated or is not a zip.")
            raise SourceError(msg) from err
        if broken is not None:
            msg = f"'{source.filename}' is a damaged zip: member '{broken}' fails its CRC."
            raise SourceError(msg)
    if check is not None:
        check(path, source)


def import_file(name: str | Source, path: str | Path, check: ContentCheck | None = None
                ) -> Path:
    """Put a local copy of a source's file into the cache, checked like a download.

    Raises
    ------
    SourceError, SchemaError, ChecksumError
        Missing or unreadable file, not the publisher's data, or a sha256 mismatch.
    """
    source = name if isinstance(name, Source) else get_source(name)
    path = Path(path)
    if not path.is_file():
        msg = f"'{path}' does not exist; cannot put it in the cache as '{source.name}'."
        raise SourceError(msg)
    target = cached_path(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".import-")
    os.close(handle)
    try:
        shutil.copyfile(path, temporary)
        check_download(Path(temporary), source, check)
        if source.sha256 and (found := _sha256(Path(temporary))) != source.sha256:
            raise ChecksumError(checksum_message(source, found))
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target


def checksum_message(source: Source, found: str) -> str:
    """Say which hash was expected and what to do."""
    return (f"'{source.filename}' ({source.name}) differs from its registered sha256: "
            f"expected {source.sha256[:12]}... but got {found[:12]}...; it was not kept. "
            f"If the publisher changed the file on purpose, update the sha256 of "
            f"'{source.name}' in geomap/sources/registry.py.")
