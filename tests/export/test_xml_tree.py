"""Elements of the GeoPackage metadata and QGIS project stay well-formed XML."""

import xml.etree.ElementTree as ET

import pytest

from geomap.export.xml_tree import element, sub, xml_string, xml_text

HOSTILE = "Kivu\x01 <b>&\x0b\"'{{ 7*7 }}[% 1 %]\ufffe\u200bé\U0001f600"


def test_control_characters_are_left_out_and_the_rest_kept():
    assert xml_text(HOSTILE) == "Kivu <b>&\"'{{ 7*7 }}[% 1 %]\u200bé\U0001f600"
    assert xml_text("a\tb\nc\rd") == "a\tb\nc\rd"  # the three XML allows


def test_an_element_from_hostile_text_parses_back_as_the_same_text():
    root = ET.Element("qgis")
    child = sub(root, "title", HOSTILE, type_=HOSTILE, name="x")
    assert set(child.attrib) == {"type", "name"}  # the trailing '_' dropped
    back = ET.fromstring(ET.tostring(root, encoding="unicode")).find("title")
    assert back.text == xml_text(HOSTILE)
    assert back.get("type") == xml_text(HOSTILE)


def test_elementtree_alone_would_write_what_no_parser_reads():
    """Why sub() cleans: the same text through ElementTree alone is not XML."""
    root = ET.Element("qgis")
    ET.SubElement(root, "title").text = HOSTILE
    with pytest.raises(ET.ParseError):
        ET.fromstring(ET.tostring(root, encoding="unicode"))


def test_an_element_without_text_has_none():
    assert sub(ET.Element("a"), "b").text is None


def test_a_root_element_from_hostile_text_parses_back():
    root = element("qgis", projectname=HOSTILE)
    back = ET.fromstring(ET.tostring(root, encoding="unicode"))
    assert back.get("projectname") == xml_text(HOSTILE)


def test_a_title_with_control_characters_gives_a_project_qgis_reads(tmp_path):
    """A --title holding control characters still gives a well-formed project."""
    import pandas as pd

    from geomap.export.qgis_project import ProjectInfo, project_xml

    info = ProjectInfo(title=HOSTILE, abstract="", as_of=pd.Timestamp("2025-03-01"),
                       crs="EPSG:4326")
    back = ET.fromstring(project_xml([], info, "geomap.gpkg", view=(28, -5, 30, 0)))
    assert back.get("projectname") == xml_text(HOSTILE)
    assert back.find("title").text == xml_text(HOSTILE)


def _tree() -> ET.Element:
    """Empty elements, text and tails with markup, attributes holding every escaped
    character, whitespace-only text, an indented subtree and a deep chain."""
    root = element("qgis", projectname=HOSTILE, note='a"b\tc\nd\re&<>', empty="")
    sub(root, "empty")
    sub(root, "blank", "")
    sub(root, "text", "1 < 2 & 3 > 2\n\ttab", kind="x")
    tailed = sub(root, "tailed", "in")
    tailed.tail = " after <&> "
    deep = root
    for depth in range(30):
        deep = sub(deep, f"level{depth}", None if depth % 2 else " ", n=str(depth))
    layers = sub(root, "layers")
    for number in range(3):
        sub(sub(layers, "layer", id=f"l{number}"), "name", f"Layer {number}")
    ET.indent(layers)
    return root


def test_xml_string_writes_what_elementtree_writes():
    """The quick writer gives ElementTree's text for geomap's trees, and leaves
    trees it does not write (comments, namespaces) to ElementTree itself."""
    root = _tree()
    assert xml_string(root) == ET.tostring(root, encoding="unicode")
    ET.indent(root)
    assert xml_string(root) == ET.tostring(root, encoding="unicode")
    root.append(ET.Comment(" a comment "))
    assert xml_string(root) == ET.tostring(root, encoding="unicode")
    spaced = ET.Element("{http://www.opengis.net/sld}StyledLayerDescriptor")
    ET.SubElement(spaced, "{http://www.opengis.net/se}Name").text = "x"
    assert xml_string(spaced) == ET.tostring(spaced, encoding="unicode")


def test_xml_string_refuses_what_elementtree_refuses():
    """A value that is not text is an error either way, not a different file."""
    root = ET.Element("qgis", {"n": 3})
    with pytest.raises(TypeError):
        ET.tostring(root, encoding="unicode")
    with pytest.raises(TypeError):
        xml_string(root)


@pytest.mark.parametrize("char", ["&", "<", ">", '"', "\t", "\n", "\r"])
def test_each_character_to_escape_is_escaped_on_its_own(char: str):
    """The quick writer looks for a character to escape before escaping: each one,
    alone in a value, text or tail, is still escaped as ElementTree escapes it."""
    root = ET.Element("root", {"value": f"a{char}b"})
    child = ET.SubElement(root, "text")
    child.text = f"c{char}d"
    child.tail = f"e{char}f"
    assert xml_string(root) == ET.tostring(root, encoding="unicode")
