"""The one style table: colours, fills, line styles and sizes of every drawn thing.

The web map, the print map and the GIS styles (QGIS QML/SLD) all draw from this
table, so a contested town looks the same wherever it is read. Actor colours live
with the actors (:mod:`geomap.actors`); this module adds everything else and the way
each confidence is drawn. Doubt is carried by pattern and line style as well as by
colour, so it survives greyscale printing and colour-vision deficiencies.
"""

from __future__ import annotations

from dataclasses import dataclass

from geomap.actors import CONTESTED_COLOR, NO_DATA_COLOR

CHANGED_RING_COLOR = "#56c27e"
"""Ring around a place that changed hands since the comparison date."""
CHANGED_RING_CASING = "#1a1a1a"
"""Thin dark casing under the ring, so it shows in greyscale."""
DISPLACEMENT_COLOR = "#b25fe5"
"""Fill of displacement circles and of the density overlay's middle shade."""
DISPLACEMENT_EDGE = "#5b2a80"
MINE_COLOR = "#faec1d"
"""Mining sites and their clusters: a colour no actor uses."""
MINE_EDGE = "#111111"
OUTLINE_COLOR = "#333333"
"""Admin outlines and the default dark edge of symbols."""
LAND_COLOR = "#f7f6f1"
"""DR Congo land outside the admin areas loaded (base map)."""
NEIGHBOUR_COLOR = "#dedbd0"
"""Neighbouring countries (Rwanda, Uganda, Burundi, Tanzania): darker than the DRC."""
WATER_COLOR = "#a9c9e2"
"""Lakes: a blue whose greyscale (L* 79) stays apart from land (L* 97) and areas."""
WATER_EDGE = "#5f8fb4"
WATER_TEXT = "#2a5a80"
"""Lake names, italic."""
BORDER_COLOR = "#4d4d4d"
"""International borders, dash-dotted."""
COUNTRY_TEXT = "#5e5e5e"
"""Country names, spaced capitals."""
INSET_FRAME_COLOR = "#111111"
"""Frame of the Goma-Bukavu inset, on the main map and around the inset."""
LOCATOR_FRAME_COLOR = "#c0392b"
"""The frame of this map's area on the locator."""
HOLLOW_FILL = "#ffffff"
"""Inside of a town marker drawn hollow (a confidence with no fill: claimed), on the
web map, the print map and in the GIS styles; its edge is the holder's colour."""
HALO_COLOR = "#ffffff"
"""Halo behind map labels."""
TEXT_COLOR = "#111111"
"""Town labels and print-map text."""
MUTED_TEXT_COLOR = "#555555"
"""Area names, captions and notes."""
LEADER_COLOR = "#666666"
"""Leader lines from a label to its dot."""
PEOPLE_SHADES = ("#efedf5", "#bcbddc", "#9e9ac8", "#6a51a3")
"""Choropleth classes of people displaced per territory, lightest first."""


@dataclass(frozen=True)
class Confidence:
    """How one level of confidence is drawn, the same on web, print and GIS."""

    fill_alpha: float
    """Opacity of the actor-coloured fill (0 for a hollow fill)."""
    dash: tuple[float, ...] | None
    """Outline dash pattern in points (None: solid)."""
    hatch: str | None
    """matplotlib hatch for polygons ('//' diagonal, 'xx' crosshatch)."""
    outline: str
    """'actor' to draw the outline in the actor's colour, else a colour."""
    label: str
    """Legend wording."""


CONFIDENCE_STYLES = {
    "assessed": Confidence(fill_alpha=0.55, dash=None, hatch=None,
                           outline=OUTLINE_COLOR, label="Assessed control"),
    "claimed": Confidence(fill_alpha=0.0, dash=(6, 3), hatch="//", outline="actor",
                          label="Claimed, not confirmed"),
    "contested": Confidence(fill_alpha=0.35, dash=(1, 2), hatch="xx",
                            outline=OUTLINE_COLOR, label="Contested (fighting reported)"),
}
"""Fill, hatch and outline per confidence value (see :data:`geomap.schema.CONFIDENCE`)."""

CONTESTED_FILL = CONTESTED_COLOR
NO_RECORD_FILL = NO_DATA_COLOR

TOWN_RADIUS = 7
"""Radius in pixels (web) of a town marker; print scales it to points."""

# Sizes of the print map's symbols, which the GIS styles convert to millimetres.
CIRCLE_SCALE = 0.8
"""Print radius in points = web radius in pixels times this."""
TOWN_SIZE = 34
"""Marker area of a town dot, in points squared."""
TOWN_EDGE = 1.1
"""Edge of a held town's dot, in points (dark; dashed or dotted as its confidence)."""
NO_RECORD_TOWN_EDGE = 0.8
"""Edge of the dot of a town with no control record, in points."""
CLAIMED_TOWN_EDGE = 1.5
"""Edge of a claimed town's hollow dot, in points, in the holder's colour."""
RING_SIZE = 12.5
"""Diameter of a changed-hands ring around a town, in points."""
RING_STROKES = ((CHANGED_RING_CASING, 2.6), (CHANGED_RING_COLOR, 1.5))
"""The ring's dark casing, then the ring: (colour, line width in points)."""
PEOPLE_STYLE = {"color": DISPLACEMENT_COLOR, "alpha": 0.4, "edgecolors": DISPLACEMENT_EDGE,
                "linewidths": 0.8}
"""matplotlib style of a displacement circle (the GIS styles take its opacity and edge)."""
HOME_ISO3 = "COD"
"""The country drawn lighter than its neighbours on every base map."""


def circle_radius(people: float, max_people: float) -> float:
    """Pixel radius of a displacement circle; its area grows with the count."""
    return 4 + 26 * (people / max_people) ** 0.5 if max_people > 0 else 4
