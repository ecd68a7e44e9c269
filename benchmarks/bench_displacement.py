"""Benchmark: SYNTHETIC household registrations through geomap, against two scripts.

Records are generated deterministically (synthetic.py: households clustered around
settlements, fixed seed, 30 bad rows of known kinds) inside the 24 Kivu territories:
the real OCHA COD-AB file when it is found in ``shared/data/real`` next to the
repository or one of its parents, else geomap's bundled level-2 areas (the same 24
territories, simplified); the run says which. At each size, in the same run and each
as a fresh process, it times:

- ``geomap build`` (every output) with the pandas engine and with ``--engine dask``;
  on Parquet also with ``--engine dask --scheduler`` on a ``dask.distributed``
  LocalCluster that the command starts itself (two worker processes of one thread,
  on 127.0.0.1), its scheduler and workers measured with it;
- geomap's read + validate + join + sum alone (no outputs);
- the script a careful analyst writes by hand: ``pd.read_csv``,
  ``gpd.points_from_xy``, ``gpd.sjoin(predicate="within")``, ``groupby`` and a folium
  choropleth (``--baseline``);
- the floor: pyarrow reads lon, lat and people, prepared polygons test the points in
  their bounding boxes with ``shapely.contains_xy``, ``np.bincount`` sums
  (``--floor``): no validation, no rejects, no outputs.

Sizes up to 1.7 million rows are CSV; 17 million (``--big``) are typed Parquet (with
1.7 million as Parquet too, to compare the dask engine's peak memory at both sizes).
Peak memory is each command's process tree at its peak, as if it ran alone: the
resident set of the command's own process (``/proc/PID/status``, shared libraries
included) plus the pages only its child processes hold (their private pages, from
``smaps_rollup``: a forked child's pages shared with its parent are counted once),
sampled every 20 ms, and never less than the command's own high-water mark
(``VmHWM``); that mark is printed beside it. (The proportional set size would split
the pages of shared libraries with every other process on the machine that maps
them, and so report less on a busy machine; ``ru_maxrss`` keeps the size of this
process, which holds the generated records, from the fork before the ``exec``.) The
load average is printed with every table: the machine may be shared.

    python benchmarks/bench_displacement.py                    # 170,000 and 1.7 M, 3 runs
    python benchmarks/bench_displacement.py --big               # and 17 M (once; long)
    python benchmarks/bench_displacement.py --sizes 170000 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAST_DAY = "2025-06-30"
"""Build date: the day of the last synthetic registration, so every record counts."""

CLUSTER = "  the same, dask engine on a LocalCluster (2 workers)"
"""The dask engine's build on a dask.distributed cluster (Parquet sizes)."""

TARGETS = {"build_vs_within": 0.5, "sum_vs_floor": 2.0, "peak_bytes": 1e9,
           "map_bytes": 2e6, "dask_big_bytes": 2e9, "dask_growth": 1.2}


@dataclass
class Timing:
    """Wall times and peak memory of one command over the runs."""

    label: str
    seconds: list[float] = field(default_factory=list)
    tree: list[int] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median wall time of the runs that finished (nan if none did)."""
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def peak(self) -> float:
        """Highest peak of the process tree (see :func:`run_measured`) over the runs."""
        return max(self.tree) if self.tree else float("nan")


def _tree(pid: int) -> list[int]:
    """*pid* and its descendants, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


DESCENDANTS_EVERY = 5
"""Samples between two reads of the child processes' private pages: smaps_rollup
walks a process's page tables (milliseconds for a large one), statm does not."""


def _resident(pid: int) -> tuple[int, int]:
    """Resident set of *pid* now and at its highest (VmRSS, VmHWM), in bytes; zeros
    once it is gone."""
    now = highest = 0
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    now = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    highest = int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return now, highest


def _private(pids: list[int]) -> int:
    """Pages held by *pids* alone (private clean and dirty), in bytes."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith(("Private_Clean:", "Private_Dirty:",
                                        "Private_Hugetlb:")):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_measured(command: list[str], log: Path) -> tuple[float, int, int, float]:
    """Run *command*; return its wall time, its tree's peak memory and its own, and
    the CPU time (user and system) of its process and the children it waited for.

    The tree's memory is the command's own resident set plus its descendants'
    private pages: what the machine needs to run it alone (a forked child's pages
    shared with its parent count once; libraries count whole, as they would with no
    other process on the machine). The command's own peak is its ``VmHWM``, the
    kernel's high-water mark of its resident set since it started its interpreter.
    Not ``ru_maxrss``: that keeps the resident set of the moment it was forked from
    this process, which holds the generated records, across the ``exec``.
    """
    with log.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO,
                                   env={**os.environ, "PYTHONPATH": str(REPO)})
        tree, own, done = [0], [0], threading.Event()

        def sample() -> None:
            children, count = 0, 0
            while not done.wait(0.02):
                if count % DESCENDANTS_EVERY == 0:
                    children = _private(_tree(process.pid)[1:])
                count += 1
                now, highest = _resident(process.pid)
                if now:
                    tree[0] = max(tree[0], now + children)
                    own[0] = max(own[0], highest)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        lines = log.read_text(errors="replace").strip().splitlines() or [""]
        msg = f"exit {code}: {lines[-1][:160]}"
        raise RuntimeError(msg)
    return (seconds, max(tree[0], own[0]), own[0],
            usage.ru_utime + usage.ru_stime)


def baseline(admin_path: str, records_path: str, html_path: str) -> None:
    """What a careful analyst writes by hand: read, points, sjoin(within), choropleth."""
    import folium
    import geopandas as gpd
    import pandas as pd

    admin = gpd.read_file(admin_path)
    records = (pd.read_parquet(records_path) if records_path.endswith(".parquet")
               else pd.read_csv(records_path, low_memory=False))
    records["people"] = pd.to_numeric(records["people"], errors="coerce")
    points = gpd.GeoDataFrame(
        records, geometry=gpd.points_from_xy(pd.to_numeric(records["lon"], "coerce"),
                                             pd.to_numeric(records["lat"], "coerce")),
        crs="EPSG:4326")
    joined = gpd.sjoin(points, admin[["pcode", "geometry"]], predicate="within")
    totals = joined.groupby("pcode", as_index=False)["people"].sum()
    fmap = folium.Map(location=[-2.0, 28.4], zoom_start=7)
    folium.Choropleth(geo_data=admin, data=totals, columns=["pcode", "people"],
                      key_on="feature.properties.pcode", fill_color="YlOrRd",
                      legend_name="People displaced").add_to(fmap)
    fmap.save(html_path)


def floor(admin_path: str, records_path: str) -> None:
    """The floor: pyarrow read, prepared polygons, bounding boxes, contains_xy, bincount."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    import shapely

    with open(admin_path, encoding="utf-8") as handle:  # GeoJSON: no geopandas needed
        features = json.load(handle)["features"]
    polygons = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    shapely.prepare(polygons)
    columns = ["lon", "lat", "people"]
    if records_path.endswith(".parquet"):
        table = pq.read_table(records_path, columns=columns)
        people = table["people"]
    else:
        table = pacsv.read_csv(records_path, convert_options=pacsv.ConvertOptions(
            include_columns=columns, column_types={
                "lon": pa.float64(), "lat": pa.float64(), "people": pa.string()}))
        text = table["people"]  # a count that is no number counts for nothing
        people = pc.cast(pc.if_else(pc.match_substring_regex(text, r"^-?\d+$"), text,
                                    None), pa.float64())
    x, y = (table[c].to_numpy(zero_copy_only=False).astype(float) for c in ("lon", "lat"))
    people = people.to_numpy(zero_copy_only=False).astype(float)
    found = np.full(len(x), -1)
    for position, polygon in enumerate(polygons):
        minx, miny, maxx, maxy = polygon.bounds
        box = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        found[box[shapely.contains_xy(polygon, x[box], y[box])]] = position
    ok = (found >= 0) & np.isfinite(people)
    sums = np.bincount(found[ok], weights=people[ok], minlength=len(polygons))
    print(json.dumps({"people": int(sums.sum())}))  # noqa: T201


def on_cluster(build: list[str]) -> None:
    """``geomap build`` with ``--scheduler`` on a LocalCluster started here: the
    scheduler runs in this process, the workers are fresh processes (spawned, not
    forked from one holding data), so the measured tree holds them all."""
    from distributed import LocalCluster

    from geomap.cli import main as geomap

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster:
        try:
            geomap([*build, "--scheduler", cluster.scheduler_address])
        except SystemExit as done:
            if done.code:
                raise


def library_sum(admin_path: str, records_path: str, engine: str) -> None:
    """geomap's read + validate + join + sum, no outputs: the build's own stages,
    importing nothing an output needs."""
    import pandas as pd

    from geomap.config import BuildConfig
    from geomap.load.files import read_layer
    from geomap.places import build_places
    from geomap.summarise.areas import sum_displaced
    from geomap.summarise.engines import read_displacement
    from geomap.validate.checks import validate_admin
    from geomap.validate.extent import add_parent_areas

    config = BuildConfig(date=pd.Timestamp(LAST_DAY), engine=engine,
                         inputs={"admin": Path(admin_path),
                                 "displacement": Path(records_path)})
    admin = add_parent_areas(validate_admin(read_layer(admin_path, "admin"))[0])
    towns = pd.DataFrame({"town_id": [], "name": [], "pcode": [], "province_pcode": []})
    import geopandas as gpd

    places = build_places(admin, gpd.GeoDataFrame(towns, geometry=[], crs="EPSG:4326"))
    _, reduced = read_displacement(config, places, admin, lambda _: None)
    sums = sum_displaced(reduced.figures, config.date)
    print(json.dumps({"people": int(sums["people"].sum()),  # noqa: T201
                      "read": reduced.people.read, "mapped": reduced.people.mapped,
                      "rejected": reduced.people.rejected}))


def _size(path: Path) -> float:
    """File or folder size in bytes."""
    if path.is_dir():
        return float(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()))
    return float(path.stat().st_size) if path.exists() else 0.0


def check_conservation(truth, out_dir: Path) -> list[tuple[bool, str]]:
    """The build's rejects and sums against what the generator knows."""
    import pandas as pd

    rejects = pd.read_csv(out_dir / "rejects.csv")
    rejected = rejects.loc[(rejects["layer"] == "displacement")
                           & (rejects["action"] == "rejected")]
    rows = sorted(set(rejected["row"].astype(int)))
    people = truth.people
    read = int(people.sum())
    dropped = int(people.iloc[[row - 1 for row in rows]].sum())
    mapped = int(pd.read_csv(out_dir / "summary_areas.csv").query("level == 2")[
        "people"].sum())
    expected = sorted(truth.bad.index)
    return [(read == mapped + dropped, (f"people read {read:,} = mapped {mapped:,} + "
             f"rejected {dropped:,}")),
            (rows == expected, (f"rejected rows {len(rows)} = injected bad rows "
             f"{len(expected)}, the same row numbers"))]


def _table(timings: list[Timing], within: Timing, floor_: Timing) -> str:
    """Markdown table of medians, ranges, ratios, CPU time and peaks."""
    lines = [("| command | median s | min-max s | / within | / floor | CPU s | "
              "peak (tree) | own peak RSS |"),
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in timings:
        if not t.seconds:
            lines.append(f"| {t.label} | - | - | - | - | - | - | failed: {t.failures} |")
            continue
        lines.append(f"| {t.label} | {t.median:.1f} | {min(t.seconds):.1f}-"
                     f"{max(t.seconds):.1f} | {t.median / within.median:.2f} | "
                     f"{t.median / floor_.median:.2f} | {statistics.median(t.cpu):.1f} | "
                     f"{t.peak / 1e9:.2f} GB | {max(t.rss) / 1e9:.2f} GB |")
    return "\n".join(lines)


def _commands(admin: Path, records: Path, work: Path, tag: str) -> dict[str, list[str]]:
    """The commands timed at one size."""
    python, me = sys.executable, str(Path(__file__).resolve())
    build = [python, "-m", "geomap", "build", "--admin", str(admin), "--displacement",
             str(records), "--date", LAST_DAY, "--shapes-dir", str(REPO / "shapes"),
             "--quiet"]
    commands = {
        "geomap build": [*build, "--out", str(work / f"out-{tag}")],
        "geomap build --engine dask": [*build, "--out", str(work / f"out-{tag}-dask"),
                                       "--engine", "dask"],
        "geomap read+validate+join+sum": [python, me, "--sum", str(admin), str(records),
                                          "pandas"],
        "  the same, dask engine": [python, me, "--sum", str(admin), str(records), "dask"],
        "script: sjoin(within), groupby, folium": [python, me, "--baseline", str(admin),
                                                   str(records),
                                                   str(work / f"within-{tag}.html")],
        "floor: pyarrow, contains_xy, bincount": [python, me, "--floor", str(admin),
                                                  str(records)],
    }
    if records.suffix == ".parquet":
        commands[CLUSTER] = [python, me, "--cluster", *build[4:], "--out",
                             str(work / f"out-{tag}-cluster"), "--engine", "dask"]
    return commands


def time_size(commands: dict[str, list[str]], runs: int, work: Path) -> dict[str, Timing]:
    """Run every command *runs* times, alternating the order; print each run."""
    timings = {label: Timing(label) for label in commands}
    for run in range(runs):
        order = list(commands) if run % 2 == 0 else list(reversed(commands))
        for label in order:
            try:
                seconds, tree, rss, cpu = run_measured(commands[label],
                                                       work / "command.log")
            except RuntimeError as failure:
                timings[label].failures.append(str(failure))
                print(f"  run {run + 1}: {label}: FAILED ({failure})", flush=True)  # noqa: T201
                continue
            timings[label].seconds.append(seconds)
            timings[label].tree.append(tree)
            timings[label].rss.append(rss)
            timings[label].cpu.append(cpu)
            print(f"  run {run + 1}: {label}: {seconds:.1f} s, CPU {cpu:.1f} s, "  # noqa: T201
                  f"{tree / 1e9:.2f} GB (load {os.getloadavg()[0]:.1f})", flush=True)
    return timings


def compile_geomap() -> None:
    """Write geomap's bytecode beside its modules, as an installed copy has it.

    ``pip install`` compiles a package's modules once; a copy run from its source tree
    compiles them on first import and caches the result, unless Python is told not to
    write bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``) or cannot. Then every timed
    build would compile geomap's modules again (about 0.2 s), a cost the hand-written
    scripts, whose libraries are installed, never pay.
    """
    import compileall

    compileall.compile_dir(REPO / "geomap", quiet=1)


def _same_tables(first: Path, second: Path) -> bool:
    """Whether two builds wrote the same summary tables, byte for byte."""
    names = ("summary_areas.csv", "summary_actors.csv", "rejects.csv", "join_report.csv",
             "displacement_density.tif")
    return all((first / n).is_file() and (second / n).is_file()
               and (first / n).read_bytes() == (second / n).read_bytes() for n in names)


def main(argv: list[str] | None = None) -> int:
    """Generate, time, print the tables and check the targets; 1 if one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="170000,1700000")
    parser.add_argument("--big", action="store_true",
                        help="Also 17 million rows as Parquet, once (minutes).")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--workdir", type=Path, help="Keep the files here.")
    parser.add_argument("--no-dask", action="store_true",
                        help="Leave out the dask engine's commands (the pandas figures "
                             "alone, in half the time).")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import synthetic as generator
    import territories

    work = args.workdir or Path(tempfile.mkdtemp(prefix="geomap-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    compile_geomap()
    kind = territories.resolve_kind("kivu")
    polygons = territories.build_polygons(kind)
    admin = generator.write_admin(polygons, work / "admin.geojson")
    said = ("the real OCHA COD-AB 2017 file" if kind == "real" else
            "geomap's bundled level-2 areas (the real ones, simplified)")
    print(f"Territories: {len(polygons)} Kivu territories from {said}, "  # noqa: T201
          f"{polygons.geometry.count_coordinates().sum():,} vertices.")
    print(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()}; "  # noqa: T201
          f"SYNTHETIC records, seed {args.seed}; geomap's bytecode compiled before "
          "timing, as an installed copy has it.")
    sizes = [(int(s), ".csv") for s in args.sizes.split(",") if s]
    if args.big:
        sizes += [(1_700_000, ".parquet"), (17_000_000, ".parquet")]
    checks, results = [], {}
    for rows, suffix in sizes:
        started = time.perf_counter()
        truth = generator.generate_records(polygons, rows, seed=args.seed, clustered=True)
        records = generator.write_records(truth, work / f"registrations-{rows}{suffix}",
                                          typed=suffix == ".parquet")
        tag = f"{rows}{suffix}"
        print(f"\n{rows:,} rows ({suffix[1:]}, {_size(records) / 1e6:,.0f} MB, made in "  # noqa: T201
              f"{time.perf_counter() - started:.0f} s):", flush=True)
        runs = 1 if rows > 2_000_000 or suffix == ".parquet" else args.runs
        commands = _commands(admin, records, work, tag)
        if args.no_dask:
            commands = {label: command for label, command in commands.items()
                        if "dask" not in label}
        if rows > 2_000_000:  # the hand-written script needs about 11 GB here
            del commands["script: sjoin(within), groupby, folium"]
        timings = time_size(commands, runs, work)
        results[tag] = timings
        within = timings.get("script: sjoin(within), groupby, folium") or Timing("-")
        print(_table(list(timings.values()), within, timings[  # noqa: T201
            "floor: pyarrow, contains_xy, bincount"]))
        out = work / f"out-{tag}"
        checks += [(ok, f"{tag}: {line}") for ok, line in check_conservation(truth, out)]
        if "geomap build --engine dask" in commands:
            checks.append((_same_tables(out, work / f"out-{tag}-dask"),
                           f"{tag}: the pandas and dask engines wrote the same tables"))
        if CLUSTER in commands:
            checks.append((_same_tables(out, work / f"out-{tag}-cluster"),
                           (f"{tag}: the dask engine on a LocalCluster wrote the "
                            "same tables")))
        if rows == 1_700_000 and suffix == ".csv":
            build, floor_ = timings["geomap build"], timings[
                "floor: pyarrow, contains_xy, bincount"]
            summed = timings["geomap read+validate+join+sum"]
            checks += [
                (build.median <= TARGETS["build_vs_within"] * within.median,
                 (f"geomap build {build.median:.1f} s <= half the within script "
                 f"({within.median:.1f} s)")),
                (summed.median <= TARGETS["sum_vs_floor"] * floor_.median,
                 (f"read+validate+join+sum {summed.median:.1f} s <= 2 x the floor "
                 f"({floor_.median:.1f} s)")),
                (build.peak <= TARGETS["peak_bytes"],
                 f"geomap build peak {build.peak / 1e9:.2f} GB <= 1 GB"),
                (_size(out / "map.html") <= TARGETS["map_bytes"],
                 f"map.html {_size(out / 'map.html') / 1e6:.2f} MB <= 2 MB")]
        del truth
    if "17000000.parquet" in results and not args.no_dask:
        for label, said in (("geomap build --engine dask", "dask engine"),
                            (CLUSTER, "dask engine on a LocalCluster")):
            big = results["17000000.parquet"][label]
            small = results["1700000.parquet"][label]
            checks += [(big.peak <= TARGETS["dask_big_bytes"],
                        f"17 M rows, {said} peak {big.peak / 1e9:.2f} GB <= 2 GB"),
                       (big.peak <= TARGETS["dask_growth"] * small.peak,
                        (f"17 M rows, {said} peak {big.peak / 1e9:.2f} GB <= 1.2 x its "
                         f"1.7 M peak ({small.peak / 1e9:.2f} GB)"))]
    failures = [f"{tag} {t.label}" for tag, ts in results.items() for t in ts.values()
                if t.failures]
    checks.append((not failures, "every run finished" if not failures else
                   f"failed: {failures}"))
    print(f"\nload average at the end {os.getloadavg()}")  # noqa: T201
    for passed, line in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {line}")  # noqa: T201
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if all(passed for passed, _ in checks) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--baseline":
        baseline(*sys.argv[2:5])
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor":
        floor(*sys.argv[2:4])
    elif len(sys.argv) > 1 and sys.argv[1] == "--cluster":
        on_cluster(["build", *sys.argv[2:]])
    elif len(sys.argv) > 1 and sys.argv[1] == "--sum":
        library_sum(*sys.argv[2:5])
    else:
        sys.exit(main())
