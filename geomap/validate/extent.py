"""Cut layers to the outline of the chosen provinces, and list every row left out.

Publishers' loaders cut their files by province code or by the provinces' extents
(a rectangle); a file read through a ``--column`` mapping is not cut at all. This
cut uses the provinces' own outline, whatever way a file was read, so a mine just
outside Sud-Kivu's border but inside its extent, which would show in no area and
count for nothing, is left out and said so row by row in the rejects. A row whose
publisher states its province (IPIS visits) is kept or left out by that province,
as a town's stated territory wins over its polygon.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.provinces import OTHER_PROVINCES, PROVINCES, describe, province_of
from geomap.schema import ROW
from geomap.validate.rejects import Rejects

CUT_LAYERS = ("admin", "mines", "control")
"""Layers cut by outline. Displacement points outside every admin area are rejected
by the join ('point lies in no admin area'), so they need no second test; towns are
places records name, kept wherever a generalised outline puts them (Natural Earth's
leaves Goma just outside Nord-Kivu)."""


def add_parent_areas(admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return *admin* plus each missing province, drawn as the union of its areas.

    A territory file (COD-AB ADM2) names its province in ``parent_pcode`` but has no
    province polygon, so figures published per province (CD61, CD62) would find no
    place. Each province P-code that is a parent of level-2 areas and absent itself is
    added as a level-1 area whose outline is the union of its children; its ``source``
    says so (it is complete only when the file holds all of the province's areas).
    """
    names = {**{p.pcode: p.name for p in PROVINCES.values()}, **OTHER_PROVINCES}
    children = admin.loc[(admin["level"] == 2) & admin["parent_pcode"].isin(names)
                         & ~admin["parent_pcode"].isin(set(admin["pcode"]))]
    if children.empty:
        return admin
    groups = children.groupby("parent_pcode", sort=True)
    sources = groups["source"].first().fillna("no source")
    counts = groups.size()
    parents = gpd.GeoDataFrame({
        "pcode": counts.index, "name": counts.index.map(names), "level": 1,
        "parent_pcode": "CD", "url": None, "date": None,
        "source": ("Derived by geomap: union of the " + counts.astype(str)
                   + " level-2 areas of " + sources).to_numpy(),
    }, geometry=[shapely.union_all(rows.geometry.to_numpy()) for _, rows in groups],
        crs=admin.crs)
    return pd.concat([admin, parents], ignore_index=True)


def province_outline(admin: gpd.GeoDataFrame, provinces: Iterable[str]
                     ) -> shapely.Geometry | None:
    """The union of the chosen provinces' polygons in *admin* (level 1), or None.

    None when *admin* holds none of them (areas with other codes, such as a test's
    or a publisher's own): nothing is cut then.
    """
    wanted = [p for p in provinces if p in PROVINCES]
    level = pd.to_numeric(admin["level"], errors="coerce") if "level" in admin else None
    if level is None or admin.empty:
        return None
    chosen = admin.loc[(level == 1) & admin["pcode"].isin(wanted)]
    if chosen.empty:
        return None
    outline = shapely.union_all(shapely.make_valid(chosen.geometry.to_numpy()))
    shapely.prepare(outline)
    return outline


_OUTLINES: dict[int, tuple[weakref.ref, tuple[str, ...], shapely.Geometry | None]] = {}
"""The outline of each admin frame still alive, by the frame's id: a build cuts its
admin areas, mines and control records by one outline, worked out once (a union of
the provinces' polygons, about 20 ms each time)."""


def _outline_of(admin: gpd.GeoDataFrame, provinces: tuple[str, ...]
                ) -> shapely.Geometry | None:
    """:func:`province_outline`, worked out once per admin frame and provinces."""
    known = _OUTLINES.get(id(admin))
    if known is not None and known[0]() is admin and known[1] == provinces:
        return known[2]
    outline = province_outline(admin, provinces)
    for key, known in list(_OUTLINES.items()):  # a copy: builds may run on threads
        if known[0]() is None:
            _OUTLINES.pop(key, None)  # frames gone
    _OUTLINES[id(admin)] = (weakref.ref(admin), provinces, outline)
    return outline


def _inside(frame: pd.DataFrame, outline: shapely.Geometry, *, layer: str
            ) -> np.ndarray:
    """True for rows in (or touching) the outline, or without a location."""
    geometry = frame.geometry if isinstance(frame, gpd.GeoDataFrame) else None
    if geometry is not None and geometry.notna().any():
        shapes = np.asarray(geometry.array, dtype=object)
        located = ~(pd.isna(shapes) | shapely.is_empty(shapes))
        if layer == "admin":  # an area is in when a point inside it is
            shapes = np.where(located, shapely.point_on_surface(shapes), None)
        inside = np.ones(len(frame), dtype=bool)
        inside[located] = shapely.intersects(outline, shapes[located])
        return inside
    if {"lon", "lat"} <= set(frame.columns):
        x = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
        located = np.isfinite(x) & np.isfinite(y)
        inside = np.ones(len(frame), dtype=bool)
        inside[located] = shapely.intersects_xy(outline, x[located], y[located])
        return inside
    return np.ones(len(frame), dtype=bool)


def cut_to_provinces(frame: pd.DataFrame, rejected: pd.DataFrame,
                     admin: gpd.GeoDataFrame, provinces: Iterable[str], layer: str,
                     report: Callable[[str], None] | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave out the rows of *frame* outside the chosen provinces' outline.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        A validated layer (geometry, or ``lon``/``lat`` columns).
    rejected : DataFrame
        Its rejects table so far.
    admin : GeoDataFrame
        Admin areas (for the admin layer itself, *frame* is used, with the provinces
        its areas name but lack added: :func:`add_parent_areas`).
    provinces : iterable of str
        The province P-codes chosen (``--provinces``).
    layer : str
        The layer's name; only :data:`CUT_LAYERS` are cut.
    report : callable, optional
        Told how many rows were left out, when any were.

    Returns
    -------
    (DataFrame, DataFrame)
        The rows kept (admin: with derived provinces) and the rejects table with one
        row per row left out (reason: outside which provinces, and how to widen the
        cut). Rows without a location are kept (their checks say what is missing).
    """
    provinces = tuple(provinces)
    if layer == "admin":
        frame = admin = add_parent_areas(frame)
    outline = _outline_of(admin, provinces) if layer in CUT_LAYERS else None
    if outline is None or frame.empty:
        return frame, rejected
    inside = _inside(frame, outline, layer=layer)
    if "province" in frame:  # a province the publisher states wins over the outline
        stated = pd.Series(province_of(frame["province"]), index=frame.index,
                           dtype=object)
        inside = np.where(stated.notna(), stated.isin(provinces), inside)
    outside = pd.Series(~inside, index=frame.index)
    if not outside.any():
        return frame, rejected
    column = "geometry" if isinstance(frame, gpd.GeoDataFrame) else "lon"
    read = frame[ROW].notna() if ROW in frame else pd.Series(True, index=frame.index)
    left_out = Rejects(layer)  # a province derived from areas left out is no row
    left_out.add(frame, outside & read, column, f"outside the outline of "
                 f"{describe(provinces)}; choose more provinces with --provinces")
    parts = [table for table in (rejected, left_out.table()) if len(table)]
    table = pd.concat(parts, ignore_index=True).sort_values(
        ["row", "column"], kind="stable", ignore_index=True)
    if report is not None:
        report(f"{layer}: left out {int((outside & read).sum()):,} of {int(read.sum()):,} "
               "rows outside "
               f"the outline of {describe(provinces)} (listed in the rejects)")
    return frame.loc[~outside], table
