"""Files in each publisher's shape, generated in code for the sources tests.

Column names follow the publishers' files and APIs (OCHA COD-AB, geoBoundaries,
Natural Earth, IPIS, IOM DTM, ACLED). Values are synthetic: small boxes and points in
the right provinces, fake mine codes.
"""

from __future__ import annotations

import csv
import io
import json
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
            frame.to_file(work / f"{stem}.shp", engine="pyogrio")
            for part in sorted(work.glob(f"{stem}.*")):
                archive.write(part, f"{folder}{part.name}")
    return path


def cod_ab_zip(path: Path, columns: dict[str, str] = COD_AB_2017) -> Path:
    """A COD-AB style zip with one ADM2 shapefile in a subfolder."""
    return write_shapefile_zip({"cod_admbnda_adm2_rgc_20190911": cod_ab_frame(columns)},
                               path, folder="cod_admbnda_rgc_itos_20190911_shp/")


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


DTM_COLUMNS = ["id", "operation", "admin0Name", "admin0Pcode", "admin1Name",
               "admin1Pcode", "admin2Name", "admin2Pcode", "numPresentIdpInd",
               "reportingDate", "yearReportingDate", "monthReportingDate", "roundNumber",
               "displacementReason", "idpOriginAdmin1Name", "assessmentType"]
DTM_HXL = ["#id+code", "#operation+name", "#country+name", "#country+code", "#adm1+name",
           "#adm1+code", "#adm2+name", "#adm2+code", "#affected+idps",
           "#date+reported", "#date+year+reported", "#date+month+reported",
           "#round+code", "", "", "#assessment+type"]
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
                                   int(day[:4]), int(day[5:7]), rnd, "Conflict", n1,
                                   "Baseline Assessment"], strict=True))
            for i, (p1, n1, p2, n2, people, day, rnd) in enumerate(DTM_ROWS)]


def dtm_xlsx(path: Path) -> Path:
    """A DTM spreadsheet as on HDX: a notes sheet, then header, HXL row and data."""
    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["IOM DTM - North Kivu M23 crisis - baseline assessment"])
    sheet = book.create_sheet("IDP_Admin2")
    sheet.append(DTM_COLUMNS)
    sheet.append(DTM_HXL)
    for record in dtm_records():
        sheet.append([record[c] for c in DTM_COLUMNS])
    book.save(path)
    return path


def dtm_api(records: list[dict] | None = None) -> dict:
    """The DTM API v3 envelope."""
    return {"isSuccess": True, "message": None, "errorMessages": [],
            "result": dtm_records() if records is None else records}


ACLED_EVENTS = [
    # event_id_cnty, event_date, event_type, admin1, admin2, fatalities
    ("DRC1", "2025-01-26", "Battles", "Nord-Kivu", "Goma", 12),
    ("DRC2", "2025-01-27", "Battles", "Nord-Kivu", "Goma", 30),
    ("DRC3", "2025-01-30", "Violence against civilians", "Nord-Kivu", "Goma", 2),
    ("DRC4", "2025-02-14", "Battles", "Sud-Kivu", "Bukavu", 5),
    ("DRC5", "2025-02-14", "Battles", "Ituri", "Djugu", 7),
]


def acled_answer(events=ACLED_EVENTS) -> dict:
    """ACLED's read endpoint answer (JSON)."""
    data = [{"event_id_cnty": e, "event_date": d, "year": d[:4], "event_type": t,
             "sub_event_type": "Armed clash", "actor1": "M23: March 23 Movement",
             "actor2": "Military Forces of the Democratic Republic of Congo (2019-)",
             "country": "Democratic Republic of Congo", "admin1": a1, "admin2": a2,
             "location": a2, "latitude": "-1.67", "longitude": "29.22",
             "fatalities": str(f), "notes": f"Event notes {e} (must not be published)"}
            for e, d, t, a1, a2, f in events]
    return {"status": 200, "success": True, "count": len(data), "data": data}


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
