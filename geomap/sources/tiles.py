"""Background tiles for the web map: a provider name or URL resolved through xyzservices.

geomap draws no tiles by default: the map works offline on its own vector base
(countries and lakes from ``shapes/context``). ``--tiles NAME`` names one of the
providers xyzservices knows (``OpenStreetMap.Mapnik``, ``Esri.WorldImagery``, ...;
case and punctuation are ignored), ``--tiles URL`` gives a tile URL template, and
either comes back as a :class:`TileSource` carrying the provider's attribution, so
the page can credit it. Resolving never touches the network.
"""

from __future__ import annotations

import difflib
import html
import re
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

from geomap.errors import ConfigError, GeomapWarning

NO_TILES = "none"
"""The --tiles value for no tiles (the default)."""
PLACEHOLDERS = ("{x}", "{y}", "{z}", "{s}", "{r}", "{-y}")
"""What Leaflet fills in a tile URL: tile column, row and zoom, subdomain, '@2x' on
high-density screens, and the row counted from the bottom (TMS)."""
_PLACEHOLDER = re.compile(r"\{ *([\w -]+) *\}")
"""A placeholder as Leaflet's template reads it; any other than PLACEHOLDERS makes it
throw when the first tile loads."""


@dataclass(frozen=True)
class TileSource:
    """A tile layer for the web map and how to credit it."""

    name: str
    """The provider's name (``OpenStreetMap.Mapnik``), or the URL's host."""
    url: str
    """URL template with ``{z}``, ``{x}``, ``{y}`` (and ``{s}`` for subdomains)."""
    attribution: str
    """The credit the provider asks for, as HTML (links kept)."""
    max_zoom: int = 18
    subdomains: str = ""
    """Letters that replace ``{s}`` in *url* (empty when it has none)."""


def _providers():
    """xyzservices' providers (imported on first use: it reads a JSON catalogue)."""
    from xyzservices import providers

    return providers


def _key(name: str) -> str:
    """A name without case or punctuation, as xyzservices compares them."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def resolve_tiles(spec: str | None) -> TileSource | None:
    """Resolve ``--tiles``: None or 'none' gives None, else a :class:`TileSource`.

    Parameters
    ----------
    spec : str or None
        A provider name known to xyzservices, an ``http(s)`` URL template holding
        ``{z}``, ``{x}`` and ``{y}``, or 'none'.

    Returns
    -------
    TileSource or None

    Raises
    ------
    ConfigError
        An unknown name (the three nearest are suggested), a provider that needs
        an API key, or a URL without the tile placeholders.

    Examples
    --------
    >>> resolve_tiles("openstreetmap mapnik").max_zoom
    19
    >>> resolve_tiles("none") is None
    True
    """
    if spec is None or spec.strip().lower() == NO_TILES:
        return None
    spec = spec.strip()
    if "://" in spec:
        return _from_url(spec)
    providers = _providers()
    with warnings.catch_warnings():  # xyzservices warns about some providers' keys
        warnings.simplefilter("ignore")
        try:
            provider = providers.query_name(spec)
        except ValueError:
            names = list(providers.flatten())
            close = difflib.get_close_matches(_key(spec), [_key(n) for n in names], n=3)
            hint = [n for n in names if _key(n) in close]
            msg = (f"No tile provider named '{spec}'. "
                   + (f"Did you mean {', '.join(hint)}? " if hint else "")
                   + "Give a name xyzservices knows (e.g. OpenStreetMap.Mapnik), a "
                   "tile URL with {z}/{x}/{y}, or 'none'.")
            raise ConfigError(msg) from None
        if provider.requires_token():
            msg = (f"The tile provider '{provider.name}' needs an API key. Give its "
                   "tile URL with your key in it (--tiles URL), or a provider without "
                   "a key such as OpenStreetMap.Mapnik.")
            raise ConfigError(msg)
        return TileSource(name=provider.name, url=provider.build_url(
            fill_subdomain=False), attribution=provider.html_attribution,
            max_zoom=int(provider.get("max_zoom", 18)),
            subdomains="".join(provider.get("subdomains", "")))


def _from_url(url: str) -> TileSource:
    """A tile URL template; credited as the provider whose template it is."""
    parts = urlsplit(url)
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url.replace("{-y}", "{y}")]
    unknown = sorted({f"{{{name.strip()}}}" for name in _PLACEHOLDER.findall(url)}
                     - set(PLACEHOLDERS))
    if parts.scheme not in ("http", "https") or not parts.netloc or missing:
        msg = (f"A tile URL must start with http:// or https:// and hold {{z}}, {{x}} "
               f"and {{y}}, but got '{url}'"
               + (f" (no {', '.join(missing)})" if missing else "") + ".")
        raise ConfigError(msg)
    if unknown:
        msg = (f"A tile URL may hold only the placeholders {', '.join(PLACEHOLDERS)}, "
               f"but '{url}' also holds {', '.join(unknown)}: write its value (an API "
               f"key, a style) into the URL.")
        raise ConfigError(msg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for provider in _providers().flatten().values():
            if not provider.requires_token() and provider.build_url(
                    fill_subdomain=False) == url:
                return TileSource(name=provider.name, url=url,
                                  attribution=provider.html_attribution,
                                  max_zoom=int(provider.get("max_zoom", 18)),
                                  subdomains="".join(provider.get("subdomains", "")))
    warnings.warn(f"No attribution is known for tiles from {parts.netloc}: the map "
                  f"credits them as '{parts.netloc}'. Check the provider's terms.",
                  GeomapWarning, stacklevel=2)
    return TileSource(name=parts.netloc, url=url,
                      attribution=f"Tiles: {html.escape(parts.netloc)}",
                      subdomains="abc" if "{s}" in url else "")
