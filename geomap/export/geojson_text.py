"""GeoJSON geometries written as text straight from their coordinate arrays.

An admin layer's outlines hold tens of thousands of coordinates. Made into Python
lists and written by :mod:`json`, each number became a Python float, then its
``repr`` one call at a time; here each geometry's numbers are written at once by
Arrow and joined as JSON joins them. The text is the one :mod:`json` writes for
the same geometry dict (keys sorted, no spaces), number for number.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

DECIMALS = 6
"""Decimal places kept in GeoJSON coordinates (about 0.1 m at the equator)."""
PLAIN = (1e-4, 1e9)
"""Sizes of number Arrow writes as ``repr`` does: both write a double's shortest
digits, but Arrow writes a whole number without its '.0' and a small one without
an exponent (``0.00005``, where ``repr`` writes ``5e-05``); numbers outside these
sizes, and whole ones, are written by ``repr`` itself."""

FEW = 200
"""Numbers of a geometry written by ``repr`` one by one (a point, a small outline):
handing them to Arrow costs more."""


def rounded(values: np.ndarray) -> np.ndarray:
    """*values* rounded to :data:`DECIMALS` places, each exactly as Python's
    ``round(value, DECIMALS)`` rounds it (-0.0 written 0.0), for a whole array at once.

    ``rint(value * 10**DECIMALS) / 10**DECIMALS`` is the double nearest the decimal
    Python's ``round`` picks, unless the scaled value lies within a rounding error of
    a half: those few are rounded one by one by ``round`` itself.

    Examples
    --------
    >>> rounded(np.array([29.12345651, -0.0000001, 0.0000025])).tolist()
    [29.123457, 0.0, 3e-06]
    """
    scale = 10.0 ** DECIMALS
    scaled = values * scale
    whole = np.rint(scaled)
    out = whole / scale + 0.0
    near_half = np.abs(np.abs(scaled - whole) - 0.5) < 1e-6
    if near_half.any():
        out[near_half] = [round(float(v), DECIMALS) + 0.0 for v in values[near_half]]
    return out


def number_texts(values: np.ndarray) -> list[str]:
    """``repr`` of each (finite) float of *values*, in order: the text :mod:`json`
    writes for it (see :data:`PLAIN`).

    Examples
    --------
    >>> number_texts(np.array([29.123457, -1.5, 30.0, 0.00005, 1e16]))
    ['29.123457', '-1.5', '30.0', '5e-05', '1e+16']
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    texts = pc.cast(pa.array(flat), pa.string()).to_pylist()
    size = np.abs(flat)
    for at in np.flatnonzero((flat == np.trunc(flat)) | (size < PLAIN[0])
                             | (size >= PLAIN[1])).tolist():
        texts[at] = repr(float(flat[at]))
    return texts


def geometry_text(shape: shapely.Geometry) -> str | None:
    """The JSON text of ``{"type": ..., "coordinates": ...}`` of a point, line,
    polygon or multi-part geometry, its coordinates rounded (:func:`rounded`), as
    :func:`geomap.export.gis.write_geojson` writes it.

    None for what that text is not written from here: a collection, an empty
    point, a coordinate that is not finite (JSON has none: :mod:`json` says so).

    Examples
    --------
    >>> geometry_text(shapely.Point(29.0000004, -1.5))
    '{"coordinates":[29.0,-1.5],"type":"Point"}'
    """
    kind = shape.geom_type
    arrays: list[np.ndarray] = []  # every part's coordinates, in the order written
    tree = _parts(shape, kind, arrays)
    if tree is None:
        return None
    numbers = rounded(np.concatenate([a.ravel() for a in arrays])) if arrays else \
        np.empty(0)
    if not np.isfinite(numbers).all():
        return None
    texts = (number_texts(numbers) if len(numbers) > FEW else  # Arrow's call costs
             list(map(float.__repr__, numbers.tolist())))  # more than a few reprs
    at = 0
    written = []  # each array's points, as 'x,y'
    for array in arrays:
        rows, width = array.shape
        part = texts[at:at + rows * width]
        at += rows * width
        written.append(list(map(",".join, zip(
            *(part[column::width] for column in range(width)), strict=True))))
    return '{"coordinates":' + _joined(tree, written) + ',"type":"' + kind + '"}'


def _parts(shape: shapely.Geometry, kind: str, arrays: list[np.ndarray]) -> object:
    """The nesting of *shape*'s coordinates, as ``gis._coordinates`` lists them:
    ``("point", i)`` (the first coordinate of array *i*), ``("line", i)``, or a
    list of these; the arrays appended to *arrays*. None for what is not written
    here."""
    with_z = bool(shapely.has_z(shape))

    def take(part: shapely.Geometry) -> int:
        arrays.append(shapely.get_coordinates(part, include_z=with_z))
        return len(arrays) - 1

    if kind == "Point":
        return None if shape.is_empty else ("point", take(shape))
    if kind in ("LineString", "LinearRing"):
        return ("line", take(shape))
    if kind == "Polygon":
        return [("line", take(shape.exterior)),
                *(("line", take(ring)) for ring in shape.interiors)]
    if kind == "MultiPoint":
        points = list(shape.geoms)
        if any(point.is_empty for point in points):
            return None
        return [("point", take(point)) for point in points]
    if kind not in ("MultiLineString", "MultiPolygon"):
        return None
    parts = [_parts(part, part.geom_type, arrays) for part in shape.geoms]
    return None if any(part is None for part in parts) else parts


def _joined(tree: object, written: list[list[str]]) -> str:
    """The JSON text of a nesting of :func:`_parts`, its points *written*."""
    if isinstance(tree, tuple):
        kind, at = tree
        if kind == "point":
            return "[" + written[at][0] + "]"
        return "[[" + "],[".join(written[at]) + "]]" if written[at] else "[]"
    return "[" + ",".join(_joined(part, written) for part in tree) + "]"
