"""The build's settings: geomap.toml, overridden by command-line options."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from geomap.dates import parse_date
from geomap.errors import ConfigError, SourceError
from geomap.provinces import KIVU, select_provinces
from geomap.schema import (
    DECIMAL_MARKS,
    ENGINES,
    LAYERS,
    OUTPUT_GROUPS,
    PRESETS,
    parse_outputs,
)
from geomap.sources.tiles import TileSource, resolve_tiles
from geomap.words import DEFAULT_LANG, LANGS, require_lang, word

BUNDLED_FILES = {
    "admin": "admin.geojson",
    "towns": "towns.csv",
    "mines": "mines.csv",
    "control": "control.csv",
    "displacement": "displacement.csv",
    "events": "events.csv",
}
OPTIONAL_LAYERS = ("events", "conflict_events")
"""Layers a build goes without when no file is given and shapes/ has none."""
CONFLICT_EVENTS = "conflict_events"
"""ACLED's events, counted per area and month (``--conflict-events``, ``[inputs]
conflict_events``): an input, not a canonical layer (no bundled file, no --column)."""
COUNTRY_FILE = "drc_outline.geojson"
"""The DR Congo outline in shapes/, drawn in the print map's locator when present."""
CONTEXT_FILES = {"countries": "context/countries.geojson",
                 "lakes": "context/lakes.geojson"}
"""Base-map layers in shapes/ (Natural Earth), drawn under the print map's data."""
DEFAULT_TITLE = word("title_default", DEFAULT_LANG)
"""The title when none is given (in the build's language; the article preset's
shows no mines, and its title says none)."""
_DEFAULT_TITLES = {word(key, lang) for key in ("title_default", "title_article")
                   for lang in LANGS}


@dataclass(frozen=True)
class BuildConfig:
    """Every input and setting of one build, so a report can be rebuilt from it."""

    date: pd.Timestamp
    inputs: dict[str, Path | None] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, dict[str, str]] = field(default_factory=dict)
    """Values a layer's file leaves empty, per column (``--set control.start=...``)."""
    title: str = DEFAULT_TITLE
    out_dir: Path = Path("outputs")
    compare: pd.Timestamp | None = None
    shapes_dir: Path | None = None
    offline: bool = False
    preset: str = PRESETS[0]
    self_contained: bool = True
    population: Path | None = None
    hxl: bool = False
    provinces: tuple[str, ...] = KIVU
    engine: str = ENGINES[0]
    """'pandas' (default) or 'dask': reduces displacement part by part as dask tasks."""
    scheduler: str | None = None
    """Address of a dask.distributed scheduler for the dask engine (None: threads)."""
    outputs: tuple[str, ...] = tuple(OUTPUT_GROUPS)
    """The output groups written (:data:`OUTPUT_GROUPS`); every one by default."""
    window: int | None = None
    """Days of registration records summed up to the date (None: all earlier rows)."""
    lang: str = DEFAULT_LANG
    """Language of every word geomap writes: 'en' (default) or 'fr'."""
    tiles: TileSource | None = None
    """Background tiles of the web map, resolved (None: the offline vector base)."""
    decimal: str = "."
    """The decimal mark of counts in the displacement file: '.' (default) or ','."""

    def __post_init__(self) -> None:
        require_lang(self.lang)
        if self.decimal not in DECIMAL_MARKS:
            msg = f"The decimal mark must be '.' or ',', not {self.decimal!r}."
            raise ConfigError(msg)
        object.__setattr__(self, "outputs", parse_outputs(self.outputs))
        if self.title in _DEFAULT_TITLES:  # none given: the preset's, in the language
            object.__setattr__(self, "title", word(
                "title_article" if self.preset == "article" else "title_default",
                self.lang))


def resolve_shapes_dir(explicit: Path | None = None) -> Path:
    """The bundled-data folder: explicit, then ``GEOMAP_SHAPES``, then ``./shapes``.

    A folder that was named (argument or variable) must hold the bundled files: it is
    never passed over silently for another one.
    """
    named = explicit or os.environ.get("GEOMAP_SHAPES")
    if named:
        missing = [name for layer, name in BUNDLED_FILES.items()
                   if layer not in OPTIONAL_LAYERS and not (Path(named) / name).exists()]
        if missing:
            msg = (f"The shapes folder '{named}' lacks {missing}. Point --shapes-dir or "
                   "GEOMAP_SHAPES at geomap's shapes folder, or give those layers as files.")
            raise SourceError(msg)
        return Path(named)
    if (Path("shapes") / BUNDLED_FILES["control"]).exists():
        return Path("shapes")
    msg = ("No bundled data found: './shapes' has no control.csv. Run geomap from the "
           "project folder, set GEOMAP_SHAPES to the shapes folder, or give every layer "
           "with --admin, --towns, --mines, --control and --displacement.")
    raise SourceError(msg)


def parse_column_options(options: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Turn ``layer.canonical=Raw column`` options into a mapping per layer."""
    columns: dict[str, dict[str, str]] = {}
    for option in options:
        key, sep, raw = option.partition("=")
        layer, dot, canonical = key.partition(".")
        if not sep or not dot or layer not in LAYERS or not canonical or not raw:
            msg = (f"--column expects LAYER.COLUMN=SOURCE_COLUMN with LAYER one of "
                   f"{list(LAYERS)}, but got '{option}'.")
            raise ConfigError(msg)
        columns.setdefault(layer, {})[canonical.strip()] = raw.strip()
    return columns


def parse_set_options(options: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Turn ``layer.column=value`` options (``--set``) into constants per layer.

    Examples
    --------
    >>> parse_set_options(("control.start=2015-09-14",))
    {'control': {'start': '2015-09-14'}}
    """
    constants: dict[str, dict[str, str]] = {}
    for option in options:
        key, sep, value = option.partition("=")
        layer, dot, column = key.strip().partition(".")
        if not sep or not dot or layer not in LAYERS or not column or not value.strip():
            msg = (f"--set expects LAYER.COLUMN=VALUE with LAYER one of {list(LAYERS)}, "
                   f"such as control.start=2015-09-14, but got '{option}'.")
            raise ConfigError(msg)
        constants.setdefault(layer, {})[column.strip()] = value.strip()
    return constants


Setting = Callable[[object, Path, str], object]
"""Reads one value of a geomap.toml: (value, the file, where it is) -> the field's."""


def _said_where(parse: Callable[[object], object]) -> Setting:
    """A setting read by *parse*, which says what is wrong; this says where."""
    def read(value: object, _path: Path, where: str) -> object:
        try:
            return parse(value)
        except (ConfigError, ValueError) as err:
            reason = str(err) if str(err).endswith(".") else f"{err}."
            msg = f"{where}: {reason}"
            raise ConfigError(msg) from err
    return read


def _one_of(choices: tuple[str, ...]) -> Setting:
    """A setting that is one of *choices*."""
    def read(value: object, _path: Path, where: str) -> str:
        if value not in choices:
            msg = f"{where} must be {' or '.join(map(repr, choices))}, not {value!r}."
            raise ConfigError(msg)
        return str(value)
    return read


def _days(value: object, _path: Path, where: str) -> int:
    """A number of days (``window``)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        msg = f"{where} must be a whole number of days >= 1."
        raise ConfigError(msg)
    return value


def _relative(value: object, path: Path, _where: str) -> Path:
    """A path, relative to the folder of the geomap.toml."""
    return path.parent / str(value)


def _out(value: object, path: Path, where: str) -> Path:
    """The output folder, checked as ``--out`` is."""
    return check_out_dir(value, base=path.parent, config_file=path, where=where)


SETTINGS: dict[str, tuple[str, Setting]] = {
    "title": ("title", _said_where(str)),
    "date": ("date", _said_where(lambda value: parse_date(str(value)))),
    "compare": ("compare", _said_where(lambda value: parse_date(str(value)))),
    "out": ("out_dir", _out),
    "shapes": ("shapes_dir", _relative),
    "preset": ("preset", _one_of(PRESETS)),
    "self_contained": ("self_contained", _said_where(bool)),
    "offline": ("offline", _said_where(bool)),
    "population": ("population", _relative),
    "hxl": ("hxl", _said_where(bool)),
    "provinces": ("provinces", _said_where(select_provinces)),
    "engine": ("engine", _one_of(ENGINES)),
    "scheduler": ("scheduler", _said_where(str)),
    "decimal": ("decimal", _one_of(DECIMAL_MARKS)),
    "window": ("window", _days),
    "outputs": ("outputs", _said_where(parse_outputs)),
    "lang": ("lang", _said_where(require_lang)),
    "tiles": ("tiles", _said_where(lambda value: resolve_tiles(str(value)))),
}
"""Top-level keys of a geomap.toml: the :class:`BuildConfig` field each sets, and how
it is read (relative paths from the file's folder; a bad value says where it is)."""
SECTIONS = ("inputs", "columns", "set")
"""Tables of a geomap.toml: ``[inputs]``, ``[columns.LAYER]`` and ``[set.LAYER]``."""


def read_config(path: Path) -> dict:
    """Read a geomap.toml into keyword arguments of :class:`BuildConfig`.

    Relative input paths are taken from the folder of the file.

    Raises
    ------
    ConfigError
        The file is not valid TOML, or holds unknown keys or layers.
    """
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        msg = (f"Cannot read config '{path}': it is not UTF-8 text (byte {err.start}); "
               "save it as UTF-8 TOML.")
        raise ConfigError(msg) from err
    except (OSError, tomllib.TOMLDecodeError) as err:
        msg = f"Cannot read config '{path}': {err}."
        raise ConfigError(msg) from err
    known = {*SETTINGS, *SECTIONS}
    unknown = sorted(set(settings) - known)
    if unknown:
        msg = f"Unknown key(s) {unknown} in '{path.name}'; expected some of {sorted(known)}."
        raise ConfigError(msg)
    base = path.parent
    result: dict = {}
    for layer, value in settings.get("inputs", {}).items():
        if layer == "population":
            msg = ("'population' under [inputs] is not a layer: write population = "
                   "\"FILE.tif\" at the top of the file, before any [section].")
            raise ConfigError(msg)
        if layer not in (*LAYERS, CONFLICT_EVENTS):
            msg = (f"Unknown layer '{layer}' under [inputs]; expected one of "
                   f"{[*LAYERS, CONFLICT_EVENTS]}.")
            raise ConfigError(msg)
        result.setdefault("inputs", {})[layer] = _input_value(base, value)
    for layer, mapping in settings.get("columns", {}).items():
        if layer not in LAYERS or not isinstance(mapping, dict):
            msg = f"[columns.{layer}] must name a layer among {list(LAYERS)}."
            raise ConfigError(msg)
        result.setdefault("columns", {})[layer] = {k: str(v) for k, v in mapping.items()}
    for layer, values in settings.get("set", {}).items():
        if layer not in LAYERS or not isinstance(values, dict):
            msg = (f"[set.{layer}] must name a layer among {list(LAYERS)}, with "
                   "column = value lines (start = \"2015-09-14\").")
            raise ConfigError(msg)
        result.setdefault("constants", {})[layer] = {k: str(v) for k, v in values.items()}
    for key, (name, read) in SETTINGS.items():
        if key in settings:
            result[name] = read(settings[key], path, f"'{key}' in '{path.name}'")
    return result


def check_out_dir(out: object, *, base: Path | None = None,
                  config_file: Path | None = None, where: str = "--out") -> Path:
    """Return the output folder *out*, with ``~`` expanded.

    geomap owns what it writes in its output folder, so a folder that holds far
    more than a build's outputs is refused: none, the root of the file system, the
    home folder, the current folder or one of its parents, or the folder of the
    config file or one of its parents.

    Parameters
    ----------
    out : str or Path
        The folder as written by the user.
    base : Path, optional
        The folder a relative *out* is taken from (the config file's folder for
        ``out`` in geomap.toml); the current folder when not given.
    config_file : Path, optional
        The geomap.toml of the build, if any.
    where : str
        Where *out* was written, for the message.

    Returns
    -------
    Path
        The folder to write to.

    Raises
    ------
    ConfigError
        *out* is not text, is empty, or names one of the folders above.

    Examples
    --------
    >>> check_out_dir("report", base=Path("/data/kivu")).as_posix()
    '/data/kivu/report'
    """
    if not isinstance(out, str | Path) or not str(out).strip():
        msg = (f"{where} names no output folder (got {out!r}). Give a folder of its "
               "own, such as 'outputs'.")
        raise ConfigError(msg)
    folder = Path(str(out)).expanduser()
    if base is not None and not folder.is_absolute():
        folder = base / folder
    config_dir = None if config_file is None else Path(config_file).parent
    resolved = folder.resolve()
    reason = None
    if resolved == Path(resolved.anchor):
        reason = "the root of the file system"
    elif resolved == Path.home().resolve():
        reason = "your home folder"
    elif Path.cwd().resolve().is_relative_to(resolved):
        reason = "the current folder or one of its parents"
    elif config_dir is not None and config_dir.resolve().is_relative_to(resolved):
        reason = "the folder of the config file or one of its parents"
    if reason is not None:
        msg = (f"{where} names '{out}', which is {reason}: give geomap a folder of its "
               "own for its outputs, such as 'outputs'.")
        raise ConfigError(msg)
    return folder


def check_out_apart(config: BuildConfig) -> None:
    """Refuse an output folder that holds one of the build's inputs.

    The input files, the population raster and the shapes folder the build reads
    stay apart from the outputs, so a build never writes among (or over) its inputs.

    Raises
    ------
    ConfigError
        ``config.out_dir`` is the folder of an input, or one of its parents.
    """
    from geomap.sources.registry import is_source_name

    out = Path(config.out_dir).expanduser().resolve()
    named = config.shapes_dir or os.environ.get("GEOMAP_SHAPES")
    read = [("the shapes folder", Path(named) if named else Path("shapes"))]
    read += [(f"the {layer} file", Path(given)) for layer, given in config.inputs.items()
             if given is not None and not is_source_name(str(given))]
    if config.population is not None:
        read.append(("the population raster", Path(config.population)))
    for what, path in read:
        if path.exists() and path.expanduser().resolve().is_relative_to(out):
            msg = (f"The output folder '{config.out_dir}' holds {what} '{path}': give "
                   "geomap a folder of its own for its outputs, such as 'outputs'.")
            raise ConfigError(msg)


def _input_value(base: Path, value: str) -> Path | str:
    """A registered source name as it is; a file relative to the config's folder."""
    from geomap.sources.registry import is_source_name

    return str(value) if is_source_name(str(value)) else base / value


def merge(config: BuildConfig, **overrides) -> BuildConfig:
    """Return *config* with the options that were given (not None) applied."""
    given = {key: value for key, value in overrides.items() if value is not None}
    if "inputs" in given:
        given["inputs"] = {**config.inputs, **given["inputs"]}
    for key in ("columns", "constants"):
        if key in given:
            merged = {layer: dict(mapping) for layer, mapping in
                      getattr(config, key).items()}
            for layer, mapping in given[key].items():
                merged.setdefault(layer, {}).update(mapping)
            given[key] = merged
    return replace(config, **given)
