"""Points to admin areas on coordinate arrays: a cell grid first, exact tests at borders.

The areas are taken deepest level first, then by P-code; each point gets the first
area that contains it, else the first whose boundary it touches (a point on a shared
border counts once), else none. :class:`AreaIndex` answers that for millions of
lon/lat pairs without making a shapely object per point:

- a grid of about :data:`GRID_CELLS` cells covers the areas. A cell that no area's
  boundary crosses lies wholly inside or wholly outside each area, so the first area
  holding its centre holds every point of it: such points are placed by an array
  lookup;
- points in the cells that a boundary crosses are tested exactly: sorted once by x,
  each area takes the slice of its bounding box (``searchsorted``) and tests it with
  its prepared polygon (``shapely.contains_xy``, then ``intersects_xy`` for the
  points left on a boundary).

The answer is the same as testing every point against every area in order; only the
work differs, and it hardly grows with the number or the detail of the polygons.
"""

from __future__ import annotations

import math
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

GRID_CELLS = 500_000
"""About how many cells the grid over the areas has (a few MB, built once). Twice
250,000: building it costs a little more (24 -> 29 ms over the 1.7 M-row
benchmark's territories) and 30 % fewer points fall in a cell a boundary crosses,
to be tested exactly (locating a 430,000-point part 26 -> 19 ms)."""

GRID_MIN_POINTS = 20_000
"""Below this many points the exact tests alone are quicker than building the grid."""

_MIXED = -2
"""Grid value of a cell that some boundary crosses: its points are tested exactly."""


def prepare_areas(polygons: np.ndarray | gpd.GeoDataFrame) -> None:
    """Prepare every polygon now, in this thread, ready for point tests.

    GEOS builds a prepared polygon's index lazily, on its first test, and that step
    is not thread-safe (libgeos/geos#825). Threads that share the polygons (dask's
    partitions) must find them prepared and already used once.
    """
    if isinstance(polygons, gpd.GeoDataFrame | gpd.GeoSeries):
        polygons = np.asarray(polygons.geometry.array, dtype=object)
    shapely.prepare(polygons)
    for polygon in polygons:
        if polygon is not None and not polygon.is_empty:
            x, y = polygon.bounds[:2]
            shapely.contains_xy(polygon, x, y)
            shapely.intersects_xy(polygon, x, y)


class AreaIndex:
    """Admin areas ready to place points: ordered, prepared, with an optional grid.

    Parameters
    ----------
    admin : GeoDataFrame
        Areas with ``pcode``, ``level`` and polygon geometry.

    Attributes
    ----------
    pcodes : ndarray
        P-codes in the order the positions returned by :meth:`locate` refer to.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> admin = gpd.GeoDataFrame({"pcode": ["A", "B"], "level": [2, 2]},
    ...                          geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    >>> index = AreaIndex(admin)
    >>> index.locate(np.array([0.5, 1.0, 5.0]), np.array([0.5, 0.5, 0.5])).tolist()
    [0, 0, -1]
    """

    def __init__(self, admin: gpd.GeoDataFrame) -> None:
        ordered = admin.sort_values(["level", "pcode"], ascending=[False, True],
                                    kind="stable")
        self.pcodes = ordered["pcode"].to_numpy(dtype=object)
        self.polygons = np.asarray(ordered.geometry.array, dtype=object)
        self.grid: tuple[float, float, float, np.ndarray] | None = None
        self._prepare()

    def _prepare(self) -> None:
        """Bounding boxes of the usable polygons, every polygon prepared, a lock."""
        self._lock = threading.Lock()
        self._framed: np.ndarray | None = None
        usable = ~(shapely.is_missing(self.polygons) | shapely.is_empty(self.polygons))
        self.bounds = np.full((len(self.polygons), 4), np.nan)
        if usable.any():
            self.bounds[usable] = shapely.bounds(self.polygons[usable])
            prepare_areas(self.polygons[usable])

    def __getstate__(self) -> dict:
        return {"pcodes": self.pcodes, "polygons": self.polygons, "grid": self.grid}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._prepare()  # a copy on a dask worker arrives unprepared

    def build_grid(self) -> AreaIndex:
        """Make the cell grid now (once, whichever thread asks first); return the
        index itself."""
        with self._lock:
            if self.grid is None:
                self.grid = _cell_grid(self.polygons, self.bounds)
        return self

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Position in :attr:`pcodes` of the area of each point, -1 for none.

        NaN coordinates get -1. Large inputs build the grid on first use.
        """
        x = np.asarray(x, dtype="float64")
        y = np.asarray(y, dtype="float64")
        found = np.full(len(x), -1, dtype=np.int64)
        todo = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if len(todo) == 0 or not np.isfinite(self.bounds[:, 0]).any():
            return found
        if self.grid is None and len(todo) >= GRID_MIN_POINTS:
            self.build_grid()
        if self.grid is not None and self._framed is None:
            self._framed = _framed(self.grid[3])
        if self.grid is not None and len(todo) == len(x):  # every point: no gathers
            found = _cell_owner(self.grid, x, y, self._framed)
            todo = np.flatnonzero(found == _MIXED)
            found[todo] = -1
        elif self.grid is not None:
            owner = _cell_owner(self.grid, x[todo], y[todo], self._framed)
            found[todo[owner >= 0]] = owner[owner >= 0]
            todo = todo[owner == _MIXED]
        self._test_exactly(x, y, todo, found)
        return found

    def _test_exactly(self, x: np.ndarray, y: np.ndarray, todo: np.ndarray,
                      found: np.ndarray) -> None:
        """Place the points *todo* by polygon tests, in area order, into *found*."""
        for test in (shapely.contains_xy, shapely.intersects_xy):
            if len(todo) == 0:
                return
            order = todo[np.argsort(x[todo], kind="stable")]
            xs = x[order]
            for position, (minx, miny, maxx, maxy) in enumerate(self.bounds):
                if not math.isfinite(minx):
                    continue
                start = np.searchsorted(xs, minx, side="left")
                stop = np.searchsorted(xs, maxx, side="right")
                if start == stop:
                    continue
                candidate = order[start:stop]
                ys = y[candidate]
                keep = (ys >= miny) & (ys <= maxy) & (found[candidate] < 0)
                candidate = candidate[keep]
                if len(candidate):
                    inside = test(self.polygons[position], x[candidate], ys[keep])
                    found[candidate[inside]] = position
            todo = todo[found[todo] < 0]


def _cell_grid(polygons: np.ndarray, bounds: np.ndarray
               ) -> tuple[float, float, float, np.ndarray]:
    """The grid: origin, cell size and each cell's area position (or -1, or mixed).

    A cell is mixed when a boundary segment, cut to at most half a cell and widened
    by a millionth of a cell, reaches its box: points close to a cell's edge then
    never take the answer of a cell they are not in. Side by side in a row, two cells
    that are not mixed have no boundary between them, so each area holds both or
    neither: a run of such cells is tested at its first cell's centre only (about a
    twentieth of the tests of every centre), with the same answer.
    """
    usable = np.isfinite(bounds[:, 0])
    minx, miny = bounds[usable, 0].min(), bounds[usable, 1].min()
    maxx, maxy = bounds[usable, 2].max(), bounds[usable, 3].max()
    cell = math.sqrt(max((maxx - minx) * (maxy - miny), 1e-12) / GRID_CELLS)
    cell = max(cell, (maxx - minx) / 4096, (maxy - miny) / 4096, 1e-9)
    columns = int((maxx - minx) / cell) + 1
    rows = int((maxy - miny) / cell) + 1
    owner = np.full((rows, columns), -1, dtype=np.int32)
    lines = shapely.get_parts(shapely.segmentize(
        shapely.boundary(polygons[usable]), cell / 2))
    xy, part = shapely.get_coordinates(lines, return_index=True)
    same = part[1:] == part[:-1]
    start, stop = xy[:-1][same], xy[1:][same]
    eps = cell * 1e-6
    low = np.floor((np.minimum(start, stop) - eps - (minx, miny)) / cell).astype(np.int64)
    high = np.floor((np.maximum(start, stop) + eps - (minx, miny)) / cell).astype(
        np.int64)
    mixed = np.zeros((rows, columns), dtype=bool)
    for column in (low[:, 0], high[:, 0]):
        for row in (low[:, 1], high[:, 1]):
            mixed[np.clip(row, 0, rows - 1), np.clip(column, 0, columns - 1)] = True
    for position in np.flatnonzero(usable):
        x0, y0, x1, y1 = bounds[position]
        c0, c1 = int((x0 - minx) / cell), min(int((x1 - minx) / cell), columns - 1)
        r0, r1 = int((y0 - miny) / cell), min(int((y1 - miny) / cell), rows - 1)
        window = owner[r0:r1 + 1, c0:c1 + 1]
        free = (window == -1) & ~mixed[r0:r1 + 1, c0:c1 + 1]
        r, c = np.nonzero(free)  # row by row, left to right
        first = np.ones(len(r), dtype=bool)  # where each run of free cells starts
        first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1] + 1)
        starts = np.flatnonzero(first)
        inside = shapely.contains_xy(polygons[position],
                                     minx + (c0 + c[starts] + 0.5) * cell,
                                     miny + (r0 + r[starts] + 0.5) * cell)
        inside = inside[np.cumsum(first) - 1]  # a run's cells are as its first one
        window[r[inside], c[inside]] = position
    owner[mixed] = _MIXED
    return float(minx), float(miny), float(cell), owner


def _framed(owner: np.ndarray) -> np.ndarray:
    """The grid's values with a border of empty cells, flat, as int64."""
    return np.pad(owner, 1, constant_values=-1).ravel().astype(np.int64)


def _cell_owner(grid: tuple[float, float, float, np.ndarray], x: np.ndarray,
                y: np.ndarray, framed: np.ndarray | None = None) -> np.ndarray:
    """The grid's value for each point: an area position, -1 (none) or mixed.

    Coordinates are shifted by one cell and clipped onto a border of empty cells
    around the grid (*framed*, from :func:`_framed`), so one gather answers every
    finite point.
    """
    minx, miny, cell, owner = grid
    rows, columns = owner.shape
    framed = _framed(owner) if framed is None else framed
    column = _cell_numbers(x, minx, cell, columns)
    row = _cell_numbers(y, miny, cell, rows)
    row *= columns + 2
    row += column
    return framed[row]


def _cell_numbers(values: np.ndarray, start: float, cell: float, cells: int
                  ) -> np.ndarray:
    """``clip((values - start) / cell + 1, 0, cells + 1)`` as whole numbers, worked
    out in one array rather than one per step."""
    number = values - start
    number /= cell
    number += 1
    np.clip(number, 0, cells + 1, out=number)
    return number.astype(np.int64)


def point_coordinates(records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each record: its ``lon``/``lat`` columns, else its Point geometry.

    Records without a point (no coordinates, a polygon, no geometry) get NaN.
    """
    if {"lon", "lat"} <= set(records.columns):
        return (records["lon"].to_numpy(dtype="float64", na_value=np.nan),
                records["lat"].to_numpy(dtype="float64", na_value=np.nan))
    x = np.full(len(records), np.nan)
    y = np.full(len(records), np.nan)
    if isinstance(records, gpd.GeoDataFrame):
        geometry = np.asarray(records.geometry.array, dtype=object)
        point = (shapely.get_type_id(geometry) == 0) & ~shapely.is_empty(geometry)
        x[point], y[point] = shapely.get_x(geometry[point]), shapely.get_y(geometry[point])
    return x, y


def attach_areas(points: gpd.GeoSeries, admin: gpd.GeoDataFrame | AreaIndex, *,
                 xy: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """Return, for each point, the P-code of the deepest admin area holding it.

    Each point gets at most one area, also on a shared border (the first area whose
    boundary touches it); points in no area get a missing value. *xy* are the
    points' coordinates when already read (:func:`point_coordinates` of their
    geometry), e.g. for the same points in the areas of each level in turn.
    """
    index = admin if isinstance(admin, AreaIndex) else AreaIndex(admin)
    x, y = point_coordinates(gpd.GeoDataFrame(geometry=points)) if xy is None else xy
    found = index.locate(x, y)
    return pd.Series(np.append(index.pcodes, None)[found], index=points.index,
                     dtype="object")
