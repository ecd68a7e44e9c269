"""Shared fixtures: a small synthetic Kivu built in code (fake P-codes near Goma)."""

from __future__ import annotations

import csv
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

REPO = Path(__file__).resolve().parents[1]
SHARED_REAL = REPO.parent / "shared" / "data" / "real"

TOWNS = [
    # town_id, name, lon, lat, pcode, province
    ("alpha", "Alpha", 29.10, -1.50, "", "P1"),
    ("bravo", "Bravo", 29.40, -1.50, "", "P1"),
    ("charlie", "Charlie-centre", 29.10, -1.80, "", "P1"),
]
CONTROL = [
    # area, actor, start, end, confidence
    ("alpha", "fardc", "", "2025-01-27", "assessed"),
    ("alpha", "m23", "2025-01-27", "", "assessed"),
    ("bravo", "fardc", "", "2025-06-01", "assessed"),  # held until then
    ("charlie", "m23", "2025-02", "", "claimed"),
    ("T02", "m23", "2025-01-01", "", "assessed"),
]
DISPLACEMENT = [
    # area, people, date, assessment
    ("T01", "1000", "2024-10-01", "r1"),
    ("T01", "1500", "2025-01-15", "r2"),
    ("Territoire de Tango", "700", "2025-01-15", "r2"),
    ("alpha", "300", "2025-01-20", "r2"),
]


def spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str,
        note: Callable[..., object]) -> list:
    """Replace ``owner.name`` by itself noting ``note(*args)`` of every call; return
    the notes, filled as the calls come."""
    notes, real = [], getattr(owner, name)

    def noted(*args, **kwargs):
        notes.append(note(*args))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, noted)
    return notes


def write_csv(path: Path, header: list[str], rows: list[tuple]) -> Path:
    """Write a small CSV fixture."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def admin() -> gpd.GeoDataFrame:
    """Two territories (T01 west 'Sierra', T02 east 'Tango') sharing a border at 29.25."""
    return synthetic_admin()


def synthetic_admin() -> gpd.GeoDataFrame:
    """The two territories of :func:`admin`, for fixtures of a wider scope."""
    return gpd.GeoDataFrame(
        {"pcode": ["T01", "T02"], "name": ["Sierra", "Tango"], "level": [2, 2],
         "parent_pcode": ["P1", "P1"], "source": ["test", "test"]},
        geometry=[box(29.0, -2.0, 29.25, -1.3), box(29.25, -2.0, 29.5, -1.3)],
        crs="EPSG:4326")


@pytest.fixture
def shapes_dir(tmp_path: Path, admin: gpd.GeoDataFrame) -> Path:
    """A complete bundled-data folder of synthetic layers."""
    return write_shapes(tmp_path / "shapes", admin)


def write_shapes(folder: Path, admin: gpd.GeoDataFrame) -> Path:
    """Write the synthetic layers into a new *folder* (for module-scoped fixtures)."""
    folder.mkdir()
    admin.to_file(folder / "admin.geojson", driver="GeoJSON")
    write_csv(folder / "towns.csv",
              ["town_id", "name", "lon", "lat", "pcode", "province_pcode", "source", "url"],
              [(*town, "test", "https://example.org/towns") for town in TOWNS])
    write_csv(folder / "mines.csv",
              ["site_id", "name", "minerals", "lon", "lat", "source", "url"],
              [("m1", "Mine one", "coltan;cassiterite", 29.12, -1.52, "test", ""),
               ("m2", "Mine two", "gold", 29.45, -1.9, "test", "")])
    write_csv(folder / "control.csv",
              ["area", "actor", "start", "end", "confidence", "source", "url", "note"],
              [(*row, "test", "https://example.org/control", "") for row in CONTROL])
    write_csv(folder / "displacement.csv",
              ["area", "people", "date", "assessment", "source"],
              [(*row, "test") for row in DISPLACEMENT])
    return folder


@pytest.fixture(scope="session")
def bundled():
    """The repository's own shapes/ layers, loaded once per test session.

    Tests that need the bundled record call the stage functions on these layers
    instead of building; they must not change them.
    """
    import pandas as pd

    from geomap.config import BuildConfig
    from geomap.pipeline import load_layers

    if not (REPO / "shapes" / "control.csv").exists():
        pytest.skip("the bundled shapes/ folder is not in this checkout")
    return load_layers(BuildConfig(date=pd.Timestamp("2026-03-01"),
                                   shapes_dir=REPO / "shapes"))


def place_of(layers, town_id: str) -> str:
    """The place key of a town: its own id, or the P-code of the ville it is."""
    places = layers.places
    hits = places.loc[(places["place"] == town_id)
                      | places["aliases"].map(lambda names: town_id in names)]
    assert len(hits) == 1, (town_id, hits["place"].tolist())
    return hits["place"].iloc[0]


def shared_once(factory: pytest.TempPathFactory, name: str,
                make: Callable[[Path], object]) -> object:
    """``make(folder)`` run once per test session, its value and files shared.

    Under pytest-xdist every worker process has its own session fixtures, so a build
    behind one would run once per worker; here the first worker to ask runs *make*
    in a folder beside the workers' own, under a file lock, and pickles its value;
    the others wait for the lock and read the same folder and value. Tests must only
    read what *make* wrote. Without xdist (or without ``fcntl``) it runs once here.
    """
    try:
        import fcntl
    except ImportError:  # no file lock: each worker makes its own
        fcntl = None
    root = factory.getbasetemp()
    if fcntl is not None and os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder: shared by its workers, and only them
    folder, done = root / f"shared-{name}", root / f"shared-{name}.pickle"
    with (root / f"shared-{name}.lock").open("w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.exists():
            if folder.exists():  # a worker failed half-way: start again
                shutil.rmtree(folder)
            folder.mkdir()
            value = make(folder)
            done.write_bytes(pickle.dumps(value))
        return pickle.loads(done.read_bytes())


GIS_TITLE = "Kivu test map [% 1 + 1 %] <b>not bold</b>"
"""A build title that a template or QGIS expression would change, shown as written."""


@pytest.fixture(scope="session")
def gis_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one build of the synthetic layers, shared by the session.

    Built as of 2025-03-01 with changes since 2025-01-01, on the repository's base
    map (countries and lakes) when it is there, from the layers in its sibling folder
    ``shapes``. Tests read it, never write into it.
    """
    import pandas as pd

    from geomap.config import BuildConfig
    from geomap.pipeline import run

    def make(root: Path) -> Path:
        shapes = write_shapes(root / "shapes", synthetic_admin())
        if (REPO / "shapes" / "context").is_dir():  # countries and lakes, public domain
            shutil.copytree(REPO / "shapes" / "context", shapes / "context")
        run(BuildConfig(date=pd.Timestamp("2025-03-01"), shapes_dir=shapes,
                        out_dir=root / "out", title=GIS_TITLE,
                        compare=pd.Timestamp("2025-01-01")))
        return root / "out"

    return shared_once(tmp_path_factory, "gis_build", make)


SYNTHETIC_DATE = "2025-03-01"


@pytest.fixture(scope="session")
def synthetic_run(tmp_path_factory: pytest.TempPathFactory):
    """One build of the synthetic layers as of 2025-03-01 with no options.

    Returns ``(result, out folder)``, shared by the session (one build for all workers).
    Tests only read it; a test that needs other inputs or changes files builds or
    copies on its own.
    """
    import pandas as pd

    from geomap.config import BuildConfig
    from geomap.pipeline import run

    def make(root: Path) -> tuple:
        shapes = write_shapes(root / "shapes", synthetic_admin())
        result = run(BuildConfig(date=pd.Timestamp(SYNTHETIC_DATE), shapes_dir=shapes,
                                 out_dir=root / "out"))
        return result, root / "out"

    return shared_once(tmp_path_factory, "synthetic_build", make)


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory: pytest.TempPathFactory):
    """One whole build of the repository's own shapes/ as of 20 Feb 2025, changes
    since 31 Dec 2024 (no figure is bundled for Goma then, and Sud-Kivu's first is
    dated 28 Feb 2025).

    Writes what its tests read (the page, tables, GeoJSON layers, GeoPackage and
    report), not the print map or the density grid: those are tested on the synthetic
    builds, and the print map alone costs a third of this build.

    Returns ``(result, out folder)``, shared by the session (one build for all
    workers); tests only read it.
    """
    import pandas as pd

    from geomap.config import BuildConfig
    from geomap.pipeline import run

    if not (REPO / "shapes" / "control.csv").exists():
        pytest.skip("the bundled shapes/ folder is not in this checkout")

    def make(root: Path) -> tuple:
        result = run(BuildConfig(date=pd.Timestamp("2025-02-20"),
                                 compare=pd.Timestamp("2024-12-31"),
                                 shapes_dir=REPO / "shapes", out_dir=root / "out",
                                 outputs=("map", "tables", "layers", "gpkg", "report")))
        return result, root / "out"

    return shared_once(tmp_path_factory, "bundled_build", make)


@pytest.fixture
def synthetic_out(synthetic_run) -> Path:
    """The output folder of :func:`synthetic_run` (read only)."""
    return synthetic_run[1]
