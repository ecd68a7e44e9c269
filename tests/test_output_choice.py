"""--outputs writes only the groups asked for; the print map is drawn beside the rest."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.collector import YOUNG_THRESHOLD
from geomap.config import OUTPUT_GROUPS, BuildConfig, parse_outputs, read_config
from geomap.errors import ConfigError, OutputError
from geomap.export import background, print_map, print_worker, warm_up
from geomap.export.background import Background, Worker
from geomap.export.outputs import _write_print
from geomap.export.report import collect_sources
from geomap.pipeline import load_layers
from geomap.render.markup import MapText
from geomap.summarise.summary import summarise_build
from tests.conftest import REPO, spy


def _build(shapes_dir: Path, out: Path, *options: str):
    """Run `geomap build` on the synthetic shapes; return the result."""
    return CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir), "--out",
                                     str(out), "--date", "2025-02-20", "--quiet",
                                     *options])


def _files(folder: Path) -> set[str]:
    """The outputs in *folder* (geomap's own bookkeeping files left out)."""
    return {str(path.relative_to(folder)) for path in folder.rglob("*")
            if path.is_file() and not path.name.startswith(".geomap")}


def test_only_the_groups_asked_for_are_written(shapes_dir: Path, tmp_path: Path,
                                               synthetic_out: Path):
    """tables,report: the CSVs and the report (its map drawn aside), nothing else; the
    other outputs of the earlier full build are removed, not left to pass as current.

    The earlier full build is the session's, copied with geomap's own bookkeeping
    files, as if it had been written here."""
    out = tmp_path / "out"
    shutil.copytree(synthetic_out, out)
    full = _files(out)
    assert {"map.html", "map.png", "geomap.gpkg", "layers/admin.geojson"} <= full
    result = _build(shapes_dir, out, "--outputs", "tables, report")
    assert result.exit_code == 0, result.output
    chosen = _files(out)
    assert "report.html" in chosen
    assert {name for name in chosen if name != "report.html"} == {
        name for name in full if name.endswith(".csv")}
    assert "data:image/png;base64," in (out / "report.html").read_text()


def test_an_unknown_group_is_bad_usage(shapes_dir: Path, tmp_path: Path):
    """A typo says which groups exist (exit 2), and nothing is written."""
    result = _build(shapes_dir, tmp_path / "out", "--outputs", "map,maps")
    assert result.exit_code == 2
    assert "Unknown output(s) ['maps']" in result.output
    assert not (tmp_path / "out" / "map.html").exists()


def test_output_groups_read_from_a_list_or_a_string(tmp_path: Path):
    """'all' names every group; geomap.toml takes a list; none at all is an error."""
    assert parse_outputs("all") == tuple(OUTPUT_GROUPS)
    assert parse_outputs(["density", "MAP"]) == ("map", "density")
    with pytest.raises(ConfigError, match="at least one"):
        parse_outputs(" , ")
    toml = tmp_path / "geomap.toml"
    toml.write_text('outputs = ["print", "gpkg"]\n', encoding="utf-8")
    assert read_config(toml)["outputs"] == ("gpkg", "print")
    toml.write_text('outputs = "pdf"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'outputs' in 'geomap.toml'"):
        read_config(toml)


def test_background_work_returns_its_paths(tmp_path: Path):
    """Whatever process did the work, its files are there and its paths come back."""
    target = tmp_path / "drawn.txt"

    def work() -> list[Path]:
        target.write_text(str(os.getpid()), encoding="utf-8")
        return [target]

    job = Background(work)
    assert job.result() == [target]
    assert job.result() == [target]  # asked again: the same paths, the work not rerun
    assert target.read_text(encoding="utf-8").isdigit()


@pytest.mark.parametrize(("failure", "error", "reason"), [
    ("raise", ValueError, "no ink"), ("exit", OutputError, "ended with 3")])
def test_background_failure_is_raised_here(failure: str, error: type, reason: str):
    """The work's own error is raised here; a process that dies is one OutputError."""
    def work() -> list[Path]:
        if failure == "exit" and os.getpid() != parent:
            os._exit(3)
        msg = "no ink"
        raise ValueError(msg)

    parent = os.getpid()
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the work runs in this process, its errors as they are")
    job = Background(work)
    with pytest.raises(error, match=reason):
        job.result()
    with pytest.raises(error, match=reason):  # asked again: the same error
        job.result()


def _write_pid(target: Path) -> list[Path]:
    """Write this process's id into *target* (work sent to a Worker: picklable)."""
    target.write_text(str(os.getpid()), encoding="utf-8")
    return [target]


def _fail(reason: str) -> list[Path]:
    """Work that fails with *reason*."""
    raise ValueError(reason)


def test_worker_forked_early_runs_the_work_sent_to_it(tmp_path: Path):
    """The worker imports its modules, then does the one work sent to it, in its own
    process (two cores or more), and the paths come back here."""
    target = tmp_path / "drawn.txt"
    worker = Worker(["json"])
    try:
        assert worker.start(partial(_write_pid, target)).result() == [target]
    finally:
        worker.close()
    written = int(target.read_text(encoding="utf-8"))
    assert (written != os.getpid()) == ((os.cpu_count() or 1) >= 2)


def _write_collector(target: Path) -> list[Path]:
    """Write the collector's young threshold and frozen count into *target*."""
    import gc

    target.write_text(f"{gc.get_threshold()[0]} {gc.get_freeze_count()}",
                      encoding="utf-8")
    return [target]


def test_the_worker_s_work_runs_with_the_collector_of_a_build(tmp_path: Path):
    """Forked before the build holds the collector (geomap.collector), the worker
    holds it itself: its imports frozen, young objects collected less often."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no worker is forked, the work runs here")
    target = tmp_path / "collector.txt"
    worker = Worker(["json"])
    try:
        worker.start(partial(_write_collector, target)).result()
    finally:
        worker.close()
    threshold, frozen = map(int, target.read_text(encoding="utf-8").split())
    assert threshold >= YOUNG_THRESHOLD
    assert frozen > 0


DAY = pd.Timestamp("2025-02-20")


def _process(worker: Worker | None) -> multiprocessing.Process:
    """The process of *worker* (forked: two cores or more)."""
    assert worker is not None
    assert worker._child is not None
    return worker._child


@pytest.fixture
def ahead() -> Iterator[None]:
    """No worker forked ahead is left when the test ends, whatever happened."""
    yield
    print_worker.close_ahead()


def test_a_build_takes_the_worker_forked_ahead_and_ends_it(tmp_path: Path, ahead):
    """print_worker hands the build the worker fork_ahead forked (no second fork),
    and ends it with the build."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no worker is forked, the work runs here")
    print_worker.fork_ahead()
    ahead = _process(print_worker._ahead)
    with print_worker.print_worker(BuildConfig(date=DAY, out_dir=tmp_path / "out")) as worker:
        assert worker._child is ahead
        assert print_worker._ahead is None
        assert worker.start(partial(_write_pid, tmp_path / "pid.txt")).result()
    assert int((tmp_path / "pid.txt").read_text(encoding="utf-8")) == ahead.pid
    assert not ahead.is_alive()


def test_a_worker_forked_ahead_and_not_wanted_is_stopped(tmp_path: Path, ahead):
    """A build without the print map or report stops the worker forked ahead; one
    no build took is stopped by close_ahead (the command's end), at most once."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no worker is forked, the work runs here")
    print_worker.fork_ahead()
    ahead = _process(print_worker._ahead)
    config = BuildConfig(date=DAY, out_dir=tmp_path / "out", outputs=("tables",))
    with print_worker.print_worker(config) as worker:
        assert worker is None
    assert not ahead.is_alive()
    print_worker.fork_ahead()
    left = _process(print_worker._ahead)
    print_worker.close_ahead()
    print_worker.close_ahead()
    assert not left.is_alive()
    assert print_worker._ahead is None


def test_geomap_build_forks_the_worker_before_importing_pandas():
    """The command forks the print map's process first, so that it imports beside
    this one (a fresh Python: pandas not imported yet), and stops it when no build
    takes it (here: help asked for)."""
    code = ("import sys\n"
            "from geomap.export import print_worker\n"
            "forked = []\n"
            "fork = print_worker.fork_ahead\n"
            "def spy():\n"
            "    forked.append('pandas' in sys.modules)\n"
            "    fork()\n"
            "    forked.append(print_worker._ahead is not None)\n"
            "print_worker.fork_ahead = spy\n"
            "from geomap.cli import main\n"
            "try:\n"
            "    main(['build', '--help'])\n"
            "finally:\n"
            "    print('forked', forked, print_worker._ahead)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    assert "forked [False, True] None" in done.stdout


def test_a_failed_build_leaves_no_worker_behind(tmp_path: Path):
    """An input error before the build starts: the worker forked ahead is stopped."""
    result = _build(REPO / "shapes", tmp_path / "out", "--admin",
                    str(tmp_path / "missing.geojson"))
    assert result.exit_code != 0
    assert "missing.geojson" in result.output
    assert print_worker._ahead is None
    assert not [child for child in multiprocessing.active_children()
                if child.name == "geomap-outputs"]


def test_worker_error_is_raised_here_and_an_unused_worker_stops(tmp_path: Path):
    """The work's own error comes back; a worker never sent work is stopped, leaving
    no process behind."""
    worker = Worker(["json"])
    with pytest.raises(ValueError, match="no ink"):
        worker.start(partial(_fail, "no ink")).result()
    worker.close()
    idle = Worker(["json"])
    child = idle._child
    idle.close()
    assert child is None or not child.is_alive()


def _write_niceness(target: Path) -> list[Path]:
    """Write the niceness of the calling thread into *target* (whole, or not yet)."""
    niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    partial_file = target.with_suffix(".part")
    partial_file.write_text(str(niceness), encoding="utf-8")
    partial_file.replace(target)
    return [target]


def _lowered() -> int:
    """The niceness a worker's warm-up has: the lowest where this process may raise
    it again (root, or a nice limit allowing it), else this process's own."""
    import resource

    own = os.getpriority(os.PRIO_PROCESS, 0)
    allowed = os.geteuid() == 0 or resource.getrlimit(resource.RLIMIT_NICE)[0] >= 20 - own
    return max(own, warm_up.WARM_UP_NICENESS) if allowed else own


def _wait_for(path: Path) -> None:
    """Wait until *path* exists (written whole by :func:`_write_niceness`)."""
    for _ in range(3000):
        if path.exists():
            return
        time.sleep(0.01)


def test_the_worker_warms_up_at_the_lowest_priority_and_works_at_its_own(
        tmp_path: Path):
    """The imports and preparation run on a thread yielding the processors to the
    build's own threads; the work sent runs at the priority the build has."""
    if (os.cpu_count() or 1) < 2 or not sys.platform.startswith("linux"):
        pytest.skip("a thread's own priority needs Linux, a worker two cores")
    warmed, worked = tmp_path / "warm-up.txt", tmp_path / "work.txt"
    worker = Worker(["json"], prepare=partial(_write_niceness, warmed))
    try:
        _wait_for(warmed)  # the work, sent before, would skip the preparation
        worker.start(partial(_write_niceness, worked)).result()
    finally:
        worker.close()
    assert int(warmed.read_text(encoding="utf-8")) == _lowered()
    assert int(worked.read_text(encoding="utf-8")) == os.getpriority(os.PRIO_PROCESS, 0)


def _prepare_until_raised(lowered: Path, raised: Path) -> None:
    """A preparation still under way when the work comes: it notes its niceness,
    then waits for its priority to be given back, and notes it again."""
    _write_niceness(lowered)
    own = os.getpriority(os.PRIO_PROCESS, os.getpid())  # its main thread's
    for _ in range(3000):
        if os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own:
            break
        time.sleep(0.01)
    _write_niceness(raised)


def test_a_warm_up_under_way_when_the_work_comes_gets_its_priority_back(
        tmp_path: Path):
    """The work waits for the step of the warm-up under way, not for the steps after
    it, which are never taken: that step runs at the worker's priority from then on,
    so a busy machine cannot starve the work."""
    if (os.cpu_count() or 1) < 2 or not sys.platform.startswith("linux"):
        pytest.skip("a thread's own priority needs Linux, a worker two cores")
    lowered, raised, first, later = (tmp_path / name for name in (
        "lowered.txt", "raised.txt", "first.txt", "later.txt"))
    worker = Worker(["json"], prepare=(
        partial(_write_pid, first), partial(_prepare_until_raised, lowered, raised),
        partial(_write_pid, later)))
    try:
        _wait_for(lowered)
        assert worker.start(partial(_write_pid, tmp_path / "drawn.txt")).result() == [
            tmp_path / "drawn.txt"]
    finally:
        worker.close()
    assert int(lowered.read_text(encoding="utf-8")) == _lowered()
    assert int(raised.read_text(encoding="utf-8")) == os.getpriority(os.PRIO_PROCESS, 0)
    assert first.exists()
    assert not later.exists()


def _die() -> None:
    """A worker's preparation that kills it (as the kernel's OOM killer would)."""
    os._exit(9)


def test_a_worker_dead_before_its_work_is_the_print_map_s_error(tmp_path: Path):
    """A print process that died before it was sent its work is said to be the print
    map's failure, with its exit code: not a broken pipe blamed on the folder."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no worker is forked, the work runs here")
    worker = Worker(["json"], prepare=_die)
    worker._child.join()  # dead before the build sends it anything
    with pytest.raises(OutputError, match="print map.*ended with 9 before it was sent"):
        worker.start(partial(_write_pid, tmp_path / "never.txt"))
    worker.close()  # nothing left to stop
    assert not (tmp_path / "never.txt").exists()


def _write_here_and_aside(here: Path, aside: Path) -> list[Path]:
    """Work for a Worker that forks once more: *aside* is written by a Background
    started from the worker (a daemon process), *here* by the worker itself."""
    job = Background(partial(_write_pid, aside))
    return _write_pid(here) + job.result()


def _full_disk_aside(folder: Path) -> list[Path]:
    """Work for a Worker whose Background finds the disk full."""
    def full() -> list[Path]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "map.pdf"))
    return Background(full).result()


def test_a_worker_s_work_can_write_aside_in_one_more_process(tmp_path: Path):
    """The print map's worker saves the vector files in a process it forks itself:
    both files come back, from two processes other than this one (two cores or
    more), and an error there is raised here as it was raised there."""
    here, aside = tmp_path / "map.png", tmp_path / "map.pdf"
    worker = Worker(["json"])
    try:
        assert worker.start(partial(_write_here_and_aside, here, aside)
                            ).result() == [here, aside]
    finally:
        worker.close()
    pids = {int(path.read_text(encoding="utf-8")) for path in (here, aside)}
    if (os.cpu_count() or 1) >= 2:
        assert len(pids) == 2
        assert os.getpid() not in pids
    worker = Worker(["json"])
    with pytest.raises(OSError, match="No space left") as raised:
        worker.start(partial(_full_disk_aside, tmp_path)).result()
    worker.close()
    assert raised.value.errno == errno.ENOSPC


def _write_later(target: Path, later) -> list[Path]:
    """Work that waits for a text sent later, then writes it into *target*."""
    target.write_text(later(), encoding="utf-8")
    return [target]


@pytest.mark.parametrize("forking", [True, False], ids=["forked", "in-turn"])
def test_work_started_early_gets_what_is_sent_later(tmp_path: Path, forking: bool,
                                                    monkeypatch: pytest.MonkeyPatch):
    """A work that waits (the print map, drawn before the report's tables exist)
    gets what is sent later, from a worker or a forked copy; where none can be
    forked it runs when that is sent, and only then."""
    monkeypatch.setattr(background, "_forking", lambda: forking and (
        (os.cpu_count() or 1) >= 2))
    worker = Worker(["json"])
    try:
        early = worker.start(partial(_write_later, tmp_path / "a.txt"), waits=True)
        aside = Background(partial(_write_later, tmp_path / "b.txt"), waits=True)
        if not background._forking():
            assert not (tmp_path / "a.txt").exists()
        early.send("summed later")
        aside.send("also later")
        assert early.result() == [tmp_path / "a.txt"]
        assert aside.result() == [tmp_path / "b.txt"]
    finally:
        worker.close()
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "summed later"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "also later"


def test_work_never_sent_what_it_waits_for_writes_nothing(tmp_path: Path):
    """A build that fails after the print map's work started, before its folder and
    tables were sent: closing the worker ends the work, which writes nothing and
    leaves no process behind; a copy forked for such work is ended the same way."""
    worker = Worker(["json"])
    job = worker.start(partial(_write_later, tmp_path / "a.txt"), waits=True)
    child = job._child
    worker.close()
    assert child is None or not child.is_alive()
    aside = Background(partial(_write_later, tmp_path / "b.txt"), waits=True)
    aside.abandon()
    assert aside.result() == []
    assert not (tmp_path / "a.txt").exists()
    assert not (tmp_path / "b.txt").exists()


def test_the_print_map_is_handed_its_summaries_before_the_rest_is_summed(
        bundled, monkeypatch: pytest.MonkeyPatch):
    """summarise_build gives what the print map draws (holders, people, mines,
    actors, changes) as soon as it exists, before the handovers and events are
    listed: the same tables the build's summary holds at its end."""
    from geomap.summarise import summary as summary_module

    config = BuildConfig(date=pd.Timestamp("2025-02-20"),
                         compare=pd.Timestamp("2024-12-31"), shapes_dir=REPO / "shapes")
    steps: list[str] = []
    listed = summary_module.list_handovers
    monkeypatch.setattr(summary_module, "list_handovers", lambda *args, **kwargs: (
        steps.append("handovers"), listed(*args, **kwargs))[1])
    handed = []
    summary = summarise_build(bundled, config, lambda _: None, drawn=lambda ready: (
        steps.append("drawn"), handed.append(ready)))
    assert steps == ["drawn", "handovers"]
    (ready,) = handed
    for name in ("areas", "mines", "actors", "changes", "displaced"):
        pd.testing.assert_frame_equal(getattr(ready, name), getattr(summary, name))
    assert ready.latest_record == summary.latest_record
    assert ready.totals is None
    assert ready.events is None


def test_a_build_failing_after_its_print_map_was_sent_leaves_nothing(
        shapes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The print map's work starts before the handovers are listed; a build that
    fails there raises its own error, writes no file, leaves no staging folder and
    no print process behind."""
    from geomap import pipeline
    from geomap.summarise import summary as summary_module

    started = spy(monkeypatch, pipeline, "draw_print_map", lambda *_: "sent")

    def broken(*_args, **_kwargs):
        msg = "handovers cannot be listed"
        raise ConfigError(msg)

    monkeypatch.setattr(summary_module, "list_handovers", broken)
    workers = spy(monkeypatch, print_worker, "Worker", lambda *_: None)
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match="handovers cannot be listed"):
        pipeline.run(BuildConfig(date=pd.Timestamp("2025-02-20"), shapes_dir=shapes_dir,
                                 out_dir=out))
    assert started == ["sent"]
    assert len(workers) == 1
    assert not [path for path in out.rglob("*") if path.is_file()
                and not path.name.startswith(".geomap")]
    assert not list(out.glob(".geomap-staging-*"))
    assert not [child for child in multiprocessing.active_children()
                if child.name == "geomap-outputs"]


def test_stopped_background_work_writes_nothing_more(tmp_path: Path):
    """stop() ends a work still running (here: waiting on a pipe no one writes) and
    reaps its process; abandon() waits for a work to end, its outcome unread."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the work runs in this process, before stop() is called")
    wait, never = os.pipe()
    target = tmp_path / "late.txt"

    def blocked() -> list[Path]:
        os.read(wait, 1)  # never returns: the other end stays open
        return _write_pid(target)

    job = Background(blocked)
    child = job._child.pid
    job.stop()
    with pytest.raises(ChildProcessError):  # reaped: no such child any more
        os.waitpid(child, os.WNOHANG)
    assert job.result() == []
    assert not target.exists()
    os.close(wait)
    os.close(never)
    finished = Background(partial(_fail, "not read"))
    finished.abandon()
    assert finished.result() == []


def test_the_building_process_never_imports_matplotlib(shapes_dir: Path, tmp_path: Path):
    """matplotlib is imported only by the process drawing the print map: not by the
    GIS package's styles (they take the print map's symbol sizes from the style
    table), nor anywhere on the way of a build that writes every output; nor are
    the print map's modules (the package's own, which names the warm-up's steps,
    imports nothing)."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the print map is drawn in the building process")
    out = tmp_path / "out"
    script = (
        "import json, sys\n"
        "drawing = lambda: sorted(m for m in sys.modules if m == 'matplotlib' or "
        "m.startswith(('matplotlib.', 'geomap.render.print.')))\n"
        "import geomap.export.gis_package\n"
        "package = drawing()\n"
        "from geomap.cli import main\n"
        "main(['build', '--quiet', '--shapes-dir', sys.argv[1], '--out', sys.argv[2],"
        " '--date', '2025-02-20'], standalone_mode=False)\n"
        "print(json.dumps([package, drawing()]))\n")
    done = subprocess.run([sys.executable, "-c", script, str(shapes_dir), str(out)],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    package, build = json.loads(done.stdout.splitlines()[-1])
    assert package == []
    assert build == []
    assert {"map.png", "map.pdf", "map.svg", "report.html", "geomap.gpkg",
            "map.html"} <= _files(out)


def test_the_print_map_is_the_same_bytes_from_one_process_or_two(
        shapes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The print map's PDF and PNG, saved by a copy of the process saving its SVG and
    report, are the bytes saved in turn by one process (where none can be forked);
    a full disk met by that copy is raised here as the OSError it was."""
    config = BuildConfig(date=pd.Timestamp("2025-02-20"), shapes_dir=shapes_dir)
    layers = load_layers(config)
    summary = summarise_build(layers, config, lambda _: None)
    text = MapText.from_build(config, layers, latest_record=summary.latest_record)
    sources = collect_sources({"admin": layers.admin, "control": layers.control})

    def printed(folder: Path) -> dict[str, bytes]:
        folder.mkdir()
        paths = _write_print({"print", "report"},
                             lambda: (folder, summary.totals, summary.events, sources, None),
                             layers=layers, summary=summary, text=text)
        return {path.name: path.read_bytes() for path in paths}

    two = printed(tmp_path / "two")
    assert list(two) == ["map.png", "map.pdf", "map.svg", "report.html"]
    with monkeypatch.context() as alone:
        alone.setattr(background, "_forking", lambda: False)
        assert printed(tmp_path / "one") == two
    written = print_map.write_printed

    def full(folder: Path, drawn: dict[str, bytes]) -> list[Path]:
        if "map.pdf" in drawn:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
        return written(folder, drawn)

    monkeypatch.setattr(print_map, "write_printed", full)
    with pytest.raises(OSError, match="No space left") as raised:
        printed(tmp_path / "full")
    assert raised.value.errno == errno.ENOSPC
