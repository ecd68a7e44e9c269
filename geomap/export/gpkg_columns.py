"""The columns of the GeoPackage's layers and tables, typed: the rule, and Arrow.

:func:`typed_columns` gives the rule as pandas columns; :func:`typed_table` writes
the same columns straight as the Arrow table GDAL is handed
(:func:`geomap.export.geopackage.write_layers`): for the usual columns (dates,
whole numbers, text, numbers of a NumPy type) without building a pandas column
first, else through the rule and pyarrow's conversion of it.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geomap.export.gis import cell_text, distinct_names, text_cells
from geomap.fields import field_for

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXACT = 2 ** 53
"""Integers up to this size are exact as floats: typed as the general rule types them
(through floats), they keep their value."""


def _as_dates(values: pd.Series) -> pd.Series | None:
    """*values* as Arrow dates, or None when some value is not a whole ISO day.

    A source date given as a month or a year stays text: it is not made a day.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        days = values.dt.tz_localize(None) if values.dt.tz is not None else values
        calendar = days.to_numpy().astype("datetime64[D]")  # the day of each moment
        return pd.Series(pd.arrays.ArrowExtensionArray(
            pa.array(calendar, type=pa.date32(), from_pandas=True)), index=values.index)
    present = values.dropna()
    present = present.loc[present.astype(str).str.strip() != ""]
    if not present.astype(str).str.match(_ISO_DAY).all():
        return None
    parsed = pd.to_datetime(values.where(values.index.isin(present.index)),
                            format="%Y-%m-%d", errors="coerce")
    if parsed.notna().sum() != len(present):  # e.g. 2025-02-30
        return None
    return _as_dates(parsed)


def _as_integers(values: pd.Series) -> pd.Series | None:
    """*values* as nullable 64-bit integers, or None when one is not a whole number."""
    if pd.api.types.is_bool_dtype(values):
        return None
    if pd.api.types.is_integer_dtype(values) and (
            not values.notna().any() or values.abs().max() <= _EXACT):
        return values.astype("Int64")  # whole numbers already, each exact as a float
    text = values.astype(object).where(values.notna(), None)
    blank = text.map(lambda v: isinstance(v, str) and not v.strip())
    numbers = pd.to_numeric(text.where(~blank, None), errors="coerce")
    present = text.notna() & ~blank
    if numbers[present].isna().any():
        return None
    whole = numbers[present]
    if not np.allclose(whole, whole.round()):
        return None
    return numbers.round().astype("Int64")


def _as_flags(values: pd.Series) -> pd.Series | None:
    """*values* as nullable booleans, or None when one is not true or false."""
    try:
        return values.astype("boolean")
    except (TypeError, ValueError):
        return None


def _as_text(values: pd.Series) -> pd.Series:
    """*values* as text cells: lists '; '-joined, missing as None."""
    if isinstance(values.dtype, pd.StringDtype):  # text already: only NA to None
        return pd.Series(text_cells(values), index=values.index, dtype=object)
    return pd.Series([None if (text := cell_text(v)) is None else str(text)
                      for v in values], index=values.index, dtype=object)


def _column(values: pd.Series, kind: str | None) -> pd.Series:
    """One column typed as *kind* (None: undocumented), else kept as text."""
    if kind is None:
        kind = "date" if pd.api.types.is_datetime64_any_dtype(values) else "auto"
    typed = {"date": _as_dates, "count": _as_integers, "integer": _as_integers,
             "flag": _as_flags}.get(kind, lambda _: None)(values)
    if typed is not None:
        return typed
    numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(
        values)
    if numeric and kind in ("number", "auto"):
        return values
    return _as_text(values)


def typed_columns(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Return the non-geometry columns of *frame* typed for the GeoPackage.

    Documented dates become Arrow dates (GeoPackage DATE), counts and integers
    nullable Int64 (NULL is "no figure"); a count with a ``dated_by`` column is NULL
    where that date is missing. A value that does not fit its type (a month where a
    day is expected) keeps the whole column as text rather than lose it.
    Undocumented columns keep their numbers and dates; columns starting with '_' are
    dropped; lists become '; '-joined text.

    Parameters
    ----------
    frame : DataFrame
        A layer or table; it is not changed.
    layer : str
        Its name, to look up its columns in :func:`geomap.fields.field_for`.

    Returns
    -------
    DataFrame
        A new frame with the same index.

    Examples
    --------
    >>> towns = pd.DataFrame({"people": [1200.0, None, 0.0],
    ...                       "people_as_of": ["2025-01-15", None, None]})
    >>> typed_columns(towns, "towns")["people"].tolist()
    [1200, <NA>, <NA>]
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    out: dict[str, pd.Series] = {}
    for column, values in frame.items():
        if column == geometry or str(column).startswith("_"):
            continue
        doc = field_for(layer, str(column))
        out[str(column)] = _column(values, doc.kind if doc else None)
    for column, typed in out.items():
        doc = field_for(layer, column)
        if doc and doc.dated_by in out and typed.dtype == "Int64":
            out[column] = typed.mask(out[doc.dated_by].isna())
    names = distinct_names(out)
    typed = pd.DataFrame(out, index=frame.index)
    return typed if all(k == v for k, v in names.items()) else typed.rename(
        columns=names)


def _arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A typed column as ``pa.Table.from_pandas`` converts it, as pyogrio hands it
    to GDAL: text GDAL writes as text, a column of missing values as text."""
    if values.dtype == object and pd.api.types.infer_dtype(values) not in (
            "string", "empty"):
        try:
            pa.Schema.from_pandas(values.to_frame())
        except pa.ArrowInvalid:
            values = values.astype("string")
    array = pa.array(values, from_pandas=True)
    return array.cast(pa.string()) if pa.types.is_null(array.type) else array


def _days(values: pd.Series) -> pa.Array:
    """Moments (NumPy ``datetime64``, any time zone) as Arrow dates: their days."""
    days = values.dt.tz_localize(None) if values.dt.tz is not None else values
    return pa.array(days.to_numpy().astype("datetime64[D]"), type=pa.date32(),
                    from_pandas=True)


_PLAIN_DAY = re.compile("[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}").fullmatch


def _text_days(values: pd.Series) -> pa.Array | None:
    """A text column of ISO days (blank or missing: none) as Arrow dates, as
    :func:`_as_dates` makes them; None for any other text (months, a day that is
    not in the calendar, other digits), which the rule itself decides on."""
    cells = text_cells(values) if isinstance(values.dtype, pd.StringDtype) else \
        values.to_numpy()
    days = []
    for cell, missing in zip(cells.tolist(), pd.isna(cells).tolist(), strict=True):
        if missing or (type(cell) is str and not cell.strip()):
            days.append("NaT")
        elif type(cell) is str and _PLAIN_DAY(cell):
            days.append(cell)
        else:
            return None
    try:
        return pa.array(np.array(days, dtype="datetime64[D]"), type=pa.date32(),
                        from_pandas=True)
    except ValueError:  # e.g. 2025-02-30
        return None


def _quick(values: pd.Series, kind: str) -> tuple[pa.Array, bool] | None:
    """:func:`_typed` of the usual columns without a pandas column between (None
    for the others): a NumPy column of dates or numbers, or a column of text."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufM":
        cells = values.to_numpy()
        if kind == "date" and dtype.kind == "M":
            return _days(values), False
        if kind in ("count", "integer") and dtype.kind in "iu":
            if not len(cells) or np.abs(cells).max() <= _EXACT:
                return pa.array(cells.astype(np.int64)), True
            return None
        if kind in ("count", "integer") and dtype.kind == "f":
            present = ~np.isnan(cells)
            whole = cells[present]
            if not (np.abs(whole) <= _EXACT).all() or not np.allclose(
                    whole, whole.round()):
                return None  # not whole numbers, or beyond: the rule says what
            return pa.array(np.where(present, cells, 0.0).round().astype(np.int64),
                            mask=~present), True
        if kind == "flag" and dtype.kind == "b":
            return pa.array(cells), False
        if kind in ("number", "auto") and dtype.kind in "biuf":
            return pa.array(cells, from_pandas=True), False
        return None
    if kind == "date" and (isinstance(dtype, pd.StringDtype) or dtype == object):
        days = _text_days(values)
        return None if days is None else (days, False)
    if kind in ("date", "count", "integer", "flag"):
        return None
    if isinstance(dtype, pd.StringDtype):
        return pa.array(text_cells(values), type=pa.string(), from_pandas=True), False
    if dtype == object:
        cells = values.to_numpy()
        if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
            try:  # str, or missing: as they are
                return pa.array(cells, type=pa.string(), from_pandas=True), False
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
                return None
    return None


def _typed(values: pd.Series, kind: str | None) -> tuple[pa.Array, bool]:
    """The Arrow array of ``_column(values, kind)``, and whether it is a nullable
    integer (``Int64``) column."""
    if kind is None:
        kind = "date" if pd.api.types.is_datetime64_any_dtype(values) else "auto"
    found = _quick(values, kind)
    if found is not None:
        return found
    typed = _column(values, kind)
    return _arrow(typed), typed.dtype == "Int64"


def typed_table(frame: pd.DataFrame, layer: str, geometry: np.ndarray | None = None
                ) -> pa.Table:
    """``typed_columns(frame, layer)`` as the Arrow table ``pa.Table.from_pandas``
    makes of it, and *geometry* (WKB or None, one per row) as its ``geometry``.

    Examples
    --------
    >>> typed_table(pd.DataFrame({"people": [1200.0, None],
    ...                           "people_as_of": ["2025-01-15", None]}),
    ...             "towns").column("people").to_pylist()
    [1200, None]
    """
    skip = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    out: dict[str, pa.Array] = {}
    integers = set()
    for column, values in frame.items():
        if column == skip or str(column).startswith("_"):
            continue
        doc = field_for(layer, str(column))
        out[str(column)], whole = _typed(values, doc.kind if doc else None)
        if whole:
            integers.add(str(column))
    for column in integers:  # a figure without its date is none
        doc = field_for(layer, column)
        if doc and doc.dated_by in out:
            undated = out[doc.dated_by].is_null()
            if pc.any(undated).as_py():
                out[column] = pc.if_else(undated, pa.scalar(None, pa.int64()),
                                         out[column])
    names = distinct_names(out)
    columns = {names[column]: array for column, array in out.items()}
    if geometry is not None:  # in its place if a column bears its name
        columns["geometry"] = pa.array(geometry, type=pa.binary(), from_pandas=True)
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))
