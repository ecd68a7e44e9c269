"""Publisher loaders: each publisher's file becomes a canonical layer, cut to Kivu."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geomap.errors import SchemaError, SourceError
from geomap.load.formats import ReadOptions
from geomap.load.publishers import check_publisher, detect_loader, read_publisher
from geomap.provinces import EAST, KIVU
from geomap.sources.registry import SOURCES
from geomap.summarise.areas import sum_displaced
from geomap.validate.checks import VALIDATORS

from .publisher_files import (
    ACLED_COLUMNS,
    COD_AB_2017,
    COD_AB_GLOBAL,
    COD_AB_OLD,
    IPIS_COLUMNS,
    acled_answer,
    acled_csv,
    acled_events,
    cod_ab_2026_layers,
    cod_ab_2026_zip,
    cod_ab_frame,
    cod_ab_zip,
    dtm_api,
    dtm_hdx_csv,
    dtm_labelled_xlsx,
    dtm_xlsx,
    dumps,
    geoboundaries_adm1,
    geoboundaries_adm2,
    ipis_csv,
    ipis_wfs,
    natural_earth,
    write_shapefile_zip,
)


def _write(path: Path, data: dict) -> Path:
    path.write_bytes(dumps(data))
    return path


# COD-AB -----------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Column names longer than 10",
                            "ignore:Normalized/laundered field name")
@pytest.mark.parametrize("columns", [COD_AB_2017, COD_AB_OLD, COD_AB_GLOBAL],
                         ids=["2017-ADM2_FR", "old-admin2Name_fr", "global-adm2_name"])
def test_cod_ab_zip_cut_to_kivu(tmp_path, columns):
    """Every COD-AB column schema gives the same Kivu territories, P-codes exact.

    Shapefiles cut field names at 10 characters, so the old schema arrives as
    'admin2Pcod' and 'admin2Name': those must be recognised too.
    """
    path = cod_ab_zip(tmp_path / "cod.zip", columns)
    raw = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile", level=2))
    admin, rejects = VALIDATORS["admin"](raw)
    assert sorted(admin["pcode"]) == ["CD6101", "CD6107", "CD6111", "CD6201"]
    assert set(admin["parent_pcode"]) == {"CD61", "CD62"}
    assert (admin["level"] == 2).all()
    assert rejects.empty


def test_cod_ab_keeps_null_literal_as_missing_and_alt_name(tmp_path):
    """'<Null>' in ADM2ALT1FR is missing; CD6107 keeps 'Oicha' with alt_name 'Beni'."""
    raw = read_publisher("cod-ab", cod_ab_zip(tmp_path / "cod.zip"),
                         ReadOptions(fmt="zip-shapefile", level=2)).set_index("pcode")
    assert raw.loc["CD6107", "name"] == "Oicha"
    assert raw.loc["CD6107", "alt_name"] == "Beni"
    assert pd.isna(raw.loc["CD6101", "alt_name"])
    assert "<Null>" not in set(raw["alt_name"].dropna())
    assert raw.loc["CD6101", "date"] == "2017-07-11"


def test_cod_ab_east_option_adds_neighbour_provinces(tmp_path):
    """With the neighbours, Ituri and Tanganyika territories are kept too."""
    raw = read_publisher("cod-ab", cod_ab_zip(tmp_path / "cod.zip"),
                         ReadOptions(fmt="zip-shapefile", level=2, provinces=EAST))
    assert {"CD5405", "CD7401"} <= set(raw["pcode"])


def test_cod_ab_zip_with_several_levels_picks_the_asked_one(tmp_path):
    """A release zip with ADM1 and ADM2 shapefiles gives the level asked for."""
    adm2 = cod_ab_frame()
    adm1 = adm2.dissolve(by="ADM1_PCODE", as_index=False)[["ADM1_PCODE", "ADM1_FR",
                                                            "geometry"]]
    path = write_shapefile_zip({"cod_admbnda_adm1_rgc_itos_20190911": adm1,
                                "cod_admbnda_adm2_rgc_20190911": adm2},
                               tmp_path / "release.zip")
    provinces = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile", level=1))
    territories = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile", level=2))
    assert sorted(provinces["pcode"]) == ["CD61", "CD62"]
    assert len(territories) == 4


def test_cod_ab_provinces_from_a_territories_file_are_dissolved(tmp_path):
    """Asking level 1 of an ADM2-only file unions the territories per province."""
    path = cod_ab_zip(tmp_path / "cod.zip")
    provinces = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile", level=1))
    assert sorted(provinces["pcode"]) == ["CD61", "CD62"]
    nord = provinces.set_index("pcode").geometry["CD61"]
    assert nord.area == pytest.approx(0.15 * 0.12 + 0.6 * 0.6 + 0.4 * 0.6)


@pytest.mark.parametrize("kind", ["shp", "geojson", "gdb"])
def test_cod_ab_2026_zip_gives_provinces_and_territories(tmp_path, kind):
    """OCHA's current zips (cod_admin0..2 at the root, lower-case fields) read with no
    level give the Kivu provinces and territories, nothing of admin 0, nothing else."""
    path = cod_ab_2026_zip(tmp_path / f"cod_admin_boundaries.{kind}.zip", kind=kind)
    assert detect_loader(path) == ("cod-ab", "zip-shapefile")
    raw = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile"))
    admin, rejects = VALIDATORS["admin"](raw)
    assert rejects.empty
    by_level = admin.groupby("level")["pcode"].apply(sorted).to_dict()
    assert by_level == {1: ["CD61", "CD62"],
                        2: ["CD6101", "CD6107", "CD6111", "CD6201"]}
    assert raw["_row"].is_unique
    assert set(admin.loc[admin["level"] == 2, "parent_pcode"]) == {"CD61", "CD62"}
    assert set(admin["date"]) == {"2019-09-11"}
    assert admin["alt_name"].isna().all()  # adm2_name1 is another language, not an alias
    assert set(admin["license"]) == {"CC BY 3.0 IGO"}
    territories = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile", level=2))
    assert sorted(territories["pcode"]) == by_level[2]


def test_cod_ab_health_zones_are_not_read_as_chefferies(tmp_path):
    """A cod_admin3 layer (health zones in the 2026 DRC release) is left out unless
    level 3 is asked for by name."""
    layers = cod_ab_2026_layers(cod_ab_frame())
    zones = layers["cod_admin2"].rename(columns=lambda c: c.replace("adm2", "adm3"))
    zones["adm3_pcode"] = zones["adm3_pcode"] + "01"
    zones["adm2_pcode"] = layers["cod_admin2"]["adm2_pcode"]
    path = write_shapefile_zip({**layers, "cod_admin3": zones,
                                "cod_admin2points": layers["cod_admin2"].assign(
                                    geometry=layers["cod_admin2"].representative_point())},
                               tmp_path / "with_zones.zip")
    raw = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile"))
    assert set(raw["level"]) == {1, 2}
    with pytest.raises(SourceError, match="holds no level-4 layer; it has"):
        read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile", level=4))


def test_cod_ab_renamed_columns_say_what_is_missing(tmp_path):
    """A release whose P-code column was renamed fails with one clear line."""
    frame = cod_ab_frame().rename(columns={"ADM2_PCODE": "CODE_T", "ADM1_PCODE": "CODE_P"})
    path = write_shapefile_zip({"cod_adm2": frame}, tmp_path / "renamed.zip")
    with pytest.raises(SchemaError, match=re.escape("lacks 'ADM2_PCODE'")) as err:
        check_publisher("cod-ab", path, "zip-shapefile", 2)
    assert "\n" not in str(err.value)
    assert "'CODE_T'" in str(err.value)


# geoBoundaries and Natural Earth ------------------------------------------------------

def test_geoboundaries_adm1_gets_ocha_pcodes(tmp_path):
    """ADM1 provinces are matched to OCHA P-codes through shapeISO."""
    path = _write(tmp_path / "adm1.geojson", geoboundaries_adm1())
    raw = read_publisher("geoboundaries", path, ReadOptions(fmt="geojson", level=1))
    assert sorted(raw["pcode"]) == ["CD61", "CD62"]
    assert set(raw["name"]) == {"Nord-Kivu", "Sud-Kivu"}


def test_geoboundaries_adm2_cut_by_the_adm1_file(tmp_path):
    """ADM2 features get their province from the ADM1 file; shapeID is the key."""
    adm1 = _write(tmp_path / "adm1.geojson", geoboundaries_adm1())
    adm2 = _write(tmp_path / "adm2.geojson", geoboundaries_adm2())
    raw = read_publisher("geoboundaries", adm2, ReadOptions(
        fmt="geojson", level=2, companions=(adm1,)))
    admin, rejects = VALIDATORS["admin"](raw)
    assert sorted(admin["name"]) == ["Bukavu", "Goma", "Oicha", "Rutshuru"]
    assert admin["pcode"].str.startswith("COD-ADM2-").all()
    assert dict(zip(admin["name"], admin["parent_pcode"], strict=True))["Bukavu"] == "CD62"
    assert rejects.empty


def test_natural_earth_keeps_only_kivu_with_iso_codes(tmp_path):
    """NE has no P-codes: the two Kivus are kept, their ISO code stays beside."""
    path = _write(tmp_path / "ne.geojson", natural_earth())
    raw = read_publisher("natural-earth", path, ReadOptions(fmt="geojson"))
    assert sorted(raw["iso_3166_2"]) == ["CD-NK", "CD-SK"]
    assert sorted(raw["pcode"]) == ["CD61", "CD62"]


# IPIS ------------------------------------------------------------------------------

@pytest.fixture(params=["csv", "wfs"])
def ipis_file(request, tmp_path) -> tuple[Path, str]:
    """The IPIS visits as the CSV and as the WFS GeoJSON answer."""
    if request.param == "csv":
        return ipis_csv(tmp_path / "ipis.csv"), "csv"
    return _write(tmp_path / "ipis.geojson", ipis_wfs()), "geojson"


def test_ipis_csv_has_its_sixty_odd_columns(tmp_path):
    """The generated file has the width of the real one (guards the fixture)."""
    header = (ipis_csv(tmp_path / "ipis.csv").read_text(encoding="utf-8")
              .splitlines()[0].split(","))
    assert len(header) == len(IPIS_COLUMNS) >= 60


def test_ipis_latest_visit_per_site_with_history(ipis_file):
    """One row per site: its latest visit, with all visits kept for popups."""
    path, fmt = ipis_file
    raw = read_publisher("ipis", path, ReadOptions(fmt=fmt))
    mines, rejects = VALIDATORS["mines"](raw)
    by_site = raw.set_index("site_id")
    assert sorted(by_site.index) == ["codmine00101", "codmine00555", "codmine00777"]
    luwowo = by_site.loc["codmine00101"]
    assert luwowo["visited"] == "2019-11-20"
    assert luwowo["workers"] == 1200
    assert luwowo["minerals"] == "coltan;cassiterite"
    assert luwowo["armed_presence"] == "FARDC; Nyatura"
    assert luwowo["visits"] == 3
    history = json.loads(luwowo["history"])
    assert [visit["date"] for visit in history] == ["2013-06-02", "2016-03-14",
                                                    "2019-11-20"]
    assert history[0]["armed"] == "FDLR"
    assert history[1]["armed"] == "none reported"
    assert by_site.loc["codmine00777", "minerals"] == "gold"
    assert luwowo.geometry.x == pytest.approx(28.891050)
    assert luwowo.geometry.y == pytest.approx(-1.570883)
    assert list(rejects.loc[rejects["action"] == "rejected", "column"]) == ["geometry"]
    assert "codmine00555" not in set(mines["site_id"])


def test_ipis_mine_code_is_never_an_area_reference(tmp_path):
    """IPIS's pcode goes to site_id only; no column could join it to OCHA areas."""
    raw = read_publisher("ipis", ipis_csv(tmp_path / "ipis.csv"), ReadOptions(fmt="csv"))
    assert "pcode" not in raw.columns
    assert "area" not in raw.columns
    assert raw["site_id"].str.startswith("codmine").all()


def test_ipis_renamed_columns_fail_clearly(tmp_path):
    """A release that renamed visit_date is refused with the columns it has."""
    path = ipis_csv(tmp_path / "ipis.csv", rename={"visit_date": "date_visite"})
    with pytest.raises(SchemaError, match="lacks 'visit_date'"):
        check_publisher("ipis", path, "csv")


# IOM DTM ---------------------------------------------------------------------------

def _dtm_clean(raw: pd.DataFrame) -> pd.DataFrame:
    displacement, rejects = VALIDATORS["displacement"](raw)
    assert rejects.empty
    return displacement.assign(place=displacement["area"])


def test_dtm_spreadsheet_rounds_are_never_summed(tmp_path):
    """Round 2 replaces round 1 for Rutshuru (1,500, not 2,500); Ituri is cut."""
    raw = read_publisher("dtm", dtm_xlsx(tmp_path / "dtm.xlsx"), ReadOptions(fmt="xlsx"))
    assert sorted(raw["area"]) == ["CD6101", "CD6111", "CD6111", "CD6201"]
    assert set(raw["assessment"]) == {"dtm-m23-crisis-r1", "dtm-m23-crisis-r2"}
    displaced = sum_displaced(_dtm_clean(raw), pd.Timestamp("2024-06-01"))
    assert displaced.loc["CD6111", "people"] == 1500
    early = sum_displaced(_dtm_clean(raw), pd.Timestamp("2024-02-15"))
    assert early.loc["CD6111", "people"] == 1000


def test_dtm_api_json_reads_like_the_spreadsheet(tmp_path):
    """The API envelope gives the same rows as the HDX spreadsheet."""
    from_api = read_publisher("dtm", _write(tmp_path / "dtm.json", dtm_api()),
                              ReadOptions(fmt="json"))
    from_xlsx = read_publisher("dtm", dtm_xlsx(tmp_path / "dtm.xlsx"),
                               ReadOptions(fmt="xlsx"))
    columns = ["area", "people", "date", "assessment"]
    assert from_api[columns].astype(str).equals(from_xlsx[columns].astype(str))


def test_dtm_hdx_csv_keeps_the_deepest_level_of_each_round(tmp_path):
    """OCHA's CSV holds country and province totals beside the territories: only
    the territory rows are kept, so nobody is counted twice; the HXL row is skipped."""
    raw = read_publisher("dtm", dtm_hdx_csv(tmp_path / "dtm.csv"), ReadOptions(fmt="csv"))
    assert sorted(raw["area"]) == ["CD6101", "CD6111", "CD6111", "CD6201"]
    assert raw["people"].astype(int).sum() == 1000 + 1500 + 700 + 300
    assert set(raw["license"]) == {SOURCES["dtm:hdx"].license}


def test_dtm_labelled_sheet_reads_its_labels_and_total(tmp_path):
    """A DTM DRC 'Summary - Health Zone' sheet: one row per zone, labels kept as DTM
    writes them (the join matches them or says why not), the total IDP column."""
    raw = read_publisher("dtm", dtm_labelled_xlsx(tmp_path / "dtm.xlsx"),
                         ReadOptions(fmt="xlsx"))
    assert list(raw["area"]) == ["Rutshuru", "Rutshuru", "BENI (Territoire / Oicha)",
                                 "BUTEMBO (Ville)"]
    assert list(raw["people"].astype(int)) == [8000, 2500, 4000, 300]
    assert set(raw["date"]) == {"2024-09-19"}
    assert set(raw["assessment"]) == {"dtm-2024-09-19"}
    assert detect_loader(tmp_path / "dtm.xlsx") == ("dtm", "xlsx")


def test_dtm_labelled_sheet_without_a_date_says_what_it_found(tmp_path):
    """No date column: the error lists the columns found and the names expected."""
    path = dtm_labelled_xlsx(tmp_path / "dtm.xlsx", date=None)
    with pytest.raises(SchemaError) as err:
        read_publisher("dtm", path, ReadOptions(fmt="xlsx"))
    message = str(err.value)
    assert "date: 'Date' or 'reportingDate'" in message
    assert "'total_pdi_fa36_sites_cccm_sites_spont'" in message
    assert "\n" not in message


def test_dtm_api_error_envelope_is_reported(tmp_path):
    """An API answer with isSuccess false is an error, with the API's reason."""
    path = _write(tmp_path / "dtm.json", {"isSuccess": False,
                                          "errorMessages": ["Invalid CountryName"]})
    with pytest.raises(SourceError, match="Invalid CountryName"):
        read_publisher("dtm", path, ReadOptions(fmt="json"))


# ACLED -------------------------------------------------------------------------------

def test_acled_reads_only_what_the_aggregation_needs(tmp_path):
    """Event ids, notes, actors and sources never enter geomap; Ituri is cut."""
    raw = read_publisher("acled", _write(tmp_path / "acled.json", acled_answer()),
                         ReadOptions(fmt="json"))
    assert not {"event_id_cnty", "notes", "actor1", "source_scale"} & set(raw.columns)
    assert list(raw.columns) == ["date", "event_type", "fatalities", "lon", "lat",
                                 "admin1", "admin2", "source", "url", "license", "_row"]
    assert sorted(raw["admin2"]) == ["Bukavu", "Goma", "Goma", "Goma"]
    assert "Ituri" not in set(raw["admin1"])


def test_acled_csv_export_reads_like_the_api(tmp_path):
    """A CSV in ACLED's columns gives the same rows as the API's JSON."""
    rows = acled_events(60)
    from_csv = read_publisher("acled", acled_csv(tmp_path / "acled.csv", rows),
                              ReadOptions(fmt="csv"))
    from_api = read_publisher("acled", _write(tmp_path / "acled.json", {"data": rows}),
                              ReadOptions(fmt="json"))
    assert from_csv.drop(columns="url").equals(from_api.drop(columns="url"))
    assert len(from_csv) == 40  # the Ituri and Tanganyika thirds are cut
    assert detect_loader(tmp_path / "acled.csv") == ("acled", "csv")


def test_acled_without_coordinates_is_refused(tmp_path):
    """A file without latitude/longitude cannot be placed: one line, names them."""
    columns = [c for c in ACLED_COLUMNS if c not in ("latitude", "longitude")]
    path = tmp_path / "acled.csv"
    path.write_text(",".join(columns) + "\n" + ",".join("x" for _ in columns) + "\n")
    with pytest.raises(SchemaError, match="lacks 'longitude', 'latitude'"):
        read_publisher("acled", path, ReadOptions(fmt="csv"))


# Detection ----------------------------------------------------------------------------

def test_detect_loader_recognises_publishers_not_canonical_files(tmp_path, shapes_dir):
    """Publisher files are recognised by their columns; geomap's own files are not."""
    files = {
        "cod-ab": cod_ab_zip(tmp_path / "cod.zip"),
        "geoboundaries": _write(tmp_path / "gb.geojson", geoboundaries_adm2()),
        "natural-earth": _write(tmp_path / "ne.geojson", natural_earth()),
        "ipis": ipis_csv(tmp_path / "ipis.csv"),
        "dtm": dtm_xlsx(tmp_path / "dtm.xlsx"),
    }
    for loader, path in files.items():
        assert detect_loader(path)[0] == loader
    for name in ("admin.geojson", "mines.csv", "displacement.csv", "control.csv"):
        assert detect_loader(shapes_dir / name) is None


def test_detected_file_and_validate_roundtrip_keep_geometry_in_lon_lat(tmp_path):
    """A COD-AB file written in a projected CRS comes back in EPSG:4326."""
    frame = cod_ab_frame().to_crs("EPSG:32735")
    path = write_shapefile_zip({"cod_adm2": frame}, tmp_path / "utm.zip")
    raw = read_publisher("cod-ab", path, ReadOptions(fmt="zip-shapefile", level=2,
                                                     provinces=KIVU))
    assert isinstance(raw, gpd.GeoDataFrame)
    assert raw.crs.to_epsg() == 4326
    assert raw.total_bounds[0] == pytest.approx(28.80, abs=1e-6)


# The real COD-AB, renamed into the 2026 layout ----------------------------------------

@pytest.mark.data
def test_real_territories_in_the_2026_layout_keep_the_kivus(tmp_path, shapes_dir):
    """The real 2017 territories, renamed into the 2026 schema and zipped as OCHA
    zips them, given as --admin: 24 Kivu territories and both provinces, no flag."""
    from geomap.config import BuildConfig
    from geomap.pipeline import load_layers

    from .conftest import SHARED_REAL

    real = SHARED_REAL / "ocha-codab-adm2-2017" / "cod_admbnda_adm2_rgc_20170711.shp"
    if not real.exists():
        pytest.skip(f"real data file {real.name} not found under shared/data/real")
    territories = gpd.read_file(real)[["ADM2_FR", "ADM2_PCODE", "ADM1_FR", "ADM1_PCODE",
                                       "ADM0_FR", "ADM0_PCODE", "geometry"]]
    path = cod_ab_2026_zip(tmp_path / "cod_admin_boundaries.shp.zip", territories)
    config = BuildConfig(date=pd.Timestamp("2025-06-01"), shapes_dir=shapes_dir,
                         inputs={"admin": path}, offline=True)
    admin = load_layers(config).admin
    by_level = admin.groupby("level")["pcode"].apply(sorted).to_dict()
    assert by_level[1] == ["CD61", "CD62"]
    assert len(by_level[2]) == 24
    assert {"CD6107", "CD6111", "CD6212"} <= set(by_level[2])
    assert admin.set_index("pcode").loc["CD6107", "name"] == "Oicha"
    assert set(admin["source"]) == {SOURCES["cod-ab"].attribution}
