"""A layer read and checked batch by batch gives what a whole read gives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geomap.config import BuildConfig
from geomap.load import delimited
from geomap.pipeline import load_layers
from geomap.validate.stream import check_file

from .conftest import write_csv

BAD = {7: ("T01", "-3"), 120: ("T02", "1e19"), 250: ("Nowhere", "40"),
       333: ("T01", "lots"), 499: ("T02", "1.000")}
"""Row number -> (area, people) of the rows that must be rejected."""


def _registrations(path: Path) -> Path:
    """500 rows of registrations, a few bad, with a column no stage uses."""
    rows = []
    for row in range(1, 501):
        area, people = BAD.get(row, ("T01" if row % 2 else "T02", str(1 + row % 6)))
        rows.append((f"HH-{row:05d}", area, people, "2025-01-15", "r1", "test",
                     "CC BY 4.0"))
    return write_csv(path, ["household_id", "area", "people", "date", "assessment",
                            "source", "license"], rows)


def _load(shapes_dir: Path, displacement: Path):
    """Read, check and link the layers (no outputs)."""
    return load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"),
                                   shapes_dir=shapes_dir,
                                   inputs={"displacement": displacement}))


def test_small_blocks_give_the_same_layers(shapes_dir: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch):
    """Read in ~30 batches or in one: the same rows, rejects and people count."""
    path = _registrations(tmp_path / "registrations.csv")
    whole = _load(shapes_dir, path)
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 512)
    assert len(list(delimited.read_text_batches(path))) > 20
    batched = _load(shapes_dir, path)
    assert batched.people == whole.people
    assert batched.people.balanced
    assert batched.people.rows_read == 500
    assert batched.people.rows_rejected == len(BAD)
    assert sorted(batched.rejects.loc[batched.rejects["layer"] == "displacement",
                                      "row"]) == sorted(BAD)
    pd.testing.assert_frame_equal(batched.rejects, whole.rejects)
    pd.testing.assert_frame_equal(batched.displacement, whole.displacement)
    assert batched.displacement["records"].sum() == 500 - len(BAD)


def test_columns_no_stage_uses_are_not_kept(shapes_dir: Path, tmp_path: Path):
    """A household id per row is read and checked, then dropped; licences stay."""
    layers = _load(shapes_dir, _registrations(tmp_path / "registrations.csv"))
    assert "household_id" not in layers.displacement.columns
    assert set(layers.displacement["license"]) == {"CC BY 4.0"}


def test_check_file_counts_without_keeping_rows(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch):
    """`geomap validate` counts every good row but keeps none of them."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 512)
    checked = check_file(_registrations(tmp_path / "registrations.csv"),
                         "displacement")
    assert checked.rows == 500
    assert checked.kept == 500 - (len(BAD) - 1)  # 'Nowhere' is only unknown at the join
    assert checked.clean.empty
    assert sorted(set(checked.rejects["row"])) == sorted(set(BAD) - {250})
