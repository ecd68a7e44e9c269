"""QGIS styles (QML) of geomap's layers, built as XML from the one style table.

Control areas and towns are coloured by holder; doubt is drawn from the
``confidence`` column as the style table says (:mod:`geomap.render.style`): claimed
areas hollow and hatched with a dashed outline in the actor's colour, contested ones
lighter, cross-hatched and dotted; claimed towns white with a thick edge in the
actor's colour, contested towns with a dotted edge, as on the print map. The legend
swatch shows an assessed place. People displaced are graduated circles, mining sites
diamonds, towns labelled by name. Data text only reaches the XML through
ElementTree (escaped), never through a template.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from geomap.export import gis_style as st
from geomap.export.qgis_symbols import (
    NONE,
    by_confidence,
    fill_layer,
    labeling,
    line_props,
    marker_layer,
    quoted,
    rgba,
    single,
    symbol,
    symbol_layer,
)
from geomap.export.xml_tree import sub, xml_string
from geomap.fields import Field

QML_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
QGIS_VERSION = "3.22.0-Białowieża"
"""The oldest QGIS the styles are checked with; newer releases read them."""
STYLES = ("areas", "towns", "record_areas", "record_places", "people", "mines",
          "boundaries", "changes", "countries", "lakes", "table")
"""The styles geomap writes, by the role of the layer."""


def _only(confidence: str, colour: str) -> str:
    """A colour for features of one confidence, transparent for the others.

    The symbol's static colour is transparent, so the legend swatch (which QGIS
    draws without a feature) shows an assessed place.
    """
    return f'CASE WHEN "confidence" = {quoted(confidence)} THEN {quoted(colour)} END'


def _hatches(colour: str, doubt: st.Doubt) -> list[ET.Element]:
    """Line-pattern fills drawing the hatch of one confidence."""
    line = line_props(colour, 0.25) | {"line_color": NONE}
    return [symbol_layer("LinePatternFill", {
        "angle": str(angle), "distance": f"{doubt.hatch_mm:g}", "distance_unit": "MM",
        "color": NONE, "line_width": "0.25", "line_width_unit": "MM", "offset": "0",
        "offset_unit": "MM"}, sub=symbol("line", f"@hatch@{angle}", [symbol_layer(
            "SimpleLine", line, {"outlineColor": _only(doubt.confidence, rgba(
                colour))})])) for angle in doubt.hatch_angles]


def area_symbol(name: str, category: st.Category) -> ET.Element:
    """A holder's area: fill, hatch and outline by confidence, as the style table says.

    Each confidence has its own hatch and outline layers, coloured only for features
    of that confidence; a place without one is drawn as assessed (so is the legend).
    """
    if not category.value:  # no record: the no-record fill under an admin outline
        return symbol("fill", name, [fill_layer(category.colour, 1, outline=st.OUTLINE,
                                           width_mm=st.BOUNDARY_MM)])
    doubts = st.doubts()
    fills = {d.confidence: rgba(category.colour, d.fill_alpha) for d in doubts[1:]}
    layers = [fill_layer(category.colour, doubts[0].fill_alpha,
                    expressions={"fillColor": by_confidence(fills)})]
    for doubt in doubts[1:]:
        layers += _hatches(doubt.outline or category.colour, doubt)
    sure = doubts[0]
    hidden = {d.confidence: NONE for d in doubts[1:]}
    layers.append(symbol_layer("SimpleLine", line_props(
        sure.outline or category.colour, st.AREA_OUTLINE_MM, sure.dash_mm),
        {"outlineColor": by_confidence(hidden)}))
    for doubt in doubts[1:]:
        colour = rgba(doubt.outline or category.colour)
        layers.append(symbol_layer("SimpleLine", line_props(
            doubt.outline or category.colour, st.AREA_OUTLINE_MM, doubt.dash_mm) | {
                "line_color": NONE}, {"outlineColor": _only(doubt.confidence, colour)}))
    return symbol("fill", name, layers)


def town_symbol(name: str, category: st.Category) -> ET.Element:
    """A holder's town as on the print map: a dot with a dark edge; claimed, white
    with a thick edge in the holder's colour; contested, with a dotted edge."""
    if not category.value:
        return symbol("marker", name, [marker_layer(
            "circle", st.TOWN_MM, category.colour, st.OUTLINE,
            st.NO_RECORD_TOWN_OUTLINE_MM)])
    doubts = st.doubts()
    hollow = {d.confidence: rgba(st.HOLLOW) for d in doubts if d.fill_alpha == 0}
    outline = {d.confidence: rgba(d.outline or category.colour) for d in doubts[1:]}
    width = {d.confidence: f"{st.CLAIMED_TOWN_OUTLINE_MM:g}" for d in doubts
             if d.outline is None}
    dotted = {d.confidence: "dot" for d in doubts if d.dash_mm and d.fill_alpha > 0}
    return symbol("marker", name, [marker_layer(
        "circle", st.TOWN_MM, category.colour, doubts[0].outline or category.colour,
        st.TOWN_OUTLINE_MM, expressions={
            "fillColor": by_confidence(hollow), "outlineColor": by_confidence(outline),
            "outlineWidth": by_confidence(width),
            "outlineStyle": by_confidence(dotted, "solid")})])


def holders(geometry: str, categories: Sequence[st.Category]) -> ET.Element:
    """A categorized renderer on ``actor``: one category per holder, then no record."""
    renderer = ET.Element("renderer-v2", {"type": "categorizedSymbol", "attr": "actor",
                                          "forceraster": "0", "symbollevels": "0",
                                          "enableorderby": "0", "referencescale": "-1"})
    found = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, category in enumerate(categories):
        sub(found, "category", symbol=str(index), value=category.value,
            label=category.label, render="true")
        draw = area_symbol if geometry == "polygon" else town_symbol
        symbols.append(draw(str(index), category))
    return renderer


def people(classes: Sequence[st.PeopleClass], field: str = "people") -> ET.Element:
    """Graduated circles on *field*, big ones under small ones; NULL is not drawn."""
    renderer = ET.Element("renderer-v2", {"type": "graduatedSymbol", "attr": field,
                                          "graduatedMethod": "GraduatedSize",
                                          "forceraster": "0", "symbollevels": "0",
                                          "enableorderby": "1", "referencescale": "-1"})
    ranges = ET.SubElement(renderer, "ranges")
    symbols = ET.SubElement(renderer, "symbols")
    for index, item in enumerate(classes):
        ET.SubElement(ranges, "range", {"symbol": str(index), "lower": str(item.lower),
                                        "upper": str(item.upper), "render": "true",
                                        "label": item.label})
        symbols.append(symbol("marker", str(index), [marker_layer(
            "circle", item.diameter_mm, st.PEOPLE_FILL, st.PEOPLE_STROKE,
            st.PEOPLE_STROKE_MM, alpha=st.PEOPLE_ALPHA)]))
    order = ET.SubElement(renderer, "orderby")
    clause = ET.SubElement(order, "orderByClause", {"asc": "0", "nullsFirst": "0"})
    clause.text = f'"{field}"'
    return renderer


def _rings() -> ET.Element:
    """Changed hands: the print map's ring with its dark casing under it."""
    return single(symbol("marker", "0", [marker_layer(
        "circle", st.RING_MM, colour, colour, width, alpha=0)
        for colour, width in st.RINGS]))


def _countries(lang: str) -> list[ET.Element]:
    """The DR Congo light, its neighbours darker, dash-dot borders, names."""
    fill = fill_layer(st.LAND, 1, expressions={"fillColor": (
        f'CASE WHEN "iso3" <> {quoted(st.HOME)} THEN {quoted(rgba(st.NEIGHBOUR))} '
        "END")})
    border = symbol_layer(  # the DR Congo's own edge is where the data was clipped
        "SimpleLine", line_props(st.BORDER, 0.35, st.BORDER_DASH_MM), {
            "outlineColor": f'CASE WHEN "iso3" = {quoted(st.HOME)} THEN '
                            f"{quoted(NONE)} END"})
    name = "name_fr" if lang == "fr" else "name"
    return [single(symbol("fill", "0", [fill, border])), labeling(
        f'CASE WHEN "iso3" <> {quoted(st.HOME)} THEN upper("{name}") END',
        font=st.LABEL_FONT, size=8, colour=rgba(st.COUNTRY_LABEL), expression=True,
        polygon=True)]


def _lakes(lang: str) -> list[ET.Element]:
    """Lakes in the print map's water colour, named in italics."""
    return [single(symbol("fill", "0", [fill_layer(
        st.WATER, 1, outline=st.WATER_OUTLINE, width_mm=0.18)])), labeling(
        "name_fr" if lang == "fr" else "name", font=st.LABEL_FONT, size=7,
        colour=rgba(st.WATER_LABEL), italic=True, polygon=True)]


def style_elements(role: str, *, categories: Sequence[st.Category] = (),
                   classes: Sequence[st.PeopleClass] = (),
                   lang: str = "en") -> list[ET.Element]:
    """The renderer (and labeling) of a layer of *role*, for a QML or a project.

    Parameters
    ----------
    role : str
        One of :data:`STYLES`.
    categories : sequence of Category
        Holders, for the control roles (:func:`gis_style.holder_categories`).
    classes : sequence of PeopleClass
        Classes of people displaced, for 'people' (:func:`gis_style.people_classes`).
    lang : str
        Language of the names labelled on countries and lakes.

    Returns
    -------
    list of Element
        Empty for 'table' (attribute tables have aliases only).
    """
    if role in ("areas", "record_areas"):
        return [holders("polygon", categories)]
    if role in ("towns", "record_places"):
        label = "name" if role == "towns" else "place_name"
        return [holders("point", categories), labeling(label, font=st.LABEL_FONT)]
    if role == "people":
        return [people(classes)]
    if role == "mines":
        return [single(symbol("marker", "0", [marker_layer(
            "diamond", st.MINE_MM, st.MINE_FILL, st.MINE_STROKE, st.MINE_OUTLINE_MM)]))]
    if role == "boundaries":
        return [single(symbol("fill", "0", [fill_layer(st.OUTLINE, 0, outline=st.OUTLINE,
                                                  width_mm=st.BOUNDARY_MM)]))]
    if role == "changes":
        return [_rings()]
    if role == "countries":
        return _countries(lang)
    if role == "lakes":
        return _lakes(lang)
    if role == "table":
        return []
    msg = f"Unknown style role {role!r}; expected one of {list(STYLES)}."
    raise ValueError(msg)


def aliases_element(docs: Mapping[str, Field]) -> ET.Element:
    """``<aliases>``: QGIS before 3.30 reads no aliases from ``gpkg_data_columns``."""
    element = ET.Element("aliases")
    for column, doc in docs.items():
        ET.SubElement(element, "alias", {"field": column, "name": doc.alias,
                                         "index": "-1"})
    return element


def qml(elements: Sequence[ET.Element], docs: Mapping[str, Field]) -> str:
    """A QML document with the renderer, labels and field aliases of one layer."""
    labelled = any(e.tag == "labeling" for e in elements)
    categories = ["Fields", *(["Symbology"] if elements else []),
                  *(["Labeling"] if labelled else [])]
    root = ET.Element("qgis", {"version": QGIS_VERSION,
                               "styleCategories": "|".join(categories),
                               "labelsEnabled": "1" if labelled else "0"})
    root.extend(elements)
    root.append(aliases_element(docs))
    ET.indent(root)
    return QML_DOCTYPE + xml_string(root) + "\n"
