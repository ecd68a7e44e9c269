"""Each layer's provenance in the GeoPackage, where QGIS shows it (Layer Properties →
Metadata): title, abstract, as-of date, licences and source links.

The metadata is a QGIS layer metadata document (the element names QGIS 3.22 writes)
stored in ``gpkg_metadata`` with the standard URI QGIS's OGR provider looks for, and
linked to its table in ``gpkg_metadata_reference``; the layer's title and abstract
also go into ``gpkg_contents``. Text reaches the XML through ElementTree only.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from geomap.export.geopackage import register_extension
from geomap.export.xml_tree import sub as _sub
from geomap.export.xml_tree import xml_string
from geomap.words import word

METADATA_EXTENSION = "http://www.geopackage.org/spec120/#extension_metadata"
QGIS_METADATA_URI = "http://mrcc.com/qgis.dtd"
"""``md_standard_uri`` that QGIS's OGR provider reads as a layer's metadata."""
KEYWORDS = ("eastern DR Congo", "Nord-Kivu", "Sud-Kivu", "geomap")


@dataclass(frozen=True)
class Provenance:
    """Where a layer comes from and what it shows, as of one day."""

    title: str
    abstract: str
    as_of: pd.Timestamp
    licences: Sequence[str] = ()
    sources: Sequence[tuple[str, str]] = field(default_factory=tuple)
    """(name, URL) of the sources the layer cites (the first LAYER_SOURCES); the URL
    may be ''."""
    lang: str = "en"
    sources_more: int = 0
    """Sources the layer cites beyond *sources*: its rows and the GeoPackage's
    ``sources`` table name every one."""



def as_of_text(as_of: pd.Timestamp, lang: str = "en") -> str:
    """The as-of sentence every abstract ends with (the date in ISO form)."""
    return word("gis_as_of", lang, date=f"{pd.Timestamp(as_of):%Y-%m-%d}")


def metadata_element(identifier: str, meta: Provenance,
                     bounds: Sequence[float] | None, *, tag: str = "qgis",
                     crs: str = "EPSG:4326") -> ET.Element:
    """A QGIS layer metadata element (``tag`` 'qgis' in a file, 'resourceMetadata'
    inside a project) for one layer.

    Parameters
    ----------
    identifier : str
        The layer's table name.
    meta : Provenance
        Title, abstract, as-of date, licences and sources.
    bounds : sequence of float, optional
        ``(minx, miny, maxx, maxy)`` in *crs*; None for an empty layer.
    tag : str
        The root element's name.
    crs : str
        The layer's CRS.

    Returns
    -------
    Element
        The metadata, ready to serialise or to append to a project.
    """
    as_of = f"{pd.Timestamp(meta.as_of):%Y-%m-%d}"
    root = ET.Element(tag)
    _sub(root, "identifier", identifier)
    _sub(root, "parentidentifier", "")
    _sub(root, "language", meta.lang)
    _sub(root, "type", "dataset")
    _sub(root, "title", meta.title)
    _sub(root, "abstract", f"{meta.abstract} {as_of_text(meta.as_of, meta.lang)}")
    keywords = _sub(root, "keywords", vocabulary="gmd:topicCategory")
    for keyword in KEYWORDS:
        _sub(keywords, "keyword", keyword)
    links = _sub(root, "links")
    for name, url in meta.sources:
        _sub(links, "link", name=name, type="WWW:LINK", url=url, description="Source",
             format="", mimeType="", size="")
    more = (f" The layer cites {meta.sources_more:,} more sources, named in its rows; "
            "the table 'sources' lists every source." if meta.sources_more else "")
    _sub(root, "history", f"Written by geomap from data as of {as_of}.{more}")
    _sub(root, "fees", "")
    for licence in meta.licences:
        _sub(root, "license", licence)
    _sub(root, "encoding", "UTF-8")
    _sub(_sub(_sub(root, "crs"), "spatialrefsys"), "authid", crs)
    extent = _sub(root, "extent")
    if bounds is not None:
        minx, miny, maxx, maxy = (repr(float(v)) for v in bounds)
        _sub(extent, "spatial", crs=crs, dimensions="2", minx=minx, miny=miny,
             maxx=maxx, maxy=maxy, minz="0", maxz="0")
    period = _sub(_sub(extent, "temporal"), "period")
    _sub(period, "start", f"{as_of}T00:00:00Z")
    _sub(period, "end", f"{as_of}T00:00:00Z")
    return root


def write_layer_metadata(con: sqlite3.Connection, table: str, meta: Provenance,
                         bounds: Sequence[float] | None) -> None:
    """Store *meta* as *table*'s metadata, and its title and abstract in gpkg_contents.

    Parameters
    ----------
    con : sqlite3.Connection
        An open connection to the GeoPackage.
    table : str
        A table listed in ``gpkg_contents``.
    meta : Provenance
        The layer's provenance.
    bounds : sequence of float, optional
        The layer's lon/lat bounds; None for an empty layer.
    """
    stamp = f"{pd.Timestamp(meta.as_of):%Y-%m-%d}T00:00:00.000Z"
    con.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk "
                "PRIMARY KEY ASC NOT NULL, md_scope TEXT NOT NULL DEFAULT 'dataset', "
                "md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT "
                "'text/xml', metadata TEXT NOT NULL DEFAULT '')")
    con.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope "
                "TEXT NOT NULL, table_name TEXT, column_name TEXT, row_id_value "
                "INTEGER, timestamp DATETIME NOT NULL DEFAULT (strftime("
                "'%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, "
                "md_parent_id INTEGER, CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) "
                "REFERENCES gpkg_metadata(id), CONSTRAINT crmr_mpi_fk FOREIGN KEY "
                "(md_parent_id) REFERENCES gpkg_metadata(id))")
    for name in ("gpkg_metadata", "gpkg_metadata_reference"):
        register_extension(con, name, "gpkg_metadata", METADATA_EXTENSION)
    document = xml_string(metadata_element(table, meta, bounds))
    cursor = con.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, "
                         "mime_type, metadata) VALUES ('dataset', ?, 'text/xml', ?)",
                         (QGIS_METADATA_URI, document))
    con.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, "
                "timestamp, md_file_id) VALUES ('table', ?, ?, ?)",
                (table, stamp, cursor.lastrowid))
    description = f"{meta.abstract} {as_of_text(meta.as_of, meta.lang)}"
    con.execute("UPDATE gpkg_contents SET identifier = ?, description = ? WHERE "
                "table_name = ?", (meta.title, description, table))
