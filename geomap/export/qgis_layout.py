"""The print map as a QGIS print layout: A4 landscape, as ``map.pdf`` is laid out.

Title and as-of date at the top, the map on the left with a scale bar and a north
arrow, the legend (control, towns, admin boundaries, people displaced, mining sites)
and the note on doubt on the right, sources, disclaimer and projection at the foot.
Element names follow what QGIS 3.22 writes. Text from data or the user is escaped
by ElementTree and its ``[%`` is broken, so QGIS never evaluates it as an expression.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from geomap.export.xml_tree import sub as _sub

PAGE, MAP, PICTURE, LABEL, LEGEND, SCALEBAR = 65638, 65639, 65640, 65641, 65642, 65646
"""QgsLayoutItemRegistry item types."""
A4 = (297.0, 210.0)
MAP_BOX = (10.0, 26.0, 150.0, 158.0)
"""x, y, width, height of the map frame on the page, mm."""
FONT = "Arial"
NORTH_ARROW = ":/images/north_arrows/layout_default_north_arrow.svg"
"""QGIS's own north arrow (built into every QGIS)."""


@dataclass(frozen=True)
class LegendEntry:
    """One layer in the layout's legend, with how it is shown there."""

    layer_id: str
    source: str
    title: str
    style: str = "subgroup"
    """'group' (bold heading), 'subgroup' or 'hidden' (items only)."""
    labels: Mapping[int, str] = field(default_factory=dict)
    """Legend item labels replaced, by item index (a single symbol's is 0)."""


@dataclass(frozen=True)
class LayoutText:
    """The words of the layout; all of it is treated as untrusted text."""

    title: str
    subtitle: str
    sources: str
    footer: str
    note: str = ""
    holders: str = ""
    """'Who holds what', one line per actor."""


def no_expressions(text: str) -> str:
    """Break QGIS's ``[% … %]`` in *text* so a layout label shows it as written.

    Examples
    --------
    >>> no_expressions("a [% 1 + 1 %] b")
    'a [\\u200b% 1 + 1 %] b'
    """
    return text.replace("[%", "[\u200b%")


def uid(*parts: str) -> str:
    """A stable '{uuid}' made from *parts* (same inputs, same bytes)."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "geomap:" + ":".join(parts))) + "}"



def _options(parent: ET.Element, tag: str, values: Mapping[str, str]) -> None:
    """Append ``<tag><Option type="Map">`` holding string options."""
    holder = _sub(_sub(parent, tag), "Option", type_="Map")
    for name, value in values.items():
        _sub(holder, "Option", name=name, type_="QString", value=value)


def _item(parent: ET.Element, kind: int, name: str, box: Sequence[float], z: int,
          **attrs: str) -> ET.Element:
    """A layout item at *box* (x, y, width, height in mm) on the first page."""
    x, y, width, height = (f"{v:g}" for v in box)
    key = uid("layout", name)
    item = _sub(parent, "LayoutItem", type_=str(kind), id=name, uuid=key,
                templateUuid=key, position=f"{x},{y},mm", positionOnPage=f"{x},{y},mm",
                size=f"{width},{height},mm", zValue=str(z), visibility="1",
                referencePoint="0", frame="false", background="false", opacity="1",
                blendMode="0", itemRotation="0", positionLock="false",
                excludeFromExports="0", groupUuid="", outlineWidthM="0.3,mm",
                frameJoinStyle="miter", **attrs)
    _sub(item, "FrameColor", red="51", green="51", blue="51", alpha="255")
    _sub(item, "BackgroundColor", red="255", green="255", blue="255", alpha="255")
    layout_object = _sub(item, "LayoutObject")
    _options(layout_object, "dataDefinedProperties", {})
    _options(layout_object, "customproperties", {})
    return item


def _font(size: float, bold: bool = False) -> str:
    """A Qt font description."""
    return f"{FONT},{size:g},-1,5,{75 if bold else 50},0,0,0,0,0"


def label(parent: ET.Element, name: str, text: str, box: Sequence[float], *,
          size: float, bold: bool = False, colour: str = "0,0,0") -> ET.Element:
    """A plain-text label (never HTML, never an expression)."""
    item = _item(parent, LABEL, name, box, 10, labelText=no_expressions(text),
                 htmlState="0", halign="1", valign="32", marginX="0", marginY="0")
    _sub(item, "LabelFont", description=_font(size, bold), style="Bold" if bold else "")
    red, green, blue = colour.split(",")
    _sub(item, "FontColor", red=red, green=green, blue=blue, alpha="255")
    return item


def _legend(parent: ET.Element, entries: Sequence[LegendEntry],
            box: Sequence[float]) -> None:
    """The legend: *entries* top to bottom, filtered to what the map shows."""
    item = _item(parent, LEGEND, "legend", box, 3, title="", map_uuid=uid("layout", "map"),
                 resizeToContents="1", columnCount="1", splitLayer="0",
                 equalColumnWidth="0", symbolWidth="6", symbolHeight="3.5",
                 boxSpace="1", columnSpace="3", lineSpacing="0.6",
                 legendFilterByMap="1", legendFilterByAtlas="0", titleAlignment="1",
                 fontColor="#000000", wrapChar="", symbolAlignment="1",
                 rasterBorder="1", rasterBorderColor="0,0,0,255",
                 rasterBorderWidth="0", minSymbolSize="0", maxSymbolSize="12",
                 wmsLegendWidth="50", wmsLegendHeight="25")
    styles = _sub(item, "styles")
    for name, size, bold, top in (("title", 11, True, 0), ("group", 10, True, 3),
                                  ("subgroup", 9, True, 2.5), ("symbol", 8, False, 1.2),
                                  ("symbolLabel", 8, False, 1.2)):
        style = _sub(styles, "style", name=name, marginTop=f"{top:g}", alignment="1",
                     indent="0", marginLeft="2" if name == "symbolLabel" else "0")
        _sub(style, "styleFont", description=_font(size, bold), style="")
    tree = _sub(item, "layer-tree-group")
    _options(tree, "customproperties", {})
    for entry in entries:
        node = _sub(tree, "layer-tree-layer", id=entry.layer_id, name=entry.title,
                    source=entry.source, providerKey="ogr", checked="Qt::Checked",
                    expanded="1", legend_exp="", patch_size="-1,-1",
                    legend_split_behavior="0")
        custom = {"legend/title-label": entry.title, "legend/title-style": entry.style}
        custom |= {f"legend/label-{index}": text for index, text in entry.labels.items()}
        _options(node, "customproperties", custom)
    order = _sub(tree, "custom-order", enabled="0")
    for entry in entries:
        _sub(order, "item", entry.layer_id)


def _scalebar(parent: ET.Element, box: Sequence[float], length_km: float) -> None:
    """A two-segment scale bar in km on a white backing, linked to the map."""
    item = _item(parent, SCALEBAR, "scalebar", box, 5, mapUuid=uid("layout", "map"),
                 style="Single Box", unitType="km", unitLabel="km",
                 numMapUnitsPerScaleBarUnit="1", numSegments="2",
                 numSegmentsLeft="0", numSubdivisions="1", subdivisionsHeight="1.5",
                 numUnitsPerSegment=f"{length_km / 2:g}", segmentSizeMode="0",
                 minBarWidth="10", maxBarWidth="80", height="2", labelBarSpace="1.5",
                 boxContentSpace="1.5", alignment="0", outlineWidth="0.3",
                 labelVerticalPlacement="0", labelHorizontalPlacement="0",
                 lineJoinStyle="miter", lineCapStyle="square")
    item.set("background", "true")
    _sub(item, "text-style", fontFamily=FONT, fontSize="7", fontSizeUnit="Point",
         fontWeight="50", textColor="0,0,0,255", textOpacity="1", namedStyle="Regular",
         multilineHeight="1", blendMode="0", allowHtml="0")


def _fit(extent: Sequence[float], ratio: float) -> tuple[float, float, float, float]:
    """*extent* widened (never cropped) to width/height *ratio*."""
    xmin, ymin, xmax, ymax = (float(v) for v in extent)
    width, height = max(xmax - xmin, 1e-9), max(ymax - ymin, 1e-9)
    if width / height < ratio:
        grow = (height * ratio - width) / 2
        return xmin - grow, ymin, xmax + grow, ymax
    grow = (width / ratio - height) / 2
    return xmin, ymin - grow, xmax, ymax + grow


def scale_length_km(extent: Sequence[float]) -> float:
    """A round scale-bar length near a quarter of the map's width (metres extent)."""
    target = (float(extent[2]) - float(extent[0])) / 4 / 1000
    for power in (1000, 100, 10, 1):
        for step in (5, 2, 1):
            if step * power <= target:
                return float(step * power)
    return 1.0


def layout_element(text: LayoutText, extent: Sequence[float],
                   legend: Sequence[LegendEntry]) -> ET.Element:
    """An A4 landscape print layout of the project's map.

    Parameters
    ----------
    text : LayoutText
        Title, subtitle (the as-of date), sources, footer and the note on doubt.
    extent : sequence of float
        What the map must show, in the project's (metric) CRS; it is widened to the
        map frame's shape, never cropped.
    legend : sequence of LegendEntry
        The legend's layers, top to bottom.

    Returns
    -------
    Element
        A ``<Layout>`` element for the project's ``<Layouts>``.
    """
    element = ET.Element("Layout", name="Print map", units="mm", printResolution="300",
                         worldFileMap="")
    pages = _sub(element, "PageCollection")
    page = _item(pages, PAGE, "page", (0, 0, *A4), 0)
    page.set("background", "true")
    _sub(pages, "GuideCollection", visible="1")
    label(element, "title", text.title, (10, 7, 277, 9), size=16, bold=True)
    label(element, "as_of", text.subtitle, (10, 17, 277, 6), size=11,
          colour="34,34,34")
    item = _item(element, MAP, "map", MAP_BOX, 1, keepLayerSet="false",
                 drawCanvasItems="true", followPreset="false", followPresetName="",
                 mapRotation="0", isTemporal="0", mapFlags="0", labelMargin="0,mm")
    item.set("frame", "true")
    item.set("background", "true")
    fitted = _fit(extent, MAP_BOX[2] / MAP_BOX[3])
    xmin, ymin, xmax, ymax = (repr(v) for v in fitted)
    _sub(item, "Extent", xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax)
    _sub(item, "LayerSet")
    _sub(item, "AtlasMap", atlasDriven="0", scalingMode="2", margin="0.1")
    x, y, width, height = MAP_BOX
    _scalebar(element, (x + 3, y + height - 12, 45, 9), scale_length_km(fitted))
    _item(element, PICTURE, "north", (x + width - 12, y + 3, 9, 14), 6,
          file=NORTH_ARROW, mapUuid=uid("layout", "map"), northMode="1",
          northOffset="0", mode="0", resizeMode="0", anchorPoint="0",
          pictureRotation="0", pictureWidth="9", pictureHeight="14",
          svgFillColor="255,255,255,255", svgBorderColor="0,0,0,255",
          svgBorderWidth="0.2")
    _legend(element, legend, (168, y, 119, 120))
    if text.note:
        label(element, "note", text.note, (168, y + 123, 119, 9), size=7,
              colour="51,51,51")
    if text.holders:
        label(element, "holders", text.holders, (168, y + 133, 119, 25), size=7)
    label(element, "sources", text.sources, (10, y + height + 2, 277, 10), size=6.5,
          colour="51,51,51")
    label(element, "footer", text.footer, (10, y + height + 12, 277, 10), size=6.5,
          colour="51,51,51")
    _sub(element, "customproperties")
    return element
