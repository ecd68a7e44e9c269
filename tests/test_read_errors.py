"""Reader failures said in plain words: one line, no library advice, no final stop."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geomap.errors import SchemaError
from geomap.load.read_errors import plain_reason

GDAL_UNKNOWN = ("'adir' not recognized as being in a supported file format.; It might "
                "help to specify the correct driver explicitly by prefixing the file "
                "path with '<DRIVER>:', e.g. 'CSV:path'.")


@pytest.mark.parametrize(("err", "reason"), [
    (ValueError("Excel file format cannot be determined, you must specify an engine "
                "manually."), "it is not an Excel workbook"),
    (OSError(GDAL_UNKNOWN), "it is in no format GDAL reads"),
    (csv.Error("Could not determine delimiter"),
     "no comma, semicolon or tab separates its columns"),
    (ValueError("No columns to parse from file"), "it holds no header row"),
    (ValueError("Record 7 is cut short.\nsecond line"), "Record 7 is cut short"),
    (ValueError("bad thing; It might help to prefix the path"), "bad thing"),
    (ValueError(""), "ValueError"),
    (ValueError("Error tokenizing data. C error: Expected 2 fields in line 3, saw 3\n"),
     "line 3 has 3 fields where the header has 2"),
    (ValueError("CSV parse error: Expected 2 columns, got 3: 3,4,5"),
     "a row has 3 fields where the header has 2 ('3,4,5')"),
    (ValueError("Error tokenizing data. C error: EOF inside string starting at row 2"),
     "a quotation mark is never closed"),
], ids=["excel", "gdal", "delimiter", "no-header", "first-line", "advice", "empty",
        "c-fields", "arrow-fields", "open-quote"])
def test_plain_reason(err, reason):
    """Known failures are rephrased; others keep their first line, advice cut."""
    assert plain_reason(err) == reason


def test_reason_never_ends_in_a_stop():
    """Callers add the full stop, so the reason must not carry one."""
    assert not plain_reason(ValueError("Truncated file...")).endswith(".")


def test_fallback_replaces_unknown_detail_only():
    """A fallback stands in for a library's inner detail, never for a known reason."""
    assert plain_reason(KeyError("zip"), fallback="it is damaged") == "it is damaged"
    assert plain_reason(ValueError("File is not a zip file"), fallback="x") == (
        "it is not a zip archive (an .xlsx workbook is one)")


def test_a_header_of_garbage_is_named_in_one_short_line(tmp_path: Path) -> None:
    """Column names holding line breaks (binary bytes read as text) are quoted as
    escapes, ten at most, each cut: the message stays one line."""
    from geomap.load.files import read_layer

    names = [f"col\x0b{i}\x85" + "z" * 80 for i in range(30)]
    path = tmp_path / "garbage.csv"
    path.write_text(",".join(names) + "\n" + ",".join("1" * 30) + "\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="lacks required column") as caught:
        read_layer(path, "displacement")
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert "'col\\x0b0\\x85zzz" in message
    assert "… and 20 more" in message
    assert len(message) < 1000


def test_one_line_escapes_and_cuts() -> None:
    """The command line's last guard: any message is printed as one bounded line."""
    from geomap.errors import MESSAGE_CHARS, one_line

    assert one_line("a\nb\tc\x00 é") == "a\\nb\\tc\\x00 é"
    assert len(one_line("x" * 10 * MESSAGE_CHARS)) == MESSAGE_CHARS
