"""What each feature of the page shows on each slider day: style, tooltip, popup.

Python works these out for every day from the control timeline
(:func:`geomap.summarise.changes.control_timeline`); the page only looks them up.
Popups are plain text fields (title, labelled rows, source, link), which the page
writes with ``textContent``: no markup from data ever reaches the page. Every word
comes from :mod:`geomap.words`.
"""

from __future__ import annotations

import collections
import functools
import json
from collections.abc import Callable, Collection, Hashable

import numpy as np
import pandas as pd

from geomap.actors import CONTESTED
from geomap.render.markup import fmt_date, link_target
from geomap.words import actor_name, format_number, value_word, word

_KEY = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                        allow_nan=False).encode
"""JSON text of a value as :func:`~geomap.render.markup.safe_json` writes it, before
its escapes (which change no equality): two values are stored once when it agrees."""


class StateBook:
    """Distinct styles, popups, tooltips and their combinations, each stored once."""

    def __init__(self) -> None:
        self.tables: dict[str, list] = {"styles": [], "popups": [], "tips": [],
                                        "states": []}
        self._seen: dict[tuple, int] = {}
        self._made: dict[Hashable, int] = {}

    def _add(self, table: str, value: object, key: Hashable | None = None) -> int:
        """Index of *value* in *table*, adding it when new; *key*, when given, stands
        for its JSON text (equal keys exactly when equal texts)."""
        key = (table, _KEY(value) if key is None else key)
        if key not in self._seen:
            self._seen[key] = len(self.tables[table])
            self.tables[table].append(value)
        return self._seen[key]

    def state(self, style: dict, popup: dict | int, tip: str) -> int:
        """Index of the state drawing *style*, with that popup (or the index of one
        stored by :meth:`popup_of`) and tooltip."""
        shown = popup if isinstance(popup, int) else self._add("popups", popup,
                                                               popup_key(popup))
        said = self._add("tips", tip, ("text", tip) if isinstance(tip, str) else None)
        drawn = self._add("styles", style)
        return self._add("states", [drawn, shown, said], (drawn, shown, said))

    def popup_of(self, key: Hashable, make: Callable[[], dict]) -> int:
        """Index of the popup *make* gives, made once per *key* (what it depends on):
        several layers show the same place on the same day with the same popup."""
        if key not in self._made:
            made = make()
            self._made[key] = self._add("popups", made, popup_key(made))
        return self._made[key]


_POPUP_FIELDS = frozenset({"title", "sub", "rows", "source", "url", "urlText", "link"})
"""The fields of a popup (see :func:`popup`)."""


def popup_key(value: object) -> tuple | None:
    """A key for a popup as :func:`popup` makes it, equal exactly when the popups'
    JSON texts are: its fields in a fixed order (JSON sorts them), texts as they are,
    and each row's label, text and bold flag. None for any other value (the book
    stores it by its JSON text, which can equal no popup's).

    Reading the few fields is about ten times quicker than writing the JSON text
    of a popup (a page has about a thousand). The checks are those of the JSON
    encoder: text and its subclasses, whole numbers but not True or False, rows as
    lists or tuples.

    Examples
    --------
    >>> popup_key({"title": "Goma", "sub": "", "rows": [["Control: ", "M23", 1]],
    ...            "source": None, "url": None, "urlText": "", "link": "Source"})
    ('popup', 'Goma', '', (('Control: ', 'M23', 1),), None, None, '', 'Source')
    >>> popup_key({"title": "Goma"}) is None
    True
    """
    if not isinstance(value, dict) or value.keys() != _POPUP_FIELDS:
        return None
    title, sub, rows = value["title"], value["sub"], value["rows"]
    source, url, url_text, link = (value["source"], value["url"], value["urlText"],
                                   value["link"])
    if not (isinstance(title, str) and isinstance(sub, str)
            and isinstance(url_text, str) and isinstance(link, str)
            and (source is None or isinstance(source, str))
            and (url is None or isinstance(url, str))
            and isinstance(rows, list | tuple)):
        return None
    shown = []
    for row in rows:
        if not isinstance(row, list | tuple) or len(row) != 3:
            return None
        label, said, strong = row
        if not (isinstance(label, str) and isinstance(said, str)
                and isinstance(strong, int) and not isinstance(strong, bool)):
            return None
        shown.append((label, said, int(strong)))
    return ("popup", title, sub, tuple(shown), source, url, url_text, link)


def text(value: object) -> str:
    """Display text of a value ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def popup(title: object, subtitle: object, rows: list[tuple[str, object]],
          source: object, url: object, lang: str, *, strong: str = "") -> dict:
    """A popup as text fields: rows are (label key or '', value); empty values left out.

    The row whose label key is *strong* shows its value in bold.
    """
    link = link_target(url)
    shown = [(key, said) for key, value in rows if (said := text(value))]
    return {
        "title": text(title), "sub": text(subtitle),
        "rows": [[_label(key, lang) if key else "", said, int(key == strong)]
                 for key, said in shown],
        "source": text(source) if isinstance(source, str) else None,
        "url": link, "urlText": "" if link or not isinstance(url, str) else url,
        "link": word("link_source", lang),
    }


@functools.cache
def _label(key: str, lang: str) -> str:
    """A popup row's label: 'Control: ' (the same few words for every popup)."""
    return word("label", lang, label=word(key, lang))


def holder_text(actor: object, actors: object, lang: str) -> str:
    """'M23/AFC', 'Contested: M23/AFC, FARDC', or 'no record'."""
    if not isinstance(actor, str):
        return word("no_record", lang)
    if actor == CONTESTED and isinstance(actors, str):
        names = ", ".join(actor_name(a, lang) or a for a in actors.split(";"))
        return word("contested_by", lang, actors=names)
    return actor_name(actor, lang) or actor


def figure_text(people: object, people_as_of: object, lang: str) -> str:
    """'1,500 (as of 2025-01-15)', or 'no figure' where there is none (never 0)."""
    if people is None or pd.isna(people):
        return word("no_figure", lang)
    return word("people_as_of", lang, people=format_number(people, lang),
                date=fmt_date(people_as_of))


def place_popup(row: object, lang: str) -> dict:
    """Popup of a place on a day (*row*: a timeline row with the place's name, mines).

    Its note is the note of the record in force or, for a place with no record of
    its own, the area around it that has one.
    """
    note = (word("inside_held_by", lang, area=row.within,
                 actor=actor_name(row.within_actor, lang))
            if isinstance(row.within, str) else row.note)
    return popup(row.name, row.pcode if isinstance(row.pcode, str) else row.place, [
        ("control", holder_text(row.actor, row.actors, lang)),
        ("confidence", value_word("confidence", row.confidence, lang)),
        ("since", fmt_date(row.since)), ("note", note),
        ("displaced", figure_text(row.people, row.people_as_of, lang)),
        ("mining_sites", format_number(row.mines, lang) if row.mines else "")],
        row.source, row.url, lang, strong="control")


def holder_tip(row: object, lang: str) -> str:
    """Tooltip of a place on the control layers: its name and holder that day."""
    holder = holder_text(row.actor, row.actors, lang)
    confidence = (f" ({value_word('confidence', row.confidence, lang)})"
                  if isinstance(row.actor, str) else "")
    return f"{row.name} — {holder}{confidence}"


class DayRows:
    """A timeline read once for every layer drawn from it.

    Its rows are taken place by place (in sorted order), each place's by day; they
    are numbered by look (all their columns but the day: see :func:`row_codes`),
    and each look is read into one row object. Several layers then draw the same
    rows without reading or cutting the table again, and share the popup of each
    look.

    Parameters
    ----------
    timeline : DataFrame
        Rows with ``place`` and ``day`` (see
        :func:`geomap.summarise.changes.control_timeline`), in any order; rows with
        no place are left out.
    static : DataFrame, optional
        Columns that depend on the place only (its name, P-code, mining sites), one
        row per place: added to each look's row object, not to every day's row.
    """

    def __init__(self, timeline: pd.DataFrame, static: pd.DataFrame | None = None
                 ) -> None:
        place, names = pd.factorize(timeline["place"], sort=True)
        day = (timeline["day"].to_numpy(dtype="datetime64[s]") if "day" in timeline
               else np.zeros(len(timeline), dtype="datetime64[s]"))
        order = np.lexsort((day.view("int64"), np.isnat(day), place))  # stable: by
        # place, then day (missing last), then as given
        order = order[place[order] >= 0]
        codes = row_codes(timeline.drop(columns="day", errors="ignore"))
        self.codes = codes[order]
        cuts = np.flatnonzero(np.diff(place[order])) + 1
        self.groups = {names[place[order[start]]]: np.arange(start, stop)
                       for start, stop in zip(np.r_[0, cuts], np.r_[cuts, len(order)],
                                              strict=True) if stop > start}
        kinds, first = np.unique(self.codes, return_index=True)
        looks = timeline.iloc[order[first]]
        if static is not None:
            if not static["place"].is_unique:
                msg = "DayRows: the place columns hold a place twice."
                raise ValueError(msg)
            looks = looks.merge(static, on="place", how="left")
        self.rows = dict(zip(kinds.tolist(), records(looks), strict=True))

    def states(self, book: StateBook, draw: Callable[[object], dict], lang: str, *,
               tip: Callable[[object, str], str] | None = None,
               places: Collection | None = None) -> dict[str, list[int]]:
        """:func:`place_states` of the rows of *places* (every place when None)."""
        found: dict[str, list[int]] = {}
        made: dict[int, int] = {}
        for place, at in self.groups.items():
            if places is not None and place not in places:
                continue
            codes = self.codes[at].tolist()
            for code in dict.fromkeys(codes):  # place by place, as the book fills
                if code not in made:
                    row = self.rows[code]
                    made[code] = book.state(
                        draw(row), book.popup_of((self, lang, code),
                                                 lambda row=row: place_popup(row, lang)),
                        tip(row, lang) if tip else text(row.name))
            states = [made[code] for code in codes]
            found[place] = states[:1] if len(set(states)) == 1 else states
        return found


def records(frame: pd.DataFrame) -> list:
    """``list(frame.itertuples(index=False))``: the same row objects holding the same
    values, each text column read in one go rather than value by value."""
    kind = collections.namedtuple("Pandas", frame.columns, rename=True)
    return list(map(kind._make, zip(*(_values(frame[column]) for column in frame),
                                    strict=True)))


def _values(column: pd.Series) -> list:
    """``list(column)``: a text column stored by pyarrow is read as a whole."""
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        missing = column.dtype.na_value
        return [missing if value is None else value
                for value in column.array.__arrow_array__().to_pylist()]
    return list(column)


def place_states(timeline: pd.DataFrame, book: StateBook,
                 draw: Callable[[object], dict], lang: str, *,
                 tip: Callable[[object, str], str] | None = None
                 ) -> dict[str, list[int]]:
    """For each place of *timeline*, its state on each day, in day order.

    *draw* gives the style of a timeline row, *tip* its tooltip (the place's name
    when not given); neither may depend on the row's ``day``, so a place's days that
    agree in every other column share one state, worked out once. A place that looks
    the same every day keeps a single state. (:class:`DayRows` reads a timeline once
    for several layers.)
    """
    return DayRows(timeline).states(book, draw, lang, tip=tip)


def row_codes(frame: pd.DataFrame) -> np.ndarray:
    """One integer per row of *frame*, the same for rows equal in every column.

    Missing values of a column are equal to each other (as in ``drop_duplicates``).

    Examples
    --------
    >>> row_codes(pd.DataFrame({"a": ["x", "y", "x", None], "b": [1, 2, 1, None]}))
    array([0, 1, 0, 2])
    """
    codes = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        values, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        codes = pd.factorize(codes * (len(uniques) + 1) + values)[0]
    return codes
