"""SLD 1.1 styles of geomap's layers, and the GeoPackage's ``layer_styles`` table.

``layer_styles`` is the table QGIS reads a layer's default style from when it opens a
GeoPackage layer (QML first; SLD for other tools such as GeoServer). The SLD carries
the same colours and doubt as the QML: one rule per holder and confidence, an else
rule for places without a record, one rule per class of people displaced. Sizes are
in pixels of 0.28 mm, the OGC standard pixel.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

import pandas as pd

from geomap.export import gis_style as st

SLD = "http://www.opengis.net/sld"
SE = "http://www.opengis.net/se"
OGC = "http://www.opengis.net/ogc"
PIXEL_MM = 0.28
SLD_DASH = {"claimed": "4 4", "contested": "2 4"}
"""Stroke dash arrays by confidence, as on the web map."""


def _px(mm: float) -> str:
    """Millimetres as SLD pixels."""
    return f"{mm / PIXEL_MM:.1f}"


def _se(parent: ET.Element, tag: str, text: str | None = None,
        **attrs: str) -> ET.Element:
    """Append an SE element."""
    child = ET.SubElement(parent, f"{{{SE}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def _param(parent: ET.Element, name: str, value: str) -> None:
    """Append an ``SvgParameter``."""
    _se(parent, "SvgParameter", value, name=name)


def _equal(parent: ET.Element, column: str, value: str,
           operator: str = "PropertyIsEqualTo") -> None:
    """Append an OGC comparison of *column* with a literal."""
    test = ET.SubElement(parent, f"{{{OGC}}}{operator}")
    ET.SubElement(test, f"{{{OGC}}}PropertyName").text = column
    ET.SubElement(test, f"{{{OGC}}}Literal").text = value


def _rule(style: ET.Element, title: str,
          tests: Sequence[tuple[str, str, str]] | None) -> ET.Element:
    """A rule named *title* whose filter ANDs *tests* (None: the else rule)."""
    rule = _se(style, "Rule")
    _se(rule, "Name", title)
    _se(_se(rule, "Description"), "Title", title)
    if tests is None:
        ET.SubElement(rule, f"{{{SE}}}ElseFilter")
    elif tests:
        where = ET.SubElement(rule, f"{{{OGC}}}Filter")
        if len(tests) > 1:
            where = ET.SubElement(where, f"{{{OGC}}}And")
        for column, operator, value in tests:
            _equal(where, column, value, operator)
    return rule


def _stroke(parent: ET.Element, colour: str, width_mm: float,
            dash: str | None = None) -> None:
    """Append a stroke."""
    stroke = _se(parent, "Stroke")
    _param(stroke, "stroke", colour)
    _param(stroke, "stroke-width", _px(width_mm))
    if dash:
        _param(stroke, "stroke-dasharray", dash)


def _polygon(rule: ET.Element, fill: str | None, opacity: float, outline: str,
             width_mm: float, dash: str | None = None) -> None:
    """Append a polygon symbolizer."""
    sym = _se(rule, "PolygonSymbolizer")
    if fill is not None:
        paint = _se(sym, "Fill")
        _param(paint, "fill", fill)
        _param(paint, "fill-opacity", f"{opacity:g}")
    _stroke(sym, outline, width_mm, dash)


def _mark(rule: ET.Element, shape: str, size_mm: float, fill: str, opacity: float,
          outline: str, width_mm: float, dash: str | None = None) -> None:
    """Append a point symbolizer with one mark."""
    graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
    mark = _se(graphic, "Mark")
    _se(mark, "WellKnownName", "square" if shape == "diamond" else shape)
    paint = _se(mark, "Fill")
    _param(paint, "fill", fill)
    _param(paint, "fill-opacity", f"{opacity:g}")
    _stroke(mark, outline, width_mm, dash)
    _se(graphic, "Size", _px(size_mm))
    if shape == "diamond":
        _se(graphic, "Rotation", "45")


def _label(style: ET.Element, column: str) -> None:
    """A rule labelling every feature with *column*."""
    text = _se(_se(style, "Rule"), "TextSymbolizer")
    label = _se(text, "Label")
    ET.SubElement(label, f"{{{OGC}}}PropertyName").text = column
    font = _se(text, "Font")
    _param(font, "font-family", st.LABEL_FONT)
    _param(font, "font-size", "10")
    halo = _se(text, "Halo")
    _se(halo, "Radius", "1.5")
    _param(_se(halo, "Fill"), "fill", "#ffffff")


def _holders(style: ET.Element, geometry: str,
             categories: Iterable[st.Category]) -> None:
    """Rules per holder and confidence, and the else rule for no record."""
    doubt = ("claimed", "contested")
    for item in categories:
        if not item.value:
            rule = _rule(style, item.label, None)
            if geometry == "polygon":
                _polygon(rule, None, 0, item.colour, 0.26)
            else:
                _mark(rule, "circle", st.TOWN_MM, item.colour, 1, st.TOWN_OUTLINE, 0.25)
            continue
        actor = ("actor", "PropertyIsEqualTo", item.value)
        sure = [actor, *(("confidence", "PropertyIsNotEqualTo", c) for c in doubt)]
        cases = [(item.label, sure, "assessed")]
        cases += [(f"{item.label} ({c})", [actor, ("confidence", "PropertyIsEqualTo",
                                                   c)], c) for c in doubt]
        for title, tests, confidence in cases:
            rule = _rule(style, title, tests)
            dash = SLD_DASH.get(confidence)
            if geometry == "polygon":
                _polygon(rule, item.colour, st.fill_alpha(confidence), item.colour, 0.5,
                         dash)
            elif confidence == "claimed":
                _mark(rule, "circle", st.TOWN_MM, "#ffffff", 1, item.colour, 0.55, dash)
            else:
                _mark(rule, "circle", st.TOWN_MM, item.colour, 1, st.TOWN_OUTLINE, 0.25,
                      dash)


def sld(layer: str, role: str, *, categories: Sequence[st.Category] = (),
        classes: Sequence[st.PeopleClass] = ()) -> str:
    """An SLD 1.1 document for a layer of *role* (see :data:`qgis_styles.STYLES`).

    Returns '' for attribute tables, which have nothing to draw.
    """
    if role == "table":
        return ""
    ET.register_namespace("", SLD)
    ET.register_namespace("se", SE)
    ET.register_namespace("ogc", OGC)
    root = ET.Element(f"{{{SLD}}}StyledLayerDescriptor", {"version": "1.1.0"})
    named = ET.SubElement(root, f"{{{SLD}}}NamedLayer")
    _se(named, "Name", layer)
    user = ET.SubElement(named, f"{{{SLD}}}UserStyle")
    _se(user, "Name", layer)
    style = _se(user, "FeatureTypeStyle")
    if role in ("areas", "record_areas"):
        _holders(style, "polygon", categories)
    elif role in ("towns", "record_places"):
        _holders(style, "point", categories)
        _label(style, "name" if role == "towns" else "place_name")
    elif role == "people":
        for item in classes:
            rule = _rule(style, item.label, [
                ("people", "PropertyIsGreaterThanOrEqualTo", str(item.lower)),
                ("people", "PropertyIsLessThanOrEqualTo", str(item.upper))])
            _mark(rule, "circle", item.diameter_mm, st.PEOPLE_FILL, st.PEOPLE_ALPHA,
                  st.PEOPLE_STROKE, st.PEOPLE_STROKE_MM)
    elif role == "mines":
        _mark(_rule(style, "Mining site", []), "diamond", st.MINE_MM, st.MINE_FILL, 1,
              st.MINE_STROKE, st.MINE_STROKE_MM)
    else:
        _polygon(_rule(style, "Admin boundary", []), st.BASE_FILL, 1, st.OUTLINE, 0.3)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_layer_styles(con: sqlite3.Connection,
                       styles: Sequence[tuple[str, str, str, str]], *,
                       as_of: pd.Timestamp) -> None:
    """Store one default style per layer in ``layer_styles``.

    Parameters
    ----------
    con : sqlite3.Connection
        An open connection to the GeoPackage.
    styles : sequence of (table, geometry column, QML, SLD)
        One row per layer, in layer order; the geometry column is '' for tables.
    as_of : Timestamp
        Recorded as each style's update time (the same inputs, the same bytes).

    Notes
    -----
    The table has the schema QGIS's OGR provider creates, is registered in
    ``gpkg_contents`` as attributes, and ``f_table_schema`` is '' because QGIS
    matches on it.
    """
    stamp = f"{pd.Timestamp(as_of):%Y-%m-%d}T00:00:00.000Z"
    con.execute(
        'CREATE TABLE IF NOT EXISTS "layer_styles" ("id" INTEGER PRIMARY KEY '
        'AUTOINCREMENT NOT NULL, "f_table_catalog" TEXT(256), "f_table_schema" '
        'TEXT(256), "f_table_name" TEXT(256), "f_geometry_column" TEXT(256), '
        '"styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, "useAsDefault" '
        'BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), "update_time" '
        "DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))")
    con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, "
                "identifier, description, last_change) VALUES ('layer_styles', "
                "'attributes', 'layer_styles', 'QGIS styles of the layers', ?)",
                (stamp,))
    con.executemany(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
        "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
        "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, 1, "
        "'geomap default style', '', NULL, ?)",
        [(table, column, table, qml, sld_text, stamp)
         for table, column, qml, sld_text in styles])
