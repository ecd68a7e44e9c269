"""Parse text columns fast: numbers through pyarrow, anything else once per distinct value.

Registration files hold millions of rows but few distinct counts, dates or area names,
and their coordinates are plain decimal numbers. Parsing each distinct value once, and
casting numbers in pyarrow's C++ kernels, keeps validation free of per-row Python work.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def per_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series]
                 ) -> pd.Series:
    """Apply *parse* once to each distinct value of *values* and spread the results.

    Parameters
    ----------
    values : Series
        Any column; missing values stay missing (``parse`` never sees them).
    parse : callable
        Takes and returns a Series of the same length (a vectorised parser).

    Returns
    -------
    Series
        ``parse(values)``, indexed like *values*, with the dtype ``parse`` gives.

    Examples
    --------
    >>> per_distinct(pd.Series(["1", "1", None, "2"]), lambda s: s + "!").tolist()
    ['1!', '1!', nan, '2!']
    """
    codes, uniques = pd.factorize(values)
    parsed = parse(pd.Series(uniques, dtype=values.dtype)).array
    return pd.Series(parsed.take(codes, allow_fill=True), index=values.index,
                     name=values.name)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Return *values* as float64, NaN for missing values and for text that is no number.

    Text is cast by pyarrow when every value is a plain number; otherwise pandas'
    ``to_numeric(errors="coerce")`` decides, value by value.

    Examples
    --------
    >>> parse_numbers(pd.Series(["29.1", "-1.5", None])).tolist()
    [29.1, -1.5, nan]
    >>> parse_numbers(pd.Series(["29.1", "east"])).tolist()
    [29.1, nan]
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return pd.Series(values.to_numpy(dtype="float64", na_value=np.nan),
                         index=values.index, name=values.name)
    if pd.api.types.is_string_dtype(values):
        try:
            cast = pc.cast(pa.array(values.array, type=pa.string()), pa.float64())
            return pd.Series(cast.to_numpy(zero_copy_only=False), index=values.index,
                             name=values.name)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            pass  # some value is not a plain number: let pandas coerce it
    number = pd.to_numeric(values, errors="coerce")
    return pd.Series(number.to_numpy(dtype="float64", na_value=np.nan),
                     index=values.index, name=values.name)


def text_values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return *column* of *frame* as stripped strings, empty ones as missing.

    A column the frame lacks comes back all missing, so optional columns need no
    special case.

    Examples
    --------
    >>> text_values(pd.DataFrame({"a": [" x ", ""]}), "a").tolist()
    ['x', <NA>]
    >>> text_values(pd.DataFrame({"a": ["x"]}), "b").tolist()
    [<NA>]
    """
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    text = frame[column].astype("string").str.strip()
    empty = text == ""
    return text.mask(empty) if empty.any() else text
