"""Benchmark: 1.7 million SYNTHETIC displacement records through `geomap build`.

Generates the records deterministically (see synthetic.py: random points, fixed seed)
inside territories chosen with ``--polygons`` (see territories.py):

- ``real``: the 24 real Kivu territories (OCHA COD-AB), when they sit next to the
  repository; the default then;
- ``synthetic``: 35 SYNTHETIC territory-like polygons, wiggled Voronoi cells with 771
  to 3,145 vertices each, sharing their edges exactly; the default otherwise;
- ``grid``: a 7 x 5 grid of rectangular boxes, the easy case for the baseline (a
  point-in-box test is trivial, so its ``sjoin`` is far faster than on real outlines);

then times, in the same run and each as a fresh process:

- ``geomap build`` end to end (``--quiet``): read, validate, join, summarise, the map,
  the tables, the layers, the static maps, the report and the density raster;
- the same with ``--engine dask``;
- the library's floor: read + validate + join + per-place sums, no outputs;
- the baseline an analyst would write by hand: pandas ``read_csv``,
  ``gpd.points_from_xy``, ``gpd.sjoin`` (its default predicate), ``groupby``, a
  folium choropleth saved to HTML; and the same baseline with ``predicate="within"``.

It prints a table of median times over the runs, ratios to the baseline, peak memory
(peak RSS of each process, from ``os.wait4``) and output sizes, then checks the
targets and that people read = people mapped + people rejected, exactly, with the
injected bad rows rejected at their own row numbers.

    python benchmarks/bench_displacement.py                 # 1.7 million rows, 3 runs
    python benchmarks/bench_displacement.py --rows 200000 --runs 1
    python benchmarks/bench_displacement.py --polygons grid --no-dask
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAST_DAY = "2025-06-30"
"""Build date: the day of the last synthetic registration, so every record counts."""

POLYGON_LABELS = {
    "real": "real Kivu territories (OCHA COD-AB)",
    "synthetic": "SYNTHETIC wiggled Voronoi territories",
    "grid": "rectangular boxes (7 x 5 grid)",
}

TARGET_RATIO = 0.5
TARGET_RSS_BYTES = 1.5e9
TARGET_MAP_BYTES = 2e6


@dataclass
class Timing:
    """Wall times and peak memory of one command over the runs."""

    label: str
    seconds: list[float] = field(default_factory=list)
    peak_rss: list[int] = field(default_factory=list)
    output: str = ""
    failures: list[str] = field(default_factory=list)
    """How each failed run ended (exit code and last line of its output)."""

    @property
    def median(self) -> float:
        """Median wall time in seconds of the runs that finished (nan if none did)."""
        return statistics.median(self.seconds) if self.seconds else float("nan")


def run_measured(command: list[str], log: Path) -> tuple[float, int]:
    """Run *command*; return its wall time and its own peak RSS in bytes.

    ``os.wait4`` gives the resource usage of this one child (not the maximum over
    every child so far, as ``RUSAGE_CHILDREN`` would).
    """
    with log.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        lines = log.read_text(errors="replace").strip().splitlines() or [""]
        msg = f"exit {code}: {lines[-1][:120]}"
        raise RuntimeError(msg)
    return seconds, usage.ru_maxrss * 1024


def baseline(admin_path: str, records_path: str, html_path: str, predicate: str) -> None:
    """What an analyst writes by hand: read, points, spatial join, group, choropleth."""
    import folium
    import geopandas as gpd
    import pandas as pd

    admin = gpd.read_file(admin_path)
    records = pd.read_csv(records_path)
    records["people"] = pd.to_numeric(records["people"], errors="coerce")
    points = gpd.GeoDataFrame(
        records, geometry=gpd.points_from_xy(records["lon"], records["lat"]),
        crs="EPSG:4326")
    if predicate == "default":
        joined = gpd.sjoin(points, admin[["pcode", "geometry"]])
    else:
        joined = gpd.sjoin(points, admin[["pcode", "geometry"]], predicate=predicate)
    totals = joined.groupby("pcode", as_index=False)["people"].sum()
    fmap = folium.Map(location=[-2.0, 28.4], zoom_start=7)
    folium.Choropleth(geo_data=admin, data=totals, columns=["pcode", "people"],
                      key_on="feature.properties.pcode", fill_color="YlOrRd",
                      legend_name="People displaced").add_to(fmap)
    fmap.save(html_path)


def library_floor(admin_path: str, records_path: str) -> None:
    """geomap's read + validate + join + per-place sums, without writing outputs."""
    import geopandas as gpd
    import pandas as pd

    from geomap.join import link_records
    from geomap.load.files import read_layer
    from geomap.places import build_places
    from geomap.summarise.areas import sum_displaced
    from geomap.validate.checks import validate_admin, validate_displacement

    admin = validate_admin(read_layer(admin_path, "admin"))[0]
    towns = gpd.GeoDataFrame({"town_id": [], "name": [], "pcode": [],
                              "province_pcode": []}, geometry=[], crs="EPSG:4326")
    clean = validate_displacement(read_layer(records_path, "displacement"))[0]
    linked = link_records(clean, build_places(admin, towns), admin,
                          layer="displacement", own_geometry=False)[0]
    sums = sum_displaced(linked, pd.Timestamp(LAST_DAY))
    print(json.dumps({"people": int(sums["people"].sum())}))  # noqa: T201


def check_conservation(synthetic, out_dir: Path) -> list[str]:
    """Compare the build's rejects and sums with what the generator knows."""
    import pandas as pd

    rejects = pd.read_csv(out_dir / "rejects.csv")
    rejected = rejects.loc[(rejects["layer"] == "displacement")
                           & (rejects["action"] == "rejected")]
    rows = sorted(set(rejected["row"].astype(int)))
    people = synthetic.people
    read = int(people.sum())
    dropped = int(people.iloc[[row - 1 for row in rows]].sum())
    mapped = int(pd.read_csv(out_dir / "summary_areas.csv")["people"].sum())
    lines = [f"people read {read:,} = mapped {mapped:,} + rejected {dropped:,}: "
             + ("exact" if read == mapped + dropped else "NOT CONSERVED")]
    expected = sorted(synthetic.bad.index)
    lines.append(f"rejected rows {len(rows)} = injected bad rows {len(expected)}, same "
                 f"row numbers: {'yes' if rows == expected else 'NO'}")
    return lines


def _size(path: Path) -> str:
    """File or folder size in MB."""
    if path.is_dir():
        total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    else:
        total = path.stat().st_size if path.exists() else 0
    return f"{total / 1e6:.2f} MB"


def _table(timings: list[Timing], base: Timing) -> str:
    """The results as a Markdown table."""
    lines = ["| command | median s | min-max s | vs baseline | peak RSS | output |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for timing in timings:
        if not timing.seconds:
            lines.append(f"| {timing.label} | - | - | - | - | every run failed |")
            continue
        ratio = timing.median / base.median
        failed = (f"{'; ' if timing.output else ''}failed in {len(timing.failures)} of "
                  f"{len(timing.failures) + len(timing.seconds)} runs"
                  if timing.failures else "")
        lines.append(
            f"| {timing.label} | {timing.median:.1f} | {min(timing.seconds):.1f}-"
            f"{max(timing.seconds):.1f} | {ratio:.2f} | "
            f"{max(timing.peak_rss) / 1e9:.2f} GB | {timing.output}{failed} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Generate, time, print the table and check the targets; 1 if one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_700_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--polygons", choices=["auto", "real", "synthetic", "grid"], default="auto",
        help="real: the 24 COD-AB territories (auto when present); synthetic: 35 "
             "wiggled Voronoi territories (auto otherwise); grid: 35 boxes, the easy "
             "case for the baseline.")
    parser.add_argument("--workdir", type=Path, help="Keep the files here.")
    parser.add_argument("--no-dask", action="store_true", help="Skip --engine dask.")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import synthetic as generator
    import territories

    work = args.workdir or Path(tempfile.mkdtemp(prefix="geomap-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    kind = territories.resolve_kind(args.polygons)
    polygons = territories.build_polygons(kind)
    records = generator.generate_records(polygons, args.rows, seed=args.seed)
    admin = generator.write_admin(polygons, work / "admin.geojson")
    table = generator.write_records(records, work / "registrations.csv")
    digest = hashlib.sha256(table.read_bytes()).hexdigest()[:16]
    vertices = polygons.geometry.count_coordinates()
    print(f"SYNTHETIC records: {args.rows:,}, seed {args.seed}, in {len(polygons)} "  # noqa: T201
          f"{POLYGON_LABELS[kind]} ({vertices.min():,} to {vertices.max():,} vertices "
          f"each), {_size(table)} CSV (sha256 {digest}...), made in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    synthetic = generator.Synthetic(records=records.records[["people"]], bad=records.bad)
    del records

    python = sys.executable
    geomap = [python, "-c", "from geomap.cli import main; main()", "build",
              "--admin", str(admin), "--displacement", str(table), "--date", LAST_DAY,
              "--shapes-dir", str(REPO / "shapes"), "--quiet"]
    me = str(Path(__file__).resolve())
    commands = {
        "geomap build": geomap + ["--out", str(work / "out")],
        "geomap build --engine dask": geomap + ["--out", str(work / "out-dask"),
                                                "--engine", "dask"],
        "geomap read+validate+join+sum (no outputs)": [python, me, "--floor",
                                                       str(admin), str(table)],
        "baseline: read_csv, sjoin (default), groupby, folium": [
            python, me, "--baseline", str(admin), str(table),
            str(work / "baseline.html"), "default"],
        "baseline with sjoin(predicate='within')": [
            python, me, "--baseline", str(admin), str(table),
            str(work / "baseline-within.html"), "within"],
    }
    if args.no_dask:
        del commands["geomap build --engine dask"]
    timings = {label: Timing(label) for label in commands}
    for run in range(args.runs):
        order = list(commands) if run % 2 == 0 else list(reversed(commands))
        for label in order:  # alternate the order: a noisy machine hurts both alike
            try:
                seconds, rss = run_measured(commands[label], work / "command.log")
            except RuntimeError as failure:  # say so, and time the other commands
                timings[label].failures.append(str(failure))
                print(f"run {run + 1}: {label}: FAILED ({failure})", flush=True)  # noqa: T201
                continue
            timings[label].seconds.append(seconds)
            timings[label].peak_rss.append(rss)
            print(f"run {run + 1}: {label}: {seconds:.1f} s, "  # noqa: T201
                  f"{rss / 1e9:.2f} GB", flush=True)
    out = work / "out"
    timings["geomap build"].output = (
        f"map.html {_size(out / 'map.html')}, density tif "
        f"{_size(out / 'displacement_density.tif')}, all outputs {_size(out)}")
    timings["baseline: read_csv, sjoin (default), groupby, folium"].output = \
        f"baseline.html {_size(work / 'baseline.html')}"
    base = timings["baseline: read_csv, sjoin (default), groupby, folium"]
    print()  # noqa: T201
    print(_table(list(timings.values()), base))  # noqa: T201
    build = timings["geomap build"]
    checks = [
        (build.median <= TARGET_RATIO * base.median,
         (f"geomap build {build.median:.1f} s <= half the baseline "
          f"({TARGET_RATIO * base.median:.1f} s)")),
        (max(build.peak_rss) <= TARGET_RSS_BYTES,
         f"peak memory {max(build.peak_rss) / 1e9:.2f} GB <= 1.5 GB"),
        ((out / "map.html").stat().st_size <= TARGET_MAP_BYTES,
         f"map.html {_size(out / 'map.html')} <= 2 MB"),
    ]
    conservation = check_conservation(synthetic, out)
    checks += [(line.endswith(("exact", "yes")), line) for line in conservation]
    failures = [f"{t.label} ({failure})" for t in timings.values() for failure in t.failures]
    checks.append((not failures, "every run finished" if not failures else
                   f"{len(failures)} run(s) failed: {'; '.join(failures)}"))
    print()  # noqa: T201
    for passed, line in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {line}")  # noqa: T201
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(passed for passed, _ in checks) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--baseline":
        baseline(*sys.argv[2:6])
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor":
        library_floor(*sys.argv[2:4])
    else:
        sys.exit(main())
