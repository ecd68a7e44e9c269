"""The QGIS project ``geomap.qgz``: the GeoPackage's layers, styled, with a layout.

Built with ElementTree, without QGIS: layers in the web map's order, paths relative to
the project (``./geomap.gpkg|layername=…``), the project CRS of the print map, its
metadata (title, as-of date, sources, licences) and the print layout
(:mod:`geomap.export.qgis_layout`). A ``.qgz`` is a zip holding one ``.qgs``; it is
written with a fixed timestamp so the same inputs give the same bytes.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyproj

from geomap.export.qgis_styles import QGIS_VERSION, aliases_element
from geomap.export.xml_tree import element, xml_string
from geomap.export.xml_tree import sub as _sub
from geomap.fields import Field
from geomap.words import word

DOCTYPE = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
AUTHOR = "geomap"


@dataclass
class ProjectLayer:
    """One layer of the project: a table of the GeoPackage, its look and its place."""

    table: str
    title: str
    geometry: str
    """'Point', 'MultiPoint', 'Polygon', 'MultiPolygon' or '' for a table."""
    extent: tuple[float, float, float, float] | None
    style: list[ET.Element]
    group: str | None = None
    visible: bool = True
    metadata: ET.Element | None = None
    temporal: tuple[str, str] | None = None
    """(start field, end field) for QGIS's temporal controller."""
    fields: Mapping[str, Field] = field(default_factory=dict)
    key: str = ""
    """Distinguishes two project layers on one table (e.g. 'boundaries')."""

    @property
    def layer_id(self) -> str:
        """The layer's stable id in the project."""
        name = f"{self.table}{'_' + self.key if self.key else ''}"
        return f"{name}_{uuid.uuid5(uuid.NAMESPACE_URL, 'geomap:' + name).hex}"

    def source(self, gpkg: str) -> str:
        """The data source, relative to the project."""
        return f"./{gpkg}|layername={self.table}"


@dataclass(frozen=True)
class ProjectInfo:
    """Project-level text; all of it reaches the XML escaped, never as markup."""

    title: str
    as_of: pd.Timestamp
    abstract: str
    sources: Sequence[tuple[str, str]] = ()
    """(name, URL) of every source."""
    licences: Sequence[str] = ()
    crs: str = "EPSG:4326"
    lang: str = "en"



def spatialrefsys(parent: ET.Element, crs: str) -> None:
    """Append a ``<spatialrefsys>`` describing *crs* (an 'EPSG:…' code)."""
    found = pyproj.CRS(crs)
    srs = _sub(parent, "spatialrefsys")
    _sub(srs, "wkt", found.to_wkt())
    _sub(srs, "srid", crs.split(":")[1])
    _sub(srs, "authid", crs)
    _sub(srs, "description", found.name)
    _sub(srs, "projectionacronym", "longlat" if found.is_geographic else "utm")
    _sub(srs, "ellipsoidacronym", "EPSG:7030")
    _sub(srs, "geographicflag", "true" if found.is_geographic else "false")


def _extent(parent: ET.Element, tag: str, box: Sequence[float]) -> None:
    """Append an extent with xmin, ymin, xmax, ymax children."""
    element = _sub(parent, tag)
    for key, value in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=True):
        _sub(element, key, repr(float(value)))


def _maplayer(parent: ET.Element, layer: ProjectLayer, gpkg: str) -> None:
    """One ``<maplayer>``: source, CRS, metadata, style, aliases and time."""
    labelled = any(e.tag == "labeling" for e in layer.style)
    attrs = {"type_": "vector", "labelsEnabled": "1" if labelled else "0",
             "readOnly": "0", "styleCategories": "AllStyleCategories",
             "hasScaleBasedVisibilityFlag": "0"}
    if layer.geometry:
        attrs |= {"geometry": "Polygon" if "Polygon" in layer.geometry else "Point",
                  "wkbType": layer.geometry}
    else:
        attrs |= {"geometry": "No geometry", "wkbType": "NoGeometry"}
    element = _sub(parent, "maplayer", **attrs)
    if layer.extent is not None:
        _extent(element, "extent", layer.extent)
    _sub(element, "id", layer.layer_id)
    _sub(element, "datasource", layer.source(gpkg))
    _sub(element, "layername", layer.title)
    if layer.geometry:
        spatialrefsys(_sub(element, "srs"), "EPSG:4326")
    if layer.metadata is not None:
        element.append(layer.metadata)
    _sub(element, "provider", "ogr", encoding="UTF-8")
    flags = _sub(element, "flags")
    for flag in ("Identifiable", "Removable", "Searchable"):
        _sub(flags, flag, "1")
    start, end = layer.temporal or ("", "")
    temporal = _sub(element, "temporal", enabled="1" if layer.temporal else "0",
                    mode="2" if layer.temporal else "0", startField=start,
                    endField=end, limitMode="0", accumulate="0", durationUnit="d",
                    fixedDuration="0", durationField="", startExpression="",
                    endExpression="")
    fixed = _sub(temporal, "fixedRange")
    _sub(fixed, "start", "")
    _sub(fixed, "end", "")
    element.extend(layer.style)
    element.append(aliases_element(layer.fields))
    _sub(element, "blendMode", "0")
    _sub(element, "featureBlendMode", "0")
    _sub(element, "layerOpacity", "1")
    if layer.geometry:
        _sub(element, "legend", type_="default-vector", showLabelLegend="0")


def _tree(root: ET.Element, layers: Sequence[ProjectLayer], gpkg: str) -> None:
    """The layer tree, top to bottom, groups in first-seen order."""
    tree = _sub(root, "layer-tree-group")
    _sub(tree, "customproperties")
    groups: dict[str, ET.Element] = {}
    for layer in layers:
        parent = tree
        if layer.group:
            if layer.group not in groups:
                groups[layer.group] = _sub(tree, "layer-tree-group", name=layer.group,
                                           checked="Qt::Checked", expanded="1")
                _sub(groups[layer.group], "customproperties")
            parent = groups[layer.group]
        node = _sub(parent, "layer-tree-layer", id=layer.layer_id, name=layer.title,
                    source=layer.source(gpkg), providerKey="ogr",
                    checked="Qt::Checked" if layer.visible else "Qt::Unchecked",
                    expanded="0" if not layer.style else "1", legend_exp="",
                    patch_size="-1,-1", legend_split_behavior="0")
        _sub(node, "customproperties")
    order = _sub(tree, "custom-order", enabled="0")
    for layer in layers:
        _sub(order, "item", layer.layer_id)


def _project_metadata(root: ET.Element, info: ProjectInfo) -> None:
    """``<projectMetadata>``: title, abstract with the as-of date, links, licences."""
    as_of = f"{pd.Timestamp(info.as_of):%Y-%m-%d}"
    meta = _sub(root, "projectMetadata")
    _sub(meta, "identifier", "geomap")
    _sub(meta, "parentidentifier", "")
    _sub(meta, "language", info.lang)
    _sub(meta, "type", "project")
    _sub(meta, "title", info.title)
    licences = "; ".join(info.licences) or word("gis_licences_none", info.lang)
    _sub(meta, "abstract", " ".join([info.abstract, word("gis_as_of", info.lang,
                                                         date=as_of),
                                     word("gis_licences", info.lang, names=licences)]))
    keywords = _sub(meta, "keywords", vocabulary="as-of")
    _sub(keywords, "keyword", as_of)
    links = _sub(meta, "links")
    for name, url in info.sources:
        _sub(links, "link", name=name, type_="WWW:LINK", url=url, description="Source",
             format="", mimeType="", size="")
    _sub(meta, "history", f"Data as of {as_of}.")
    _sub(meta, "author", AUTHOR)
    _sub(meta, "creation", f"{as_of}T00:00:00")


def _properties(root: ET.Element, info: ProjectInfo) -> None:
    """Relative paths, the CRS switch, the ellipsoid and the as-of variable."""
    properties = _sub(root, "properties")
    _sub(_sub(properties, "Paths"), "Absolute", "false", type_="bool")
    srs = _sub(properties, "SpatialRefSys")  # without it QGIS ignores <projectCrs>
    _sub(srs, "ProjectionsEnabled", "1", type_="int")
    _sub(_sub(properties, "Measure"), "Ellipsoid", "EPSG:7030", type_="QString")
    variables = _sub(properties, "Variables")
    _sub(_sub(variables, "variableNames", type_="QStringList"), "value", "geomap_as_of")
    _sub(_sub(variables, "variableValues", type_="QStringList"), "value",
         f"{pd.Timestamp(info.as_of):%Y-%m-%d}")


def project_xml(layers: Sequence[ProjectLayer], info: ProjectInfo, gpkg: str, *,
                view: Sequence[float], layouts: Sequence[ET.Element] = ()) -> str:
    """The ``.qgs`` text of *layers* (top of the tree first) stored in *gpkg*.

    Parameters
    ----------
    layers : sequence of ProjectLayer
        Top of the layer tree first (drawn last).
    info : ProjectInfo
        Title, as-of date, abstract, sources, licences and the project CRS.
    gpkg : str
        The GeoPackage's file name, beside the project.
    view : sequence of float
        The default view extent, in the project CRS.
    layouts : sequence of Element
        Print layouts.

    Returns
    -------
    str
        The project document.
    """
    as_of = f"{pd.Timestamp(info.as_of):%Y-%m-%d}"
    root = element("qgis", projectname=info.title, version=QGIS_VERSION,
                      saveUser=AUTHOR, saveUserFull=AUTHOR,
                      saveDateTime=f"{as_of}T00:00:00")
    _sub(root, "homePath", path="")
    _sub(root, "title", info.title)
    spatialrefsys(_sub(root, "projectCrs"), info.crs)
    _tree(root, layers, gpkg)
    project = _sub(root, "projectlayers")
    for layer in layers:
        _maplayer(project, layer, gpkg)
    order = _sub(root, "layerorder")
    for layer in layers:
        _sub(order, "layer", id=layer.layer_id)
    _properties(root, info)
    _project_metadata(root, info)
    settings = _sub(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    default = _sub(settings, "DefaultViewExtent", **dict(zip(
        ("xmin", "ymin", "xmax", "ymax"), (repr(float(v)) for v in view), strict=True)))
    spatialrefsys(default, info.crs)
    _sub(root, "Layouts").extend(layouts)
    ET.indent(root)
    return DOCTYPE + xml_string(root) + "\n"


def write_qgz(path: Path, text: str) -> Path:
    """Write the project *text* as a ``.qgz`` at *path*, byte for byte the same each time.

    Returns
    -------
    Path
        *path*.
    """
    path = Path(path)
    entry = zipfile.ZipInfo(path.with_suffix(".qgs").name, date_time=(1980, 1, 1, 0, 0,
                                                                       0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(entry, text.encode("utf-8"))
    return path
