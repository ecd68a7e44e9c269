"""SYNTHETIC displacement registrations for the benchmark and the scale tests.

Nothing here is real data. Records are random points (numpy, fixed seed) inside the
territories given (see territories.py: the 24 real OCHA COD-AB territories when they
sit next to the repository, synthetic wiggled Voronoi territories, or a grid of boxes).
A few bad rows of known kinds are injected at known row numbers so tests can check
that each is rejected exactly.

The same seed and row count always give the same files, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely
from shapely.geometry import box

FIRST_DAY = np.datetime64("2025-01-01")
DAYS = 181
"""Registration dates fall in the first half of 2025."""

BAD_KINDS = {
    # kind: the column its reject names
    "negative": "people",
    "not-a-number": "people",
    "swapped": "lon",
    "outside-drc": "lon",
    "bad-date": "date",
    "in-no-area": "area",
}
"""Kinds of injected bad rows and the column their reject should name."""

COLUMNS = ("lon", "lat", "area", "people", "date", "origin")


@dataclass(frozen=True)
class Synthetic:
    """Generated records (all text, as in a CSV) and what a correct build must find."""

    records: pd.DataFrame
    bad: pd.Series
    """Kind of each injected bad row, indexed by its 1-based row number."""

    @property
    def people(self) -> pd.Series:
        """Each row's usable count of people (0 where the count itself is bad)."""
        number = pd.to_numeric(self.records["people"], errors="coerce")
        return number.where(number >= 0, 0).fillna(0).astype("int64")


def _clustered_in(polygon, count: int, rng: np.random.Generator) -> np.ndarray:
    """*count* points inside *polygon* clustered as households are: around settlements
    (uniform in the polygon, one per 2,000 households or so) of very unequal sizes,
    each household within a few kilometres of its settlement (normal, 0.02 degrees)."""
    if count == 0:
        return np.empty((0, 2))
    settlements = _points_in(polygon, max(4, count // 2000), rng)
    weight = 1.0 / np.arange(1, len(settlements) + 1)  # a few large, many small
    weight /= weight.sum()
    found, missing = [], count
    while missing > 0:
        draw = int(missing * 1.2) + 16
        home = rng.choice(len(settlements), size=draw, p=weight)
        xy = np.round(settlements[home] + rng.normal(0.0, 0.02, (draw, 2)), 5)
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])][:missing]
        found.append(xy)
        missing -= len(xy)
    return np.concatenate(found)


def _points_in(polygon, count: int, rng: np.random.Generator) -> np.ndarray:
    """*count* random points (5 decimals) strictly inside *polygon*, as an (n, 2) array."""
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    found: list[np.ndarray] = []
    missing = count
    while missing > 0:
        draw = max(int(missing * 1.3 * box(*polygon.bounds).area / polygon.area), 64)
        xy = np.round(np.column_stack([rng.uniform(minx, maxx, draw),
                                       rng.uniform(miny, maxy, draw)]), 5)
        xy = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])][:missing]
        found.append(xy)
        missing -= len(xy)
    return np.concatenate(found) if found else np.empty((0, 2))


def generate_records(polygons: gpd.GeoDataFrame, rows: int, *, seed: int = 2025,
                     area_share: float = 0.03, bad_per_kind: int = 5,
                     clustered: bool = False) -> Synthetic:
    """Return *rows* registration records: one per household, with lon/lat or an area.

    Parameters
    ----------
    polygons : GeoDataFrame
        The territories, from ``territories.build_polygons``.
    rows : int
        Number of records.
    seed : int
        numpy seed; the same seed gives the same records.
    area_share : float
        Share of records that give a territory P-code instead of coordinates.
    bad_per_kind : int
        Rows of each kind in :data:`BAD_KINDS` to break.
    clustered : bool
        Households around settlements (as registrations are), not spread evenly.
    """
    rng = np.random.default_rng(seed)
    weights = np.sqrt(shapely.area(polygons.geometry.to_numpy()))
    counts = rng.multinomial(rows, weights / weights.sum())
    place = _clustered_in if clustered else _points_in
    xy = np.concatenate([place(polygon, int(n), rng)
                         for polygon, n in zip(polygons.geometry, counts, strict=True)])
    home = np.repeat(np.arange(len(polygons)), counts)
    order = rng.permutation(rows)
    xy, home = xy[order], home[order]
    pcodes = polygons["pcode"].to_numpy(dtype=object)
    names = polygons["name"].to_numpy(dtype=object)
    by_area = rng.random(rows) < area_share
    lon = np.char.mod("%.5f", xy[:, 0]).astype(object)
    lat = np.char.mod("%.5f", xy[:, 1]).astype(object)
    lon[by_area] = None
    lat[by_area] = None
    area = np.where(by_area, pcodes[home], None)
    people = (1 + rng.poisson(4, rows)).astype(str).astype(object)
    dates = (FIRST_DAY + rng.integers(0, DAYS, rows)).astype(str).astype(object)
    origin = names[rng.integers(0, len(polygons), rows)]
    records = pd.DataFrame({"lon": lon, "lat": lat, "area": area, "people": people,
                            "date": dates, "origin": origin})
    bad = _break_rows(records, ~by_area, bad_per_kind, rng)
    return Synthetic(records=records, bad=bad)


def _break_rows(records: pd.DataFrame, with_point: np.ndarray, per_kind: int,
                rng: np.random.Generator) -> pd.Series:
    """Break *per_kind* point rows of each kind in place; return row number -> kind."""
    candidates = np.flatnonzero(with_point)
    chosen = np.sort(rng.choice(candidates, per_kind * len(BAD_KINDS), replace=False))
    kinds = np.repeat(list(BAD_KINDS), per_kind)
    rng.shuffle(kinds)
    for index, kind in zip(chosen, kinds, strict=True):
        if kind == "negative":
            records.at[index, "people"] = "-" + records.at[index, "people"]
        elif kind == "not-a-number":
            records.at[index, "people"] = "about 12"
        elif kind == "swapped":
            records.loc[index, ["lon", "lat"]] = records.loc[index, ["lat", "lon"]].to_numpy()
        elif kind == "outside-drc":
            records.loc[index, ["lon", "lat"]] = ["36.82190", "-1.29210"]  # Nairobi
        elif kind == "bad-date":
            records.at[index, "date"] = "2025-02-30"
        else:  # inside the DRC, west of every Kivu territory
            records.loc[index, ["lon", "lat"]] = ["23.60000", "-3.50000"]
    return pd.Series(kinds, index=chosen + 1, name="kind").sort_index()


def write_admin(polygons: gpd.GeoDataFrame, path: Path) -> Path:
    """Write the territories as GeoJSON."""
    path = Path(path)
    path.unlink(missing_ok=True)
    polygons.to_file(path, driver="GeoJSON")
    return path


def write_records(synthetic: Synthetic, path: Path, *, typed: bool = False,
                  row_group_size: int = 250_000) -> Path:
    """Write the records as CSV, Parquet or GeoParquet (by the file's suffix).

    Every column is text, as registration exports often are; empty cells are missing.
    GeoParquet carries point geometry instead of lon/lat (none for area rows). With
    *typed*, Parquet holds lon/lat as doubles, people as integers and dates as dates
    (a value that is not one, such as 'about 12' or 2025-02-30, is left empty), in
    row groups of *row_group_size*.
    """
    path = Path(path)
    records = synthetic.records
    if typed and path.suffix == ".parquet":
        people = pd.to_numeric(records["people"], errors="coerce")
        table = pa.table({
            "lon": pa.array(pd.to_numeric(records["lon"], errors="coerce"),
                            type=pa.float64()),
            "lat": pa.array(pd.to_numeric(records["lat"], errors="coerce"),
                            type=pa.float64()),
            "area": pa.array(records["area"], type=pa.string()),
            "people": pa.array(people.where(people % 1 == 0).astype("Int64"),
                               type=pa.int64()),
            "date": pa.array(pd.to_datetime(records["date"], errors="coerce").dt.date,
                             type=pa.date32()),
            "origin": pa.array(records["origin"], type=pa.string())})
        pq.write_table(table, path, row_group_size=row_group_size)
        return path
    if path.suffix == ".csv":
        table = pa.Table.from_pandas(records, preserve_index=False)
        options = pacsv.WriteOptions(quoting_style="none")
        pacsv.write_csv(table.cast(pa.schema([(c, pa.string()) for c in COLUMNS])),
                        path, write_options=options)
    elif path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pandas(records.astype("string"),
                                            preserve_index=False), path)
    elif path.suffix == ".geoparquet":
        lon = pd.to_numeric(records["lon"], errors="coerce")
        lat = pd.to_numeric(records["lat"], errors="coerce")
        geometry = gpd.points_from_xy(lon, lat)
        geometry[lon.isna().to_numpy()] = None
        frame = gpd.GeoDataFrame(records.drop(columns=["lon", "lat"]).astype("string"),
                                 geometry=geometry, crs="EPSG:4326")
        frame.to_parquet(path, index=False)
    else:
        msg = f"Write records as .csv, .parquet or .geoparquet, not '{path.suffix}'."
        raise ValueError(msg)
    return path
