"""The dask engine: the displacement join and per-place sums on dask-geopandas partitions.

Results are identical to the default (pandas) engine; the work is cut into partitions
that a dask scheduler runs in parallel: threads on one machine by default, or the
workers of a ``dask.distributed`` cluster once a ``Client`` is connected. The functions
take pandas frames (``geomap build --engine dask``) or dask(-geopandas) frames read
from partitioned (Geo)Parquet, for registrations that do not fit in one machine's
memory. See docs/scaling.md.

Needs the optional dependencies: ``pip install "geomap[dask]"``.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap import join
from geomap.errors import ConfigError
from geomap.schema import STORAGE_CRS
from geomap.summarise import areas as aggregate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

PARTITION_ROWS = 250_000
"""Rows per partition when the caller does not choose a number of partitions."""

ENGINES = ("pandas", "dask")


def require_dask() -> Any:
    """Import and return ``dask_geopandas``; raise ConfigError when it is missing."""
    try:
        import dask_geopandas
    except ImportError as err:
        msg = ("The dask engine needs dask-geopandas, which is not installed. Install "
               "it with pip install 'geomap[dask]', or build with --engine pandas.")
        raise ConfigError(msg) from err
    return dask_geopandas


@contextmanager
def _as_pandas_does() -> Iterator[None]:
    """Keep pandas dtypes: dask would turn object text columns into pyarrow strings."""
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        yield


def partition_count(rows: int, npartitions: int | None = None) -> int:
    """Partitions for *rows* rows: *npartitions* if given, else one per PARTITION_ROWS.

    Examples
    --------
    >>> partition_count(1_700_000), partition_count(10), partition_count(10, 4)
    (7, 1, 4)
    """
    if npartitions is not None:
        return max(1, int(npartitions))
    return max(1, math.ceil(rows / PARTITION_ROWS))


def _is_dask(frame: object) -> bool:
    """True for a dask (or dask-geopandas) collection."""
    return hasattr(frame, "npartitions") and hasattr(frame, "compute")


def _found(points: gpd.GeoSeries, admin: gpd.GeoDataFrame) -> pd.Series:
    """One partition's area positions (see :func:`geomap.join.link_records_with`)."""
    return pd.Series(join._area_index(np.asarray(points.array), admin)[0],
                     index=points.index, dtype="int64")


def _area_index(geometry: np.ndarray, admin: gpd.GeoDataFrame, *,
                npartitions: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`geomap.join._area_index`, computed partition by partition."""
    dask_geopandas = require_dask()
    pcodes = join._area_index(np.empty(0, dtype=object), admin)[1]
    if len(geometry) == 0:
        return np.empty(0, dtype=np.int64), pcodes
    points = gpd.GeoSeries(geometry, crs=STORAGE_CRS)
    join.prepare_areas(admin)  # before the partitions' threads share the polygons
    with _as_pandas_does():
        parts = dask_geopandas.from_geopandas(
            points, npartitions=partition_count(len(points), npartitions), sort=False)
        found = parts.map_partitions(partial(_found, admin=admin),
                                     meta=pd.Series(dtype="int64")).compute()
    return found.to_numpy(dtype=np.int64), pcodes


def attach_areas(points: Any, admin: gpd.GeoDataFrame) -> Any:
    """Area P-code of each point, partition by partition.

    Parameters
    ----------
    points : GeoSeries or dask_geopandas.GeoSeries
        Point geometries, in memory or partitioned.
    admin : GeoDataFrame
        Admin areas (small: sent whole to every partition).

    Returns
    -------
    Series or dask Series
        What :func:`geomap.join.attach_areas` gives, lazily for a dask input.
    """
    if not _is_dask(points):
        return join.attach_areas(points, admin)
    require_dask()
    join.prepare_areas(admin)  # before the partitions' threads share the polygons
    with _as_pandas_does():
        return points.map_partitions(partial(join.attach_areas, admin=admin),
                                     meta=pd.Series(dtype="object"))


def link_records(records: gpd.GeoDataFrame, places: gpd.GeoDataFrame,
                 admin: gpd.GeoDataFrame, *, layer: str, own_geometry: bool,
                 npartitions: int | None = None
                 ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """:func:`geomap.join.link_records`, with points joined to areas on partitions.

    References by P-code or name are matched once per distinct value, as in the
    default engine; only the point-in-area test, the costly part, is partitioned.

    Raises
    ------
    ConfigError
        dask-geopandas is not installed.
    """
    require_dask()
    return join.link_records_with(
        records, places, admin, layer=layer, own_geometry=own_geometry,
        area_index=partial(_area_index, npartitions=npartitions))


def _slices(frame: pd.DataFrame, npartitions: int | None) -> Any:
    """*frame* as a dask DataFrame of row slices, taken when a partition is computed.

    Slices of a pandas frame share its memory (copy-on-write), where
    ``dd.from_pandas`` would copy every partition up front.
    """
    import dask.dataframe as dd

    edges = np.linspace(0, len(frame), partition_count(len(frame), npartitions) + 1)
    spans = list(zip(edges[:-1].astype(int), edges[1:].astype(int), strict=True))
    return dd.from_map(partial(_rows, frame), spans, meta=frame.iloc[:0],
                       enforce_metadata=False)


def _rows(frame: pd.DataFrame, span: tuple[int, int]) -> pd.DataFrame:
    """Rows ``span[0]`` to ``span[1]`` (excluded) of *frame*."""
    return frame.iloc[span[0]:span[1]]


def sum_displaced(displacement: Any, date: pd.Timestamp, *,
                  window_days: int | None = None, npartitions: int | None = None
                  ) -> pd.DataFrame:
    """:func:`geomap.summarise.areas.sum_displaced` with partial sums per partition.

    Each partition sums its rows per place, assessment, day and kind; those partial
    sums (at most one row per place, day and kind) are then combined by the default
    engine's own code, so both engines give the same table, windows and empty cases
    included.

    Parameters
    ----------
    displacement : DataFrame or dask DataFrame
        Linked records with ``place``, ``people`` and ``date`` (datetime64), and
        ``assessment`` for stock figures (without it every row is a registration).
    date : Timestamp
        The as-of date.
    window_days : int, optional
        Registrations are summed over the days ending on *date*.
    npartitions : int, optional
        Partitions for an in-memory frame (default: one per 250,000 rows).

    Returns
    -------
    DataFrame
        Indexed by ``place``: ``people``, ``as_of`` and ``assessment``.
    """
    require_dask()
    columns = ["place", "assessment", "date", "kind", "people"]
    if "assessment" not in displacement.columns:
        displacement = displacement.assign(assessment=None)
    if "kind" not in displacement.columns:  # one kind: the default engine's default
        displacement = displacement.assign(kind=aggregate.PRIMARY_KIND)
    with _as_pandas_does():
        if _is_dask(displacement):
            parts = displacement[columns]
        else:
            parts = _slices(pd.DataFrame(displacement[columns]), npartitions)
        linked = parts[~parts["place"].isna() & (parts["date"] <= date)]
        daily = linked.groupby(columns[:4], dropna=False)["people"].sum().compute()
    partial_sums = daily.reset_index()
    for column in columns:  # the dtypes the default engine sees
        partial_sums[column] = partial_sums[column].astype(displacement[column].dtype)
    return aggregate.sum_displaced(partial_sums, date, window_days=window_days)


def check_engine(engine: str) -> str:
    """Return *engine* if it is one geomap knows; raise ConfigError otherwise."""
    if engine not in ENGINES:
        msg = f"Unknown engine '{engine}'; expected one of {list(ENGINES)}."
        raise ConfigError(msg)
    if engine == "dask":
        require_dask()
    return engine


class EngineSteps(NamedTuple):
    """The two steps an engine runs: linking records to places, summing people."""

    link_records: Callable[..., Any]
    sum_displacement: Callable[..., Any]


def engine_steps(engine: str) -> EngineSteps:
    """The steps the pipeline uses with *engine* ('pandas' or 'dask').

    Raises
    ------
    ConfigError
        Unknown engine, or 'dask' without dask-geopandas installed.
    """
    if check_engine(engine) == "dask":
        return EngineSteps(link_records, sum_displaced)
    return EngineSteps(join.link_records, aggregate.sum_displaced)
