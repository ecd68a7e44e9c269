"""The report: one self-contained HTML file with the print map, tables and sources.

Everything is inside the file (the map PNG as base64, the CSS inline); it loads
nothing from elsewhere and prints on A4 landscape. Every string that comes from
data is escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from geomap.actors import controller_color, controller_label
from geomap.render.markup import MapText, esc, fmt_date, link
from geomap.schema import DISCLAIMER

AREA_COLUMNS = {"name": "Place", "pcode": "P-code", "kind": "Kind",
                "actor_name": "Held by", "confidence": "Confidence", "since": "Since",
                "level_name": "Level", "parent_name": "In",
                "people": "People displaced", "people_as_of": "Figure date",
                "mines": "Mining sites", "population": "Population",
                "source": "Control source", "url": "Link"}
ACTOR_COLUMNS = {"actor_name": "Actor", "areas": "Areas", "towns": "Towns",
                 "people": "People displaced in places held",
                 "people_as_of": "Figure dates", "population": "Population",
                 "mines": "Mining sites", "mines_by_mineral": "Sites by mineral",
                 "places": "Places"}
TOTAL_COLUMNS = {"level": "Level added up", "places": "Places",
                 "places_with_figure": "Places with a figure", "people": "People displaced",
                 "people_as_of": "Figure dates", "mines": "Mining sites"}
CHANGE_COLUMNS = {"name": "Place", "place": "Place id", "actor_before": "Before",
                  "actor_after": "After", "confidence": "Confidence",
                  "changed_on": "Changed on", "source": "Source", "url": "Link",
                  "note": "Note"}
JOIN_COLUMNS = {"layer": "Layer", "reference": "Reference", "place_name": "Matched place",
                "place": "Place id", "method": "Method", "score": "Score",
                "records": "Records", "candidates": "Nearest candidates"}
REJECT_COLUMNS = {"layer": "Layer", "row": "Row", "column": "Column", "value": "Value",
                  "action": "Action", "reason": "Reason"}
MAX_ROWS = 200
"""Rows shown per table; the CSV files hold them all."""


def _cell(column: str, value: object) -> tuple[str, str]:
    """Escaped cell markup for *value*, and its CSS class ('num', 'date' or '')."""
    if value is None or (np.ndim(value) == 0 and not isinstance(value, str)
                         and pd.isna(value)):
        return "", ""
    if isinstance(value, pd.Timestamp | np.datetime64):
        return fmt_date(value), "date"
    if isinstance(value, bool | np.bool_):
        return ("yes" if value else "no"), ""
    if isinstance(value, int | np.integer):
        return f"{int(value):,}", "num"
    if isinstance(value, float | np.floating):
        shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        return shown, "num"
    if column == "url":
        return link(value), ""
    return esc(value), ""


def _swatch(actor: object) -> str:
    """A small colour square for an actor id ('' when missing)."""
    if not isinstance(actor, str):
        return ""
    color = controller_color(actor)
    return f"<span class='sw' style='background:{color}'></span>"


def html_table(table: pd.DataFrame, columns: Mapping[str, str], *,
               swatch: str | None = None, caption: str = "") -> str:
    """Render the *columns* of *table* (those present) as an escaped HTML table.

    Parameters
    ----------
    table : DataFrame
        Any table; only the listed columns that it has are shown.
    columns : mapping of str to str
        Column name to header text, in display order.
    swatch : str, optional
        A column of actor ids whose colour is shown before the first cell.
    caption : str
        Text under the table (escaped).

    Returns
    -------
    str
        Markup of a ``<table>``, at most :data:`MAX_ROWS` rows and a note when cut.
    """
    shown = [c for c in columns if c in table.columns]
    head = "".join(f"<th>{esc(columns[c])}</th>" for c in shown)
    rows = []
    for _, row in table.head(MAX_ROWS).iterrows():
        cells = []
        for i, column in enumerate(shown):
            markup, kind = _cell(column, row[column])
            if i == 0 and swatch is not None and swatch in table.columns:
                markup = _swatch(row[swatch]) + markup
                kind = kind or "lead"
            cells.append(f"<td class='{kind}'>{markup}</td>" if kind else
                         f"<td>{markup}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = len(table) - MAX_ROWS
    note = f"{len(table):,} rows; the first {MAX_ROWS} shown. " if more > 0 else ""
    foot = f"<p class='cap'>{esc(note + caption)}</p>" if note or caption else ""
    if not rows:
        return f"<p class='empty'>No rows.</p>{foot}"
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            f"</table>{foot}")


def _join_summary(join_report: pd.DataFrame) -> str:
    """One sentence counting references by match method."""
    if join_report is None or join_report.empty:
        return "No references to match."
    counts = join_report.groupby("method")["records"].sum()
    parts = [f"{int(n):,} record(s) by {esc(method)}" for method, n in counts.items()]
    return "Records linked: " + ", ".join(parts) + "."


def _reject_summary(rejects: pd.DataFrame) -> str:
    """The rejects count per layer and action, as a sentence."""
    if rejects is None or rejects.empty:
        return "<p><b>0</b> rows rejected: every row read was used.</p>"
    rejected = rejects.loc[rejects["action"] == "rejected"]
    per_layer = rejected.groupby("layer")["row"].nunique()
    listed = ", ".join(f"{esc(layer)}: {n:,}" for layer, n in per_layer.items())
    repaired = int((rejects["action"] != "rejected").sum())
    return (f"<p><b>{int(per_layer.sum()):,}</b> row(s) rejected ({listed or 'none'})"
            f"; {repaired:,} value(s) repaired or flagged. Full list in rejects.csv."
            "</p>")


def _sources_table(sources: pd.DataFrame) -> str:
    """Sources with their links and licences, per layer."""
    return html_table(sources, {"layer": "Layer", "source": "Source", "url": "Link",
                                "license": "Licence"},
                      caption="A licence left blank is not stated in the input file: "
                              "check the publisher's terms before reuse.")


def collect_sources(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Distinct source, URL and licence per layer, from the layers' own columns.

    Returns
    -------
    DataFrame
        Columns ``layer``, ``source``, ``url``, ``license``, sorted.
    """
    parts = []
    for layer, frame in frames.items():
        if "source" not in frame:
            continue
        part = pd.DataFrame({
            "layer": layer,
            "source": frame["source"].astype(object),
            "url": frame["url"].astype(object) if "url" in frame else None,
            "license": frame["license"].astype(object) if "license" in frame else None,
        })
        parts.append(part.dropna(subset=["source"]))
    if not parts:
        return pd.DataFrame(columns=["layer", "source", "url", "license"])
    table = pd.concat(parts, ignore_index=True).astype(object)
    table = table.where(table.notna(), "").drop_duplicates()
    return table.sort_values(["layer", "source", "url", "license"], ignore_index=True)


def _header(text: MapText) -> str:
    """Title, dates and disclaimer."""
    compare = (f" · changes since <b>{fmt_date(text.compare)}</b>"
               if text.compare is not None else "")
    latest = getattr(text, "latest_record", None)
    stale = f" (latest record: {fmt_date(latest)})" if latest is not None else ""
    return (f"<header><h1>{esc(text.title)}</h1><p class='sub'>Control as of "
            f"<b>{fmt_date(text.as_of)}</b>{stale}{compare}</p><p class='note'>"
            f"{esc(DISCLAIMER)}</p></header>")


def _figure(png: bytes, as_of: str) -> str:
    """The print map as an embedded PNG, with its caption."""
    image = base64.b64encode(png).decode("ascii")
    return (f"<figure><img src='data:image/png;base64,{image}' alt='Map of control, "
            f"displacement and mining sites as of {as_of}'><figcaption>Print map "
            "(also map.pdf and map.svg). Circles: people displaced per place; "
            "diamonds: mining sites.</figcaption></figure>")


def write_report(path: Path, *, text: MapText, png: bytes, areas: pd.DataFrame,
                 actors: pd.DataFrame, join_report: pd.DataFrame,
                 rejects: pd.DataFrame, sources: pd.DataFrame,
                 changes: pd.DataFrame | None = None, people: object = None,
                 totals: pd.DataFrame | None = None) -> Path:
    """Write the self-contained HTML report.

    Parameters
    ----------
    path : Path
        The ``report.html`` to write.
    text : MapText
        Title, as-of date and comparison date.
    png : bytes
        The print map, embedded as base64.
    areas, actors : DataFrame
        The per-place and per-actor summaries.
    join_report, rejects : DataFrame
        How references were matched, and the rows set aside.
    sources : DataFrame
        From :func:`collect_sources`.
    changes : DataFrame, optional
        Control changes since ``text.compare`` (``place``, ``name``,
        ``actor_before``, ``actor_after``, ``changed_on``, ``source``).
    people : object, optional
        The people count of the build (its rows and its sums are shown).
    totals : DataFrame, optional
        People displaced and mines added up per level
        (:func:`geomap.summarise.nesting.summarise_totals`).

    Returns
    -------
    Path
        *path*; the same inputs give the same bytes.
    """
    as_of = fmt_date(text.as_of)
    held = areas.loc[areas["actor"].notna()] if "actor" in areas else areas
    sections = [
        _header(text),
        _figure(png, as_of),
        "<section><h2>Who holds what</h2>"
        + html_table(actors, ACTOR_COLUMNS, swatch="actor",
                     caption="People displaced adds the figures of the places each "
                             "actor holds that are dated while it held them; a place "
                             "inside another counted place is not added again.")
        + "</section>",
    ]
    if totals is not None:
        sections.append(
            "<section><h2>Totals per level</h2>" + html_table(
                totals, TOTAL_COLUMNS, caption="Each row adds one level only: towns lie "
                "in territories, territories in provinces, so rows are never added "
                "together. A figure is counted as of its own date.") + "</section>")
    if changes is not None:
        named = changes.copy()
        for column in ("actor_before", "actor_after"):
            if column in named:
                named[column] = named[column].map(controller_label).fillna("no record")
        sections.append("<section><h2>Changes since "
                        f"{fmt_date(text.compare)}</h2>"
                        + html_table(named, CHANGE_COLUMNS) + "</section>")
    sections += [
        "<section><h2>Places held</h2>" + html_table(held, AREA_COLUMNS, swatch="actor")
        + "</section>",
        "<section><h2>Places with no control record</h2>"
        + html_table(areas.drop(index=held.index), AREA_COLUMNS) + "</section>",
        "<section><h2>Quality: how records were linked to places</h2>"
        f"<p>{_join_summary(join_report)}</p>" + html_table(join_report, JOIN_COLUMNS)
        + "</section>",
        "<section><h2>Quality: rows set aside</h2>" + _reject_summary(rejects)
        + (f"<p>{esc(people)}</p>" if people is not None else "")
        + (f"<p>{esc(people.describe_sums())}</p>"
           if hasattr(people, "describe_sums") else "")
        + html_table(rejects, REJECT_COLUMNS) + "</section>",
        "<section><h2>Sources and licences</h2>" + _sources_table(sources)
        + "</section>",
        (f"<footer><p>{esc(DISCLAIMER)}</p><p>Made with geomap from the inputs listed "
         "above; the same inputs give the same report.</p></footer>"),
    ]
    page = ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{esc(text.title)} — {as_of}</title><style>{_CSS}</style></head>"
            "<body>\n" + "\n".join(sections) + "\n</body></html>\n")
    Path(path).write_text(page, encoding="utf-8", newline="\n")
    return Path(path)


_CSS = """
body {font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a1a1a; margin: 24px auto; max-width: 1200px; padding: 0 16px;}
h1 {font-size: 24px; margin: 0 0 4px;}
h2 {font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ccc;}
.sub {font-size: 15px; margin: 0 0 6px;}
.note {font-size: 12px; color: #555; background: #f6f6f6; padding: 6px 10px;
  border-left: 3px solid #999;}
figure {margin: 16px 0;}
figure img {width: 100%; height: auto; border: 1px solid #ddd;}
figcaption, .cap {font-size: 12px; color: #555;}
table {border-collapse: collapse; width: 100%; font-size: 12.5px;}
th, td {border-bottom: 1px solid #e2e2e2; padding: 3px 6px; text-align: left;
  vertical-align: top;}
th {background: #f0f0f0;}
td.num {text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;}
td.date, td.lead {white-space: nowrap;}
.sw {display: inline-block; width: 10px; height: 10px; margin-right: 5px;
  border: 1px solid #333; vertical-align: baseline;}
.empty {color: #555; font-style: italic;}
footer {margin-top: 32px; font-size: 12px; color: #555;}
@page {size: A4 landscape; margin: 12mm;}
@media print {
  body {margin: 0; max-width: none; padding: 0; font-size: 10.5px;}
  h2 {break-after: avoid; page-break-after: avoid;}
  figure {break-inside: avoid; page-break-inside: avoid; break-after: page;}
  h1 {font-size: 18px;}
  .note {font-size: 9px; padding: 3px 8px;}
  figure {margin: 6px 0;}
  figure img {max-height: 140mm; width: auto; max-width: 100%;}
  thead {display: table-header-group;}
  tr, td, th {break-inside: avoid; page-break-inside: avoid;}
  table {font-size: 9.5px;}
  a {color: inherit; text-decoration: none;}
}
"""
