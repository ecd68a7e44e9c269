"""Download registered sources into a verified cache, from publishers or a mirror.

Downloads go through pooch: each file lands under a temporary name in the cache, is
checked (not an HTML error page, a whole zip, the publisher's columns, the registered
sha256) and only then renamed into place, so a failure never leaves a partial file.

Environment: ``GEOMAP_CACHE`` (the cache folder, default the user cache folder),
``GEOMAP_MIRROR`` (a base URL, or a local folder, where every file is found under its
registry file name).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pooch
import requests

from geomap.errors import ChecksumError, GeomapError, SourceError
from geomap.sources import apis
from geomap.sources.cache import (
    ContentCheck,
    cached_path,
    check_download,
    checksum_message,
    import_file,
    is_good,
    local_mirror,
    mirror,
    offline_message,
)
from geomap.sources.registry import Source, get_source, required_sources

TIMEOUT = 60.0
RETRIES = 2


def source_path(name: str | Source, *, offline: bool = False, quiet: bool = True,
                timeout: float = TIMEOUT, retries: int = RETRIES,
                check: ContentCheck | None = None) -> Path:
    """The cached file of a source, fetching it (and what it needs) when missing.

    Parameters
    ----------
    name : str or Source
        A registered source name (case and punctuation do not matter).
    offline : bool
        Never touch the network: use the cache, or a ``GEOMAP_MIRROR`` folder.
    check : callable, optional
        Checks each new file's content (the publisher's columns) before it is kept.

    Returns
    -------
    Path
        The verified file in the cache.

    Raises
    ------
    SourceError
        Unknown source; offline with files missing (the message names them and how
        to get them); or a download failed.
    ChecksumError
        A file differs from its registered sha256.
    """
    source = name if isinstance(name, Source) else get_source(name)
    needed = required_sources(source)
    folder = local_mirror()
    for item in needed:
        if is_good(item):
            continue
        if folder is not None and (folder / item.filename).is_file():
            import_file(item, folder / item.filename, check)
        elif offline:
            raise SourceError(offline_message([n for n in needed if not is_good(n)]))
        else:
            _download(item, quiet=quiet, timeout=timeout, retries=retries, check=check)
    return cached_path(source)


class _Stop(Exception):  # noqa: N818 (a control-flow signal, not an error class)
    """Stop pooch's retries and carry the geomap error out."""

    def __init__(self, error: GeomapError) -> None:
        super().__init__(str(error))
        self.error = error


class _Checked:
    """A pooch downloader: HTTP with timeouts, permanent HTTP errors not retried,
    and the download checked before pooch moves it into the cache."""

    def __init__(self, source: Source, downloader, check: ContentCheck | None) -> None:
        self.source = source
        self.downloader = downloader
        self.check = check

    def __call__(self, url: str, output_file: str, store: object,
                 check_only: bool = False) -> None:
        try:
            self.downloader(url, output_file, store)
        except requests.exceptions.HTTPError as err:
            status = err.response.status_code if err.response is not None else 0
            if status not in apis.RETRY_STATUS:
                raise _Stop(_http_error(self.source, url, status)) from err
            raise
        try:
            check_download(Path(output_file), self.source, self.check)
        except GeomapError as err:
            raise _Stop(err) from err


def _http_error(source: Source, url: str, status: int) -> SourceError:
    """A one-line message for an HTTP error answer."""
    hint = {401: "the credentials were refused", 403: "access was refused",
            404: "the file is not there (moved, or missing on the mirror)"}.get(
                status, "the server refused the request")
    by_hand = (f" The publisher's page moved the file: download it by hand and run "
               f"'geomap fetch {source.name}=FILE', or set GEOMAP_MIRROR."
               if source.resolver == "page" and status == 404 else "")
    msg = (f"Cannot fetch '{source.name}': '{apis.public_url(url)}' answered HTTP "
           f"{status} ({hint}).{by_hand}")
    return SourceError(msg)


def _plan(source: Source, *, timeout: float, retries: int) -> tuple[str, object]:
    """The URL to download and the downloader to use (mirror, API or direct)."""
    base = mirror()
    if base is not None and local_mirror() is None:
        return f"{base.rstrip('/')}/{source.filename}", {}
    if source.resolver == "hdx":
        return apis.resolve_hdx(source, timeout=timeout, retries=retries), {}
    if source.resolver == "geoboundaries":
        return apis.resolve_geoboundaries(source, timeout=timeout, retries=retries), {}
    if source.resolver == "page":
        return apis.resolve_page(source, timeout=timeout, retries=retries), {}
    if source.resolver == "dtm-api":
        return source.urls[0], apis.DtmDownloader(source, timeout=timeout)
    if source.resolver == "acled-api":
        return source.urls[0], apis.AcledDownloader(source, timeout=timeout)
    return source.urls[0], {}


@contextlib.contextmanager
def _pooch_silenced() -> Iterator[None]:
    """Keep pooch's own log lines (which show URLs) off the terminal."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _download(source: Source, *, quiet: bool, timeout: float, retries: int,
              check: ContentCheck | None = None) -> Path:
    """Download one source's file into the cache through pooch."""
    url, how = _plan(source, timeout=timeout, retries=retries)
    if isinstance(how, dict):
        how = pooch.HTTPDownloader(progressbar=_progress(quiet, source), timeout=timeout,
                                   **how)
    target = cached_path(source)
    known = f"sha256:{source.sha256}" if source.sha256 else None
    store = pooch.create(path=target.parent, base_url="", retry_if_failed=retries,
                         registry={source.filename: known}, urls={source.filename: url})
    shown = apis.public_url(url)
    mirrored = bool(os.environ.get("GEOMAP_MIRROR"))
    other = ("Check the mirror (GEOMAP_MIRROR)" if mirrored
             else "Try again, or use a mirror (GEOMAP_MIRROR)")
    try:
        with _pooch_silenced():
            store.fetch(source.filename, downloader=_Checked(source, how, check))
    except _Stop as stop:
        raise stop.error from stop.__cause__
    except requests.exceptions.Timeout as err:
        msg = (f"Cannot fetch '{source.name}': '{shown}' did not answer within "
               f"{timeout:g} s ({_attempts(retries)}). {other}.")
        raise SourceError(msg) from err
    except requests.exceptions.HTTPError as err:
        status = err.response.status_code if err.response is not None else 0
        raise _http_error(source, url, status) from err
    except requests.exceptions.RequestException as err:
        msg = (f"Cannot fetch '{source.name}' from '{shown}': {type(err).__name__} "
               f"after {_attempts(retries)} (the download was cut or the server is "
               f"unreachable). Check the connection. {other}.")
        raise SourceError(msg) from err
    except OSError as err:  # after requests' errors, which are OSErrors too
        msg = (f"Cannot write '{source.filename}' into the cache '{target.parent}': "
               f"{err.strerror or err}. Set GEOMAP_CACHE to a folder you can write to.")
        raise SourceError(msg) from err
    except ValueError as err:  # pooch's hash mismatch
        found = re.search(r"but got (\w+)", str(err))
        raise ChecksumError(checksum_message(source, found.group(1) if found else "?")
                            ) from err
    return target


def _attempts(retries: int) -> str:
    """'1 attempt', '3 attempts'."""
    return f"{retries + 1} attempt{'s' if retries else ''}"


class _Bar:
    """A pooch progress bar drawn with rich on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.total = 0
        self._progress = None
        self._task = None

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TransferSpeedColumn,
        )

        self._progress = Progress("{task.description}", BarColumn(), DownloadColumn(),
                                  TransferSpeedColumn(), transient=True,
                                  console=Console(stderr=True))
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=self.total or None)

    def update(self, amount: int) -> None:
        """Advance by *amount* bytes."""
        if self._progress is None:
            self._start()
        self._progress.update(self._task, advance=amount)

    def reset(self) -> None:
        """Go back to zero (pooch then fills the bar to its total)."""
        if self._progress is not None:
            self._progress.reset(self._task, total=self.total or None)

    def close(self) -> None:
        """Remove the bar."""
        if self._progress is not None:
            self._progress.stop()


def _progress(quiet: bool, source: Source) -> object:
    """A progress bar for pooch, or False when quiet."""
    return False if quiet else _Bar(source.name)
