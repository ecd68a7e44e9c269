"""Conformance on real public files (shared/data/real): loaders, traps, end to end.

Skipped, with the reason, when the folder of real files is absent. The expected
figures come from the folder's SOURCES.md and FACTS.md, not from geomap's output.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.errors import UnknownActorWarning
from geomap.join import attach_areas
from geomap.load.constants import fill_constants
from geomap.load.files import read_layer
from geomap.load.formats import ReadOptions
from geomap.load.publishers import detect_loader, read_publisher
from geomap.places import build_places, match_references
from geomap.sources.registry import SOURCES
from geomap.validate.checks import VALIDATORS

from .conftest import REPO, SHARED_REAL
from .publisher_files import ipis_csv

pytestmark = pytest.mark.data

COD_AB = SHARED_REAL / "ocha-codab-adm2-2017"
STEM = "cod_admbnda_adm2_rgc_20170711"
NATURAL_EARTH = SHARED_REAL / "natural-earth" / "ne_10m_admin1_cod.geojson"
IPIS = SHARED_REAL / "ipis"
PLACES = IPIS / "ipis_webmap_mine_and_tradepoint_names_2017.csv"
WOF = SHARED_REAL / "whosonfirst-geonames" / "wof_localities_eastern_drc.csv"


def _need(path: Path) -> Path:
    """Skip the test, saying why, when a real file is absent."""
    if not path.exists():
        pytest.skip(f"real data file {path.name} not found under shared/data/real")
    return path


@pytest.fixture(scope="module")
def cod_ab_zip(tmp_path_factory) -> Path:
    """The national COD-AB 2017 ADM2 shapefile parts, zipped as a publisher zip."""
    _need(COD_AB / f"{STEM}.shp")
    path = tmp_path_factory.mktemp("codab") / "cod_ab_cod_shp.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
            archive.write(COD_AB / f"{STEM}.{suffix}", f"{STEM}/{STEM}.{suffix}")
    return path


@pytest.fixture(scope="module")
def kivu_admin(cod_ab_zip) -> gpd.GeoDataFrame:
    """The Kivu territories of the zipped national file, validated."""
    raw = read_publisher("cod-ab", cod_ab_zip, ReadOptions(fmt="zip-shapefile", level=2))
    admin, rejects = VALIDATORS["admin"](raw)
    assert rejects.empty
    return admin


def _places(admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Places made of admin areas only (no towns)."""
    towns = gpd.GeoDataFrame({c: pd.Series(dtype="object") for c in (
        "town_id", "name", "pcode", "province_pcode")}, geometry=[], crs="EPSG:4326")
    return build_places(admin, towns)


def test_cod_ab_zip_keeps_exactly_the_24_kivu_areas(cod_ab_zip, kivu_admin):
    """Of 240 national territories and cities, the 24 of CD61 and CD62 remain."""
    assert detect_loader(cod_ab_zip) == ("cod-ab", "zip-shapefile")
    assert len(kivu_admin) == 24
    assert kivu_admin["pcode"].str.fullmatch(r"CD6[12]\d\d").all()
    assert (kivu_admin["pcode"].str.startswith("CD61")).sum() == 11
    assert "CD6106" not in set(kivu_admin["pcode"])
    assert (kivu_admin["parent_pcode"] == kivu_admin["pcode"].str.slice(0, 4)).all()


def test_cod_ab_oicha_is_beni_territory(kivu_admin):
    """CD6107 is published as 'Oicha' with ADM2ALT1FR 'Beni'; '<Null>' is missing."""
    by_pcode = kivu_admin.set_index("pcode")
    assert by_pcode.loc["CD6107", "name"] == "Oicha"
    assert by_pcode.loc["CD6107", "alt_name"] == "Beni"
    assert by_pcode["alt_name"].notna().sum() == 1


def test_joins_by_pcode_are_exact_and_duplicate_names_are_ambiguous(kivu_admin):
    """P-codes match exactly; Rutshuru, Shabunda and Uvira (territory and town) and
    Oicha/Oïcha are reported ambiguous, never guessed."""
    matches = match_references(pd.Series(["CD6111", "cd6112", "Rutshuru", "Shabunda",
                                          "Uvira", "Oïcha", "Walikale"]),
                               _places(kivu_admin))
    assert matches.loc["CD6111", "place"] == "CD6111"
    assert matches.loc["cd6112", "place"] == "CD6112"
    assert matches.loc["Walikale", ["place", "method"]].tolist() == ["CD6104", "name"]
    for name, codes in (("Rutshuru", ("CD6111", "CD6112")),
                        ("Shabunda", ("CD6203", "CD6204")),
                        ("Uvira", ("CD6208", "CD6209")), ("Oïcha", ("CD6107", "CD6108"))):
        assert matches.loc[name, "method"] == "ambiguous"
        assert pd.isna(matches.loc[name, "place"])
        assert all(code in matches.loc[name, "candidates"] for code in codes)


def test_natural_earth_keeps_exactly_the_two_kivus():
    """The 11 old provinces give Nord-Kivu and Sud-Kivu only."""
    path = _need(NATURAL_EARTH)
    loader, fmt = detect_loader(path)
    raw = read_publisher(loader, path, ReadOptions(fmt=fmt))
    admin, _ = VALIDATORS["admin"](raw)
    pairs = sorted(zip(admin["pcode"], admin["iso_3166_2"], strict=True))
    assert pairs == [("CD61", "CD-NK"), ("CD62", "CD-SK")]


def test_ipis_locations_map_kivu_sites_through_the_mines_loader(kivu_admin):
    """The place index loads as mines with a mapping; known sites fall in their
    territories. FACTS.md section F puts Mobale in CD6213 (Kamituga ville), but a
    direct point-in-polygon test puts it about 400 m outside that 12 km2 polygon, in
    CD6212 (Mwenga), as Lugushwa."""
    path = _need(PLACES)
    raw = read_layer(path, "mines", {"name": "name", "lon": "longitude",
                                     "lat": "latitude"})
    mines, rejects = VALIDATORS["mines"](raw)
    assert len(raw) == 2285
    assert len(mines) + rejects.loc[rejects["action"] == "rejected", "row"].nunique() \
        == len(raw)
    area = attach_areas(mines.geometry, kivu_admin)
    named = dict(zip(mines["name"], area, strict=True))
    assert named["luwowo"] == "CD6103"
    assert named["mobale"] == "CD6212"
    assert named["lugushwa (area)"] == "CD6212"
    assert 0 < area.notna().sum() < len(mines)


def test_ipis_place_index_keeps_kivu_mine_sites_not_trading_points():
    """Recognised as IPIS's index: trading points are left out, Kivu sites kept."""
    path = _need(PLACES)
    raw = read_publisher("ipis-places", path, ReadOptions(fmt="csv"))
    index = pd.read_csv(path, dtype=str)
    trading = set(index.loc[index["kind"] == "point_de_vente", "name"]) - set(
        index.loc[index["kind"] == "mine_site", "name"])
    assert trading
    assert not trading & set(raw["name"])
    assert len(raw) < (index["kind"] == "mine_site").sum()
    assert {"luwowo", "mobale", "bisie mpama"} <= set(raw["name"])
    assert raw["site_id"].is_unique


def test_ipis_armed_group_areas_load_as_control_polygons():
    """'Groupe armé' becomes the actor; the 29 zones keep their polygons once their
    date is given: undated, every zone is rejected instead of holding forever."""
    path = _need(IPIS / "ipis_armed_group_areas_2015.geojson")
    raw = read_layer(path, "control", {"actor": "Groupe armé"})
    with pytest.warns(UnknownActorWarning):
        undated, rejects = VALIDATORS["control"](raw)
    assert undated.empty
    assert rejects["row"].nunique() == 29
    assert rejects["reason"].str.contains("--set control.start=YYYY-MM-DD").all()
    raw = fill_constants(raw, {"start": "2015-09-14", "confidence": "claimed"},
                         layer="control")
    with pytest.warns(UnknownActorWarning):
        control, rejects = VALIDATORS["control"](raw)
    assert len(control) == 29
    assert set(control["confidence"]) == {"claimed"}
    assert "fdlr" in set(control["actor"])
    assert set(control.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert rejects.loc[rejects["action"] == "rejected"].empty


def test_ipis_source_column_in_capitals_is_the_source():
    """IPIS writes 'Source': read as the canonical source, so the GeoPackage gets one
    'source' field (two that differ only by case stopped the build)."""
    path = _need(IPIS / "ipis_armed_group_areas_2015.geojson")
    raw = read_layer(path, "control", {"actor": "Groupe armé"})
    assert "Source" not in raw.columns
    assert set(raw["source"]) == {"IPIS"}


def test_ipis_mining_title_outside_the_drc_is_rejected_with_a_reason():
    """Title 13214 lies outside the DRC: rejected, with the extent in the reason."""
    path = _need(IPIS / "ipis_mining_titles_cami_2016.geojson")
    raw = read_layer(path, "admin", {"pcode": "name", "name": "parties"})
    _, rejects = VALIDATORS["admin"](raw)
    outside = rejects.loc[rejects["reason"].str.contains("outside the DRC extent")]
    assert outside["value"].tolist() != []
    rows = set(outside["row"])
    assert raw.loc[raw["_row"].isin(rows), "pcode"].tolist() == ["13214"]
    assert "swapped lat/lon" in outside["reason"].iloc[0]


def test_wof_localities_load_as_towns_with_a_mapping():
    """WOF ids become town ids; Goma sits where FACTS.md says."""
    path = _need(WOF)
    raw = read_layer(path, "towns", {"town_id": "wof_id"})
    towns, _ = VALIDATORS["towns"](raw)
    goma = towns.loc[towns["name"] == "Goma"].geometry
    assert len(towns) > 8000
    assert any(abs(p.y + 1.6741) < 1e-3 and abs(p.x - 29.2284) < 1e-3 for p in goma)


def _layer_features(page: str, layer: str) -> list[dict]:
    """The features of one map layer as the page shows them on the build date.

    Each feature gets ``label`` (its tooltip) and ``fill`` (its fill colour), looked
    up in the page's data block the way the page's own script does.
    """
    block = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>',
                      page, re.DOTALL)
    data = json.loads(block.group(1))
    spec = next(spec for spec in data["layers"] if spec["name"] == layer)
    found = []
    for feature in spec["features"]["features"]:
        states = feature["properties"]["s"]
        style, _, tip = data["states"][states[0] if len(states) == 1
                                       else states[data["start"]]]
        found.append({"geometry": feature["geometry"],
                      "properties": {"label": data["tips"][tip],
                                     "fill": data["styles"][style].get("fillColor")}})
    return found


def test_build_offline_with_cod_ab_and_ipis_places(tmp_path, cod_ab_zip):
    """'--admin' with the COD-AB zip keeps 24 areas and draws the territory
    choropleth; '--mines' with the IPIS index maps Kivu sites."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "build", "--offline", "--quiet", "--admin", str(cod_ab_zip), "--mines",
        str(_need(PLACES)), "--shapes-dir", str(REPO / "shapes"), "--out", str(out),
        "--date", "2025-06-01", "--outputs", "map,tables"])
    assert result.exit_code == 0, result.output
    areas = pd.read_csv(out / "summary_areas.csv", dtype={"pcode": str})
    territories = areas.loc[(areas["kind"] == "area") & (areas["level"] == 2)]
    assert len(territories) == 24
    assert territories["pcode"].str.fullmatch(r"CD6[12]\d\d").all()
    provinces = areas.loc[(areas["kind"] == "area") & (areas["level"] == 1)]
    assert sorted(provinces["pcode"]) == ["CD61", "CD62"]  # derived from territories
    assert provinces["people"].gt(0).all()  # province figures now find their place
    assert territories.set_index("pcode").loc["CD6103", "mines"] > 0
    choropleth = _layer_features((out / "map.html").read_text(encoding="utf-8"),
                                 "Control: areas")
    towns = _layer_features((out / "map.html").read_text(encoding="utf-8"),
                            "Control: towns")
    labels = {feature["properties"]["label"].split(" — ")[0]
              for feature in [*choropleth, *towns]}
    assert {"Goma", "Bukavu"} <= labels  # each drawn once, as a ville or a town
    shaded = _layer_features((out / "map.html").read_text(encoding="utf-8"),
                             "People displaced")
    fills = {f["properties"]["label"].split(" — ")[0]: f["properties"]["fill"]
             for f in shaded
             if f["geometry"]["type"] != "Point"}
    assert fills.get("Masisi")  # the territory figure is drawn as a choropleth


def test_build_offline_with_natural_earth_keeps_two_provinces(tmp_path):
    """'--admin' with the Natural Earth file keeps exactly the two Kivus."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "build", "--offline", "--quiet", "--admin", str(_need(NATURAL_EARTH)),
        "--shapes-dir", str(REPO / "shapes"), "--out", str(out), "--date", "2025-06-01",
        "--outputs", "tables"])
    assert result.exit_code == 0, result.output
    areas = pd.read_csv(out / "summary_areas.csv", dtype={"pcode": str})
    assert sorted(areas.loc[areas["kind"] == "area", "pcode"]) == ["CD61", "CD62"]


def test_mirror_fetch_then_offline_build_from_the_cache(tmp_path, cod_ab_zip, httpserver,
                                                        monkeypatch):
    """A mirror over a folder of publisher files: fetch, then build offline."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    (folder / SOURCES["cod-ab:adm2"].filename).write_bytes(cod_ab_zip.read_bytes())
    ipis_csv(folder / SOURCES["ipis"].filename)
    for path in folder.iterdir():
        httpserver.expect_request(f"/geomap/{path.name}").respond_with_data(
            path.read_bytes())
    monkeypatch.setenv("GEOMAP_MIRROR", httpserver.url_for("/geomap"))
    monkeypatch.setenv("GEOMAP_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    fetched = runner.invoke(main, ["fetch", "cod-ab:adm2", "ipis", "--quiet"])
    assert fetched.exit_code == 0, fetched.output
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        p.name for p in folder.iterdir())
    requests_before = len(httpserver.log)
    out = tmp_path / "out"
    built = runner.invoke(main, [
        "build", "--offline", "--quiet", "--admin", "cod-ab:adm2", "--mines", "ipis",
        "--shapes-dir", str(REPO / "shapes"), "--out", str(out), "--date", "2025-06-01",
        "--outputs", "map,tables"])
    assert built.exit_code == 0, built.output
    assert len(httpserver.log) == requests_before
    areas = pd.read_csv(out / "summary_areas.csv", dtype={"pcode": str})
    by_pcode = areas.loc[(areas["kind"] == "area") & (areas["level"] == 2)].set_index("pcode")
    assert len(by_pcode) == 24
    assert by_pcode.loc["CD6103", "mines"] == 1  # Luwowo (Rubaya cluster, Masisi)
    assert by_pcode.loc["CD6212", "mines"] == 1  # Mobale (Mwenga, near Kamituga)
    page = (out / "map.html").read_text(encoding="utf-8")
    assert re.search(r"Luwowo", page)
