"""Files in each publisher's shape, generated in code for the sources tests.

Column names follow the publishers' files and APIs (OCHA COD-AB, geoBoundaries,
Natural Earth, IPIS, IOM DTM, ACLED). Values are synthetic: small boxes and points in
the right provinces, fake mine codes.
"""

from __future__ import annotations

import csv
import io
import json
import random
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
from openpyxl import Workbook
from shapely.geometry import box, mapping

# (ADM2_PCODE, ADM2_FR, ADM2ALT1FR, ADM1_PCODE, ADM1_FR, box)
TERRITORIES = [
    ("CD6101", "Goma", "<Null>", "CD61", "Nord-Kivu", (29.15, -1.72, 29.30, -1.60)),
    ("CD6107", "Oicha", "Beni", "CD61", "Nord-Kivu", (29.20, 0.30, 29.80, 0.90)),
    ("CD6111", "Rutshuru", "<Null>", "CD61", "Nord-Kivu", (29.30, -1.50, 29.70, -0.90)),
    ("CD6201", "Bukavu", None, "CD62", "Sud-Kivu", (28.80, -2.55, 28.90, -2.45)),
    ("CD5405", "Djugu", "<Null>", "CD54", "Ituri", (30.00, 1.50, 30.60, 2.10)),
    ("CD7401", "Kalemie", "<Null>", "CD74", "Tanganyika", (29.00, -6.10, 29.30, -5.80)),
]
COD_AB_2017 = {"pcode": "ADM2_PCODE", "name": "ADM2_FR", "alt": "ADM2ALT1FR",
               "parent": "ADM1_PCODE", "parent_name": "ADM1_FR", "valid": "validOn"}
COD_AB_OLD = {"pcode": "admin2Pcode", "name": "admin2Name_fr", "alt": "admin2AltName1_fr",
              "parent": "admin1Pcode", "parent_name": "admin1Name_fr", "valid": "date"}
COD_AB_GLOBAL = {"pcode": "adm2_pcode", "name": "adm2_name", "alt": "adm2_name1",
                 "parent": "adm1_pcode", "parent_name": "adm1_name", "valid": "valid_on"}


def cod_ab_frame(columns: dict[str, str] = COD_AB_2017) -> gpd.GeoDataFrame:
    """The synthetic territories under one COD-AB column schema."""
    rows = [{columns["pcode"]: p, columns["name"]: n, columns["alt"]: a,
             columns["parent"]: p1, columns["parent_name"]: n1, "ADM0_PCODE": "CD",
             columns["valid"]: "2017-07-11"} for p, n, a, p1, n1, _ in TERRITORIES]
    return gpd.GeoDataFrame(rows, geometry=[box(*t[-1]) for t in TERRITORIES],
                            crs="EPSG:4326")


def write_shapefile_zip(frames: dict[str, gpd.GeoDataFrame], path: Path,
                        folder: str = "") -> Path:
    """Write each frame as a shapefile (with pyogrio) and zip them all into *path*."""
    work = path.parent / (path.stem + "_parts")
    work.mkdir(exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, frame in frames.items():
            with warnings.catch_warnings():  # publishers' shapefiles are cut the same
                warnings.filterwarnings("ignore", "Column names longer than 10")
                warnings.filterwarnings("ignore", "Normalized/laundered field name")
                frame.to_file(work / f"{stem}.shp", engine="pyogrio")
            for part in sorted(work.glob(f"{stem}.*")):
                archive.write(part, f"{folder}{part.name}")
    return path


def cod_ab_zip(path: Path, columns: dict[str, str] = COD_AB_2017) -> Path:
    """A COD-AB style zip with one ADM2 shapefile in a subfolder."""
    return write_shapefile_zip({"cod_admbnda_adm2_rgc_20190911": cod_ab_frame(columns)},
                               path, folder="cod_admbnda_rgc_itos_20190911_shp/")


# The current COD-AB schema (OCHA-DAP/hdx-cod-ab-specification @ad25750, specs/
# boundaries/README.md: adm{N}_name, adm{N}_name1..3, adm{N}_pcode, then each parent
# level, valid_on, valid_to, area_sqkm, version, lang..lang3, adm{N}_ref_name, iso2,
# iso3, center_lat, center_lon), layers cod_admin0..2 at the zip root
# (OCHA-DAP/hdx-scraper-cod-ab-country @fef5c2f, geodata/formats.py). DRC's 2026 fields
# seen in use: adm1_name, adm1_pcode, adm2_name, adm2_pcode, valid_on, version 'v01'.
COD_AB_2026_RENAME = {"ADM2_FR": "adm2_name", "ADM2_PCODE": "adm2_pcode",
                      "ADM1_FR": "adm1_name", "ADM1_PCODE": "adm1_pcode",
                      "ADM0_FR": "adm0_name", "ADM0_PCODE": "adm0_pcode",
                      "validOn": "valid_on", "ValidTo": "valid_to"}


def _level_columns(level: int) -> list[str]:
    """The spec's name and code columns of *level* and its parents, in order."""
    return [column for n in range(level, -1, -1) for column in (
        f"adm{n}_name", f"adm{n}_name1", f"adm{n}_name2", f"adm{n}_name3",
        f"adm{n}_pcode")]


def cod_ab_2026_layers(territories: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """cod_admin0..2 in the current schema from territories in the 2017 schema."""
    admin2 = territories.rename(columns=COD_AB_2026_RENAME)
    admin2["adm0_name"] = "République démocratique du Congo"
    admin2["adm0_pcode"] = "CD"
    admin2["valid_on"] = "2019-09-11"
    layers = {}
    for level, frame in ((2, admin2),
                         (1, admin2.dissolve(by="adm1_pcode", as_index=False)),
                         (0, admin2.dissolve(by="adm0_pcode", as_index=False))):
        frame = frame.copy()
        for column in _level_columns(level):
            if column not in frame:
                frame[column] = None
        extra = {"valid_to": None, "area_sqkm": frame.to_crs("EPSG:6933").area / 1e6,
                 "version": "v01", "lang": "fr", "lang1": None, "lang2": None,
                 "lang3": None, f"adm{level}_ref_name": frame[f"adm{level}_name"],
                 "iso2": "CD", "iso3": "COD",
                 "center_lat": frame.representative_point().y,
                 "center_lon": frame.representative_point().x}
        frame = frame.assign(**extra)
        columns = [*_level_columns(level), "valid_on", *extra]
        layers[f"cod_admin{level}"] = gpd.GeoDataFrame(
            frame[columns], geometry=frame.geometry, crs=frame.crs)
    return dict(sorted(layers.items()))


def cod_ab_2026_zip(path: Path, territories: gpd.GeoDataFrame | None = None, *,
                    kind: str = "shp") -> Path:
    """'cod_admin_boundaries.{shp,geojson,gdb}.zip' as OCHA publishes it: shapefiles
    or GeoJSON files at the zip root, or a .gdb folder with one layer per level."""
    layers = cod_ab_2026_layers(cod_ab_frame() if territories is None else territories)
    if kind == "shp":
        return write_shapefile_zip(layers, path)
    work = path.parent / (path.name + "_parts")
    work.mkdir(exist_ok=True)
    if kind == "geojson":
        for name, frame in layers.items():
            frame.to_file(work / f"{name}.geojson", driver="GeoJSON", engine="pyogrio")
    else:
        for name, frame in layers.items():
            frame.to_file(work / "cod_admin_boundaries.gdb", driver="OpenFileGDB",
                          layer=name, engine="pyogrio", promote_to_multi=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(work.rglob("*")):
            if part.is_file():
                archive.write(part, part.relative_to(work).as_posix())
    return path


def hdx_package(name: str, resources: list[dict], **fields) -> dict:
    """A CKAN package_show answer as HDX gives it ({help, success, result}), with the
    result keys of OCHA's fixture (OCHA-DAP/hdx-scraper-cod-ab-country @fef5c2f,
    tests/fixtures/input/dataset-cod-ab-caf.json)."""
    result = {"name": name, "id": "f42132b9-8cc6-4201-b020-9259c56e8868",
              "title": "Democratic Republic of the Congo - Subnational Administrative "
                       "Boundaries",
              "license_id": "cc-by-igo",
              "license_title": "Creative Commons Attribution for Intergovernmental "
                               "Organisations (CC BY-IGO)",
              "license_url": "http://creativecommons.org/licenses/by/3.0/igo/legalcode",
              "dataset_date": "[2019-09-11T00:00:00 TO 2024-12-20T23:59:59]",
              "num_resources": len(resources), **fields,
              "resources": [{"id": f"res-{i}", "package_id": "f42132b9", "position": i,
                             "url_type": "upload", "state": "active",
                             "last_modified": "2026-04-16T10:00:00.000000",
                             **resource} for i, resource in enumerate(resources)]}
    return {"help": "https://data.humdata.org/api/3/action/help_show?name=package_show",
            "success": True, "result": result}


def cod_ab_cod_resources(base: str) -> list[dict]:
    """The four resources of 'cod-ab-cod' (dataset.py FORMAT_TYPES), URLs under *base*."""
    return [{"name": f"cod_admin_boundaries.{ext}", "format": fmt,
             "url": f"{base}/cod_admin_boundaries.{ext}"}
            for ext, fmt in (("gdb.zip", "Geodatabase"), ("shp.zip", "SHP"),
                             ("geojson.zip", "GeoJSON"), ("xlsx", "XLSX"))]


def geoboundaries_adm1() -> dict:
    """gbOpen COD ADM1 GeoJSON: two Kivus and Ituri as boxes."""
    provinces = [("Nord-Kivu", "CD-NK", (27.3, -2.0, 30.0, 0.95)),
                 ("Sud-Kivu", "CD-SK", (26.9, -5.0, 29.4, -2.01)),
                 ("Ituri", "CD-IT", (27.5, 0.96, 31.3, 3.6))]
    return _collection([{"shapeName": n, "shapeISO": iso, "shapeID": f"COD-ADM1-{i}B1",
                         "shapeGroup": "COD", "shapeType": "ADM1"}
                        for i, (n, iso, _) in enumerate(provinces)],
                       [b for *_, b in provinces])


def geoboundaries_adm2() -> dict:
    """gbOpen COD ADM2 GeoJSON: shapeISO empty as in the real release."""
    return _collection([{"shapeName": t[1], "shapeISO": "", "shapeID": f"COD-ADM2-{i}B1",
                         "shapeGroup": "COD", "shapeType": "ADM2"}
                        for i, t in enumerate(TERRITORIES)], [t[-1] for t in TERRITORIES])


def geoboundaries_api(level: int, download: str) -> dict:
    """The geoBoundaries API answer for gbOpen/COD/ADM<level>/."""
    return {"boundaryID": f"COD-ADM{level}-0000000B1", "boundaryName": "Congo, DR",
            "boundaryISO": "COD", "boundaryType": f"ADM{level}",
            "boundaryCanonical": "territory, city" if level == 2 else "province",
            "boundaryLicense": "Creative Commons Attribution 3.0 Intergovernmental "
                               "Organisations (CC BY 3.0 IGO)",
            "boundarySource": "Référentiel Géographique Commun",
            "staticDownloadLink": download.replace(".geojson", ".zip"),
            "gjDownloadURL": download, "tjDownloadURL": download + ".topojson",
            "simplifiedGeometryGeoJSON": download.replace(".geojson",
                                                          "_simplified.geojson")}


def natural_earth() -> dict:
    """Natural Earth admin-1 features of the DRC (pre-2015 provinces)."""
    rows = [("Nord-Kivu", "CD-NK", (27.3, -2.0, 30.0, 0.95)),
            ("Sud-Kivu", "CD-SK", (26.9, -5.0, 29.4, -2.01)),
            ("Orientale", "CD-OR", (22.0, 0.96, 31.3, 5.3))]
    return _collection([{"name": n, "name_fr": n, "iso_3166_2": iso,
                         "adm1_code": f"COD-{i}", "adm0_a3": "COD", "admin":
                         "Democratic Republic of the Congo"}
                        for i, (n, iso, _) in enumerate(rows)], [b for *_, b in rows])


def _collection(properties: list[dict], boxes: list[tuple]) -> dict:
    """A GeoJSON FeatureCollection of boxes."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": mapping(box(*bounds))}
        for props, bounds in zip(properties, boxes, strict=True)]}


IPIS_KNOWN = ["vid", "project", "visit_date", "name", "pcode", "longitude", "latitude",
              "province", "territoire", "collectivite", "groupement", "village",
              "workers_numb", "mineral1", "mineral2", "mineral3", "interference",
              "presence", "armed_group1", "type_armed_group1", "armed_group2",
              "type_armed_group2", "armed_group3", "type_armed_group3",
              "is_gold_mine", "is_3t_mine", "qualification", "source"]
IPIS_COLUMNS = IPIS_KNOWN + [f"unused_{n:02d}" for n in range(34)]
"""The columns seen in published uses of the IPIS data, padded to the 60-odd of the
real file with placeholder columns the loader must ignore."""

# vid, date, name, pcode, lon, lat, province, workers, minerals, interference, groups,
# qualification
IPIS_VISITS = [
    (101, "2013-06-02", "Luwowo", "codmine00101", 28.891050, -1.570883, "Nord-Kivu",
     300, ("Coltan", ""), 1, ("FDLR", ""), "non qualifié"),
    (205, "2019-11-20", "Luwowo", "codmine00101", 28.891050, -1.570883, "Nord-Kivu",
     1200, ("Coltan", "Cassitérite"), 1, ("FARDC", "Nyatura"), "vert"),
    (150, "2016-03-14", "Luwowo", "codmine00101", 28.891050, -1.570883, "Nord-Kivu",
     800, ("Coltan", ""), 0, ("", ""), "jaune"),
    (120, "2015-08-01", "Mobale", "codmine00777", 28.173777, -3.071156, "Sud-Kivu",
     450, ("Or", ""), 0, ("", ""), ""),
    (130, "2018-01-05", "Kolwezi-sud", "codmine09999", 25.47, -10.72, "Lualaba",
     90, ("Cuivre", "Cobalt"), 0, ("", ""), ""),
    (140, "2017-05-05", "Sans coordonnees", "codmine00555", "", "", "Sud-Kivu",
     10, ("Or", ""), 0, ("", ""), ""),
]


def ipis_rows() -> list[dict]:
    """IPIS visits as dictionaries of all columns (placeholders empty)."""
    rows = []
    for (vid, day, name, code, lon, lat, province, workers, minerals, interference,
         groups, qualification) in IPIS_VISITS:
        row = dict.fromkeys(IPIS_COLUMNS, "")
        row.update({"vid": vid, "project": "IPIS - test", "visit_date": day,
                    "name": name, "pcode": code, "longitude": lon, "latitude": lat,
                    "province": province, "workers_numb": workers,
                    "mineral1": minerals[0], "mineral2": minerals[1],
                    "interference": interference, "presence": interference,
                    "armed_group1": groups[0], "armed_group2": groups[1],
                    "qualification": qualification, "source": "IPIS"})
        rows.append(row)
    return rows


def ipis_csv(path: Path, *, rename: dict[str, str] | None = None) -> Path:
    """The IPIS visits CSV (one row per visit), optionally with columns renamed."""
    columns = [(rename or {}).get(c, c) for c in IPIS_COLUMNS]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in ipis_rows():
            writer.writerow([row[c] for c in IPIS_COLUMNS])
    return path


def ipis_wfs() -> dict:
    """The IPIS WFS GetFeature answer (GeoJSON, one feature per visit)."""
    features = []
    for i, row in enumerate(ipis_rows()):
        has_point = row["longitude"] != ""
        features.append({
            "type": "Feature", "id": f"cod_mines_curated_all_opendata_p_ipis.{i + 1}",
            "geometry": {"type": "Point", "coordinates": [row["longitude"],
                                                          row["latitude"]]}
            if has_point else None,
            "geometry_name": "geom",
            "properties": {k: (None if v == "" else v) for k, v in row.items()}})
    return {"type": "FeatureCollection", "totalFeatures": len(features),
            "features": features,
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}}


# The DTM API v3 admin-2 record and envelope, as in OCHA's collector fixtures
# (OCHA-DAP/hdx-scraper-iom-dtm @95d00f0, tests/fixtures/input/
# displacement-admin2-admin0pcode-hti.json: {result, statusCode, isSuccess,
# errorMessages, totalRecordsCount}); OCHA's HDX CSV adds adminLevel and
# operationStatus and an HXL row (tests/fixtures/global-iom-dtm-from-api-admin-0-to-2.csv).
DTM_COLUMNS = ["id", "operation", "admin0Name", "admin0Pcode", "admin1Name",
               "admin1Pcode", "admin2Name", "admin2Pcode", "numPresentIdpInd",
               "reportingDate", "yearReportingDate", "monthReportingDate", "roundNumber",
               "displacementReason", "numberMales", "numberFemales",
               "idpOriginAdmin1Name", "idpOriginAdmin1Pcode", "assessmentType"]
DTM_CSV_COLUMNS = [*DTM_COLUMNS[:8], "adminLevel", *DTM_COLUMNS[8:], "operationStatus"]
DTM_HXL = {"id": "#id+code", "operation": "#operation+name",
           "admin0Name": "#country+name", "admin0Pcode": "#country+code",
           "admin1Name": "#adm1+name", "admin1Pcode": "#adm1+code",
           "admin2Name": "#adm2+name", "admin2Pcode": "#adm2+code",
           "adminLevel": "#adm+level", "numPresentIdpInd": "#affected+idps",
           "reportingDate": "#date+reported", "yearReportingDate": "#date+year+reported",
           "monthReportingDate": "#date+month+reported", "roundNumber": "#round+code",
           "displacementReason": "#cause+type", "numberMales": "#affected+idps+m",
           "numberFemales": "#affected+idps+f",
           "idpOriginAdmin1Name": "#adm1+name+origin",
           "idpOriginAdmin1Pcode": "#adm1+code+origin",
           "assessmentType": "#assessment+type", "operationStatus": "#operation+status"}
# admin1 pcode, admin1 name, admin2 pcode, admin2 name, people, date, round
DTM_ROWS = [
    ("CD61", "Nord-Kivu", "CD6111", "Rutshuru", 1000, "2024-01-31", 1),
    ("CD61", "Nord-Kivu", "CD6111", "Rutshuru", 1500, "2024-04-30", 2),
    ("CD61", "Nord-Kivu", "CD6101", "Goma", 700, "2024-04-30", 2),
    ("CD62", "Sud-Kivu", "CD6201", "Bukavu", 300, "2024-04-30", 2),
    ("CD54", "Ituri", "CD5405", "Djugu", 9000, "2024-04-30", 2),
]


def dtm_records() -> list[dict]:
    """DTM admin-2 records as the API returns them."""
    return [dict(zip(DTM_COLUMNS, [i + 1, "M23 crisis", "Democratic Republic of the Congo",
                                   "COD", n1, p1, n2, p2, people, f"{day}T00:00:00",
                                   int(day[:4]), int(day[5:7]), rnd, "Conflict", None,
                                   None, "Not available", "Not available", "BA"],
                     strict=True))
            for i, (p1, n1, p2, n2, people, day, rnd) in enumerate(DTM_ROWS)]


def dtm_xlsx(path: Path) -> Path:
    """An API-shaped DTM spreadsheet: a notes sheet, then header, HXL row and data."""
    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["IOM DTM - North Kivu M23 crisis - baseline assessment"])
    sheet = book.create_sheet("IDP_Admin2")
    sheet.append(DTM_COLUMNS)
    sheet.append([DTM_HXL[c] for c in DTM_COLUMNS])
    for record in dtm_records():
        sheet.append([record[c] for c in DTM_COLUMNS])
    book.save(path)
    return path


def dtm_hdx_csv(path: Path) -> Path:
    """OCHA's 'cod-iom-dtm-from-api-admin-0-to-2.csv': header, HXL row, then the
    country (level 0) and province (level 1) totals beside the territory rows."""
    rows = []
    for record in dtm_records():
        rows.append({**record, "adminLevel": 2, "operationStatus": "Active"})
    for level, (p1, n1) in ((0, ("", "")), (1, ("CD61", "Nord-Kivu"))):
        total = sum(r["numPresentIdpInd"] for r in rows if r["roundNumber"] == 2 and (
            level == 0 or r["admin1Pcode"] == p1))
        rows.append({**rows[1], "id": None, "admin1Pcode": p1, "admin1Name": n1,
                     "admin2Pcode": "", "admin2Name": "", "adminLevel": level,
                     "numPresentIdpInd": total})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(DTM_CSV_COLUMNS)
        writer.writerow([DTM_HXL[c] for c in DTM_CSV_COLUMNS])
        for row in rows:
            writer.writerow(["" if row[c] is None else row[c] for c in DTM_CSV_COLUMNS])
    return path


def dtm_api(records: list[dict] | None = None) -> dict:
    """The DTM API v3 envelope."""
    result = dtm_records() if records is None else records
    return {"result": result, "statusCode": 200, "isSuccess": True,
            "errorMessages": [], "totalRecordsCount": len(result)}


# DTM DRC's labelled sheets, as read in an NGO analyst's public R scripts ("BD DTM",
# Mercy Corps DRC crisis analysis team): sheet 'Summary - Health Zone' of
# DTM_DRC_NationalDisplacementOverview_Sep24.xlsx, 'admin_1_label' and
# 'admin_2_label' as raw headers; the figure columns are known only in their
# janitor::clean_names() form, which is what this fixture writes.
DTM_LABEL_COLUMNS = ["admin_1_label", "admin_2_label",
                     "pd_is_en_famille_daccueil_arrivees_derniers_36_mois_individus",
                     "total_pdi_fa36_sites_cccm_sites_spont", "population_dps_2023"]
DTM_LABEL_ROWS = [
    ("Nord-Kivu", "Rutshuru", 5000, 8000, 1200000),
    ("Nord-Kivu", "Rutshuru", 1000, 2500, 1200000),
    ("Nord-Kivu", "BENI (Territoire / Oicha)", 3000, 4000, 900000),
    ("Nord-Kivu", "BUTEMBO (Ville)", 200, 300, 800000),
    ("Ituri", "Djugu", 9000, 12000, 1900000),
]


def dtm_labelled_xlsx(path: Path, *, date: str | None = "2024-09-19") -> Path:
    """A DTM DRC workbook with the 'Summary - Health Zone' sheet (one row per zone)."""
    book = Workbook()
    book.active.title = "Cover"
    sheet = book.create_sheet("Summary - Health Zone")
    sheet.append([*DTM_LABEL_COLUMNS, *(["Date"] if date else [])])
    for row in DTM_LABEL_ROWS:
        sheet.append([*row, *([date] if date else [])])
    book.save(path)
    return path


# ACLED's columns in their order (dtacled/acledR @1e05ba9, data/acled_old_dummy.rda)
# and event types (data/acled_event_categories.rda).
ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision",
                 "disorder_type", "event_type", "sub_event_type", "actor1",
                 "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country",
                 "admin1", "admin2", "admin3", "location", "latitude", "longitude",
                 "geo_precision", "source", "source_scale", "notes", "fatalities",
                 "tags", "timestamp"]
ACLED_TYPES = ["Battles", "Violence against civilians", "Explosions/Remote violence",
               "Protests", "Riots", "Strategic developments"]
ACLED_EVENTS = [
    # event_id_cnty, event_date, event_type, admin1, admin2, fatalities
    ("DRC1", "2025-01-26", "Battles", "Nord-Kivu", "Goma", 12),
    ("DRC2", "2025-01-27", "Battles", "Nord-Kivu", "Goma", 30),
    ("DRC3", "2025-01-30", "Violence against civilians", "Nord-Kivu", "Goma", 2),
    ("DRC4", "2025-02-14", "Battles", "Sud-Kivu", "Bukavu", 5),
    ("DRC5", "2025-02-14", "Battles", "Ituri", "Djugu", 7),
]


def acled_row(event_id: str, day: str, kind: str, admin1: str, admin2: str,
              fatalities: int, lon: float, lat: float) -> dict:
    """One event with every ACLED column (actors, notes and sources synthetic)."""
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update({"event_id_cnty": event_id, "event_date": day, "year": day[:4],
                "time_precision": "1", "event_type": kind,
                "sub_event_type": "Armed clash" if kind == "Battles" else "Attack",
                "actor1": "M23: March 23 Movement",
                "actor2": "Military Forces of the Democratic Republic of Congo (2019-)",
                "iso": "180", "region": "Middle Africa",
                "country": "Democratic Republic of Congo", "admin1": admin1,
                "admin2": admin2, "location": admin2, "latitude": f"{lat:.4f}",
                "longitude": f"{lon:.4f}", "geo_precision": "1",
                "source": "Radio Okapi", "notes": f"Event notes {event_id} (secret)",
                "fatalities": str(fatalities), "timestamp": "1738000000"})
    return row


def _inside(pcode: str) -> tuple[float, float]:
    """A point near the middle of a synthetic territory."""
    *_, bounds = next(t for t in TERRITORIES if t[0] == pcode)
    return (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2


def acled_answer(events=ACLED_EVENTS) -> dict:
    """ACLED's read endpoint answer (JSON) for a few events."""
    where = {"Goma": "CD6101", "Bukavu": "CD6201", "Djugu": "CD5405"}
    data = [acled_row(e, d, t, a1, a2, f, *_inside(where[a2]))
            for e, d, t, a1, a2, f in events]
    return {"status": 200, "success": True, "count": len(data), "data": data}


def acled_events(count: int = 300, seed: int = 7) -> list[dict]:
    """*count* synthetic events in the synthetic territories, 2024-11 to 2025-04.

    Deterministic; coordinates carry 4 decimals as ACLED's do, and none of them is a
    round number, so an output that leaks one can be found by its text.
    """
    rng = random.Random(seed)
    places = [(t[1], t[4], t[-1]) for t in TERRITORIES]
    rows = []
    for n in range(count):
        name, province, (minx, miny, maxx, maxy) = places[n % len(places)]
        lon = rng.uniform(minx + 0.01, maxx - 0.01)
        lat = rng.uniform(miny + 0.01, maxy - 0.01)
        month = 10 + (n // len(places)) % 6  # 2024-11 to 2025-04
        day = f"{2024 + month // 12}-{month % 12 + 1:02d}-{1 + n % 28:02d}"
        kind = ACLED_TYPES[rng.randrange(len(ACLED_TYPES))]
        rows.append(acled_row(f"DRC{90000 + n}", day, kind, province, name,
                              rng.choice([0, 0, 1, 2, 5]), lon, lat))
    return rows


def acled_csv(path: Path, rows: list[dict]) -> Path:
    """ACLED events as a CSV export (ACLED's column names and order)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACLED_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def zipped(files: dict[str, bytes]) -> bytes:
    """Bytes of a zip holding *files*."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def dumps(value: dict) -> bytes:
    """JSON bytes."""
    return json.dumps(value).encode("utf-8")
