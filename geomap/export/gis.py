"""Write GIS layers as RFC 7946 GeoJSON, plus the HXL tag dictionary of the CSV tables."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geomap.errors import CRSError
from geomap.export.geojson_text import DECIMALS, geometry_text, rounded
from geomap.schema import STORAGE_CRS

HXL_TAGS: dict[str, dict[str, str]] = {
    "summary_areas": {
        "name": "#loc+name", "pcode": "#loc+code", "place": "#loc+id",
        "kind": "#loc+type", "level": "#loc+level", "level_name": "#loc+type+level",
        "parent": "#loc+code+parent", "parent_name": "#loc+name+container",
        "people_assessment": "#meta+assessment", "other_figures": "#affected+other",
        "actor": "#group+code",
        "within": "#loc+name+parent", "within_actor": "#group+code+parent",
        "actor_name": "#group+name",
        "confidence": "#status+confidence", "since": "#date+start",
        "since_precision": "#date+start+precision", "since_text": "#date+start+text",
        "people": "#affected+idps+ind", "people_as_of": "#date+reported",
        "people_as_of_text": "#date+reported+text",
        "mines": "#indicator+mines+num", "source": "#meta+source", "url": "#meta+url",
        "population": "#population+total",
        "population_coverage": "#population+coverage+pct",
    },
    "summary_actors": {
        "actor": "#group+code", "actor_name": "#group+name",
        "areas": "#indicator+areas+num", "towns": "#indicator+towns+num",
        "zones": "#indicator+zones+num",
        "places": "#loc+name+list", "people": "#affected+idps+ind",
        "people_as_of": "#date+reported", "people_places": "#loc+name+counted",
        "people_left_out": "#description+excluded",
        "mines": "#indicator+mines+num", "mines_by_mineral": "#indicator+mines+minerals",
        "population": "#population+total",
        "people_in_places_gained": "#affected+idps+ind+gained",
    },
    "rejects": {
        "layer": "#meta+layer", "row": "#meta+row", "column": "#meta+column",
        "value": "#meta+value", "action": "#status+action",
        "reason": "#description+reason",
    },
    "sources": {
        "layer": "#meta+layer", "source": "#meta+source", "url": "#meta+url",
        "license": "#meta+license",
    },
    "join_report": {
        "layer": "#meta+layer", "reference": "#loc+name+reference",
        "place": "#loc+id", "place_name": "#loc+name", "method": "#meta+method",
        "score": "#meta+score", "records": "#indicator+records+num",
        "candidates": "#loc+name+candidates",
    },
    "changes": {
        "place": "#loc+id", "name": "#loc+name", "actor_before": "#group+code+before",
        "actor_after": "#group+code+after", "confidence": "#status+confidence",
        "changed_on": "#date+changed", "source": "#meta+source", "url": "#meta+url",
        "changed_on_precision": "#date+changed+precision",
        "changed_on_text": "#date+changed+text",
        "note": "#description+note", "people": "#affected+idps+ind",
        "people_as_of": "#date+reported",
    },
    "events": {
        "date": "#date+start", "end": "#date+end", "date_precision": "#date+precision",
        "date_text": "#date+text", "kind": "#event+type", "title": "#event+name",
        "place": "#loc+name", "pcode": "#loc+code", "source": "#meta+source",
        "source_kind": "#meta+source+type", "url": "#meta+url",
        "license": "#meta+license", "note": "#description+note",
        "changes_nearby": "#description+changes",
    },
    "conflict_events": {
        "pcode": "#loc+code", "name": "#loc+name", "level": "#loc+level",
        "month": "#date+month", "event_type": "#event+type",
        "events": "#indicator+events+num", "fatalities": "#affected+killed",
        "source": "#meta+source", "license": "#meta+license",
        "note": "#description+note",
    },
}
"""HXL hashtag of each column of the CSV tables, for ``geomap build --hxl``."""


def _is_listlike(value: object) -> bool:
    """True for lists, tuples, sets and arrays (not strings)."""
    return isinstance(value, list | tuple | set | frozenset | np.ndarray)


def cell_text(value: object) -> object:
    """One object cell as text: lists joined with '; ', dates as ISO, missing as None."""
    if _is_listlike(value):
        return "; ".join(str(item) for item in value)
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool | np.bool_ | int | np.integer | float | np.floating | str):
        return value
    return str(value)


def text_cells(values: pd.Series) -> np.ndarray:
    """The cells of a text column (a pandas ``StringDtype``) as Python ``str``, None
    where missing: ``values.to_numpy(dtype=object, na_value=None)``, read straight
    from the column's Arrow array (a twentieth of the time) when it has one.

    Examples
    --------
    >>> text_cells(pd.Series(["a", None], dtype="string")).tolist()
    ['a', None]
    """
    try:
        cells = values.array.__arrow_array__().to_numpy(zero_copy_only=False)
    except (AttributeError, TypeError, ValueError, pa.ArrowException):
        cells = None
    if cells is None or cells.dtype != object or len(cells) != len(values):
        return values.to_numpy(dtype=object, na_value=None)
    return cells


def _attribute(values: pd.Series) -> pd.Series:
    """One column ready for files: dates as ISO text, list-like and mixed object
    columns as text, string columns as plain objects (None where missing)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d")
        return text.astype(object).where(values.notna(), None)
    if isinstance(values.dtype, pd.StringDtype):  # text: only NA to None
        return pd.Series(text_cells(values), index=values.index, dtype=object)
    if values.dtype != object:
        return values
    cells = pd.Series([cell_text(v) for v in values], index=values.index, dtype=object)
    if any(isinstance(v, float | np.floating | int | np.integer) for v in cells) and \
            any(isinstance(v, str) for v in cells):
        return cells.map(lambda v: v if v is None else str(v))
    return cells


def _quick_property(values: pd.Series) -> list | None:
    """:func:`_property` of a NumPy column of days or numbers, or of text, read
    straight from its cells (None for other columns)."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        days = values.to_numpy().astype("datetime64[D]")
        present = ~np.isnat(days)
        years = days[present].astype("datetime64[Y]").astype(np.int64) + 1970
        if len(years) and (years.min() < 1000 or years.max() > 9999):
            return None  # written as strftime writes them
        return [text if shown else None for text, shown in zip(
            np.datetime_as_string(days).tolist(), present.tolist(), strict=True)]
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        return _json_column(values)
    if isinstance(dtype, pd.StringDtype):
        return text_cells(values).tolist()
    if dtype == object:
        cells = values.to_numpy()
        if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
            return [None if missing else cell for cell, missing in zip(
                cells.tolist(), pd.isna(cells).tolist(), strict=True)]
    return None


def _property(values: pd.Series) -> list:
    """The JSON values of one column of a layer (:func:`_attribute`, each value
    JSON-safe: :func:`_json_value`)."""
    quick = _quick_property(values)
    return quick if quick is not None else _json_column(_attribute(values))


def _properties(table: pd.DataFrame) -> tuple[list[str], list[list]]:
    """The property names and the JSON values of each column of *table* (see
    :func:`_property`); columns starting with '_' (internal) are left out, names
    differing only by case made distinct (:func:`distinct_names`)."""
    geometry = table.geometry.name if isinstance(table, gpd.GeoDataFrame) else None
    out = {column: _property(values) for column, values in table.items()
           if column != geometry and not str(column).startswith("_")}
    names = distinct_names(out)
    return [names[column] for column in out], list(out.values())


def distinct_names(columns) -> dict[str, str]:
    """New names for columns that differ from another only by case ('Source' beside
    'source'): GeoPackage field names ignore case. Lower-case names keep theirs.

    Examples
    --------
    >>> distinct_names(["Source", "source", "URL"])
    {'source': 'source', 'Source': 'Source_2', 'URL': 'URL'}
    """
    taken: set[str] = set()
    names = {}
    for column in sorted(columns, key=lambda c: str(c) != str(c).lower()):
        name, number = str(column), 1
        while name.casefold() in taken:
            number += 1
            name = f"{column}_{number}"
        taken.add(name.casefold())
        names[column] = name
    return names


def _coordinates(geometry: shapely.Geometry) -> list:
    """The GeoJSON ``coordinates`` of a point, line, polygon or multi-part geometry,
    rounded (see :func:`rounded`)."""
    with_z = bool(shapely.has_z(geometry))

    def points(part: shapely.Geometry) -> list:
        return rounded(shapely.get_coordinates(part, include_z=with_z)).tolist()

    kind = geometry.geom_type
    if kind == "Point":
        return points(geometry)[0]
    if kind in ("LineString", "LinearRing"):
        return points(geometry)
    if kind == "Polygon":
        return [points(geometry.exterior), *(points(r) for r in geometry.interiors)]
    if kind == "MultiPoint":
        return [points(part)[0] for part in geometry.geoms]
    return [_coordinates(part) for part in geometry.geoms]  # multi-lines, -polygons


def rfc7946_geometry(geometry: shapely.Geometry | None) -> dict | None:
    """Return a GeoJSON geometry dict: snapped to 1e-6 degrees, rings RFC-wound.

    Exterior rings run counter-clockwise and holes clockwise (RFC 7946, 3.1.6);
    snapping keeps polygons valid. Missing or empty geometries give None.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> rfc7946_geometry(box(0, 0, 1, 1, ccw=False))["coordinates"][0][:3]
    [[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]
    """
    return _rfc7946_geometries(np.array([geometry], dtype=object))[0]


def _rfc7946_geometries(geometries: np.ndarray) -> list[dict | None]:
    """:func:`rfc7946_geometry` of each geometry of an array, snapped and oriented
    all at once (one call into GEOS per layer, not per feature); a collection's
    parts in turn, each as a geometry of its own."""
    oriented, present = _snapped(geometries)
    return [None if not shown else {"type": "GeometryCollection", "geometries":
                                    _rfc7946_geometries(np.array(shape.geoms))}
            if shape.geom_type == "GeometryCollection" else
            {"type": shape.geom_type, "coordinates": _coordinates(shape)}
            for shape, shown in zip(oriented, present, strict=True)]


def _snapped(geometries: np.ndarray) -> tuple[np.ndarray, list[bool]]:
    """The geometries snapped to the grid of :data:`DECIMALS` (a sliver narrower
    than it kept raw) and RFC-wound, and whether each is there (not missing or
    empty)."""
    present = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    snapped = shapely.set_precision(geometries, 10.0 ** -DECIMALS)
    slivers = present & shapely.is_empty(snapped)  # narrower than the grid: raw
    snapped[slivers] = geometries[slivers]
    return shapely.orient_polygons(snapped, exterior_cw=False), present.tolist()


def _rfc7946_texts(geometries: np.ndarray) -> list[str]:
    """The JSON text of :func:`rfc7946_geometry` of each geometry of an array:
    written from its coordinate arrays (:func:`geometry_text`), or else (a
    collection, a coordinate JSON has no number for) by :mod:`json` from the dict."""
    oriented, present = _snapped(geometries)
    return [(geometry_text(shape) or _JSON(_rfc7946_geometries(np.array([shape]))[0]))
            if shown else "null"
            for shape, shown in zip(oriented, present, strict=True)]


def _json_value(value: object) -> object:
    """A property value as a JSON-safe Python object (numpy scalars unwrapped)."""
    if value is None or type(value) is str:  # most cells: nothing to look at
        return value
    if np.ndim(value) == 0 and pd.isna(value):
        return None
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value)
    return value


def _json_column(values: pd.Series) -> list:
    """:func:`_json_value` of each value of a column; numbers of a NumPy dtype are
    unwrapped all at once."""
    numpy = isinstance(values.dtype, np.dtype)
    if numpy and values.dtype.kind in "biu":
        return values.tolist()
    if numpy and values.dtype.kind == "f":
        return [None if math.isnan(v) else v for v in values.tolist()]
    return [_json_value(v) for v in values]


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                         allow_nan=False).encode
"""A geometry or the properties of a feature as written in a GeoJSON file (one
encoder for every feature: what ``json.dumps`` makes anew at each call with these
options). A feature's line is theirs between its keys, in sorted order."""


def _distinct(shapes: np.ndarray) -> tuple[list[int], np.ndarray]:
    """The position of each geometry in an array of the distinct geometry objects
    of *shapes* (a place's outline drawn by each of its control records: one)."""
    first: dict[int, int] = {}
    index = [first.setdefault(id(shape), len(first)) for shape in shapes.tolist()]
    distinct = np.empty(len(first), dtype=object)
    for at, shape in zip(index, shapes.tolist(), strict=True):
        distinct[at] = shape
    return index, distinct


def _lonlat(frame: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Return *frame* in WGS84 lon/lat; raise CRSError when it has no CRS."""
    if frame.crs is None:
        msg = (f"Cannot write {what}: the layer has no CRS. Set one with "
               "frame.set_crs(...) before exporting.")
        raise CRSError(msg)
    return frame if frame.crs.equals(STORAGE_CRS) else frame.to_crs(STORAGE_CRS)


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write *frame* as an RFC 7946 GeoJSON FeatureCollection.

    Coordinates are WGS84 lon/lat with at most six decimals, there is no ``crs``
    member, exterior rings are counter-clockwise and holes clockwise, dates are ISO
    text, list columns are '; '-joined text, property keys are sorted and features
    keep the row order of *frame* (sort it first for a stable file). One feature per
    line, ``\\n`` line ends, no timestamp: the same frame gives the same bytes.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer; any CRS (it is reprojected to EPSG:4326).
    path : Path
        The file to write.

    Returns
    -------
    Path
        *path*.

    Raises
    ------
    CRSError
        *frame* has no CRS.
    """
    frame = _lonlat(frame, f"'{Path(path).name}'")
    columns, values = _properties(frame)
    index, distinct = _distinct(np.asarray(frame.geometry.to_numpy(), dtype=object))
    shapes = _rfc7946_texts(distinct)
    lines = ['{"geometry":' + shapes[at] + ',"properties":'
             + _JSON(dict(zip(columns, row, strict=True))) + ',"type":"Feature"}'
             for at, row in zip(index, zip(*values, strict=True) if values else
                                ([()] * len(frame)), strict=True)]
    body = ",\n".join(lines)
    text = '{"type":"FeatureCollection","features":[\n' + body + ("\n" if lines else "") \
        + "]}\n"
    Path(path).write_text(text, encoding="utf-8", newline="\n")
    return Path(path)
