"""Conservation of people: read = mapped + rejected, and why a whole layer was refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geomap.layers import PeopleCount
from geomap.schema import ROW


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


def count_people(counts: pd.DataFrame, mapped: pd.DataFrame, rejects: pd.DataFrame
                 ) -> PeopleCount:
    """Count people read, mapped and rejected, each from its own rows.

    Parameters
    ----------
    counts : DataFrame
        ``_row`` and ``people``, each row's usable count (0 where unusable), for
        every row read (:func:`~geomap.validate.checks.usable_people`).
    mapped : DataFrame
        The displacement rows that reached a place.
    rejects : DataFrame
        Every reject of the build.
    """
    people = counts["people"]
    rejected_rows = set(rejects.loc[(rejects["layer"] == "displacement")
                                    & (rejects["action"] == "rejected"), "row"])
    is_rejected = counts[ROW].isin(rejected_rows)
    return PeopleCount(read=int(people.sum()), mapped=int(mapped["people"].sum()),
                       rejected=int(people[is_rejected].sum()), rows_read=len(counts),
                       rows_rejected=int(is_rejected.sum()), rows_mapped=len(mapped))
