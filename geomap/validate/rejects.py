"""The rejects table: every row a layer's checks refused or repaired, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.schema import ROW

REJECT_COLUMNS = ("layer", "row", "column", "value", "action", "reason")
"""Columns of a rejects table, as written to ``rejects.csv``."""


class Rejects:
    """Collects rejected (or repaired) rows of one layer as a table.

    Row numbers are the records' ``_row``: data rows counted from 1, the header not
    counted (row 1 is line 2 of a CSV).

    Examples
    --------
    >>> frame = pd.DataFrame({"people": ["5", "-1"], "_row": [1, 2]})
    >>> rejects = Rejects("displacement")
    >>> rejects.add(frame, frame["people"] == "-1", "people", "negative count")
    >>> rejects.table()[["row", "column", "value"]].values.tolist()
    [[2, 'people', '-1']]
    """

    def __init__(self, layer: str) -> None:
        self.layer = layer
        self._parts: list[pd.DataFrame] = []

    def add(self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, column: str,
            reason: str | pd.Series, *, action: str = "rejected") -> None:
        """Record every row of *frame* where *mask* holds, with one reason.

        *mask* (and *reason*, when a Series) is aligned on *frame*'s index; a plain
        boolean array is taken row by row.
        """
        if isinstance(mask, np.ndarray):
            hit = np.flatnonzero(mask)
        elif mask.index.equals(frame.index):
            hit = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        else:  # another index: aligned on it
            mask = mask.reindex(frame.index).fillna(False).astype(bool)
            hit = np.flatnonzero(mask.to_numpy())
        if not len(hit):
            return
        if isinstance(reason, pd.Series) and not reason.index.equals(frame.index):
            reason = reason.reindex(frame.index)
        values = frame[column].iloc[hit] if column in frame else pd.Series(
            "", index=frame.index[hit])
        part = pd.DataFrame({
            "layer": self.layer,
            "row": frame[ROW].to_numpy()[hit],
            "column": column,
            "value": values.astype("string").fillna("").str.slice(0, 200).to_numpy(),
            "action": action,
            "reason": (reason.to_numpy()[hit] if isinstance(reason, pd.Series)
                       else reason),
        })
        self._parts.append(part)

    def table(self) -> pd.DataFrame:
        """Return every recorded row, in row order."""
        if not self._parts:
            return pd.DataFrame({name: pd.Series(dtype="object")
                                 for name in REJECT_COLUMNS})
        table = pd.concat(self._parts, ignore_index=True)
        return table.sort_values(["row", "column"], kind="stable", ignore_index=True)

    def rejected_rows(self) -> set[int]:
        """Row numbers that were rejected (repairs not counted)."""
        return set(self.rejected_array().tolist())

    def rejected_array(self) -> np.ndarray:
        """Row numbers that were rejected, as a sorted array without repeats."""
        rows = [part.loc[part["action"] == "rejected", "row"].to_numpy(dtype="int64")
                for part in self._parts]
        return np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype="int64")
