"""XML elements for the GeoPackage metadata and the QGIS project, from any text.

ElementTree escapes markup characters but writes control characters as they are,
which XML 1.0 forbids: a name or source holding one made a file that GDAL and QGIS
refuse. Every element geomap writes from text goes through :func:`element` (a
document's root) or :func:`sub`, which leave them out. :func:`xml_string` writes a
tree as ElementTree does, quicker (a QGIS project holds thousands of elements).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 does not allow in a document: every character but tab, line
feed, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and U+10000-U+10FFFF (the short
list compiles in a tenth of the time of the negated ranges of the standard)."""


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


_CDATA = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"})
_MARKUP = re.compile("[&<>]").search
_ATTRIBUTE_MARKUP = re.compile('[&<>"\r\n\t]').search
"""Whether a text or an attribute value has a character to escape: most have none
(a search is quicker than a translation that changes nothing)."""


class _UnusualTreeError(Exception):
    """A tree :func:`xml_string` leaves to ElementTree (a comment, a namespace...)."""


def xml_string(root: ET.Element) -> str:
    """``ET.tostring(root, encoding="unicode")``, the same text, written in one pass.

    ElementTree first walks the tree for namespaces, then writes each element through
    a chain of calls; geomap's trees have plain tags and text only, which are written
    here directly. Any other tree (comments, processing instructions, namespaced or
    non-text names and values) is written by ElementTree itself.
    """
    parts: list[str] = []
    try:
        _write(root, parts.append)
    except _UnusualTreeError:
        return ET.tostring(root, encoding="unicode")
    return "".join(parts)


def _write(node: ET.Element, write) -> None:
    """Write *node*, its children and its tail as ElementTree's XML writer does."""
    tag = node.tag
    if type(tag) is not str or tag[:1] == "{":
        raise _UnusualTreeError
    start = "<" + tag
    for name, value in node.attrib.items():
        if type(name) is not str or type(value) is not str or name[:1] == "{":
            raise _UnusualTreeError
        if _ATTRIBUTE_MARKUP(value):
            value = value.translate(_ATTRIBUTE)
        start += " " + name + '="' + value + '"'
    text = node.text
    if text is not None and type(text) is not str:
        raise _UnusualTreeError
    if text or len(node):
        write(start + ">" + (text.translate(_CDATA) if text and _MARKUP(text) else
                             text or ""))
        for child in node:
            _write(child, write)
        write("</" + tag + ">")
    else:
        write(start + " />")
    tail = node.tail
    if tail:
        if type(tail) is not str:
            raise _UnusualTreeError
        write(tail.translate(_CDATA) if _MARKUP(tail) else tail)
