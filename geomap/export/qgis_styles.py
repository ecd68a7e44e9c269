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
from geomap.fields import Field

QML_DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
QGIS_VERSION = "3.22.0-Białowieża"
"""The oldest QGIS the styles are checked with; newer releases read them."""
STYLES = ("areas", "towns", "record_areas", "record_places", "people", "mines",
          "boundaries", "table")
"""The styles geomap writes, by the role of the layer."""


def rgba(colour: str, alpha: float = 1.0) -> str:
    """QGIS colour text of a '#rrggbb' colour.

    Examples
    --------
    >>> rgba("#c0392b", 0.2)
    '192,57,43,51'
    """
    value = colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{round(alpha * 255)}"


NONE = "0,0,0,0"
"""A transparent colour."""


def _quoted(text: str) -> str:
    """A QGIS expression string literal."""
    return "'" + text.replace("'", "''") + "'"


def _by_confidence(values: Mapping[str, str], default: str | None = None) -> str:
    """A CASE expression on ``confidence`` (NULL where no value applies)."""
    whens = " ".join(f"WHEN \"confidence\" = {_quoted(k)} THEN {_quoted(v)}"
                     for k, v in values.items())
    tail = f" ELSE {_quoted(default)}" if default is not None else ""
    return f"CASE {whens}{tail} END"


def _data_defined(parent: ET.Element, expressions: Mapping[str, str]) -> None:
    """Append ``<data_defined_properties>`` with expression-based properties."""
    root = ET.SubElement(ET.SubElement(parent, "data_defined_properties"), "Option",
                         {"type": "Map"})
    ET.SubElement(root, "Option", {"name": "name", "type": "QString", "value": ""})
    props = ET.SubElement(root, "Option", {"name": "properties", "type": "Map"})
    for key, expression in expressions.items():
        prop = ET.SubElement(props, "Option", {"name": key, "type": "Map"})
        ET.SubElement(prop, "Option", {"name": "active", "type": "bool", "value": "true"})
        ET.SubElement(prop, "Option", {"name": "expression", "type": "QString",
                                       "value": expression})
        ET.SubElement(prop, "Option", {"name": "type", "type": "int", "value": "3"})
    ET.SubElement(root, "Option", {"name": "type", "type": "QString",
                                   "value": "collection"})


def symbol_layer(layer_class: str, props: Mapping[str, str],
                 expressions: Mapping[str, str] | None = None,
                 sub: ET.Element | None = None) -> ET.Element:
    """One ``<layer>`` of a symbol, with data-defined properties and a sub-symbol."""
    layer = ET.Element("layer", {"class": layer_class, "enabled": "1", "locked": "0",
                                 "pass": "0"})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    _data_defined(layer, expressions or {})
    if sub is not None:
        layer.append(sub)
    return layer


def symbol(kind: str, name: str, layers: Sequence[ET.Element]) -> ET.Element:
    """One ``<symbol>`` (*kind* marker, fill or line) drawing *layers* in order."""
    element = ET.Element("symbol", {"type": kind, "name": name, "alpha": "1",
                                    "clip_to_extent": "1", "force_rhr": "0"})
    _data_defined(element, {})
    element.extend(layers)
    return element


def _line(colour: str, width_mm: float, dash_mm: Sequence[float] | None = None
          ) -> dict[str, str]:
    """Properties of a simple line (solid, or with a custom dash in mm)."""
    return {"line_color": rgba(colour), "line_width": f"{width_mm:g}",
            "line_width_unit": "MM", "line_style": "solid", "capstyle": "flat",
            "joinstyle": "round", "use_custom_dash": "1" if dash_mm else "0",
            "customdash": ";".join(f"{d:g}" for d in dash_mm or (5, 2)),
            "customdash_unit": "MM"}


def _fill(colour: str, alpha: float, *, outline: str | None = None,
          width_mm: float = 0.0, expressions: Mapping[str, str] | None = None
          ) -> ET.Element:
    """A simple fill layer; no outline unless *outline* is given."""
    return symbol_layer("SimpleFill", {
        "color": rgba(colour, alpha), "style": "solid" if alpha > 0 else "no",
        "outline_color": rgba(outline or colour),
        "outline_style": "solid" if outline else "no",
        "outline_width": f"{width_mm:g}", "outline_width_unit": "MM",
        "joinstyle": "round"}, expressions)


def _only(confidence: str, colour: str) -> str:
    """A colour for features of one confidence, transparent for the others.

    The symbol's static colour is transparent, so the legend swatch (which QGIS
    draws without a feature) shows an assessed place.
    """
    return f'CASE WHEN "confidence" = {_quoted(confidence)} THEN {_quoted(colour)} END'


def _hatches(colour: str, doubt: st.Doubt) -> list[ET.Element]:
    """Line-pattern fills drawing the hatch of one confidence."""
    line = _line(colour, 0.25) | {"line_color": NONE}
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
        return symbol("fill", name, [_fill(category.colour, 1, outline=st.OUTLINE,
                                           width_mm=st.BOUNDARY_MM)])
    doubts = st.doubts()
    fills = {d.confidence: rgba(category.colour, d.fill_alpha) for d in doubts[1:]}
    layers = [_fill(category.colour, doubts[0].fill_alpha,
                    expressions={"fillColor": _by_confidence(fills)})]
    for doubt in doubts[1:]:
        layers += _hatches(doubt.outline or category.colour, doubt)
    sure = doubts[0]
    hidden = {d.confidence: NONE for d in doubts[1:]}
    layers.append(symbol_layer("SimpleLine", _line(
        sure.outline or category.colour, st.AREA_OUTLINE_MM, sure.dash_mm),
        {"outlineColor": _by_confidence(hidden)}))
    for doubt in doubts[1:]:
        colour = rgba(doubt.outline or category.colour)
        layers.append(symbol_layer("SimpleLine", _line(
            doubt.outline or category.colour, st.AREA_OUTLINE_MM, doubt.dash_mm) | {
                "line_color": NONE}, {"outlineColor": _only(doubt.confidence, colour)}))
    return symbol("fill", name, layers)


def _marker(shape: str, size_mm: float, fill: str, outline: str, width_mm: float, *,
            alpha: float = 1.0, expressions: Mapping[str, str] | None = None
            ) -> ET.Element:
    """A simple marker layer."""
    return symbol_layer("SimpleMarker", {
        "name": shape, "size": f"{size_mm:g}", "size_unit": "MM",
        "color": rgba(fill, alpha), "outline_color": rgba(outline),
        "outline_style": "solid", "outline_width": f"{width_mm:g}",
        "outline_width_unit": "MM", "scale_method": "diameter"}, expressions)


def town_symbol(name: str, category: st.Category) -> ET.Element:
    """A holder's town as on the print map: a dot with a dark edge; claimed, white
    with a thick edge in the holder's colour; contested, with a dotted edge."""
    if not category.value:
        return symbol("marker", name, [_marker(
            "circle", st.TOWN_MM, category.colour, st.OUTLINE,
            st.NO_RECORD_TOWN_OUTLINE_MM)])
    doubts = st.doubts()
    hollow = {d.confidence: "255,255,255,255" for d in doubts if d.fill_alpha == 0}
    outline = {d.confidence: rgba(d.outline or category.colour) for d in doubts[1:]}
    width = {d.confidence: f"{st.CLAIMED_TOWN_OUTLINE_MM:g}" for d in doubts
             if d.outline is None}
    dotted = {d.confidence: "dot" for d in doubts if d.dash_mm and d.fill_alpha > 0}
    return symbol("marker", name, [_marker(
        "circle", st.TOWN_MM, category.colour, doubts[0].outline or category.colour,
        st.TOWN_OUTLINE_MM, expressions={
            "fillColor": _by_confidence(hollow), "outlineColor": _by_confidence(outline),
            "outlineWidth": _by_confidence(width),
            "outlineStyle": _by_confidence(dotted, "solid")})])


def holders(geometry: str, categories: Sequence[st.Category]) -> ET.Element:
    """A categorized renderer on ``actor``: one category per holder, then no record."""
    renderer = ET.Element("renderer-v2", {"type": "categorizedSymbol", "attr": "actor",
                                          "forceraster": "0", "symbollevels": "0",
                                          "enableorderby": "0", "referencescale": "-1"})
    found = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, category in enumerate(categories):
        ET.SubElement(found, "category", {"symbol": str(index), "value": category.value,
                                          "label": category.label, "render": "true"})
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
        symbols.append(symbol("marker", str(index), [_marker(
            "circle", item.diameter_mm, st.PEOPLE_FILL, st.PEOPLE_STROKE,
            st.PEOPLE_STROKE_MM, alpha=st.PEOPLE_ALPHA)]))
    order = ET.SubElement(renderer, "orderby")
    clause = ET.SubElement(order, "orderByClause", {"asc": "0", "nullsFirst": "0"})
    clause.text = f'"{field}"'
    return renderer


def single(element: ET.Element) -> ET.Element:
    """A single-symbol renderer drawing *element*."""
    renderer = ET.Element("renderer-v2", {"type": "singleSymbol", "forceraster": "0",
                                          "symbollevels": "0", "enableorderby": "0",
                                          "referencescale": "-1"})
    ET.SubElement(renderer, "symbols").append(element)
    return renderer


def labeling(field: str, size: float = 7.5) -> ET.Element:
    """Labels on *field* around the point, with a white halo."""
    element = ET.Element("labeling", {"type": "simple"})
    settings = ET.SubElement(element, "settings", {"calloutType": "simple"})
    text = ET.SubElement(settings, "text-style", {
        "fieldName": field, "isExpression": "0", "fontFamily": st.LABEL_FONT,
        "fontSize": f"{size:g}", "fontSizeUnit": "Point", "fontWeight": "50",
        "namedStyle": "Regular", "textColor": "20,20,20,255", "textOpacity": "1",
        "multilineHeight": "1", "blendMode": "0", "allowHtml": "0"})
    ET.SubElement(text, "text-buffer", {"bufferDraw": "1", "bufferSize": "0.7",
                                        "bufferSizeUnits": "MM", "bufferNoFill": "1",
                                        "bufferColor": "255,255,255,255",
                                        "bufferOpacity": "0.9", "bufferJoinStyle": "128"})
    ET.SubElement(settings, "placement", {"placement": "6", "dist": "1",
                                          "distUnits": "MM", "priority": "5",
                                          "predefinedPositionOrder": "TR,TL,BR,BL,R,L"})
    ET.SubElement(settings, "rendering", {"drawLabels": "1", "obstacle": "1",
                                          "obstacleFactor": "1", "maxNumLabels": "2000",
                                          "fontMaxPixelSize": "10000", "zIndex": "0",
                                          "displayAll": "0"})
    return element


def style_elements(role: str, *, categories: Sequence[st.Category] = (),
                   classes: Sequence[st.PeopleClass] = ()) -> list[ET.Element]:
    """The renderer (and labeling) of a layer of *role*, for a QML or a project.

    Parameters
    ----------
    role : str
        One of :data:`STYLES`.
    categories : sequence of Category
        Holders, for the control roles (:func:`gis_style.holder_categories`).
    classes : sequence of PeopleClass
        Classes of people displaced, for 'people' (:func:`gis_style.people_classes`).

    Returns
    -------
    list of Element
        Empty for 'table' (attribute tables have aliases only).
    """
    if role in ("areas", "record_areas"):
        return [holders("polygon", categories)]
    if role in ("towns", "record_places"):
        label = "name" if role == "towns" else "place_name"
        return [holders("point", categories), labeling(label)]
    if role == "people":
        return [people(classes)]
    if role == "mines":
        return [single(symbol("marker", "0", [_marker(
            "diamond", st.MINE_MM, st.MINE_FILL, st.MINE_STROKE, st.MINE_OUTLINE_MM)]))]
    if role == "boundaries":
        return [single(symbol("fill", "0", [_fill(st.OUTLINE, 0, outline=st.OUTLINE,
                                                  width_mm=st.BOUNDARY_MM)]))]
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
    return QML_DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"
