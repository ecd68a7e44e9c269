"""Boxes drawn over the map: title and date, legends, sources, and their CSS."""

from __future__ import annotations

import pandas as pd

from geomap.actors import CONTESTED, CONTESTED_COLOR, NO_DATA_COLOR, actor_for
from geomap.render.markup import MapText, esc, fmt_date, link
from geomap.render.style import PEOPLE_SHADES, circle_radius
from geomap.schema import DISCLAIMER


def title_box(text: MapText) -> str:
    """Title, as-of date and disclaimer, top left."""
    compare = (f"<div class='geomap-sub'>Changes since {fmt_date(text.compare)}</div>"
               if text.compare is not None else "")
    return (f"<div class='geomap-box geomap-title'><div class='geomap-h'>{esc(text.title)}"
            f"</div><div class='geomap-sub'>Control as of <b id='geomap-date'>"
            f"{fmt_date(text.as_of)}</b></div>{compare}"
            f"<div class='geomap-note'>{esc(DISCLAIMER)}</div>{sources_box(text)}</div>")


def legend_box(joined: pd.DataFrame, *, circles: pd.Series, mines: bool = True,
               breaks: list[int] | None = None, changes: bool = False) -> str:
    """The control legend (actors, confidence) and the displacement legend.

    *circles* holds the figures drawn as circles (towns, provinces), which set the
    circle sizes; *breaks* the classes of the territory shading.
    """
    actors = [a for a in pd.unique(joined["actor"].dropna()) if a != CONTESTED]
    items = "".join(
        f"<div><span class='geomap-sw' style='background:{actor_for(a).color}'></span>"
        f"{esc(actor_for(a).label)}</div>" for a in sorted(actors))
    items += (f"<div><span class='geomap-sw' style='background:{CONTESTED_COLOR}'></span>"
              "Contested: records of more than one actor</div>"
              "<div><span class='geomap-sw geomap-disputed'></span>Reported "
              "contested: one actor's record during fighting (dotted outline)</div>"
              "<div><span class='geomap-sw geomap-claimed'></span>Claimed, not "
              "confirmed (dashed, hollow)</div>"
              f"<div><span class='geomap-sw' style='background:{NO_DATA_COLOR}'></span>"
              "No control record</div>"
              + ("<div><span class='geomap-sw' style='border:3px solid #ff7f00;"
                 "border-radius:50%;background:none'></span>Changed hands</div>"
                 if changes else ""))
    people = circles.fillna(0)
    top = int(people.max()) if len(people) else 0
    sizes = [s for s in (top, top // 4, top // 16) if s > 0]
    sized = "".join(
        f"<div><span class='geomap-circle' style='width:{2 * circle_radius(s, top):.0f}px;"
        f"height:{2 * circle_radius(s, top):.0f}px'></span>{s:,}</div>" for s in sizes)
    return ("<details class='geomap-box geomap-legend' open><summary class='geomap-h2'>"
            "Legend</summary><div class='geomap-h2'>Control</div>"
            f"{items}<div class='geomap-h2'>People displaced</div>"
            f"{_shade_items(breaks or [])}"
            f"{sized or ('' if breaks else '<div>No figure as of this date</div>')}"
            + ("<div class='geomap-h2'>Mining sites</div><div><span class='geomap-sw' "
               "style='background:#f1c40f;border-radius:50%'></span>Site (clustered)</div>"
               if mines else "") +
            "</details><script>if (window.innerWidth < 600) {document.querySelector("
            "'.geomap-legend').removeAttribute('open');}</script>")


def _shade_items(breaks: list[int]) -> str:
    """Legend rows of the territory choropleth: one swatch per class."""
    if not breaks:
        return ""
    shades = PEOPLE_SHADES[-len(breaks):]
    lows = [1, *(bound + 1 for bound in breaks[:-1])]
    return "".join(
        f"<div><span class='geomap-sw' style='background:{shade}'></span>"
        f"{low:,} to {high:,} (territory)</div>"
        for shade, low, high in zip(shades, lows, breaks, strict=True))


def sources_box(text: MapText) -> str:
    """A folded list of every source cited by the data, with links."""
    items = "".join(
        f"<li>{esc(name)} {link(url)}"
        + (f" <small>({esc(licence)})</small>" if licence else "") + "</li>"
        for name, url, licence in text.sources)
    return (f"<details class='geomap-sources'><summary>Sources ({len(text.sources)})"
            f"</summary><ul>{items}</ul></details>")


MAP_CSS = """
html, body {width: 100%; height: 100%; margin: 0; padding: 0;}
.folium-map {position: absolute; inset: 0;}
.geomap-box {position: absolute; z-index: 1000; background: rgba(255,255,255,0.93);
  font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  padding: 6px 9px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35);}
.geomap-title {top: 10px; left: 50px; max-width: min(420px, calc(100vw - 120px));}
.geomap-h {font-weight: 700; font-size: 15px;}
.geomap-h2 {font-weight: 700; margin-top: 4px;}
.geomap-sub {font-size: 12px;}
.geomap-note {font-size: 10px; color: #555; margin-top: 3px;}
.geomap-legend {bottom: 56px; left: 10px; max-width: 220px;}
.geomap-sw {display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: middle; border: 1px solid #333;}
.geomap-claimed {background: #fff; border: 2px dashed #c0392b;}
.geomap-disputed {background: #c0392b; border: 2px dotted #222;}
.geomap-circle {display: inline-block; border-radius: 50%; background: rgba(158,123,196,0.45);
  border: 1px solid #6a3d9a; margin-right: 5px; vertical-align: middle;}
.geomap-sources summary {cursor: pointer; font-weight: 700; margin-top: 4px;}
.geomap-sources ul {max-height: 30vh; overflow-y: auto; margin: 2px 0; padding-left: 14px;}
@media (max-width: 600px) {
  .geomap-title {left: 50px; top: 10px; max-width: calc(100vw - 120px); padding: 4px 6px;}
  .geomap-h {font-size: 13px;}
  .geomap-sub {font-size: 11px;}
  .leaflet-control-scale-line:nth-child(2) {display: none;}
  .geomap-slider input {width: 45vw;}
  .geomap-legend {font-size: 10px; max-width: 160px;}
  .geomap-note {display: none;}
  .leaflet-control-attribution {font-size: 9px; max-height: 3.6em; overflow-y: auto;
    max-width: calc(100vw - 90px);}
}
.geomap-legend summary {cursor: pointer;}
.leaflet-control-attribution {max-width: min(70vw, 900px);}
.geomap-fullscreen {display: block; width: 30px; height: 30px; line-height: 30px;
  text-align: center; font-size: 18px; background: #fff; color: #222;
  text-decoration: none;}
.geomap-slider {position: relative; margin-bottom: 4px !important;}
.geomap-slider input {display: block; width: min(320px, 60vw);}
"""
