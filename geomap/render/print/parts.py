"""Pieces of the print map: legend, locator inset, actor table and scale bar."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from matplotlib.patches import Circle, Rectangle

from geomap.actors import (
    CONTESTED,
    CONTESTED_COLOR,
    NO_DATA_COLOR,
    actor_for,
    controller_color,
)
from geomap.render.print.labels import short_name
from geomap.render.style import circle_radius
from geomap.schema import DRC_BOUNDS, METRIC_CRS, STORAGE_CRS

PEOPLE_STYLE = {"color": "#9e7bc4", "alpha": 0.45, "edgecolors": "#6a3d9a",
                "linewidths": 0.8}
MINE_STYLE = {"marker": "D", "color": "#f1c40f", "edgecolors": "#111111",
              "linewidths": 0.5}


def _inch_axes(figure, rect):
    """An axes without frame whose data units are inches, y growing downwards."""
    ax = figure.add_axes(rect)
    ax.set_axis_off()
    width = rect[2] * figure.get_figwidth()
    height = rect[3] * figure.get_figheight()
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    return ax, width, height


def draw_legend(figure, rect, areas: pd.DataFrame, top_people: float,
                scale: float) -> None:
    """Legend of the map's symbols, in the web map's colours and wording."""
    ax, _, _ = _inch_axes(figure, rect)
    y = 0.05

    def header(label: str) -> None:
        nonlocal y
        ax.text(0, y, label, fontsize=10, fontweight="bold", va="top")
        y += 0.27

    def swatch(label: str, face, edge="#333333", style="-", hollow=False) -> None:
        nonlocal y
        ax.add_patch(Rectangle((0.02, y - 0.02), 0.28, 0.16, facecolor=face,
                               edgecolor=edge, linestyle=style,
                               linewidth=1.6 if hollow else 0.8))
        ax.text(0.42, y + 0.06, label, fontsize=8, va="center", parse_math=False)
        y += 0.24

    header("Control")
    present = sorted(a for a in pd.unique(areas["actor"].dropna()) if a != CONTESTED)
    for actor in present:
        swatch(short_name(actor_for(actor).label, 34), actor_for(actor).color)
    swatch("Contested (claims by more than one actor)", CONTESTED_COLOR)
    swatch("Claimed, not confirmed (dashed, hollow)", "#ffffff", "#c0392b", "--",
           hollow=True)
    swatch("No control record", NO_DATA_COLOR)
    ax.add_patch(Circle((0.16, y + 0.06), 0.055, facecolor=CONTESTED_COLOR,
                        edgecolor="#222222", linewidth=0.7))
    ax.text(0.42, y + 0.06, "Town, coloured by who holds it", fontsize=8, va="center")
    y += 0.24
    ax.add_patch(Rectangle((0.02, y - 0.02), 0.28, 0.16, facecolor="none",
                           edgecolor="#333333", linewidth=0.9))
    ax.text(0.42, y + 0.06, "Admin boundary", fontsize=8, va="center")
    y += 0.36
    header("People displaced")
    sizes = [s for s in (int(top_people), int(top_people) // 4, int(top_people) // 16)
             if s > 0]
    if not sizes:
        ax.text(0, y, "No figure as of this date", fontsize=8, va="top")
        y += 0.24
    widest = scale * circle_radius(top_people, top_people) / 72 if sizes else 0.0
    for people in sizes:
        radius = scale * circle_radius(people, top_people) / 72
        ax.add_patch(Circle((0.02 + widest, y + radius), radius,
                            facecolor=PEOPLE_STYLE["color"], alpha=0.45,
                            edgecolor=PEOPLE_STYLE["edgecolors"], linewidth=0.8))
        ax.text(max(0.42, 2 * widest + 0.15), y + radius, f"{people:,}", fontsize=8,
                va="center")
        y += 2 * radius + 0.1
    y += 0.2
    header("Mining sites")
    ax.scatter([0.16], [y + 0.06], s=22, **MINE_STYLE)
    ax.text(0.42, y + 0.06, "Mining site", fontsize=8, va="center")


def draw_actor_table(figure, rect, actors: pd.DataFrame) -> None:
    """A small 'who holds what' table: places, mines and people per actor."""
    ax, width, _ = _inch_axes(figure, rect)
    y = 0.0
    ax.text(0, y, "Who holds what", fontsize=10, fontweight="bold", va="top")
    y += 0.28
    columns = (("Towns", "towns"), ("Areas", "areas"), ("Mines", "mines"),
               ("Displaced*", "people"))
    xs = [width * f for f in (0.50, 0.62, 0.74, 0.99)]
    for (label, _), x in zip(columns, xs, strict=True):
        ax.text(x, y, label, fontsize=7, ha="right", va="top", color="#444")
    y += 0.2
    for row in actors.head(8).itertuples(index=False):
        color = controller_color(row.actor)
        ax.add_patch(Rectangle((0.02, y), 0.14, 0.12, facecolor=color, edgecolor="#333",
                               linewidth=0.5))
        ax.text(0.22, y + 0.06, short_name(row.actor_name, 22), fontsize=7.5, va="center",
                parse_math=False)
        for (_, column), x in zip(columns, xs, strict=True):
            ax.text(x, y + 0.06, f"{int(getattr(row, column)):,}", fontsize=7.5,
                    ha="right", va="center")
        y += 0.21
    ax.text(0, y + 0.02, "* people displaced in the places each actor holds",
            fontsize=6.5, color="#555", va="top")


def draw_inset(figure, rect, places: gpd.GeoDataFrame, bounds, *,
               country: gpd.GeoDataFrame | None = None) -> float:
    """Locator: the DR Congo, the loaded admin areas, this map's area in red.

    The country is the bundled Natural Earth outline when *country* is given; without
    it the dashed box of the DR Congo's extent (:data:`DRC_BOUNDS`) stands in.
    """
    fig_w, fig_h = figure.get_figwidth(), figure.get_figheight()
    side = min(rect[2] * fig_w, rect[3] * fig_h * 0.5, 2.6)
    ax = figure.add_axes((rect[0], rect[1] + rect[3] - side / fig_h - 0.3 / fig_h,
                          side / fig_w, side / fig_h))
    minx, miny, maxx, maxy = DRC_BOUNDS
    admin = places.loc[(places["kind"] == "area")
                       & places.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(admin):
        top = admin.loc[admin["level"].astype(float) == admin["level"].astype(float).min()]
        top.plot(ax=ax, facecolor="#d9d9d9", edgecolor="#444444", linewidth=0.5)
        bx = top.total_bounds
        minx, miny = min(minx, bx[0]), min(miny, bx[1])
        maxx, maxy = max(maxx, bx[2]), max(maxy, bx[3])
    if country is not None and len(country):
        country.plot(ax=ax, facecolor="#f4f4f4", edgecolor="#555555", linewidth=0.7,
                     zorder=0)
        caption = "Outline: DR Congo (Natural Earth). Grey: admin areas loaded."
    else:
        ax.add_patch(Rectangle((DRC_BOUNDS[0], DRC_BOUNDS[1]),
                               DRC_BOUNDS[2] - DRC_BOUNDS[0], DRC_BOUNDS[3] - DRC_BOUNDS[1],
                               facecolor="none", edgecolor="#777777", linestyle="--",
                               linewidth=0.8))
        caption = "Dashed box: extent of the DR Congo. Grey: admin areas loaded."
    frame = gpd.GeoSeries.from_xy([bounds[0], bounds[2]], [bounds[1], bounds[3]],
                                  crs=METRIC_CRS).to_crs(STORAGE_CRS)
    (x0, x1), (y0, y1) = sorted(frame.x), sorted(frame.y)
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, facecolor="none",
                           edgecolor="#c0392b", linewidth=1.4))
    margin = 0.03 * (maxx - minx)
    ax.set_xlim(minx - margin, maxx + margin)
    ax.set_ylim(miny - margin, maxy + margin)
    ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)), adjustable="box",
                  anchor="NW")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#999999")
    ax.set_title("Locator", fontsize=9, fontweight="bold", loc="left")
    ax.text(0, -0.03, caption + "\nRed: area of this map.", transform=ax.transAxes,
            fontsize=6.5, va="top", color="#444")
    return ax.get_position().y0 - 0.45 / fig_h


def _nice_length(target_km: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above *target_km*."""
    power = 10 ** math.floor(math.log10(max(target_km, 1e-3)))
    return max(step * power for step in (1, 2, 5) if step * power <= target_km)


def draw_scale_bar(ax, bounds) -> list:
    """A two-part scale bar (bottom left) and a north arrow (top right); return both."""
    minx, miny, maxx, maxy = bounds
    dx, dy = maxx - minx, maxy - miny
    length = _nice_length(dx / 4 / 1000)
    x0, y0, h = minx + 0.05 * dx, miny + 0.04 * dy, 0.009 * dy
    backing = ax.add_patch(Rectangle((x0 - 0.02 * dx, y0 - 0.035 * dy),
                                     length * 1000 + 0.06 * dx, 0.075 * dy,
                                     facecolor="white", alpha=0.8, edgecolor="none",
                                     zorder=8))
    half = length * 500
    for i, color in enumerate(("#222222", "#ffffff")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, h, facecolor=color,
                               edgecolor="#222222", linewidth=0.7, zorder=9))
    for value, x in ((0, x0), (length / 2, x0 + half), (length, x0 + 2 * half)):
        label = f"{value:g} km" if value == length else f"{value:g}"
        ax.text(x, y0 + 1.6 * h, label, fontsize=7, ha="center", va="bottom", zorder=9)
    north = ax.annotate("N", xy=(0.95, 0.97), xytext=(0.95, 0.895),
                        xycoords="axes fraction", ha="center", va="center", fontsize=9,
                        fontweight="bold",
                        arrowprops={"arrowstyle": "-|>", "color": "#222222", "lw": 1.2})
    return [backing, north]
