"""Every word geomap writes, in English and French, with dates and numbers in each.

One table, :data:`WORDS`, holds each phrase geomap puts on the web map, the embed,
the print map, the report and the GIS package (written in :mod:`.common`,
:mod:`.outputs` and :mod:`.gis`), keyed
by a stable snake_case name; ``{name}`` marks a
value filled in by :func:`word`. Place names and other text from data are never
translated: they are shown as the data writes them. Values fill the phrase as plain
text (``str.format_map``), so a value is never read as a template.

French follows the usual typography: a no-break space before ``:``, ``;``, ``?`` and
``!``, dates as "20 février 2025" (and "1er mars 2025"), thousands grouped with a
no-break space.
"""

from __future__ import annotations

import re
import string
from typing import Literal

import pandas as pd

from geomap.actors import CONTESTED, controller_label
from geomap.errors import ConfigError
from geomap.schema import LANGS
from geomap.words import common, gis, outputs

Lang = Literal["en", "fr"]
"""Languages geomap writes; English is the default."""
DEFAULT_LANG = "en"
NBSP = "\u00a0"

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
"""Month names, January first."""


def _french_spaces(text: str) -> str:
    """Put a no-break space before French high punctuation (: ; ? !)."""
    return re.sub(r" ([:;?!])", NBSP + r"\1", text)


_TABLE: dict[str, tuple[str, str]] = {**common.PHRASES, **outputs.PHRASES,
                                      **gis.PHRASES}
if len(_TABLE) != len(common.PHRASES) + len(outputs.PHRASES) + len(gis.PHRASES):
    msg = "a phrase key is defined twice in geomap.words"
    raise AssertionError(msg)
WORDS: dict[str, dict[str, str]] = {
    key: {"en": en, "fr": _french_spaces(fr)} for key, (en, fr) in _TABLE.items()
}
"""Every phrase geomap writes: ``WORDS[key][lang]``."""


def require_lang(lang: object) -> str:
    """Return *lang* when geomap writes that language, else raise ConfigError.

    Examples
    --------
    >>> require_lang("fr")
    'fr'
    """
    if lang in LANGS:
        return str(lang)
    msg = f"expected a language among {list(LANGS)} but got '{lang}'."
    raise ConfigError(msg)


def word(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The phrase *key* in *lang*, with ``{name}`` fields filled from *values*.

    Raises
    ------
    KeyError
        *key* is not in :data:`WORDS` (a mistake in geomap, not in the data).

    Examples
    --------
    >>> word("as_of", "fr", date="20 février 2025")
    'Contrôle au 20 février 2025'
    """
    phrase = WORDS[key][require_lang(lang)]
    return phrase.format_map(values) if values else phrase


def words_for(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every phrase in *lang*, by key: the table a template looks words up in."""
    lang = require_lang(lang)
    return {key: phrases[lang] for key, phrases in WORDS.items()}


def fields(phrase: str) -> set[str]:
    """The ``{name}`` fields of a phrase."""
    return {name for _, name, _, _ in string.Formatter().parse(phrase) if name}


def format_date(value: object, lang: str = DEFAULT_LANG, *,
                precision: Literal["day", "month", "year"] = "day") -> str:
    """A date as a reader writes it: '20 February 2025', '20 février 2025'.

    The first of a month is '1er' in French. *precision* drops the day (or the day
    and month) for records dated to a month or a year. Missing dates give ''.

    Examples
    --------
    >>> format_date(pd.Timestamp("2025-03-01"), "fr")
    '1er mars 2025'
    >>> format_date("2025-02-20", "en", precision="month")
    'February 2025'
    """
    lang = require_lang(lang)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    day = pd.Timestamp(value)
    if precision == "year":
        return str(day.year)
    month = f"{MONTHS[lang][day.month - 1]} {day.year}"
    if precision == "month":
        return month
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{number} {month}"


def format_number(value: object, lang: str = DEFAULT_LANG) -> str:
    """A whole number with its thousands grouped: '1,700,000' or '1 700 000'.

    Missing values give ''. French groups with a no-break space, so a figure is
    never split across two lines.

    Examples
    --------
    >>> format_number(1700000)
    '1,700,000'
    """
    lang = require_lang(lang)
    if value is None or pd.isna(value):
        return ""
    text = f"{round(float(value)):,}"
    return text.replace(",", NBSP) if lang == "fr" else text


def actor_name(actor: object, lang: str = DEFAULT_LANG) -> str | None:
    """Display name of a holder in *lang*: 'Contesté', 'Armée burundaise (FDNB)'.

    Actor names that are names (M23/AFC, FARDC) stay as they are; None when missing.
    """
    if not isinstance(actor, str) or not actor:
        return None
    if actor == CONTESTED:
        return word("contested", lang)
    key = f"actor_{actor}"
    return word(key, lang) if key in WORDS else controller_label(actor)


def value_word(kind: str, value: object, lang: str = DEFAULT_LANG) -> str:
    """A closed-set value (confidence, mineral, kind) in *lang*; unknown ones as given.

    Examples
    --------
    >>> value_word("confidence", "claimed", "fr")
    'revendiqué'
    """
    if not isinstance(value, str) or not value:
        return ""
    key = f"{kind}_{value}"
    return word(key, lang) if key in WORDS else value
