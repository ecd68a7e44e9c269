"""The command line: exit codes, one-line errors, conservation, rejects by row."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main

from .conftest import synthetic_admin, write_csv, write_shapes


def _build(*args: str) -> tuple[int, str, str]:
    """Run `geomap build` and return exit code, stdout and stderr."""
    result = CliRunner().invoke(main, ["build", *args])
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_map_and_summaries(shapes_dir: Path, tmp_path: Path):
    """A build on the synthetic layers writes the map and both summaries."""
    out = tmp_path / "out"
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                             "--date", "2025-02-20", "--outputs", "map,tables")
    assert code == 0, stderr
    for name in ("map.html", "summary_areas.csv", "summary_actors.csv", "rejects.csv",
                 "join_report.csv"):
        assert (out / name).stat().st_size > 0
    areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
    assert areas.loc["alpha", "actor"] == "m23"
    assert areas.loc["bravo", "actor"] == "fardc"
    assert areas.loc["T01", "people"] == 1500  # the latest round, not a sum of rounds
    # rows are conserved; the sum over every round (3,500) is no figure to print
    assert "displacement rows read 4 = mapped 4 + rejected 0; people in rejected " \
        "rows: 0" in stderr
    assert "3,500" not in stderr


def test_date_changes_the_holder(shapes_dir: Path, tmp_path: Path):
    """Before the handover the earlier holder shows."""
    out = tmp_path / "out"
    assert _build("--shapes-dir", str(shapes_dir), "--out", str(out), "--date",
                  "2025-01-26", "--outputs", "tables")[0] == 0
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
                             "--displacement", str(bad), "--date", "2025-02-01",
                             "--outputs", "tables,report")
    assert code == 0, stderr
    assert "displacement rows read 5 = mapped 1 + rejected 4; people in rejected rows: " \
        "120" in stderr
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Sum of the people column over every row read: 220 = 100 in mapped rows " \
        "+ 120 in rejected rows" in report  # kept, with its meaning, in the QA section
    assert "not a count of displaced people" in report
    with (out / "rejects.csv").open() as handle:
        rows = {int(r["row"]): r["reason"] for r in csv.DictReader(handle)}
    assert set(rows) == {2, 3, 4, 5}
    assert "unknown area" in rows[3]
    assert "Sierra" not in rows[2]


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
    assert len(lines) == 1
    assert fragment in lines[0]


def _one_line_error(*args: str) -> str:
    """Run `geomap build --quiet`; check exit 1, no uncaught error, one line; return it."""
    result = CliRunner().invoke(main, ["build", "--quiet", *args])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    return lines[0]


HEADERS = {  # a header the layer's reader recognises
    "admin": "pcode,name,level",
    "towns": "town_id,name,lon,lat",
    "mines": "site_id,name,minerals,lon,lat",
    "control": "area,actor,start,end",
    "displacement": "area,people,date",
}


@pytest.mark.parametrize("layer", list(HEADERS))
@pytest.mark.parametrize(("kind", "fragment"), [
    ("empty", "the file is empty (0 bytes)"),
    ("blank-lines", "it holds no header row"),
    ("header-only", "holds no rows"),
])
def test_empty_and_header_only_csv_stop_with_one_line(shapes_dir: Path, tmp_path: Path,
                                                      layer, kind, fragment):
    """An empty or header-only CSV for any layer: exit 1, one line naming the file."""
    path = tmp_path / f"{layer}.csv"
    path.write_text({"empty": "", "blank-lines": "\n\n",
                     "header-only": HEADERS[layer] + "\n"}[kind])
    line = _one_line_error("--shapes-dir", str(shapes_dir), "--out",
                           str(tmp_path / "o"), f"--{layer}", str(path))
    assert f"'{layer}.csv'" in line
    assert fragment in line


@pytest.mark.parametrize(("layer", "header"), [
    ("displacement", "admin1Pcode,admin2Pcode,numPresentIdpInd,reportingDate"),
    ("mines", "vid,visit_date,name,longitude,latitude"),
], ids=["dtm", "ipis"])
def test_header_only_publisher_file_stops(shapes_dir: Path, tmp_path: Path, layer,
                                          header):
    """A publisher's file with a header and no rows is an error, not an empty layer."""
    path = tmp_path / "publisher.csv"
    path.write_text(header + "\n")
    line = _one_line_error("--shapes-dir", str(shapes_dir), "--out",
                           str(tmp_path / "o"), f"--{layer}", str(path))
    assert "'publisher.csv' holds a header but no data rows" in line


def test_unusable_output_folder_is_one_line(shapes_dir: Path, tmp_path: Path):
    """An --out that cannot be made names the folder and the fix; nothing is written."""
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way\n")
    out = blocker / "outputs"
    line = _one_line_error("--shapes-dir", str(shapes_dir), "--out", str(out))
    assert f"'{out}'" in line
    assert "Give a folder you can write to with --out" in line
    assert blocker.read_text() == "in the way\n"


@pytest.mark.parametrize(("make", "expected", "foreign"), [
    (lambda p: p.mkdir(), "is a folder, not a file", "DRIVER"),
    (lambda p: p.write_text("area,actor\nalpha,m23\n"), "it is not an Excel workbook.",
     "engine"),
], ids=["folder", "fake-xlsx"])
def test_unreadable_input_is_said_plainly(shapes_dir: Path, tmp_path: Path, make,
                                          expected, foreign):
    """A folder or a text file named .xlsx as --control: plain words, one full stop."""
    path = tmp_path / "control.xlsx"
    make(path)
    line = _one_line_error("--shapes-dir", str(shapes_dir), "--out",
                           str(tmp_path / "o"), "--control", str(path))
    assert expected in line
    assert foreign not in line
    assert ".." not in line
    assert "does not exist" not in line


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tables of a build of the synthetic layers on 2025-02-20 with changes since
    2025-01-01, written into a folder that also holds the user's notes.txt and
    mine/changes.csv; shared by the module's tests, which only read it."""
    root = tmp_path_factory.mktemp("compared")
    shapes = write_shapes(root / "shapes", synthetic_admin())
    out = root / "o"
    (out / "mine").mkdir(parents=True)
    (out / "notes.txt").write_text("mine\n")
    (out / "mine" / "changes.csv").write_text("mine\n")
    code, _, stderr = _build("--shapes-dir", str(shapes), "--out", str(out),
                             "--date", "2025-02-20", "--compare", "2025-01-01",
                             "--outputs", "tables")
    assert code == 0, stderr
    return out


def test_later_build_removes_outputs_it_did_not_write(shapes_dir: Path, tmp_path: Path,
                                                      compared: Path):
    """A build without --compare removes the changes.csv an earlier --compare wrote.

    The earlier build is the module's, copied with geomap's own bookkeeping files, as
    if it had been written here."""
    out = tmp_path / "o"
    shutil.copytree(compared, out)
    assert (out / "changes.csv").exists()
    code, stdout, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                                  "--date", "2025-02-20", "--outputs", "map,tables")
    assert code == 0, stderr
    assert not (out / "changes.csv").exists()
    assert "changes.csv" not in stdout
    assert (out / "map.html").exists()
    assert (out / "notes.txt").read_text() == "mine\n"
    assert (out / "mine" / "changes.csv").read_text() == "mine\n"


def test_missing_columns_stop_with_the_fix(shapes_dir: Path, tmp_path: Path):
    """A control file without an actor column names the mapping option."""
    odd = write_csv(tmp_path / "c.csv", ["where", "who_holds"], [("alpha", "m23")])
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--control", str(odd),
                             "--out", str(tmp_path / "o"))
    assert code == 1
    assert "--column control.actor=COLUMN" in stderr
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--control", str(odd),
                             "--column", "control.actor=who_holds", "--column",
                             "control.area=where", "--out", str(tmp_path / "o"))
    assert code == 1  # undated: it would hold forever, so geomap asks
    assert "--set control.start=YYYY-MM-DD" in stderr
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--control", str(odd),
                             "--column", "control.actor=who_holds", "--column",
                             "control.area=where", "--set", "control.start=2025-01-01",
                             "--out", str(tmp_path / "o"), "--outputs", "tables")
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
                             "--displacement", str(dtm), "--out", str(out),
                             "--outputs", "tables")
    assert code == 0, stderr
    areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
    assert areas.loc["bravo", "actor"] == "m23"
    assert areas.loc["T02", "people"] == 1234


def test_projected_file_without_crs_is_refused(shapes_dir: Path, tmp_path: Path, admin):
    """A shapefile with no .prj stops the build with the fix."""
    path = tmp_path / "admin.shp"
    admin.to_file(path)
    path.with_suffix(".prj").unlink()
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--admin", str(path),
                             "--out", str(tmp_path / "o"))
    assert code == 1
    assert "has no CRS" in stderr


def test_failed_build_keeps_previous_outputs(shapes_dir: Path, tmp_path: Path):
    """A build that fails leaves the earlier outputs byte for byte."""
    out = tmp_path / "out"
    assert _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                  "--outputs", "map")[0] == 0
    before = (out / "map.html").read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_text("nothing,useful\n1,2\n")
    assert _build("--shapes-dir", str(shapes_dir), "--out", str(out), "--mines",
                  str(broken), "--outputs", "map")[0] == 1
    assert (out / "map.html").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".geomap-staging")]


@pytest.mark.parametrize("args", [["--date", "yesterday"], ["--column", "nolayer"],
                                  ["--bogus"]], ids=["date", "column", "option"])
def test_bad_usage_exits_2(shapes_dir: Path, tmp_path: Path, args):
    """Bad usage is exit 2 with click's message."""
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--out",
                             str(tmp_path / "o"), *args)
    assert code == 2
    assert "Traceback" not in stderr


def test_validate_command(shapes_dir: Path, tmp_path: Path):
    """`geomap validate` exits 0 on a good file and 1 with reasons on a bad one."""
    runner = CliRunner()
    good = runner.invoke(main, ["validate", str(shapes_dir / "control.csv"), "--layer",
                                "control"])
    assert good.exit_code == 0
    assert "5 of 5 control rows valid" in good.stdout
    bad = write_csv(tmp_path / "m.csv", ["name", "lon", "lat"],
                    [("ok", "29.1", "-1.5"), ("swapped", "-1.5", "29.1")])
    result = runner.invoke(main, ["validate", str(bad), "--layer", "mines"])
    assert result.exit_code == 1
    assert "row 2" in result.stdout
    assert "swapped" in result.stdout


@pytest.mark.parametrize(("args", "code"), [
    (["--layer", "control"], 0),
    ([], 2),
    (["--layer", "control", "--column", "nolayer"], 2),
    (["--layer", "rivers"], 2),
], ids=["good", "no-layer", "bad-column", "unknown-layer"])
def test_validate_exit_codes(shapes_dir: Path, args, code):
    """`geomap validate`: 0 when no row is rejected, 2 for bad usage."""
    result = CliRunner().invoke(main, ["validate", str(shapes_dir / "control.csv"),
                                       *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


def test_validate_row_numbers_count_data_rows(tmp_path: Path):
    """Row 1 is the first row under the header (line 2); the bad latitude is named."""
    path = tmp_path / "m.csv"
    path.write_text("name,lon,lat\nfirst,29.1,-1.5\nsecond,29.1,north\n")
    result = CliRunner().invoke(main, ["validate", str(path), "--layer", "mines"])
    assert result.exit_code == 1
    assert "row 2, lat = 'north': rejected, lat is not a number" in result.stdout
    assert "row 3" not in result.stdout


def test_validate_unreadable_file_is_one_line(tmp_path: Path):
    """An empty file given to `geomap validate` exits 1 with one line."""
    path = tmp_path / "empty.csv"
    path.touch()
    result = CliRunner().invoke(main, ["validate", str(path), "--layer", "control"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "the file is empty" in lines[0]


def test_config_file_names_inputs_and_date(shapes_dir: Path, tmp_path: Path):
    """A geomap.toml rebuilds the same report; the command line overrides it."""
    config = tmp_path / "geomap.toml"
    config.write_text(f'title = "Test"\ndate = "2025-01-26"\nout = "built"\n'
                      f'shapes = "{shapes_dir.name}"\n')
    (tmp_path / shapes_dir.name).exists()
    code, _, stderr = _build("--config", str(config), "--outputs", "tables")
    assert code == 0, stderr
    areas = pd.read_csv(tmp_path / "built" / "summary_areas.csv").set_index("place")
    assert areas.loc["alpha", "actor"] == "fardc"
    assert _build("--config", str(config), "--date", "2025-03-01",
                  "--outputs", "tables")[0] == 0
    areas = pd.read_csv(tmp_path / "built" / "summary_areas.csv").set_index("place")
    assert areas.loc["alpha", "actor"] == "m23"


def test_version():
    """`geomap --version` prints the package version, which ``geomap.__version__``
    looks up when asked."""
    from importlib.metadata import version

    import geomap

    assert geomap.__version__ == version("geomap")
    result = CliRunner().invoke(main, ["--version"])
    assert version("geomap") in result.stdout
    assert result.exit_code == 0
    assert "version" in result.stdout


def test_a_layer_with_every_row_rejected_stops(shapes_dir: Path, tmp_path: Path):
    """Control dates written DD/MM/YYYY reject every row: exit 1, reason and fix."""
    control = write_csv(tmp_path / "c.csv", ["area", "actor", "start"],
                        [("alpha", "m23", "31/12/2024"), ("bravo", "m23", "15/01/2025")])
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--control", str(control),
                             "--out", str(tmp_path / "o"))
    assert code == 1
    assert "Traceback" not in stderr
    assert "Every row of the control file 'c.csv' was rejected" in stderr
    assert "rows 1, 2" in stderr
    assert "YYYY-MM-DD" in stderr


def test_a_named_shapes_folder_must_hold_the_data(shapes_dir: Path, tmp_path: Path):
    """--shapes-dir pointing at the wrong folder is an error, never passed over."""
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, stderr = _build("--shapes-dir", str(empty), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "lacks" in stderr
    assert "control.csv" in stderr


def test_changes_count_people_in_places_gained(compared: Path):
    """--compare adds people displaced per changed place and per gaining actor."""
    out = compared
    changes = pd.read_csv(out / "changes.csv").set_index("place")
    assert changes.loc["alpha", "people"] == 300  # alpha's figure, with its date
    assert changes.loc["alpha", "people_as_of"] == "2025-01-20"
    assert changes.loc["alpha", "changed_on"] == "2025-01-27"
    assert pd.isna(changes.loc["charlie", "people"])  # no figure: empty, not 0
    actors = pd.read_csv(out / "summary_actors.csv").set_index("actor")
    # the figure predates M23's capture of alpha: it is not M23's to count
    assert pd.isna(actors.loc["m23", "people_in_places_gained"])


@pytest.mark.parametrize(("content", "fragment"), [
    ('title = "unclosed\n', "Cannot read config"),
    ('colour = "red"\n', "Unknown key(s) ['colour']"),
    ('engine = "spark"\n', "'pandas' or 'dask'"),
    ('window = 0\n', "whole number of days"),
], ids=["syntax", "unknown-key", "engine", "window"])
def test_malformed_config_is_bad_usage(tmp_path: Path, content: str, fragment: str):
    """A bad geomap.toml exits 2 with the reason, before any file is read."""
    config = tmp_path / "geomap.toml"
    config.write_text(content)
    code, _, stderr = _build("--config", str(config))
    assert code == 2
    assert fragment in stderr
    assert "Traceback" not in stderr


def test_mines_count_for_the_holder_of_their_town_first(shapes_dir: Path, tmp_path: Path):
    """A mine near a town counts for the town's holder, not for the area around it."""
    write_csv(shapes_dir / "control.csv", ["area", "actor", "start"], [
        ("T01", "fardc", "2024-01-01"), ("alpha", "m23", "2024-06-01"),
        ("T02", "wazalendo", "2024-01-01")])
    out = tmp_path / "o"
    code, _, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                             "--date", "2025-01-01", "--outputs", "tables")
    assert code == 0, stderr
    actors = pd.read_csv(out / "summary_actors.csv").set_index("actor")
    assert actors.loc["m23", "mines"] == 1  # m1, 2 km from alpha, inside T01
    assert actors.loc["m23", "mines_by_mineral"] == "cassiterite: 1; coltan: 1"
    assert actors.loc["wazalendo", "mines"] == 1  # m2, far from any town, inside T02
    assert actors.loc["fardc", "mines"] == 0


def test_window_sums_registrations_over_the_last_days(shapes_dir: Path, tmp_path: Path):
    """--window keeps only registrations dated in the days before --date."""
    rows = write_csv(tmp_path / "r.csv", ["area", "people", "date"],
                     [("T01", "5", "2025-01-01"), ("T01", "7", "2025-01-25")])
    for window, expected in ((None, 12), ("10", 7)):
        out = tmp_path / f"o{window}"
        args = ["--shapes-dir", str(shapes_dir), "--displacement", str(rows), "--out",
                str(out), "--date", "2025-01-31", "--outputs", "tables",
                *(["--window", window] if window else [])]
        code, _, stderr = _build(*args)
        assert code == 0, stderr
        areas = pd.read_csv(out / "summary_areas.csv").set_index("place")
        assert areas.loc["T01", "people"] == expected



@pytest.mark.parametrize(("option", "value"), [
    ("--title", "bad \udcff title"), ("--set", "control.source=x\udcff")])
def test_an_option_that_is_not_text_is_bad_usage(tmp_path: Path, option: str,
                                                 value: str):
    """Bytes the system could not decode (a lone surrogate in argv) would reach the
    UTF-8 outputs: exit 2, one line naming the option, nothing written (it raised
    UnicodeEncodeError)."""
    out = tmp_path / "out"
    code, _, stderr = _build(option, value, "--out", str(out))
    assert code == 2
    assert f"Invalid value for {option}: 'bad \\udcff title'" in stderr or \
        option == "--set"
    assert "not UTF-8 text" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
