"""Column contracts of the canonical layers, allowed values and fixed constants."""

from __future__ import annotations

from geomap.errors import ConfigError

STORAGE_CRS = "EPSG:4326"
# Kivu spans UTM zones 35S and 36S; 35S keeps distortion small over both provinces.
METRIC_CRS = "EPSG:32735"

# Lon/lat extent of the DR Congo (with a small margin) and of the two Kivu provinces.
DRC_BOUNDS = (12.0, -13.6, 31.4, 5.5)
KIVU_BOUNDS = (26.5, -5.2, 30.3, 1.2)

MAX_PEOPLE_PER_ROW = 50_000_000
"""The largest count of people one row may hold; above it a count is a slip or an
overflow (the DR Congo has about 110 million people; Nord-Kivu about 10 million)."""

LAYERS = ("admin", "mines", "control", "displacement", "towns", "events")

REQUIRED = {
    "admin": ("pcode", "name"),
    "towns": ("town_id", "name"),
    "mines": ("name",),
    "control": ("actor",),
    "displacement": ("people",),
    "events": ("date", "title"),
}
"""Columns a layer must have after renaming (geometry or area references aside)."""

COLUMNS = {
    "admin": ("pcode", "name", "level", "parent_pcode", "source", "url", "date"),
    "towns": ("town_id", "name", "pcode", "kind", "territory", "province_pcode",
              "source", "url", "date"),
    "mines": ("site_id", "name", "minerals", "workers", "armed_presence", "visited",
              "source", "url", "date", "note"),
    "control": ("area", "actor", "start", "end", "confidence", "source", "url",
                "note", "start_precision", "end_precision", "source_kind",
                "sources_count", "source_date"),
    "displacement": ("area", "people", "date", "assessment", "origin", "cause", "kind",
                     "source", "url", "note"),
    "events": ("date", "end", "date_precision", "kind", "title", "place", "pcode",
               "source", "source_kind", "url", "note"),
}
"""Canonical columns of each layer, in output order."""

ALIASES = {
    "pcode": ("pcode", "p_code", "admin2pcode", "admin1pcode", "shapeiso",
              "iso_3166_2", "code"),
    "name": ("name", "nom", "shapename", "site_name", "admin2name", "admin1name"),
    "parent_pcode": ("parent_pcode", "parent"),
    "level": ("level", "adm_level", "admin_level"),
    "town_id": ("town_id", "place_id", "id"),
    "actor": ("actor", "groupe armé", "armed_group", "armed_groups", "armed_actor",
              "actor1"),
    "area": ("area", "area_pcode", "place", "location", "zone", "territory",
             "territoire", "admin2pcode", "admin2name"),
    "start": ("start", "start_date", "from", "debut", "début", "date_debut"),
    "end": ("end", "end_date", "to", "fin", "date_fin"),
    "people": ("people", "idps", "numpresentidpind", "individuals", "persons",
               "displaced", "deplaces", "déplacés", "population"),
    "date": ("date", "reportingdate", "reporting_date", "as_of", "visit_date"),
    "assessment": ("assessment", "round", "roundnumber", "round_number"),
    "minerals": ("minerals", "mineral", "mineral1", "minerais"),
    "site_id": ("site_id", "vid", "mine_id"),
    "workers": ("workers", "workers_numb", "w"),
    "armed_presence": ("armed_presence", "armed_group1", "ap"),
    "visited": ("visited", "visit_date"),
    "confidence": ("confidence", "certainty"),
    "lon": ("lon", "longitude", "long", "lng", "x"),
    "lat": ("lat", "latitude", "y"),
}
"""Common publisher column names recognised without any mapping (case-insensitive)."""

CONFIDENCE = ("assessed", "claimed", "contested")

ENGINES = ("pandas", "dask")
"""Engines of the point-to-area join and the sums (``--engine``): one process, or
dask-geopandas partitions."""
PRESETS = ("analyst", "article")
"""Kinds of web map (``--preset``): every layer and a layer control for analysts, a
light map for embedding in an article."""
LANGS = ("en", "fr")
"""Languages geomap writes in (``--lang``): English, French."""
DECIMAL_MARKS = (".", ",")
"""Decimal marks a displacement file may use for its counts (``--decimal``)."""
OUTPUT_GROUPS = {
    "map": "map.html and embed.html",
    "tables": "the CSV tables",
    "layers": "layers/*.geojson",
    "gpkg": "geomap.gpkg and geomap.qgz",
    "print": "map.png, map.pdf and map.svg",
    "report": "report.html",
    "density": "displacement_density.tif",
}
"""The outputs a build can be told to write (``--outputs``), by group."""


def parse_outputs(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Output groups from ``'map,tables'`` or a list; ``'all'`` names every group.

    Returns
    -------
    tuple of str
        The groups in :data:`OUTPUT_GROUPS` order.

    Raises
    ------
    ConfigError
        An unknown group, or none at all.

    Examples
    --------
    >>> parse_outputs("tables, map")
    ('map', 'tables')
    """
    names = value.split(",") if isinstance(value, str) else list(value)
    names = {str(name).strip().lower() for name in names} - {""}
    if "all" in names:
        return tuple(OUTPUT_GROUPS)
    unknown = sorted(names - set(OUTPUT_GROUPS))
    if unknown or not names:
        msg = (f"Unknown output(s) {unknown}; expected some of {list(OUTPUT_GROUPS)} "
               "or 'all'." if unknown else "Name at least one output group.")
        raise ConfigError(msg)
    return tuple(group for group in OUTPUT_GROUPS if group in names)


DISPLACEMENT_KINDS = ("idps", "refugees", "returnees", "mobile-population",
                      "new-displacement")
"""What a displacement figure counts. Figures of different kinds are never added:
``idps`` (internally displaced people, a stock), ``refugees`` and ``returnees``
(stocks), ``mobile-population`` (IOM DTM's "mobile population": IDPs, returnees and
others together), ``new-displacement`` (people who fled over a period: a flow)."""
DEFAULT_DISPLACEMENT_KIND = "idps"
"""The kind of a figure whose file has no ``kind`` (a column of IDPs, as most are)."""
DISPLACEMENT_KIND_ALIASES = {
    "idp": "idps", "pdi": "idps", "pdis": "idps", "deplaces": "idps",
    "displaced": "idps", "internally-displaced": "idps", "refugee": "refugees",
    "refugies": "refugees", "returnee": "returnees", "retournes": "returnees",
    "returned": "returnees", "mobile": "mobile-population",
    "new-displacements": "new-displacement", "new-arrivals": "new-displacement",
}
"""Other spellings of the kinds (after folding accents and case, words joined by '-')."""

DATE_PRECISIONS = ("day", "month", "year", "approximate", "range", "bound",
                   "last-reported")
"""How exact a date is. ``month``/``year``: only that is known (a ``YYYY-MM`` or
``YYYY`` date, read as its first day); ``approximate``: about that day; ``range``:
the change happened within a range of days, the record keeps one end of it (the
neighbouring record of the same place, or the note, gives the other); ``bound``: a
limit of the change, not its day (e.g. the first report found); ``last-reported``:
the record stops at the last report found, what followed is unknown."""

EVENT_KINDS = ("talks", "agreement", "mechanism", "deployment", "fighting",
               "refugees", "strike", "sanctions", "disaster", "other")
"""Kinds of the dated events (talks, agreements, ...) shown beside the control record."""

SOURCE_KINDS = ("wire", "UN", "international media", "national media", "trade press",
                "encyclopedia", "aggregator", "party-aligned", "party statement")
"""Kinds of outlet in a row's ``source`` (see the confidence rubric of shapes/README)."""
ASSESSING_SOURCE_KINDS = ("wire", "UN")
"""One source of these kinds is enough for an ``assessed`` record; else it takes two."""


DISCLAIMER = (
    "Boundaries, names and designations on this map do not imply official "
    "endorsement or acceptance by geomap or its sources. Control lines are "
    "approximate and change quickly."
)


ROW = "_row"
"""Column holding each record's 1-based row number in its file (header not counted)."""

QUALIFIERS = {
    "province": "province", "territory": "territory", "territoire": "territory",
    "city": "city", "ville": "city", "town": "town", "cite": "town",
    "locality": "town", "village": "town", "chefferie": "chefferie/secteur",
    "secteur": "chefferie/secteur", "collectivite": "chefferie/secteur",
    "chefferiesecteur": "chefferie/secteur", "1": "level 1", "2": "level 2",
    "3": "level 3", "level1": "level 1", "level2": "level 2", "level3": "level 3",
    "adm1": "level 1", "adm2": "level 2", "adm3": "level 3", "admin1": "level 1",
    "admin2": "level 2", "admin3": "level 3",
}
"""Words that qualify an area reference (folded: 'Territoire' -> 'territoire') -> the
kind of place they restrict it to. Written in the reference ('Territoire de Rutshuru',
'Rutshuru [town]') or given in a record's ``level`` column."""
