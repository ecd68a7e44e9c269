"""Benchmark: the print map with thousands of polygons and thousands of towns.

Two cases on real public files (read in place from ``shared/data/real`` next to the
repository or one of its parents, or from ``--real-data``; never copied):

- ``titles``: the 2,903 IPIS mining titles (CAMI, 2016) as a polygon layer: each title
  is a control zone, given an actor in turn (a stress test of drawing, not a claim
  about who holds a title), over the 240 territories of the whole DR Congo (COD-AB,
  given no province so that no title is cut away);
- ``towns``: the 8,628 localities of eastern DR Congo (Who's On First / GeoNames) as
  towns, to be labelled.

Each case runs in a fresh process: read and summarise (not timed), then
``write_static_map`` (map.png, map.pdf, map.svg) timed on its own, with the time
spent placing labels. It prints seconds (wall time, and the CPU time of the process,
which a shared machine's load distorts less), the process's peak RSS and the load
average.

    python benchmarks/bench_print.py
    python benchmarks/bench_print.py --case towns --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TITLES = "ipis/ipis_mining_titles_cami_2016.geojson"
TOWNS = "whosonfirst-geonames/wof_localities_eastern_drc.csv"
TERRITORIES = "ocha-codab-adm2-2017/cod_admbnda_adm2_rgc_20170711_kivu.geojson"
COUNTRY = "ocha-codab-adm2-2017/cod_admbnda_adm2_rgc_20170711.shp"
ACTORS = ("m23", "fardc", "wazalendo", "fdlr", "adf", "burundi")
TARGETS = {"titles": 30.0, "towns": 10.0}
"""Seconds the print map may take in each case."""


def find_real_data(given: Path | None = None) -> Path | None:
    """The folder of real public files: *given*, else ``shared/data/real`` next to
    the repository or one of its parents."""
    if given is not None:
        return given
    for parent in REPO.parents:
        candidate = parent / "shared" / "data" / "real"
        if candidate.is_dir():
            return candidate
    return None


def _inputs(case: str, real: Path, work: Path) -> dict[str, Path]:
    """Canonical input files for *case*, written into *work*."""
    import geopandas as gpd
    import pandas as pd

    inputs = {"admin": real / TERRITORIES}
    if case == "titles":
        country = gpd.read_file(real / COUNTRY).to_crs("EPSG:4326")
        inputs["admin"] = work / "territories.geojson"
        gpd.GeoDataFrame({"pcode": country["ADM2_PCODE"], "name": country["ADM2_FR"],
                          "level": 2, "parent_pcode": "CD", "source": "OCHA COD-AB"},
                         geometry=country.geometry.to_numpy(),
                         crs="EPSG:4326").to_file(inputs["admin"], driver="GeoJSON")
        titles = gpd.read_file(real / TITLES)
        zones = gpd.GeoDataFrame({
            "actor": [ACTORS[i % len(ACTORS)] for i in range(len(titles))],
            "start": "2020-01-01", "end": None,
            "confidence": ["claimed" if i % 7 == 0 else "assessed"
                           for i in range(len(titles))],
            "name": titles["name"].astype(str), "source": "IPIS, CAMI mining titles 2016",
            "url": "https://ipisresearch.be"}, geometry=titles.geometry.to_numpy(),
            crs=titles.crs)
        inputs["control"] = work / "titles.geojson"
        zones.to_file(inputs["control"], driver="GeoJSON")
    else:
        towns = pd.read_csv(real / TOWNS)
        table = pd.DataFrame({
            "town_id": "wof-" + towns["wof_id"].astype(str), "name": towns["name"],
            "lon": towns["longitude"], "lat": towns["latitude"], "pcode": "",
            "province_pcode": "", "source": "Who's On First, GeoNames",
            "url": "https://whosonfirst.org"})
        inputs["towns"] = work / "towns.csv"
        table.to_csv(inputs["towns"], index=False)
    return inputs


def run_case(case: str, real: Path) -> dict:
    """Build the layers of *case*, then time the print map alone."""
    import pandas as pd

    from geomap.config import BuildConfig
    from geomap.export.print_map import write_static_map
    from geomap.pipeline import load_layers
    from geomap.render.markup import MapText
    from geomap.render.print import labels
    from geomap.summarise.summary import summarise_build

    spent = {"labels": 0.0}
    place = labels.place_labels

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return place(*args, **kwargs)
        finally:
            spent["labels"] += time.perf_counter() - started

    from geomap.render.print import panel

    labels.place_labels = panel.place_labels = timed
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = BuildConfig(date=pd.Timestamp("2025-06-30"), out_dir=work / "out",
                             inputs=_inputs(case, real, work),
                             shapes_dir=REPO / "shapes")
        layers = load_layers(config)
        summary = summarise_build(layers, config, lambda _: None)
        text = MapText(title="Print map benchmark", as_of=config.date,
                       sources=layers.sources, credits=layers.credits)
        started, cpu = time.perf_counter(), time.process_time()
        write_static_map(work, places=layers.places, areas=summary.areas,
                         mines=summary.mines, text=text, actors=summary.actors,
                         country=layers.country, context=layers.context,
                         changes=summary.changes)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        zones = int((layers.places["kind"] == "zone").sum())
        towns = int((layers.places["kind"] == "town").sum())
    return {"seconds": seconds, "cpu": cpu, "labels": spent["labels"], "zones": zones,
            "towns": towns}


def main(argv: list[str] | None = None) -> int:
    """Run the cases, print the table, check the targets; 1 if one is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=["titles", "towns", "all"], default="all")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--real-data", type=Path)
    args = parser.parse_args(argv)
    real = find_real_data(args.real_data)
    if real is None or not (real / TITLES).exists():
        print("The real public files are not there; give --real-data.")  # noqa: T201
        return 2
    cases = ["titles", "towns"] if args.case == "all" else [args.case]
    failed = False
    for case in cases:
        results, peaks = [], []
        for _ in range(args.runs):
            command = [sys.executable, str(Path(__file__).resolve()), "--child", case,
                       str(real)]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=REPO,
                                       env={**os.environ, "PYTHONPATH": str(REPO)})
            output = process.stdout.read()
            _, status, usage = os.wait4(process.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                print(f"{case}: FAILED")  # noqa: T201
                failed = True
                break
            results.append(json.loads(output.decode().strip().splitlines()[-1]))
            peaks.append(usage.ru_maxrss * 1024)
        if not results:
            continue
        seconds = statistics.median(r["seconds"] for r in results)
        placing = statistics.median(r["labels"] for r in results)
        cpu = statistics.median(r["cpu"] for r in results)
        ok = seconds < TARGETS[case]
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {case}: {results[0]['zones']:,} zones, "  # noqa: T201
              f"{results[0]['towns']:,} towns: print map (PNG, PDF, SVG) "
              f"{seconds:.1f} s (labels {placing:.1f} s; CPU {cpu:.1f} s) < "
              f"{TARGETS[case]:.0f} s, "
              f"median of {len(results)}; peak RSS {max(peaks) / 1e9:.2f} GB; "
              f"load average {os.getloadavg()[0]:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(run_case(sys.argv[2], Path(sys.argv[3]))))  # noqa: T201
    else:
        sys.exit(main())
