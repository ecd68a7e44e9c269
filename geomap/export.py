"""Write outputs atomically: everything goes to a staging folder, then into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


@contextmanager
def staged_outputs(out_dir: Path) -> Iterator[Path]:
    """Yield a staging folder; on success move its files into *out_dir*.

    When the body raises, the staging folder is removed and *out_dir* keeps the
    previous outputs untouched. Each file is moved with an atomic rename.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".geomap-staging-", dir=out_dir))
    try:
        yield staging
        for source in sorted(staging.rglob("*")):
            if source.is_dir():
                continue
            target = out_dir / source.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
