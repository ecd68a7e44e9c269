"""Who to credit: the distinct sources of the layers and one short credit per layer."""

from __future__ import annotations

import pandas as pd

MAP_SOURCES = 20
"""Sources listed by name on the map; the others are counted in one last line."""


def citations(clean: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """Rows citing each distinct (source, url, licence), per layer that has sources:
    counted once for :func:`list_sources` and :func:`credit_lines`."""
    return {layer: _rows_per(frame) for layer, frame in clean.items()
            if "source" in frame.columns}


def list_sources(clean: dict[str, pd.DataFrame], *, limit: int = MAP_SOURCES,
                 counts: dict[str, pd.Series] | None = None
                 ) -> tuple[list[tuple[str, str, str]], int]:
    """Distinct (source, url, licence) cited by the layers, for the map's sources list.

    Past *limit* sources (a registration file may name a different office on every
    row), the *limit* cited by the most rows are listed and the others only counted
    (the map says "and N more"); the GIS layers and the report's sources table keep
    every one. So the map's size does not grow with the number of sources.

    Returns
    -------
    list of (str, str, str)
        At most *limit* sources, sorted by source.
    int
        How many more sources the layers cite (0 when every one is listed).
    """
    counts = citations(clean) if counts is None else counts
    parts = [counts[layer].reset_index() for layer, frame in clean.items()
             if {"source", "url"} <= set(frame.columns)]
    if not parts:
        return [], 0
    table = pd.concat(parts).groupby(["source", "url", "license"], as_index=False,
                                     sort=False)["rows"].sum()
    more = len(table) - limit
    if more > 0:
        table = table.sort_values(["rows", "source", "url", "license"],
                                  ascending=[False, True, True, True]).head(limit)
    table = table.sort_values(["source", "url", "license"])
    listed = list(zip(table["source"], table["url"], table["license"], strict=True))
    return listed, max(more, 0)


def _rows_per(frame: pd.DataFrame) -> pd.Series:
    """Rows citing each distinct (source, url, licence), sources given.

    A displacement layer reduced to figures counts the ``records`` behind each; any
    other layer counts its rows. Each distinct citation is handled once, whatever
    the rows.
    """
    keys = frame.reindex(columns=["source", "url", "license"])
    rows = frame["records"] if "records" in frame else pd.Series(1, index=frame.index)
    keys = keys.assign(rows=rows.to_numpy()).dropna(subset=["source"])
    keys[["source", "url", "license"]] = keys[["source", "url", "license"]].astype(
        object).fillna("")
    return keys.groupby(["source", "url", "license"], sort=False)["rows"].sum()


CREDITS = {
    "admin": "admin areas", "towns": "towns", "mines": "mining sites",
    "control": "control", "displacement": "displacement",
    "conflict_events": "conflict events (counts)",
}


def credit_lines(clean: dict[str, pd.DataFrame], fallback: dict[str, str], *,
                 counts: dict[str, pd.Series] | None = None) -> list[str]:
    """One short credit per layer for the map's attribution line (*counts*: the
    layers' :func:`citations`, when already counted)."""
    cited = citations(clean) if counts is None else counts
    credits = []
    for layer, label in CREDITS.items():
        frame = clean.get(layer)
        if frame is None or (layer == "conflict_events" and frame.empty):
            continue  # an optional input nobody gave
        counts = (cited[layer].droplevel(["url", "license"]) if "source" in frame
                  else pd.Series([], dtype=object))
        named_as = counts.index.astype(str).str.replace(  # 'Source: "IOM ..."' -> IOM
            r"^\s*source\s*:\s*[\"\u201c]?", "", case=False, regex=True)
        publisher = named_as.str.split(r"[,(]", regex=True).str[0]
        by_publisher = counts.groupby(publisher.str.strip().to_numpy()).sum()
        by_publisher = by_publisher.sort_values(ascending=False, kind="stable")
        top = by_publisher.index[:2].tolist()
        others = len(by_publisher) - len(top)
        named = ", ".join(top) + (f" +{others} more" if others > 0 else "")
        credits.append(f"{label}: {named or fallback[layer]}")
    return credits
