"""Territory polygons for the benchmark and the scale tests: real, synthetic or boxes.

Three kinds, all in EPSG:4326 with ``pcode``, ``name``, ``level``, ``parent_pcode`` and
``source`` columns (the admin layer's columns):

- ``"real"``: the 24 OCHA COD-AB territories of North and South Kivu, read in place
  from ``shared/data/real`` next to the repository (never copied). Complex outlines:
  about 940 vertices each on average, up to 4,400.
- ``"synthetic"``: **synthetic** territory-like polygons, not real boundaries: 35
  Voronoi cells of seeded random points over ``geomap.schema.KIVU_BOUNDS``, clipped to
  it, whose shared edges are densified and given a seeded fractal wiggle (midpoint
  displacement), so that each cell has a complex outline, as real territories do
  (with the default seed: 771 to 3,145 vertices, mean about 1,950). Every shared edge is made once and both neighbours are assembled from it
  (``shapely.polygonize``), so neighbours share identical vertices: the cells are
  valid, do not overlap and cover the bounds exactly. The outer sides along the
  bounds stay straight.
- ``"grid"``: a 7 x 5 grid of rectangular boxes over the same bounds. The easy case
  for a spatial join: a point-in-box test is trivial, so a hand-written ``sjoin``
  runs far faster on boxes than on any real outline.

``"auto"`` takes the real territories when their file is there, else the synthetic
ones. The same arguments always give the same polygons.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint, box

from geomap.schema import KIVU_BOUNDS


def _real_admin() -> Path:
    """The 24 real Kivu territories in ``shared/data/real`` next to the repository or
    one of its parent folders (the first found; the nearest path when none is)."""
    name = Path("shared", "data", "real", "ocha-codab-adm2-2017",
                "cod_admbnda_adm2_rgc_20170711_kivu.geojson")
    parents = Path(__file__).resolve().parents[1].parents
    return next((parent / name for parent in parents if (parent / name).exists()),
                parents[0] / name)


REAL_ADMIN = _real_admin()
"""The 24 real Kivu territories, used when present (read in place, never copied)."""

BUNDLED_ADMIN = Path(__file__).resolve().parents[1] / "shapes" / "admin.geojson"
"""geomap's bundled areas: their level-2 rows are the same 24 territories, simplified."""

KINDS = ("auto", "kivu", "real", "bundled", "synthetic", "grid")

GRID = (7, 5)
"""Columns and rows of synthetic boxes over the Kivu extent (35 territories)."""

CELLS = 35
"""Number of synthetic Voronoi territories (the issue's "about 35 territories")."""

SPACING = 0.5
"""Least distance in degrees between two Voronoi seeds: no sliver territories."""

SEGMENT = 0.002
"""Length in degrees (about 220 m) below which a wiggled edge is not split further."""

ROUGHNESS = 0.22
"""Largest sideways shift of a midpoint, as a share of its segment's length."""

POLYGON_SEED = 35
"""Seed of the synthetic territories (independent of the records' seed)."""

REDRAWS = 6
"""Fresh draws of an edge that crosses another before it is made calmer."""

_SIDES = box(*KIVU_BOUNDS).exterior.buffer(1e-9)
"""The outline of the bounds, within a nanodegree."""


def resolve_kind(kind: str = "auto") -> str:
    """Return 'real', 'synthetic' or 'grid' for *kind* ('auto' picks by the files)."""
    if kind not in KINDS:
        msg = f"Polygons must be one of {list(KINDS)}, not '{kind}'."
        raise ValueError(msg)
    if kind == "auto":
        return "real" if REAL_ADMIN.exists() else "synthetic"
    if kind == "kivu":  # the 24 Kivu territories: the real file, else the bundled ones
        return "real" if REAL_ADMIN.exists() else "bundled"
    return kind


def build_polygons(kind: str = "auto", *, seed: int = POLYGON_SEED) -> gpd.GeoDataFrame:
    """Return the territories of *kind*: 'real', 'synthetic', 'grid' or 'auto'.

    Raises
    ------
    ValueError
        *kind* is unknown.
    FileNotFoundError
        'real' was asked for and the real file is not next to the repository.
    """
    kind = resolve_kind(kind)
    if kind == "bundled":
        bundled = gpd.read_file(BUNDLED_ADMIN)
        bundled = bundled.loc[bundled["level"] == 2]
        return gpd.GeoDataFrame(
            {"pcode": bundled["pcode"], "name": bundled["name"], "level": 2,
             "parent_pcode": bundled["parent_pcode"],
             "source": "geomap bundled areas (OCHA COD-AB 2017, simplified)"},
            geometry=bundled.geometry.to_numpy(), crs="EPSG:4326").reset_index(drop=True)
    if kind == "real":
        if not REAL_ADMIN.exists():
            msg = f"The real territories are not there: expected {REAL_ADMIN.name}."
            raise FileNotFoundError(msg)
        real = gpd.read_file(REAL_ADMIN)
        return gpd.GeoDataFrame(
            {"pcode": real["ADM2_PCODE"], "name": real["ADM2_FR"], "level": 2,
             "parent_pcode": real["ADM1_PCODE"], "source": "OCHA COD-AB (2017)"},
            geometry=real.geometry.to_numpy(), crs="EPSG:4326")
    shapes = build_grid() if kind == "grid" else build_voronoi(seed=seed)
    label = "Box" if kind == "grid" else "Synth"  # short, as real names are
    pcodes = [f"SY{number:02d}" for number in range(1, len(shapes) + 1)]
    return gpd.GeoDataFrame(
        {"pcode": pcodes, "name": [f"{label} {p[2:]}" for p in pcodes], "level": 2,
         "parent_pcode": "SY",
         "source": "synthetic boxes" if kind == "grid" else "synthetic territories"},
        geometry=shapes, crs="EPSG:4326")


def build_grid() -> list:
    """A 7 x 5 grid of boxes over the Kivu bounds, row by row from the south-west."""
    minx, miny, maxx, maxy = KIVU_BOUNDS
    columns, rows = GRID
    width, height = (maxx - minx) / columns, (maxy - miny) / rows
    boxes = []
    for row in range(rows):
        for column in range(columns):
            x0, y0 = minx + column * width, miny + row * height
            boxes.append(box(round(x0, 6), round(y0, 6), round(x0 + width, 6),
                             round(y0 + height, 6)))
    return boxes


def build_voronoi(*, seed: int = POLYGON_SEED, cells: int = CELLS) -> list:
    """*cells* wiggled Voronoi territories covering the Kivu bounds, north to south.

    Returns
    -------
    list of shapely.Polygon
        Valid polygons that share their edges exactly, ordered by the latitude band
        (0.5 degree) of their centroid from the north, then by longitude.
    """
    bounds = box(*KIVU_BOUNDS)
    seeds = _seeds(cells, np.random.default_rng(seed))
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=bounds,
                                     only_edges=True)
    network = shapely.union_all([shapely.intersection(edges, bounds), bounds.exterior])
    segments = sorted((np.round(shapely.get_coordinates(part), 9)
                       for part in shapely.get_parts(network)
                       if shapely.length(part) > 0), key=lambda xy: tuple(xy.ravel()))
    lines = _wiggle_all(segments, bounds, seed)
    polygons = list(shapely.get_parts(shapely.polygonize(lines)))
    if len(polygons) != cells:
        msg = f"Expected {cells} synthetic territories, found {len(polygons)}."
        raise RuntimeError(msg)
    centroids = shapely.get_coordinates(shapely.centroid(polygons))
    order = sorted(range(cells), key=lambda i: (-np.floor(centroids[i, 1] / 0.5),
                                                centroids[i, 0]))
    return [polygons[i] for i in order]


def _seeds(count: int, rng: np.random.Generator) -> np.ndarray:
    """*count* random points over the bounds, no two closer than :data:`SPACING`."""
    minx, miny, maxx, maxy = KIVU_BOUNDS
    chosen: list[np.ndarray] = []
    for _ in range(100_000):
        point = rng.uniform((minx, miny), (maxx, maxy))
        if all(np.hypot(*(point - other)) >= SPACING for other in chosen):
            chosen.append(point)
            if len(chosen) == count:
                return np.array(chosen)
    msg = f"Cannot place {count} seeds {SPACING} degrees apart."
    raise RuntimeError(msg)


def _on_bounds(xy: np.ndarray) -> bool:
    """True when a piece of line runs along the sides of the bounds."""
    return bool(_SIDES.covers(shapely.LineString(xy)))


def wiggle(start: np.ndarray, end: np.ndarray, rng: np.random.Generator, *,
           roughness: float = ROUGHNESS, segment: float = SEGMENT) -> np.ndarray:
    """A fractal line from *start* to *end* (midpoint displacement), (n, 2) coordinates.

    Each pass moves every segment's midpoint sideways by a uniform share (up to
    *roughness*) of that segment's length, until segments are shorter than *segment*.
    The ends never move. *roughness* 0 gives the straight line, densified.
    """
    xy = np.array([start, end], dtype=float)
    levels = max(0, int(np.ceil(np.log2(np.hypot(*(end - start)) / segment))))
    for _ in range(levels):
        step = np.diff(xy, axis=0)
        normal = np.column_stack([-step[:, 1], step[:, 0]])  # length = segment length
        shift = rng.uniform(-roughness, roughness, len(step))[:, None] * normal
        middle = (xy[:-1] + xy[1:]) / 2 + shift
        dense = np.empty((2 * len(xy) - 1, 2))
        dense[0::2], dense[1::2] = xy, middle
        xy = dense
    xy[1:-1] = np.round(xy[1:-1], 7)
    return xy


def _wiggle_all(segments: list[np.ndarray], bounds, seed: int) -> list:
    """Wiggle every inner edge; redo any edge that leaves the bounds or crosses another.

    An edge in conflict is drawn again with fresh random numbers (up to
    :data:`REDRAWS` times), then with half the roughness each time, down to a straight
    line, which always fits. The sides along the bounds stay as they are.
    """
    inner = [not _on_bounds(xy) for xy in segments]
    tries = np.zeros(len(segments), dtype=int)

    def draw(index: int) -> shapely.LineString:
        xy = segments[index]
        if not inner[index]:
            return shapely.LineString(xy)
        calmer = max(0, tries[index] - REDRAWS)
        roughness = ROUGHNESS / 2**calmer if calmer < 12 else 0.0
        rng = np.random.default_rng((seed, index, tries[index]))
        return shapely.LineString(wiggle(xy[0], xy[-1], rng, roughness=roughness))

    lines = [draw(index) for index in range(len(segments))]
    for _ in range(REDRAWS + 14):
        bad = _conflicts(lines, bounds)
        if not bad:
            return lines
        for index in sorted(bad):
            tries[index] += 1
            lines[index] = draw(index)
    msg = f"Synthetic territory edges {sorted(bad)} still cross."
    raise RuntimeError(msg)


def _conflicts(lines: list, bounds) -> set[int]:
    """Indices of lines that cross themselves, another line, or leave *bounds*."""
    bad = {i for i, line in enumerate(lines)
           if not shapely.is_simple(line) or not bounds.covers(line)}
    tree = shapely.STRtree(lines)
    left, right = tree.query(lines, predicate="intersects")
    ends = [set(map(tuple, shapely.get_coordinates(line)[[0, -1]])) for line in lines]
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        meet = set(map(tuple, shapely.get_coordinates(shapely.intersection(lines[i],
                                                                            lines[j]))))
        if not meet <= (ends[i] & ends[j]):
            bad.update((int(i), int(j)))
    return bad


def check_partition(polygons: gpd.GeoDataFrame) -> dict[str, float]:
    """Measure how well *polygons* tile the Kivu bounds.

    Returns
    -------
    dict
        ``invalid`` (count), ``overlap`` (largest pairwise intersection area, square
        degrees), ``gap`` (bounds area minus union area, square degrees),
        ``vertices_min`` and ``vertices_max`` (coordinates per polygon).
    """
    shapes = polygons.geometry.to_numpy()
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(shapes[left[pairs]],
                                                shapes[right[pairs]]))
    vertices = shapely.get_num_coordinates(shapes)
    return {"invalid": int((~shapely.is_valid(shapes)).sum()),
            "overlap": float(overlap.max()) if len(overlap) else 0.0,
            "gap": float(box(*KIVU_BOUNDS).area - shapely.union_all(shapes).area),
            "vertices_min": int(vertices.min()), "vertices_max": int(vertices.max())}
