"""Write CSV tables a spreadsheet opens safely, and plain text files."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
"""A plain number such as ``-4`` or ``2.5e3``: a spreadsheet reads it as a number."""


def neutralise_cell(value: object) -> object:
    """Return *value* with a single quote in front when a spreadsheet would run it.

    OWASP's rule for CSV injection: text starting with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return gets a leading ``'``, so Excel, LibreOffice and Google
    Sheets show it as text. A plain number (``-4``, ``+1.5``) stays as it is, and
    so does anything that is not text.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell("-4"), neutralise_cell("\\t=1+1"), neutralise_cell("Goma")
    ('-4', "'\\t=1+1", 'Goma')
    """
    if (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _NUMBER.fullmatch(value)):
        return "'" + value
    return value


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of *table* with :func:`neutralise_cell` applied to its text.

    Column names are treated the same way; numeric and date columns are untouched.
    A carriage return inside text becomes a line feed: CSV writers quote a cell that
    holds a line feed, but not one that holds only a carriage return, which a
    spreadsheet then reads as the end of the row.
    """
    table = table.rename(columns=neutralise_cell)
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(
                values):
            continue
        if not _any_risky(values):  # most columns: looked through as they are
            continue
        cells = values.astype(object).to_numpy()
        risky = np.fromiter((isinstance(v, str) and (v.startswith(FORMULA_STARTS)
                                                      or "\r" in v)
                             for v in cells), dtype=bool, count=len(cells))
        if risky.any():
            cells = cells.copy()
            cells[risky] = [_one_line_end(neutralise_cell(v)) for v in cells[risky]]
            table[column] = pd.Series(cells, index=table.index, name=column)
    return table


_RISKY = "^[=+\\-@\t]|\r"
"""Text :func:`neutralise_formulas` changes: a formula's first character
(:data:`FORMULA_STARTS`), or a carriage return anywhere."""


def _any_risky(values: pd.Series) -> bool:
    """True when some cell of *values* is text :func:`neutralise_formulas` changes:
    Arrow's text searched where it lies, any other column cell by cell."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        found = pc.match_substring_regex(values.array.__arrow_array__(), _RISKY)
        return bool(pc.any(found).as_py())
    return any(isinstance(value, str) and (value.startswith(FORMULA_STARTS)
                                           or "\r" in value) for value in values.tolist())


def _one_line_end(text: str) -> str:
    """Carriage returns (alone or before a line feed) as line feeds."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _csv_ready(table: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text, so CSVs are the same on every machine."""
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table


def write_csv(table: pd.DataFrame, path: Path, *, hxl: dict[str, str] | None = None
              ) -> Path:
    """Write *table* as UTF-8 CSV with ``\\n`` line ends; an optional HXL tag row.

    Text that a spreadsheet would run as a formula is written with a leading single
    quote (:func:`neutralise_cell`); numbers stay numbers.
    """
    table = neutralise_formulas(_csv_ready(table))
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
