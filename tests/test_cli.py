"""The command line: exit codes, one-line errors, conservation, rejects by row."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main

from .conftest import write_csv


def _build(*args: str) -> tuple[int, str, str]:
    """Run `geomap build` and return exit code, stdout and stderr."""
    result = CliRunner().invoke(main, ["build", *args])
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_map_and_summaries(shapes_dir: Path, tmp_path: Path):
    """A build on the synthetic layers writes the map and both summaries."""
    out = tmp_path / "out"
    code, stdout, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                                  "--date", "2025-02-20")
    assert code == 0, stderr
    for name in ("map.html", "summary_areas.csv", "summary_actors.csv", "rejects.csv",
                 "join_report.csv"):
        assert (out / name).stat().st_size > 0
    areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
    assert areas.loc["alpha", "actor"] == "m23"
    assert areas.loc["bravo", "actor"] == "fardc"
    assert areas.loc["T01", "people"] == 1500  # the latest round, not a sum of rounds
    assert "people read 3,500 = mapped 3,500 + rejected 0" in stderr


def test_date_changes_the_holder(shapes_dir: Path, tmp_path: Path):
    """Before the handover the earlier holder shows."""
    out = tmp_path / "out"
    assert _build("--shapes-dir", str(shapes_dir), "--out", str(out), "--date",
                  "2025-01-26")[0] == 0
    areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
    assert areas.loc["alpha", "actor"] == "fardc"


def test_bad_rows_are_counted_and_listed(shapes_dir: Path, tmp_path: Path):
    """Bad displacement rows go to rejects.csv and people are conserved exactly."""
    bad = write_csv(tmp_path / "bad.csv", ["area", "people", "date", "assessment"], [
        ("T01", "100", "2025-01-01", "r1"),
        ("T01", "-4", "2025-01-01", "r1"),
        ("Nowhere", "50", "2025-01-01", "r1"),
        ("T02", "70", "someday", "r1"),
        ("T02", "lots", "2025-01-01", "r1"),
    ])
    out = tmp_path / "out"
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                             "--displacement", str(bad), "--date", "2025-02-01")
    assert code == 0, stderr
    assert "people read 220 = mapped 100 + rejected 120 (4 of 5 rows rejected)" in stderr
    with (out / "rejects.csv").open() as handle:
        rows = {int(r["row"]): r["reason"] for r in csv.DictReader(handle)}
    assert set(rows) == {2, 3, 4, 5}
    assert "unknown area" in rows[3] and "Sierra" not in rows[2]


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "Cannot read"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Fea', "Cannot read"),
    (b"\x00\x01\x02garbage", "Cannot read"),
], ids=["empty", "truncated", "binary"])
def test_bad_files_stop_with_one_line(shapes_dir: Path, tmp_path: Path, content, fragment):
    """Unreadable input gives exit 1 and a one-line reason, no traceback."""
    broken = tmp_path / "admin.geojson"
    broken.write_bytes(content)
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(tmp_path / "o"),
                             "--admin", str(broken), "--quiet")
    assert code == 1
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and fragment in lines[0]


def test_missing_columns_stop_with_the_fix(shapes_dir: Path, tmp_path: Path):
    """A control file without an actor column names the mapping option."""
    odd = write_csv(tmp_path / "c.csv", ["where", "who_holds"], [("alpha", "m23")])
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--control", str(odd),
                             "--out", str(tmp_path / "o"))
    assert code == 1 and "--column control.actor=COLUMN" in stderr
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--control", str(odd),
                             "--column", "control.actor=who_holds", "--column",
                             "control.area=where", "--out", str(tmp_path / "o"))
    assert code == 0, stderr


def test_publisher_column_names_are_recognised(shapes_dir: Path, tmp_path: Path):
    """'Groupe armé' and 'numPresentIdpInd' are read without any mapping."""
    control = write_csv(tmp_path / "c.csv", ["area", "Groupe armé", "start"],
                        [("bravo", "M23/AFC", "2025-01-01")])
    dtm = write_csv(tmp_path / "d.csv", ["admin2Pcode", "numPresentIdpInd",
                                         "reportingDate", "roundNumber"],
                    [("T02", "1234", "2025-01-10", "22")])
    out = tmp_path / "o"
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--control", str(control),
                             "--displacement", str(dtm), "--out", str(out))
    assert code == 0, stderr
    areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
    assert areas.loc["bravo", "actor"] == "m23" and areas.loc["T02", "people"] == 1234


def test_projected_file_without_crs_is_refused(shapes_dir: Path, tmp_path: Path, admin):
    """A shapefile with no .prj stops the build with the fix."""
    path = tmp_path / "admin.shp"
    admin.to_file(path)
    path.with_suffix(".prj").unlink()
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--admin", str(path),
                             "--out", str(tmp_path / "o"))
    assert code == 1 and "has no CRS" in stderr


def test_failed_build_keeps_previous_outputs(shapes_dir: Path, tmp_path: Path):
    """A build that fails leaves the earlier outputs byte for byte."""
    out = tmp_path / "out"
    assert _build("--shapes-dir", str(shapes_dir), "--out", str(out))[0] == 0
    before = (out / "map.html").read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_text("nothing,useful\n1,2\n")
    assert _build("--shapes-dir", str(shapes_dir), "--out", str(out), "--mines",
                  str(broken))[0] == 1
    assert (out / "map.html").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".geomap-staging")]


@pytest.mark.parametrize("args", [["--date", "yesterday"], ["--column", "nolayer"],
                                  ["--bogus"]], ids=["date", "column", "option"])
def test_bad_usage_exits_2(shapes_dir: Path, tmp_path: Path, args):
    """Bad usage is exit 2 with click's message."""
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--out",
                             str(tmp_path / "o"), *args)
    assert code == 2 and "Traceback" not in stderr


def test_validate_command(shapes_dir: Path, tmp_path: Path):
    """`geomap validate` exits 0 on a good file and 1 with reasons on a bad one."""
    runner = CliRunner()
    good = runner.invoke(main, ["validate", str(shapes_dir / "control.csv"), "--layer",
                                "control"])
    assert good.exit_code == 0 and "5 of 5 control rows valid" in good.stdout
    bad = write_csv(tmp_path / "m.csv", ["name", "lon", "lat"],
                    [("ok", "29.1", "-1.5"), ("swapped", "-1.5", "29.1")])
    result = runner.invoke(main, ["validate", str(bad), "--layer", "mines"])
    assert result.exit_code == 1 and "row 2" in result.stdout and "swapped" in result.stdout


def test_config_file_names_inputs_and_date(shapes_dir: Path, tmp_path: Path):
    """A geomap.toml rebuilds the same report; the command line overrides it."""
    config = tmp_path / "geomap.toml"
    config.write_text(f'title = "Test"\ndate = "2025-01-26"\nout = "built"\n'
                      f'shapes = "{shapes_dir.name}"\n')
    (tmp_path / shapes_dir.name).exists()
    code, _, stderr = _build("--config", str(config))
    assert code == 0, stderr
    areas = pd.read_csv(tmp_path / "built" / "summary_areas.csv").set_index("place")
    assert areas.loc["alpha", "actor"] == "fardc"
    assert _build("--config", str(config), "--date", "2025-03-01")[0] == 0
    areas = pd.read_csv(tmp_path / "built" / "summary_areas.csv").set_index("place")
    assert areas.loc["alpha", "actor"] == "m23"


def test_version():
    """`geomap --version` prints the package version."""
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "version" in result.stdout
