"""Replace the set of outputs as one: a journal makes any interrupted swap undoable.

A swap runs in three phases, each file moved with a rename inside one folder:

1. the journal (``.geomap-journal.json``) is written: the new files and their
   sha256, the previous build's files, the staging and backup folders;
2. the previous build's files move into the backup folder, then the new files move
   from the staging folder into place;
3. the new manifest is written (the commit), then the backup and staging folders and
   the journal are removed.

When a build is killed at any point, the next one finds the journal and, before it
does anything else, rolls the swap back (before the commit: the new files go back to
staging, the previous ones back into place) or finishes it (after the commit). Each
step of a roll back can itself be interrupted and run again.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from geomap.errors import OutputError
from geomap.export.manifest import (
    BACKUP_PREFIX,
    JOURNAL,
    MANIFEST,
    OUTPUT_PATHS,
    STAGING_PREFIX,
    read_manifest,
    regular_file,
    sha256_file,
    write_json,
)

Hook = Callable[[str], None]
_NAME = re.compile(rf"^({re.escape(STAGING_PREFIX)}|{re.escape(BACKUP_PREFIX)})"
                   r"[0-9a-f]{16}$")
"""Names of geomap's working folders in an output folder."""


def no_hook(_: str) -> None:
    """Do nothing at a step of the swap (tests pass a hook that pauses or kills)."""


def swap_in(out_dir: Path, staging: Path, new: dict[str, str], old: dict[str, str],
            build: str, *, hook: Hook = no_hook) -> None:
    """Put the staged files *new* in place of the previous build's files *old*.

    Parameters
    ----------
    out_dir : Path
        The output folder, locked by the caller.
    staging : Path
        The folder inside *out_dir* holding the new files.
    new, old : dict of str to str
        Relative path -> sha256 of the new files and of the previous build's files
        (only those present and unchanged).
    build : str
        16 hex digits naming this build in the manifest and the backup folder.
    hook : callable, optional
        Called with the name of each step, for tests.

    Raises
    ------
    OutputError
        A move failed, or a file appeared in the way; the previous set is back in
        place.
    """
    journal = {"state": "swapping", "build": build, "staging": staging.name,
               "backup": BACKUP_PREFIX + build, "new": new, "old": old}
    write_json(out_dir, JOURNAL, journal)
    hook("journal")
    backup = out_dir / journal["backup"]
    try:
        backup.mkdir()
        for relative in old:
            _move(out_dir / relative, backup / relative)
            hook(f"backup {relative}")
        for relative in new:
            _move(staging / relative, out_dir / relative)
            hook(f"install {relative}")
        write_json(out_dir, MANIFEST, {"build": build, "files": new})
    except OSError as err:
        roll_back(out_dir, journal)
        finish(out_dir, journal)
        if isinstance(err, FileExistsError):
            msg = (f"A file appeared at '{err.filename}' while geomap was writing its "
                   "outputs; the previous outputs are back in place. Move the file "
                   "away and build again.")
            raise OutputError(msg) from err
        raise
    hook("commit")
    finish(out_dir, journal)
    hook("clean")


def _move(source: Path, target: Path) -> None:
    """Move a file without replacing anything at *target* and without following links.

    A hard link then an unlink: if *target* exists the link fails, so no file is
    ever overwritten. Where hard links are not supported, a rename after a check.
    """
    parent = target.parent
    parent.mkdir(exist_ok=True)
    if not stat.S_ISDIR(os.lstat(parent).st_mode):
        msg = f"'{parent}' is a link, not a folder"
        raise OutputError(msg)
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system
        if os.path.lexists(target):
            raise FileExistsError(17, "File exists", str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)


def recover(out_dir: Path, *, hook: Hook = no_hook) -> None:
    """Roll back or finish a swap a killed build left, and clear its working folders.

    Called with the folder locked, before a build does anything else in it.

    Raises
    ------
    OutputError
        The journal is damaged, or a previous file cannot be put back.
    """
    path = regular_file(out_dir, JOURNAL)
    if path is not None:
        journal = _read_journal(path)
        if (journal["state"] == "swapping"
                and read_manifest(out_dir)["build"] != journal["build"]):
            roll_back(out_dir, journal, hook=hook)
        finish(out_dir, journal)
    for leftover in (JOURNAL + ".tmp", MANIFEST + ".tmp"):
        if regular_file(out_dir, leftover) is not None:
            os.unlink(out_dir / leftover)
    for entry in os.scandir(out_dir):  # staging is never the only copy of anything
        if entry.name.startswith(STAGING_PREFIX):  # older versions named them freely
            _remove_folder(out_dir / entry.name, named=False)


def roll_back(out_dir: Path, journal: dict, *, hook: Hook = no_hook) -> None:
    """Undo an uncommitted swap: new files back to staging, previous ones in place."""
    staging = out_dir / journal["staging"]
    backup = out_dir / journal.get("backup", "")
    for relative, digest in journal.get("new", {}).items():
        placed = regular_file(out_dir, relative)
        if placed is None:
            continue
        staged = staging / relative
        if os.path.lexists(staged):
            if os.path.samefile(staged, placed):  # killed between link and unlink
                os.unlink(placed)
        elif sha256_file(placed) == digest:
            _move(placed, staged)
        hook(f"unplace {relative}")
    for relative in journal.get("old", {}):
        kept = regular_file(backup, relative)
        if kept is None:
            continue
        placed = out_dir / relative
        if os.path.lexists(placed):
            if not os.path.samefile(kept, placed):
                msg = (f"Cannot put the previous '{relative}' back in '{out_dir}': "
                       f"another file is in its place. The previous file is kept in "
                       f"'{backup}'.")
                raise OutputError(msg)
            os.unlink(kept)
        else:
            _move(kept, placed)
        hook(f"restore {relative}")


def finish(out_dir: Path, journal: dict) -> None:
    """Remove a swap's staging and backup folders, then its journal."""
    for name in (journal["staging"], journal.get("backup")):
        if name:
            _remove_folder(out_dir / name)
    if regular_file(out_dir, JOURNAL) is not None:
        os.unlink(out_dir / JOURNAL)


def _remove_folder(path: Path, *, named: bool = True) -> None:
    """Remove one of geomap's working folders; a link or a file there is left alone.

    With *named*, only a name this version gives (prefix and 16 hex digits).
    """
    if (_NAME.match(path.name) or not named) and stat.S_ISDIR(_lstat_mode(path)):
        shutil.rmtree(path)


def _lstat_mode(path: Path) -> int:
    """The mode of *path* itself (0 when it does not exist)."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return 0


def _read_journal(path: Path) -> dict:
    """Read and check a journal: its folders are geomap's, its paths geomap's outputs."""
    import json

    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        names = [journal["staging"]] + ([journal["backup"]] if "backup" in journal
                                        else [])
        paths = [*journal.get("new", {}), *journal.get("old", {})]
        valid = (journal["state"] in ("building", "swapping")
                 and all(isinstance(n, str) and _NAME.match(n) for n in names)
                 and all(p in OUTPUT_PATHS for p in paths)
                 and (journal["state"] == "building" or "build" in journal))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        msg = (f"The journal '{path}' of an interrupted build is damaged. Check the "
               "output folder, then delete that file and build again.")
        raise OutputError(msg)
    return journal
