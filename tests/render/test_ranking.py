"""Both maps name places in the order of rank_labels: the order a sort of a frame of
its keys gave, now worked out without one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geomap.provinces import CAPITALS
from geomap.render.ranking import rank_labels
from geomap.text import squash


def _ranks_by_frame(places: pd.DataFrame, changed: set) -> pd.Series:
    """The ranks as they were worked out: a frame of the keys, sorted stably."""
    def column(name: str) -> pd.Series:
        return places[name] if name in places else pd.Series(pd.NA, index=places.index)

    keys = pd.DataFrame({
        "changed": ~places["place"].isin(set(changed)),
        "capital": ~places["name"].map(squash).isin(CAPITALS),
        "held": column("actor").isna(),
        "people": -pd.to_numeric(column("people"), errors="coerce").fillna(0),
        "mines": -pd.to_numeric(column("mines"), errors="coerce").fillna(0),
        "name": places["name"].astype(str),
        "place": places["place"].astype(str),
    }, index=places.index).reset_index(drop=True)
    order = keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()
    return pd.Series(order.argsort(kind="stable"), index=places.index)


def _places(seed: int, *, name_dtype, people_dtype, columns: tuple) -> pd.DataFrame:
    """Places with ties everywhere: few names (some missing, some capitals), few
    figures (some missing), a place id now and then twice."""
    rng = np.random.default_rng(seed)
    size = 80
    names = rng.choice(["Goma", "GOMA", "Bukavu", "Sake", "Île", "Masisi", "",
                        None], size).tolist()
    people = rng.choice([0.0, 5.0, 1200.0, np.nan], size)
    frame = pd.DataFrame({
        "place": [f"p{i % 70}" for i in rng.permutation(size)],
        "name": pd.array(names, dtype=name_dtype),
        "actor": pd.array(rng.choice(["m23", "fardc", None], size).tolist(),
                          dtype="string"),
        "people": pd.array(people, dtype=people_dtype) if people_dtype != "Int64"
        else pd.array([None if np.isnan(v) else int(v) for v in people],
                      dtype="Int64"),
        "mines": rng.choice([0, 1, 3], size),
    }, index=rng.permutation(size) + 1000)
    return frame[list(columns)]


@pytest.mark.parametrize("name_dtype", [object, "string"])
@pytest.mark.parametrize("people_dtype", ["Int64", "float64"])
@pytest.mark.parametrize("columns", [("place", "name", "actor", "people", "mines"),
                                     ("place", "name")])
def test_ranks_are_those_the_sorted_frame_gave(name_dtype, people_dtype,
                                               columns) -> None:
    """Every row gets the rank the sorted frame gave it, ties, missing names and
    figures, missing columns and changed places included."""
    for seed in range(5):
        places = _places(seed, name_dtype=name_dtype, people_dtype=people_dtype,
                         columns=columns)
        changed = set(places["place"].iloc[::9])
        expected = _ranks_by_frame(places, changed)
        ranks = rank_labels(places, changed=changed)
        assert ranks.index.equals(places.index)
        assert ranks.dtype == expected.dtype
        assert ranks.tolist() == expected.tolist()
    assert places["name"].isna().any()
    assert places["place"].duplicated().any()
