"""Counts of people: whole numbers within reason, separators read or refused with a hint."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.config import BuildConfig
from geomap.pipeline import load_layers
from geomap.schema import ROW
from geomap.validate.checks import validate_displacement
from geomap.validate.parsing import parse_counts, read_count

from .conftest import write_csv

AMBIGUOUS = "reads as 1 with a decimal point but as 1000 with dots between thousands"


@pytest.mark.parametrize(("text", "decimal", "count"), [
    ("12", ".", 12), ("12,500", ".", 12500), ("12 500", ".", 12500),
    ("12\u202f500", ".", 12500), ("12\u00a0500", ".", 12500), ("12'500", ".", 12500),
    ("1,250,000", ".", 1250000), ("1.250.000", ".", 1250000), ("2.0", ".", 2),
    ("1E+06", ".", 1000000), ("+7", ".", 7), ("0", ".", 0), ("50000000", ".", 50000000),
    ("1.000", ",", 1000), ("12.500", ",", 12500), ("12 500", ",", 12500),
    ("2,0", ",", 2), ("1.250.000", ",", 1250000),
])
def test_counts_that_read(text: str, decimal: str, count: int):
    """Separators of every usual kind; a whole decimal; scientific notation."""
    assert read_count(text, decimal) == (count, None)


@pytest.mark.parametrize(("text", "decimal", "reason"), [
    ("99999999999999999999", ".", "count above 50,000,000"),
    ("1e19", ".", "count above 50,000,000"),
    ("9223372036854775808", ".", "count above 50,000,000"),
    ("50000001", ".", "count above 50,000,000"),
    ("1.000", ".", AMBIGUOUS),
    ("12.500", ".", "give --decimal , if dots separate thousands"),
    ("1,000", ",", "give --decimal . if commas separate thousands"),
    ("2,5", ".", "looks like a decimal comma: use --decimal ,"),
    ("12,5", ".", "looks like a decimal comma: use --decimal ,"),
    ("2.5", ",", "looks like a decimal point: use --decimal ."),
    ("2,5", ",", "count is not a whole number"),
    ("12.5", ".", "count is not a whole number"),
    ("-5", ".", "negative count of people"),
    ("nan", ".", "count is not a number"), ("inf", ".", "count is not a number"),
    ("1,2,3", ".", "count is not a number"), ("about 12", ".", "count is not a number"),
])
def test_counts_that_are_refused_with_their_reason(text: str, decimal: str, reason: str):
    """Overflows, slips and ambiguous separators are refused, never guessed."""
    count, said = read_count(text, decimal)
    assert count is None
    assert reason in said


def test_parse_counts_spreads_each_distinct_value():
    """Missing cells are neither a count nor a refusal; refused ones count 0."""
    text = pd.Series(["5", None, "1e19", "5", "1,200"], dtype="string")
    counts, refused = parse_counts(text)
    assert counts.tolist() == [5, 0, 0, 5, 1200]
    assert refused.isna().tolist() == [True, True, False, True, True]
    assert counts.dtype == "int64"


def test_overflowing_counts_are_rejects_not_negative_figures():
    """99999999999999999999 and 1e19 go to rejects; nothing wraps to -9.2e18."""
    frame = pd.DataFrame({"area": ["T01"] * 3, "people": ["99999999999999999999",
                                                          "1e19", "7"],
                          "date": ["2025-01-01"] * 3, ROW: [1, 2, 3]})
    clean, rejects = validate_displacement(frame)
    assert clean["people"].tolist() == [7]
    assert rejects.set_index("row").loc[[1, 2], "reason"].str.startswith(
        "count above 50,000,000").all()


def test_decimal_comma_reads_french_thousands():
    """With decimal=',' the French '1.000' is a thousand; without, it is refused."""
    frame = pd.DataFrame({"area": ["T01"], "people": ["1.000"], "date": ["2025-01-01"],
                          ROW: [1]})
    assert validate_displacement(frame, decimal=",")[0]["people"].tolist() == [1000]
    clean, rejects = validate_displacement(frame)
    assert clean.empty
    assert AMBIGUOUS in rejects["reason"].iloc[0]


def test_validate_command_reports_overflow(tmp_path: Path):
    """`geomap validate` says '1 of 3 rows valid' with the reason, exit 1."""
    path = write_csv(tmp_path / "big.csv", ["area", "people", "date"],
                     [("T01", "99999999999999999999", "2025-01-01"),
                      ("T01", "1e19", "2025-01-01"), ("T01", "5", "2025-01-01")])
    result = CliRunner().invoke(main, ["validate", str(path), "--layer", "displacement"])
    assert result.exit_code == 1
    assert "1 of 3 displacement rows valid, 2 rejected" in result.stdout
    assert "count above 50,000,000" in result.stdout


@pytest.mark.parametrize(("decimal", "people"), [(".", (300,)), (",", (1000, 300))])
def test_people_are_conserved_with_french_counts(shapes_dir: Path, tmp_path: Path,
                                                 decimal: str, people: tuple[int, ...]):
    """read = mapped + rejected, exactly, whichever decimal mark the build is told."""
    path = write_csv(tmp_path / "fr.csv", ["area", "people", "date", "assessment"],
                     [("T01", "1.000", "2025-01-15", "r1"),
                      ("T02", "300", "2025-01-15", "r1"),
                      ("T02", "1e19", "2025-01-15", "r1")])
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-02-01"),
                                     shapes_dir=shapes_dir, decimal=decimal,
                                     inputs={"displacement": path}))
    assert sorted(layers.displacement["people"]) == sorted(people)
    assert layers.people.balanced
    assert layers.people.mapped == sum(people)
    assert layers.people.rows_read == 3


@pytest.mark.parametrize(("value", "ok"), [('","', True), ('"."', True), ('";"', False),
                                           ("1", False)])
def test_decimal_in_geomap_toml(tmp_path: Path, value: str, ok: bool):
    """decimal = "," is read; anything but '.' or ',' is a one-line config error."""
    from geomap.config import read_config
    from geomap.errors import ConfigError

    config = tmp_path / "geomap.toml"
    config.write_text(f"decimal = {value}\n")
    if ok:
        assert read_config(config)["decimal"] == value.strip('"')
    else:
        with pytest.raises(ConfigError, match="must be"):
            read_config(config)


@pytest.mark.parametrize("decimal", [".", ","])
def test_read_people_is_read_count_row_by_row(decimal):
    """Counts, where one is written and why one is refused, as reading each row's
    text (stripped, blank as none) gives them: blanks, words, negative, ambiguous,
    grouped, overflowing and spaced counts, each told once per distinct text."""
    from geomap.validate.checks import read_people, usable_people

    texts = ["12", "", None, "about 12", "-4", "1.000", "12,500", "1e19", " 7 ",
             "2,5", "12", "about 12", "  "]
    index = pd.RangeIndex(5, 5 + len(texts))
    frame = pd.DataFrame({"people": pd.Series(texts, dtype="string[pyarrow]",
                                              index=index),
                          "_row": range(1, len(texts) + 1)}, index=index)
    people, written, refused = read_people(frame, decimal=decimal)
    expected = []
    for text in texts:
        body = None if text is None or not text.strip() else text.strip()
        count, reason = read_count(body, decimal) if body is not None else (None, None)
        expected.append((count or 0, body is not None, reason))
    got = list(zip(people.tolist(), written.tolist(),
                   [None if pd.isna(r) else r for r in refused], strict=True))
    assert got == expected
    assert sum(reason is not None for *_, reason in expected) >= 4
    assert people.index.equals(frame.index)
    assert refused.index.equals(frame.index)
    usable = usable_people(frame, decimal=decimal)[1]
    assert usable.tolist() == [w and r is None for _, w, r in expected]
