"""The GeoPackage and the QGIS project opened by the real clients: QGIS and GDAL.

QGIS runs once per session, headless, in its own Python (``qgis_probe.py``), on a
copy of one build of the synthetic layers; it reports what it found as JSON, renders
the project to a PNG and exports the print layout to PDF. Skipped with the reason
where QGIS (python3-qgis), GDAL's ``ogrinfo`` or poppler's ``pdftotext`` is not
installed (``.ci/run`` installs them). ``GEOMAP_QGIS_PYTHON`` names another Python
with ``qgis.core``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pyogrio
import pytest

from geomap.actors import ACTORS, NO_DATA_COLOR

from .conftest import CONTROL, GIS_TITLE, REPO

QGIS_PYTHON = os.environ.get("GEOMAP_QGIS_PYTHON", "/usr/bin/python3")
PROBE = Path(__file__).with_name("qgis_probe.py")
AS_OF = "2025-03-01"
CONTEXT = (REPO / "shapes" / "context").is_dir()
"""Whether the build had the repository's base map (countries and lakes)."""
TREE = [["Control records (dated, for the time controller)",
         ["Control records: towns", "Control records: areas"]],
        "Mining sites", "Control: towns", "Changed hands since 1 January 2025",
        "People displaced", *(["Lakes"] if CONTEXT else []), "Control: areas",
        "Admin boundaries", *(["Countries"] if CONTEXT else []),
        ["Tables", ["Summary per place", "Summary per actor", "Join report",
                    "Rejected rows", "Sources and licences"]]]
RENDERERS = {"mines": "singleSymbol", "displacement": "graduatedSymbol",
             "towns": "categorizedSymbol", "admin": "categorizedSymbol",
             "control_places": "categorizedSymbol", "control_areas": "categorizedSymbol",
             "changes": "singleSymbol",
             **({"context_countries": "singleSymbol", "context_lakes": "singleSymbol"}
                if CONTEXT else {})}


def _qgis_missing() -> str | None:
    """Why QGIS cannot be run here, or None when it can."""
    if not Path(QGIS_PYTHON).exists():
        return f"no Python at {QGIS_PYTHON} (set GEOMAP_QGIS_PYTHON)"
    probe = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           check=False)
    if probe.returncode:
        return "QGIS's Python bindings (python3-qgis) are not installed"
    return None


QGIS_MISSING = _qgis_missing()
needs_qgis = pytest.mark.skipif(QGIS_MISSING is not None, reason=QGIS_MISSING or "")


@pytest.fixture(scope="session")
def bundle(gis_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the build's GeoPackage and project (QGIS may touch what it opens)."""
    folder = tmp_path_factory.mktemp("qgis")
    for name in ("geomap.gpkg", "geomap.qgz"):
        shutil.copy2(gis_build / name, folder / name)
    return folder


@pytest.fixture(scope="session")
def qgis(bundle: Path) -> dict:
    """What QGIS reports after opening, rendering and exporting the bundle."""
    if QGIS_MISSING:
        pytest.skip(QGIS_MISSING)
    out = bundle / "qgis"
    out.mkdir()
    done = subprocess.run(
        [QGIS_PYTHON, str(PROBE), str(bundle / "geomap.gpkg"),
         str(bundle / "geomap.qgz"), str(out)], capture_output=True, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=300, check=False,
        cwd=bundle)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stderr[-3000:]
    facts = json.loads(lines[-1].removeprefix("RESULT "))
    facts["stderr"] = done.stderr
    facts["out"] = str(out)
    return facts


@needs_qgis
def test_every_layer_opens_valid_typed_and_styled(qgis: dict, bundle: Path) -> None:
    """Each table QGIS opens from the GeoPackage has its default style and its rows."""
    layers = qgis["layers"]
    for table, layer in layers.items():
        assert layer["valid"], table
        assert layer["features"] == pyogrio.read_info(bundle / "geomap.gpkg",
                                                      layer=table)["features"], table
        assert layer["renderer"] == RENDERERS.get(table), table
        assert layer["aliases"], f"{table}: no field aliases applied"
    towns = layers["towns"]
    assert [value for value, _ in towns["categories"]][:2] == ["m23", "fardc"]
    assert ["contested", "Contested (claims by more than one actor)"] in \
        towns["categories"]
    assert towns["labelled"]
    assert towns["label_field"] == "name"
    assert towns["aliases"]["people"] == "People displaced"
    assert towns["fields"]["people"] == "Integer64"
    assert towns["fields"]["people_as_of"] == "Date"
    for table in ("control_areas", "control_places"):
        assert layers[table]["fields"]["start"] == layers[table]["fields"]["end"] == "Date"
    assert layers["control_areas"]["features"] + layers["control_places"][
        "features"] == len(CONTROL)
    assert layers["displacement"]["ranges"][0][2] == "≤ 93"  # 1,500 // 16


@needs_qgis
def test_layer_metadata_shows_in_qgis(qgis: dict) -> None:
    """Layer Properties → Metadata: title, abstract with the as-of date, sources."""
    for table in RENDERERS:
        layer = qgis["layers"][table]
        assert layer["title"], table
        assert layer["abstract"].endswith(f"As of {AS_OF}."), table
        assert layer["temporal_extent"] == [AS_OF], table
    assert qgis["layers"]["control_areas"]["links"] == ["https://example.org/control"]
    assert "https://example.org/towns" in qgis["layers"]["towns"]["links"]


@needs_qgis
def test_stored_sld_reads_in_qgis(qgis: dict) -> None:
    """QGIS reads each stored SLD; holders become one rule per actor and confidence."""
    assert set(qgis["sld"]) == set(RENDERERS)
    assert all(sld["ok"] for sld in qgis["sld"].values()), qgis["sld"]
    towns = qgis["sld"]["towns"]
    assert towns["renderer"] == "RuleRenderer"
    categories = len(qgis["layers"]["towns"]["categories"])
    # three confidences per holder and one else rule for no record (labels apart)
    assert towns["rules"] == 3 * (categories - 1) + 1


@needs_qgis
def test_project_opens_with_every_layer_valid(qgis: dict, bundle: Path) -> None:
    """The project's layers, order, paths, CRS, metadata and layout."""
    assert qgis["project_read"]
    assert qgis["tree"] == TREE
    layers = qgis["project_layers"].values()
    assert all(layer["valid"] for layer in layers)
    assert all(layer["source"].startswith(str(bundle / "geomap.gpkg")) for layer in
               layers), "relative paths resolve beside the project"
    counts = {layer["name"]: layer["features"] for layer in layers}
    assert counts["Control: towns"] == qgis["layers"]["towns"]["features"] == 3
    records = [layer for layer in layers if layer["name"].startswith("Control records")]
    assert all(layer["temporal"] and layer["temporal_fields"] == ["start", "end"]
               and not layer["visible"] for layer in records)
    project = qgis["project"]
    assert project["title"] == GIS_TITLE
    assert project["crs"] == "EPSG:32735"
    assert project["ellipsoid"] == "EPSG:7030"
    assert project["as_of"] == AS_OF
    assert f"As of {AS_OF}" in project["abstract"]
    assert project["absolute"] == 1  # Qgis.FilePathType.Relative
    assert project["links"] >= 2
    assert project["layouts"] == ["Print map"]
    assert {"title", "as_of", "map", "legend", "scalebar", "north", "sources",
            "footer"} <= set(qgis["items"])


@needs_qgis
def test_qgis_says_nothing_wrong(qgis: dict) -> None:
    """No font, projection or GDAL complaint while opening, drawing and exporting."""
    lines = [line for line in qgis["stderr"].splitlines()
             if line.strip() and "XDG_RUNTIME_DIR" not in line]
    assert lines == []


@needs_qgis
def test_project_renders_to_png(qgis: dict) -> None:
    """The drawn map has the holders' colours and the displacement circles."""
    from PIL import Image

    assert qgis["png"]
    image = Image.open(Path(qgis["out"]) / "qgis-project.png").convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    targets = {"m23": ACTORS["m23"].color, "fardc": ACTORS["fardc"].color,
               "base": NO_DATA_COLOR}
    near = {name: sum(count for count, rgb in colours if all(
        abs(a - int(target[i:i + 2], 16)) <= 12 for a, i in zip(rgb, (1, 3, 5),
                                                               strict=True)))
        for name, target in targets.items()}
    assert near["m23"] > 30, near
    assert near["fardc"] > 30, near
    assert near["base"] > 10_000, near  # areas without a record of their own


@needs_qgis
@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"),
                    reason="poppler-utils (pdftotext, pdftoppm) not installed")
def test_layout_exports_the_print_map_as_pdf(qgis: dict) -> None:
    """One A4 page with the print map's title, date, legend, sources and disclaimer."""
    assert qgis["pdf"] == 0  # QgsLayoutExporter.Success
    pdf = Path(qgis["out"]) / "layout.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split()).replace("\u200b", "")
    for words in ("Kivu test map [% 1 + 1 %] <b>not bold</b>",
                  "Control as of 1 March 2025", "Changes since 1 January 2025", "Control", "M23/AFC", "FARDC",
                  "Towns, coloured by who holds them", "Admin boundary",
                  "People displaced", "376 – 1,500", "Mining site", "Sources:",
                  "claimed, not confirmed", "do not imply official endorsement",
                  "EPSG:32735", "Who holds what", "M23/AFC: Towns 2, Areas 1"):
        assert words in flat, words
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout if shutil.which("pdfinfo") else "Pages: 1"
    assert "Pages:           1" in info or "Pages: 1" in info
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True)
    assert pdf.with_suffix(".png").stat().st_size > 10_000


@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="GDAL's ogrinfo not installed")
def test_ogrinfo_reads_every_layer_without_a_warning(bundle: Path) -> None:
    """The GDAL analysts run (3.6 here) lists every layer and warns about nothing."""
    done = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(bundle / "geomap.gpkg")],
                          capture_output=True, text=True, check=True)
    assert done.stderr.strip() == ""
    assert "Warning" not in done.stdout
    assert "ERROR" not in done.stdout
    listed = {line.split(": ", 1)[1] for line in done.stdout.splitlines()
              if line.startswith("Layer name: ")}
    assert {"admin", "towns", "mines", "control_areas", "control_places",
            "displacement", "summary_areas", "layer_styles"} <= listed
