"""Building blocks of QGIS styles: colours, symbols, symbol layers and labels as XML.

Element and property names are those QGIS 3.22 writes; newer releases read them.
Values reach the XML through ElementTree only, escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence


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


def quoted(text: str) -> str:
    """A QGIS expression string literal."""
    return "'" + text.replace("'", "''") + "'"


def by_confidence(values: Mapping[str, str], default: str | None = None) -> str:
    """A CASE expression on ``confidence`` (NULL where no value applies)."""
    whens = " ".join(f"WHEN \"confidence\" = {quoted(k)} THEN {quoted(v)}"
                     for k, v in values.items())
    tail = f" ELSE {quoted(default)}" if default is not None else ""
    return f"CASE {whens}{tail} END"


def data_defined(parent: ET.Element, expressions: Mapping[str, str]) -> None:
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
    data_defined(layer, expressions or {})
    if sub is not None:
        layer.append(sub)
    return layer


def symbol(kind: str, name: str, layers: Sequence[ET.Element]) -> ET.Element:
    """One ``<symbol>`` (*kind* marker, fill or line) drawing *layers* in order."""
    element = ET.Element("symbol", {"type": kind, "name": name, "alpha": "1",
                                    "clip_to_extent": "1", "force_rhr": "0"})
    data_defined(element, {})
    element.extend(layers)
    return element


def line_props(colour: str, width_mm: float, dash_mm: Sequence[float] | None = None
          ) -> dict[str, str]:
    """Properties of a simple line (solid, or with a custom dash in mm)."""
    return {"line_color": rgba(colour), "line_width": f"{width_mm:g}",
            "line_width_unit": "MM", "line_style": "solid", "capstyle": "flat",
            "joinstyle": "round", "use_custom_dash": "1" if dash_mm else "0",
            "customdash": ";".join(f"{d:g}" for d in dash_mm or (5, 2)),
            "customdash_unit": "MM"}


def fill_layer(colour: str, alpha: float, *, outline: str | None = None,
          width_mm: float = 0.0, expressions: Mapping[str, str] | None = None
          ) -> ET.Element:
    """A simple fill layer; no outline unless *outline* is given."""
    return symbol_layer("SimpleFill", {
        "color": rgba(colour, alpha), "style": "solid" if alpha > 0 else "no",
        "outline_color": rgba(outline or colour),
        "outline_style": "solid" if outline else "no",
        "outline_width": f"{width_mm:g}", "outline_width_unit": "MM",
        "joinstyle": "round"}, expressions)


def marker_layer(shape: str, size_mm: float, fill: str, outline: str,
                 width_mm: float, *, alpha: float = 1.0,
                 expressions: Mapping[str, str] | None = None) -> ET.Element:
    """A simple marker layer."""
    return symbol_layer("SimpleMarker", {
        "name": shape, "size": f"{size_mm:g}", "size_unit": "MM",
        "color": rgba(fill, alpha), "outline_color": rgba(outline),
        "outline_style": "solid", "outline_width": f"{width_mm:g}",
        "outline_width_unit": "MM", "scale_method": "diameter"}, expressions)


def single(element: ET.Element) -> ET.Element:
    """A single-symbol renderer drawing *element*."""
    renderer = ET.Element("renderer-v2", {"type": "singleSymbol", "forceraster": "0",
                                          "symbollevels": "0", "enableorderby": "0",
                                          "referencescale": "-1"})
    ET.SubElement(renderer, "symbols").append(element)
    return renderer


def labeling(field: str, *, font: str, size: float = 7.5,
             colour: str = "20,20,20,255", expression: bool = False,
             italic: bool = False, polygon: bool = False) -> ET.Element:
    """Labels on *field* (or an expression) with a white halo.

    Points are labelled around the dot (top right first); polygons horizontally
    inside their visible part.
    """
    element = ET.Element("labeling", {"type": "simple"})
    settings = ET.SubElement(element, "settings", {"calloutType": "simple"})
    text = ET.SubElement(settings, "text-style", {
        "fieldName": field, "isExpression": "1" if expression else "0",
        "fontFamily": font, "fontItalic": "1" if italic else "0",
        "fontSize": f"{size:g}", "fontSizeUnit": "Point", "fontWeight": "50",
        "namedStyle": "Italic" if italic else "Regular", "textColor": colour,
        "textOpacity": "1", "multilineHeight": "1", "blendMode": "0", "allowHtml": "0"})
    ET.SubElement(text, "text-buffer", {"bufferDraw": "1", "bufferSize": "0.7",
                                        "bufferSizeUnits": "MM", "bufferNoFill": "1",
                                        "bufferColor": "255,255,255,255",
                                        "bufferOpacity": "0.9", "bufferJoinStyle": "128"})
    ET.SubElement(settings, "placement", {
        "placement": "4" if polygon else "6", "dist": "1", "distUnits": "MM",
        "priority": "5", "centroidWhole": "0", "centroidInside": "1",
        "predefinedPositionOrder": "TR,TL,BR,BL,R,L"})
    ET.SubElement(settings, "rendering", {"drawLabels": "1", "obstacle": "1",
                                          "obstacleFactor": "1", "maxNumLabels": "2000",
                                          "fontMaxPixelSize": "10000", "zIndex": "0",
                                          "displayAll": "0"})
    return element
