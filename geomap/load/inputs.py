"""Read a build's input: a registered source, a publisher's file, or a canonical file."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geomap.config import (
    BUNDLED_FILES,
    CONFLICT_EVENTS,
    CONTEXT_FILES,
    COUNTRY_FILE,
    OPTIONAL_LAYERS,
    BuildConfig,
    resolve_shapes_dir,
)
from geomap.errors import SchemaError, SourceError
from geomap.load.files import read_layer_batches
from geomap.provinces import KIVU


def _quiet(_: str) -> None:
    """Report nothing."""


def input_path(config: BuildConfig, layer: str) -> Path:
    """The file for *layer*: the one given (a registered source name gives its cached
    file, fetched unless offline), or the bundled one in shapes/."""
    from geomap.load.publishers import check_source_file
    from geomap.sources.registry import is_source_name

    given = config.inputs.get(layer)
    if given is None:
        return resolve_shapes_dir(config.shapes_dir) / BUNDLED_FILES[layer]
    if is_source_name(given):
        from geomap.sources.fetch import source_path  # requests: only to fetch

        return source_path(str(given), offline=config.offline, check=check_source_file)
    return Path(given)


def has_input(config: BuildConfig, layer: str) -> bool:
    """False only for an optional layer (events, conflict events) given no file and
    not in shapes/."""
    if layer not in OPTIONAL_LAYERS or config.inputs.get(layer) is not None:
        return True
    return layer in BUNDLED_FILES and (
        resolve_shapes_dir(config.shapes_dir) / BUNDLED_FILES[layer]).exists()


def read_input(config: BuildConfig, layer: str,
               report: Callable[[str], None] = _quiet) -> tuple[Path, pd.DataFrame]:
    """Read *layer*'s input whole: :func:`read_input_batches` in one frame.

    Returns
    -------
    (Path, DataFrame)
        The file read, and its rows under canonical names with ``_row``.
    """
    path, batches = read_input_batches(config, layer, report)
    frames = list(batches)
    return path, frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def read_input_batches(config: BuildConfig, layer: str,
                       report: Callable[[str], None] = _quiet, *,
                       needed: Collection[str] | None = None,
                       block_bytes: int | None = None
                       ) -> tuple[Path, Iterator[pd.DataFrame]]:
    """Read *layer*'s input as raw canonical columns, cut to the chosen provinces.

    The input may be a registered source name (fetched into the cache unless
    ``config.offline``), a publisher's own file (recognised by its columns: COD-AB,
    geoBoundaries, Natural Earth, IPIS, DTM) or a file in geomap's canonical shape.
    An explicit ``--column`` mapping for the layer reads the file as given.

    A file in geomap's canonical shape that is delimited text comes in batches of
    rows (:func:`~geomap.load.files.read_layer_batches`), so its size is not bounded
    by memory; any other input comes whole, as one batch. *needed* and
    *block_bytes* are passed on to it.

    Returns
    -------
    (Path, iterator of DataFrame)
        The file read, and its rows under canonical names with ``_row``.

    Raises
    ------
    GeomapError
        Unknown source, missing file (offline: which, and how to get it), unreadable
        data, or a source of another layer (some only while the batches are read).
    """
    from geomap.load.formats import ReadOptions
    from geomap.load.publishers import (
        LOADERS,
        check_source_file,
        detect_loader,
        read_publisher,
    )
    from geomap.sources.registry import (
        get_source,
        is_source_name,
        landing_page,
        required_sources,
    )

    given = config.inputs.get(layer)
    mapping = config.columns.get(layer)
    provinces = tuple(getattr(config, "provinces", KIVU) or KIVU)
    if given is not None and is_source_name(given):
        from geomap.sources.fetch import cached_path, source_path

        source = get_source(str(given))
        if source.layer != layer:
            option = source.layer.replace("_", "-")
            msg = (f"Source '{source.name}' holds {source.layer} data, not {layer}; "
                   f"give it as --{option}." if source.layer != "conflict_events" else
                   f"Source '{source.name}' holds conflict events, which geomap uses "
                   f"only for aggregates, not as the {layer} layer; give it as "
                   f"--{option}.")
            raise SourceError(msg)
        path = source_path(source, offline=config.offline, check=check_source_file)
        companions = tuple(cached_path(s) for s in required_sources(source)[:-1])
        options = ReadOptions(fmt=source.format, provinces=provinces, level=source.level,
                              source=source.attribution, license=source.license,
                              url=landing_page(source),
                              companions=companions, report=report)
        return path, iter([read_publisher(source.loader, path, options)])
    path = input_path(config, layer)
    detected = None if mapping else detect_loader(path)
    if detected is not None and layer == "events" and detected[0] == "acled":
        raise SourceError(_conflict_events(f"'{path.name}'"))
    if layer == CONFLICT_EVENTS and (detected is None or detected[0] != "acled"):
        msg = (f"'{path.name}' is not in ACLED's columns: conflict events are read "
               "from ACLED's API ('acled') or a CSV with its columns (event_date, "
               "event_type, fatalities, latitude, longitude, admin1).")
        raise SchemaError(msg)
    if detected is not None and LOADERS[detected[0]][0] == layer:
        options = ReadOptions(fmt=detected[1], provinces=provinces, url=path.name,
                              report=report)
        return path, iter([read_publisher(detected[0], path, options)])
    return path, read_layer_batches(path, layer, mapping, needed=needed,
                                    block_bytes=block_bytes)


def _conflict_events(what: str) -> str:
    """Why a file of conflict events (ACLED) is not the events layer."""
    return (f"{what} holds conflict events, which geomap uses only for aggregates, "
            "not as the events layer (dated talks, agreements, deployments: give a "
            "file such as shapes/events.csv); give it as --conflict-events.")


def read_country_outline(config: BuildConfig) -> gpd.GeoDataFrame | None:
    """The bundled DR Congo outline for the print map's locator, when it is there."""
    try:
        path = resolve_shapes_dir(config.shapes_dir) / COUNTRY_FILE
    except SourceError:
        return None
    return gpd.read_file(path) if path.exists() else None


def read_context(config: BuildConfig) -> dict[str, gpd.GeoDataFrame]:
    """The bundled base-map layers (countries, lakes) that are there, by name.

    They are context for the print map only, never used to place a record; a
    missing file or shapes folder gives no layer rather than an error.
    """
    try:
        folder = resolve_shapes_dir(config.shapes_dir)
    except SourceError:
        return {}
    return {name: gpd.read_file(folder / file) for name, file in CONTEXT_FILES.items()
            if (folder / file).exists()}
