"""The geomap command line: argument parsing and error translation only."""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from geomap import schema
from geomap.errors import (
    ConfigError,
    GeomapError,
    GeomapWarning,
    OutputExistsError,
    one_line,
)
from geomap.text import not_text


class _Date(click.ParamType):
    """A date such as 2025-02-20, 2025-02 or 2025."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from geomap.dates import parse_date

        if not isinstance(value, str):
            return value
        try:
            return parse_date(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


DATE = _Date()


class _Refused(click.ClickException):
    """A request geomap refuses as it stands (exit 2), said in one line."""

    exit_code = 2


def _check_text(options: dict[str, object]) -> None:
    """Refuse option values that are not text (undecodable bytes in argv, kept as lone
    surrogates): the outputs are UTF-8. Raises click.BadParameter (exit 2)."""
    for name, values in options.items():
        for value in values or ():
            at = not_text(value)
            if at is not None:
                msg = (f"'{one_line(value)}' holds bytes that are not UTF-8 text (at "
                       f"character {at}); give it as UTF-8.")
                raise click.BadParameter(msg, param_hint=name)


def _usage(parse, value: object, option: str):
    """*parse* (*value*); a ConfigError is bad usage of *option* (exit 2): a
    malformed geomap.toml, a --set or --column that does not parse."""
    try:
        return parse(value)
    except ConfigError as err:
        raise click.BadParameter(str(err), param_hint=option) from err


@contextmanager
def _reported(quiet: bool) -> Iterator[None]:
    """Turn a GeomapError into a one-line message with exit 1 (exit 2 for an output
    folder holding files geomap did not write); show warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except OutputExistsError as err:
            raise _Refused(one_line(err)) from err
        except GeomapError as err:
            raise click.ClickException(one_line(err)) from err
        finally:
            if not quiet:
                for warning in caught:
                    if issubclass(warning.category, GeomapWarning):
                        click.echo(f"warning: {one_line(warning.message)}", err=True)


def _say(quiet: bool):
    """Return a progress printer: timed lines on stderr, or nothing with --quiet."""
    started = time.perf_counter()

    def say(line: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - started:5.1f}s] {line}", err=True)

    return say


def command() -> None:
    """The ``geomap`` command (and ``python -m geomap``): :func:`main`, then the
    process's objects frozen for its exit (:func:`~geomap.collector.freeze_for_exit`).
    """
    try:
        main()
    finally:
        from geomap.collector import freeze_for_exit

        freeze_for_exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="geomap")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Maps of territorial control, displacement and mining in the Kivu provinces."""
    if ctx.invoked_subcommand == "build":
        from geomap.export.print_worker import close_ahead, fork_ahead

        fork_ahead()  # imports the print map's modules while this process imports its own
        ctx.call_on_close(close_ahead)  # unless the build took it


@main.command()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="A geomap.toml naming inputs, date, title, outputs.")
@click.option("--admin", type=click.Path(path_type=Path), help="Admin areas (polygons).")
@click.option("--towns", type=click.Path(path_type=Path), help="Towns (points).")
@click.option("--mines", type=click.Path(path_type=Path), help="Mining sites (points).")
@click.option("--control", type=click.Path(path_type=Path),
              help="Control records (dated intervals).")
@click.option("--displacement", type=click.Path(path_type=Path),
              help="Displacement figures or registrations.")
@click.option("--events", type=click.Path(path_type=Path),
              help="Dated events (talks, agreements, deployments) shown beside the "
                   "control record [default: shapes/events.csv when present].")
@click.option("--conflict-events", "conflict_events", type=click.Path(path_type=Path),
              metavar="acled|FILE",
              help="ACLED events ('acled', fetched with an account, or a CSV in ACLED's "
                   "columns), counted per area and month by type with fatalities; no "
                   "event row is written.")
@click.option("--population", type=click.Path(path_type=Path), metavar="RASTER",
              help="People per cell (e.g. a WorldPop GeoTIFF, any CRS): adds the "
                   "population of each area and under each actor.")
@click.option("--column", "columns", multiple=True, metavar="LAYER.COLUMN=SOURCE",
              help="Read a publisher's column as a canonical one, e.g. "
                   "displacement.people=numPresentIdpInd. Repeatable.")
@click.option("--set", "constants", multiple=True, metavar="LAYER.COLUMN=VALUE",
              help="Give a column's value for every row whose file leaves it empty, "
                   "e.g. control.start=2015-09-14 for a snapshot with no dates. "
                   "Repeatable.")
@click.option("--date", type=DATE, help="Show control as of this day [default: today].")
@click.option("--compare", type=DATE, help="Also list what changed since this day.")
@click.option("--title", help="Map and report title.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: outputs].")
@click.option("--shapes-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="GEOMAP_SHAPES", help="Folder of the bundled data [default: shapes].")
@click.option("--offline", is_flag=True, default=None,
              help="Never touch the network (the bundled data never does).")
@click.option("--hxl", is_flag=True, default=None,
              help="Add an HXL hashtag row under the header of every CSV.")
@click.option("--provinces", metavar="LIST",
              help="Cut publisher files to these provinces: 'kivu' (Nord- and Sud-Kivu, "
                   "the default), 'east' (adds Ituri, Maniema, Tanganyika) or names or "
                   "P-codes, comma-separated.")
@click.option("--window", type=click.IntRange(min=1), default=None, metavar="DAYS",
              help="Sum registration records (rows without a round) over the DAYS "
                   "ending on --date [default: all earlier rows].")
@click.option("--engine", type=click.Choice(schema.ENGINES), default=None,
              help="Reduce displacement part by part in this process (pandas, the "
                   "default) or as dask tasks: on local threads or a dask cluster "
                   "(docs/scaling.md).")
@click.option("--outputs", metavar="LIST", default=None,
              help=f"Write only these outputs, comma-separated: "
                   f"{', '.join(schema.OUTPUT_GROUPS)} [default: all]. Outputs of an "
                   "earlier build that are not written are removed.")
@click.option("--scheduler", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS",
              default=None,
              help="With --engine dask: the dask.distributed scheduler to run on, e.g. "
                   "tcp://10.0.0.5:8786 (also DASK_SCHEDULER_ADDRESS) [default: local "
                   "threads].")
@click.option("--preset", type=click.Choice(schema.PRESETS), default=None,
              help="analyst: every layer and a layer control [default]; article: a "
                   "light map for embedding (few layers, fullscreen button).")
@click.option("--self-contained/--cdn", "self_contained", default=None,
              help="Inline Leaflet into map.html so it loads no script from outside "
                   "(tiles aside) [default], or load it from a CDN for a smaller page.")
@click.option("--tiles", metavar="NAME|URL|none", default=None,
              help="Background tiles of the web map: a provider xyzservices knows "
                   "(e.g. OpenStreetMap.Mapnik), a tile URL with {z}/{x}/{y}, or "
                   "'none' for the offline vector base [default: none].")
@click.option("--lang", type=click.Choice(schema.LANGS), default=None,
              help="Language of every word on the map, print map and report: English "
                   "[default] or French. Place names stay as in the data.")
@click.option("--decimal", type=click.Choice(schema.DECIMAL_MARKS), default=None,
              help="The decimal mark of counts in the displacement file: '.' (1,250.5) "
                   "[default] or ',' (1.250,5, as French Excel writes).")
@click.option("--quiet", is_flag=True, help="Print only the files written and errors.")
def build(config_path, admin, towns, mines, control, displacement, events,
          conflict_events, population, columns, constants, date, compare, title, out_dir,
          shapes_dir, offline, hxl, provinces, window, engine, outputs, scheduler,
          preset, self_contained, tiles, lang, decimal, quiet) -> None:
    """Load, validate, join and summarise, then write the map and tables.

    With no options it works offline on the bundled data in shapes/ and writes
    outputs/map.html, embed.html, summary_areas.csv, summary_actors.csv,
    rejects.csv, join_report.csv, sources.csv, layers/<layer>.geojson, geomap.gpkg,
    map.png, map.pdf, map.svg and report.html (and changes.csv with --compare,
    events.csv when there are events, displacement_density.tif when displacement
    has point records, conflict_events.csv with --conflict-events).

    \b
    Examples:
      geomap build
      geomap build --date 2025-02-20 --compare 2024-12-31
      geomap build --displacement dtm.xlsx --column displacement.people=numPresentIdpInd
      geomap build --admin cod-ab:adm2 --mines ipis   (registered sources: geomap sources)
    """
    import pandas as pd

    from geomap.config import (
        BuildConfig,
        check_out_apart,
        check_out_dir,
        merge,
        parse_column_options,
        parse_set_options,
        read_config,
    )
    from geomap.pipeline import run

    say = _say(quiet)
    _check_text({"--title": [title], "--set": constants, "--column": columns})
    with _reported(quiet):
        settings = _usage(read_config, config_path, "--config") if config_path else {}
        settings.setdefault("date", pd.Timestamp.today().normalize())
        if out_dir is not None:
            try:
                out_dir = check_out_dir(out_dir, config_file=config_path)
            except ConfigError as err:
                raise _Refused(str(err)) from err
        config = BuildConfig(**settings)
        given = {"admin": admin, "towns": towns, "mines": mines, "control": control,
                 "displacement": displacement, "events": events,
                 "conflict_events": conflict_events}
        inputs = {layer: path for layer, path in given.items() if path is not None}
        mapping = _usage(parse_column_options, columns, "--column")
        constants = _usage(parse_set_options, constants, "--set")
        if provinces is not None:
            from geomap.provinces import select_provinces

            provinces = _usage(select_provinces, provinces, "--provinces")
        if outputs is not None:
            from geomap.config import parse_outputs

            outputs = _usage(parse_outputs, outputs, "--outputs")
        config = merge(config, inputs=inputs or None, columns=mapping or None,
                       constants=constants or None, date=date,
                       compare=compare, title=title, out_dir=out_dir,
                       shapes_dir=shapes_dir, offline=offline, population=population,
                       hxl=hxl, provinces=provinces, engine=engine, window=window,
                       preset=preset, self_contained=self_contained, lang=lang,
                       decimal=decimal, scheduler=scheduler, outputs=outputs)
        try:
            check_out_apart(config)
        except ConfigError as err:
            raise _Refused(str(err)) from err
        if tiles is not None:
            from dataclasses import replace

            from geomap.sources.tiles import resolve_tiles

            config = replace(config, tiles=_usage(resolve_tiles, tiles, "--tiles"))
        from geomap.collector import collector_for_build
        from geomap.progress import live_status

        with live_status(say, quiet=quiet) as report, collector_for_build():
            result = run(config, report=report)
    for path in result.paths:
        click.echo(path)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--layer", required=True, type=click.Choice(schema.LAYERS),
              help="The canonical layer the file should hold.")
@click.option("--column", "columns", multiple=True, metavar="LAYER.COLUMN=SOURCE",
              help="Read a publisher's column as a canonical one. Repeatable.")
@click.option("--decimal", type=click.Choice(schema.DECIMAL_MARKS), default=".",
              show_default=True, help="The decimal mark of counts of people.")
@click.option("--set", "constants", multiple=True, metavar="LAYER.COLUMN=VALUE",
              help="Give a column's value for every row that leaves it empty, as "
                   "'geomap build --set' does. Repeatable.")
def validate(file: Path, layer: str, columns: tuple[str, ...], decimal: str,
             constants: tuple[str, ...]) -> None:
    """Check FILE against a layer's schema; exit 1 with the reasons if rows are bad.

    FILE is read as 'geomap build' reads it (a publisher's file by its publisher's
    loader, cut to the provinces), so both count the same rows. A CSV file is read
    and checked in blocks, so its size does not matter.

    \b
    Example:
      geomap validate shapes/control.csv --layer control
    """
    from geomap.config import parse_column_options, parse_set_options
    from geomap.validate.stream import check_file

    with _reported(quiet=False):
        mapping = _usage(parse_column_options, columns, "--column").get(layer)
        given = _usage(parse_set_options, constants, "--set").get(layer)
        checked = check_file(file, layer, mapping, decimal=decimal, constants=given)
    rejects = checked.rejects
    rejected = rejects.loc[rejects["action"] == "rejected"]
    click.echo(f"{file}: {checked.kept:,} of {checked.rows:,} {layer} rows valid, "
               f"{rejected['row'].nunique():,} rejected")
    for row in rejects.head(50).itertuples(index=False):
        click.echo(f"  row {row.row}, {row.column} = {row.value!r}: {row.action}, "
                   f"{row.reason}")
    if len(rejects) > 50:
        click.echo(f"  ... and {len(rejects) - 50} more")
    if len(rejected):
        sys.exit(1)


@main.command()
@click.argument("names", nargs=-1, metavar="[NAME | NAME=FILE]...")
@click.option("--quiet", is_flag=True, help="No progress bars; print only the files.")
def fetch(names: tuple[str, ...], quiet: bool) -> None:
    """Download registered sources into the cache (GEOMAP_CACHE), checked by sha256.

    With no NAME, fetches every source whose credentials are set. NAME=FILE puts a
    copy you already have into the cache instead (checked the same way). With
    GEOMAP_MIRROR set, files come from that URL or folder instead of the publishers.

    \b
    Examples:
      geomap fetch cod-ab:adm2 ipis
      geomap fetch cod-ab:adm2=cod_admbnda_rgc_itos_20190911_shp.zip
      GEOMAP_MIRROR=https://mirror.example.org/geomap geomap fetch
    """
    import os

    from geomap.load.publishers import check_source_file
    from geomap.sources.fetch import import_file, source_path
    from geomap.sources.registry import SOURCES, get_source

    with _reported(quiet):
        if names:
            wanted = [(name.partition("=")[0], name.partition("=")[2]) for name in names]
            for name, _ in wanted:
                get_source(name)  # an unknown name fails before any download
        else:
            wanted = [(name, "") for name, source in SOURCES.items()
                      if os.environ.get("GEOMAP_MIRROR") or all(
                          any(os.environ.get(v) for v in spec.split("|"))
                          for spec in source.env)]
        failed = []
        for name, local in wanted:
            try:
                path = (import_file(name, local, check_source_file) if local else
                        source_path(name, quiet=quiet, check=check_source_file))
            except GeomapError as err:
                failed.append(f"{name}: {err}")
                click.echo(f"failed: {name}: {err}", err=True)
                continue
            click.echo(path)
        if failed:
            msg = (f"{len(failed)} of {len(wanted)} source(s) not fetched; the reasons "
                   "are above. The cache holds only complete, checked files.")
            raise click.ClickException(msg)


@main.command()
def sources() -> None:
    """List the registered sources: layer, publisher, licence and cache state."""
    from geomap.sources.cache import cache_dir, cache_status
    from geomap.sources.registry import SOURCES

    rows = [("NAME", "LAYER", "LEVEL", "LICENCE", "PUBLISHER", "CACHED", "SIZE",
             "DATE")]
    for source in SOURCES.values():
        status = cache_status(source)
        size = f"{status.size / 1e6:.1f} MB" if status.size is not None else "-"
        level = "1,2" if source.layer == "admin" and source.level is None else (
            str(source.level) if source.level is not None else "-")
        rows.append((source.name, source.layer, level, source.license,
                     source.publisher[:24], "yes" if status.cached else "no", size,
                     status.date or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(
            row, widths, strict=True)).rstrip())
    click.echo(f"\ncache: {cache_dir()}  (set GEOMAP_CACHE to move it; GEOMAP_MIRROR "
               "for a mirror; licences and attribution: docs/sources.md)")
