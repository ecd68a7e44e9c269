"""The print map: map.png, map.pdf and map.svg drawn with matplotlib (no browser).

The map is drawn in :data:`geomap.schema.METRIC_CRS`, so the scale bar is true; it
uses the web map's actor colours and styles (claimed hollow and dashed, contested
grey). The same inputs give the same bytes in every format.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geomap.actors import controller_color
from geomap.render.markup import MapText, fmt_date
from geomap.render.print.labels import place_labels
from geomap.render.print.parts import (
    MINE_STYLE,
    PEOPLE_STYLE,
    draw_actor_table,
    draw_inset,
    draw_legend,
    draw_scale_bar,
)
from geomap.render.style import circle_radius
from geomap.schema import DISCLAIMER, METRIC_CRS
from geomap.summarise.areas import attach_summary

A4_MM = (297.0, 210.0)
DPI = 200
FILL_ALPHA = {"assessed": 0.55, "claimed": 0.2, "contested": 0.35}
"""Fill opacity of control areas by confidence (as on the web map)."""
CIRCLE_SCALE = 0.8
"""Print radius in points = web radius in pixels times this."""
_SAVE_RC = {"svg.hashsalt": "geomap", "svg.fonttype": "path", "pdf.fonttype": 42,
            "font.family": "DejaVu Sans", "path.simplify": True}


def _frame_text(figure: Figure, text: MapText, top: float) -> None:
    """Title and as-of date at the top left of the page."""
    figure.text(0.03, top, text.title, fontsize=16, fontweight="bold", va="top",
                parse_math=False)
    line = f"Control as of {fmt_date(text.as_of)}"
    if text.compare is not None:
        line += f"  ·  changes since {fmt_date(text.compare)}"
    figure.text(0.03, top - 0.045, line, fontsize=11, va="top", color="#222",
                parse_math=False)


def _footer_lines(text: MapText, width_in: float) -> list[str]:
    """Sources, projection and disclaimer, wrapped to the page width."""
    chars = int(width_in * 72 / 6.5 * 1.85)
    names = text.credits or [name for name, _ in text.sources]
    sources = ("Sources: " + ("; ".join(names) or "not recorded")
               + ". Every source, with its link, is listed in report.html.")
    lines = textwrap.wrap(sources, chars)[:4]
    lines += textwrap.wrap(f"{DISCLAIMER} Projection: WGS 84 / UTM zone 35S "
                           f"({METRIC_CRS}); scale true at the map centre.", chars)
    return lines


def _draw_areas(ax, joined: gpd.GeoDataFrame) -> None:
    """Admin outlines, then control areas filled by controller and confidence."""
    polygons = joined.loc[joined.geom_type.isin(["Polygon", "MultiPolygon"])]
    admin = polygons.loc[polygons["kind"] == "area"]
    if len(admin):
        admin.plot(ax=ax, facecolor="#f4f4f2", edgecolor="none", zorder=1)
    held = polygons.loc[polygons["actor"].notna()]
    for row in held.sort_values("place").itertuples():
        confidence = row.confidence if isinstance(row.confidence, str) else "assessed"
        color = controller_color(row.actor)
        gpd.GeoSeries([row.geometry]).plot(
            ax=ax, facecolor=to_rgba(color, FILL_ALPHA.get(confidence, 0.55)),
            edgecolor=color, linewidth=1.4,
            linestyle="--" if confidence in ("claimed", "contested") else "-", zorder=2)
    if len(admin):
        admin.boundary.plot(ax=ax, color="#333333", linewidth=0.9, zorder=3)


def _draw_points(ax, joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame) -> float:
    """Displacement circles, towns by controller and mines; return the top figure."""
    people = joined.loc[joined["people"].fillna(0) > 0].sort_values(
        ["people", "place"], ascending=[False, True])
    top = float(people["people"].max()) if len(people) else 0.0
    if len(people):
        spots = people.geometry.representative_point()
        size = [(2 * CIRCLE_SCALE * circle_radius(n, top)) ** 2 for n in people["people"]]
        ax.scatter(spots.x, spots.y, s=size, zorder=4, **PEOPLE_STYLE)
    towns = joined.loc[joined.geom_type == "Point"].sort_values("place")
    claimed = towns["confidence"].eq("claimed").fillna(False).to_numpy(dtype=bool)
    colors = [controller_color(a) for a in towns["actor"]]
    face = ["#ffffff" if c else col for c, col in zip(claimed, colors, strict=True)]
    edge = [col if c else "#222222" for c, col in zip(claimed, colors, strict=True)]
    ax.scatter(towns.geometry.x, towns.geometry.y, s=34, c=face, edgecolors=edge,
               linewidths=[1.6 if c else 0.7 for c in claimed], zorder=6)
    if len(mines):
        ax.scatter(mines.geometry.x, mines.geometry.y, s=16, zorder=6.5, **MINE_STYLE)
    return top


def _map_box(bounds, max_w: float, max_h: float) -> tuple[float, float]:
    """Width and height (inches) of the map frame that keep the data's aspect."""
    minx, miny, maxx, maxy = bounds
    aspect = (maxx - minx) / max(maxy - miny, 1.0)
    width, height = max_h * aspect, max_h
    if width > max_w:
        width, height = max_w, max_w / aspect
    return width, height


def build_static_map(places: gpd.GeoDataFrame, areas: pd.DataFrame,
                     mines: gpd.GeoDataFrame, text: MapText, *,
                     actors: pd.DataFrame | None = None,
                     size_mm: tuple[float, float] = A4_MM,
                     country: gpd.GeoDataFrame | None = None) -> Figure:
    """Draw the print map on a matplotlib figure of *size_mm* (A4 landscape).

    Parameters
    ----------
    places : GeoDataFrame
        Admin areas, towns and record-made places.
    areas : DataFrame
        The per-place summary (who controls what, people displaced).
    mines : GeoDataFrame
        Mining sites.
    text : MapText
        Title, as-of date and source credits.
    actors : DataFrame, optional
        The per-actor summary, shown as a small table beside the legend.
    size_mm : (float, float)
        Page width and height in millimetres.

    Returns
    -------
    Figure
        A figure with an Agg canvas; nothing is shown or written.
    """
    width_in, height_in = size_mm[0] / 25.4, size_mm[1] / 25.4
    figure = Figure(figsize=(width_in, height_in), facecolor="white")
    FigureCanvasAgg(figure)
    joined = attach_summary(places, areas).to_crs(METRIC_CRS)
    mines_m = mines.to_crs(METRIC_CRS)
    bounds = _padded_bounds(joined, mines_m)
    footer = _footer_lines(text, width_in - 0.7)
    top_in, left_in = 0.95, 0.35
    bottom_in = 0.3 + len(footer) * 6.5 * 1.35 / 72
    map_w, map_h = _map_box(bounds, width_in * 0.5, height_in - top_in - bottom_in)
    ax = figure.add_axes((left_in / width_in, bottom_in / height_in,
                          map_w / width_in, map_h / height_in))
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor("#fdfdfb")
    _draw_areas(ax, joined)
    top = _draw_points(ax, joined, mines_m)
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="none",
                           edgecolor="#333333", linewidth=0.8, zorder=10))
    furniture = draw_scale_bar(ax, bounds)
    left_out = place_labels(ax, joined, mines_m, avoid=furniture)
    if left_out:
        figure.text((left_in + map_w) / width_in, (bottom_in - 0.04) / height_in,
                    f"{left_out} crowded name(s) not shown; report.html lists every "
                    "place.", fontsize=6, color="#555", ha="right", va="top")
    _frame_text(figure, text, 1 - 0.3 / height_in)
    column_x = (left_in + map_w + 0.35) / width_in
    column_w = (width_in - left_in - map_w - 0.35 - 0.3) / width_in
    legend_w = min(column_w * 0.5, 3.1 / width_in)
    draw_legend(figure, (column_x, bottom_in / height_in, legend_w,
                         map_h / height_in), areas, top, CIRCLE_SCALE)
    inset_x = column_x + legend_w + 0.2 / width_in
    inset_w = column_x + column_w - inset_x
    below = draw_inset(figure, (inset_x, bottom_in / height_in, inset_w,
                                map_h / height_in), places, bounds, country=country)
    if actors is not None and len(actors):
        draw_actor_table(figure, (inset_x, bottom_in / height_in, inset_w,
                                  below - bottom_in / height_in), actors)
    figure.text(left_in / width_in, 0.12 / height_in, "\n".join(footer), fontsize=6.5,
                color="#333", va="bottom", linespacing=1.35, parse_math=False)
    return figure


def _padded_bounds(joined: gpd.GeoDataFrame, mines: gpd.GeoDataFrame
                   ) -> tuple[float, float, float, float]:
    """Metric bounds of everything drawn, with a 6 % margin (at least 2 km)."""
    frames = [frame.geometry for frame in (joined, mines) if len(frame)]
    minx, miny, maxx, maxy = pd.concat(frames).total_bounds
    pad = max(0.06 * max(maxx - minx, maxy - miny), 2000.0)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def _pixel_size(size_mm: tuple[float, float], dpi: int) -> tuple[float, float]:
    """Figure size in inches that gives round(size * dpi) whole pixels."""
    return tuple((round(mm / 25.4 * dpi) + 0.25) / dpi for mm in size_mm)


def write_static_map(folder: Path, *, places: gpd.GeoDataFrame, areas: pd.DataFrame,
                     mines: gpd.GeoDataFrame, text: MapText,
                     actors: pd.DataFrame | None = None, dpi: int = DPI,
                     size_mm: tuple[float, float] = A4_MM,
                     country: gpd.GeoDataFrame | None = None) -> list[Path]:
    """Write ``map.png``, ``map.pdf`` and ``map.svg`` into *folder*.

    Parameters
    ----------
    folder : Path
        Where to write.
    places, areas, mines, text, actors
        As for :func:`build_static_map`.
    dpi : int
        Resolution of the PNG (A4 landscape at 200 dpi is 2339 x 1654 pixels).
    size_mm : (float, float)
        Page size in millimetres.

    Returns
    -------
    list of Path
        The PNG, PDF and SVG written. No dates or random ids are stored in them.
    """
    folder = Path(folder)
    with mpl.rc_context(_SAVE_RC):
        figure = build_static_map(places, areas, mines, text, actors=actors,
                                  size_mm=size_mm, country=country)
        paths = [folder / "map.png", folder / "map.pdf", folder / "map.svg"]
        figure.savefig(paths[1], format="pdf",
                       metadata={"CreationDate": None, "ModDate": None,
                                 "Creator": "geomap", "Producer": "geomap",
                                 "Title": text.title})
        figure.savefig(paths[2], format="svg",
                       metadata={"Date": None, "Creator": "geomap", "Title": text.title})
        figure.set_size_inches(_pixel_size(size_mm, dpi))
        figure.savefig(paths[0], format="png", dpi=dpi,
                       metadata={"Software": "geomap", "Title": text.title})
    return paths
