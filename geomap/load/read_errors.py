"""Say in plain words why a reader (GDAL, pandas, openpyxl, rasterio) refused a file.

The libraries geomap reads with phrase their failures for programmers, and some add
advice that does not apply to geomap's users ("specify an engine manually", "prefix
the file path with '<DRIVER>:'"). geomap's messages quote a reason from here instead.
"""

from __future__ import annotations

import re
from pathlib import Path

_PLAIN = (
    ("in a supported file format", "it is in no format GDAL reads"),
    ("excel file format cannot be determined", "it is not an Excel workbook"),
    ("file is not a zip file", "it is not a zip archive (an .xlsx workbook is one)"),
    ("could not determine delimiter",
     "no comma, semicolon or tab separates its columns"),
    ("no columns to parse from file", "it holds no header row"),
    ("eof inside string", "a quotation mark is never closed"),
    ("unexpected end of data", "a quotation mark is never closed"),
)
"""Fragments of library messages (any case) and the plain reason given instead."""

_ADVICE = re.compile(r"[;.,]?\s*(It might help to|you must specify an engine).*$",
                     re.IGNORECASE)
"""Library advice that does not apply to geomap's users, cut from a reason."""

_PREFIX = re.compile(r"^(Error tokenizing data\. C error|CSV parse error):\s*",
                     re.IGNORECASE)
"""Parser names that only say which library failed, cut from a reason."""

_FIELDS = (
    (re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)"),
     lambda m: f"line {m[2]} has {m[3]} fields where the header has {m[1]}"),
    (re.compile(r"Expected (\d+) columns, got (\d+): (.{0,40})"),
     lambda m: f"a row has {m[2]} fields where the header has {m[1]} ({m[3]!r})"),
)
"""CSV parsers' counts of fields, said in words."""


def plain_reason(err: BaseException, fallback: str | None = None) -> str:
    """Return a short reason for *err*: plain words, one line, no final full stop.

    Parameters
    ----------
    err : BaseException
        The reader's exception.
    fallback : str, optional
        The reason to give when the failure is not a known one (instead of the
        library's own first line), e.g. when the library's words say nothing to a user.

    Returns
    -------
    str
        A known failure rephrased, else *fallback*, else the first line of the
        message with library advice cut off; the class name when the message is
        empty. Callers add the full stop, so a reason never ends in a doubled one.

    Examples
    --------
    >>> plain_reason(ValueError("Excel file format cannot be determined, you must "
    ...                         "specify an engine manually."))
    'it is not an Excel workbook'
    >>> plain_reason(OSError("disk on fire."))
    'disk on fire'
    >>> plain_reason(KeyError("zip"), fallback="it is damaged")
    'it is damaged'
    """
    text = str(err).strip()
    for fragment, reason in _PLAIN:
        if fragment in text.lower():
            return reason
    for pattern, say in _FIELDS:
        found = pattern.search(text)
        if found:
            return say(found)
    if fallback is not None:
        return fallback
    line = _PREFIX.sub("", _ADVICE.sub("", text.splitlines()[0])) if text else ""
    line = line.strip().rstrip(".;: ").strip()
    return line or type(err).__name__


def folder_given(path: Path, what: str, fix: str) -> str:
    """A one-line message for a folder given where a file was expected.

    Parameters
    ----------
    path : Path
        The folder.
    what : str
        What was expected, e.g. ``"Input file"``.
    fix : str
        The sentence that ends the message, saying what to give instead.

    Examples
    --------
    >>> folder_given(Path("data"), "Input file", "Give the file itself.")
    "Input file 'data' is a folder, not a file. Give the file itself."
    """
    return f"{what} '{path}' is a folder, not a file. {fix}"
