"""The cycle collector during a build: the objects it starts with frozen, then freed."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import geomap.pipeline
from geomap.cli import main
from geomap.collector import YOUNG_THRESHOLD, collector_for_build, hold_for_work
from tests.conftest import REPO


class _Node:
    """An object that can sit in a reference cycle and be watched by a weakref."""

    other: _Node | None = None


def _cycle_garbage() -> weakref.ref:
    """A reference cycle nothing points to, not collected yet; a weakref to it."""
    enabled = gc.isenabled()
    gc.disable()  # no collection between its making and the caller's next step
    try:
        first, second = _Node(), _Node()
        first.other, second.other = second, first
        return weakref.ref(first)
    finally:
        if enabled:
            gc.enable()


def test_garbage_from_before_the_build_waits_and_garbage_from_during_it_goes():
    """Inside, the objects alive before are not walked (a cycle made before survives
    a full collection) while a cycle made inside is collected; after, the old cycle
    is collected too and the settings are Python's again."""
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    old = _cycle_garbage()
    with collector_for_build():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
        young = _cycle_garbage()
        gc.collect()
        assert young() is None
        assert old() is not None
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
    gc.collect()
    assert old() is None


def test_settings_come_back_when_the_build_fails():
    """An error inside leaves nothing frozen and the thresholds as they were."""
    before = gc.get_threshold()
    failure = "a failed build"
    with pytest.raises(RuntimeError, match=failure), collector_for_build():
        raise RuntimeError(failure)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_geomap_build_runs_with_the_collector_held(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    """The command line runs the build inside it, and lets go when it ends."""
    seen = []

    def run(config, report):
        seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))
        return SimpleNamespace(paths=[])

    monkeypatch.setattr(geomap.pipeline, "run", run)
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"),
                                       "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1
    frozen, young = seen[0]
    assert frozen > 0
    assert young == YOUNG_THRESHOLD
    assert gc.get_freeze_count() == 0


def test_a_process_held_for_its_work_keeps_the_settings_of_a_build():
    """hold_for_work (the print map's process): what is alive frozen, young objects
    collected less often, and nothing given back (the process ends after its work)."""
    before = gc.get_threshold()
    try:
        hold_for_work()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (max(YOUNG_THRESHOLD, before[0]), *before[1:])
        young = _cycle_garbage()
        gc.collect()
        assert young() is None  # what it makes afterwards is still collected
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _at_exit(*argv: str) -> subprocess.CompletedProcess:
    """Run the ``geomap`` command with *argv* in a fresh Python that says, as it
    exits, how many objects are frozen."""
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
            f"sys.argv = ['geomap', *{list(argv)!r}]\n"
            "from geomap.cli import command\n"
            "command()\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, cwd=REPO, timeout=120, check=False)


def test_the_command_freezes_what_is_alive_before_the_process_exits():
    """The ``geomap`` command leaves its objects frozen for Python's exit (its last
    collections skip them), and keeps its exit code, a usage error's too."""
    done = _at_exit("--version")
    assert done.returncode == 0, done.stderr
    frozen = int(done.stdout.split("frozen ")[-1])
    assert frozen > 1000, done.stdout
    refused = _at_exit("build", "--no-such-option")
    assert refused.returncode == 2
    assert "No such option" in refused.stderr
    assert int(refused.stdout.split("frozen ")[-1]) > 1000
