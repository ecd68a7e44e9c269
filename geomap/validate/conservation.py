"""Conservation of people: read = mapped + rejected, and why a whole layer was refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geomap.layers import PeopleCount
from geomap.validate.rejects import rows_among


def all_rejected_message(layer: str, path: Path, rejected: pd.DataFrame) -> str:
    """Say why every row of a layer was rejected: the commonest reasons, with rows."""
    reasons = rejected.loc[rejected["action"] == "rejected"]
    top = reasons["reason"].value_counts().index[:2]
    parts = []
    for reason in top:
        rows = reasons.loc[reasons["reason"] == reason, "row"].astype(int).tolist()
        shown = ", ".join(map(str, rows[:3])) + (f" and {len(rows) - 3} more"
                                                 if len(rows) > 3 else "")
        parts.append(f"{reason} (rows {shown})")
    hint = (" Dates must be written YYYY-MM-DD (or YYYY-MM, YYYY)."
            if any("unparseable date" in reason for reason in top) else "")
    return (f"Every row of the {layer} file '{path.name}' was rejected: "
            f"{'; '.join(parts)}.{hint} Check it with 'geomap validate {path.name} "
            f"--layer {layer}'.")


def count_people(read: np.ndarray | pd.Series, rows: np.ndarray, dropped: np.ndarray,
                 mapped: np.ndarray) -> PeopleCount:
    """Count people read, mapped and rejected, each from its own rows.

    Parameters
    ----------
    read : array-like
        Each row's usable count (0 where unusable), for every row read
        (:func:`~geomap.validate.checks.usable_people`).
    rows : ndarray
        The number of each row read, in the same order.
    dropped : ndarray
        The numbers of the rows rejected.
    mapped : ndarray
        The counts of the rows that reached a place.

    Examples
    --------
    >>> count_people(np.array([5, 0, 7]), np.array([1, 2, 3]), np.array([2, 3]),
    ...              np.array([5]))
    PeopleCount(read=12, mapped=5, rejected=7, rows_read=3, rows_rejected=2, rows_mapped=1)
    """
    is_dropped = rows_among(rows, dropped)
    return PeopleCount(read=int(read.sum()), mapped=int(mapped.sum()),
                       rejected=int(read[is_dropped].sum()), rows_read=len(rows),
                       rows_rejected=int(is_dropped.sum()), rows_mapped=len(mapped))
