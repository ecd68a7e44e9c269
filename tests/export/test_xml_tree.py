"""Elements of the GeoPackage metadata and QGIS project stay well-formed XML."""

import xml.etree.ElementTree as ET

import pytest

from geomap.export.xml_tree import element, sub, xml_text

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
