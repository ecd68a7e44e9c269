"""The words of the analysts' package: each layer's provenance and the layout's text.

Sources and licences come from the layers' own columns; every phrase comes from the
words table (:mod:`geomap.words`) in the build's language. Text from data is
returned as plain text; the XML writers escape it.
"""

from __future__ import annotations

import pandas as pd

from geomap.export.gpkg_metadata import Provenance
from geomap.export.qgis_layout import LayoutText
from geomap.render.markup import MapText
from geomap.schema import METRIC_CRS
from geomap.words import actor_name, format_date, format_number, word


def _pairs(names: object, urls: object) -> list[tuple[str, str]]:
    """(source, URL) pairs of one cell pair; '; '-joined lists pair up when they can."""
    names = names.split("; ") if isinstance(names, str) and names else []
    links = urls.split("; ") if isinstance(urls, str) and urls else []
    if len(links) == len(names):
        return list(zip(names, links, strict=True))
    return [(name, "") for name in names] + [(link, link) for link in links]


LAYER_SOURCES = 200
"""Sources named in a layer's metadata; a file whose every row names its own source
would otherwise write millions of links into the GeoPackage and the QGIS project."""


def provenance(title: str, abstract: str, frame: pd.DataFrame,
               text: MapText) -> Provenance:
    """Title, abstract, sources and licences of one layer, from its own columns.

    Sources are the (source, URL) pairs of the ``source``/``url`` and
    ``control_source``/``control_url`` columns; licences are the layer's
    ``license`` column and the licence each of those sources carries in the build.
    """
    found: dict[tuple[str, str], None] = {}
    for prefix in ("", "control_"):
        if f"{prefix}source" in frame:
            urls = frame.get(f"{prefix}url", pd.Series(None, index=frame.index))
            for names, links in zip(frame[f"{prefix}source"], urls, strict=True):
                found.update(dict.fromkeys(_pairs(names, links)))
    licence_of = {(s, u): lic for s, u, lic in text.sources if lic}
    licences = {licence_of[pair] for pair in found if pair in licence_of}
    if "license" in frame:
        licences |= set(frame["license"].dropna().astype(str)) - {""}
    cited = sorted(found)
    return Provenance(title, abstract, text.as_of, sorted(licences),
                      cited[:LAYER_SOURCES], text.lang,
                      sources_more=max(len(cited) - LAYER_SOURCES, 0))


def holders_text(actors: pd.DataFrame | None, lang: str = "en") -> str:
    """'Who holds what' as on the print map: towns, areas, mines, people per actor."""
    if actors is None or not len(actors):
        return ""
    heads = [word(key, lang) for key in ("col_towns", "col_areas", "col_mines",
                                         "col_displaced_star")]
    lines = [word("who_holds_what", lang)]
    for row in actors.head(8).itertuples(index=False):
        values = [format_number(getattr(row, column), lang) or word("no_figure", lang)
                  for column in ("towns", "areas", "mines", "people")]
        name = actor_name(row.actor, lang) or str(row.actor)
        lines.append(word("gis_holder_line", lang, actor=name, values=", ".join(
            f"{head} {value}" for head, value in zip(heads, values, strict=True))))
    lines.append(word("displaced_star_note", lang))
    return "\n".join(lines)


def layout_text(text: MapText, actors: pd.DataFrame | None) -> LayoutText:
    """The words of the print layout, as on the print map, in the build's language."""
    lang = text.lang
    subtitle = word("as_of", lang, date=format_date(text.as_of, lang))
    if text.compare is not None:
        subtitle += "  ·  " + word("changes_since", lang,
                                   date=format_date(text.compare, lang))
    names = text.credits or [name for name, _, _ in text.sources]
    sources = " ".join([word("sources_line", lang, names="; ".join(names) or word(
        "sources_not_recorded", lang)), word("gis_sources_note", lang)])
    footer = " ".join([word("disclaimer", lang), word("projection", lang,
                                                      crs=METRIC_CRS)])
    return LayoutText(text.title, subtitle, sources, footer,
                      word("gis_doubt_note", lang), holders_text(actors, lang))
