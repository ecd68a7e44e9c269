"""Leaflet and Leaflet.markercluster files from installed packages, for inlining.

A map that inlines them loads no script or stylesheet from the network (map tiles
aside), so it works offline, behind firewalls and in headless browser tests.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib.resources import files

from markupsafe import Markup

LEAFLET_PACKAGE = ("js_lib_leaflet", "static/js_lib_leaflet")
CLUSTER_PACKAGE = ("xstatic.pkg.leaflet_markercluster", "data")


def _read(package: tuple[str, str], name: str) -> str:
    """Read a text file shipped inside an installed package."""
    module, folder = package
    return files(module).joinpath(folder, name).read_text(encoding="utf-8")


def _inline_images(css: str, package: tuple[str, str]) -> str:
    """Replace ``url(images/x.png)`` in *css* by data URIs of the package's images."""
    module, folder = package

    def data_uri(match: re.Match[str]) -> str:
        path = files(module).joinpath(folder, match.group(1))
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)


@cache
def leaflet_files(cluster: bool = True,
                  images: bool = True) -> tuple[Markup, tuple[Markup, ...]]:
    """Leaflet's and the cluster plugin's CSS (images inlined), and their scripts.

    They are third-party files installed with geomap, inlined as they are; with
    *cluster* False (a map with no mining sites) the cluster plugin is left out, and
    with *images* False (no layer control: the article preset) Leaflet's images too.
    """
    css = _read(LEAFLET_PACKAGE, "leaflet.css")
    css = (_inline_images(css, LEAFLET_PACKAGE) if images
           else re.sub(r"url\(images/[\w.-]+\.png\)", "none", css))
    cluster_css = (_read(CLUSTER_PACKAGE, "MarkerCluster.css")
                   + _read(CLUSTER_PACKAGE, "MarkerCluster.Default.css"))
    scripts = [_read(LEAFLET_PACKAGE, "leaflet.js"),
               _read(CLUSTER_PACKAGE, "leaflet.markercluster.js")]
    if not cluster:
        cluster_css, scripts = "", scripts[:1]
    scripts = [re.sub(r"//# sourceMappingURL=\S+", "", script) for script in scripts]
    return Markup(css + cluster_css), tuple(Markup(script) for script in scripts)
