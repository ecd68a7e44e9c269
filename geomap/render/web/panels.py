"""What the boxes over the map say: title and dates, sources, legends.

These functions return plain values; ``templates/map.html.j2`` writes them (escaped).
"""

from __future__ import annotations

import pandas as pd

from geomap.actors import CONTESTED, CONTESTED_COLOR, NO_DATA_COLOR, controller_color
from geomap.render.markup import MapText, link_target
from geomap.render.style import (
    CHANGED_RING_COLOR,
    DISPLACEMENT_COLOR,
    DISPLACEMENT_EDGE,
    MINE_COLOR,
    MINE_EDGE,
    OUTLINE_COLOR,
    PEOPLE_SHADES,
    circle_radius,
)
from geomap.render.web.styles import HOLLOW_FILL
from geomap.words import actor_name

LEGEND_COLORS = {
    "contested": CONTESTED_COLOR, "none": NO_DATA_COLOR, "outline": OUTLINE_COLOR,
    "hollow": HOLLOW_FILL, "changed": CHANGED_RING_COLOR, "mine": MINE_COLOR,
    "mine_edge": MINE_EDGE, "people_fill": f"{DISPLACEMENT_COLOR}73",
    "people_edge": DISPLACEMENT_EDGE,
}
"""Colours of the legend's swatches, from the style table (people: 45 % opaque)."""


def sources_list(text: MapText) -> list[dict]:
    """Every source cited by the data: name, link (http(s) only) or URL text, licence."""
    return [{"name": name, "url": link_target(url),
             "url_text": "" if link_target(url) or not isinstance(url, str) else url,
             "licence": licence or ""}
            for name, url, licence in text.sources]


def legend_actors(timeline: pd.DataFrame, lang: str) -> list[dict]:
    """Each actor holding a place on any slider day, by id: its name and colour."""
    shown = sorted({a for a in timeline["actor"].dropna().unique() if a != CONTESTED})
    return [{"label": actor_name(a, lang), "color": controller_color(a)} for a in shown]


def shade_classes(breaks: list[int]) -> list[dict]:
    """Legend rows of the territory shading: colour, lowest and highest figure."""
    if not breaks:
        return []
    lows = [1, *(bound + 1 for bound in breaks[:-1])]
    return [{"color": shade, "low": low, "high": high} for shade, low, high
            in zip(PEOPLE_SHADES[-len(breaks):], lows, breaks, strict=True)]


def circle_sizes(top: float) -> list[dict]:
    """Legend rows of the displacement circles: the largest figure, a quarter, 1/16."""
    top = int(top)
    return [{"people": size, "diameter": f"{2 * circle_radius(size, top):.0f}"}
            for size in (top, top // 4, top // 16) if size > 0]
