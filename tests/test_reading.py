"""Displacement read on a thread while the small layers are read: same lines, same
errors in the same order, and nothing left running or open when a build fails."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd
import pytest

from geomap import progress
from geomap.config import BuildConfig
from geomap.errors import SchemaError, SourceError
from geomap.load import delimited
from geomap.pipeline import load_layers
from geomap.summarise.reading import (
    READ_AHEAD,
    ReadAhead,
    Records,
    _ClosedError,
    start_reading,
)

from .conftest import write_csv

SMALL = ["admin", "towns", "mines", "control"]
"""The layers of the synthetic shapes folder, in the order they are read."""


def _registrations(path: Path, rows: int = 400) -> Path:
    """*rows* registrations in the two synthetic territories."""
    return write_csv(path, ["area", "people", "date", "source"],
                     [("T01" if row % 2 else "T02", str(1 + row % 5), "2025-01-15",
                       "test") for row in range(1, rows + 1)])


def _config(shapes_dir: Path, **inputs: Path) -> BuildConfig:
    """A build of the synthetic layers with *inputs* given."""
    return BuildConfig(date=pd.Timestamp("2025-02-01"), shapes_dir=shapes_dir,
                       inputs=inputs)


def _readers() -> list[threading.Thread]:
    """The threads reading or reducing displacement still running."""
    return [t for t in threading.enumerate() if t.name in (
        "geomap-read-ahead", "geomap-reduce-records") or t.name.startswith(
        "geomap-reduce")]


def _events(path: Path) -> Path:
    """Two dated events."""
    return write_csv(path, ["date", "kind", "title", "place", "source"],
                     [("2025-01-10", "talks", "Talks", "Alpha", "test"),
                      ("2025-01-20", "agreement", "Agreement", "Bravo", "test")])


def _open(path: Path) -> bool:
    """Whether this process holds *path* open (Linux: /proc/self/fd)."""
    fds = Path("/proc/self/fd")
    return any(os.path.realpath(fd) == str(path.resolve()) for fd in fds.iterdir())


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(),
                                reason="open files are listed in /proc/self/fd only")


@needs_proc
def test_failed_admin_stops_the_reading_and_closes_the_file(
        shapes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A bad admin file is the error; the displacement file, being read meanwhile
    in small blocks, is closed and its thread gone when the error arrives."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 256)  # many batches: still reading
    registrations = _registrations(tmp_path / "registrations.csv", rows=3000)
    bad = tmp_path / "admin.geojson"
    bad.write_text("{not json")
    started = threading.Event()
    real = ReadAhead.start

    def start(self):  # the reading has begun before the admin file is read
        result = real(self)
        started.set()
        return result

    monkeypatch.setattr(ReadAhead, "start", start)
    with pytest.raises(SourceError, match="Cannot read 'admin.geojson'"):
        load_layers(_config(shapes_dir, admin=bad, displacement=registrations))
    assert started.is_set()
    assert _readers() == []
    assert not _open(registrations)


def test_bad_admin_is_reported_before_bad_displacement(shapes_dir: Path,
                                                       tmp_path: Path):
    """Both files bad: the admin error, as when displacement was read after it."""
    displacement = tmp_path / "registrations.csv"
    displacement.write_text('area,people,date\nT01,3,2025-01-15\n"T02,4,2025-01-15\n')
    bad = tmp_path / "admin.geojson"
    bad.write_text("{not json")
    with pytest.raises(SourceError, match="admin.geojson"):
        load_layers(_config(shapes_dir, admin=bad, displacement=displacement))
    assert _readers() == []


@pytest.mark.parametrize(("text", "error", "fragment"), [
    ('area,people,date\nT01,3,2025-01-15\n"T02,4,2025-01-15\n', SourceError,
     ("a quotation mark (row 2, in the row starting '\"T02,4,2025-01-15') is never "
      "closed")),
    ("area,people,date\n", SchemaError,
     "The displacement file 'registrations.csv' holds no rows."),
    ("area,people,date\nT01,-3,2025-01-15\n", SchemaError, "registrations.csv"),
], ids=["unclosed-quote", "no-rows", "all-rejected"])
def test_displacement_errors_are_raised_after_the_small_layers(
        shapes_dir: Path, tmp_path: Path, text: str, error: type, fragment: str):
    """A displacement file that cannot be used gives its one error, once the other
    layers were read (their lines said first), and no thread stays behind."""
    displacement = tmp_path / "registrations.csv"
    displacement.write_text(text)
    lines: list[str] = []
    with pytest.raises(error) as caught:
        load_layers(_config(shapes_dir, displacement=displacement), lines.append)
    assert fragment in str(caught.value)
    assert [line.split(":")[0] for line in lines] == SMALL
    assert _readers() == []


def test_missing_displacement_file_is_the_same_error(shapes_dir: Path,
                                                     tmp_path: Path):
    """A path that does not exist: the same line as before, after the other layers."""
    lines: list[str] = []
    with pytest.raises(SourceError, match=r"Input file '.*nowhere\.csv' does not "
                       r"exist\. Check the path\."):
        load_layers(_config(shapes_dir, displacement=tmp_path / "nowhere.csv"),
                    lines.append)
    assert [line.split(":")[0] for line in lines] == SMALL


def test_progress_lines_keep_their_order(shapes_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch):
    """The 'reading' line of a big file, said on the thread early on, comes where the
    reduction starts: after the small layers' lines, before the rows kept."""
    monkeypatch.setattr(progress, "BIG_BYTES", 1)  # every file counts as big
    lines: list[str] = []
    layers = load_layers(_config(shapes_dir, displacement=_registrations(
        tmp_path / "registrations.csv")), lines.append)
    assert layers.people.rows_read == 400
    layer_of = [line.split(":")[0] for line in lines]
    reading = lines.index("displacement: reading registrations.csv (0 MB)")
    assert layer_of[:reading] == SMALL
    assert lines[reading + 1].startswith("displacement: 400 of 400 rows kept from "
                                         "registrations.csv")


def test_batches_come_in_file_order_and_errors_where_they_happen():
    """Batches handed on in order; an error while reading raised after the batches
    before it, and the thread ended."""
    def batches():
        for number in range(5):
            yield pd.DataFrame({"n": [number]})
        msg = "Cannot read 'x.csv': broken."
        raise SourceError(msg)

    with ReadAhead(lambda _: Records(name="x.csv", batches=batches())).start() as ahead:
        assert ahead.records(print).name == "x.csv"
        seen = []

        def read_all() -> None:
            seen.extend(int(batch["n"].iloc[0]) for batch in ahead.batches())

        with pytest.raises(SourceError, match="broken"):
            read_all()
    assert seen == [0, 1, 2, 3, 4]
    assert _readers() == []


def test_a_closed_reader_reads_no_further():
    """Closing while batches wait: the source is closed after at most one more than
    those read ahead (handed over, queued, being queued)."""
    pulled: list[int] = []
    closed = threading.Event()

    def batches():
        try:
            for number in range(1000):
                pulled.append(number)
                yield pd.DataFrame({"n": [number]})
        finally:
            closed.set()

    ahead = ReadAhead(lambda _: Records(name="x", batches=batches())).start()
    ahead.records(print)
    first = next(ahead.batches())
    ahead.close()
    assert int(first["n"].iloc[0]) == 0
    assert closed.is_set()
    assert len(pulled) <= 1 + READ_AHEAD + 2
    assert _readers() == []


def test_closing_from_two_threads_at_once_raises_nothing():
    """The reduction (leaving its reading) and the build (stopping after an error of
    another layer) may close the reading at the same moment: neither may raise, or
    the user's error would be replaced by an internal one."""
    import sys

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often: the race shows if it exists
    failures: list[BaseException] = []
    try:
        for size in range(200):
            ahead = ReadAhead(lambda _, n=size: Records(
                name="x", batches=(pd.DataFrame({"n": [i]}) for i in range(n % 4))))
            ahead.start().records(print)

            def consume(reading: ReadAhead = ahead) -> None:
                try:
                    with reading:
                        for _ in reading.batches():
                            pass
                except _ClosedError:
                    pass  # told to stop: what the reduction expects
                except BaseException as err:  # noqa: BLE001 - collected and checked
                    failures.append(err)

            thread = threading.Thread(target=consume)
            thread.start()
            try:
                ahead.close()
            except BaseException as err:  # noqa: BLE001 - collected and checked
                failures.append(err)
            thread.join(5)
            assert not thread.is_alive()
    finally:
        sys.setswitchinterval(switch)
    assert failures == []
    assert _readers() == []


def test_planning_lines_and_errors_wait_for_records():
    """Lines said and errors raised while planning reach the caller only when it
    asks for the records, in the order they were said."""
    def plan(say):
        say("displacement: one")
        say("displacement: two")
        msg = "Input file 'x.csv' does not exist. Check the path."
        raise SourceError(msg)

    ahead = ReadAhead(plan).start()
    lines: list[str] = []
    with pytest.raises(SourceError, match="does not exist"):
        ahead.records(lines.append)
    ahead.close()
    assert lines == ["displacement: one", "displacement: two"]


def test_registered_sources_and_other_formats_start_when_asked(tmp_path: Path):
    """A source name (it may be fetched) or a GDAL format is not read early."""
    for given in ("ipis", tmp_path / "figures.xlsx", tmp_path / "figures.geojson"):
        config = BuildConfig(date=pd.Timestamp("2025-02-01"),
                             inputs={"displacement": given})
        with start_reading(config) as ahead:
            assert not ahead.started
    with start_reading(BuildConfig(date=pd.Timestamp("2025-02-01"), inputs={
            "displacement": _registrations(tmp_path / "r.csv")})) as ahead:
        assert ahead.started


@needs_proc
@pytest.mark.parametrize("displacement_text", [None, 'area,people\n"T01,3\n'],
                         ids=["good-records", "bad-records"])
def test_bad_events_file_stops_the_reduction(
        shapes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        displacement_text: str | None):
    """Events are read while the records are reduced: a missing events file is the
    error (before a bad displacement file's, as when events were read first), and
    the reading and reducing threads are gone, the file closed."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 256)
    registrations = _registrations(tmp_path / "registrations.csv", rows=3000)
    if displacement_text is not None:
        registrations.write_text(displacement_text)
    lines: list[str] = []
    with pytest.raises(SourceError, match=r"nowhere\.csv' does not exist"):
        load_layers(_config(shapes_dir, displacement=registrations,
                            events=tmp_path / "nowhere.csv"), lines.append)
    assert [line.split(":")[0] for line in lines] == SMALL
    assert _readers() == []
    assert not _open(registrations)


def test_events_lines_come_before_the_records_reduced_meanwhile(
        shapes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The optional layers' lines, then displacement's, as when they were read in
    turn; the figures are those of records reduced alone."""
    monkeypatch.setattr(progress, "BIG_BYTES", 1)
    registrations = _registrations(tmp_path / "registrations.csv")
    lines: list[str] = []
    layers = load_layers(_config(shapes_dir, displacement=registrations,
                                 events=_events(tmp_path / "events.csv")),
                         lines.append)
    layer_of = [line.split(":")[0] for line in lines]
    assert layer_of[:-1] == sorted(layer_of[:-1], key=[
        *SMALL, "events", "displacement"].index)  # every file's lines, in turn
    assert lines[layer_of.index("displacement")] == (
        "displacement: reading registrations.csv (0 MB)")
    assert lines[-2].startswith("displacement: 400 of 400 rows kept")
    assert len(layers.events) == 2
    alone = load_layers(_config(shapes_dir, displacement=registrations))
    pd.testing.assert_frame_equal(layers.displacement, alone.displacement)
    assert layers.people == alone.people


def _huge_pages_allowed() -> bool | None:
    """Whether this process may take transparent huge pages (None: not said)."""
    status = Path("/proc/self/status")
    lines = status.read_text().splitlines() if status.is_file() else []
    found = [line.split()[1] for line in lines if line.startswith("THP_enabled:")]
    return found[0] == "1" if found else None


@pytest.mark.skipif(_huge_pages_allowed() is None,
                    reason="Linux says whether huge pages are allowed only in "
                           "/proc/self/status")
def test_reading_takes_memory_in_small_pages(shapes_dir: Path, tmp_path: Path):
    """Once records are read, the process takes no more transparent huge pages."""
    config = _config(shapes_dir, displacement=_registrations(tmp_path / "r.csv"))
    with start_reading(config) as reading:
        reading.records(lambda _: None)
        assert sum(len(batch) for batch in reading.batches()) == 400
    assert _huge_pages_allowed() is False
