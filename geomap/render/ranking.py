"""Which place is named first, and where inside a shape: the same for both maps.

Both maps name places in this order and leave out, where names would overlap, the
ones that come later: the places that changed hands, then the provincial capitals,
then places with a control record, the most displaced, those with the most mining
sites, and the rest by name. A name inside a shape (a lake, a country) is tried at
the same spots on both (:func:`inner_spots`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from shapely.geometry import LineString

from geomap.provinces import CAPITALS
from geomap.text import squash


def rank_labels(places: pd.DataFrame, *, changed: set | frozenset = frozenset()
                ) -> pd.Series:
    """The order in which the names of *places* are placed, 0 first.

    Parameters
    ----------
    places : DataFrame
        Places with ``place`` and ``name``, and where known the summary columns
        ``actor`` (holder on the map's date), ``people`` and ``mines``
        (see :func:`geomap.summarise.areas.attach_summary`).
    changed : set of str
        Places that changed hands: named before all others.

    Returns
    -------
    Series of int
        A rank for each row (same index), every rank different; the same places
        always get the same ranks.

    Examples
    --------
    >>> frame = pd.DataFrame({"place": ["a", "b", "c"], "name": ["Zed", "Goma", "Abc"]})
    >>> rank_labels(frame, changed={"a"}).tolist()
    [0, 1, 2]
    """
    def column(name: str) -> pd.Series:
        return places[name] if name in places else pd.Series(pd.NA, index=places.index)

    keys = (~places["place"].isin(set(changed)),
            ~places["name"].map(squash).isin(CAPITALS),
            column("actor").isna(),
            -pd.to_numeric(column("people"), errors="coerce").fillna(0),
            -pd.to_numeric(column("mines"), errors="coerce").fillna(0),
            places["name"].astype(str),
            places["place"].astype(str))
    rows = list(zip(*(_sortable(key) for key in keys), strict=True))
    order = np.array(sorted(range(len(rows)), key=rows.__getitem__), dtype=np.int64)
    ranks = order.argsort(kind="stable")
    return pd.Series(ranks, index=places.index)


def _sortable(key: pd.Series) -> list[tuple[bool, object]]:
    """Each value of *key* as (missing, value): sorted in a stable sort of these
    tuples, the rows come in the order a stable ``sort_values`` of the keys gives
    (missing values last), without building and sorting a frame of a few dozen
    rows (which took most of the time)."""
    return [(True, 0) if missing else (False, value)
            for missing, value in zip(key.isna().to_numpy(), key.tolist(), strict=True)]


def inner_spots(shape) -> list[tuple[float, float]]:
    """Candidate points for a name inside *shape*: its representative point, then
    the middles of its widest parts at five heights (long shapes have room)."""
    return list(iter_inner_spots(shape))


def iter_inner_spots(shape) -> Iterator[tuple[float, float]]:
    """The points of :func:`inner_spots`, in order, each computed when asked for: a
    name placed at the first spot where it fits cuts the shape no further."""
    point = shape.representative_point()
    yield (point.x, point.y)
    minx, miny, maxx, maxy = shape.bounds
    for share in (0.5, 0.3, 0.7, 0.15, 0.85):
        y = miny + share * (maxy - miny)
        cut = shape.intersection(LineString([(minx - 1, y), (maxx + 1, y)]))
        parts = getattr(cut, "geoms", [cut])
        widest = max(parts, key=lambda part: part.length, default=None)
        if widest is not None and not widest.is_empty:
            middle = widest.interpolate(0.5, normalized=True)
            yield (middle.x, middle.y)
