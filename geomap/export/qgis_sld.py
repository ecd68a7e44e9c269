"""SLD 1.1 styles of geomap's layers, and the GeoPackage's ``layer_styles`` table.

``layer_styles`` is the table QGIS reads a layer's default style from when it opens a
GeoPackage layer (QML first; SLD for other tools such as GeoServer). The SLD carries
the same colours and doubt as the QML: one rule per holder and confidence (fill
opacity, hatch and dash from the style table), an else rule for places without a
record, one rule per class of people displaced. Sizes are in pixels of 0.28 mm, the
OGC standard pixel.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

import pandas as pd

from geomap.export import gis_style as st
from geomap.export.xml_tree import sub
from geomap.words import word

SLD = "http://www.opengis.net/sld"
SE = "http://www.opengis.net/se"
OGC = "http://www.opengis.net/ogc"
PIXEL_MM = 0.28


def _px(mm: float) -> str:
    """Millimetres as SLD pixels."""
    return f"{mm / PIXEL_MM:.1f}"


def _se(parent: ET.Element, tag: str, text: str | None = None,
        **attrs: str) -> ET.Element:
    """Append an SE element."""
    return sub(parent, f"{{{SE}}}{tag}", text, **attrs)


def _param(parent: ET.Element, name: str, value: str) -> None:
    """Append an ``SvgParameter``."""
    _se(parent, "SvgParameter", value, name=name)


def _equal(parent: ET.Element, column: str, value: str,
           operator: str = "PropertyIsEqualTo") -> None:
    """Append an OGC comparison of *column* with a literal."""
    test = sub(parent, f"{{{OGC}}}{operator}")
    sub(test, f"{{{OGC}}}PropertyName", column)
    sub(test, f"{{{OGC}}}Literal", value)


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
    sub(label, f"{{{OGC}}}PropertyName", column)
    font = _se(text, "Font")
    _param(font, "font-family", st.LABEL_FONT)
    _param(font, "font-size", "10")
    halo = _se(text, "Halo")
    _se(halo, "Radius", "1.5")
    _param(_se(halo, "Fill"), "fill", st.HALO)


def _hatch(rule: ET.Element, colour: str, doubt: st.Doubt) -> None:
    """Polygon symbolizers drawing the hatch of one confidence (one per angle)."""
    for angle in doubt.hatch_angles:
        fill = _se(_se(rule, "PolygonSymbolizer"), "Fill")
        graphic = _se(_se(fill, "GraphicFill"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", "horline")
        _stroke(mark, colour, 0.25)
        _se(graphic, "Size", _px(doubt.hatch_mm))
        _se(graphic, "Rotation", str(angle))


def _holders(style: ET.Element, geometry: str,
             categories: Iterable[st.Category]) -> None:
    """Rules per holder and confidence, and the else rule for no record."""
    doubts = st.doubts()
    others = [d.confidence for d in doubts[1:]]
    for item in categories:
        if not item.value:
            rule = _rule(style, item.label, None)
            if geometry == "polygon":
                _polygon(rule, item.colour, 1, st.OUTLINE, st.BOUNDARY_MM)
            else:
                _mark(rule, "circle", st.TOWN_MM, item.colour, 1, st.OUTLINE,
                      st.NO_RECORD_TOWN_OUTLINE_MM)
            continue
        actor = ("actor", "PropertyIsEqualTo", item.value)
        for doubt in doubts:
            if doubt is doubts[0]:
                title = item.label
                tests = [actor, *(("confidence", "PropertyIsNotEqualTo", c)
                                  for c in others)]
            else:
                title = f"{item.label} ({doubt.confidence})"
                tests = [actor, ("confidence", "PropertyIsEqualTo", doubt.confidence)]
            rule = _rule(style, title, tests)
            outline = doubt.outline or item.colour
            dash = (" ".join(_px(d) for d in doubt.dash_mm) if doubt.dash_mm
                    else None)
            if geometry == "polygon":
                _polygon(rule, item.colour, doubt.fill_alpha, outline,
                         st.AREA_OUTLINE_MM, dash)
                _hatch(rule, outline, doubt)
            elif doubt.fill_alpha == 0:  # claimed: white, thick edge, as in print
                _mark(rule, "circle", st.TOWN_MM, st.HOLLOW, 1, outline,
                      st.CLAIMED_TOWN_OUTLINE_MM)
            else:
                _mark(rule, "circle", st.TOWN_MM, item.colour, 1, outline,
                      st.TOWN_OUTLINE_MM, dash)


def sld(layer: str, role: str, *, categories: Sequence[st.Category] = (),
        classes: Sequence[st.PeopleClass] = (), lang: str = "en") -> str:
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
    elif role == "changes":
        for colour, width in st.RINGS:
            _mark(_rule(style, word("changed_hands", lang), []), "circle", st.RING_MM,
                  colour, 0, colour, width)
    elif role in ("countries", "lakes"):
        water = role == "lakes"
        title = word("lake" if water else "country_border", lang)
        _polygon(_rule(style, title, []), st.WATER if water else st.LAND, 1,
                 st.WATER_OUTLINE if water else st.BORDER, 0.18 if water else 0.35,
                 None if water else " ".join(_px(d) for d in st.BORDER_DASH_MM))
    elif role == "mines":
        _mark(_rule(style, word("mining_site", lang), []), "diamond", st.MINE_MM,
              st.MINE_FILL, 1, st.MINE_STROKE, st.MINE_OUTLINE_MM)
    else:
        _polygon(_rule(style, word("admin_boundary", lang), []), None, 0, st.OUTLINE,
                 st.BOUNDARY_MM)
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
