"""Leaflet path options of every drawn thing, from the one style table.

The page sets these options as they are (``layer.setStyle``): every style names all
of :data:`KEYS`, so that going from one day's style to another's leaves nothing of
the first behind.
"""

from __future__ import annotations

from geomap.actors import CONTESTED, controller_color
from geomap.render.style import (
    BORDER_COLOR,
    CHANGED_RING_COLOR,
    CONFIDENCE_STYLES,
    DISPLACEMENT_COLOR,
    DISPLACEMENT_EDGE,
    HOLLOW_FILL,
    LAND_COLOR,
    MINE_COLOR,
    MINE_EDGE,
    NEIGHBOUR_COLOR,
    OUTLINE_COLOR,
    PEOPLE_SHADES,
    TOWN_RADIUS,
    WATER_COLOR,
    WATER_EDGE,
    Confidence,
    circle_radius,
)

KEYS = ("stroke", "color", "weight", "opacity", "dashArray", "fill", "fillColor",
        "fillOpacity")
"""Options every style sets (circle markers add ``radius``)."""
HIDDEN = {"stroke": False, "color": OUTLINE_COLOR, "weight": 0, "opacity": 0,
          "dashArray": None, "fill": False, "fillColor": OUTLINE_COLOR,
          "fillOpacity": 0}
"""Nothing drawn and nothing to click: an area with no record on that day."""


def _path(color: str, weight: float, *, dash: tuple[float, ...] | None = None,
          fill: str | None = None, fill_opacity: float = 0.0) -> dict:
    """A complete set of path options."""
    return {"stroke": True, "color": color, "weight": weight, "opacity": 1,
            "dashArray": " ".join(f"{d:g}" for d in dash) if dash else None,
            "fill": fill is not None, "fillColor": fill or color,
            "fillOpacity": fill_opacity if fill is not None else 0}


def _confidence(actor: object, confidence: object) -> Confidence:
    """How a holder's record is drawn (contested when several actors hold it)."""
    if actor == CONTESTED:
        return CONFIDENCE_STYLES["contested"]
    return CONFIDENCE_STYLES.get(str(confidence), CONFIDENCE_STYLES["assessed"])


def _outline(drawn: Confidence, color: str) -> str:
    """The outline colour of a confidence: the holder's, or a fixed one."""
    return color if drawn.outline == "actor" else drawn.outline


def area_style(actor: object, confidence: object) -> dict:
    """An area held on a day: filled in its holder's colour as its confidence says.

    Examples
    --------
    >>> area_style("m23", "claimed")["fillOpacity"], area_style(None, None) == HIDDEN
    (0, True)
    """
    if not isinstance(actor, str):
        return dict(HIDDEN)
    drawn = _confidence(actor, confidence)
    color = controller_color(actor)
    return _path(_outline(drawn, color), 2, dash=drawn.dash, fill=color,
                 fill_opacity=drawn.fill_alpha)


def town_style(actor: object, confidence: object) -> dict:
    """A town marker on a day: its holder's colour, hollow when claimed; grey when no record."""
    if not isinstance(actor, str):
        return {**_path(OUTLINE_COLOR, 1, fill=controller_color(None),
                        fill_opacity=0.95), "radius": TOWN_RADIUS}
    drawn = _confidence(actor, confidence)
    color = controller_color(actor)
    fill = HOLLOW_FILL if drawn.fill_alpha == 0 else color
    return {**_path(_outline(drawn, color), 2.5, dash=drawn.dash, fill=fill,
                    fill_opacity=0.95), "radius": TOWN_RADIUS}


def people_circle_style(people: float, top: float) -> dict:
    """A circle of people displaced, its area growing with the figure."""
    return {**_path(DISPLACEMENT_EDGE, 1, fill=DISPLACEMENT_COLOR, fill_opacity=0.45),
            "radius": round(circle_radius(people, top), 2)}


def people_shade(people: float, breaks: list[int]) -> str | None:
    """The shade of the first class whose upper bound holds *people*."""
    for shade, bound in zip(PEOPLE_SHADES[-len(breaks):], breaks, strict=False):
        if people <= bound:
            return shade
    return None


def people_shade_style(shade: str) -> dict:
    """A territory shaded by its class of people displaced."""
    return _path(DISPLACEMENT_EDGE, 0.8, fill=shade, fill_opacity=0.75)


ADMIN_STYLE = _path(OUTLINE_COLOR, 1.5, fill=OUTLINE_COLOR, fill_opacity=0.02)
"""Admin outlines (a faint fill keeps the inside clickable)."""
MINE_STYLE = {**_path(MINE_EDGE, 1, fill=MINE_COLOR, fill_opacity=0.95), "radius": 5}
"""A mining site."""
CHANGED_STYLE = {**_path(CHANGED_RING_COLOR, 3), "radius": 11}
"""The ring around a place that changed hands."""
COUNTRY_STYLE = _path(BORDER_COLOR, 1, dash=(5, 2, 1, 2), fill=LAND_COLOR,
                      fill_opacity=1)
"""The DR Congo on the base map, its border dash-dotted as on the print map."""
NEIGHBOUR_STYLE = _path(BORDER_COLOR, 1, dash=(5, 2, 1, 2), fill=NEIGHBOUR_COLOR,
                        fill_opacity=1)
"""A neighbouring country: darker than the DR Congo."""
LAKE_STYLE = _path(WATER_EDGE, 0.5, fill=WATER_COLOR, fill_opacity=1)
"""A lake."""
