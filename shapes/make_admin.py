"""Write shapes/admin.geojson from the OCHA COD-AB DRC admin-2 release of 2017-07-11.

Usage::

    python shapes/make_admin.py PATH/TO/cod_admbnda_adm2_rgc_20170711.shp [OUT]

It keeps the 24 territories and villes of Nord-Kivu (CD61) and Sud-Kivu (CD62), simplifies
them together as one coverage (shapely.coverage_simplify, so neighbours stay gap-free and
the villes stay exact holes of their territories), rounds coordinates to 5 decimals and
writes them as level-2 rows. The two provinces are written as level-1 rows that are the
union of their own simplified territories, so the levels nest exactly. Output is RFC 7946
(exterior rings counter-clockwise, no crs member), sorted by P-code, byte-stable.

Names: COD-AB 2017 labels the Beni *territory* (CD6107) "Oicha", with "Beni" only as its
alternative name; it is written here as "Beni" and the published label is kept in
``name_cod``. Villes that share their name with a territory (Beni, Rutshuru, Shabunda,
Uvira) get " (ville)" in ``name`` so the two are never confused by name.
See shapes/README.md for provenance and licence.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape

TOLERANCE = 0.004  # degrees, about 450 m
DIGITS = 5
PROVINCES = {
    "CD61": ("Nord-Kivu", "CD-NK"),
    "CD62": ("Sud-Kivu", "CD-SK"),
}
VILLES = {"CD6101", "CD6108", "CD6109", "CD6110", "CD6112", "CD6201", "CD6204", "CD6209",
          "CD6211", "CD6213"}
RENAMED = {
    "CD6107": ("Beni", ("COD-AB 2017 labels this polygon 'Oicha' (alternative name "
                        "'Beni'); it is the Beni territory (7,308 km2). The ville "
                        "d'Oicha is CD6108.")),
    "CD6109": ("Beni (ville)", None),
    "CD6112": ("Rutshuru (ville)", "An enclave in the Rutshuru territory polygon CD6111."),
    "CD6204": ("Shabunda (ville)", "An enclave in the Shabunda territory polygon CD6203."),
    "CD6209": ("Uvira (ville)", None),
}
SOURCE = ("OCHA / Référentiel Géographique Commun (RGC), COD-AB DRC admin-2 "
          "cod_admbnda_adm2_rgc_20170711, via World Bank Data Catalog")
URL = ("https://datacatalog.worldbank.org/search/dataset/0040240/"
       "Democratic-Republic-of-the-Congo---Administrative-Boundaries")
LICENSE = ("CC BY 4.0 (World Bank Data Catalog): Source: OCHA / Référentiel Géographique "
           "Commun (RGC), COD-AB DRC 2017-07-11, via World Bank Data Catalog")
DATE = "2017-07-11"


def _round(geometry):
    """Round to DIGITS decimals and orient exterior rings counter-clockwise."""
    rounded = shapely.set_precision(geometry, 10 ** -DIGITS)
    return shapely.orient_polygons(rounded, exterior_cw=False) \
        if hasattr(shapely, "orient_polygons") else shapely.geometry.polygon.orient(rounded)


def _coords(value):
    """Coordinates as nested lists with floats rounded to DIGITS."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
        return [round(float(v), DIGITS) for v in value]
    return [_coords(v) for v in value]


def main(source: Path, out: Path) -> None:
    frame = gpd.read_file(source)
    frame = frame.loc[frame["ADM1_PCODE"].isin(PROVINCES)].sort_values("ADM2_PCODE")
    if len(frame) != 24:
        message = f"expected 24 Kivu areas in {source.name}, found {len(frame)}"
        raise SystemExit(message)
    simplified = shapely.coverage_simplify(frame.geometry.to_numpy(), TOLERANCE)
    simplified = [_round(g) for g in simplified]
    features = []
    for (_, row), geometry in zip(frame.iterrows(), simplified, strict=True):
        pcode = row["ADM2_PCODE"]
        name, note = RENAMED.get(pcode, (row["ADM2_FR"], None))
        kind = "ville" if pcode in VILLES else "territoire"
        if not geometry.is_valid or geometry.is_empty:
            message = f"{pcode}: invalid geometry after simplification"
            raise SystemExit(message)
        features.append({"pcode": pcode, "name": name, "level": 2,
                         "parent_pcode": row["ADM1_PCODE"], "type": kind,
                         "name_cod": row["ADM2_FR"], "note": note, "geometry": geometry})
    rows = []
    for pcode, (name, iso) in PROVINCES.items():
        parts = [f["geometry"] for f in features if f["parent_pcode"] == pcode]
        union = _round(shapely.union_all(parts))
        rows.append({"pcode": pcode, "name": name, "level": 1, "parent_pcode": "CD",
                     "type": "province", "iso_3166_2": iso, "name_cod": name,
                     "note": (f"Union of the {len(parts)} simplified COD-AB 2017 "
                              "admin-2 areas of the province, so that levels nest exactly."),
                     "geometry": union})
    rows.extend(features)
    lines = []
    for row in rows:
        geometry = row.pop("geometry")
        properties = {key: row.get(key) for key in
                      ("pcode", "name", "level", "parent_pcode", "type", "iso_3166_2",
                       "name_cod", "source", "url", "date", "note", "license")
                      if key in row or key in ("source", "url", "date", "license")}
        properties.update({"source": SOURCE, "url": URL, "date": DATE, "license": LICENSE})
        properties = {k: v for k, v in properties.items() if v is not None}
        geojson = mapping(geometry)
        geojson = {"type": geojson["type"], "coordinates": _coords(geojson["coordinates"])}
        if not shape(geojson).is_valid:
            message = f"{properties['pcode']}: invalid after writing"
            raise SystemExit(message)
        lines.append(json.dumps({"type": "Feature", "properties": properties,
                                 "geometry": geojson}, ensure_ascii=False,
                                separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    out.write_text(text, encoding="utf-8")
    size = len(text.encode("utf-8")) / 1024
    sys.stdout.write(f"wrote {out} ({size:.0f} KB, {len(rows)} features)\n")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]),
         Path(sys.argv[2]) if len(sys.argv) == 3 else Path(__file__).with_name("admin.geojson"))
