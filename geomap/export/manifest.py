"""What geomap owns in an output folder: its file names, and the manifest of a build.

geomap removes or replaces a file in the output folder only when the manifest of the
last build (``.geomap-manifest.json``) lists it with the same sha256, so a file the
user made or changed under one of geomap's names is never touched. Every path is
checked part by part without following links: a link in the output folder is never
followed out of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

OUTPUT_NAMES = (
    "map.html", "embed.html", "summary_areas.csv", "summary_actors.csv", "rejects.csv",
    "join_report.csv", "changes.csv", "displacement_density.tif", "geomap.gpkg",
    "geomap.qgz", "map.png", "map.pdf", "map.svg", "report.html", "conflict_events.csv",
    "events.csv", "sources.csv",
)
"""Files a build may write at the top of the output folder."""

LAYER_FOLDER = "layers"
LAYER_FILES = tuple(f"{LAYER_FOLDER}/{name}.geojson"
                    for name in ("admin", "towns", "mines", "control", "displacement"))
"""GeoJSON layers a build may write, below the output folder."""

OUTPUT_PATHS = (*OUTPUT_NAMES, *LAYER_FILES)
"""Every path (relative, ``/``-separated) a build may write in the output folder."""

MANIFEST = ".geomap-manifest.json"
LOCK = ".geomap.lock"
JOURNAL = ".geomap-journal.json"
STAGING_PREFIX = ".geomap-staging-"
BACKUP_PREFIX = ".geomap-previous-"
OWN_FILES = (MANIFEST, LOCK, JOURNAL)
"""geomap's own bookkeeping files at the top of the output folder."""


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, as 64 hex digits."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def regular_file(root: Path, relative: str) -> Path | None:
    """``root/relative`` when it is a plain file reached through no link, else None.

    Each part below *root* is examined with ``lstat``: a link, at any depth, makes
    the answer None, so callers never act on a file outside *root*.
    """
    path = Path(root)
    parts = relative.split("/")
    for index, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None
        last = index == len(parts) - 1
        if stat.S_ISLNK(mode) or (not last and not stat.S_ISDIR(mode)):
            return None
        if last and not stat.S_ISREG(mode):
            return None
    return path


def read_manifest(out_dir: Path) -> dict:
    """The manifest of the last build in *out_dir*: ``{"build": id, "files": {...}}``.

    A missing, unreadable or malformed manifest (or one that is a link) reads as
    empty: then no file in the folder counts as geomap's. Entries naming anything
    but a geomap output path are ignored.
    """
    path = regular_file(out_dir, MANIFEST)
    if path is None:
        return {"build": None, "files": {}}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        files = content["files"]
        build = content["build"]
    except (OSError, ValueError, KeyError, TypeError):
        return {"build": None, "files": {}}
    if not isinstance(files, dict) or not isinstance(build, str):
        return {"build": None, "files": {}}
    files = {name: digest for name, digest in files.items()
             if name in OUTPUT_PATHS and isinstance(digest, str)}
    return {"build": build, "files": files}


def write_json(out_dir: Path, name: str, content: dict) -> None:
    """Write *content* to ``out_dir/name`` atomically and durably (temp, fsync, rename)."""
    target = Path(out_dir) / name
    temporary = target.with_name(target.name + ".tmp")
    data = json.dumps(content, indent=1, sort_keys=True).encode("utf-8") + b"\n"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, 0o644)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, target)
    sync_folder(out_dir)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk where the system allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some systems cannot fsync a folder
    finally:
        os.close(descriptor)


def foreign_files(out_dir: Path, manifest: dict) -> list[str]:
    """Paths in *out_dir* under geomap's names that the last build did not write.

    A path counts as foreign when it exists and is not a plain file that the
    *manifest* lists with the same sha256: the user's own ``changes.csv``, a
    geomap output edited since, a link, or a ``layers`` that is a link or a file.

    Returns
    -------
    list of str
        Relative paths, in geomap's order; ``layers/`` stands for the whole folder.
    """
    out_dir = Path(out_dir)
    found = []
    layers = out_dir / LAYER_FOLDER
    layers_foreign = os.path.lexists(layers) and (
        layers.is_symlink() or not layers.is_dir())
    if layers_foreign:
        found.append(f"{LAYER_FOLDER}/")
    for name in OWN_FILES:
        path = out_dir / name
        if os.path.lexists(path) and regular_file(out_dir, name) is None:
            found.append(name)
    listed = manifest["files"]
    for relative in OUTPUT_PATHS:
        if layers_foreign and relative.startswith(f"{LAYER_FOLDER}/"):
            continue
        if not os.path.lexists(out_dir / relative):
            continue
        path = regular_file(out_dir, relative)
        if path is None or listed.get(relative) != sha256_file(path):
            found.append(relative)
    return found
