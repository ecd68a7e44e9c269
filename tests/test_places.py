"""Which place a reference names: ambiguity first, qualifiers, alternative names, and
the territory a town is reported in."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geomap.join import link_records
from geomap.places import build_places, match_references, qualify, split_qualifier
from geomap.summarise.nesting import attach_town_areas
from geomap.validate.checks import validate_control, validate_towns


@pytest.fixture
def admin() -> gpd.GeoDataFrame:
    """A province, a territory 'Rutshuru' with an enclave city 'Rutshuru', 'Beni'
    territory published as 'Oicha' (alternative name 'Beni') and the city of Beni."""
    return gpd.GeoDataFrame({
        "pcode": ["P1", "T11", "T12", "T07", "T09", "T03"],
        "name": ["Province", "Rutshuru", "Rutshuru", "Oicha", "Beni", "Masisi"],
        "alt_name": [None, None, None, "Beni", None, None],
        "level": [1, 2, 2, 2, 2, 2], "parent_pcode": ["CD", "P1", "P1", "P1", "P1", "P1"],
        "source": "test"},
        geometry=[box(28.0, -2.0, 30.0, 1.0), box(29.2, -1.5, 29.7, -0.9),
                  box(29.40, -1.22, 29.46, -1.15), box(29.2, 0.3, 29.8, 0.9),
                  box(29.45, 0.45, 29.50, 0.52), box(28.5, -1.6, 29.2, -1.0)],
        crs="EPSG:4326")


@pytest.fixture
def towns() -> gpd.GeoDataFrame:
    """The towns of Rutshuru and Beni are the cities T12 and T09; Kashebere is reported
    in Masisi here but its point lies in the Rutshuru polygon (a boundary trap)."""
    raw = pd.DataFrame({
        "town_id": ["rutshuru", "beni", "kashebere", "nowhere"],
        "name": ["Rutshuru", "Beni", "Kashebere", "Nowhere"],
        "lon": ["29.44", "29.47", "29.30", "29.35"],
        "lat": ["-1.18", "0.49", "-1.30", "-1.40"],
        "pcode": ["T12", "T09", "", ""], "territory": ["Rutshuru", "Beni", "Masisi",
                                                       "Atlantis"],
        "province_pcode": "P1", "_row": [1, 2, 3, 4]})
    return validate_towns(raw)[0]


@pytest.fixture
def places(admin, towns) -> gpd.GeoDataFrame:
    """Admin areas and towns, as the pipeline builds them."""
    return build_places(admin, towns)


@pytest.mark.parametrize("reference", ["Rutshuru", "rutshuru", "RUTSHURU", "Beni"])
def test_a_name_of_a_territory_and_a_town_is_ambiguous(places, reference):
    """Even when it is also a town id, a name shared by a territory and a city is
    rejected with both candidates, never sent to the city by its id."""
    row = match_references(pd.Series([reference]), places).loc[reference]
    assert row["method"] == "ambiguous"
    assert pd.isna(row["place"])
    codes = ("T11", "T12") if reference.lower() == "rutshuru" else ("T07", "T09")
    assert all(code in row["candidates"] for code in codes)


@pytest.mark.parametrize(("reference", "place"), [
    ("Territoire de Rutshuru", "T11"),
    ("Rutshuru territory", "T11"),
    ("Ville de Rutshuru", "T12"),
    ("Rutshuru (ville)", "T12"),
    ("Rutshuru [town]", "T12"),
    ("rutshuru [town]", "T12"),
    ("Beni [territory]", "T07"),
    ("Territoire de Beni", "T07"),
    ("Ville de Beni", "T09"),
    ("Oicha", "T07"),
    ("T12", "T12"),
    ("Masisi", "T03"),
], ids=lambda v: v.replace(" ", "-"))
def test_a_qualifier_settles_it(places, reference, place):
    """'Territoire de', 'Ville de', '(ville)' and '[town]' narrow the candidates; the
    city is told from the territory because a town names it as its own P-code."""
    row = match_references(pd.Series([reference]), places).loc[reference]
    assert (row["place"], row["method"] in {"name", "id", "p-code"}) == (place, True)


def test_a_qualifier_that_fits_no_candidate_matches_nothing(places):
    """'Ville de Masisi' names no city: unmatched, not the territory."""
    row = match_references(pd.Series(["Ville de Masisi"]), places).loc["Ville de Masisi"]
    assert row["method"] == "unmatched"
    assert pd.isna(row["place"])


def test_split_qualifier_keeps_plain_names():
    """Names without a qualifier come back unchanged."""
    assert split_qualifier("Masisi-centre") == ("Masisi-centre", None)
    assert split_qualifier("Province du Nord-Kivu") == ("nord kivu", "province")


def _control(rows: list[tuple], *, with_level: bool) -> gpd.GeoDataFrame:
    """Validated control records naming an area (and a level when asked)."""
    columns = ["area", "level", "actor", "start"] if with_level else [
        "area", "actor", "start"]
    raw = pd.DataFrame([r if with_level else (r[0], *r[2:]) for r in rows],
                       columns=columns).assign(_row=range(1, len(rows) + 1))
    clean, rejects = validate_control(raw)
    assert rejects.empty
    return clean


def test_a_level_column_qualifies_every_record(admin, places):
    """A `level` column settles 'rutshuru' (town) and 'Rutshuru' (territory); without
    it both records are rejected as ambiguous, with the reason and the candidates."""
    rows = [("rutshuru", "town", "m23", "2024-03-08"),
            ("Rutshuru", "territory", "fardc", "2024-01-01"),
            ("Beni", "2", "adf", "2024-01-01")]
    linked, report, _ = link_records(_control(rows, with_level=True), places, admin,
                                     layer="control", own_geometry=True)
    found = linked["place"].astype(object)
    assert found.where(found.notna(), None).tolist() == ["T12", "T11", None]  # 2 Benis
    assert "rutshuru [town]" in set(report["reference"])
    plain, report, _ = link_records(_control(rows, with_level=False), places, admin,
                                    layer="control", own_geometry=True)
    assert plain["place"].isna().all()
    assert set(report["method"]) == {"ambiguous"}


def test_an_unknown_level_is_rejected():
    """A level that is no kind of place is a rejected row, with the column named."""
    raw = pd.DataFrame({"area": ["x"], "level": ["galaxy"], "actor": ["m23"],
                        "start": ["2025"], "_row": [1]})
    _, rejects = validate_control(raw)
    assert rejects[["row", "column"]].values.tolist() == [[1, "level"]]
    assert "unknown level" in rejects["reason"].iloc[0]


def test_a_town_s_stated_territory_wins_over_its_polygon(places, towns):
    """Kashebere is reported in Masisi but its point falls in the Rutshuru polygon:
    its parent is Masisi and the join report says so; an unknown stated territory
    leaves the polygon in charge, said too."""
    placed, report = attach_town_areas(places, towns)
    parent = placed.set_index("place")["parent_pcode"]
    assert parent["kashebere"] == "T03"
    assert parent["nowhere"] == "T11"  # 'Atlantis' is no territory: the polygon
    rows = report.set_index("reference")
    assert rows.loc["Kashebere", ["place", "method"]].tolist() == ["T03",
                                                                   "stated territory"]
    assert "falls in Rutshuru (T11)" in rows.loc["Kashebere", "candidates"]
    assert "'Atlantis' matches no single level-2 area" in rows.loc["Nowhere", "candidates"]


def test_stated_territory_prefers_the_territory_over_the_city(admin, towns):
    """'Rutshuru' as a town's territory is the territory T11, not the city T12."""
    extra = pd.DataFrame({"town_id": ["kiwanja"], "name": ["Kiwanja"], "lon": ["29.43"],
                          "lat": ["-1.16"], "pcode": [""], "territory": ["Rutshuru"],
                          "province_pcode": ["P1"], "_row": [5]})
    more = pd.concat([towns, validate_towns(extra)[0]], ignore_index=True)
    placed, _ = attach_town_areas(build_places(admin, more), more)
    assert placed.set_index("place").loc["kiwanja", "parent_pcode"] == "T11"


@pytest.mark.parametrize("dtype", ["object", "string", "large_string[pyarrow]"])
def test_a_level_column_with_no_value_leaves_references_as_they_are(dtype):
    """A file's level column may be empty in every row (read as Arrow text, pandas
    cannot fill it with ''): the references stay as written; a level given in one
    row still qualifies that row alone."""
    references = pd.Series(["CD61", "Rutshuru", None], dtype=dtype)
    empty = pd.Series([None, None, None], dtype=dtype)
    assert qualify(references, empty).tolist()[:2] == ["CD61", "Rutshuru"]
    one = pd.Series([None, "town", None], dtype=dtype)
    assert qualify(references, one).tolist()[:2] == ["CD61", "Rutshuru [town]"]
