"""The article embed: an iframe snippet, and the size budgets of map.html."""

from __future__ import annotations

import warnings
from pathlib import Path

from geomap.errors import GeomapWarning
from geomap.render.markup import esc

MAP_BUDGET = {"article": 2 * 1024 * 1024, "analyst": 10 * 1024 * 1024}
"""Largest map.html, in bytes, for each preset."""

_SNIPPET = """<!-- geomap: paste this where the map should appear; keep map.html beside the page
     (or change src to where you host it). -->
<iframe class="geomap-embed" src="{src}" title="{title}" loading="lazy"
  style="display:block;width:100%;height:480px;border:0" allowfullscreen></iframe>
<script>
(function () {{
  // Keep the map about 4:3 on phones and at most 80% of the screen height.
  var frames = document.querySelectorAll("iframe.geomap-embed");
  function fit() {{
    frames.forEach(function (frame) {{
      var width = frame.getBoundingClientRect().width;
      var height = Math.min(Math.max(width * 0.75, 420), window.innerHeight * 0.8);
      frame.style.height = Math.round(height) + "px";
    }});
  }}
  window.addEventListener("resize", fit);
  fit();
}})();
</script>
"""


def embed_snippet(title: str, src: str = "map.html") -> str:
    """The iframe snippet an editor pastes into an article, with its resize script."""
    return _SNIPPET.format(src=esc(src), title=esc(title))


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
