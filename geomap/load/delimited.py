"""Read delimited text (CSV, TSV) as people have it, in batches of bounded size.

Files come from Excel in French (Windows-1252, semicolons), from databases (UTF-8,
commas), from older tools (UTF-16 with a byte-order mark, tabs). The encoding is found
from the bytes (a byte-order mark, else UTF-8 when every byte sequence is valid UTF-8,
else charset-normalizer among the Western single-byte encodings); the separator from
the header line. Rows are parsed by pyarrow's streaming reader, block by block, so a
file of any size is read with bounded memory; every column is text.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from geomap.errors import SourceError
from geomap.load.quotes import quotes_below_header
from geomap.schema import ROW

BLOCK_BYTES = 4 << 20
"""Bytes of text parsed at a time: each batch of rows comes from one such block."""

SEPARATORS = (",", ";", "\t", "|")
"""Separators recognised in a header line, the first one winning a tie."""

LEGACY_ENCODINGS = ["cp1252", "latin_1", "iso8859_15", "cp850", "mac_roman"]
"""Single-byte encodings charset-normalizer may choose among when a file is not
UTF-8: what Excel, LibreOffice and older tools write for French and English text."""

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_SAMPLE = 1 << 16

_KNOWN: dict[tuple, str] = {}
"""Encodings found for big files, by path, inode, size and change times: a build
asks for a file's columns before it reads it, and each whole-file scan costs a pass
over the file."""
_KNOWN_FROM = 4 << 20
"""Files of this many bytes or more have their encoding remembered."""


@dataclass(frozen=True)
class TextFormat:
    """How a delimited text file is written: its encoding, separator and header."""

    encoding: str
    separator: str
    columns: tuple[str, ...]


def sniff_text(path: Path) -> TextFormat:
    """Find the encoding, the separator and the column names of a text file.

    Raises
    ------
    SourceError
        The file mixes UTF-8 with another encoding, or has no header line.
    """
    encoding = detect_encoding(path)
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        msg = (f"Cannot read '{path.name}': it holds no header row. Give the file with "
               "its column names on its first line.")
        raise SourceError(msg)
    counts = {sep: _count_outside_quotes(first, sep) for sep in SEPARATORS}
    separator = max(SEPARATORS, key=lambda sep: (counts[sep], -SEPARATORS.index(sep)))
    header = next(csv.reader(io.StringIO(first), delimiter=separator))
    return TextFormat(encoding, separator, _unique_names(header))


def detect_encoding(path: Path) -> str:
    """The Python codec of a text file: from its byte-order mark, UTF-8, or a guess.

    A file without a byte-order mark is UTF-8 when all of it decodes as UTF-8 (read
    in blocks, so any size works); otherwise charset-normalizer picks among
    :data:`LEGACY_ENCODINGS` from the first block that is not UTF-8. UTF-16 without
    a byte-order mark is recognised by charset-normalizer from its zero bytes. A big
    file is scanned once while it stays unchanged (same inode, size and times).

    Raises
    ------
    SourceError
        The file holds UTF-8 text and, further on, bytes that are not UTF-8.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns,
           stat.st_ctime_ns)
    if key not in _KNOWN:
        encoding = _scan_encoding(path)
        if stat.st_size < _KNOWN_FROM:  # small files are cheap to scan again
            return encoding
        if len(_KNOWN) >= 16:
            _KNOWN.clear()
        _KNOWN[key] = encoding
    return _KNOWN[key]


def _scan_encoding(path: Path) -> str:
    """:func:`detect_encoding` from the bytes of the file."""
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE)
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                return encoding
        if b"\x00" in head:
            from charset_normalizer import from_bytes

            best = from_bytes(head, cp_isolation=["utf_16_le", "utf_16_be"]).best()
            if best is not None:
                return best.encoding
        handle.seek(0)
        if _all_utf8(handle):  # the common case, told without decoding a character
            return "utf-8"
        handle.seek(0)
        return _first_not_utf8(path, handle)


def _all_utf8(handle: BinaryIO) -> bool:
    """Whether the rest of *handle* is UTF-8 throughout, ending on a whole character.

    pyarrow checks the bytes a block at a time, in one reused buffer, outside
    Python's lock: no text is made. A character cut by a block's end is carried to
    the next block.
    """
    buffer = memoryview(bytearray(BLOCK_BYTES + 4))
    carried = 0
    while read := handle.readinto(buffer[carried:carried + BLOCK_BYTES]):
        end = carried + read
        whole = end - _unfinished(buffer[max(0, end - 4):end])
        if not _utf8(buffer[:whole]):
            return False
        carried = end - whole
        buffer[:carried] = bytes(buffer[whole:end])
    return carried == 0


def _unfinished(tail: memoryview) -> int:
    """How many bytes at the end of *tail* begin a character they do not finish."""
    for back in range(1, len(tail) + 1):
        byte = tail[-back]
        if byte < 0x80:  # ASCII: nothing unfinished
            return 0
        if byte >= 0xC0:  # a character's first byte, and how long it says it is
            return back if back < (2 if byte < 0xE0 else 3 if byte < 0xF0 else 4) else 0
    return 0


def _utf8(data: memoryview) -> bool:
    """Whether *data* is valid UTF-8 (as Python's strict decoder says), by pyarrow."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    text = pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _first_not_utf8(path: Path, handle: BinaryIO) -> str:
    """The encoding of a file that is not UTF-8 throughout, from its first bytes
    that are not: a legacy encoding guessed there, or an error when UTF-8 text
    comes before them."""
    from charset_normalizer import from_bytes

    decoder = codecs.getincrementaldecoder("utf-8")()
    seen_utf8, offset = False, 0
    for block in iter(lambda: handle.read(BLOCK_BYTES), b""):
        offset += len(block)
        if block.isascii() and not decoder.getstate()[0]:  # no character cut before
            continue
        try:
            decoder.decode(block)
        except UnicodeDecodeError as err:
            if seen_utf8 or not block[:err.start].isascii():
                line = _line_at(path, offset - len(block) + err.start)
                msg = (f"Cannot read '{path.name}': it mixes UTF-8 text with "
                       f"another encoding (line {line:,} is not UTF-8). Save it "
                       "again as UTF-8 from the program that made it.")
                raise SourceError(msg) from err
            return _guess_legacy(block[max(0, err.start - _SAMPLE // 2):
                                       err.start + _SAMPLE // 2], from_bytes)
        seen_utf8 = True
    return "utf-8"


def _line_at(path: Path, position: int) -> int:
    """The line (from 1) of the byte at *position* of a file: counted only when an
    error names it, not on every scan."""
    lines = 0
    with path.open("rb") as handle:
        while position > 0:
            block = handle.read(min(BLOCK_BYTES, position))
            if not block:
                break
            lines += block.count(b"\n")
            position -= len(block)
    return lines + 1


def _guess_legacy(sample: bytes, from_bytes) -> str:
    """The Western single-byte encoding that charset-normalizer finds likeliest."""
    best = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
    return best.encoding if best is not None else "cp1252"


def _count_outside_quotes(line: str, separator: str) -> int:
    """How many times *separator* occurs in *line* outside double quotes."""
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            count += 1
    return count


def _unique_names(header: list[str]) -> tuple[str, ...]:
    """Column names stripped, blanks named and repeats numbered, as pandas does."""
    names: list[str] = []
    for index, raw in enumerate(header):
        name = raw.strip() or f"Unnamed: {index}"
        base, number = name, 0
        while name in names:
            number += 1
            name = f"{base}.{number}"
        names.append(name)
    return tuple(names)


def read_text_batches(path: Path, text_format: TextFormat | None = None, *,
                      block_bytes: int | None = None,
                      columns: Collection[str] | None = None) -> Iterator[pd.DataFrame]:
    """Yield the rows of a delimited text file as frames of text columns.

    Parameters
    ----------
    path : Path
        The file.
    text_format : TextFormat, optional
        From :func:`sniff_text` (found when not given).
    block_bytes : int, optional
        Bytes of text parsed at a time (default :data:`BLOCK_BYTES`); each frame
        comes from one block.
    columns : collection of str, optional
        Only these columns are converted (every field is still parsed, so a row
        with too many or too few fields is still refused); the last column is kept
        too when a row below the header quotes a field, as it shows a quotation mark
        never closed. All columns by default.

    Yields
    ------
    DataFrame
        Text columns (missing where a cell is empty) and ``_row``, the data row
        numbers from 1, continuing from one frame to the next.

    Raises
    ------
    SourceError
        A row has more or fewer fields than the header, or a quotation mark is never
        closed.
    """
    text_format = text_format or sniff_text(path)
    names = list(text_format.columns)
    include = [name for name in names if columns is None or name in columns]
    if names[-1] not in include and (not include or quotes_below_header(path)):
        include.append(names[-1])  # converting a column costs more than the scan
    options = {
        "read_options": pacsv.ReadOptions(column_names=names, skip_rows=1,
                                          block_size=block_bytes or BLOCK_BYTES,
                                          use_threads=False,
                                          encoding=_arrow_encoding(text_format)),
        "parse_options": pacsv.ParseOptions(delimiter=text_format.separator,
                                            newlines_in_values=True),
        "convert_options": pacsv.ConvertOptions(
            include_columns=include, column_types=dict.fromkeys(names, pa.large_string()),
            null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True),
    }
    first_row, last = 1, None
    try:
        reader = pacsv.open_csv(path, **options)
        for batch in reader:
            frame = batch.to_pandas()
            frame.index = pd.RangeIndex(first_row - 1, first_row - 1 + len(frame))
            frame[ROW] = frame.index + 1
            first_row += len(frame)
            if last is not None:
                yield last
            last = frame
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise SourceError(_parse_failure(path, err, first_row)) from err
    if last is not None:
        if names[-1] in include:  # else no field is quoted: none is left open
            _require_closed_quotes(path, text_format, last)
        yield last


def _arrow_encoding(text_format: TextFormat) -> str:
    """The encoding pyarrow is told: UTF-8 is read as it is (its BOM skipped)."""
    return "utf8" if text_format.encoding in ("utf-8", "utf-8-sig") else \
        text_format.encoding


_FIELDS = re.compile(r"(?:Row #(\d+): )?Expected (\d+) columns, got (\d+): (.*)",
                     re.DOTALL)
"""pyarrow's words for a row of the wrong width (with its row number, when serial)."""


def _parse_failure(path: Path, err: Exception, first_row: int) -> str:
    """A one-line reason for rows pyarrow could not parse (*first_row* on)."""
    text = str(err)
    found = _FIELDS.search(text)
    where = f"row {first_row:,} or later"
    if found and found[1]:  # pyarrow counts the header line: data rows start at 2
        where = f"row {int(found[1]) - 1:,}"
    unclosed = (f"Cannot read '{path.name}': a quotation mark ({where}{{}}) is never "
                "closed, so the rows after it would be read as one field. Close the "
                "quote, or remove it.")
    if "straddling object" in text:  # a quoted field runs over a whole block
        return unclosed.format("")
    if found:
        expected, got, row = found[2], found[3], found[4]
        start = row.split("\n", 1)[0][:60]
        if row.count('"') % 2:
            return unclosed.format(f", in the row starting {start!r}")
        fields = "field" if got == "1" else "fields"
        return (f"Cannot read '{path.name}': a row has {got} {fields} where the header "
                f"has {expected} ({start!r}, {where}). Check the separator and the "
                "quotes on that row.")
    return (f"Cannot read '{path.name}': {text.splitlines()[0]}. The file may be "
            "truncated or damaged.")


def _require_closed_quotes(path: Path, text_format: TextFormat,
                           last: pd.DataFrame) -> None:
    """Raise SourceError when the file ends inside a quoted field.

    A quote never closed runs to the end of the file: the last field of the last
    row then holds line breaks, and the file does not end with a quotation mark.
    """
    column = text_format.columns[-1]
    value = last[column].iloc[-1] if len(last) else None
    if not isinstance(value, str) or not ("\n" in value or "\r" in value):
        return
    size = path.stat().st_size
    with path.open("rb") as handle:
        bom = handle.read(4)
        handle.seek(max(0, size - 64) // 4 * 4)
        tail = handle.read()
    encoding = text_format.encoding.replace("-sig", "")
    if encoding in ("utf-16", "utf-32"):
        big = bom.startswith(codecs.BOM_UTF32_BE if encoding == "utf-32"
                             else codecs.BOM_UTF16_BE)
        encoding += "-be" if big else "-le"
    ending = tail.decode(encoding, errors="ignore").rstrip("\r\n\t \x00")
    if ending.endswith('"'):
        return
    row = int(last[ROW].iloc[-1])
    start = value.split("\n", 1)[0][:40]
    msg = (f"Cannot read '{path.name}': a quotation mark opened in row {row:,} "
           f"(before {start!r}) is never closed, so every line after it would be "
           "read as one field. Close the quote, or remove it.")
    raise SourceError(msg)


def read_text(path: Path) -> pd.DataFrame:
    """Read a whole delimited text file as text columns with ``_row`` (small files).

    Raises
    ------
    SourceError
        As :func:`read_text_batches`.
    """
    text_format = sniff_text(path)
    frames = list(read_text_batches(path, text_format))
    if not frames:
        return pd.DataFrame({**{name: pd.Series(dtype="str")
                                for name in text_format.columns},
                             ROW: pd.Series(dtype="int64")})
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
