"""QGIS styles (QML) of geomap's layers, built as XML from the map styles.

Control areas and towns are coloured by holder; doubt is drawn from the
``confidence`` column as on the web and print maps: claimed areas get a light fill
and a dashed outline, contested ones a dotted outline, claimed towns are hollow rings
in the holder's colour. People displaced are graduated circles, mining sites
diamonds, towns labelled by name. Data text only reaches the XML through ElementTree
(escaped), never through a template.
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


def symbol(kind: str, name: str, layer_class: str, props: Mapping[str, str],
           expressions: Mapping[str, str] | None = None) -> ET.Element:
    """One ``<symbol>`` (*kind* marker, fill or line) with one symbol layer."""
    element = ET.Element("symbol", {"type": kind, "name": name, "alpha": "1",
                                    "clip_to_extent": "1", "force_rhr": "0"})
    _data_defined(element, {})
    layer = ET.SubElement(element, "layer", {"class": layer_class, "enabled": "1",
                                             "locked": "0", "pass": "0"})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})
    _data_defined(layer, expressions or {})
    return element


def _fill(name: str, colour: str, *, alpha: float, outline: str, width_mm: float,
          expressions: Mapping[str, str] | None = None, brush: str = "solid",
          pen: str = "solid") -> ET.Element:
    """A simple fill symbol."""
    return symbol("fill", name, "SimpleFill", {
        "color": rgba(colour, alpha), "style": brush, "outline_color": rgba(outline),
        "outline_style": pen, "outline_width": f"{width_mm:g}",
        "outline_width_unit": "MM", "joinstyle": "round"}, expressions)


def _marker(name: str, shape: str, size_mm: float, fill: str, outline: str,
            width_mm: float, *, alpha: float = 1.0,
            expressions: Mapping[str, str] | None = None) -> ET.Element:
    """A simple marker symbol."""
    return symbol("marker", name, "SimpleMarker", {
        "name": shape, "size": f"{size_mm:g}", "size_unit": "MM",
        "color": rgba(fill, alpha), "outline_color": rgba(outline),
        "outline_style": "solid", "outline_width": f"{width_mm:g}",
        "outline_width_unit": "MM", "scale_method": "diameter"}, expressions)


def holder_symbol(geometry: str, category: st.Category, name: str) -> ET.Element:
    """The symbol of one holder on an area or a town, doubt drawn from confidence."""
    if geometry == "polygon":
        if not category.value:  # no record: nothing over the admin fill
            return _fill(name, category.colour, alpha=0, outline=category.colour,
                         width_mm=0.26, brush="no", pen="no")
        fills = {c: rgba(category.colour, st.fill_alpha(c)) for c in st.DASH}
        return _fill(name, category.colour, alpha=st.fill_alpha("assessed"),
                     outline=category.colour, width_mm=0.5, expressions={
                         "fillColor": _by_confidence(fills),
                         "outlineStyle": _by_confidence(st.DASH, "solid")})
    claimed = {"claimed": "255,255,255,255"}
    return _marker(name, "circle", st.TOWN_MM, category.colour, st.TOWN_OUTLINE, 0.25,
                   expressions={} if not category.value else {
                       "fillColor": _by_confidence(claimed),
                       "outlineColor": _by_confidence({"claimed": rgba(
                           category.colour)}),
                       "outlineWidth": _by_confidence({"claimed": "0.55"}),
                       "outlineStyle": _by_confidence(st.DASH, "solid")})


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
        symbols.append(holder_symbol(geometry, category, str(index)))
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
        symbols.append(_marker(str(index), "circle", item.diameter_mm, st.PEOPLE_FILL,
                               st.PEOPLE_STROKE, st.PEOPLE_STROKE_MM,
                               alpha=st.PEOPLE_ALPHA))
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
        return [single(_marker("0", "diamond", st.MINE_MM, st.MINE_FILL,
                               st.MINE_STROKE, st.MINE_STROKE_MM))]
    if role == "boundaries":
        return [single(_fill("0", st.BASE_FILL, alpha=1, outline=st.OUTLINE,
                             width_mm=0.3))]
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
