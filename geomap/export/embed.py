"""The article embed: an iframe snippet, and the size budgets of map.html."""

from __future__ import annotations

import warnings
from pathlib import Path

from geomap.errors import GeomapWarning
from geomap.render.templating import render_template

MAP_BUDGET = {"article": 2 * 1024 * 1024, "analyst": 10 * 1024 * 1024}
"""Largest map.html, in bytes, for each preset."""

def embed_snippet(title: str, src: str = "map.html") -> str:
    """The iframe snippet an editor pastes into an article, with its resize script.

    The snippet is the template ``templates/embed.html.j2``; *title* and *src* are
    escaped into it.
    """
    return render_template("embed.html.j2", src=src, title=title)


def check_budget(path: Path, preset: str) -> str:
    """Describe map.html's size against its budget; warn when it is over.

    Returns
    -------
    str
        A line such as ``map.html 0.4 MB (budget 2.0 MB for the article preset)``.
    """
    size = path.stat().st_size
    budget = MAP_BUDGET[preset]
    line = (f"map.html {size / 1048576:.1f} MB (budget {budget / 1048576:.1f} MB for the "
            f"{preset} preset)")
    if size > budget:
        warnings.warn(f"{line} is over budget: simplify the admin layer or use fewer "
                      "records.", GeomapWarning, stacklevel=2)
    return line
