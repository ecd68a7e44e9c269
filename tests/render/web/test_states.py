"""The states of the page's features by day, worked out once per kind of row, against
every row worked out one by one and stored by its JSON text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geomap.render.markup import safe_json
from geomap.render.web.states import (
    DayRows,
    StateBook,
    holder_tip,
    place_popup,
    place_states,
    popup_key,
    records,
    row_codes,
    text,
)
from geomap.render.web.styles import area_style, people_circle_style


class _SimpleBook:
    """Styles, popups, tooltips and states stored once by their JSON text."""

    def __init__(self) -> None:
        self.tables: dict[str, list] = {"styles": [], "popups": [], "tips": [],
                                        "states": []}
        self._seen: dict[tuple[str, str], int] = {}

    def _add(self, table: str, value: object) -> int:
        key = (table, safe_json(value))
        if key not in self._seen:
            self._seen[key] = len(self.tables[table])
            self.tables[table].append(value)
        return self._seen[key]

    def state(self, style: dict, popup: dict, tip: str) -> int:
        return self._add("states", [self._add("styles", style),
                                    self._add("popups", popup), self._add("tips", tip)])


def _states_simply(timeline, book, draw, lang, tip=None) -> dict[str, list[int]]:
    """Every row of every place worked out on its own, in place then row order."""
    found = {}
    for place, at in timeline.groupby("place", sort=False).indices.items():
        states = [book.state(draw(row), place_popup(row, lang),
                             tip(row, lang) if tip else text(row.name))
                  for row in timeline.iloc[at].itertuples(index=False)]
        found[place] = states[:1] if len(set(states)) == 1 else states
    return found


def _timeline() -> pd.DataFrame:
    """Three places over five days: a handover, a contested day, a claim, no record,
    figures that come and go (missing, never 0), a note, an enclosing area."""
    days = pd.to_datetime(["2025-01-01", "2025-01-05", "2025-01-09", "2025-01-20",
                           "2025-02-01"]).as_unit("s")
    rows = []
    for place, name, pcode in (("T01", "Sierra", "T01"), ("g", "Goma", None),
                               ("w", "Walikale", "T02")):
        for number, day in enumerate(days):
            held = not (place == "w" and number < 2)
            rows.append({
                "day": day, "place": place,
                "actor": (None if not held else "contested" if number == 2 else
                          "m23" if number >= 3 or place == "g" else "fardc"),
                "actors": "fardc;m23" if held and number == 2 else None,
                "confidence": ("claimed" if place == "g" and number == 4 else
                               "contested" if number == 2 else
                               "assessed" if held else None),
                "since": days[min(number, 3)] if held else pd.NaT,
                "source": "ACLED" if held else None,
                "url": "https://example.org" if held and place != "g" else
                "javascript:alert(1)" if held else None,
                "note": "<b>note</b>" if number == 1 else None,
                "within": "Masisi" if place == "w" and not held else np.nan,
                "within_actor": "m23" if place == "w" and not held else np.nan,
                "people": [None, 1500, 1500, None, 2000][number] if place != "g" else None,
                "people_as_of": ([pd.NaT, days[1], days[1], pd.NaT, days[4]][number]
                                 if place != "g" else pd.NaT),
                "name": name, "pcode": pcode, "mines": 2 if place == "T01" else 0})
    timeline = pd.DataFrame(rows)
    timeline["people"] = timeline["people"].astype("Int64")
    for column in ("actor", "actors", "confidence", "source", "url", "note"):
        timeline[column] = timeline[column].astype("string")
    return timeline


LAYERS = [
    (lambda row: area_style(row.actor, row.confidence), holder_tip),
    (lambda row: people_circle_style(row.people if pd.notna(row.people) else 0, 2000),
     None),
    (lambda row: area_style(row.actor, row.confidence), None),
]


@pytest.mark.parametrize("shared", [True, False], ids=["read-once", "cut-per-layer"])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_states_match_every_row_worked_out(shared, lang):
    """Three layers sharing a book, each drawing two of the three places, give the
    states and tables of the simple rule, whether the timeline is read once for all
    (popups shared) or cut for each layer."""
    timeline = _timeline()
    rows = DayRows(timeline)
    book, simple = StateBook(), _SimpleBook()
    for number, (draw, tip) in enumerate(LAYERS):
        drawn = {"T01", "g", "w"} - {["g", "w", "T01"][number]}
        part = timeline.loc[timeline["place"].isin(drawn)]
        found = (rows.states(book, draw, lang, tip=tip, places=drawn) if shared
                 else place_states(part, book, draw, lang, tip=tip))
        assert found == _states_simply(part, simple, draw, lang, tip)
    assert safe_json(book.tables) == safe_json(simple.tables)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rows_read_in_any_order_with_their_place_columns_apart(seed):
    """A timeline in any row order, with the columns of the place (name, P-code,
    mining sites) given once per place, gives the states and tables of the timeline
    sorted by place and day that carries those columns on every row."""
    timeline = _timeline()
    static = timeline.drop_duplicates("place")[["place", "name", "pcode", "mines"]]
    shuffled = timeline.drop(columns=["name", "pcode", "mines"]).sample(
        frac=1, random_state=seed)
    found, expected = StateBook(), StateBook()
    rows, sorted_rows = DayRows(shuffled, static), DayRows(timeline)
    for draw, tip in LAYERS:
        assert (rows.states(found, draw, "en", tip=tip)
                == sorted_rows.states(expected, draw, "en", tip=tip))
    assert safe_json(found.tables) == safe_json(expected.tables)
    assert list(rows.groups) == ["T01", "g", "w"]


def test_a_place_alike_every_day_keeps_one_state():
    """Days that differ only by date share a state; a place alike throughout has one."""
    timeline = _timeline()
    alike = timeline["place"] == "g"
    first = timeline.loc[alike].iloc[0]
    for column in timeline.columns.drop("day"):
        timeline.loc[alike, column] = first[column]
    found = place_states(timeline, StateBook(),
                         lambda row: area_style(row.actor, row.confidence), "en")
    assert found["g"] == found["g"][:1]
    assert len(found["T01"]) == 5
    assert found["T01"][2] != found["T01"][3]


def test_records_are_the_rows_itertuples_gives():
    """Rows read column by column hold the values, kinds of value and names of the
    rows pandas gives one by one: missing text as the column's own missing value."""
    frame = _timeline().assign(**{
        "plain text": pd.array(["a", None, "b"] * 5, dtype="str"),
        "_hidden": np.arange(15.0), "object": ["x", None, np.nan] * 5})
    expected = list(frame.itertuples(index=False))
    found = records(frame)
    assert [row._fields for row in found] == [row._fields for row in expected]
    assert [[(type(value), repr(value)) for value in row] for row in found] \
        == [[(type(value), repr(value)) for value in row] for row in expected]
    assert records(frame.iloc[:0]) == []


def _popups() -> list:
    """Popups and near-popups: equal ones written differently (field order, tuples,
    text subclasses), ones a single value apart, and values of another shape."""
    class Text(str):
        pass

    base = {"title": "Goma", "sub": "CD6101", "rows": [["Control: ", "M23", 1],
                                                        ["Note: ", "<b>&", 0]],
            "source": "ACLED", "url": "https://example.org", "urlText": "",
            "link": "Source"}
    found = [base, dict(reversed(list(base.items()))),
             {**base, "rows": (("Control: ", "M23", 1), ("Note: ", "<b>&", 0))},
             {**base, "title": Text("Goma")}]
    for field, other in (("title", "Bukavu"), ("sub", ""), ("source", None),
                         ("url", None), ("urlText", "ftp://x"), ("link", "Lien")):
        found.append({**base, field: other})
    for rows in ([], [["Control: ", "M23", 0], ["Note: ", "<b>&", 0]],
                 [["Control: ", "M23", 1]], [["Control: ", "M23", True]],
                 [["Control: ", "M23", 1.0]], [["Control: ", None, 1]],
                 [["Control: ", "M23"]], ["Control: M23"]):
        found.append({**base, "rows": rows})
    found += [{**base, "more": 1}, {k: v for k, v in base.items() if k != "link"},
              {**base, "source": 5}, {}, "Goma", None]
    return found


def test_popups_are_keyed_alike_exactly_when_their_json_is():
    """Two popups share a key exactly when their JSON texts are equal; anything not
    shaped as a popup has no key and is kept by its JSON text, which no keyed popup
    can have."""
    values = _popups()
    for one in values:
        for other in values:
            keys = popup_key(one), popup_key(other)
            if None in keys:
                continue
            assert (keys[0] == keys[1]) == (safe_json(one) == safe_json(other))
    keyed = {safe_json(v) for v in values if popup_key(v) is not None}
    unkeyed = {safe_json(v) for v in values if popup_key(v) is None}
    assert not keyed & unkeyed
    assert len([v for v in values if popup_key(v) is None]) == 11
    book = StateBook()
    indexes = [book.state({}, value, "") for value in values]
    assert indexes[:4] == [indexes[0]] * 4  # the same popup written four ways
    assert len(book.tables["popups"]) == len({safe_json(v) for v in values})


def test_row_codes_tell_rows_apart_by_every_column():
    """Equal rows share a code; missing equals missing, not a value; no two distinct
    rows share one (each pair of columns checked against drop_duplicates)."""
    frame = pd.DataFrame({
        "a": pd.array(["x", "x", None, None, "x", "y"], dtype="string"),
        "b": pd.array([1, 1, None, None, 2, 1], dtype="Int64"),
        "c": [np.nan, np.nan, np.nan, "z", np.nan, np.nan],
        "d": pd.to_datetime(["2025-01-01", "2025-01-01", None, None, None,
                             "2025-01-01"])})
    codes = row_codes(frame)
    assert codes.tolist() == [0, 0, 1, 2, 3, 4]
    assert len(set(codes)) == len(frame.drop_duplicates())
    assert row_codes(frame.iloc[:0]).tolist() == []
