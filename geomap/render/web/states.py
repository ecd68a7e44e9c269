"""What each feature of the page shows on each slider day: style, tooltip, popup.

Python works these out for every day from the control timeline
(:func:`geomap.summarise.changes.control_timeline`); the page only looks them up.
Popups are plain text fields (title, labelled rows, source, link), which the page
writes with ``textContent``: no markup from data ever reaches the page. Every word
comes from :mod:`geomap.words`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from geomap.actors import CONTESTED
from geomap.render.markup import fmt_date, link_target, safe_json
from geomap.words import actor_name, format_number, value_word, word


class StateBook:
    """Distinct styles, popups, tooltips and their combinations, each stored once."""

    def __init__(self) -> None:
        self.tables: dict[str, list] = {"styles": [], "popups": [], "tips": [],
                                        "states": []}
        self._seen: dict[tuple[str, str], int] = {}

    def _add(self, table: str, value: object) -> int:
        """Index of *value* in *table*, adding it when new."""
        key = (table, safe_json(value))
        if key not in self._seen:
            self._seen[key] = len(self.tables[table])
            self.tables[table].append(value)
        return self._seen[key]

    def state(self, style: dict, popup: dict, tip: str) -> int:
        """Index of the state drawing *style*, with that popup and tooltip."""
        return self._add("states", [self._add("styles", style),
                                    self._add("popups", popup), self._add("tips", tip)])


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
    return {
        "title": text(title), "sub": text(subtitle),
        "rows": [[word("label", lang, label=word(key, lang)) if key else "",
                  text(value), int(key == strong)] for key, value in rows if text(value)],
        "source": text(source) if isinstance(source, str) else None,
        "url": link, "urlText": "" if link or not isinstance(url, str) else url,
        "link": word("link_source", lang),
    }


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


def place_states(timeline: pd.DataFrame, book: StateBook,
                 draw: Callable[[object], dict], lang: str, *,
                 tip: Callable[[object, str], str] | None = None
                 ) -> dict[str, list[int]]:
    """For each place of *timeline*, its state on each day, in day order.

    *draw* gives the style of a timeline row, *tip* its tooltip (the place's name
    when not given); neither may depend on the row's ``day``, so a place's days that
    agree in every other column share one state, worked out once. A place that looks
    the same every day keeps a single state.
    """
    found: dict[str, list[int]] = {}
    rows = list(timeline.itertuples(index=False))  # read once, then cut by place
    day = list(timeline.columns).index("day") if "day" in timeline else None
    for place, at in timeline.groupby("place", sort=False).indices.items():
        seen: dict[tuple, int] = {}  # days that read alike are worked out once
        states = []
        for row in (rows[i] for i in at):
            key = row[:day] + row[day + 1:] if day is not None else tuple(row)
            if key not in seen:
                seen[key] = book.state(draw(row), place_popup(row, lang),
                                       tip(row, lang) if tip else text(row.name))
            states.append(seen[key])
        found[place] = states[:1] if len(set(states)) == 1 else states
    return found
