"""Issue-11 joins and figures on the real public files they came from (shared/data/real).

Skipped, with the reason, when the folder of real files is absent. Expected values
come from SOURCES.md and FACTS.md of that folder, and from a plain geopandas overlay
computed here, not from geomap's own output.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geomap.config import BuildConfig
from geomap.errors import GeomapWarning, SchemaError
from geomap.load.files import read_layer
from geomap.load.formats import ReadOptions
from geomap.load.publishers import read_publisher
from geomap.pipeline import load_layers
from geomap.places import build_places, match_references
from geomap.summarise.nesting import attach_town_areas
from geomap.summarise.summary import summarise_build
from geomap.validate.checks import VALIDATORS, normalise_actor
from geomap.validate.extent import add_parent_areas

from .conftest import REPO, SHARED_REAL, write_csv

pytestmark = pytest.mark.data

KIVU_ADM2 = SHARED_REAL / "ocha-codab-adm2-2017" / "cod_admbnda_adm2_rgc_20170711_kivu.geojson"
ZONES = SHARED_REAL / "ipis" / "ipis_armed_group_areas_2015.geojson"
MINE_INDEX = SHARED_REAL / "ipis" / "ipis_webmap_mine_and_tradepoint_names_2017.csv"
TITLES = SHARED_REAL / "ipis" / "ipis_mining_titles_cami_2016.geojson"


def _need(path: Path) -> Path:
    """Skip the test, saying why, when a real file is absent."""
    if not path.exists():
        pytest.skip(f"real data file {path.name} not found under shared/data/real")
    return path


@pytest.fixture(scope="module")
def places() -> gpd.GeoDataFrame:
    """The 24 COD-AB 2017 Kivu territories and villes (with their provinces) and the
    bundled towns, as a build with ``--admin`` that file makes them."""
    raw = read_publisher("cod-ab", _need(KIVU_ADM2), ReadOptions(fmt="geojson", level=2))
    admin = add_parent_areas(VALIDATORS["admin"](raw)[0])
    towns = VALIDATORS["towns"](read_layer(REPO / "shapes" / "towns.csv", "towns"))[0]
    placed, _ = attach_town_areas(build_places(admin, towns), towns)
    return placed


@pytest.mark.parametrize(("name", "codes"), [
    ("Rutshuru", ("CD6111", "CD6112")), ("Uvira", ("CD6208", "CD6209")),
    ("Beni", ("CD6107", "CD6109")), ("Kalehe", ("CD6205", "kalehe")),
    ("Mwenga", ("CD6212", "mwenga")),
])
def test_bare_territory_names_are_ambiguous_with_both_candidates(places, name, codes):
    """With the COD-AB territories, a bare 'Rutshuru' (also the id of the town that is
    the ville CD6112) is rejected as ambiguous, never sent to the 37 km2 ville."""
    row = match_references(pd.Series([name]), places).loc[name]
    assert row["method"] == "ambiguous"
    assert pd.isna(row["place"])
    assert all(f"{code}," in row["candidates"] for code in codes), row["candidates"]


@pytest.mark.parametrize(("reference", "place"), [
    ("Territoire de Rutshuru", "CD6111"), ("Rutshuru [town]", "CD6112"),
    ("Beni [territory]", "CD6107"), ("Territoire de Beni", "CD6107"),
    ("Ville de Beni", "CD6109"), ("Ville d'Uvira", "CD6209"), ("CD6111", "CD6111"),
])
def test_a_qualifier_picks_the_territory_or_the_ville(places, reference, place):
    """'Territoire de', 'Ville de' and '[...]' settle it; CD6107, published as
    'Oicha', is found as Beni through its ADM2ALT1FR."""
    row = match_references(pd.Series([reference]), places).loc[reference]
    assert row["place"] == place


def test_a_dtm_file_with_admin2name_only_does_not_send_rutshuru_to_the_ville(tmp_path):
    """DTM rows naming 'Rutshuru' in admin2Name are rejected as ambiguous (the
    territory or the ville, both level 2), with both P-codes; 'Masisi' is matched."""
    dtm = write_csv(tmp_path / "dtm.csv", ["admin1Name", "admin2Name", "numPresentIdpInd",
                                           "reportingDate", "roundNumber"],
                    [("Nord-Kivu", "Rutshuru", "52000", "2024-10-09", "22"),
                     ("Nord-Kivu", "Masisi", "120000", "2024-10-09", "22")])
    layers = load_layers(BuildConfig(date=pd.Timestamp("2024-12-31"),
                                     shapes_dir=REPO / "shapes", inputs={
                                         "admin": _need(KIVU_ADM2), "displacement": dtm}))
    assert layers.displacement["place"].astype(str).tolist() == ["CD6103"]
    rejected = layers.rejects.loc[layers.rejects["layer"] == "displacement"]
    assert rejected["row"].tolist() == [1]
    assert "ambiguous" in rejected["reason"].iloc[0]
    assert "CD6111" in rejected["reason"].iloc[0]
    assert "CD6112" in rejected["reason"].iloc[0]


@pytest.mark.parametrize(("town", "stated", "polygon"), [
    ("Kashebere", "CD6104", "CD6103"), ("Makobola", "CD6210", "CD6208"),
    ("Kamanyola", "CD6207", "CD6208"),
])
def test_a_town_stays_in_the_territory_it_is_reported_in(tmp_path, town, stated, polygon):
    """FACTS.md: Kashebere is in Walikale by every source but falls in the Masisi
    polygon; Makobola (Fizi) and Kamanyola (Walungu) fall in Uvira. The stated
    territory wins and the join report says where the point fell."""
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-06-01"),
                                     shapes_dir=REPO / "shapes",
                                     inputs={"admin": _need(KIVU_ADM2)}))
    places = layers.places.set_index("name")
    assert places.loc[town, "parent_pcode"] == stated
    rows = layers.join_report.loc[(layers.join_report["layer"] == "towns")
                                  & (layers.join_report["reference"] == town)]
    assert rows[["place", "method"]].values.tolist() == [[stated, "stated territory"]]
    assert f"({polygon})" in rows["candidates"].iloc[0]


@pytest.fixture(scope="module")
def ipis_build(tmp_path_factory):
    """COD-AB territories, the IPIS 2015 armed-group zones (start given as a constant)
    and the IPIS mine-site index, loaded and summarised as a build does."""
    config = BuildConfig(date=pd.Timestamp("2016-01-01"), shapes_dir=REPO / "shapes",
                         inputs={"admin": _need(KIVU_ADM2), "control": _need(ZONES),
                                 "mines": _need(MINE_INDEX)},
                         constants={"control": {"start": "2015-09-14"}})
    with pytest.warns(GeomapWarning, match="that geomap does not know"):
        layers = load_layers(config)
    return layers, summarise_build(layers, config, lambda _: None)


def test_mines_per_actor_equal_a_plain_overlay(ipis_build):
    """Every mine inside an armed group's zones counts for it (zones of several groups
    overlapping: contested), as a plain geopandas overlay of the same points and
    polygons gives, where a representative point used to give every group 0."""
    layers, summary = ipis_build
    zones = gpd.read_file(ZONES)
    zones["actor"] = normalise_actor(zones["Groupe armé"]).astype(object)
    mines = layers.mines[["site_id", "geometry"]]
    hits = gpd.sjoin(mines, zones[["actor", "geometry"]], predicate="intersects")
    per_mine = hits.groupby("site_id")["actor"].agg(lambda a: sorted(set(a)))
    expected = per_mine.map(lambda a: a[0] if len(a) == 1 else "contested").value_counts()
    found = summary.actors.set_index("actor")["mines"]
    found = found.loc[found > 0]
    plain = hits.groupby("actor")["site_id"].nunique()  # every group in an overlap
    assert found.sort_index().to_dict() == expected.sort_index().to_dict(), (
        f"geomap {found.to_dict()}; plain overlay {plain.to_dict()}")
    assert found["fdlr"] > 0
    assert plain["fdlr"] == found["fdlr"] + int(per_mine.map(
        lambda a: "fdlr" in a and len(a) > 1).sum())


def test_within_names_every_overlapping_zone_with_its_share(ipis_build):
    """A territory under several zones lists each, with its share of the area."""
    _, summary = ipis_build
    areas = summary.areas.set_index("pcode")
    masisi = areas.loc["CD6103", "within"]
    assert masisi.count("%") >= 2, masisi
    assert areas.loc["CD6103", "within_actor"] == "contested"


def test_the_ipis_index_is_cut_by_outline_whatever_way_it_is_read(ipis_build):
    """Read by its loader (a rectangle per province) the index keeps 1,289 sites of
    which 216 lie outside the Kivus; they are left out and listed. Read through a
    --column mapping, which skipped every cut, the outline still applies."""
    layers, _ = ipis_build
    left_out = layers.rejects.loc[(layers.rejects["layer"] == "mines")
                                  & layers.rejects["reason"].str.startswith("outside")]
    assert len(left_out) == 216
    assert len(layers.mines) == 1289 - 216
    mapped = load_layers(BuildConfig(
        date=pd.Timestamp("2016-01-01"), shapes_dir=REPO / "shapes",
        inputs={"admin": _need(KIVU_ADM2), "mines": MINE_INDEX},
        columns={"mines": {"name": "name", "lon": "longitude", "lat": "latitude"}}))
    inside = layers.admin.loc[layers.admin["level"] == 1].union_all()
    assert mapped.mines.geometry.intersects(inside).all()
    assert (mapped.rejects["reason"].str.startswith("outside the outline of Nord-Kivu")
            ).sum() > 216  # trading points too: a mapping reads every row


def test_the_permit_class_group_is_no_armed_actor():
    """The mining cadastre's 'group' column (PE, PR...) is not read as 'actor'."""
    with pytest.raises(SchemaError, match=r"lacks required column\(s\) \['actor'\]"):
        read_layer(_need(TITLES), "control")
