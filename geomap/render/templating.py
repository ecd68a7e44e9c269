"""geomap's own templates and static files, and the one way they are rendered.

Templates are files of the package (``render/web/templates``, ``export/templates``);
text from data or from the user only ever reaches them as values, never as template
source. Every value is HTML-escaped on output (:func:`geomap.render.markup.esc`),
except the few marked safe here by geomap itself: its own script and style files,
and JSON made inert by :func:`geomap.render.markup.safe_json`.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from geomap.render.markup import esc, fmt_date, safe_json
from geomap.words import format_number

TEMPLATE_FOLDERS = (("geomap.render.web", "templates"), ("geomap.export", "templates"))
"""Packages and folders holding geomap's templates (also listed as package data)."""


def _escaped(value: object) -> Markup:
    """Every printed value is escaped ('' for missing), unless geomap marked it safe."""
    return value if isinstance(value, Markup) else Markup(esc(value))


def say(phrase: str, **values: object) -> Markup:
    """A phrase of the words table with its ``{name}`` fields filled, all escaped.

    The phrase is geomap's own text; each value is escaped unless it is markup the
    template made itself (a date in bold). Values are filled as plain text
    (``str.format``), so a value is never read as a phrase or a template.

    Examples
    --------
    >>> say("Control as of {date}", date=Markup("<b>1 May</b>"))
    Markup('Control as of <b>1 May</b>')
    >>> say("Data: {names}", names="<i>{names}</i>")
    Markup('Data: &lt;i&gt;{names}&lt;/i&gt;')
    """
    return Markup(esc(phrase).format_map({name: _escaped(value)
                                          for name, value in values.items()}))


@cache
def environment() -> Environment:
    """The Jinja environment of geomap's templates: autoescaping, strict, no cache on disk."""
    templates = Environment(
        loader=ChoiceLoader([PackageLoader(package, folder)
                             for package, folder in TEMPLATE_FOLDERS]),
        autoescape=True, finalize=_escaped, undefined=StrictUndefined,
        keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
        optimized=False)  # a template is compiled once a build and rendered once:
    # folding its constants at compile time cost more than it saved (the same text)
    templates.filters.update(date=fmt_date, count=format_number)
    templates.globals.update(say=say)
    return templates


def render_template(name: str, **values: object) -> str:
    """Render geomap's template *name* with *values* (escaped on output)."""
    return environment().get_template(name).render(**values)


def static_text(package: str, name: str) -> Markup:
    """A script or style file of geomap's own, to be inlined as it is."""
    return Markup(files(package).joinpath("static", name).read_text(encoding="utf-8"))


def json_block(value: object) -> Markup:
    """*value* as JSON for a ``<script type="application/json">`` block (inert)."""
    return Markup(safe_json(value))
