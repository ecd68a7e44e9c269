"""Text folding for matching names: accents, case and punctuation."""

from __future__ import annotations

import unicodedata


def fold(text: object) -> str:
    """Lower-case *text* and strip its accents ('Oïcha' -> 'oicha')."""
    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()


def squash(text: object) -> str:
    """Fold *text* (see :func:`fold`) and drop everything but letters and digits."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def some(values: object, limit: int = 10, width: int = 60) -> str:
    """A few of *values* for a one-line message: the first *limit*, each cut to
    *width* characters, then how many more ('a, b, c … and 1,204 more').

    Examples
    --------
    >>> some(["a", "b", "c"], limit=2)
    "'a', 'b' … and 1 more"
    """
    values = list(values)
    shown = [repr(v if len(str(v)) <= width else f"{str(v)[:width - 1]}…")
             for v in values[:limit]]
    more = len(values) - limit
    return ", ".join(shown) + (f" … and {more:,} more" if more > 0 else "")


def not_text(value: object) -> int | None:
    """Where *value* stops being text that UTF-8 can write (1-based), None when it is
    (bytes the system could not decode are kept in argv as lone surrogates)."""
    try:
        str(value or "").encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start + 1
    return None
