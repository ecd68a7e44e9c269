"""The registry of named public sources: where each file comes from and who made it."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geomap.errors import SourceError
from geomap.text import squash

Format = Literal["zip-shapefile", "geojson", "csv", "xlsx", "json"]
Resolver = Literal["direct", "hdx", "geoboundaries", "dtm-api", "acled-api"]


@dataclass(frozen=True)
class Source:
    """One public source: its file, where to get it, its licence and its loader.

    ``filename`` is the registry file name: the name of the file in the cache and
    under a ``GEOMAP_MIRROR``. ``urls`` are tried in order; with a ``resolver`` other
    than 'direct' the first URL is an API that answers with the file's real address.
    """

    name: str
    layer: Literal["admin", "mines", "displacement", "events"]
    filename: str
    urls: tuple[str, ...]
    format: Format
    license: str
    attribution: str
    publisher: str
    loader: str
    sha256: str | None = None
    resolver: Resolver = "direct"
    level: int | None = None
    pattern: str | None = None
    requires: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    notes: str = ""


_HDX = "https://data.humdata.org/api/3/action/package_show?id="
_GB = "https://www.geoboundaries.org/api/current/gbOpen/COD/"
_COD_AB = {
    "layer": "admin", "filename": "cod_ab_cod_shp.zip", "format": "zip-shapefile",
    "urls": (_HDX + "drc-administrative-boundaries-levels-0-2",),
    "license": "CC BY 3.0 IGO (as stated in geoBoundaries' metadata for the 2019 "
               "release)",
    "attribution": "OCHA / Référentiel Géographique Commun (RGC), COD-AB DRC, via HDX",
    "publisher": "OCHA (HDX)", "loader": "cod-ab", "resolver": "hdx",
    "pattern": r"_shp\.zip$",
    "notes": "HDX answers with the current shapefile zip (the 2019-09-11 release when "
             "checked); it changes with releases, so it has no fixed checksum.",
}
_GEOBOUNDARIES = {
    "layer": "admin", "format": "geojson", "loader": "geoboundaries",
    "resolver": "geoboundaries",
    "license": "CC BY 4.0 (gbOpen); the COD ADM2 metadata names CC BY 3.0 IGO",
    "attribution": "geoBoundaries (Runfola et al. 2020, PLOS ONE), gbOpen COD; source "
                   "OCHA / RGC via HDX",
    "publisher": "geoBoundaries (William & Mary geoLab)",
    "notes": "The API answers with JSON whose gjDownloadURL is the GeoJSON file.",
}
_IPIS = {
    "layer": "mines", "loader": "ipis",
    "publisher": "IPIS (International Peace Information Service)",
    "license": "IPIS Open Data: attribution required ('Source: IPIS'); no licence "
               "text found, check the terms before redistributing",
    "attribution": "IPIS, artisanal mining site visits in eastern DR Congo (open data)",
}

SOURCES: dict[str, Source] = {source.name: source for source in (
    Source(name="cod-ab:adm1", level=1, **_COD_AB),
    Source(name="cod-ab:adm2", level=2, **_COD_AB),
    Source(
        name="cod-ab:adm2-2017", layer="admin", level=2, format="zip-shapefile",
        filename="cod_admbnda_adm2_rgc_20170711.zip",
        urls=(("https://github.com/open-geocoding/open-reverse-geocoder-cd/raw/"
               "e3eba61a1762b34e26eff814d704d8d1b22652c7/data/"
               "Districts%20and%20Territories%20Boundary.zip"),),
        sha256="cb8782d96252d22cfee1d4e70dbdf362f248ad59d887722618dc0cd27654651f",
        license="CC BY 4.0 (World Bank Data Catalog)",
        attribution="Source: OCHA / Référentiel Géographique Commun (RGC), COD-AB DRC "
                    "2017-07-11, via World Bank Data Catalog (CC BY 4.0)",
        publisher="OCHA / RGC (World Bank Data Catalog copy)", loader="cod-ab",
        notes="The 2017 territories (ADM2) release, pinned to one commit of a public "
              "repository; CD6107 is labelled 'Oicha' but is Beni territory."),
    Source(name="geoboundaries:adm1", level=1, filename="geoBoundaries-COD-ADM1.geojson",
           urls=(_GB + "ADM1/",), **_GEOBOUNDARIES),
    Source(name="geoboundaries:adm2", level=2, filename="geoBoundaries-COD-ADM2.geojson",
           urls=(_GB + "ADM2/",), requires=("geoboundaries:adm1",), **_GEOBOUNDARIES),
    Source(name="geoboundaries:adm3", level=3, filename="geoBoundaries-COD-ADM3.geojson",
           urls=(_GB + "ADM3/",), requires=("geoboundaries:adm1",), **_GEOBOUNDARIES),
    Source(
        name="natural-earth:adm1", layer="admin", level=1, format="zip-shapefile",
        filename="ne_10m_admin_1_states_provinces.zip",
        urls=(("https://naciscdn.org/naturalearth/10m/cultural/"
               "ne_10m_admin_1_states_provinces.zip"),),
        license="Public domain", attribution="Made with Natural Earth",
        publisher="Natural Earth (NACIS)", loader="natural-earth",
        notes="Fallback only: the pre-2015 provinces at 1:10m, no P-codes (ISO 3166-2 "
              "codes instead); Nord-Kivu, Sud-Kivu and Maniema are unchanged."),
    Source(name="ipis", format="geojson",
           filename="cod_mines_curated_all_opendata_p_ipis.geojson",
           urls=(("https://geo.ipisresearch.be/geoserver/public/ows?service=WFS&"
                  "version=1.0.0&request=GetFeature&typeName=public:"
                  "cod_mines_curated_all_opendata_p_ipis&outputFormat=application/json"),),
           notes="WFS GeoJSON, one feature per visit. If the GeoServer is down, use "
                 "'ipis:csv'.", **_IPIS),
    Source(name="ipis:csv", format="csv",
           filename="cod_mines_curated_all_opendata_p_ipis.csv",
           urls=(("https://ipisresearch.be/wp-content/uploads/2026/05/"
                  "cod_mines_curated_all_opendata_p_ipis.csv"),),
           notes="The same visits as a CSV on IPIS's website (one row per visit).",
           **_IPIS),
    Source(
        name="dtm:nk-m23", layer="displacement", format="xlsx",
        filename="dtm_cod_nk_m23_baseline.xlsx",
        urls=(_HDX + "drc-displacement-idps-returnees-m23-crisis-north-kivu-province-"
                     "baseline-assessment-iom-dtm",),
        resolver="hdx", pattern=r"\.xlsx$",
        license="IOM DTM terms as stated on the HDX dataset page; attribution required",
        attribution="IOM Displacement Tracking Matrix (DTM), North Kivu M23 crisis "
                    "baseline assessment, via HDX",
        publisher="IOM DTM (HDX)", loader="dtm",
        notes="One spreadsheet per round, updated quarterly; the newest is fetched. "
              "Rounds are stocks and are never added together."),
    Source(
        name="dtm:api", layer="displacement", format="json",
        filename="dtm_api_cod_admin2.json",
        urls=("https://dtm-apim.iom.int/v3/displacement/admin2",),
        resolver="dtm-api", env=("DTM_API_KEY",),
        license="IOM DTM API terms of use; attribution required",
        attribution="IOM Displacement Tracking Matrix (DTM) API",
        publisher="IOM DTM", loader="dtm",
        notes="Needs a subscription key (https://dtm.iom.int/data-and-analysis/dtm-api) "
              "in DTM_API_KEY; sent as the Ocp-Apim-Subscription-Key header."),
    Source(
        name="acled", layer="events", format="json", filename="acled_cod_events.json",
        urls=("https://acleddata.com/api/acled/read", "https://acleddata.com/oauth/token",
              "https://api.acleddata.com/acled/read"),
        resolver="acled-api", env=("ACLED_EMAIL", "ACLED_PASSWORD|ACLED_KEY"),
        license="ACLED terms of use: registration required; event rows must not be "
                "re-published",
        attribution="Armed Conflict Location & Event Data (ACLED), acleddata.com",
        publisher="ACLED", loader="acled",
        notes="Used for aggregates only (events and fatalities per area and month); "
              "geomap never writes ACLED rows to its outputs."),
)}
"""Every named source geomap can fetch, keyed by name."""


def _squash(name: str) -> str:
    """Fold a source name for lookup: case and punctuation do not matter."""
    return squash(name)


def get_source(name: str) -> Source:
    """Return the source whose name matches *name*, ignoring case and punctuation.

    Raises
    ------
    SourceError
        No registered source matches; the message lists the nearest names.

    Examples
    --------
    >>> get_source("COD-AB ADM2").name
    'cod-ab:adm2'
    """
    wanted = _squash(name)
    for source in SOURCES.values():
        if _squash(source.name) == wanted:
            return source
    close = difflib.get_close_matches(name.lower(), list(SOURCES), n=3, cutoff=0.5)
    hint = (f"Did you mean {', '.join(repr(c) for c in close)}?" if close else
            f"Registered sources: {', '.join(sorted(SOURCES))}.")
    msg = (f"No source named '{name}' in the registry. {hint} List them with "
           "'geomap sources'.")
    raise SourceError(msg)


_NAME = re.compile(r"^[A-Za-z][\w.-]*(:[\w.-]+)?$")


def is_source_name(value: str | Path) -> bool:
    """True when *value* names a source rather than a file.

    An existing file always wins. Otherwise a registered name (forgiving match) or a
    word such as ``cod-ab:adm9`` (no folder, no file suffix) counts as a name, so a
    misspelt name gets suggestions instead of "file not found".
    """
    text = str(value)
    if not text or Path(text).exists():
        return False
    if any(_squash(source.name) == _squash(text) for source in SOURCES.values()):
        return True
    if "/" in text or "\\" in text or not _NAME.match(text):
        return False
    return ":" in text or not Path(text).suffix


def required_sources(source: Source) -> list[Source]:
    """The sources whose files *source* needs, itself last, each file once."""
    chain = [get_source(name) for name in source.requires] + [source]
    seen: set[str] = set()
    unique = []
    for item in chain:
        if item.filename not in seen:
            seen.add(item.filename)
            unique.append(item)
    return unique


def landing_page(source: Source) -> str:
    """The page a reader should visit for *source* (not an API endpoint)."""
    first = source.urls[0]
    if "package_show?id=" in first:
        return "https://data.humdata.org/dataset/" + first.split("package_show?id=")[1]
    pages = {"geoboundaries": "https://www.geoboundaries.org/",
             "dtm-api": "https://dtm.iom.int/data-and-analysis/dtm-api",
             "acled-api": "https://acleddata.com/"}
    return pages.get(source.resolver, first.split("?", 1)[0])
