"""Every file of a build: reported paths, and byte-identical outputs for equal inputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from geomap.config import BuildConfig
from geomap.pipeline import run

EXPORTS = ("layers/admin.geojson", "layers/towns.geojson", "layers/mines.geojson",
           "layers/control.geojson", "layers/displacement.geojson", "geomap.gpkg",
           "geomap.qgz", "map.png", "map.pdf", "map.svg", "report.html")


def _digests(out: Path, paths: list[Path]) -> dict[str, str]:
    """sha256 of each written file, keyed by its path inside *out*."""
    return {path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in paths}


def test_two_builds_give_identical_files(shapes_dir: Path, tmp_path: Path) -> None:
    """Two builds into different folders write the same bytes for every file."""
    config = {"date": pd.Timestamp("2025-03-01"), "compare": pd.Timestamp("2025-01-01"),
              "shapes_dir": shapes_dir}
    first = run(BuildConfig(out_dir=tmp_path / "one", **config))
    second = run(BuildConfig(out_dir=tmp_path / "two", **config))
    one = _digests(tmp_path / "one", first.paths)
    two = _digests(tmp_path / "two", second.paths)
    assert set(EXPORTS) <= set(one)
    assert one == two, [name for name in one if one[name] != two.get(name)]


def test_paths_keep_their_subfolder(shapes_dir: Path, tmp_path: Path) -> None:
    """Reported paths point at the files where they are, layers/ included."""
    out = tmp_path / "out"
    result = run(BuildConfig(date=pd.Timestamp("2025-03-01"), shapes_dir=shapes_dir,
                             out_dir=out))
    assert out / "layers" / "admin.geojson" in result.paths
    assert all(path.is_file() for path in result.paths)
    assert not list(out.glob(".geomap-staging-*"))


def test_rebuild_replaces_exports_in_place(shapes_dir: Path, tmp_path: Path) -> None:
    """A second build into the same folder overwrites the exports with the new date."""
    out = tmp_path / "out"
    run(BuildConfig(date=pd.Timestamp("2025-03-01"), shapes_dir=shapes_dir, out_dir=out))
    run(BuildConfig(date=pd.Timestamp("2025-01-10"), shapes_dir=shapes_dir, out_dir=out))
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Control as of <b>2025-01-10</b>" in report
    assert '"as_of":"2025-01-10"' in (out / "layers" / "admin.geojson").read_text(
        encoding="utf-8")
