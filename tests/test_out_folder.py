"""`geomap build --out DIR`: folders refused, the user's files kept, one line each time."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.config import check_out_dir, read_config
from geomap.errors import ConfigError
from geomap.export.staging import claim_output_folder, staged_outputs


def _build(*args: str) -> tuple[int, str]:
    """Run `geomap build --quiet` and return the exit code and stderr."""
    result = CliRunner().invoke(main, ["build", "--quiet", *args])
    return result.exit_code, result.stderr


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every plain file below *folder* (links not followed) and its bytes."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink()}


@pytest.mark.parametrize(("out", "fragment"), [
    ("/", "the root of the file system"),
    ("~", "your home folder"),
    ("..", "the current folder or one of its parents"),
    (".", "the current folder or one of its parents"),
    ("", "names no output folder"),
    ("   ", "names no output folder"),
], ids=["root", "home", "parent", "here", "empty", "blank"])
def test_out_folders_that_hold_more_than_outputs_are_refused(out: str, fragment: str):
    """/, ~, .., . and nothing are refused before anything is written."""
    with pytest.raises(ConfigError, match=fragment) as caught:
        check_out_dir(out)
    assert "\n" not in str(caught.value)


def test_a_subfolder_of_home_or_here_is_accepted(tmp_path: Path):
    """~/reports/kivu expands; a folder below the current one is fine."""
    assert check_out_dir("~/reports/kivu") == Path.home() / "reports" / "kivu"
    assert check_out_dir("outputs") == Path("outputs")
    assert check_out_dir("report", base=tmp_path) == tmp_path / "report"


@pytest.mark.parametrize(("value", "fragment"), [
    ('"/"', "the root of the file system"),
    ('".."', "the folder of the config file or one of its parents"),
    ('"."', "the folder of the config file or one of its parents"),
    ('""', "names no output folder"),
    ('"~"', "your home folder"),
    ("5", "names no output folder (got 5)"),
], ids=["root", "parent", "config-folder", "empty", "home", "number"])
def test_out_in_geomap_toml_is_checked(tmp_path: Path, value: str, fragment: str):
    """out = "/", "..", "" and "~" in geomap.toml are refused, not taken as they are."""
    config = tmp_path / "project" / "geomap.toml"
    config.parent.mkdir()
    config.write_text(f"out = {value}\n")
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        read_config(config)


def test_out_in_geomap_toml_is_taken_from_its_folder(tmp_path: Path):
    """A relative out is next to the config file; ~ is the home folder."""
    config = tmp_path / "geomap.toml"
    config.write_text('out = "report-2025"\n')
    assert read_config(config)["out_dir"] == tmp_path / "report-2025"
    config.write_text('out = "~/kivu-report"\n')
    assert read_config(config)["out_dir"] == Path.home() / "kivu-report"


@pytest.mark.parametrize("out", ["/", "..", "~"])
def test_cli_refuses_such_out_with_exit_2_and_one_line(out: str):
    """The command line says why in one line, exit 2, before reading anything."""
    code, stderr = _build("--out", os.path.expanduser(out))
    assert code == 2
    assert stderr.count("\n") == 1, stderr
    assert "give geomap a folder of its own" in stderr


def test_build_keeps_the_user_s_files(shapes_dir: Path, tmp_path: Path):
    """notes.txt and layers/roads.geojson stay byte-identical through a build."""
    out = tmp_path / "out"
    (out / "layers").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes\n")
    (out / "layers" / "roads.geojson").write_text('{"type": "FeatureCollection"}\n')
    before = _snapshot(out)
    code, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                          "--date", "2025-02-20", "--compare", "2024-12-01",
                          "--outputs", "map,tables,layers")
    assert code == 0, stderr
    after = _snapshot(out)
    assert {name: after[name] for name in before} == before
    assert {"changes.csv", "layers/admin.geojson", "map.html"} <= set(after)


def test_build_refuses_a_folder_with_the_user_s_changes_csv(shapes_dir: Path,
                                                           tmp_path: Path):
    """The user's changes.csv: exit 2, one line, every file as it was."""
    out = tmp_path / "out"
    (out / "layers").mkdir(parents=True)
    (out / "notes.txt").write_text("my notes\n")
    (out / "changes.csv").write_text("place,when\nGoma,2025-01-27\n")
    (out / "layers" / "roads.geojson").write_text("{}\n")
    before = _snapshot(out)
    code, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out))
    assert code == 2
    assert stderr.count("\n") == 1, stderr
    assert "changes.csv" in stderr
    assert "Traceback" not in stderr
    after = _snapshot(out)
    after.pop(".geomap.lock")
    assert after == before


def test_build_refuses_a_linked_layers_folder(shapes_dir: Path, tmp_path: Path):
    """layers/ linking to another folder: refused, that folder untouched."""
    elsewhere = tmp_path / "gis"
    elsewhere.mkdir()
    (elsewhere / "roads.geojson").write_text("{}\n")
    (elsewhere / "admin.geojson").write_text("my admin\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "layers").symlink_to(elsewhere, target_is_directory=True)
    before = _snapshot(elsewhere)
    code, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out))
    assert code == 2
    assert "layers/" in stderr
    assert _snapshot(elsewhere) == before
    assert not (out / "map.html").exists()


def test_build_in_a_folder_another_build_holds_fails_with_one_line(
        shapes_dir: Path, tmp_path: Path):
    """A second build stops at once with exit 1 and says which folder is busy."""
    out = tmp_path / "out"
    with claim_output_folder(out):
        code, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out))
    assert code == 1
    assert stderr.count("\n") == 1, stderr
    assert "Another geomap build is writing to" in stderr


def test_a_full_disk_while_writing_the_print_map_is_one_line(
        shapes_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """OSError 28 from the print map: exit 1, one line, the previous outputs kept
    (the new map.html, written beside the print map, is not put in their place)."""
    out = tmp_path / "out"
    with staged_outputs(out) as staging:  # a previous set
        (staging / "map.html").write_text("previous map\n")
    before = _snapshot(out)

    def full(folder: Path, *_, **__) -> list[Path]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "map.png"))

    monkeypatch.setattr("geomap.export.print_map.write_printed", full)
    code, stderr = _build("--shapes-dir", str(shapes_dir), "--out", str(out),
                          "--outputs", "map,print")
    assert code == 1
    assert stderr.startswith("Error: The disk is full")
    assert stderr.count("\n") == 1, stderr
    assert _snapshot(out) == before


@pytest.mark.parametrize("where", ["shapes", "input", "parent"])
def test_an_out_folder_holding_the_build_s_inputs_is_refused(
        shapes_dir: Path, tmp_path: Path, where: str):
    """--out naming the shapes folder, the folder of an input file or a parent of
    either: exit 2, one line, nothing written among the inputs (it wrote there)."""
    data = tmp_path / "data"
    data.mkdir()
    table = data / "registrations.csv"
    table.write_bytes((shapes_dir / "displacement.csv").read_bytes())
    out = {"shapes": shapes_dir, "input": data, "parent": tmp_path}[where]
    before = {folder: _snapshot(folder) for folder in (shapes_dir, data)}
    code, stderr = _build("--shapes-dir", str(shapes_dir), "--displacement", str(table),
                          "--out", str(out), "--date", "2025-02-20")
    assert code == 2, stderr
    assert "give geomap a folder of its own" in stderr
    assert stderr.count("\n") == 1, stderr
    assert {folder: _snapshot(folder) for folder in (shapes_dir, data)} == before


def test_a_config_file_that_is_not_text_is_bad_usage(tmp_path: Path):
    """A geomap.toml of binary bytes: exit 2 and one line (it raised a traceback)."""
    config = tmp_path / "geomap.toml"
    config.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        read_config(config)
    code, stderr = _build("--config", str(config), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "not UTF-8 text" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out").exists()
