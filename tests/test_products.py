"""Every file of a build: reported paths, and byte-identical outputs for equal inputs."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd

from geomap.config import BuildConfig
from geomap.pipeline import run

from .conftest import GIS_TITLE

EXPORTS = ("layers/admin.geojson", "layers/towns.geojson", "layers/mines.geojson",
           "layers/control.geojson", "layers/displacement.geojson", "geomap.gpkg",
           "geomap.qgz", "map.png", "map.pdf", "map.svg", "report.html")


def _digests(out: Path, paths: list[Path]) -> dict[str, str]:
    """sha256 of each written file, keyed by its path inside *out*."""
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in paths}


def _outputs(out: Path) -> list[Path]:
    """The files of a build's output folder, geomap's own bookkeeping left out."""
    return [path for path in out.rglob("*")
            if path.is_file() and not path.name.startswith(".geomap")]


def test_two_builds_give_identical_files(gis_build: Path, tmp_path: Path) -> None:
    """Two builds into different folders (and processes) write the same bytes for
    every file: the session's build of the synthetic layers with its base map, hostile
    title and --compare, and the same build again here."""
    again = run(BuildConfig(date=pd.Timestamp("2025-03-01"),
                            compare=pd.Timestamp("2025-01-01"), title=GIS_TITLE,
                            shapes_dir=gis_build.parent / "shapes",
                            out_dir=tmp_path / "two"))
    one = _digests(gis_build, _outputs(gis_build))
    two = _digests(tmp_path / "two", again.paths)
    assert set(EXPORTS) <= set(one)
    assert sorted(again.paths) == sorted(_outputs(tmp_path / "two"))
    assert one == two, [name for name in one if one[name] != two.get(name)]


def test_paths_keep_their_subfolder(synthetic_run) -> None:
    """Reported paths point at the files where they are, layers/ included."""
    result, out = synthetic_run
    assert out / "layers" / "admin.geojson" in result.paths
    assert all(path.is_file() for path in result.paths)
    assert sorted(result.paths) == sorted(_outputs(out))
    assert not list(out.glob(".geomap-staging-*"))


def test_rebuild_replaces_exports_in_place(synthetic_out: Path, shapes_dir: Path,
                                           tmp_path: Path) -> None:
    """A second build into the same folder overwrites the exports with the new date.

    The first build is the session's (as of 2025-03-01), copied with geomap's own
    bookkeeping files, as if it had been written here; the second writes the groups
    checked here (the print map would double its time and is checked elsewhere)."""
    out = tmp_path / "out"
    shutil.copytree(synthetic_out, out)
    assert "Control as of <b>2025-03-01</b>" in (out / "report.html").read_text(
        encoding="utf-8")
    run(BuildConfig(date=pd.Timestamp("2025-01-10"), shapes_dir=shapes_dir, out_dir=out,
                    outputs=("layers", "report")))
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Control as of <b>2025-01-10</b>" in report
    assert '"as_of":"2025-01-10"' in (out / "layers" / "admin.geojson").read_text(
        encoding="utf-8")
