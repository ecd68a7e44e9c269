"""Who to credit: the distinct sources of the layers and one short credit per layer."""

from __future__ import annotations

import pandas as pd


def list_sources(clean: dict[str, pd.DataFrame]) -> list[tuple[str, str, str]]:
    """Distinct (source, url, licence) cited by the layers, for the sources list."""
    parts = [frame.reindex(columns=["source", "url", "license"])
             .dropna(subset=["source"]).drop_duplicates()
             for frame in clean.values() if {"source", "url"} <= set(frame.columns)]
    if not parts:
        return []
    table = pd.concat(parts).astype(object).drop_duplicates().fillna("")
    table = table.sort_values(["source", "url", "license"])
    return list(zip(table["source"], table["url"], table["license"], strict=True))


CREDITS = {
    "admin": "admin areas", "towns": "towns", "mines": "mining sites",
    "control": "control", "displacement": "displacement",
    "conflict_events": "conflict events (counts)",
}


def credit_lines(clean: dict[str, pd.DataFrame], fallback: dict[str, str]) -> list[str]:
    """One short credit per layer for the map's attribution line."""
    credits = []
    for layer, label in CREDITS.items():
        frame = clean.get(layer)
        if frame is None or (layer == "conflict_events" and frame.empty):
            continue  # an optional input nobody gave
        sources = frame["source"] if "source" in frame else pd.Series([], dtype=object)
        counts = sources.value_counts()  # split each distinct source once, not each row
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
