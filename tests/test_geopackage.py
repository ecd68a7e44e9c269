"""The GeoPackage for GIS analysts: typed columns, column docs, provenance, styles.

Read back with pyogrio and sqlite3 (QGIS itself opens it in test_qgis.py).
"""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box

from geomap.actors import ACTORS
from geomap.errors import SchemaError
from geomap.export.geopackage import GPKG_VERSION, write_layers
from geomap.export.gis_package import split_control
from geomap.export.gis_style import holder_categories, people_classes
from geomap.export.gis_text import layout_text
from geomap.export.gpkg_columns import typed_columns
from geomap.export.qgis_layout import no_expressions
from geomap.fields import FIELDS, aliases_for, field_for
from geomap.render.markup import MapText
from geomap.schema import COLUMNS
from geomap.summarise.conflict import TABLE_COLUMNS as CONFLICT_COLUMNS

from .conftest import CONTROL, REPO

DATE = pd.Timestamp("2025-03-01")
SPATIAL = ("admin", "towns", "mines", "control_areas", "control_places", "displacement",
           "changes")
TABLES = ("summary_areas", "summary_actors", "join_report", "rejects", "sources")
CONTEXT = ("context_countries", "context_lakes") if (
    REPO / "shapes" / "context").is_dir() else ()


@pytest.fixture
def gpkg(gis_build: Path) -> Path:
    """The GeoPackage of the session's build of the synthetic layers."""
    return gis_build / "geomap.gpkg"


def _query(path: Path, sql: str, *args) -> list[tuple]:
    """Rows of one SQL query on the GeoPackage."""
    with sqlite3.connect(path) as con:
        return con.execute(sql, args).fetchall()


def _types(path: Path, layer: str) -> dict[str, str]:
    """OGR field type of each column of *layer*."""
    info = pyogrio.read_info(path, layer=layer)
    return dict(zip(info["fields"], info["ogr_types"], strict=True))


def test_layers_have_one_geometry_type_each(gpkg: Path) -> None:
    """Control is split: areas are polygons, places points; no generic geometry."""
    listed = dict(pyogrio.list_layers(gpkg))
    assert set(listed) == {*SPATIAL, *CONTEXT, *TABLES, "layer_styles"}
    assert listed["changes"] == "Point"  # changes.csv placed on the map
    assert listed["control_areas"] in ("Polygon", "MultiPolygon")
    assert listed["control_places"] == "Point"
    assert "control" not in listed
    assert all(listed[t] is None for t in (*TABLES, "layer_styles"))
    areas = pyogrio.read_dataframe(gpkg, layer="control_areas")
    places = pyogrio.read_dataframe(gpkg, layer="control_places")
    assert set(areas.geom_type) <= {"Polygon", "MultiPolygon"}
    assert set(places.geom_type) == {"Point"}
    assert len(areas) + len(places) == len(CONTROL)  # no record lost in the split
    assert set(areas["place"]) == {"T02"}


def test_dates_are_dates_and_counts_integers(gpkg: Path) -> None:
    """start/end/date/as_of are GeoPackage DATE; people are 64-bit integers."""
    for layer in ("control_areas", "control_places"):
        types = _types(gpkg, layer)
        assert types["start"] == types["end"] == types["as_of"] == "OFTDate", layer
    assert _types(gpkg, "displacement")["date"] == "OFTDate"
    assert _types(gpkg, "towns")["people"] == "OFTInteger64"
    assert _types(gpkg, "towns")["people_as_of"] == "OFTDate"
    assert _types(gpkg, "summary_areas")["since"] == "OFTDate"
    places = pyogrio.read_dataframe(gpkg, layer="control_places")
    alpha = places.loc[places["place"] == "alpha"].sort_values("actor")
    assert alpha["end"].astype(str).tolist()[0] == "2025-01-27"  # fardc until then
    assert pd.isna(alpha["start"].tolist()[0])  # held before the sources: NULL


def test_no_zero_where_no_figure(gpkg: Path) -> None:
    """Places without a displacement figure have NULL people, never 0."""
    rows = dict(_query(gpkg, "SELECT town_id, people FROM towns"))
    assert rows == {"alpha": 300, "bravo": None, "charlie": None}
    areas = dict(_query(gpkg, "SELECT pcode, people FROM admin"))
    assert areas == {"T01": 1500, "T02": 700}
    mines = _query(gpkg, "SELECT count(*) FROM towns WHERE mines IS NULL")
    assert mines == [(0,)]  # no mine is a true zero, not a missing figure


def test_version_and_layer_order_of_tables(gpkg: Path) -> None:
    """GeoPackage 1.2 (application_id GPKG, user_version 10200)."""
    assert GPKG_VERSION == "1.2"
    assert _query(gpkg, "PRAGMA application_id") == [(0x47504B47,)]
    assert _query(gpkg, "PRAGMA user_version") == [(10200,)]


def test_column_docs_cover_every_column(gpkg: Path) -> None:
    """Each column of each table has an alias and a description in gpkg_data_columns."""
    for table in (*SPATIAL, *CONTEXT, *TABLES):
        columns = [r[1] for r in _query(gpkg, "SELECT * FROM pragma_table_info(?)",
                                        table) if r[1] not in ("fid", "geom")]
        documented = dict(_query(gpkg, "SELECT column_name, description FROM "
                                 "gpkg_data_columns WHERE table_name = ?", table))
        assert sorted(documented) == sorted(columns), table
    people = _query(gpkg, "SELECT name, description FROM gpkg_data_columns WHERE "
                    "table_name = 'towns' AND column_name = 'people'")
    assert people[0][0] == "People displaced"
    assert "persons" in people[0][1]
    assert "NULL = no figure" in people[0][1]
    assert _query(gpkg, "SELECT count(*) FROM gpkg_extensions WHERE extension_name = "
                  "'gpkg_schema'") == [(2,)]


def test_layer_metadata_for_qgis(gpkg: Path) -> None:
    """Each spatial layer has one QGIS metadata document: title, as-of, licences."""
    rows = _query(gpkg, "SELECT r.table_name, m.md_standard_uri, m.metadata FROM "
                  "gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = "
                  "m.id WHERE r.reference_scope = 'table'")
    assert sorted(r[0] for r in rows) == sorted((*SPATIAL, *CONTEXT))
    for table, uri, text in rows:
        assert uri == "http://mrcc.com/qgis.dtd"
        document = ET.fromstring(text)
        assert document.findtext("identifier") == table
        assert document.findtext("abstract").endswith("As of 2025-03-01.")
        assert document.find("extent/temporal/period/start").text.startswith(
            "2025-03-01")
    control = ET.fromstring(next(t for n, _, t in rows if n == "control_areas"))
    assert [link.get("url") for link in control.iter("link")] == [
        "https://example.org/control"]
    described = dict(_query(gpkg, "SELECT table_name, identifier FROM gpkg_contents"))
    assert described["towns"] == "Control: towns"


def test_layer_styles_hold_a_default_for_each_layer(gpkg: Path) -> None:
    """One default QML per table; QML and SLD parse; holders coloured, towns labelled."""
    rows = _query(gpkg, "SELECT f_table_name, styleQML, styleSLD, useAsDefault, "
                  "f_table_schema FROM layer_styles ORDER BY id")
    drawn = ("control_places", "control_areas", "mines", "towns", "changes",
             "displacement", *CONTEXT[1:], "admin", *CONTEXT[:1])
    assert [r[0] for r in rows] == [*drawn, *TABLES]  # the project's order
    assert all(r[3] == 1 and r[4] == "" for r in rows)
    styles = {r[0]: (ET.fromstring(r[1].split("\n", 1)[1]), r[2]) for r in rows}
    towns, towns_sld = styles["towns"]
    assert towns.find("renderer-v2").get("type") == "categorizedSymbol"
    values = [c.get("value") for c in towns.iter("category")]
    assert values[:2] == ["m23", "fardc"]
    assert values[-2:] == ["contested", ""]
    assert towns.find("labeling/settings/text-style").get("fieldName") == "name"
    assert towns.find("aliases/alias[@field='people']").get("name") == "People displaced"
    assert ACTORS["m23"].color in towns_sld  # the colour of the web and print maps
    admin, _ = styles["admin"]
    dashes = {p.get("v") for p in admin.iter("prop") if p.get("k") == "customdash"}
    assert dashes >= {"2.12;1.06", "0.35;0.71"}  # claimed, contested (style table)
    people, _ = styles["displacement"]
    assert people.find("renderer-v2").get("type") == "graduatedSymbol"
    assert styles["summary_areas"][1] == ""  # nothing to draw in a table
    ET.fromstring(styles["mines"][1].split("\n", 1)[1])


def test_project_sits_beside_the_geopackage(gpkg: Path) -> None:
    """geomap.qgz holds one .qgs that names the GeoPackage by a relative path."""
    with zipfile.ZipFile(gpkg.parent / "geomap.qgz") as archive:
        names = archive.namelist()
        text = archive.read(names[0]).decode("utf-8")
    assert names == ["geomap.qgs"]
    project = ET.fromstring(text.split("\n", 1)[1])
    sources = {e.text for e in project.iter("datasource")}
    assert "./geomap.gpkg|layername=towns" in sources
    assert not any(str(gpkg.parent) in s for s in sources)
    assert project.find("properties/Paths/Absolute").text == "false"
    assert project.find("projectCrs/spatialrefsys/authid").text == "EPSG:32735"


def test_typed_columns_keep_what_does_not_fit() -> None:
    """Months stay text; non-numbers keep a count column as text; lists are joined."""
    frame = pd.DataFrame({
        "date": ["2025-01-02", "2025-02", None],
        "source_date": ["2025-01-02", "", None],
        "sources_count": ["2", "", None],
        "workers": ["12", "about 40", None],
        "people": [10.0, 20.0, None], "people_as_of": ["2025-01-01", None, None],
        "minerals": [["gold", "tin"], [], None], "_row": [1, 2, 3],
        "in_force": [True, False, None]})
    typed = typed_columns(frame, "towns")
    assert typed["date"].tolist() == ["2025-01-02", "2025-02", None]
    assert str(typed["source_date"].dtype).startswith("date32")
    assert typed["sources_count"].tolist()[0] == 2
    assert pd.isna(typed["sources_count"].tolist()[1])
    assert typed["workers"].tolist() == ["12", "about 40", None]
    assert typed["people"].tolist()[0] == 10
    assert pd.isna(typed["people"].tolist()[1])  # a figure without its date: none
    assert typed["minerals"].tolist() == ["gold; tin", "", None]
    assert "_row" not in typed
    assert typed["in_force"].dtype == "boolean"
    assert frame["people"].tolist()[1] == 20.0  # the input is not changed


def test_write_layers_rejects_mixed_geometry_and_duplicate_names(tmp_path) -> None:
    """A layer mixing points and polygons, or a layer named like a table, fails."""
    mixed = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(29, -1.5),
                                                      box(29, -2, 29.1, -1.9)],
                             crs="EPSG:4326")
    with pytest.raises(SchemaError, match="Split the layer"):
        write_layers({"control": mixed}, {}, tmp_path / "x.gpkg", as_of=DATE)
    with pytest.raises(SchemaError, match=re.escape("['admin']")):
        write_layers({"admin": mixed.iloc[:1]}, {"admin": pd.DataFrame({"a": [1]})},
                     tmp_path / "x.gpkg", as_of=DATE)


def test_empty_layers_keep_their_types(tmp_path: Path) -> None:
    """An empty layer opens as points with a DATE column; an empty table is written."""
    empty = gpd.GeoDataFrame({"start": pd.Series(dtype="datetime64[s]"),
                              "people": pd.Series(dtype="float64")}, geometry=[],
                             crs="EPSG:4326")
    path = write_layers({"control_places": empty}, {"rejects": pd.DataFrame(
        {"row": pd.Series(dtype=object)})}, tmp_path / "x.gpkg", as_of=DATE,
        empty_types={"control_places": "Point"})
    assert dict(pyogrio.list_layers(path))["control_places"] == "Point"
    assert _types(path, "control_places") == {"start": "OFTDate",
                                              "people": "OFTInteger64"}
    assert pyogrio.read_info(path, layer="rejects")["features"] == 0


def test_split_control_keeps_points_and_missing_geometry_together() -> None:
    """Polygons go to control_areas; points and empty geometries to control_places."""
    control = gpd.GeoDataFrame({"place": ["a", "b", "c"]}, geometry=[
        box(0, 0, 1, 1), Point(0, 0), None], crs="EPSG:4326")
    parts = split_control(control)
    assert parts["control_areas"]["place"].tolist() == ["a"]
    assert parts["control_places"]["place"].tolist() == ["b", "c"]


def test_styles_come_from_the_map_styles() -> None:
    """Unknown actors get their own colour; classes follow the print legend."""
    categories = holder_categories(["m23", "newgroup", None, "contested"])
    assert [c.value for c in categories][-3:] == ["newgroup", "contested", ""]
    assert categories[0].colour == ACTORS["m23"].color
    classes = people_classes(1_200_000)
    assert [(c.lower, c.upper) for c in classes] == [
        (1, 75_000), (75_001, 300_000), (300_001, 1_200_000)]
    assert classes[0].diameter_mm < classes[-1].diameter_mm
    assert people_classes(0) == []
    assert [c.upper for c in people_classes(10)] == [2, 10]


def test_field_docs_are_consistent() -> None:
    """Dated figures name a date column; aliases are made unique per layer."""
    for name, doc in FIELDS.items():
        assert doc.alias, name
        assert doc.meaning, name
        if doc.dated_by:
            assert FIELDS[doc.dated_by].kind == "date", name
    assert field_for("control_places", "actor").alias == "Actor id"
    assert field_for("towns", "no_such_column") is None
    docs = aliases_for("x", ["since", "control_since"])
    assert [d.alias for d in docs.values()] == ["Held since", "Held since (control_since)"]


def test_no_expressions_breaks_qgis_expressions() -> None:
    """'[%' in data text is broken so a QGIS label shows it as written."""
    assert "[%" not in no_expressions("[% @project_path %]")
    assert no_expressions("plain [text] 50%") == "plain [text] 50%"


def test_gis_words_follow_the_language() -> None:
    """The layout, legend and layer words come from the words table, in French too."""
    text = MapText(title="Kivu", as_of=pd.Timestamp("2025-03-01"), lang="fr",
                   credits=["zones : OCHA"])
    layout = layout_text(text, pd.DataFrame({
        "actor": ["m23", "fardc"], "towns": [2, 1], "areas": [1, 0], "mines": [2, 0],
        "people": [1000.0, None]}))
    assert layout.subtitle == "Contrôle au 1er mars 2025"
    assert layout.sources.startswith("Sources\u00a0: zones : OCHA.")
    assert "FARDC\u00a0: Localités 1, Zones 0, Mines 0, Déplacés* aucun chiffre" in \
        layout.holders  # no figure is said, never 0
    assert holder_categories([], "fr")[-1].label == "Aucun relevé de contrôle"
    assert [c.label for c in people_classes(1_600_000, "fr")][-1] == \
        "400\u00a0001 – 1\u00a0600\u00a0000"


@pytest.mark.parametrize(("table", "columns"), [
    ("conflict_events", CONFLICT_COLUMNS),
    ("events", (*COLUMNS["events"], "date_text", "changes_nearby")),
    *((layer, COLUMNS[layer]) for layer in ("admin", "towns", "mines", "displacement")),
    ("control_areas", COLUMNS["control"])])
def test_tables_of_every_stage_are_documented(table: str, columns: tuple) -> None:
    """Columns that other stages put in the GeoPackage have an alias and a meaning."""
    assert [c for c in columns if field_for(table, c) is None] == []


def test_layer_metadata_names_a_bounded_number_of_sources() -> None:
    """A layer whose every row cites its own source (1.7 million of them wrote a
    9.8 MB QGIS project and most of a build's memory) names LAYER_SOURCES in its
    metadata and counts the others; its rows and the 'sources' table keep them."""
    from geomap.export.gis_text import LAYER_SOURCES, provenance
    from geomap.export.gpkg_metadata import metadata_element

    count = LAYER_SOURCES + 57
    frame = pd.DataFrame({"source": [f"Note {i:04d}" for i in range(count)],
                          "url": [f"https://e.org/{i}" for i in range(count)]})
    meta = provenance("Displacement", "People displaced", frame,
                      MapText("t", pd.Timestamp("2025-03-01")))
    assert len(meta.sources) == LAYER_SOURCES
    assert meta.sources_more == 57
    root = metadata_element("displacement", meta, None)
    assert len(list(root.iter("link"))) == LAYER_SOURCES
    assert "cites 57 more sources" in root.find("history").text
    few = provenance("Displacement", "", frame.head(3), MapText("t", "2025-03-01"))
    assert (len(few.sources), few.sources_more) == (3, 0)
    assert "more sources" not in metadata_element("d", few, None).find("history").text


def _typed_simply(values: pd.Series, kind: str) -> pd.Series | None:
    """The general rule, value by value: dates as days, whole numbers through floats,
    text cell by cell (missing as None)."""
    import numpy as np

    from geomap.export.gis import cell_text

    if kind == "date":
        days = values.dt.tz_localize(None) if values.dt.tz is not None else values
        return pd.Series(pd.array([d.date() if pd.notna(d) else None for d in days],
                                  dtype=pd.ArrowDtype(__import__("pyarrow").date32())),
                         index=values.index)
    if kind == "count":
        numbers = pd.to_numeric(values.astype(object).where(values.notna(), None),
                                errors="coerce")
        whole = numbers[values.notna()]
        return numbers.round().astype("Int64") if np.allclose(whole, whole.round()) \
            else None
    return pd.Series([None if (text := cell_text(v)) is None else str(text)
                      for v in values], index=values.index, dtype=object)


@pytest.mark.parametrize(("values", "kind"), [
    (pd.Series([3, 0, 1_700_000]), "count"),
    (pd.Series([5, None, 2**53], dtype="Int64"), "count"),
    (pd.Series([None, None], dtype="Int64"), "count"),
    (pd.Series([2**60, 1]), "count"),
    (pd.Series([], dtype="int64"), "count"),
    (pd.Series(["Goma", None, "", " =1"], dtype="string"), "text"),
    (pd.Series(["Goma", None, "Sake"], dtype="str"), "text"),
    (pd.Series([None, None], dtype="string"), "text"),
    (pd.Series(pd.to_datetime(["1969-12-31 12:00", None, "2025-01-01 23:59"])),
     "date"),
    (pd.Series(pd.to_datetime(["2025-01-01 23:30", None]).tz_localize("Africa/Kigali")),
     "date"),
    (pd.Series([pd.NaT, pd.NaT], dtype="datetime64[s]"), "date"),
], ids=["ints", "nullable-ints", "all-missing", "beyond-float", "none", "strings",
        "str", "missing-strings", "moments", "time-zone", "no-dates"])
def test_typed_columns_as_the_general_rule(values, kind):
    """Columns typed at once (counts, text, dates) equal the value-by-value rule:
    a count too big for a float still goes through floats, a moment keeps its day."""
    from geomap.export.gpkg_columns import _column

    values = values.rename("column").set_axis(range(3, 3 + len(values)))
    expected = _typed_simply(values, kind)
    got = _column(values, kind)
    pd.testing.assert_series_equal(got, expected, check_names=False, check_exact=True)
