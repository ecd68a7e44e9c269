"""Write outputs atomically: everything goes to a staging folder, then into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from geomap.errors import OutputError

OUTPUT_NAMES = (
    "map.html", "embed.html", "summary_areas.csv", "summary_actors.csv", "rejects.csv",
    "join_report.csv", "changes.csv", "displacement_density.tif", "geomap.gpkg",
    "map.png", "map.pdf", "map.svg", "report.html",
)
"""Files a build may write at the top of the output folder."""

OUTPUT_PATTERNS = ("layers/*.geojson",)
"""Files a build may write in subfolders of the output folder."""


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into *out_dir*.

    When the body raises, the staging folder is removed and *out_dir* keeps the
    previous outputs untouched. Each file is moved with an atomic rename. Then
    geomap's own outputs (:data:`OUTPUT_NAMES`, :data:`OUTPUT_PATTERNS`) that this
    build did not write are removed, so an older build's ``changes.csv`` cannot pass
    for this one's; any other file in *out_dir* is left alone.

    Raises
    ------
    OutputError
        *out_dir* cannot be created or written to.
    """
    out_dir = Path(out_dir)
    staging = _make_staging(out_dir)
    try:
        yield staging
        written = set()
        for source in sorted(staging.rglob("*")):
            if source.is_dir():
                continue
            target = out_dir / source.relative_to(staging)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
            except OSError as err:
                raise _output_error(out_dir, err) from err
            written.add(target)
        _remove_stale(out_dir, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _make_staging(out_dir: Path) -> Path:
    """Create *out_dir* and a staging folder in it (one disk: renames are atomic)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".geomap-staging-", dir=out_dir))
    except OSError as err:
        raise _output_error(out_dir, err) from err


def _output_error(out_dir: Path, err: OSError) -> OutputError:
    """A one-line error naming the output folder, the system's reason and the fix."""
    reason = (err.strerror or type(err).__name__).lower()
    if isinstance(err, FileExistsError) or (out_dir.exists() and not out_dir.is_dir()):
        reason = "a file of that name is in the way"
    msg = (f"Cannot create or write the output folder '{out_dir}' ({reason}). Give a "
           "folder you can write to with --out (or 'out' in geomap.toml).")
    return OutputError(msg)


def _remove_stale(out_dir: Path, written: set[Path]) -> None:
    """Remove geomap's output files in *out_dir* that are not in *written*."""
    candidates = [out_dir / name for name in OUTPUT_NAMES]
    for pattern in OUTPUT_PATTERNS:
        candidates += sorted(out_dir.glob(pattern))
    for path in candidates:
        if path not in written and path.is_file():
            try:
                path.unlink()
            except OSError as err:
                raise _output_error(out_dir, err) from err


def _csv_ready(table: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text, so CSVs are the same on every machine."""
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table


def write_csv(table: pd.DataFrame, path: Path, *, hxl: dict[str, str] | None = None
              ) -> Path:
    """Write *table* as UTF-8 CSV with ``\\n`` line ends; an optional HXL tag row."""
    table = _csv_ready(table)
    if hxl:
        tags = pd.DataFrame([[hxl.get(column, "") for column in table.columns]],
                            columns=table.columns)
        table = pd.concat([tags, table.astype(object)], ignore_index=True)
    table.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 text with ``\\n`` line ends."""
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
