"""Delimited text as people have it: any usual encoding and separator, in batches."""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd
import pytest

from geomap.errors import SourceError
from geomap.load import delimited
from geomap.load.delimited import read_text, read_text_batches, sniff_text
from geomap.load.files import read_layer, read_layer_batches
from geomap.schema import ROW

NOTE = "Déplacés à Goma – l’été"
"""French text with characters that Windows-1252 has and Latin-1 lacks (– ’)."""
LATIN = "Déplacés à Goma, près du lac"


def _table(separator: str, note: str = NOTE) -> str:
    """A two-row displacement table written with *separator*."""
    rows = [("area", "people", "date", "note"), ("CD61", "5", "2025-01-01", note),
            ("CD62", "7", "2025-01-02", "Bukavu")]
    quote = (lambda cell: f'"{cell}"' if separator in cell else cell)
    return "".join(separator.join(quote(c) for c in row) + "\r\n" for row in rows)


@pytest.mark.parametrize(("encoding", "separator", "note"), [
    ("cp1252", ",", NOTE), ("cp1252", ";", NOTE), ("cp1252", "\t", NOTE),
    ("latin-1", ",", LATIN), ("utf-8", ",", NOTE), ("utf-8-sig", ";", NOTE),
    ("utf-16", ",", NOTE), ("utf-16", "\t", NOTE), ("utf-16-le", ";", NOTE),
    ("utf-16-be", ",", NOTE),
], ids=["1252-comma", "1252-semicolon", "1252-tab", "latin1-comma", "utf8",
        "utf8-bom", "utf16-comma", "utf16-tab", "utf16le-nobom", "utf16be-nobom"])
def test_every_usual_encoding_and_separator_reads_the_same(
        tmp_path: Path, encoding: str, separator: str, note: str):
    """What French Excel, LibreOffice and older tools write is read, accents intact."""
    path = tmp_path / "figures.csv"
    path.write_bytes(_table(separator, note).encode(encoding))
    table = read_text(path)
    assert list(table.columns) == ["area", "people", "date", "note", ROW]
    assert table["note"].tolist() == [note, "Bukavu"]
    assert table["people"].tolist() == ["5", "7"]
    assert sniff_text(path).separator == separator


def test_utf8_then_another_encoding_is_refused_in_one_line(tmp_path: Path):
    """A file that is UTF-8 and then Windows-1252 cannot be read right either way."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(_table(",").encode("utf-8") + "CD62,3,2025-01-03,Été\n".encode(
        "cp1252"))
    with pytest.raises(SourceError) as caught:
        read_text(path)
    message = str(caught.value)
    assert "mixes UTF-8 text with another encoding (line 4 is not UTF-8)" in message
    assert "\n" not in message


def test_the_line_not_utf8_is_counted_across_blocks(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    """Lines are counted from the start of the file, not of the block at fault."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 64)
    path = tmp_path / "late-mixed.csv"
    path.write_bytes(b"area,note\n" + b"CD61,Goma\n" * 40
                     + f"CD62,{NOTE}\n".encode() + "CD62,Été\n".encode("cp1252"))
    with pytest.raises(SourceError, match=r"\(line 43 is not UTF-8\)"):
        read_text(path)


@pytest.mark.parametrize("block", [1, 2, 3, 5, 7])
def test_characters_cut_by_a_block_end_are_utf8(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               block: int):
    """Characters of two, three and four bytes cut anywhere by a block's end."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
    path = tmp_path / "cut.csv"
    path.write_text(f"area,note\nCD61,{NOTE} \U0001f600 \u20ac\n", encoding="utf-8")
    assert delimited.detect_encoding(path) == "utf-8"


@pytest.mark.parametrize("block", [1, 3, 64])
@pytest.mark.parametrize("bad", [b"\xed\xa0\x80", b"\xc0\xaf", b"\xe0\x80\xaf",
                                 b"\xf4\x90\x80\x80", b"\xff", b"\x80", b"\xc3(",
                                 b"\xe2\x82"],
                         ids=["surrogate", "overlong-2", "overlong-3", "beyond-10ffff",
                              "ff", "lone-continuation", "cut-by-ascii", "cut-by-line-end"])
def test_bytes_utf8_forbids_after_utf8_text_are_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, bad: bytes):
    """Every sequence Python's strict UTF-8 decoder refuses is refused, on its line."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", block)
    path = tmp_path / "bad.csv"
    path.write_bytes(f"area,note\nCD61,{NOTE}\n".encode() + b"CD62," + bad + b"\n")
    with pytest.raises(SourceError, match=r"\(line 3 is not UTF-8\)"):
        delimited.detect_encoding(path)


def test_a_utf8_file_with_accents_far_down_is_utf8(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch):
    """Blocks of plain ASCII, then UTF-8 accents: still UTF-8, not a guess."""
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 64)
    path = tmp_path / "late.csv"
    path.write_text("area,note\n" + "CD61,Goma\n" * 40 + f"CD62,{NOTE}\n",
                    encoding="utf-8")
    assert delimited.detect_encoding(path) == "utf-8"
    assert read_text(path)["note"].iloc[-1] == NOTE


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("where", ["last", "middle"])
def test_a_quote_never_closed_stops_the_file(tmp_path: Path, separator: str,
                                             where: str):
    """Whatever the separator, the rows after an open quote are never swallowed."""
    rows = [["area", "people", "date", "note"], ["CD61", "5", "2025-01-01", "ok"],
            ["CD61", "2000", "2025-01-01", "x"], ["CD62", "7", "2025-01-02", "y"]]
    rows[1][3 if where == "last" else 1] = '"oops'
    path = tmp_path / "open.csv"
    path.write_text("".join(separator.join(row) + "\n" for row in rows))
    with pytest.raises(SourceError) as caught:
        read_text(path)
    message = str(caught.value)
    assert "is never closed" in message
    assert "\n" not in message


def test_a_quote_left_open_in_a_big_file_stops_it(tmp_path: Path):
    """An open quote that would run over a whole block is said the same way."""
    path = tmp_path / "big.csv"
    path.write_text('area,people,note\nCD61,5,"oops\n' + "CD61,2000,x\n" * 400)
    with pytest.raises(SourceError, match="is never closed"):
        list(read_text_batches(path, block_bytes=1024))


def test_a_closed_quote_over_several_lines_is_one_field(tmp_path: Path):
    """A note over two lines, closed, is read as it is; the next row stays a row."""
    path = tmp_path / "multi.csv"
    path.write_text('area,people,note\nCD61,5,"line one\nline two"\nCD62,7,end\n')
    table = read_text(path)
    assert table["note"].tolist() == ["line one\nline two", "end"]
    assert table[ROW].tolist() == [1, 2]


def test_batches_number_rows_on_and_add_up_to_the_whole(tmp_path: Path):
    """Small blocks give many batches; rows and index continue; nothing is lost."""
    path = tmp_path / "many.csv"
    path.write_text("area,people\n" + "".join(f"P{i},{i}\n" for i in range(1, 301)))
    batches = list(read_text_batches(path, block_bytes=256))
    assert len(batches) > 5
    whole = pd.concat(batches)
    assert whole[ROW].tolist() == list(range(1, 301))
    assert whole.index.tolist() == list(range(300))
    assert whole["people"].tolist() == [str(i) for i in range(1, 301)]
    pd.testing.assert_frame_equal(whole, read_text(path))


def test_layer_batches_rename_every_batch(tmp_path: Path):
    """Publisher names are canonical in every batch, not only the first."""
    path = tmp_path / "dtm.csv"
    path.write_text("admin2Pcode;numPresentIdpInd\n" + "CD6101;12\n" * 100)
    batches = list(read_layer_batches(path, "displacement"))
    assert all({"area", "people"} <= set(batch.columns) for batch in batches)


def test_columns_that_differ_only_by_case_are_canonical(tmp_path: Path):
    """'Source', 'URL', 'Note' (as in IPIS's files) are read as source, url, note."""
    path = tmp_path / "control.csv"
    path.write_text("area,actor,start,Source,URL,Note\nCD61,m23,2025-01-01,AFP,"
                    "https://example.org,seen\n")
    control = read_layer(path, "control")
    assert {"source", "url", "note"} <= set(control.columns)
    assert not {"Source", "URL", "Note"} & set(control.columns)
    assert control["source"].tolist() == ["AFP"]


def test_a_header_with_quoted_separators_is_split_right(tmp_path: Path):
    """'name, long' in quotes is one column; the separator is the comma."""
    path = tmp_path / "quoted.csv"
    path.write_text('"name, long",people\nGoma,5\n')
    assert sniff_text(path).columns == ("name, long", "people")


def test_a_utf32_file_is_read(tmp_path: Path):
    """A byte-order mark names the encoding, whichever it is."""
    path = tmp_path / "wide.csv"
    path.write_bytes(codecs.BOM_UTF32_LE + _table(",").encode("utf-32-le"))
    assert read_text(path)["note"].tolist() == [NOTE, "Bukavu"]


def test_a_big_file_is_scanned_for_its_encoding_once(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    """Asking twice for a big file's encoding reads it once; a changed file again."""
    scans = []
    scan = delimited._scan_encoding
    monkeypatch.setattr(delimited, "_scan_encoding",
                        lambda path: scans.append(path) or scan(path))
    path = tmp_path / "big.csv"
    rows = "CD61,Goma\n" * (delimited._KNOWN_FROM // 10)
    path.write_text("area,note\n" + rows, encoding="utf-8")
    assert [sniff_text(path).encoding for _ in range(3)] == ["utf-8"] * 3
    assert len(scans) == 1
    path.write_bytes(("area,note\n" + rows + f"CD62,{LATIN}\n").encode("cp1252"))
    assert delimited.detect_encoding(path) == "cp1252"
    assert len(scans) == 2


def test_a_small_file_is_scanned_each_time(tmp_path: Path):
    """Small files are not remembered: rewritten in another encoding, it is seen."""
    path = tmp_path / "small.csv"
    path.write_text(f"area,note\nCD62,{LATIN}\n", encoding="utf-8")
    assert delimited.detect_encoding(path) == "utf-8"
    path.write_bytes(f"area,note\nCD62,{LATIN}\n".encode("cp1252"))
    assert delimited.detect_encoding(path) == "cp1252"


def test_the_pandas_engine_reads_displacement_in_fewer_batches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each batch costs about the same to check whatever its rows: the pandas engine
    takes four blocks of text per batch, the dask engine one; both read every row, in
    order."""
    from geomap.config import BuildConfig
    from geomap.summarise import engines

    pytest.importorskip("dask")
    monkeypatch.setattr(delimited, "BLOCK_BYTES", 600)
    path = tmp_path / "displacement.csv"
    path.write_text("lon,lat,people,date,source\n" + "".join(
        f"29.{row:04d},-1.6,{row % 9},2025-01-01,OCHA\n" for row in range(400)))
    counts = {}
    for engine in ("pandas", "dask"):
        config = BuildConfig(date=pd.Timestamp("2025-06-30"), engine=engine,
                             inputs={"displacement": path})
        batches = list(engines.plan_records(config, lambda _: None).batches)
        assert pd.concat(batches)[ROW].tolist() == list(range(1, 401))
        counts[engine] = len(batches)
    assert counts["dask"] >= 20  # 12,400 bytes of rows in blocks of 600
    assert counts["pandas"] <= counts["dask"] // 2 + 1


@pytest.mark.parametrize(("text", "quoted"), [
    ('"area","people","note"\nCD61,5,x\nCD62,7,y\n', False),
    ('area,people,note\r\nCD61,5,x\r\n', False),
    ('area,people,note\rCD61,5,x\rCD62,7,"y\rz"\r', True),
    ('area,people,note\nCD61,5,"a, b"\n', True),
    ('area,people,note\nCD61,5,"oops\nCD62,7,y\n', True),
    ('area,people,note', True),  # no line break: the header is all there is
    ('area,people,note\n' + 'CD61,5,x\n' * 40 + 'CD62,7,say "hi"\n', True),
])
def test_quotes_below_the_header_are_found(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           text: str, quoted: bool):
    """A quotation mark anywhere below the header is found, also in a later block
    and after CR line ends; a quoted header alone is no quoted row."""
    from geomap.load import quotes

    monkeypatch.setattr(quotes, "SCAN_BYTES", 64)
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode())
    assert quotes.quotes_below_header(path) is quoted
    path.write_bytes(text.encode("utf-16"))  # a byte of every character may be 0x22
    assert quotes.quotes_below_header(path) is quoted


def test_a_last_column_not_asked_for_is_read_only_when_rows_quote(tmp_path: Path):
    """Columns asked for are read as before; the last one comes too only when a
    row quotes a field (it shows a quote left open), and an open quote there is
    still refused whatever was asked for."""
    plain = tmp_path / "plain.csv"
    plain.write_text('"area","people","note"\n' + "CD61,5,x\nCD62,,y\n" * 50)
    asked = list(read_text_batches(plain, columns={"area", "people"}, block_bytes=256))
    whole = read_text(plain)
    assert len(asked) > 1
    assert all(list(batch.columns) == ["area", "people", ROW] for batch in asked)
    pd.testing.assert_frame_equal(pd.concat(asked), whole[["area", "people", ROW]])
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('area,people,note\nCD61,5,"a, b"\n' + "CD62,7,y\n" * 50)
    batches = list(read_text_batches(quoted, columns={"area"}))
    assert list(batches[0].columns) == ["area", "note", ROW]
    opened = tmp_path / "open.csv"
    opened.write_text("area,people,note\n" + "CD62,7,y\n" * 50 + 'CD61,5,"oops\n')
    with pytest.raises(SourceError, match="is never closed"):
        list(read_text_batches(opened, columns={"area", "people"}))
