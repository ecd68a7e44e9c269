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
Resolver = Literal["direct", "hdx", "geoboundaries", "dtm-api", "acled-api", "page"]
Layer = Literal["admin", "mines", "displacement", "conflict_events"]


@dataclass(frozen=True)
class Source:
    """One public source: its file, where to get it, its licence and its loader.

    ``filename`` is the registry file name: the name of the file in the cache and
    under a ``GEOMAP_MIRROR``. ``urls`` are tried in order: with a ``resolver`` other
    than 'direct' they are APIs or pages that answer with the file's real address
    (a later one is the fallback of an earlier one). ``license`` is the licence as
    the publisher states it, short; ``attribution`` the credit to show with the data.
    ``level`` is the admin level read from the file (None: provinces and territories).
    """

    name: str
    layer: Layer
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
# OCHA COD-AB as OCHA's own publisher code names it (OCHA-DAP/hdx-scraper-cod-ab-country
# @fef5c2f, src/hdx/scraper/cod_ab_country/dataset.py): dataset 'cod-ab-{iso3}', four
# resources '{iso3}_admin_boundaries.{gdb.zip,shp.zip,geojson.zip,xlsx}'; licence
# 'cc-by-igo' for every country (config/hdx_dataset_static.yaml), which HDX titles
# "Creative Commons Attribution for Intergovernmental Organisations (CC BY-IGO)" with
# the CC BY 3.0 IGO legal code (tests/fixtures/input/dataset-cod-ab-caf.json). The
# 2019-2021 name of the DRC dataset is kept as a fallback.
_COD_AB = {
    "layer": "admin", "filename": "cod_admin_boundaries.shp.zip",
    "format": "zip-shapefile",
    "urls": (_HDX + "cod-ab-cod", _HDX + "drc-administrative-boundaries-levels-0-2"),
    "license": "CC BY 3.0 IGO",
    "attribution": "OCHA / Référentiel Géographique Commun (RGC), COD-AB DRC, via HDX "
                   "(CC BY-IGO)",
    "publisher": "OCHA FISS (HDX)", "loader": "cod-ab", "resolver": "hdx",
    "pattern": r"[._]shp\.zip$",
    "notes": "HDX dataset 'cod-ab-cod', resource 'cod_admin_boundaries.shp.zip' "
             "(layers cod_admin0..cod_admin2 at the zip root, lower-case fields "
             "adm2_name, adm2_pcode...); the 2019 dataset "
             "'drc-administrative-boundaries-levels-0-2' if the first is not found. "
             "It changes with releases, so it has no fixed checksum. HDX states the "
             "licence as CC BY-IGO (CC BY 3.0 IGO).",
}
# geoBoundaries gbOpen COD, per level as its release metadata states it
# (wmgeolab/geoBoundaries releaseData/geoBoundariesOpen-meta.csv @00757e8, Dec 2023;
# ADM3: releaseData/gbOpen/COD/ADM3/geoBoundaries-COD-ADM3-metaData.json @d3f41dd).
_GEOBOUNDARIES = {
    "layer": "admin", "format": "geojson", "loader": "geoboundaries",
    "resolver": "geoboundaries", "publisher": "geoBoundaries (W&M geoLab)",
}
_GB_CITE = "geoBoundaries (Runfola et al. 2020, PLOS ONE), gbOpen COD"
_IPIS = {
    "layer": "mines", "loader": "ipis",
    "publisher": "IPIS (International Peace Information Service)",
    "license": "none stated (IPIS Open Data)",
    "attribution": "Source: IPIS, artisanal mining site visits in eastern DR Congo "
                   "(IPIS Open Data)",
}
_IPIS_CSV = "cod_mines_curated_all_opendata_p_ipis.csv"
# IOM's terms on its HDX datasets, with the credit line it asks for
# (OCHA-DAP/hdx-scraper-iom-dtm @95d00f0, config/hdx_dataset_static.yaml,
# license_other): non-commercial use, credit DTM and link the data's URL.
IOM_CREDIT = ("Source: \u201cInternational Organization for Migration (IOM), "
              "Displacement Tracking Matrix (DTM)\u201d")
_IOM = {"license": "IOM terms: non-commercial use, credit DTM",
        "attribution": IOM_CREDIT}

SOURCES: dict[str, Source] = {source.name: source for source in (
    Source(name="cod-ab", **_COD_AB),
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
           urls=(_GB + "ADM1/",), license="ODbL 1.0",
           attribution=f"{_GB_CITE} ADM1; boundaries © OpenStreetMap contributors "
                       "(Wambacher), ODbL 1.0",
           notes="26 provinces, 2017, from OpenStreetMap (www.openstreetmap.org/"
                 "copyright): share-alike, credit OpenStreetMap.", **_GEOBOUNDARIES),
    Source(name="geoboundaries:adm2", level=2, filename="geoBoundaries-COD-ADM2.geojson",
           urls=(_GB + "ADM2/",), requires=("geoboundaries:adm1",),
           license="CC BY 3.0 IGO",
           attribution=f"{_GB_CITE} ADM2; source Référentiel Géographique Commun, "
                       "OCHA DR Congo (HDX, 2019), CC BY 3.0 IGO",
           notes="189 territories and cities: the 2019 COD-AB.", **_GEOBOUNDARIES),
    Source(name="geoboundaries:adm3", level=2, filename="geoBoundaries-COD-ADM3.geojson",
           urls=(_GB + "ADM3/",), requires=("geoboundaries:adm1",), license="ODbL 1.0",
           attribution=f"{_GB_CITE} ADM3; source Référentiel Géographique Commun "
                       "(www.rgc.cd, 2010), ODbL 1.0",
           notes="Not a level below ADM2: a second, older layer of territories (188 "
                 "units, 2010, 'Territoire'), read as level 2. It is absent from the "
                 "Dec 2023 release list, so the API may not answer for it.",
           **_GEOBOUNDARIES),
    Source(
        name="natural-earth:adm1", layer="admin", level=1, format="zip-shapefile",
        filename="ne_10m_admin_1_states_provinces.zip",
        urls=(("https://naciscdn.org/naturalearth/10m/cultural/"
               "ne_10m_admin_1_states_provinces.zip"),),
        license="Public domain", attribution="Made with Natural Earth",
        publisher="Natural Earth (NACIS)", loader="natural-earth",
        notes="Fallback only: the pre-2015 provinces at 1:10m, no P-codes (ISO 3166-2 "
              "codes instead); Nord-Kivu, Sud-Kivu and Maniema are unchanged."),
    # The CSV link is read from IPIS's open-data page (its upload month changes); the
    # last link seen in public code of 2026 (uploads/2026/05) is the fallback.
    Source(name="ipis", format="csv", filename=_IPIS_CSV, resolver="page",
           urls=("https://ipisresearch.be/home/maps-data/open-data/",
                 "https://ipisresearch.be/wp-content/uploads/2026/05/" + _IPIS_CSV),
           pattern=r"cod_mines_curated_all_opendata_p_ipis\.csv",
           notes="The visits CSV on IPIS's website (one row per visit), found on IPIS's "
                 "open-data page. If the page moves, give the file with 'geomap fetch "
                 "ipis=FILE' or GEOMAP_MIRROR.", **_IPIS),
    Source(name="ipis:wfs", format="geojson",
           filename="cod_mines_curated_all_opendata_p_ipis.geojson",
           urls=(("https://geo.ipisresearch.be/geoserver/public/ows?service=WFS&"
                  "version=1.0.0&request=GetFeature&typeName=public:"
                  "cod_mines_curated_all_opendata_p_ipis&outputFormat=application/json"),),
           notes="The same visits from IPIS's GeoServer (WFS GeoJSON), reported down in "
                 "2026; 'ipis' (the CSV) comes first.", **_IPIS),
    Source(
        name="dtm:hdx", layer="displacement", format="csv",
        filename="cod-iom-dtm-from-api-admin-0-to-2.csv",
        urls=(_HDX + "cod-iom-dtm-from-api",), resolver="hdx",
        pattern=r"admin-0-to-\d\.csv$", **_IOM,
        publisher="IOM DTM (HDX)", loader="dtm",
        notes="OCHA's keyless copy of the DTM API on HDX (OCHA-DAP/hdx-scraper-iom-dtm "
              "@95d00f0): the API's columns and an HXL row, admin levels 0 to 2 in one "
              "CSV; only the deepest level of each round is kept."),
    Source(
        name="dtm:nk-m23", layer="displacement", format="xlsx",
        filename="dtm_cod_nk_m23_baseline.xlsx",
        urls=(_HDX + "drc-displacement-idps-returnees-m23-crisis-north-kivu-province-"
                     "baseline-assessment-iom-dtm",),
        resolver="hdx", pattern=r"\.xlsx$", **_IOM,
        publisher="IOM DTM (HDX)", loader="dtm",
        notes="One spreadsheet per round, updated quarterly; the newest is fetched. "
              "Its sheet layout was not confirmed: the reader takes the API's columns "
              "or DTM DRC's labelled sheets (admin_1_label, admin_2_label) and says "
              "which columns it found otherwise. Rounds are never added together."),
    # IOM's own client and OCHA's collector use dtmapi.iom.int (dtmapi 0.2.1
    # dtmapi/config.py; OCHA-DAP/hdx-scraper-iom-dtm @95d00f0 config/
    # project_configuration.yaml); dtm-apim.iom.int is the API's second server.
    Source(
        name="dtm:api", layer="displacement", format="json",
        filename="dtm_api_cod_admin2.json",
        urls=("https://dtmapi.iom.int/v3/displacement/admin2",
              "https://dtm-apim.iom.int/v3/displacement/admin2"),
        resolver="dtm-api", env=("DTM_API_KEY",), **_IOM,
        publisher="IOM DTM", loader="dtm",
        notes="Needs a subscription key (https://dtm-apim-portal.iom.int/, API-V3) in "
              "DTM_API_KEY; sent as the Ocp-Apim-Subscription-Key header. Asks for "
              "Admin0Pcode=COD."),
    # ACLED signs in with OAuth only: acledR 1.0.1 NEWS.md (dtacled/acledR @1e05ba9)
    # "removes all functions and options related to old API keys which are no longer
    # functional"; token and read URLs from R/acled_auth.R and R/acled_api.R.
    Source(
        name="acled", layer="conflict_events", format="json",
        filename="acled_cod_events.json",
        urls=("https://acleddata.com/api/acled/read", "https://acleddata.com/oauth/token"),
        resolver="acled-api", env=("ACLED_EMAIL", "ACLED_PASSWORD"),
        license="ACLED terms: attribution, no raw rows shared",
        attribution="Armed Conflict Location & Event Data (ACLED), acleddata.com",
        publisher="ACLED", loader="acled",
        notes="Used for aggregates only (events and fatalities per area, month and "
              "type); geomap never writes ACLED rows to its outputs."),
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


def publisher_terms(loader: str, level: int | None = None) -> tuple[str, str]:
    """(licence, credit) of the registered source a publisher's own file comes from.

    Used for files given by path and recognised by their columns, so that they carry
    their publisher's terms like a fetched file. The first source with *loader* and
    *level* wins (the current release before older ones); ('', '') when none.

    Examples
    --------
    >>> publisher_terms("geoboundaries", 1)[0]
    'ODbL 1.0'
    """
    for source in SOURCES.values():
        if source.loader == loader and source.level == level:
            return source.license, source.attribution
    for source in SOURCES.values():
        if source.loader == loader:
            return source.license, source.attribution
    return "", ""
