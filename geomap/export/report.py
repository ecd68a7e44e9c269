"""The report: one self-contained HTML file with the print map, tables and sources.

Everything is inside the file (the map PNG as base64, the CSS inline); it loads
nothing from elsewhere and prints on A4 landscape. The page is the template
``templates/report.html.j2`` with ``static/report.css``; this module only gathers
the values it shows, which are escaped on output.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from markupsafe import Markup

from geomap.actors import controller_color
from geomap.render.markup import MapText, fmt_date, link_target
from geomap.render.templating import environment, render_template, static_text
from geomap.words import actor_name, format_number, value_word, word, words_for

AREA_COLUMNS = {"name": "col_place", "pcode": "col_pcode", "kind": "col_kind",
                "actor_name": "col_held_by", "confidence": "col_confidence",
                "since": "col_since", "level_name": "col_level", "parent_name": "col_in",
                "people": "col_people",
                "people_as_of": "col_figure_date", "mines": "col_mining_sites",
                "population": "col_population", "source": "col_control_source",
                "url": "col_link"}
ACTOR_COLUMNS = {"actor_name": "col_actor", "areas": "col_areas", "towns": "col_towns",
                 "people": "col_people_in_held", "people_as_of": "col_figure_dates",
                 "population": "col_population",
                 "mines": "col_mining_sites", "mines_by_mineral": "col_sites_by_mineral",
                 "places": "col_places"}
TOTAL_COLUMNS = {"level": "col_level_added", "places": "col_places",
                 "places_with_figure": "col_places_with_figure", "people": "col_people",
                 "people_as_of": "col_figure_dates", "mines": "col_mining_sites"}
CHANGE_COLUMNS = {"name": "col_place", "place": "col_place_id",
                  "actor_before": "col_before", "actor_after": "col_after",
                  "confidence": "col_confidence", "changed_on": "col_changed_on",
                  "source": "col_source", "url": "col_link", "note": "col_note"}
JOIN_COLUMNS = {"layer": "col_layer", "reference": "col_reference",
                "place_name": "col_matched_place", "place": "col_place_id",
                "method": "col_method", "score": "col_score", "records": "col_records",
                "candidates": "col_candidates"}
REJECT_COLUMNS = {"layer": "col_layer", "row": "col_row", "column": "col_column",
                  "value": "col_value", "action": "col_action", "reason": "col_reason"}
SOURCE_COLUMNS = {"layer": "col_layer", "source": "col_source", "url": "col_link",
                  "license": "col_licence"}
EVENT_COLUMNS = {"date_text": "col_date", "event_kind": "col_kind", "title": "col_event",
                 "changes_nearby": "col_changes_nearby", "source": "col_source",
                 "url": "col_link"}
"""Columns shown in each table, in order, with the words-table key of their header."""
REPORT_TEMPLATE = "report.html.j2"
TABLES_TEMPLATE = "report_tables.html.j2"
VALUE_WORDS = {"kind": "kind", "confidence": "confidence", "event_kind": "event_kind"}
"""Columns of closed values shown in the report's language (see value_word)."""
MAX_ROWS = 200
"""Rows shown per table but the sources; the CSV files hold them all."""
SOURCES_MARK = "<!--geomap:sources-->"
"""Where the template leaves the sources table, written row by row after it: escaped
text from data cannot hold '<', so it cannot hold this mark."""
PNG_MARK = "<!--geomap:print-map-->"
"""Where the template leaves the print map's base64 PNG, written after the page is
made (the PNG may still be on its way then); like :data:`SOURCES_MARK`, escaped
text cannot hold it."""


FIGURE_COLUMNS = {"people"}
"""Columns of displacement figures: a missing one reads 'no figure', never 0."""
DATE_TEXTS = {"since": "since_text", "changed_on": "changed_on_text",
              "people_as_of": "people_as_of_text"}
"""Dates shown as their text, written as exactly as they are known, when the table
has it ('19–21 January 2025', 'about 10 December 2025', 'March 2025')."""


def _dates_as_known(table: pd.DataFrame) -> pd.DataFrame:
    """*table* with each date of :data:`DATE_TEXTS` replaced by its text, if any."""
    shown = table.copy()
    for column, text in DATE_TEXTS.items():
        if column in shown and text in shown:
            written = shown[text].astype(object)
            shown[column] = written.where(written.notna() & (written != ""), None)
    return shown


def _cell(column: str, value: object, lang: str) -> dict:
    """A table cell: its text, CSS class ('num', 'date' or ''), link and swatch."""
    text, kind, href = _shown(column, value, lang)
    return {"text": text, "kind": kind, "href": href, "swatch": None}


def _shown(column: str, value: object, lang: str) -> tuple[object, str, str | None]:
    """Text, CSS class and link target of one value."""
    if value is None or (np.ndim(value) == 0 and not isinstance(value, str)
                         and pd.isna(value)):
        return (word("no_figure", lang) if column in FIGURE_COLUMNS else ""), "", None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return fmt_date(value), "date", None
    if isinstance(value, bool | np.bool_):
        return word("yes" if value else "no", lang), "", None
    if isinstance(value, int | np.integer):
        return format_number(value, lang), "num", None
    if isinstance(value, float | np.floating):
        shown = (format_number(value, lang) if float(value).is_integer()
                 else f"{value:,.1f}")
        return shown, "num", None
    if column in VALUE_WORDS:
        return value_word(VALUE_WORDS[column], value, lang), "", None
    return value, "", link_target(value) if column == "url" else None


def table_rows(table: pd.DataFrame, columns: Mapping[str, str], *,
               swatch: str | None = None, caption: str = "",
               lang: str = "en") -> dict:
    """The *columns* of *table* (those present) as cells for the report's tables.

    Parameters
    ----------
    table : DataFrame
        Any table; only the listed columns that it has are shown.
    columns : mapping of str to str
        Column name to the words-table key of its header, in display order.
    swatch : str, optional
        A column of actor ids whose colour is shown before the first cell.
    caption : str
        Text under the table.
    lang : str
        Language of the words (see :mod:`geomap.words`).

    Returns
    -------
    dict
        ``heads``, ``rows`` (at most :data:`MAX_ROWS`, each a list of cells) and
        ``foot`` (the caption, and a note when rows were cut).
    """
    shown = [c for c in columns if c in table.columns]
    rows = []
    for _index, row in table.head(MAX_ROWS).iterrows():
        cells = [_cell(column, row[column], lang) for column in shown]
        if cells and swatch is not None and swatch in table.columns and \
                isinstance(row[swatch], str):
            cells[0] = {**cells[0], "swatch": controller_color(row[swatch]),
                        "kind": cells[0]["kind"] or "lead"}
        elif cells and swatch is not None and swatch in table.columns:
            cells[0] = {**cells[0], "kind": cells[0]["kind"] or "lead"}
        rows.append(cells)
    more = len(table) - MAX_ROWS
    note = (word("rows_shown", lang, count=format_number(len(table), lang),
                 shown=MAX_ROWS) if more > 0 else "")
    return {"heads": [word(columns[c], lang) for c in shown], "rows": rows,
            "foot": note + caption}


def html_table(table: pd.DataFrame, columns: Mapping[str, str], *,
               swatch: str | None = None, caption: str = "", lang: str = "en") -> str:
    """Markup of one report table (see :func:`table_rows`), escaped."""
    module = environment().get_template(TABLES_TEMPLATE).make_module(
        {"w": words_for(lang), "lang": lang})
    return str(module.table(table_rows(table, columns, swatch=swatch, caption=caption,
                                       lang=lang)))


def html_header(text: MapText, lang: str | None = None) -> str:
    """Markup of the report's header: title, as-of date (and latest record), the
    comparison date and the disclaimer, escaped."""
    lang = lang or text.lang
    module = environment().get_template(TABLES_TEMPLATE).make_module(
        {"w": words_for(lang), "lang": lang})
    return str(module.header(text))


def _rejected(rejects: pd.DataFrame, lang: str) -> dict | None:
    """Rows rejected (in all and per layer), values repaired or flagged; None when
    no row was set aside."""
    if rejects is None or rejects.empty:
        return None
    rejected = rejects.loc[rejects["action"] == "rejected"]
    per_layer = rejected.groupby("layer")["row"].nunique()
    layers = ", ".join(f"{layer}: {format_number(n, lang)}"
                       for layer, n in per_layer.items())
    return {"total": int(per_layer.sum()), "layers": layers or word("none", lang),
            "repaired": int((rejects["action"] != "rejected").sum())}


def _joins(join_report: pd.DataFrame, lang: str) -> str:
    """Records linked per method, as a list ('' when nothing was linked)."""
    if join_report is None or join_report.empty:
        return ""
    counts = join_report.groupby("method")["records"].sum()
    return ", ".join(word("records_by_method", lang, count=format_number(n, lang),
                          method=method) for method, n in counts.items())


def collect_sources(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Distinct source, URL and licence per layer, from the layers' own columns.

    Returns
    -------
    DataFrame
        Columns ``layer``, ``source``, ``url``, ``license``, sorted.
    """
    found: set[tuple] = set()  # a few distinct rows out of thousands of records
    for layer, frame in frames.items():
        if "source" not in frame:
            continue
        columns = [frame[c].tolist() if c in frame else [None] * len(frame)
                   for c in ("source", "url", "license")]
        found.update((layer, source, _blank(url), _blank(licence))
                     for source, url, licence in zip(*columns, strict=True)
                     if not pd.isna(source))
    if not found:
        return pd.DataFrame(columns=["layer", "source", "url", "license"])
    table = pd.DataFrame(list(found), columns=["layer", "source", "url", "license"],
                         dtype=object)
    return table.sort_values(["layer", "source", "url", "license"], ignore_index=True)


def _blank(value: object) -> object:
    """*value*, or '' where it is missing."""
    return "" if pd.isna(value) else value


def write_report(path: Path, *, text: MapText, png: bytes | Callable[[], bytes],
                 areas: pd.DataFrame,
                 actors: pd.DataFrame, join_report: pd.DataFrame,
                 rejects: pd.DataFrame, sources: pd.DataFrame,
                 changes: pd.DataFrame | None = None, people: object = None,
                 totals: pd.DataFrame | None = None, lang: str | None = None,
                 events: pd.DataFrame | None = None) -> Path:
    """Write the self-contained HTML report.

    Parameters
    ----------
    path : Path
        The ``report.html`` to write.
    text : MapText
        Title, as-of date and comparison date.
    png : bytes or callable
        The print map, embedded as base64; or what returns it, called once the rest
        of the page is made (a PNG another process is saving meanwhile).
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
    lang : str, optional
        Language of the words (see :mod:`geomap.words`); by default the text's.
    events : DataFrame, optional
        Dated events with the changes of control near each
        (:func:`geomap.summarise.events.summarise_events`); listed when not empty.

    Returns
    -------
    Path
        *path*; the same inputs give the same bytes.
    """
    from geomap.summarise.events import EVENT_WINDOW_DAYS

    lang = lang or text.lang
    areas = _dates_as_known(areas)
    held = areas.loc[areas["actor"].notna()] if "actor" in areas else areas
    named = None
    if changes is not None:
        named = _dates_as_known(changes)
        for column in ("actor_before", "actor_after"):
            if column in named:  # as objects: an all-missing Arrow column maps to bool
                named[column] = [actor_name(a, lang) or word("no_record", lang)
                                 for a in named[column].astype(object)]
    page = render_template(
        REPORT_TEMPLATE, w=words_for(lang), lang=lang, text=text,
        css=static_text("geomap.export", "report.css"),
        png_mark=Markup(PNG_MARK),
        actors=table_rows(actors, ACTOR_COLUMNS, swatch="actor", lang=lang, caption=word(
            "report_people_caption", lang)),
        changes=None if named is None else table_rows(named, CHANGE_COLUMNS, lang=lang),
        held=table_rows(held, AREA_COLUMNS, swatch="actor", lang=lang),
        unheld=table_rows(areas.drop(index=held.index), AREA_COLUMNS, lang=lang),
        joins=_joins(join_report, lang), join_report=table_rows(join_report, JOIN_COLUMNS, lang=lang),
        rejected=_rejected(rejects, lang), people=people,
        people_sums=people.describe_sums() if hasattr(people, "describe_sums") else None,
        totals=None if totals is None else table_rows(
            totals, TOTAL_COLUMNS, lang=lang, caption=word("totals_caption", lang)),
        rejects=table_rows(rejects, REJECT_COLUMNS, lang=lang),
        sources_mark=Markup(SOURCES_MARK),
        events=None if events is None or events.empty else table_rows(
            events.rename(columns={"kind": "event_kind"}), EVENT_COLUMNS, lang=lang),
        event_days=EVENT_WINDOW_DAYS)
    top, head = page.split(PNG_MARK)
    head, tail = head.split(SOURCES_MARK)
    png = png() if callable(png) else png
    with Path(path).open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(top)
        handle.write(base64.b64encode(png).decode("ascii"))
        handle.write(head)
        handle.writelines(source_rows(sources, lang))
        handle.write(tail)
    return Path(path)


SOURCES_PIECES = "report_sources.html"
"""The sources table's markup, in pieces (a static file of geomap.export)."""


@cache
def _pieces() -> dict[str, str]:
    """The pieces of :data:`SOURCES_PIECES` by name, each without its last newline."""
    text = static_text("geomap.export", SOURCES_PIECES)
    return dict(re.findall(r"^<!-- (\w+) -->\n(.*?)\n(?=<!-- |\Z)", str(text),
                           re.DOTALL | re.MULTILINE))


def source_rows(sources: pd.DataFrame, lang: str, *, block: int = 10_000
                ) -> Iterator[str]:
    """The sources table, every row, as markup in blocks of *block* rows.

    A file whose every row names its own source lists them all, so the rows are
    compact (end tags HTML leaves optional are left out) and written as they are made,
    from the pieces of :data:`SOURCES_PIECES`. Text is escaped; only http(s) URLs
    become links.
    """
    piece = _pieces()
    heads = [c for c in SOURCE_COLUMNS if c in sources.columns]
    blank = html.escape(word("licence_blank", lang))
    if not len(sources):
        yield piece["empty"].format(no_rows=html.escape(word("no_rows", lang)),
                                    blank=blank)
        return
    yield piece["head"].format(heads="".join(
        piece["head_cell"].format(text=html.escape(word(SOURCE_COLUMNS[c], lang)))
        for c in heads)) + "\n"
    link = html.escape(word("link_source", lang))
    cell, link_cell, row = piece["cell"], piece["link_cell"], piece["row"]
    columns = [sources[c].astype(object).to_numpy() for c in heads]
    for start in range(0, len(sources), block):
        lines = []
        for values in zip(*(c[start:start + block] for c in columns), strict=True):
            cells = []
            for column, value in zip(heads, values, strict=True):
                text = "" if value is None or value is pd.NA or (
                    isinstance(value, float) and np.isnan(value)) else str(value)
                target = link_target(text) if column == "url" else None
                cells.append(link_cell.format(href=html.escape(target), link=link)
                             if target else cell.format(text=html.escape(text)))
            lines.append(row.format(cells="".join(cells)) + "\n")
        yield "".join(lines)
    count = format_number(len(sources), lang)
    yield piece["foot"].format(listed=html.escape(word("sources_listed", lang,
                                                       count=count)), blank=blank)
