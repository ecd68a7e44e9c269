"""The map styles as the GIS styles need them: colours, doubt, sizes in millimetres.

Everything is read from the one style table (:mod:`geomap.render.style`) and the
actors' colours (:mod:`geomap.actors`), so QGIS draws what the web and print maps
draw: the same colours, the same fill, hatch and dash for each confidence, the same
displacement circles. This module only converts units (points and pixels to
millimetres, matplotlib hatches to line angles) and looks the legend words up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from geomap.actors import ACTORS, CONTESTED, CONTESTED_COLOR, NO_DATA_COLOR, actor_for
from geomap.render.style import (
    BORDER_COLOR,
    CIRCLE_SCALE,
    CLAIMED_TOWN_EDGE,
    CONFIDENCE_STYLES,
    COUNTRY_TEXT,
    DISPLACEMENT_COLOR,
    DISPLACEMENT_EDGE,
    HALO_COLOR,
    HOLLOW_FILL,
    HOME_ISO3,
    LAND_COLOR,
    MINE_COLOR,
    MINE_EDGE,
    NEIGHBOUR_COLOR,
    NO_RECORD_TOWN_EDGE,
    OUTLINE_COLOR,
    PEOPLE_STYLE,
    RING_SIZE,
    RING_STROKES,
    TOWN_EDGE,
    TOWN_SIZE,
    WATER_COLOR,
    WATER_EDGE,
    WATER_TEXT,
    circle_radius,
)
from geomap.words import actor_name, format_number, word

PT_MM = 25.4 / 72
"""Millimetres per typographic point."""
AREA_OUTLINE_MM = 0.5
"""Outline of a control area (the print map's 1.4 pt)."""
BOUNDARY_MM = 0.3
"""Admin boundary (the print map's 0.9 pt)."""
TOWN_MM = round(math.sqrt(TOWN_SIZE) * PT_MM, 2)
"""Diameter of a town dot (the print map's marker of TOWN_SIZE points squared)."""
NO_RECORD_TOWN_OUTLINE_MM = round(NO_RECORD_TOWN_EDGE * PT_MM, 2)
TOWN_OUTLINE_MM = round(TOWN_EDGE * PT_MM, 2)
CLAIMED_TOWN_OUTLINE_MM = round(CLAIMED_TOWN_EDGE * PT_MM, 2)
"""Town outlines of the print map (no record, held, claimed), in millimetres."""
HOLLOW = HOLLOW_FILL
"""Inside of a claimed town's dot."""
HALO = HALO_COLOR
"""Halo behind labels."""
MINE_MM = 2.2
"""Side of a mining-site diamond (the print map's 16 pt² marker)."""
MINE_OUTLINE_MM = 0.18
HATCH_MM = 4.0
"""Spacing of a single hatch stroke; '//' halves it, as matplotlib's density does."""
HATCH_ANGLES = {"/": (45,), "\\": (135,), "x": (45, 135), "-": (0,), "|": (90,),
                "+": (0, 90)}
"""Line angles of each matplotlib hatch character."""
LABEL_FONT = "Arial"
OUTLINE = OUTLINE_COLOR
NO_RECORD_FILL = NO_DATA_COLOR
PEOPLE_FILL = DISPLACEMENT_COLOR
PEOPLE_STROKE = DISPLACEMENT_EDGE
PEOPLE_ALPHA = float(PEOPLE_STYLE["alpha"])
PEOPLE_STROKE_MM = round(float(PEOPLE_STYLE["linewidths"]) * PT_MM, 2)
MINE_FILL = MINE_COLOR
MINE_STROKE = MINE_EDGE
RING_MM = round(RING_SIZE * PT_MM, 2)
"""Diameter of a changed-hands ring (the print map's, in points)."""
RINGS = tuple((colour, round(width * PT_MM, 2)) for colour, width in RING_STROKES)
"""The ring's casing, then the ring: (colour, width in mm)."""
HOME = HOME_ISO3
LAND = LAND_COLOR
NEIGHBOUR = NEIGHBOUR_COLOR
BORDER = BORDER_COLOR
BORDER_DASH_MM = tuple(round(d * PT_MM, 2) for d in (5, 2, 1, 2))
"""The print map's dash-dot international border (points, in mm)."""
COUNTRY_LABEL = COUNTRY_TEXT
WATER = WATER_COLOR
WATER_OUTLINE = WATER_EDGE
WATER_LABEL = WATER_TEXT


@dataclass(frozen=True)
class Doubt:
    """How one confidence value is drawn, in QGIS terms."""

    confidence: str
    fill_alpha: float
    dash_mm: tuple[float, ...] | None
    """Outline dash pattern (None: solid)."""
    hatch_angles: tuple[int, ...]
    hatch_mm: float
    outline: str | None
    """Outline colour; None for the actor's colour."""


def doubts() -> list[Doubt]:
    """Every confidence of the style table, assessed first."""
    found = []
    for name, style in CONFIDENCE_STYLES.items():
        hatch = style.hatch or ""
        angles = tuple(sorted({a for char in hatch for a in HATCH_ANGLES.get(char, ())}))
        found.append(Doubt(
            name, style.fill_alpha,
            tuple(round(d * PT_MM, 2) for d in style.dash) if style.dash else None,
            angles, HATCH_MM / max(len(hatch) // max(len(set(hatch)), 1), 1),
            None if style.outline == "actor" else style.outline))
    return found


@dataclass(frozen=True)
class Category:
    """One holder in a legend: its id ('' for no record), label and colour."""

    value: str
    label: str
    colour: str


def holder_categories(actors: Iterable[object], lang: str = "en") -> list[Category]:
    """Every known actor, then unknown ones in the data, contested, and no record.

    Parameters
    ----------
    actors : iterable
        Actor ids found in the data (missing values are ignored).
    lang : str
        Language of the labels.

    Returns
    -------
    list of Category
        In legend order; colours as on the web and print maps.
    """
    found = {a for a in actors if isinstance(a, str) and a}
    unknown = sorted(found - set(ACTORS) - {CONTESTED})
    rows = [Category(a, actor_name(a, lang) or a, actor_for(a).color)
            for a in [*ACTORS, *unknown]]
    rows.append(Category(CONTESTED, word("contested_print", lang), CONTESTED_COLOR))
    rows.append(Category("", word("no_control_record", lang), NO_RECORD_FILL))
    return rows


@dataclass(frozen=True)
class PeopleClass:
    """One class of the displacement symbols: bounds, label and circle diameter."""

    lower: int
    upper: int
    label: str
    diameter_mm: float


def people_classes(top: float, lang: str = "en") -> list[PeopleClass]:
    """Classes of people displaced up to *top*, as the print legend's three circles.

    The upper bounds are the print legend's sizes (top, a quarter, a sixteenth);
    each class is drawn with the print map's circle of its upper bound. A figure of
    0 falls in no class and is not drawn (as on the web and print maps).
    """
    uppers = sorted({s for s in (int(top) // 16, int(top) // 4, int(top)) if s > 0})
    classes, lower = [], 1
    for upper in uppers:
        low, high = format_number(lower, lang), format_number(upper, lang)
        label = f"≤ {high}" if lower == 1 else f"{low} – {high}"
        radius_pt = CIRCLE_SCALE * circle_radius(upper, top)
        classes.append(PeopleClass(lower, upper, label, round(2 * radius_pt * PT_MM, 2)))
        lower = upper + 1
    return classes
