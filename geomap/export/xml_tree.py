"""XML elements for the GeoPackage metadata and the QGIS project, from any text.

ElementTree escapes markup characters but writes control characters as they are,
which XML 1.0 forbids: a name or source holding one made a file that GDAL and QGIS
refuse. Every element geomap writes from text goes through :func:`element` (a
document's root) or :func:`sub`, which leave them out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 does not allow in a document."""


def xml_text(text: str) -> str:
    """*text* without the characters XML 1.0 does not allow."""
    return _NOT_XML.sub("", text)


def _attributes(attrs: dict[str, object]) -> dict[str, str]:
    """Attribute values as XML text; a trailing '_' is dropped from a name."""
    return {name.rstrip("_"): xml_text(str(value)) for name, value in attrs.items()}


def element(tag: str, **attrs: str) -> ET.Element:
    """A root element with attributes (see :func:`sub`)."""
    return ET.Element(tag, _attributes(attrs))


def sub(parent: ET.Element, tag: str, text: str | None = None,
        **attrs: str) -> ET.Element:
    """Append a child element with optional text and attributes.

    A trailing '_' is dropped from attribute names (``type_`` for ``type``).
    """
    child = ET.SubElement(parent, tag, _attributes(attrs))
    if text is not None:
        child.text = xml_text(text)
    return child
