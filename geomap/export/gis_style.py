"""The map styles as the GIS styles need them: colours, doubt, sizes in millimetres.

Everything here is read from the styles the web and print maps draw with (actor
colours from :mod:`geomap.schema`, fill opacity by confidence and the symbols of
people displaced and mining sites from the print map, dash patterns from the web
map), so QGIS shows the same map; this module only converts units and names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geomap.render.print.figure import CIRCLE_SCALE, FILL_ALPHA
from geomap.render.print.parts import MINE_STYLE, PEOPLE_STYLE
from geomap.render.web.script import circle_radius
from geomap.schema import (
    ACTORS,
    CONTESTED,
    CONTESTED_COLOR,
    NO_DATA_COLOR,
    actor_for,
)

PT_MM = 25.4 / 72
"""Millimetres per typographic point (matplotlib line widths and sizes are points)."""
DASH = {"claimed": "dash", "contested": "dot"}
"""QGIS pen style of an outline by confidence (the web map's '4 4' and '2 4')."""
OUTLINE = "#333333"
"""Admin boundary colour (print map)."""
BASE_FILL = "#f4f4f2"
"""Fill of admin areas under the control colours (print map)."""
TOWN_OUTLINE = "#222222"
TOWN_MM = 2.4
"""Diameter of a town dot, mm (the print map's 34 pt² marker)."""
LABEL_FONT = "Arial"
NO_RECORD = "No control record"
CONTESTED_LABEL = "Contested (claims by more than one actor)"
DOUBT_NOTE = ("Dashed outline, light fill, hollow town: claimed, not confirmed. "
              "Dotted outline: contested.")


@dataclass(frozen=True)
class Category:
    """One holder in a legend: its id ('' for no record), label and colour."""

    value: str
    label: str
    colour: str


def holder_categories(actors: Iterable[object]) -> list[Category]:
    """Every known actor, then unknown ones in the data, contested, and no record.

    Parameters
    ----------
    actors : iterable
        Actor ids found in the data (missing values are ignored).

    Returns
    -------
    list of Category
        In legend order; colours as on the web and print maps.
    """
    found = {a for a in actors if isinstance(a, str) and a}
    unknown = sorted(found - set(ACTORS) - {CONTESTED})
    rows = [Category(a.id, a.label, a.color) for a in ACTORS.values()]
    rows += [Category(a, actor_for(a).label, actor_for(a).color) for a in unknown]
    rows.append(Category(CONTESTED, CONTESTED_LABEL, CONTESTED_COLOR))
    rows.append(Category("", NO_RECORD, NO_DATA_COLOR))
    return rows


def fill_alpha(confidence: str) -> float:
    """Fill opacity of a control area by confidence (print and web maps)."""
    return FILL_ALPHA.get(confidence, FILL_ALPHA["assessed"])


@dataclass(frozen=True)
class PeopleClass:
    """One class of the displacement symbols: bounds, label and circle diameter."""

    lower: int
    upper: int
    label: str
    diameter_mm: float


def people_classes(top: float) -> list[PeopleClass]:
    """Classes of people displaced up to *top*, as the print legend's three circles.

    The upper bounds are the print legend's sizes (top, a quarter, a sixteenth);
    each class is drawn with the print map's circle of its upper bound. A figure of
    0 falls in no class and is not drawn (as on the web and print maps).
    """
    uppers = sorted({s for s in (int(top) // 16, int(top) // 4, int(top)) if s > 0})
    classes, lower = [], 1
    for upper in uppers:
        label = f"up to {upper:,}" if lower == 1 else f"{lower:,} to {upper:,}"
        radius_pt = CIRCLE_SCALE * circle_radius(upper, top)
        classes.append(PeopleClass(lower, upper, label, round(2 * radius_pt * PT_MM, 2)))
        lower = upper + 1
    return classes


PEOPLE_FILL = str(PEOPLE_STYLE["color"])
PEOPLE_ALPHA = float(PEOPLE_STYLE["alpha"])
PEOPLE_STROKE = str(PEOPLE_STYLE["edgecolors"])
PEOPLE_STROKE_MM = round(float(PEOPLE_STYLE["linewidths"]) * PT_MM, 2)
MINE_FILL = str(MINE_STYLE["color"])
MINE_STROKE = str(MINE_STYLE["edgecolors"])
MINE_STROKE_MM = round(float(MINE_STYLE["linewidths"]) * PT_MM, 2)
MINE_MM = 2.2
"""Size of a mining-site diamond, mm (the print map's 16 pt² marker)."""
