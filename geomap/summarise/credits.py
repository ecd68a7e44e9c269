"""Who to credit: the distinct sources of the layers and one short credit per layer."""

from __future__ import annotations

import pandas as pd

MAP_SOURCES = 20
"""Sources listed by name on the map; the others are counted in one last line."""

CITED = ("source", "url", "license")
"""What one citation is made of; a missing url or licence reads ''."""

Citations = dict[tuple[object, object, object], int]
"""Rows citing each distinct (source, url, licence), in order of first citation."""


def citations(clean: dict[str, pd.DataFrame]) -> dict[str, Citations]:
    """Rows citing each distinct (source, url, licence), per layer that has sources:
    counted once for :func:`list_sources` and :func:`credit_lines`.

    The layers hold from a few to a few thousand rows (displacement is reduced to
    figures by then), so the rows are counted in a plain loop: a pandas grouping
    per layer cost more than the counting itself.
    """
    return {layer: _rows_per(frame) for layer, frame in clean.items()
            if "source" in frame.columns}


def list_sources(clean: dict[str, pd.DataFrame], *, limit: int = MAP_SOURCES,
                 counts: dict[str, Citations] | None = None
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
    table: Citations = {}
    for layer, frame in clean.items():
        if {"source", "url"} <= set(frame.columns):
            for cited, rows in counts[layer].items():
                table[cited] = table.get(cited, 0) + rows
    more = len(table) - limit
    listed = list(table)
    if more > 0:  # the most cited first, ties by name
        listed = sorted(listed, key=lambda cited: (-table[cited], cited))[:limit]
    return sorted(listed), max(more, 0)


def _rows_per(frame: pd.DataFrame) -> Citations:
    """Rows citing each distinct (source, url, licence), sources given.

    A displacement layer reduced to figures counts the ``records`` behind each; any
    other layer counts its rows. A missing url or licence reads ''.
    """
    columns = []
    for name in CITED:
        values = frame[name] if name in frame.columns else None
        if values is None:
            columns.append([""] * len(frame))
            continue
        missing = values.isna().to_numpy()
        columns.append([None if gone else value for value, gone
                        in zip(values.tolist(), missing.tolist(), strict=True)]
                       if name == "source" else
                       ["" if gone else value for value, gone
                        in zip(values.tolist(), missing.tolist(), strict=True)])
    rows = (frame["records"].fillna(0).tolist() if "records" in frame
            else [1] * len(frame))
    counted: Citations = {}
    for source, url, license_, many in zip(*columns, rows, strict=True):
        if source is not None:
            key = (source, url, license_)
            counted[key] = counted.get(key, 0) + many
    return counted


CREDITS = {
    "admin": "admin areas", "towns": "towns", "mines": "mining sites",
    "control": "control", "displacement": "displacement",
    "conflict_events": "conflict events (counts)",
}


def _publishers(sources: list[object]) -> dict[object, str]:
    """The publisher each source names: 'Source: "IOM DTM, round 3"' -> 'IOM DTM'.

    One pass over every layer's distinct sources at once, with pandas' string rules.
    """
    unique = list(dict.fromkeys(sources))
    named_as = pd.Index(unique, dtype=object).astype(str).str.replace(
        r"^\s*source\s*:\s*[\"\u201c]?", "", case=False, regex=True)
    publisher = named_as.str.split(r"[,(]", regex=True).str[0].str.strip()
    return dict(zip(unique, publisher.tolist(), strict=True))


def credit_lines(clean: dict[str, pd.DataFrame], fallback: dict[str, str], *,
                 counts: dict[str, Citations] | None = None) -> list[str]:
    """One short credit per layer for the map's attribution line (*counts*: the
    layers' :func:`citations`, when already counted).

    Each credit names the two publishers cited by the most rows (ties by name) and
    counts the others.
    """
    cited = citations(clean) if counts is None else counts
    layers = [layer for layer in CREDITS if clean.get(layer) is not None
              and not (layer == "conflict_events" and clean[layer].empty)]
    publishers = _publishers([source for layer in layers if "source" in clean[layer]
                              for source, _, _ in cited[layer]])
    credits = []
    for layer in layers:
        totals: dict[str, int] = {}
        if "source" in clean[layer]:
            for (source, _, _), rows in cited[layer].items():
                publisher = publishers[source]
                totals[publisher] = totals.get(publisher, 0) + rows
        ranked = sorted(sorted(totals), key=lambda name: -totals[name])  # stable
        top = ranked[:2]
        others = len(ranked) - len(top)
        named = ", ".join(top) + (f" +{others} more" if others > 0 else "")
        credits.append(f"{CREDITS[layer]}: {named or fallback[layer]}")
    return credits
