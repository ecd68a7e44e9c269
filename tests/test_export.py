"""Writing outputs: staged then moved, old geomap outputs removed, others kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.errors import GeomapError, OutputError
from geomap.export.staging import OUTPUT_NAMES, staged_outputs


def _write(folder: Path, *names: str) -> None:
    """Write a small text file for each name (subfolders made as needed)."""
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"old {name}\n")


def test_outputs_this_build_did_not_write_are_removed(tmp_path: Path):
    """An earlier build's changes.csv, density and layer files do not outlive it."""
    out = tmp_path / "out"
    _write(out, "map.html", "changes.csv", "displacement_density.tif",
           "layers/admin.geojson", "layers/changes.geojson")
    with staged_outputs(out) as staging:
        _write(staging, "map.html", "layers/admin.geojson")
        (staging / "map.html").write_text("new map.html\n")
    assert (out / "map.html").read_text() == "new map.html\n"  # rewritten by this build
    assert (out / "layers" / "admin.geojson").exists()
    for stale in ("changes.csv", "displacement_density.tif", "layers/changes.geojson"):
        assert not (out / stale).exists(), stale


def test_files_of_the_user_are_kept(tmp_path: Path):
    """Only geomap's own output names are removed; anything else stays."""
    out = tmp_path / "out"
    keep = ("notes.txt", "changes_2024.csv", "map.html.bak", "layers/README.md",
            "archive/changes.csv", "archive/map.html")
    _write(out, *keep, "changes.csv")
    with staged_outputs(out) as staging:
        _write(staging, "map.html")
    for name in keep:
        assert (out / name).read_text() == f"old {name}\n", name
    assert not (out / "changes.csv").exists()


def test_failed_build_removes_nothing(tmp_path: Path):
    """When the build fails, every earlier output stays, stale or not."""
    out = tmp_path / "out"
    _write(out, *OUTPUT_NAMES)

    def build() -> None:
        with staged_outputs(out) as staging:
            _write(staging, "map.html")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        build()
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_NAMES)


def test_unusable_output_folder_is_one_line_with_the_fix(tmp_path: Path):
    """A folder that cannot be made raises OutputError naming it and --out."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    out = blocker / "out"
    with pytest.raises(OutputError) as caught, staged_outputs(out):
        pass
    message = str(caught.value)
    assert isinstance(caught.value, GeomapError)
    assert isinstance(caught.value, OSError)
    assert f"Cannot create or write the output folder '{out}'" in message
    assert "--out" in message
    assert "\n" not in message


def test_output_path_that_is_a_file_is_named(tmp_path: Path):
    """An output 'folder' that is a file says a file is in the way."""
    out = tmp_path / "outputs"
    out.write_text("I am a file")
    with pytest.raises(OutputError, match="a file of that name is in the way"), \
            staged_outputs(out):
        pass
    assert out.read_text() == "I am a file"
