"""The set of outputs is replaced whole or not at all: two builds, and kill -9 anywhere."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from geomap.errors import OutputError
from geomap.export.manifest import JOURNAL, MANIFEST, read_manifest, sha256_file
from geomap.export.staging import claim_output_folder, staged_outputs

OLD = ("map.html", "changes.csv", "summary_areas.csv", "layers/admin.geojson")
NEW = ("map.html", "summary_areas.csv", "layers/admin.geojson", "layers/towns.geojson",
       "report.html")
USER = ("notes.txt", "layers/roads.geojson")


def _write(folder: Path, names: tuple[str, ...], text: str) -> None:
    """Write '<text> <name>' into each named file."""
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{text} {name}\n")


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every plain file below *folder* and its bytes, geomap's lock aside."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != ".geomap.lock"}


def _outputs(folder: Path) -> dict[str, str]:
    """The text of each output listed in the folder's manifest."""
    return {name: (folder / name).read_text()
            for name in read_manifest(folder)["files"]}


def _working_folders(folder: Path) -> list[str]:
    """geomap's staging and backup folders and journal left in *folder*."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith((".geomap-staging-", ".geomap-previous-"))
                  or p.name == JOURNAL)


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding a previous build's set and the user's files."""
    out = tmp_path / "out"
    _write(out, USER, "mine")
    with staged_outputs(out) as staging:
        _write(staging, OLD, "old")
    return out, _snapshot(out)


def test_two_builds_started_together_leave_one_build_s_set(
        previous: tuple[Path, dict[str, bytes]]):
    """The build that gets the folder pauses between two moves while the other tries.

    The other stops with one line and writes nothing; the folder ends with the first
    build's set only, and the user's files as they were.
    """
    out, before = previous
    start = threading.Barrier(2)
    loser_done = threading.Event()
    outcome: dict[str, str] = {}

    def pause(step: str) -> None:
        if step == "install map.html":  # between two moves of the swap
            assert loser_done.wait(timeout=60)

    def build(name: str) -> None:
        start.wait()
        try:
            with staged_outputs(out, hook=pause) as staging:
                _write(staging, NEW, name)
            outcome[name] = "done"
        except OutputError as err:
            outcome[name] = str(err)
            loser_done.set()

    threads = [threading.Thread(target=build, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    winner = [name for name, result in outcome.items() if result == "done"]
    loser = [name for name, result in outcome.items() if result != "done"]
    assert len(winner) == 1, outcome
    assert len(loser) == 1, outcome
    assert "Another geomap build is writing to" in outcome[loser[0]]
    assert _outputs(out) == {name: f"{winner[0]} {name}\n" for name in NEW}
    assert {name: _snapshot(out)[name] for name in USER} == {
        name: before[name] for name in USER}
    assert _working_folders(out) == []


def _killed_at(point: str, task: Callable[[Callable[[str], None]], None]) -> int:
    """Run *task* in a forked process that kills itself (SIGKILL) at step *point*.

    Returns the process's exit code: ``-SIGKILL`` when it was killed there.
    """
    def hook(step: str) -> None:
        if step == point:
            os.kill(os.getpid(), signal.SIGKILL)

    process = multiprocessing.get_context("fork").Process(target=task, args=(hook,))
    process.start()
    process.join(timeout=120)
    return process.exitcode


def _killed_build(out: Path, point: str) -> int:
    """Build NEW into *out* in a process killed at *point*; return its exit code."""
    def build(hook: Callable[[str], None]) -> None:
        with staged_outputs(out, hook=hook) as staging:
            _write(staging, NEW, "new")

    return _killed_at(point, build)


BEFORE_COMMIT = ["staging", "staged", "journal", "backup map.html",
                 "backup layers/admin.geojson", "install map.html",
                 "install layers/admin.geojson", "install report.html"]
AFTER_COMMIT = ["commit", "clean"]
MIXED = ["backup map.html", "install map.html", "install layers/admin.geojson"]


@pytest.mark.parametrize("point", BEFORE_COMMIT + AFTER_COMMIT)
def test_kill_9_at_any_step_leaves_one_whole_set(
        previous: tuple[Path, dict[str, bytes]], point: str):
    """Killed before the commit: the previous set comes back whole; after: the new.

    The user's files never change, and the next build clears every working folder.
    """
    out, before = previous
    assert _killed_build(out, point) == -signal.SIGKILL
    if point in MIXED:  # killed half-way: neither set is whole until the next build
        assert _snapshot(out) != before
    for name in USER:
        assert (out / name).read_bytes() == before[name]
    with claim_output_folder(out):  # the next build: recovers, then checks
        pass
    if point in BEFORE_COMMIT:
        assert _snapshot(out) == before
    else:
        assert _outputs(out) == {name: f"new {name}\n" for name in NEW}
        assert not (out / "changes.csv").exists()
    assert _working_folders(out) == []


@pytest.mark.parametrize("second", ["unplace map.html", "unplace layers/admin.geojson",
                                    "restore map.html", "restore changes.csv"])
def test_a_roll_back_killed_half_way_is_finished_by_the_next_build(
        previous: tuple[Path, dict[str, bytes]], second: str):
    """Recovery itself can be killed at any step and run again."""
    out, before = previous
    assert _killed_build(out, "install report.html") == -signal.SIGKILL

    def recover(hook: Callable[[str], None]) -> None:
        with claim_output_folder(out, hook=hook):
            pass

    assert _killed_at(second, recover) == -signal.SIGKILL
    with claim_output_folder(out):
        pass
    assert _snapshot(out) == before
    assert _working_folders(out) == []


def test_staging_left_by_an_older_version_is_cleared(tmp_path: Path):
    """A .geomap-staging-* folder from before the journal is removed by the next build."""
    out = tmp_path / "out"
    _write(out / ".geomap-staging-k2j4x9", ("map.html",), "orphan")
    with staged_outputs(out) as staging:
        _write(staging, ("map.html",), "new")
    assert _working_folders(out) == []
    assert (out / "map.html").read_text() == "new map.html\n"


def test_the_manifest_lists_what_is_in_place(previous: tuple[Path, dict[str, bytes]]):
    """Each file in the manifest is in place with the sha256 it lists."""
    out, _ = previous
    files = read_manifest(out)["files"]
    assert sorted(files) == sorted(OLD)
    assert all(sha256_file(out / name) == digest for name, digest in files.items())
    assert (out / MANIFEST).stat().st_size > 0
