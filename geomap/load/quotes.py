"""Whether a text file quotes anything below its header, told from its bytes alone."""

from __future__ import annotations

from pathlib import Path

QUOTE = 0x22
"""The quotation mark's byte: the mark itself in UTF-8 and the single-byte encodings,
and one byte of it in UTF-16 and UTF-32 (where other characters may hold it too)."""

SCAN_BYTES = 4 << 20
"""Bytes read at a time."""


def quotes_below_header(path: Path) -> bool:
    """Whether any byte after the file's first line break (CR or LF) is a quotation
    mark.

    False means no row below the header quotes a field, so no field holds a line
    break: each line is one row. Any byte that could be a quotation mark in any
    encoding counts (an answer of True may be wrong, never one of False), and so
    does a file without a line break. The file is read in blocks, with no text made.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "t.csv"
    ...     _ = path.write_bytes(b'"area","people"\\nCD61,5\\n')
    ...     plain = quotes_below_header(path)
    ...     _ = path.write_bytes(b'area,note\\nCD61,"a, b"\\n')
    ...     plain, quotes_below_header(path)
    (False, True)
    """
    buffer = bytearray(SCAN_BYTES)
    start = None
    with path.open("rb") as handle:
        while read := handle.readinto(buffer):
            if start is None:  # the header ends at its first line break, or later
                ends = [end for end in (buffer.find(b"\n", 0, read),
                                        buffer.find(b"\r", 0, read)) if end >= 0]
                if not ends:
                    return True
                start = min(ends)
            if buffer.find(QUOTE, start, read) >= 0:
                return True
            start = 0
    return start is None
