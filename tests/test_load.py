"""Reading input files: every unreadable file is one plain line naming the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest

from geomap.errors import SchemaError, SourceError
from geomap.load.files import read_frame, read_layer


def _message(path: Path) -> str:
    """The SourceError message read_frame gives for *path*."""
    with pytest.raises(SourceError) as caught:
        read_frame(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_fake_workbook_is_called_not_a_workbook(tmp_path: Path):
    """A text file named .xlsx: plain words, no pandas advice, no doubled stop."""
    path = tmp_path / "figures.xlsx"
    path.write_text("area,people\nT01,5\n")
    message = _message(path)
    assert message.startswith(
        "Cannot read 'figures.xlsx': it is not an Excel workbook.")
    assert "engine" not in message
    assert ".." not in message


def test_zip_that_is_no_workbook_is_called_so(tmp_path: Path):
    """A zip named .xlsx without a workbook inside: no bare KeyError text."""
    path = tmp_path / "figures.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    message = _message(path)
    assert "it is not an Excel workbook, or a damaged one. Save it again" in message
    assert "'zip'" not in message


@pytest.mark.parametrize(("text", "reason"), [
    ("area,actor\nalpha,m23\nbravo,m23,extra\n",
     "a row has 3 fields where the header has 2 ('bravo,m23,extra', row 2)"),
    ("area;actor\nalpha;m23\nbravo;m23;extra\n",
     "a row has 3 fields where the header has 2"),
    ("area\tactor\nalpha\tm23\nbravo\n", "a row has 1 field where the header has 2"),
    ('area,actor\n"alpha,m23\n', ("a quotation mark (row 1, in the row starting "
                                   "'\"alpha,m23') is never closed")),
], ids=["comma", "semicolon", "tab", "open-quote"])
def test_ragged_csv_is_said_in_words(tmp_path: Path, text: str, reason: str):
    """Rows with more or fewer fields than the header: counted in plain words."""
    path = tmp_path / "control.csv"
    path.write_text(text)
    message = _message(path)
    assert reason in message
    assert "C error" not in message
    assert "CSV parse error" not in message


def test_folder_is_called_a_folder(tmp_path: Path):
    """A folder given as a file says so first, without GDAL's driver-prefix advice."""
    folder = tmp_path / "control"
    folder.mkdir()
    message = _message(folder)
    assert f"'{folder}' is a folder, not a file. Give the file itself" in message
    assert "DRIVER" not in message
    assert "does not exist" not in message


def test_file_geodatabase_folder_is_still_read(tmp_path: Path, admin):
    """A File Geodatabase is a folder that GDAL reads as one file: it is not refused."""
    path = tmp_path / "admin.gdb"
    admin.to_file(path, driver="OpenFileGDB", layer="admin")
    assert path.is_dir()
    frame = read_frame(path)
    assert isinstance(frame, gpd.GeoDataFrame)
    assert sorted(frame["pcode"]) == ["T01", "T02"]


def test_unknown_vector_format_is_said_plainly(tmp_path: Path):
    """Junk named .geojson: GDAL's reason in plain words, its advice left out."""
    path = tmp_path / "admin.geojson"
    path.write_text("hello")
    message = _message(path)
    assert "it is in no format GDAL reads." in message
    assert "DRIVER" not in message
    assert ".." not in message


@pytest.mark.parametrize("name", ["empty.csv", "empty.geojson", "empty.xlsx"])
def test_empty_file_is_called_empty(tmp_path: Path, name: str):
    """A file of 0 bytes, whatever its suffix, is called empty."""
    path = tmp_path / name
    path.touch()
    assert f"Cannot read '{name}': the file is empty (0 bytes)" in _message(path)


def test_blank_lines_hold_no_header(tmp_path: Path):
    """A CSV of blank lines has no header row to read."""
    path = tmp_path / "blank.csv"
    path.write_text("\n\n")
    assert "Cannot read 'blank.csv': it holds no header row." in _message(path)


def test_missing_file_says_it_does_not_exist(tmp_path: Path):
    """An absent path is still 'does not exist'."""
    assert "does not exist" in _message(tmp_path / "absent.csv")


def test_header_only_csv_holds_no_rows(tmp_path: Path):
    """A CSV with a header and no rows stops at read_layer, naming layer and file."""
    path = tmp_path / "control.csv"
    path.write_text("area,actor,start\n")
    with pytest.raises(SchemaError,
                       match="The control file 'control.csv' holds no rows"):
        read_layer(path, "control")
