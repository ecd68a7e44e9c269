"""Run by QGIS's own Python (not the test venv): open geomap's GeoPackage and project.

Usage: python3 qgis_probe.py GPKG QGZ OUT_DIR
Prints one line ``RESULT {json}`` with what QGIS found, renders the project to
OUT_DIR/qgis-project.png and exports its print layout to OUT_DIR/layout.pdf and
OUT_DIR/layout.png. Kept free of assertions: the tests judge the facts.
"""

from __future__ import annotations

import json
import sqlite3
import sys

from qgis.core import (
    QgsApplication,
    QgsExpressionContextUtils,
    QgsLayoutExporter,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def layer_facts(layer: QgsVectorLayer) -> dict:
    """What QGIS reports about one vector layer."""
    renderer = layer.renderer()
    meta = layer.metadata()
    temporal = layer.temporalProperties()
    return {
        "valid": layer.isValid(), "features": layer.featureCount(),
        "wkb": layer.wkbType(), "geometry": layer.geometryType(),
        "renderer": renderer.type() if renderer else None,
        "categories": [[c.value(), c.label()] for c in
                       getattr(renderer, "categories", list)()],
        "ranges": [[r.lowerValue(), r.upperValue(), r.label()] for r in
                   getattr(renderer, "ranges", list)()],
        "labelled": layer.labelsEnabled(),
        "label_field": layer.labeling().settings().fieldName
        if layer.labeling() and hasattr(layer.labeling(), "settings") else None,
        "fields": {f.name(): f.typeName() for f in layer.fields()},
        "aliases": {f.name(): f.alias() for f in layer.fields() if f.alias()},
        "title": meta.title(), "abstract": meta.abstract(),
        "licences": list(meta.licenses()), "links": [k.url for k in meta.links()],
        "temporal_extent": [r.begin().toString("yyyy-MM-dd") for r in
                            meta.extent().temporalExtents()],
        "temporal": temporal.isActive(),
        "temporal_fields": [temporal.startField(), temporal.endField()],
        "source": layer.source(), "name": layer.name(),
        "crs": layer.crs().authid(),
    }


def sld_facts(gpkg: str, table: str, sld: str, out: str) -> dict:
    """Whether QGIS reads the stored SLD, and the renderer it makes from it."""
    layer = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
    path = f"{out}/{table}.sld"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(sld)
    error, ok = layer.loadSldStyle(path)
    renderer = layer.renderer()
    rules = renderer.rootRule().children() if renderer.type() == "RuleRenderer" else []
    return {"ok": ok, "error": error, "renderer": renderer.type(), "rules": len(rules)}


def main() -> None:
    """Open, render and export; print the facts as JSON."""
    gpkg, qgz, out = sys.argv[1:4]
    app = QgsApplication([], False)
    app.initQgis()
    facts: dict = {"layers": {}, "sld": {}}
    with sqlite3.connect(gpkg) as con:
        styles = con.execute("SELECT f_table_name, styleSLD, useAsDefault FROM "
                             "layer_styles").fetchall()
    for table, sld, _ in styles:
        facts["layers"][table] = layer_facts(
            QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr"))
        if sld:
            facts["sld"][table] = sld_facts(gpkg, table, sld, out)
    project = QgsProject.instance()
    facts["project_read"] = project.read(qgz)
    root = project.layerTreeRoot()

    def walk(group) -> list:
        return [[n.name(), walk(n)] if n.nodeType() == 0 else n.name()
                for n in group.children()]

    facts["tree"] = walk(root)
    facts["project_layers"] = {node.layer().id(): {
        **layer_facts(node.layer()), "visible": node.isVisible()}
        for node in root.findLayers()}
    meta = project.metadata()
    facts["project"] = {
        "title": project.title(), "meta_title": meta.title(),
        "abstract": meta.abstract(), "links": len(meta.links()),
        "crs": project.crs().authid(), "ellipsoid": project.ellipsoid(),
        "absolute": project.filePathStorage() if hasattr(project, "filePathStorage")
        else None,
        "as_of": QgsExpressionContextUtils.projectScope(project).variable(
            "geomap_as_of"),
        "layouts": [layout.name() for layout in
                    project.layoutManager().printLayouts()],
    }
    visible = [layer for layer in root.layerOrder()
               if root.findLayer(layer.id()).isVisible()]
    settings = QgsMapSettings()
    settings.setLayers(visible)
    settings.setDestinationCrs(project.crs())
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setOutputSize(QSize(900, 1300))
    settings.setOutputDpi(110)
    settings.setExtent(project.viewSettings().defaultViewExtent())
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    facts["png"] = job.renderedImage().save(f"{out}/qgis-project.png", "png")
    layout = project.layoutManager().printLayouts()[0]
    facts["items"] = sorted(i.id() for i in layout.items() if getattr(i, "id", None)
                            and i.id())
    exporter = QgsLayoutExporter(layout)
    facts["pdf"] = int(exporter.exportToPdf(f"{out}/layout.pdf",
                                            QgsLayoutExporter.PdfExportSettings()))
    sys.stdout.write("RESULT " + json.dumps(facts) + "\n")
    app.exitQgis()


if __name__ == "__main__":
    main()
