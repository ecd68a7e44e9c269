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
