"""The output folder a build owns: one build at a time, outputs replaced as one set.

A build claims its output folder (:func:`claim_output_folder`): it takes the lock
``.geomap.lock`` (released on any exit, even ``kill -9``), rolls back or finishes a
swap a killed build left (:mod:`geomap.export.swap`), clears leftover staging
folders, and refuses a folder holding files under geomap's output names that geomap
did not write (:func:`geomap.export.manifest.foreign_files`). Then it writes every
output into a fresh staging folder, and swaps the whole set in at once.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geomap.config import check_out_dir
from geomap.errors import GeomapError, OutputError, OutputExistsError
from geomap.export.manifest import (
    JOURNAL,
    LOCK,
    OUTPUT_PATHS,
    STAGING_PREFIX,
    foreign_files,
    read_manifest,
    regular_file,
    sha256_file,
    write_json,
)
from geomap.export.swap import Hook, no_hook, recover, swap_in


class OutputFolder:
    """An output folder locked by this build; :meth:`staging` writes a new set."""

    def __init__(self, path: Path, *, hook: Hook = no_hook) -> None:
        self.path = path
        self.hook = hook

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """Yield a fresh staging folder; when the body ends well, swap its files in.

        When the body raises, the staging folder is removed and the previous outputs
        stay as they were. A full disk or any other system error while writing
        becomes a one-line :class:`OutputError`.
        """
        name = STAGING_PREFIX + secrets.token_hex(8)
        staging = self.path / name
        try:
            write_json(self.path, JOURNAL, {"state": "building", "staging": name})
            staging.mkdir()
        except OSError as err:
            raise output_error(self.path, err) from err
        self.hook("staging")
        try:
            yield staging
            self.hook("staged")
            self._swap(staging)
        except GeomapError:
            self._discard(staging)
            raise
        except OSError as err:
            self._discard(staging)
            raise output_error(self.path, err) from err
        except BaseException:
            self._discard(staging)
            raise

    def _swap(self, staging: Path) -> None:
        """Check the folder again, then replace the previous set with the staged one."""
        staged = sorted(path.relative_to(staging).as_posix()
                        for path in staging.rglob("*") if not path.is_dir())
        unknown = [name for name in staged if name not in OUTPUT_PATHS]
        if unknown:  # a writer added a file without naming it in OUTPUT_PATHS
            msg = f"geomap wrote files it does not list as outputs: {unknown}"
            raise AssertionError(msg)
        new = {name: sha256_file(staging / name) for name in staged}
        manifest = read_manifest(self.path)
        refuse_foreign(self.path, manifest)
        old = {name: digest for name, digest in manifest["files"].items()
               if regular_file(self.path, name) is not None}
        swap_in(self.path, staging, new, old, secrets.token_hex(8), hook=self.hook)

    def _discard(self, staging: Path) -> None:
        """Remove this build's staging folder and its journal."""
        shutil.rmtree(staging, ignore_errors=True)
        if regular_file(self.path, JOURNAL) is not None:
            os.unlink(self.path / JOURNAL)


@contextmanager
def claim_output_folder(out_dir: Path, *, hook: Hook = no_hook
                        ) -> Iterator[OutputFolder]:
    """Lock *out_dir* for one build and make it ready; release it on any exit.

    Parameters
    ----------
    out_dir : Path
        The output folder; created when missing.
    hook : callable, optional
        Called with the name of each step of the swap (tests pause or kill there).

    Yields
    ------
    OutputFolder
        The locked folder.

    Raises
    ------
    ConfigError
        *out_dir* is the root, the home folder or the current folder (or a parent).
    OutputExistsError
        Files under geomap's output names that geomap did not write are in it.
    OutputError
        Another build holds the folder, or it cannot be created or written.
    """
    out_dir = check_out_dir(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        descriptor = _lock(out_dir)
    except OutputError:
        raise
    except OSError as err:
        raise output_error(out_dir, err) from err
    try:
        try:
            recover(out_dir, hook=hook)
        except OSError as err:
            if isinstance(err, GeomapError):
                raise
            raise output_error(out_dir, err) from err
        refuse_foreign(out_dir, read_manifest(out_dir))
        yield OutputFolder(out_dir, hook=hook)
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


@contextmanager
def staged_outputs(out_dir: Path, *, hook: Hook = no_hook) -> Iterator[Path]:
    """Claim *out_dir*, yield a staging folder, then swap the staged set in.

    The shortcut of :func:`claim_output_folder` and :meth:`OutputFolder.staging`.
    """
    with claim_output_folder(out_dir, hook=hook) as folder, folder.staging() as staging:
        yield staging


def _lock(out_dir: Path) -> int:
    """Take the folder's lock without waiting; return the open descriptor."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(out_dir / LOCK, flags, 0o644)
    except OSError as err:
        if err.errno == errno.ELOOP:
            refuse_foreign(out_dir, read_manifest(out_dir))
        raise
    try:
        _try_lock(descriptor)
    except BlockingIOError as err:
        holder = os.read(descriptor, 32).decode("ascii", "replace").strip()
        os.close(descriptor)
        who = f" (process {holder})" if holder.isdigit() else ""
        msg = (f"Another geomap build is writing to '{out_dir}'{who}. Wait for it to "
               "finish, or give another folder with --out.")
        raise OutputError(msg) from err
    os.ftruncate(descriptor, 0)
    os.write(descriptor, str(os.getpid()).encode("ascii"))
    return descriptor


def _try_lock(descriptor: int) -> None:
    """Lock an open file exclusively; BlockingIOError when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError as err:
            raise BlockingIOError(errno.EAGAIN, "locked") from err
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


def refuse_foreign(out_dir: Path, manifest: dict) -> None:
    """Raise OutputExistsError when files geomap did not write bear its output names."""
    found = foreign_files(out_dir, manifest)
    if not found:
        return
    shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5
                                    else "")
    msg = (f"The output folder '{out_dir}' holds {shown} under geomap's output names, "
           "not written by geomap (or changed since, or a link). geomap never replaces "
           "or removes them: move them away, or give another folder with --out.")
    raise OutputExistsError(msg)


def output_error(out_dir: Path, err: OSError) -> OutputError:
    """A one-line error naming the output folder, the system's reason and the fix."""
    reason = (err.strerror or type(err).__name__).lower()
    if err.errno == errno.ENOSPC:
        msg = (f"The disk is full: geomap could not write its outputs to '{out_dir}'. "
               "Free some space (or give a folder on another disk with --out) and "
               "build again; the previous outputs are unchanged.")
        return OutputError(msg)
    if isinstance(err, FileExistsError) or (out_dir.exists() and not out_dir.is_dir()):
        reason = "a file of that name is in the way"
    msg = (f"Cannot create or write the output folder '{out_dir}' ({reason}). Give a "
           "folder you can write to with --out (or 'out' in geomap.toml).")
    return OutputError(msg)
