"""The output folder geomap owns: it removes only what it wrote, never follows a link."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from geomap.errors import GeomapError, OutputError, OutputExistsError
from geomap.export.manifest import MANIFEST, OUTPUT_PATHS, sha256_file
from geomap.export.staging import claim_output_folder, staged_outputs


def _write(folder: Path, *names: str, text: str = "old") -> None:
    """Write a small text file for each name (subfolders made as needed)."""
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{text} {name}\n")


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below *folder* (links not followed) and its bytes."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.is_symlink()}


def _build(out: Path, *names: str, text: str = "new") -> None:
    """A build that writes *names* into *out*."""
    with staged_outputs(out) as staging:
        _write(staging, *names, text=text)


def test_outputs_of_the_last_build_it_did_not_write_again_are_removed(tmp_path: Path):
    """An earlier build's changes.csv and density raster do not outlive it."""
    out = tmp_path / "out"
    _build(out, "map.html", "changes.csv", "displacement_density.tif",
           "layers/admin.geojson", "layers/control.geojson", text="first")
    _build(out, "map.html", "layers/admin.geojson", text="second")
    assert (out / "map.html").read_text() == "second map.html\n"
    assert (out / "layers" / "admin.geojson").read_text() == "second layers/admin.geojson\n"
    for stale in ("changes.csv", "displacement_density.tif", "layers/control.geojson"):
        assert not (out / stale).exists(), stale
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["files"] == {name: sha256_file(out / name)
                                 for name in ("layers/admin.geojson", "map.html")}
    assert not [p.name for p in out.iterdir() if p.name.startswith(".geomap-") and
                p.name not in (MANIFEST, ".geomap.lock")]


def test_files_of_the_user_stay_byte_identical(tmp_path: Path):
    """notes.txt, a layers/roads.geojson and look-alike names are never touched."""
    out = tmp_path / "out"
    keep = ("notes.txt", "changes_2024.csv", "map.html.bak", "layers/README.md",
            "layers/roads.geojson", "archive/changes.csv", "archive/map.html")
    _write(out, *keep)
    before = _snapshot(out)
    _build(out, "map.html", "layers/admin.geojson", text="first")
    _build(out, "summary_areas.csv", text="second")  # removes map.html and admin
    after = _snapshot(out)
    assert {name: after[name] for name in keep} == before
    assert set(after) - set(before) == {"summary_areas.csv", MANIFEST, ".geomap.lock"}


@pytest.mark.parametrize("names", [
    ("changes.csv",),
    ("displacement_density.tif", "notes.txt"),
    ("layers/roads.geojson", "layers/admin.geojson"),
], ids=["changes", "density", "layer"])
def test_a_user_file_under_an_output_name_is_refused(tmp_path: Path, names):
    """A folder holding the user's changes.csv is refused; every file stays as it was."""
    out = tmp_path / "out"
    _write(out, *names)
    before = _snapshot(out)
    with pytest.raises(OutputExistsError) as caught:
        _build(out, "map.html", "changes.csv", "layers/admin.geojson")
    message = str(caught.value)
    assert "\n" not in message
    assert "never replaces or removes them" in message
    assert "--out" in message
    assert next(n for n in names if n in OUTPUT_PATHS) in message
    assert "roads.geojson" not in message
    after = _snapshot(out)
    assert after.pop(".geomap.lock") is not None
    assert after == before


def test_an_output_changed_since_the_build_is_refused(tmp_path: Path):
    """summary_areas.csv edited and saved in a spreadsheet is the user's now."""
    out = tmp_path / "out"
    _build(out, "summary_areas.csv", "map.html", text="first")
    (out / "summary_areas.csv").write_text("my edits\n")
    with pytest.raises(OutputExistsError, match=r"summary_areas\.csv"):
        _build(out, "map.html", text="second")
    assert (out / "summary_areas.csv").read_text() == "my edits\n"
    assert (out / "map.html").read_text() == "first map.html\n"


def test_a_linked_layers_folder_is_refused_and_its_files_kept(tmp_path: Path):
    """layers/ linking to another folder: nothing there is written or removed."""
    elsewhere = tmp_path / "elsewhere"
    _write(elsewhere, "roads.geojson", "admin.geojson", "control.geojson")
    out = tmp_path / "out"
    _build(out, "map.html", text="first")
    (out / "layers").symlink_to(elsewhere, target_is_directory=True)
    before = _snapshot(elsewhere)
    with pytest.raises(OutputExistsError, match="layers/"):
        _build(out, "map.html", "layers/admin.geojson", text="second")
    assert _snapshot(elsewhere) == before
    assert (out / "map.html").read_text() == "first map.html\n"


def test_a_link_under_an_output_name_is_refused(tmp_path: Path):
    """map.html linking to a file outside: neither the link nor its target changes."""
    target = tmp_path / "precious.html"
    target.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "map.html").symlink_to(target)
    with pytest.raises(OutputExistsError, match=r"map\.html"):
        _build(out, "map.html")
    assert (out / "map.html").is_symlink()
    assert target.read_text() == "precious\n"


def test_a_forged_manifest_removes_nothing_outside(tmp_path: Path):
    """A manifest naming paths outside the folder, or other names, is not obeyed."""
    outside = tmp_path / "victim.txt"
    outside.write_text("victim\n")
    out = tmp_path / "out"
    _write(out, "notes.txt")
    files = {"../victim.txt": sha256_file(outside), str(outside): sha256_file(outside),
             "notes.txt": sha256_file(out / "notes.txt")}
    (out / MANIFEST).write_text(json.dumps({"build": "0" * 16, "files": files}))
    _build(out, "map.html")
    assert outside.read_text() == "victim\n"
    assert (out / "notes.txt").read_text() == "old notes.txt\n"


def test_failed_build_changes_nothing_and_leaves_no_staging(tmp_path: Path):
    """When the build fails, every earlier output stays, stale or not."""
    out = tmp_path / "out"
    _build(out, "map.html", "changes.csv", "layers/admin.geojson", text="first")
    before = _snapshot(out)

    def build() -> None:
        with staged_outputs(out) as staging:
            _write(staging, "map.html")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        build()
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        MANIFEST, ".geomap.lock"]


def test_a_full_disk_is_one_line_and_changes_nothing(tmp_path: Path):
    """OSError 28 from a writer becomes one OutputError line; the previous set stays."""
    out = tmp_path / "out"
    _build(out, "map.html", text="first")
    before = _snapshot(out)

    def build() -> None:
        with staged_outputs(out) as staging:
            _write(staging, "map.html")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC),
                          str(staging / "map.png"))

    with pytest.raises(OutputError) as caught:
        build()
    message = str(caught.value)
    assert message.startswith("The disk is full")
    assert "previous outputs are unchanged" in message
    assert "\n" not in message
    assert _snapshot(out) == before


def test_a_second_build_in_a_locked_folder_fails_with_one_line(tmp_path: Path):
    """While one build holds the folder, another stops at once and says why."""
    out = tmp_path / "out"
    with claim_output_folder(out):
        with pytest.raises(OutputError) as caught, claim_output_folder(out):
            pass
        assert "Another geomap build is writing to" in str(caught.value)
        assert f"(process {os.getpid()})" in str(caught.value)
    with claim_output_folder(out):  # released on exit
        pass


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
