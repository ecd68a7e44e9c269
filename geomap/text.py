"""Text folding for matching names: accents, case and punctuation."""

from __future__ import annotations

import unicodedata


def fold(text: object) -> str:
    """Lower-case *text* and strip its accents ('Oïcha' -> 'oicha')."""
    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()


def squash(text: object) -> str:
    """Fold *text* (see :func:`fold`) and drop everything but letters and digits."""
    return "".join(ch for ch in fold(text) if ch.isalnum())
