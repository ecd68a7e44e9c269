"""Constants a user gives for a whole file: ``--set control.start=2015-09-14``.

A publisher's file can lack a column the layer needs for its meaning, such as the
start date of the IPIS 2015 armed-group zones. Rather than guess it, geomap asks;
the value given fills the column where the file leaves it empty, and the file's own
values win.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def fill_constants(raw: pd.DataFrame, constants: Mapping[str, str] | None, *,
                   layer: str) -> pd.DataFrame:
    """Return *raw* with each constant filled in where its column is empty or absent.

    Parameters
    ----------
    raw : DataFrame
        A layer as read, under canonical column names.
    constants : mapping, optional
        Canonical column -> the value for every row that has none.
    layer : str
        The layer (its constants are checked with its other values, so a date given
        for ``start`` is read like one in the file).

    Returns
    -------
    DataFrame
        A copy with the columns filled (the input is unchanged), or *raw* itself when
        there is nothing to fill.

    Examples
    --------
    >>> raw = pd.DataFrame({"actor": ["fdlr", "nyatura"], "start": [None, "2014"]})
    >>> fill_constants(raw, {"start": "2015-09-14"}, layer="control")["start"].tolist()
    ['2015-09-14', '2014']
    """
    if not constants:
        return raw
    filled = raw.copy()
    for column, value in constants.items():
        if column not in filled:
            filled[column] = value
            continue
        text = filled[column].astype("string").str.strip()
        filled[column] = filled[column].where(text.notna() & (text != ""), value)
    return filled
