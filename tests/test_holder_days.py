"""The holder rule for many days at once, against the rule read day by day, place by
place, on random records: overlaps, ties, open ends, several actors at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geomap.actors import CONTESTED, in_force, resolve_control_days
from geomap.summarise.handovers import holders_on

DAYS = pd.date_range("2025-01-01", periods=30, freq="D").as_unit("s")


def _records(seed: int) -> pd.DataFrame:
    """Up to 25 random records over four places (one unlinked), with ties in start."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 26))
    pick = lambda values, k=n: rng.choice(np.array(values, dtype=object), k)
    return pd.DataFrame({
        "place": pd.Series(pick(["b", "a", "Zé", None]), dtype="str"),
        "actor": pd.Series(pick(["m23", "fardc", "adf"]), dtype="str"),
        "start": pd.Series(pick([*DAYS[::3], pd.NaT]), dtype="datetime64[s]"),
        "end": pd.Series(pick([*DAYS[5::4], pd.NaT, pd.NaT]), dtype="datetime64[s]"),
        "confidence": pd.Series(pick(["assessed", "claimed", "contested", None]),
                                dtype="string"),
        "source": pd.Series([f"s{i}" for i in range(n)], dtype="str"),
        "url": pd.Series(pick(["https://example.org", None]), dtype="string"),
        "note": pd.Series(pick(["n", None]), dtype="string")})


def _held_simply(control: pd.DataFrame, day: pd.Timestamp, place: str) -> tuple | None:
    """The rule for one place on one day: the latest record in force (no start counts
    first, then file order breaks ties); contested when several actors are."""
    rows = [row for row in control.itertuples(index=False)
            if row.place == place and bool(in_force(row.start, row.end, day))]
    if not rows:
        return None
    def order(numbered: tuple) -> tuple:
        at, row = numbered
        dated = pd.notna(row.start)
        return (dated, row.start if dated else 0, at)

    latest = max(enumerate(rows), key=order)[1]
    ids = sorted({row.actor for row in rows})
    several = len(ids) > 1
    return (CONTESTED if several else latest.actor, ";".join(ids),
            CONTESTED if several else latest.confidence, latest.start, latest.source,
            latest.url, latest.note)


@pytest.mark.parametrize("seed", range(40))
def test_many_days_read_as_each_day_alone(seed):
    """Every (day, place) held reads as the rule for that day; no other is listed."""
    control = _records(seed)
    days = list(np.random.default_rng(seed).choice(DAYS, 8))
    held = resolve_control_days(control, days)
    expected = {(day, place): found for day in sorted(set(days))
                for place in ("a", "b", "Zé")
                if (found := _held_simply(control, day, place)) is not None}
    got = {key: tuple(None if pd.isna(v) else v for v in row)
           for key, row in zip(held.index, held.itertuples(index=False), strict=True)}
    expected = {key: tuple(None if pd.isna(v) else v for v in row)
                for key, row in expected.items()}
    assert got == expected
    assert list(held.index) == sorted(held.index)


def test_holders_on_answers_each_question_in_order():
    """Questions asked together (the day before and the day of each change) get the
    answers each gets alone, in the order asked."""
    control = _records(7)
    linked = control.loc[control["place"].notna()]
    asked = pd.DataFrame({"place": ["a", "b", "a", "Zé", "b"],
                          "day": pd.to_datetime(["2025-01-04", "2025-01-10", "2025-01-03",
                                                 "2025-01-20", "2025-01-10"])})
    together = holders_on(linked, asked)
    for at in range(len(asked)):
        alone = holders_on(linked, asked.iloc[[at]])
        pd.testing.assert_frame_equal(together.iloc[[at]].reset_index(drop=True), alone)


def _resolved_by_pandas(control: pd.DataFrame, days: list) -> pd.DataFrame:
    """The frame resolve_control_days gave when it cut the records with pandas (a
    row selection, a MultiIndex set, a column per Series): the quick path must give
    it exactly, index levels and dtypes included."""
    linked = control.loc[control["place"].notna(),
                         ["place", "actor", "start", "end", "confidence", "source",
                          "url", "note"]]
    wanted = pd.DatetimeIndex(sorted(set(days)))
    force = in_force(linked["start"].to_numpy()[:, None],
                     linked["end"].to_numpy()[:, None], wanted.to_numpy()[None, :])
    rows, which = force.nonzero()
    place = pd.factorize(linked["place"].to_numpy(dtype=object))
    rank = np.argsort(np.argsort(np.asarray(place[1], dtype=object), kind="stable"))
    starts = linked["start"].rank(method="dense", na_option="top").to_numpy()
    order = np.lexsort((rows, starts[rows], rank[place[0]][rows], which))
    rows, which = rows[order], which[order]
    group = np.r_[True, (which[1:] != which[:-1])
                  | (place[0][rows[1:]] != place[0][rows[:-1]])].cumsum() - 1
    last = np.r_[group[1:] != group[:-1], True]
    latest = linked.iloc[rows[last]].assign(day=wanted[which[last]]).set_index(
        ["day", "place"])
    actors = latest["actor"].astype("string")
    for number, at in enumerate(np.flatnonzero(last)):
        first = at
        while first > 0 and group[first - 1] == group[at]:
            first -= 1
        ids = sorted({linked["actor"].iloc[r] for r in rows[first:at + 1]})
        if len(ids) > 1:
            actors.iloc[number] = ";".join(ids)
    several = actors.str.contains(";", regex=False)
    return pd.DataFrame({
        "actor": latest["actor"].where(~several, CONTESTED), "actors": actors,
        "confidence": latest["confidence"].where(~several, CONTESTED),
        "since": latest["start"], "source": latest["source"], "url": latest["url"],
        "note": latest["note"]})


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("text", ["str", "object", "string"])
def test_many_days_frame_is_the_pandas_one(seed, text):
    """The same frame as the pandas cutting, to the index levels and each dtype, for
    text columns of each kind (a build's control columns are str; tests' object)."""
    control = _records(seed)
    if seed % 3 == 0:  # a record of a place and none linked elsewhere: an unlinked row
        control = control.iloc[::-1].reset_index(drop=True)
    control = control.astype({name: text for name in
                              ("place", "actor", "confidence", "source", "url", "note")})
    days = list(np.random.default_rng(seed).choice(DAYS, 8))
    held = resolve_control_days(control, days)
    if not len(held):
        assert not len(_held_simply_all(control, days))
        return
    expected = _resolved_by_pandas(control, days)
    pd.testing.assert_frame_equal(held, expected, check_exact=True)
    for ours, theirs in zip(held.index.levels, expected.index.levels, strict=True):
        assert ours.dtype == theirs.dtype
        assert list(ours) == list(theirs)


def _held_simply_all(control: pd.DataFrame, days: list) -> list:
    """Every (day, place) with a record in force, by the simple rule."""
    return [(day, place) for day in sorted(set(days)) for place in ("a", "b", "Zé")
            if _held_simply(control, day, place) is not None]
