"""Make the base-map context layers in this folder from Natural Earth data.

The files this writes (countries.geojson, lakes.geojson) are committed; geomap
reads them and never runs this script at build time. Run it again only to remake
them:

    python shapes/context/make_context.py \
        --countries node_modules/world-atlas/countries-10m.json \
        --lake-shapes ne_50m_lakes_geometry_only.geojson \
        --lakes ne_50m_lakes.geojson \
        --lakes ne_110m_lakes.geojson

--countries is the TopoJSON of the npm package world-atlas (Natural Earth
admin-0 countries). --lakes may be given several times: each lake is taken from
the first file that has it, so list the most detailed file first (Natural
Earth's 1:50m lakes lack Lake Tanganyika, which the 1:110m file fills in).
--lake-shapes (optional) is a lakes file without attributes (an older 1:50m
copy that still has Lake Tanganyika and reaches past the --lakes extracts): its
shapes are drawn, each named by the --lakes feature that covers most of it, and
left unnamed when none does (names are never made up).
--rivers (optional) takes a Natural Earth rivers file; none is committed today.
Any format GDAL reads works for --lakes and --rivers. See README.md for the
provenance.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box, mapping
from shapely.geometry.polygon import orient

# Kivu provinces (about lon 26-31.5, lat -5.5 to 1.5) with a margin wide enough
# to fill the web map's first view on a wide screen (about lon 18-39 at 1920 px).
BBOX = (17.5, -9.0, 39.5, 4.5)
DIGITS = 4  # about 11 m at the equator, finer than the 1:10m to 1:110m sources
COUNTRY_TOLERANCE = 0.001  # degrees (~110 m), Douglas-Peucker on shared arcs
WATER_TOLERANCE = 0.001  # degrees, Douglas-Peucker on each lake and river

LICENSE = "Public domain (Natural Earth)"

# ISO 3166-1 numeric id used by world-atlas -> (ISO alpha-3, English, French).
COUNTRIES = {
    "180": ("COD", "Democratic Republic of the Congo", "République démocratique du Congo"),
    "646": ("RWA", "Rwanda", "Rwanda"),
    "800": ("UGA", "Uganda", "Ouganda"),
    "108": ("BDI", "Burundi", "Burundi"),
    "834": ("TZA", "Tanzania", "Tanzanie"),
    "404": ("KEN", "Kenya", "Kenya"),
    "728": ("SSD", "South Sudan", "Soudan du Sud"),
    "140": ("CAF", "Central African Republic", "République centrafricaine"),
    "178": ("COG", "Republic of the Congo", "République du Congo"),
    "894": ("ZMB", "Zambia", "Zambie"),
    "024": ("AGO", "Angola", "Angola"),
    "231": ("ETH", "Ethiopia", "Éthiopie"),
    "454": ("MWI", "Malawi", "Malawi"),
}
# Where a country's name is drawn when the middle of its shape is a bad place: the
# DR Congo's is put north-west of the Kivus (its middle, once clipped, lies under the
# web map's legend, and its old one ran across Lake Kivu).
LABEL_AT = {"COD": (25.9, -0.7)}

# French names written out, by Natural Earth's `name`; other lakes take Natural
# Earth's `name_fr` with a capital ("lac Rukwa" -> "Lac Rukwa").
LAKES = {
    "Lake Kivu": "Lac Kivu",
    "Lake Edward": "Lac Édouard",
    "Lake Albert": "Lac Albert",
    "Lake Tanganyika": "Lac Tanganyika",
    "Lake Victoria": "Lac Victoria",
}
REQUIRED_LAKES = tuple(LAKES)
"""Lakes the box must hold: the script says so when an input lacks one."""


def decode_topojson(topology: dict, object_name: str, tolerance: float) -> list[dict]:
    """Return the geometries of one TopoJSON object as GeoJSON-like features.

    Arcs are delta-encoded integers when the topology has a transform. Each
    arc is simplified once, before rings are assembled, so that two countries
    sharing a border keep exactly the same simplified line.
    """
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [tuple(p[:2]) for p in arc]
        if tolerance and len(points) > 2:
            points = list(LineString(points).simplify(tolerance).coords)
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        coords: list[tuple[float, float]] = []
        for i in indexes:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            coords.extend(part if not coords else part[1:])
        return coords

    features = []
    for geom in topology["objects"][object_name]["geometries"]:
        if geom["type"] == "Polygon":
            polygons = [geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            polygons = geom["arcs"]
        else:
            continue
        parts = []
        for rings in polygons:
            built = [ring(r) for r in rings]
            if len(built[0]) >= 4:
                parts.append(Polygon(built[0], [r for r in built[1:] if len(r) >= 4]))
        features.append({"id": geom.get("id"), "properties": geom.get("properties", {}),
                         "geometry": MultiPolygon(parts)})
    return features


def tidy(geom, tolerance: float = 0.0):
    """Clip to BBOX, simplify, round, repair, orient polygons counter-clockwise (RFC 7946)."""
    geom = geom.intersection(box(*BBOX))
    if tolerance:
        geom = geom.simplify(tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, 10 ** -DIGITS)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        kept = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon",
                                                          "LineString", "MultiLineString")]
        geom = shapely.union_all(kept) if kept else Polygon()
    if geom.geom_type == "Polygon":
        geom = orient(geom, 1.0)
    elif geom.geom_type == "MultiPolygon":
        geom = MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    return geom


def rounded(obj):
    """Round every coordinate of a GeoJSON geometry mapping to DIGITS decimals."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DIGITS) for v in obj[:2]]
        return [rounded(o) for o in obj]
    return obj


def feature(geom, properties: dict) -> dict:
    g = mapping(geom)
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": g["type"], "coordinates": rounded(g["coordinates"])}}


def write(path: Path, features: list[dict], name: str) -> None:
    doc = {"type": "FeatureCollection", "name": name, "bbox": list(BBOX),
           "features": features}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
    sys.stdout.write(f"{path.name}: {len(features)} features, {path.stat().st_size:,} bytes\n")


def make_countries(path: Path, version: str) -> list[dict]:
    topology = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in decode_topojson(topology, "countries", COUNTRY_TOLERANCE):
        if item["id"] not in COUNTRIES:
            continue
        iso3, name, name_fr = COUNTRIES[item["id"]]
        geom = tidy(item["geometry"])
        if geom.is_empty:
            continue
        label = geom.representative_point()
        if iso3 in LABEL_AT:
            label = shapely.Point(LABEL_AT[iso3])
            if not geom.contains(label):
                sys.exit(f"the label point of {iso3} lies outside its shape")
        out.append(feature(geom, {
            "iso3": iso3, "name": name, "name_fr": name_fr,
            "label_lon": round(label.x, 3), "label_lat": round(label.y, 3),
            "source": f"Natural Earth 1:10m Admin 0 Countries, via world-atlas {version}",
            "license": LICENSE,
        }))
    out.sort(key=lambda f: f["properties"]["iso3"])
    return out


# French names where Natural Earth's name_fr is wrong here (Ituri: "Rio Ituxi") or
# names the whole river system (Victoria Nile: "Nil Blanc"); Ruzizi is the usual
# French spelling of the Rusizi.
RIVER_NAMES_FR = {"Victoria Nile": "Nil Victoria", "Albert Nile": "Nil Albert",
                  "Ituri": "Ituri", "Rusizi": "Ruzizi"}


def scale_of(path: Path) -> str:
    """The Natural Earth scale in a file name, and its version when a VERSION file is beside it."""
    name = path.name.lower()
    scale = "1:110m" if "110m" in name else "1:10m" if "10m" in name else "1:50m"
    version = path.with_name(path.stem + ".VERSION.txt")
    if version.is_file():
        scale += " v" + version.read_text(encoding="utf-8").strip()
    return scale


def _named_lakes(paths: list[Path]) -> dict[str, tuple[object, dict]]:
    """Each lake of the named files by Natural Earth `name`: (shape, properties), the
    first file that has it winning."""
    found: dict[str, tuple[object, dict]] = {}
    for path in paths:
        frame = gpd.read_file(path)
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
        frame = frame[frame.intersects(box(*BBOX))]
        for _, row in frame.iterrows():
            name = row.get("name")
            if not isinstance(name, str) or name in found or row.geometry is None:
                continue
            english = name if name.startswith("Lake ") or not isinstance(
                row.get("name_en"), str) else row.get("name_en")  # Lac Moeru: Lake Mweru
            french = LAKES.get(name) or _capital(row.get("name_fr")) or english
            found[name] = (row.geometry, {
                "name": english, "name_fr": french,
                "source": f"Natural Earth {scale_of(path)} Lakes and Reservoirs"})
    return found


def _capital(text: object) -> str | None:
    """*text* with a capital first letter (None when it is not text)."""
    return text[:1].upper() + text[1:] if isinstance(text, str) and text else None


def make_lakes(paths: list[Path], shapes: Path | None = None) -> list[dict]:
    named = _named_lakes(paths)
    drawn: list[tuple[object, dict]] = []
    if shapes is not None:
        frame = gpd.read_file(shapes)
        frame = frame[frame.intersects(box(*BBOX))]
        for shape in frame.geometry:
            best = max(named.items(), default=None, key=lambda item: (
                item[1][0].intersection(shape).area, item[0]))
            share = (best[1][0].intersection(shape).area
                     / min(best[1][0].area, shape.area)) if best else 0.0
            if share > 0.5:
                name, (_, props) = best
                named.pop(name)
                props = {**props, "source": f"Natural Earth {scale_of(shapes)} Lakes "
                         f"and Reservoirs (shape), named from {props['source']}"}
            else:
                props = {"name": None, "name_fr": None,
                         "source": f"Natural Earth {scale_of(shapes)} Lakes and "
                                   "Reservoirs (shape; no name in the file)"}
            drawn.append((shape, props))
    drawn += list(named.values())
    out = []
    for shape, props in drawn:
        geom = tidy(shape, WATER_TOLERANCE)
        if not geom.is_empty:
            out.append(feature(geom, {**props, "license": LICENSE}))
    names = {f["properties"]["name"] for f in out}
    missing = sorted(set(REQUIRED_LAKES) - names)
    if missing:
        sys.stderr.write("lakes not found in any input: " + ", ".join(missing) + "\n")
    out.sort(key=lambda f: (f["properties"]["name"] is None, f["properties"]["name"]
                            or "", -shapely.area(shapely.geometry.shape(f["geometry"]))))
    return out


def make_rivers(path: Path) -> list[dict]:
    frame = gpd.read_file(path)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    frame = frame[frame.intersects(box(*BBOX))]
    if "featurecla" in frame.columns:
        # Lake centerlines run across the lakes drawn in lakes.geojson: leave them out.
        frame = frame[frame["featurecla"] == "River"]
    merged: dict[str, list] = {}
    names: dict[str, tuple[str, str]] = {}
    for _, row in frame.iterrows():
        name = row.get("name")
        if not isinstance(name, str) or not name:
            continue
        merged.setdefault(name, []).append(row.geometry)
        fr = row.get("name_fr") if isinstance(row.get("name_fr"), str) else name
        fr = RIVER_NAMES_FR.get(name, fr)
        names[name] = (name, fr)
    out = []
    for name in sorted(merged):
        geom = shapely.line_merge(shapely.union_all(merged[name]))
        geom = tidy(geom, WATER_TOLERANCE)
        if geom.is_empty or geom.length == 0:
            continue
        out.append(feature(geom, {
            "name": names[name][0], "name_fr": names[name][1],
            "source": f"Natural Earth {scale_of(path)} Rivers and Lake Centerlines",
            "license": LICENSE,
        }))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=Path, required=True,
                        help="world-atlas countries-10m.json (TopoJSON)")
    parser.add_argument("--world-atlas-version", default="2.0.2")
    parser.add_argument("--lakes", type=Path, action="append", required=True,
                        help="Natural Earth lakes file; repeat, most detailed first")
    parser.add_argument("--lake-shapes", type=Path,
                        help="lakes file without attributes, named from --lakes")
    parser.add_argument("--rivers", type=Path,
                        help="Natural Earth rivers_lake_centerlines file (optional)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)

    write(args.out / "countries.geojson",
          make_countries(args.countries, args.world_atlas_version), "countries")
    write(args.out / "lakes.geojson", make_lakes(args.lakes, args.lake_shapes),
          "lakes")
    if args.rivers:
        write(args.out / "rivers.geojson", make_rivers(args.rivers), "rivers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
