"""Population from a raster: zonal sums over areas and over each actor's holding.

The only module that imports rasterio (in :func:`read_raster`). Sums use exactextract,
which weights every cell by the fraction of it inside the polygon; the polygons are
brought to the raster's CRS and the raster is never resampled.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geomap.errors import CRSError, GeomapWarning, SourceError
from geomap.load.read_errors import folder_given, plain_reason

FULL_COVERAGE = 0.99
"""Areas whose valid raster cells cover less than this fraction are named in a warning."""

_POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class Raster:
    """One band of a raster, cut to a window: values, extent, CRS and cell size."""

    name: str
    values: np.ma.MaskedArray
    bounds: tuple[float, float, float, float]
    crs: CRS
    cell_area: float


def read_raster(path: str | Path, *, bounds: tuple[float, float, float, float] | None
                = None, bounds_crs: object = "EPSG:4326") -> Raster:
    """Read band 1 of a north-up raster, cut to *bounds* plus one cell.

    Parameters
    ----------
    path : str or Path
        A GeoTIFF or any raster GDAL reads, in any CRS.
    bounds : tuple, optional
        ``(minx, miny, maxx, maxy)`` in *bounds_crs*; the whole raster when omitted.
    bounds_crs : CRS-like, default 'EPSG:4326'
        The CRS of *bounds*.

    Returns
    -------
    Raster
        Values as floats with nodata (and NaN) cells masked; an empty array when the
        raster does not reach *bounds*.

    Raises
    ------
    SourceError
        The file is missing, unreadable or not a north-up grid.
    CRSError
        The raster has no CRS.
    """
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioError
    from rasterio.warp import transform_bounds
    from rasterio.windows import Window

    path = Path(path)
    if path.is_dir():
        msg = folder_given(path, "Population raster", "Give the raster file itself, "
                           "e.g. a WorldPop population count GeoTIFF.")
        raise SourceError(msg)
    if not path.is_file():
        msg = (f"Population raster '{path}' does not exist. Check --population or "
               "'population' in geomap.toml.")
        raise SourceError(msg)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path) as source:
                if source.crs is None:
                    msg = (f"Population raster '{path.name}' has no CRS. Write it with "
                           "its CRS (e.g. gdal_translate -a_srs EPSG:4326).")
                    raise CRSError(msg)
                transform = source.transform
                if transform.b or transform.d or transform.a <= 0 or transform.e >= 0:
                    msg = (f"Population raster '{path.name}' is not a north-up grid; "
                           "warp it first (gdalwarp) to a north-up grid in its own CRS.")
                    raise SourceError(msg)
                cols, rows = (0, source.width), (0, source.height)
                if bounds is not None:
                    minx, miny, maxx, maxy = transform_bounds(
                        CRS.from_user_input(bounds_crs), source.crs, *bounds,
                        densify_pts=21)
                    col_a, row_a = ~transform @ (minx, maxy)
                    col_b, row_b = ~transform @ (maxx, miny)
                    cols = (max(0, int(np.floor(col_a)) - 1),
                            min(source.width, int(np.ceil(col_b)) + 1))
                    rows = (max(0, int(np.floor(row_a)) - 1),
                            min(source.height, int(np.ceil(row_b)) + 1))
                width, height = max(0, cols[1] - cols[0]), max(0, rows[1] - rows[0])
                if width and height:
                    window = Window(cols[0], rows[0], width, height)
                    band = source.read(1, window=window, masked=True)
                else:
                    band = np.ma.masked_array(np.zeros((0, 0)))
                crs = CRS.from_wkt(source.crs.to_wkt())
    except (CRSError, SourceError):
        raise
    except (RasterioError, OSError, ValueError) as err:
        msg = (f"Cannot read population raster '{path.name}': {plain_reason(err)}. Give "
               "a GeoTIFF such as a WorldPop population count file.")
        raise SourceError(msg) from err
    left, top = transform @ (cols[0], rows[0])
    right, bottom = transform @ (cols[0] + width, rows[0] + height)
    # float32 stays float32 (a WorldPop tile over the Kivus is ~50 M cells); sums are
    # taken in double precision by exactextract either way.
    floats = band if band.dtype.kind == "f" else band.astype("float64")
    values = np.ma.masked_invalid(floats, copy=False)
    return Raster(name=path.name, values=values, bounds=(left, bottom, right, top),
                  crs=crs, cell_area=abs(transform.a * transform.e))


def _zonal(raster: Raster, geometries: gpd.GeoSeries) -> pd.DataFrame:
    """Sum and covered fraction of each polygon (already in the raster's CRS)."""
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    shapes = shapely.make_valid(geometries.to_numpy())
    area = shapely.area(shapes)
    result = pd.DataFrame({"population": np.nan, "coverage": 0.0},
                          index=geometries.index)
    keys = np.flatnonzero(area > 0)  # exactextract cannot parse an empty geometry
    if raster.values.size == 0 or not len(keys):
        return result
    source = NumPyRasterSource(raster.values, *raster.bounds,
                               srs_wkt=raster.crs.to_wkt())
    features = gpd.GeoDataFrame({"_key": keys}, geometry=shapes[keys], crs=raster.crs)
    sums = exact_extract(source, features, ["sum", "count"], include_cols=["_key"],
                         output="pandas").set_index("_key")
    sums = sums.reindex(np.arange(len(geometries)))
    count = sums["count"].fillna(0.0).to_numpy()
    coverage = np.clip(np.divide(count * raster.cell_area, area,
                                 out=np.zeros(len(area)), where=area > 0), 0.0, 1.0)
    result["coverage"] = coverage
    result["population"] = np.where(count > 0, sums["sum"].fillna(0.0).to_numpy(),
                                    np.nan)
    return result


def _polygons(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The polygon places with a non-empty geometry, in their own CRS."""
    if places.crs is None:
        msg = "The places have no CRS, so they cannot be laid over the population raster."
        raise CRSError(msg)
    geometry = places.geometry
    keep = geometry.notna() & ~geometry.is_empty & geometry.geom_type.isin(_POLYGONAL)
    return places.loc[keep]


def _read_under(polygons: gpd.GeoDataFrame, raster_path: str | Path
                ) -> tuple[gpd.GeoDataFrame, Raster]:
    """Read the part of the raster under *polygons*; return them in its CRS."""
    # With no polygon the raster is still opened and checked, but hardly read.
    bounds = tuple(polygons.total_bounds) if len(polygons) else (0.0, 0.0, 0.0, 0.0)
    raster = read_raster(raster_path, bounds=bounds, bounds_crs=polygons.crs)
    return polygons.to_crs(raster.crs), raster


def _warn_partial(polygons: gpd.GeoDataFrame, zonal: pd.DataFrame, name: str) -> None:
    """Warn, naming them, about places the raster's valid cells do not fully cover."""
    short = zonal["coverage"] < FULL_COVERAGE
    if not short.any():
        return
    labels = polygons["name"] if "name" in polygons else polygons["place"]
    named = [f"{label} ({place}) {coverage:.0%}" for label, place, coverage in zip(
        labels[short], polygons.loc[short, "place"], zonal.loc[short, "coverage"],
        strict=True)]
    more = f" and {len(named) - 10} more" if len(named) > 10 else ""
    msg = (f"The population raster '{name}' does not fully cover {len(named)} of "
           f"{len(polygons)} area(s): {', '.join(named[:10])}{more} (share of the area "
           "under valid cells). Their population counts only the covered part (none at "
           "0%); use a raster that spans them.")
    warnings.warn(msg, GeomapWarning, stacklevel=3)


def _population_of(polygons: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                   raster: Raster) -> pd.DataFrame:
    """Population and coverage of every place (none for points), with the warning."""
    zonal = _zonal(raster, polygons.geometry)
    _warn_partial(polygons, zonal, raster.name)
    zonal.index = polygons["place"].to_numpy()
    zonal = zonal[~zonal.index.duplicated()]
    return zonal.reindex(pd.Index(places["place"], name="place").drop_duplicates())


def sum_population(places: gpd.GeoDataFrame, raster_path: str | Path) -> pd.DataFrame:
    """Return the people living in each polygon place, from a population-count raster.

    Each cell counts in proportion to the share of it inside the place; nodata cells
    count for nothing and lower the coverage.

    Parameters
    ----------
    places : GeoDataFrame
        A ``place`` column and geometry in any CRS; points get no population.
    raster_path : str or Path
        A raster of people per cell (e.g. a WorldPop GeoTIFF), in any CRS.

    Returns
    -------
    DataFrame
        Indexed by ``place``: ``population`` (float, people; NaN for points and for
        areas without a single valid cell) and ``coverage`` (share of the area under
        valid cells, 0 to 1).

    Raises
    ------
    SourceError
        The raster is missing or unreadable.
    CRSError
        The raster or the places have no CRS.

    Warns
    -----
    GeomapWarning
        Naming the areas whose valid cells cover less than 99 % of them.
    """
    polygons, raster = _read_under(_polygons(places), raster_path)
    return _population_of(polygons, places, raster)


def _held_regions(polygons: gpd.GeoDataFrame, holder: pd.Series) -> gpd.GeoSeries:
    """Land held by each actor: its areas less the more specific areas held by anyone."""
    held = polygons.assign(actor=polygons["place"].map(holder)).dropna(subset=["actor"])
    held = held.loc[held["actor"] != ""]
    level = pd.to_numeric(held["level"], errors="coerce").fillna(0).to_numpy()
    geometries = shapely.make_valid(held.geometry.to_numpy())
    pieces = []
    for i, geometry in enumerate(geometries):
        candidates = held.sindex.query(geometry, predicate="intersects")
        deeper = [geometries[j] for j in candidates if level[j] > level[i]]
        pieces.append(geometry.difference(shapely.union_all(deeper)) if deeper
                      else geometry)
    regions = gpd.GeoDataFrame({"actor": held["actor"].to_numpy()}, geometry=pieces,
                               crs=held.crs)
    return regions.dissolve("actor").geometry


def attach_population(areas: pd.DataFrame, actors: pd.DataFrame,
                      places: gpd.GeoDataFrame, raster_path: str | Path
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return copies of the summaries with the population from a raster.

    Parameters
    ----------
    areas : DataFrame
        One row per place with ``place`` and ``actor`` (the holder as of the date).
    actors : DataFrame
        One row per ``actor``.
    places : GeoDataFrame
        ``place``, ``level`` and geometry of every place.
    raster_path : str or Path
        A raster of people per cell.

    Returns
    -------
    (DataFrame, DataFrame)
        *areas* with ``population`` (whole people; empty for towns) and
        ``population_coverage``; *actors* with ``population``: the people in the
        areas each actor holds, where a more specific area (higher level) held by
        anyone takes its land out of the larger one, so nested areas never count
        twice. Empty for an actor holding towns only.

    Raises
    ------
    SourceError, CRSError
        As :func:`sum_population`.
    """
    polygons, raster = _read_under(_polygons(places), raster_path)
    table = _population_of(polygons, places, raster)
    areas = areas.copy()
    at = areas.columns.get_loc("people_as_of") + 1 if "people_as_of" in areas else None
    population = areas["place"].map(table["population"]).round().astype("Int64")
    coverage = areas["place"].map(table["coverage"]).round(3)
    areas.insert(at if at is not None else len(areas.columns), "population", population)
    areas.insert(areas.columns.get_loc("population") + 1, "population_coverage",
                 coverage)
    holder = areas.dropna(subset=["actor"]).drop_duplicates("place").set_index(
        "place")["actor"]
    regions = _held_regions(polygons, holder)
    # an actor whose areas are all taken by more specific ones holds nobody
    held = _zonal(raster, regions)["population"].where(~regions.is_empty, 0.0)
    actors = actors.copy()
    at = actors.columns.get_loc("people") + 1 if "people" in actors else len(
        actors.columns)
    actors.insert(at, "population",
                  actors["actor"].map(held).round().astype("Int64"))
    return areas, actors
