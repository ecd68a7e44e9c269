"""Benchmark: peak memory of `geomap build` on a ~1 GB SYNTHETIC displacement CSV.

Generates, in a temporary folder, a household registration export until the file
reaches ``--size-gb``: one row per household with coordinates or a territory
P-code, a count, a date, origin, cause, source, and the other columns a
registration form has. ``--width form`` (the default) writes 50 columns, about 640
bytes a row (team and partner, admin names and P-codes, site and shelter, the
household head, members by sex and age, needs, intentions, screening, notes), as
household registration exports come; ``--width lean`` writes 18 of them, about 380
bytes a row, so the same gigabyte holds more than twice the rows. Nothing in it is
real: points are random (numpy, fixed seed) inside the territories of
``--polygons`` (see territories.py), and a few bad rows of known kinds are injected
in every chunk (see synthetic.py).

Then runs, each as its own process, ``geomap validate`` and ``geomap build`` on it,
and prints the peak resident memory of each (``os.wait4``: that process alone), its
wall time, and the conservation line of the build (people read = mapped +
rejected). The target is a peak of at most 1.5 GB for the build.

    python benchmarks/bench_big_csv.py                  # ~1 GB, build and validate
    python benchmarks/bench_big_csv.py --size-gb 0.1    # a quick look
    python benchmarks/bench_big_csv.py --width lean     # 2.8 million narrow rows
    python benchmarks/bench_big_csv.py --keep DIR       # keep the CSV and outputs
    python benchmarks/bench_big_csv.py --rows 1700000 --width lean --sources distinct
                                                        # every row its own source

With ``--sources distinct`` every row names a source (and URL) of its own, as a
scrape of news items or a file of per-enumerator credits can: the web map lists a
few and says how many more, the report and the layers list every one. The sizes of
``map.html`` and ``report.html`` are printed after the build (map.html's budget is
2 MB whatever the sources).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAST_DAY = "2025-06-30"
TARGET_RSS_BYTES = 1.5e9
MAP_BUDGET_BYTES = 2e6
CHUNK_ROWS = 200_000
COMMENT_WORDS = ("famille", "arrivée", "depuis", "Kitshanga", "Sake", "Mweso", "Goma",
                 "hébergée", "chez", "proches", "enfants", "scolarisés", "abri",
                 "bâche", "besoin", "vivres", "eau", "santé", "retour", "prévu",
                 "sécurité", "incertaine", "route", "coupée", "pluie", "camp")
VULNERABILITIES = ("", "elderly", "disabled", "female-headed", "pregnant",
                   "elderly;disabled", "female-headed;pregnant", "unaccompanied-minor")
CAUSES = ("conflict (M23 crisis)", "armed clashes", "insecurity", "floods")
FORM_CHOICES = {
    "registration_type": ("new arrival", "update", "verification"),
    "partner": ("IOM", "UNHCR", "NRC", "World Vision", "Caritas Goma", "AVSI"),
    "admin1_name": ("Nord-Kivu", "Sud-Kivu"),
    "site_type": ("camp", "collective centre", "host family", "spontaneous site"),
    "shelter_type": ("tent", "tarpaulin", "host house", "school", "church", "open air"),
    "head_sex": ("F", "M"),
    "departure_locality": ("Kitshanga", "Sake", "Mweso", "Rubaya", "Kibumba", "Rutshuru",
                           "Kiwanja", "Bunagana", "Masisi", "Nyabiondo", "Minova",
                           "Kalehe", "Numbi", "Shasha", "Bweremana", "Kirotshe"),
    "intention": ("return", "stay", "relocate", "unknown"),
    "need_1": ("food", "shelter", "water", "health", "NFI", "protection"),
    "need_2": ("education", "livelihood", "food", "water", "health", "documents"),
    "need_3": ("", "sanitation", "cash", "psychosocial support", "legal aid"),
    "documents_lost": ("yes", "no"), "phone_access": ("yes", "no"),
    "cash_assistance": ("yes", "no", "pending"),
    "nutrition_screening": ("green", "yellow", "red", "not screened"),
}
"""Columns of a full registration form with their answers (``--width form``)."""
MEMBER_COLUMNS = tuple(f"members_{sex}_{ages}" for sex in ("female", "male")
                       for ages in ("0_5", "6_17", "18_59", "60_plus"))


def say(line: str) -> None:
    """Print one line of the benchmark's report."""
    print(line, flush=True)  # noqa: T201


def wide_chunk(records, first_row: int, rng, *, width: str = "form",
               sources: str = "offices"):
    """Registration rows (a pyarrow Table): the synthetic records and the columns a
    form adds (all of them, or the lean 18 with ``width="lean"``); the source is one
    of 12 field offices, or with ``sources="distinct"`` the row's own."""
    import numpy as np
    import pyarrow as pa

    rows = len(records)
    index = np.arange(first_row, first_row + rows)
    words = np.array(COMMENT_WORDS, dtype=object)
    lengths = rng.integers(8, 28, rows)
    picks = rng.integers(0, len(words), (rows, 28))
    comments = [" ".join(words[picks[i, :lengths[i]]]) for i in range(rows)]
    sites = rng.integers(0, 400, rows)
    offices = rng.integers(0, 12, rows)
    columns = {
        "household_id": np.char.mod("HH-%09d", index).astype(object),
        **{name: _text(records[name]) for name in ("lon", "lat", "area", "people",
                                                   "date", "origin")},
        "cause": np.array(CAUSES, dtype=object)[rng.integers(0, len(CAUSES), rows)],
        "kind": np.full(rows, "idps", dtype=object),
        "source": (np.char.mod("IOM DTM registration, field office %02d", offices)
                   if sources == "offices" else
                   np.char.mod("Registration note %09d", index)).astype(object),
        "url": (np.char.mod("https://dtm.iom.int/drc/registration/office-%02d", offices)
                if sources == "offices" else
                np.char.mod("https://example.org/notes/%09d", index)).astype(object),
        "site_name": np.char.mod("Site de déplacés n° %03d", sites).astype(object),
        "enumerator": np.char.mod("ENUM-%04d", rng.integers(0, 900, rows)).astype(object),
        "members_female": rng.integers(0, 6, rows).astype(str).astype(object),
        "members_male": rng.integers(0, 6, rows).astype(str).astype(object),
        "members_under_5": rng.integers(0, 3, rows).astype(str).astype(object),
        "vulnerabilities": np.array(VULNERABILITIES, dtype=object)[
            rng.integers(0, len(VULNERABILITIES), rows)],
        "comments": np.array(comments, dtype=object),
    }
    if width == "form":
        columns.update(_form_columns(rows, index, records, rng))
    return pa.table({name: pa.array(values, type=pa.string())
                     for name, values in columns.items()})


def _form_columns(rows: int, index, records, rng) -> dict:
    """The rest of a registration form: choices, members by age and sex, dates."""
    import numpy as np

    columns = {name: np.array(choices, dtype=object)[rng.integers(0, len(choices), rows)]
               for name, choices in FORM_CHOICES.items()}
    columns["admin1_pcode"] = np.where(columns["admin1_name"] == "Nord-Kivu", "CD61",
                                       "CD62").astype(object)
    columns["admin2_name"] = _text(records["origin"])
    columns["registration_id"] = np.char.mod("REG-2025-%010d", index).astype(object)
    columns["team"] = np.char.mod("TEAM-%03d", rng.integers(0, 120, rows)).astype(object)
    columns["site_id"] = np.char.mod("SITE-%04d", rng.integers(0, 400, rows)).astype(
        object)
    columns["head_age"] = rng.integers(18, 81, rows).astype(str).astype(object)
    for name in MEMBER_COLUMNS:
        columns[name] = rng.poisson(0.8, rows).astype(str).astype(object)
    columns["arrival_date"] = _text(records["date"])
    columns["displacement_count"] = (1 + rng.poisson(0.7, rows)).astype(str).astype(
        object)
    columns["children_out_of_school"] = rng.poisson(0.6, rows).astype(str).astype(object)
    return columns


def _text(column):
    """A column as an object array of text, None where missing."""
    values = column.to_numpy(dtype=object)
    values[column.isna().to_numpy()] = None
    return values


def write_csv(path: Path, polygons, size_bytes: float, seed: int = 2025, *,
              width: str = "form", sources: str = "offices",
              max_rows: int | None = None) -> tuple[int, int, int]:
    """Write chunks until the file reaches *size_bytes* (or holds *max_rows* rows);
    return rows, bad rows, people.

    The people count adds every count the generator made usable (injected bad counts
    count 0), which a correct build reads in full.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    sys.path.insert(0, str(Path(__file__).parent))
    import synthetic

    rows = bad = people = 0
    with path.open("wb") as handle:
        chunk = 0
        while (handle.tell() < size_bytes if max_rows is None else rows < max_rows):
            size = CHUNK_ROWS if max_rows is None else min(CHUNK_ROWS, max_rows - rows)
            made = synthetic.generate_records(polygons, size, seed=seed + chunk,
                                              bad_per_kind=1)
            rng = np.random.default_rng(seed + 10_000 + chunk)
            table = wide_chunk(made.records, rows + 1, rng, width=width,
                               sources=sources)
            buffer = pa.BufferOutputStream()
            pacsv.write_csv(table, buffer, write_options=pacsv.WriteOptions(
                include_header=chunk == 0, quoting_style="needed"))
            handle.write(buffer.getvalue().to_pybytes())
            rows += len(made.records)
            bad += len(made.bad)
            people += int(made.people.sum())
            chunk += 1
    return rows, bad, people


def run_measured(command: list[str], log: Path) -> tuple[int, float, int]:
    """Run *command*; return its exit code, wall time and own peak RSS in bytes."""
    with log.open("w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss * 1024


def generate(work: Path, size_gb: float, polygons_kind: str, width: str,
             sources: str = "offices", max_rows: int | None = None) -> None:
    """Write the territories and the CSV into *work* and say what they hold.

    Run in a process of its own, so that the benchmark's own process stays small: a
    child started by a large process can report that process's memory as its peak.
    """
    sys.path.insert(0, str(Path(__file__).parent))
    import territories

    polygons = territories.build_polygons(polygons_kind)
    admin = work / "territories.geojson"
    admin.unlink(missing_ok=True)
    polygons.to_file(admin, driver="GeoJSON")
    table = work / "registrations.csv"
    started = time.perf_counter()
    rows, bad, people = write_csv(table, polygons, size_gb * 1e9, width=width,
                                  sources=sources, max_rows=max_rows)
    size = table.stat().st_size
    with table.open(encoding="utf-8") as handle:
        columns = handle.readline().count(",") + 1
    say(f"SYNTHETIC registrations: {rows:,} rows, {size / 1e9:.2f} GB "
          f"({size / rows:.0f} bytes a row, {columns} columns), {bad:,} injected bad rows, "
          f"sources: {'one per row' if sources == 'distinct' else '12 field offices'}, "
          f"{people:,} people in usable counts; territories: "
          f"{territories.resolve_kind(polygons_kind)}; made in "
          f"{time.perf_counter() - started:.0f} s")
    say(f"rows={rows}")


def _say_sizes(out: Path) -> bool:
    """Print the sizes of the build's pages and largest outputs; True when map.html
    is over its budget."""
    sizes = {path.relative_to(out).as_posix(): path.stat().st_size
             for path in out.rglob("*") if path.is_file()}
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:6]
    say("largest outputs: " + ", ".join(f"{name} {size / 1e6:.1f} MB"
                                        for name, size in largest))
    page = sizes.get("map.html")
    if page is None:
        return False
    say(f"map.html {page / 1e6:.2f} MB <= {MAP_BUDGET_BYTES / 1e6:.0f} MB: "
        f"{'met' if page <= MAP_BUDGET_BYTES else 'NOT met'}; report.html "
        f"{sizes.get('report.html', 0) / 1e6:.1f} MB")
    return page > MAP_BUDGET_BYTES


def main(argv: list[str] | None = None) -> int:
    """Generate the file, run validate and build, print peak memory; 1 if over target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    parser.add_argument("--polygons", default="auto",
                        choices=["auto", "real", "synthetic", "grid"])
    parser.add_argument("--width", default="form", choices=["form", "lean"],
                        help="form: 50 columns, ~640 bytes a row; lean: 18, ~380")
    parser.add_argument("--rows", type=int, help="write this many rows (not --size-gb)")
    parser.add_argument("--sources", default="offices", choices=["offices", "distinct"],
                        help="offices: 12 sources; distinct: every row its own source")
    parser.add_argument("--keep", type=Path, help="write into this folder and keep it")
    parser.add_argument("--generate-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate_into:
        generate(args.generate_into, args.size_gb, args.polygons, args.width,
                 args.sources, args.rows)
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="geomap-bench-big-"))
    work.mkdir(parents=True, exist_ok=True)
    made = subprocess.run([sys.executable, __file__, "--size-gb", str(args.size_gb),
                           "--polygons", args.polygons, "--width", args.width,
                           "--sources", args.sources,
                           *(["--rows", str(args.rows)] if args.rows else []),
                           "--generate-into", str(work)],
                          capture_output=True, text=True, check=True)
    say(made.stdout.splitlines()[0])
    rows = int(made.stdout.split("rows=")[-1])
    admin, table = work / "territories.geojson", work / "registrations.csv"
    python = sys.executable
    commands = {
        "geomap validate": [python, "-m", "geomap", "validate", str(table), "--layer",
                            "displacement"],
        "geomap build": [python, "-m", "geomap", "build", "--admin", str(admin),
                         "--displacement", str(table), "--date", LAST_DAY,
                         "--shapes-dir", str(REPO / "shapes"), "--out",
                         str(work / "out")],
    }
    failed = False
    for label, command in commands.items():
        log = work / f"{label.split()[-1]}.log"
        code, seconds, peak = run_measured(command, log)
        text = log.read_text(errors="replace")
        conservation = re.search(r"displacement rows read [^\n]*", text)
        say(f"{label}: exit {code}, {seconds:.0f} s, peak RSS {peak / 1e9:.2f} GB"
              + (f"; {conservation[0]}" if conservation else ""))
        if label == "geomap build":
            ok = code == 0 and peak <= TARGET_RSS_BYTES
            say(f"target: build peak {peak / 1e9:.2f} GB <= "
                  f"{TARGET_RSS_BYTES / 1e9:.1f} GB: {'met' if ok else 'NOT met'}")
            failed = failed or not ok
            failed = _say_sizes(work / "out") or failed
            if not conservation or f"rows read {rows:,} " not in conservation[0]:
                say(f"rows read differ from the {rows:,} rows written")
                failed = True
        elif code not in (0, 1):  # validate exits 1 when it finds bad rows
            failed = True
    say(f"files in {work}" if args.keep else f"(temporary folder {work})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
