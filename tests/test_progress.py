"""Progress lines for big inputs only, and quiet means quiet."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from geomap.cli import main
from geomap.progress import (
    BIG_BYTES,
    BIG_ROWS,
    announce_file,
    announce_rows,
    live_status,
)


def test_big_steps_are_announced_and_small_ones_not(tmp_path: Path):
    """A line before long steps on big inputs; nothing for small ones."""
    lines: list[str] = []
    announce_rows("displacement", BIG_ROWS - 1, "validating", lines.append)
    assert lines == []
    announce_rows("displacement", 1_700_000, "validating", lines.append)
    assert lines == ["displacement: validating 1,700,000 rows"]
    small = tmp_path / "small.csv"
    small.write_text("a\n1\n")
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(BIG_BYTES)
    announce_file(small, "displacement", lines.append)
    announce_file(tmp_path / "missing.csv", "displacement", lines.append)
    announce_file("cod-ab:adm2", "admin", lines.append)  # a source name, not a file
    assert len(lines) == 1
    announce_file(big, "displacement", lines.append)
    assert lines[-1] == "displacement: reading big.csv (20 MB)"


def test_live_status_passes_lines_through_when_not_a_terminal():
    """Off a terminal (logs, CI) the report callback is the plain printer."""
    lines: list[str] = []
    with live_status(lines.append, quiet=False) as report:
        report("step one")
    assert lines == ["step one"]


def test_quiet_build_prints_only_paths(shapes_dir: Path, tmp_path: Path):
    """--quiet: no progress on stderr, the files written on stdout."""
    result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir), "--out",
                                       str(tmp_path / "out"), "--date", "2025-02-20",
                                       "--quiet", "--outputs", "map"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "map.html" in result.stdout


def test_default_build_reports_timed_steps(shapes_dir: Path, tmp_path: Path):
    """Without --quiet each finished step is a timed line on stderr."""
    result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir), "--out",
                                       str(tmp_path / "out"), "--date", "2025-02-20",
                                       "--outputs", "tables"])
    assert result.exit_code == 0, result.output
    assert "s] displacement: " in result.stderr
    assert "displacement rows read" in result.stderr
