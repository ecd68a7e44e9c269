"""Each place's displacement figure on any day, for the map's time slider.

The figure a place shows on a day is the one :func:`~geomap.summarise.areas.
sum_displaced` gives as of that day (its latest round, or its registrations up to
then). It changes only on the days rows are dated, so it is given as steps: from
each such day on, this figure with its own date, until the next step. The page
looks a day up among the steps; it never adds figures itself.
"""

from __future__ import annotations

import bisect

import numpy as np
import pandas as pd

from geomap.summarise.areas import PRIMARY_KIND, figure_kinds

Step = list
"""``[from_day, people, as_of]``: ISO day, int or None (no figure), ISO day or None."""


def displacement_steps(displacement: pd.DataFrame, *, window_days: int | None = None,
                       kind: str = PRIMARY_KIND) -> dict[str, list[Step]]:
    """Per place, the figure of *kind* it shows from each day it changes.

    Parameters
    ----------
    displacement : DataFrame
        Linked records: ``place``, ``people``, ``date`` and ``assessment``.
    window_days : int, optional
        As for :func:`~geomap.summarise.areas.sum_displaced`.
    kind : str
        The kind of figure (figures of different kinds are never added).

    Returns
    -------
    dict
        place -> ``[[from_day, people, as_of], ...]`` sorted by day; the figure on a
        day is that of the last step on or before it (none before the first step).
        ``people`` is None from a day on which the place has no figure any more.

    Examples
    --------
    >>> records = pd.DataFrame({"place": ["T01", "T01"], "people": [5, 7],
    ...     "date": pd.to_datetime(["2025-01-01", "2025-03-01"]),
    ...     "assessment": ["r1", "r2"]})
    >>> displacement_steps(records)["T01"]
    [['2025-01-01', 5, '2025-01-01'], ['2025-03-01', 7, '2025-03-01']]
    """
    wanted = displacement["place"].notna()
    if "kind" in displacement:  # without one, every figure is of the primary kind
        wanted &= figure_kinds(displacement).eq(kind).to_numpy()
    elif kind != PRIMARY_KIND:
        wanted &= False
    used = displacement.loc[wanted, ["place", "assessment", "people", "date"]]
    rounds = used["assessment"].notna()
    stock = _daily(used.loc[rounds], ["place", "assessment", "date"])
    flow = _daily(used.loc[~rounds], ["place", "date"]).assign(assessment=None)
    steps: dict[str, list[Step]] = {}
    mixed = set(stock["place"].unique()) & set(flow["place"].unique())
    for place, rows in stock.loc[~stock["place"].isin(mixed)].groupby("place", sort=True):
        steps[place] = _round_steps(rows)
    steps.update(_registrations_by_place(flow, window_days, leave=mixed))
    if mixed:
        daily = pd.concat([stock, flow], ignore_index=True)
        for place in sorted(mixed):
            steps[place] = _evaluated_steps(daily.loc[daily["place"] == place],
                                            window_days)
    return dict(sorted(steps.items()))


def _registrations_by_place(flow: pd.DataFrame, window_days: int | None, *,
                            leave: set) -> dict[str, list[Step]]:
    """:func:`_registration_steps` of each place of *flow* (rows summed per place
    and day, sorted by both: see :func:`_daily`) but those in *leave*, cut from its
    columns read once rather than from a table per place."""
    place = flow["place"].to_numpy(dtype=object)
    days = flow["date"].to_numpy(dtype="datetime64[D]")
    people = flow["people"].to_numpy(dtype="int64")
    cuts = np.flatnonzero(place[1:] != place[:-1]) + 1
    return {place[first]: _steps_of(days[first:last], people[first:last], window_days)
            for first, last in zip(np.r_[0, cuts], np.r_[cuts, len(place)], strict=True)
            if last > first and place[first] not in leave}


def _daily(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """People summed per distinct *keys* (place, day...): few rows, whatever the
    records; counted on integer codes, which is quicker than a grouping."""
    factors = [pd.factorize(rows[key], sort=True) for key in keys]
    shape = tuple(max(len(uniques), 1) for _, uniques in factors)
    flat = np.ravel_multi_index([codes for codes, _ in factors], shape) if len(rows) \
        else np.empty(0, dtype=np.int64)
    size = int(np.prod(shape))
    rows_in = np.bincount(flat, minlength=size)
    cells = np.flatnonzero(rows_in)
    people = np.bincount(flat, weights=rows["people"].to_numpy(dtype="float64"),
                         minlength=size)[cells]
    found = np.unravel_index(cells, shape)
    daily = pd.DataFrame({key: np.asarray(uniques, dtype=object)[codes] if key != "date"
                          else uniques[codes]
                          for key, (_, uniques), codes in zip(keys, factors, found,
                                                              strict=True)})
    return daily.assign(people=people.astype("int64"))


def _round_steps(rows: pd.DataFrame) -> list[Step]:
    """Steps of a place whose rows are rounds: each round from its own date on."""
    rounds = rows.groupby("assessment", sort=True).agg(
        people=("people", "sum"), people_as_of=("date", "max")).reset_index()
    rounds = rounds.sort_values(["people_as_of", "assessment"], kind="stable")
    rounds = rounds.drop_duplicates("people_as_of", keep="last")
    return [[f"{d:%Y-%m-%d}", int(n), f"{d:%Y-%m-%d}"]
            for d, n in zip(rounds["people_as_of"], rounds["people"], strict=True)]


def _registration_steps(rows: pd.DataFrame, window_days: int | None) -> list[Step]:
    """Steps of a place whose rows are registrations: sums up to each day."""
    return _steps_of(rows["date"].to_numpy(dtype="datetime64[D]"),
                     rows["people"].to_numpy(dtype="int64"), window_days)


def _steps_of(days: np.ndarray, people: np.ndarray, window_days: int | None
              ) -> list[Step]:
    """:func:`_registration_steps` of one place's days (sorted) and people."""
    total = np.cumsum(people)
    if window_days is None:
        text = np.datetime_as_string(days, unit="D").tolist()
        return [[d, n, d] for d, n in zip(text, total.tolist(), strict=True)]
    width = np.timedelta64(window_days, "D")
    changes = np.unique(np.concatenate([days, days + width]))
    steps: list[Step] = []
    for day in changes:
        high = np.searchsorted(days, day, side="right")
        low = np.searchsorted(days, day - width, side="right")
        step = ([str(day), int(total[high - 1] - (total[low - 1] if low else 0)),
                 str(days[high - 1])] if high > low else [str(day), None, None])
        if not steps or steps[-1][1:] != step[1:]:
            steps.append(step)
    return steps


def _evaluated_steps(rows: pd.DataFrame, window_days: int | None) -> list[Step]:
    """Steps of a place with both rounds and registrations, by the summing rule.

    As in :func:`~geomap.summarise.areas.sum_displaced`, the place shows on a day its
    latest round's figure plus its registrations', dated by the later of the two:
    so its steps are those of its rounds and of its registrations, merged.
    """
    rounds = _round_steps(rows.loc[rows["assessment"].notna()])
    registered = _registration_steps(
        rows.loc[rows["assessment"].isna()].sort_values("date", kind="stable"),
        window_days)
    starts = [step[0] for step in rounds], [step[0] for step in registered]
    steps: list[Step] = []
    for day in sorted({*starts[0], *starts[1]}):
        parts = [step for step in (_step_on(rounds, starts[0], day),
                                   _step_on(registered, starts[1], day))
                 if step is not None and step[1] is not None]
        step = ([day, sum(part[1] for part in parts), max(part[2] for part in parts)]
                if parts else [day, None, None])
        if not steps or steps[-1][1:] != step[1:]:
            steps.append(step)
    return steps


def _step_on(steps: list[Step], starts: list[str], day: str) -> Step | None:
    """The last of *steps* (whose first days are *starts*) starting on or before
    *day*; ISO days sort as text."""
    at = bisect.bisect_right(starts, day)
    return steps[at - 1] if at else None
