"""Text for the page and the report: escaping, links, numbers, dates, inert JSON."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

import pandas as pd


def safe_json(value: object) -> str:
    """Dump *value* as JSON that is inert inside a ``<script>``: no raw ``<``, ``>``, ``&``.

    Examples
    --------
    >>> safe_json({"name": "</script>"})
    '{"name":"\\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def esc(value: object) -> str:
    """HTML-escape any value for markup ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def link_target(url: object) -> str | None:
    """*url* when it is an http(s) link, else None: other schemes are shown as text.

    Examples
    --------
    >>> link_target("https://example.org"), link_target("javascript:alert(1)")
    ('https://example.org', None)
    """
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return url
    return None


def fmt_count(value: object) -> str:
    """A whole number with thousands separators ('1,500'), '' for missing."""
    if value is None or pd.isna(value):
        return ""
    return f"{int(value):,}"


def fmt_date(value: object) -> str:
    """ISO date text of a timestamp, '' for missing.

    A timestamp of the years 1000 to 9999 is written from its fields, as ``%Y-%m-%d``
    writes it (a page writes a thousand of them); other years as ``strftime`` does.

    Examples
    --------
    >>> fmt_date(pd.Timestamp("2025-01-27 18:00")), fmt_date(None), fmt_date(pd.NaT)
    ('2025-01-27', '', '')
    """
    if type(value) is pd.Timestamp and value.year >= 1000:  # NaT is not one
        return "%04d-%02d-%02d" % (value.year, value.month, value.day)  # noqa: UP031
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


@dataclass
class MapText:
    """Everything written on the map besides the data: title, date, sources."""

    title: str
    as_of: pd.Timestamp
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    """(source, url, licence) of the sources the map lists (see *sources_more*)."""
    sources_more: int = 0
    """Sources the data cites beyond *sources*: the map counts them, the report and
    GIS layers list them."""
    credits: list[str] = field(default_factory=list)
    compare: pd.Timestamp | None = None
    lang: str = "en"
    """Language of every word written ('en' or 'fr'; see :mod:`geomap.words`)."""
    latest_record: pd.Timestamp | None = None
    """The newest control record's date when ``as_of`` is over 30 days after it: every
    output says "latest record: D" beside the as-of date."""
    tiles: object = None
    """Background tiles (a :class:`geomap.sources.tiles.TileSource`: url,
    attribution, max_zoom, subdomains), or None for the offline vector base."""

    @classmethod
    def from_build(cls, config, layers, **more) -> MapText:
        """The text of a build: title, dates, language and tiles from its config,
        sources and credits from its layers; *more* sets any other field."""
        return cls(title=config.title, as_of=config.date, sources=layers.sources,
                   sources_more=getattr(layers, "sources_more", 0),
                   credits=layers.credits, compare=config.compare, lang=config.lang,
                   tiles=config.tiles, **more)
