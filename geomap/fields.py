"""What every column geomap writes means: alias, meaning, unit and type, in one table.

The GeoPackage stores these as column aliases and descriptions (``gpkg_data_columns``),
the QGIS styles as field aliases, and the types decide how a column is written: a
``date`` becomes a GeoPackage DATE, a ``count`` a 64-bit integer where NULL means "no
figure" (never 0). A column documented with ``dated_by`` is a figure that exists only
with its date: where the date is missing the figure is NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "date", "count", "integer", "number", "flag"]


@dataclass(frozen=True)
class Field:
    """One column: a short alias, what it means, its unit and its type."""

    alias: str
    meaning: str
    unit: str = ""
    kind: Kind = "text"
    dated_by: str | None = None

    @property
    def description(self) -> str:
        """Meaning and unit in one line, e.g. 'People displaced ...; persons'."""
        return f"{self.meaning}; {self.unit}" if self.unit else self.meaning


def _date(alias: str, meaning: str) -> Field:
    """A date column (ISO day; a source's month or year is kept as text)."""
    return Field(alias, meaning, "date (YYYY-MM-DD)", "date")


def _count(alias: str, meaning: str, unit: str = "count",
           dated_by: str | None = None) -> Field:
    """A whole-number column where NULL means no figure."""
    return Field(alias, meaning, f"{unit}; NULL = no figure", "count", dated_by)


_PEOPLE = ("Displaced people in the place in its latest assessment on or before the "
           "as-of date (never added across rounds or kinds)")

FIELDS: dict[str, Field] = {
    # places and ids
    "pcode": Field("P-code", "OCHA administrative P-code (COD-AB)"),
    "name": Field("Name", "Place or site name as published by the source"),
    "level": Field("Admin level", "1 province, 2 territory or city, 3 chefferie or "
                   "secteur", kind="integer"),
    "parent_pcode": Field("Parent P-code", "P-code of the area that contains this one"),
    "type": Field("Area type", "Type of area as published (province, territoire, "
                  "ville)"),
    "iso_3166_2": Field("ISO 3166-2", "ISO 3166-2 code of the province"),
    "name_cod": Field("Name in COD-AB", "The area's name as published in COD-AB"),
    "town_id": Field("Town id", "geomap's stable id of the town"),
    "site_id": Field("Site id", "Id of the mining site (IPIS's mine code, not a "
                     "P-code)"),
    "kind": Field("Place kind", "What the place is (area, city, territory seat, town)"),
    "territory": Field("Territory", "Territory the town lies in, as reported"),
    "province_pcode": Field("Province P-code", "P-code of the town's province"),
    "place": Field("Place id", "P-code or town id of the place a record refers to"),
    "place_name": Field("Place", "Name of the place a record refers to"),
    "place_pcode": Field("Place P-code", "P-code of the place a record refers to"),
    "area": Field("Area as written", "The place reference as written in the source "
                  "file (P-code, town id or name)"),
    "area_pcode": Field("Area P-code", "P-code of the deepest admin area holding the "
                        "site"),
    "near_town": Field("Nearest town", "Id of the nearest town within 10 km"),
    "near_town_km": Field("Nearest town distance", "Distance to the nearest town",
                          "kilometres", "number"),
    **{f"adm{n}_pcode": Field(f"ADM{n} P-code", f"P-code of the level-{n} admin area "
                              "holding the site") for n in (1, 2, 3)},
    "level_name": Field("Level", "province, territory, city, town or control zone"),
    "parent": Field("Parent", "Place id of the enclosing place (a town's territory, a "
                    "territory's province); figures are added within one level only"),
    "parent_name": Field("Parent name", "Name of the enclosing place"),
    "zones": Field("Control zones", "Control zones (records with their own polygon) "
                   "the site lies in, ';'-separated"),
    "held_via": Field("Held via", "How the site's holder was found: its town, a "
                      "control zone or its admin area"),
    "within": Field("Inside", "Area holding a place that has no control record of its "
                    "own"),
    "within_actor": Field("Held around", "Actor holding that surrounding area"),
    # control
    "actor": Field("Holder id", "Stable id of the actor in control on the as-of date "
                   "('contested' where records of two actors are in force)"),
    "actor_name": Field("Holder", "Display name of the actor in control"),
    "confidence": Field("Confidence", "How sure the record is: assessed, claimed or "
                        "contested"),
    "control_since": _date("Held since", "First day of the control record in force"),
    "since": _date("Held since", "First day of the control record in force"),
    "control_source": Field("Control source", "Source of the control record in force"),
    "control_url": Field("Control source URL", "Web address of that source"),
    "start": _date("Start", "First day of the control record; NULL = held before "
                   "the sources start"),
    "end": _date("End", "First day the record no longer holds; NULL = ongoing"),

    "in_force": Field("In force", "The record holds on the as-of date", kind="flag"),
    "join_method": Field("Matched by", "How the record found its place: p-code, id, "
                         "name, fuzzy or spatial"),
    "source_kind": Field("Source kind", "Kind of outlet: wire, UN, national media, "
                         "international media, ..."),
    "sources_count": _count("Sources", "Independent sources reporting the record",
                            "sources"),
    "source_date": _date("Source date", "Date of the report cited in source"),
    "actor_before": Field("Holder before", "Actor in control on the comparison date"),
    "actor_after": Field("Holder after", "Actor in control on the as-of date"),
    "changed_on": _date("Changed on", "First day of the new holder's unbroken run of "
                        "records"),
    # figures
    "people": _count("People displaced", _PEOPLE, "persons", dated_by="people_as_of"),
    "people_as_of": _date("Figure date", "Date of the displacement figure"),
    "origin": Field("Origin", "Where the people came from, as written"),
    "cause": Field("Cause", "Why the people were displaced, as written"),
    "assessment": Field("Assessment", "Round or assessment the figure comes from "
                        "('registrations' for records summed over time)"),
    "people_assessment": Field("Figure assessment", "Round or assessment the figure "
                               "comes from"),
    "other_figures": Field("Other figures", "Figures of other kinds (refugees, "
                           "returnees, ...), listed beside the figure, never added"),
    "people_places": Field("Figures from", "Places whose figures were added, "
                           "';'-separated"),
    "people_left_out": Field("Figures left out", "Figures of places held that were not "
                             "added: dated before the holding, or inside a place "
                             "already counted"),
    "mines": _count("Mining sites", "Mining sites counted for the place or actor (0 = "
                    "none)", "sites"),
    "workers": _count("Workers", "Miners counted at the last visit", "persons"),
    "minerals": Field("Minerals", "Minerals mined, ';'-separated"),
    "armed_presence": Field("Armed presence", "Armed group or unit present at the "
                            "last visit"),
    "visited": _date("Last visit", "Date of the last recorded visit"),
    "areas": _count("Areas held", "Admin areas the actor holds on the as-of date",
                    "areas"),
    "towns": _count("Towns held", "Towns the actor holds on the as-of date", "towns"),
    "places": Field("Places held", "Names of the places the actor holds, "
                    "';'-separated"),
    "mines_by_mineral": Field("Mines by mineral", "Mining sites per mineral in the "
                              "places the actor holds"),
    "population": _count("Population", "Population under the holder from the "
                         "population raster", "persons"),
    "population_coverage": Field("Population coverage", "Share of the place covered "
                                 "by the population raster", "percent", "number"),
    "people_in_places_gained": _count("People in places gained", "People displaced "
                                      "in the places the actor gained since the "
                                      "comparison date", "persons"),
    # provenance
    "source": Field("Source", "Publisher and document the record comes from"),
    "url": Field("Source URL", "Web address of the source document"),
    "license": Field("Licence", "Licence or terms of the source"),
    "date": _date("Source date", "Date the source published or last updated the "
                  "record"),
    "note": Field("Note", "Remarks on the record and its sources"),
    "as_of": _date("As of", "The day the map describes (the build date)"),
    "history": Field("Visits", "The site's recorded visits (JSON, from IPIS)"),
    # quality tables
    "layer": Field("Layer", "Layer the row belongs to"),
    "row": Field("Row", "Data row in the input file, from 1 (header not counted)",
                 kind="integer"),
    "column": Field("Column", "Column at fault"),
    "value": Field("Value", "The value as read"),
    "action": Field("Action", "rejected or repaired"),
    "reason": Field("Reason", "Why the row was rejected or repaired"),
    "reference": Field("Reference", "Place reference as written in the record"),
    "method": Field("Matched by", "p-code, id, name, fuzzy or spatial"),
    "score": Field("Match score", "Fuzzy match score (100 = exact)", "0-100",
                   "number"),
    "records": _count("Records", "Records carrying this reference", "records"),
    "candidates": Field("Candidates", "Nearest names when no single place matched"),
    # base map (countries and lakes)
    "iso3": Field("ISO code", "ISO 3166-1 alpha-3 code of the country"),
    "name_fr": Field("Name (French)", "The name in French"),
    "label_lon": Field("Label longitude", "Where the print map writes the name",
                       "degrees east", "number"),
    "label_lat": Field("Label latitude", "Where the print map writes the name",
                       "degrees north", "number"),
    # dated events
    "title": Field("Event", "What happened, in a few words"),
    "changes_nearby": Field("Changes nearby", "Changes of control within 14 days of "
                            "the event, ';'-separated"),
}
"""Every column geomap writes to its GIS files, by name."""

LAYER_FIELDS: dict[tuple[str, str], Field] = {
    ("control", "actor"): Field("Actor id", "Stable id of the actor the record names"),
    ("control", "actor_name"): Field("Actor", "Display name of the actor the record "
                                     "names"),
    ("control", "confidence"): Field("Confidence", "How sure the record is: assessed, "
                                     "claimed or contested"),
    ("displacement", "date"): _date("Figure date", "Date of the displacement figure"),
    ("displacement", "people"): _count("People displaced", _PEOPLE, "persons",
                                       dated_by="date"),
    ("summary_actors", "people"): _count("People displaced", "People displaced in the "
                                         "places the actor holds (NULL when none of "
                                         "them has a figure)", "persons"),
    ("summary_actors", "zones"): _count("Zones held", "Control zones and record "
                                        "points the actor holds", "zones"),
    ("summary_actors", "people_as_of"): _date("Figure dates", "Dates of the figures "
                                              "added ('; '-separated when several)"),
    ("changes", "people"): _count("People displaced", "People displaced in the place "
                                  "that changed hands", "persons"),
    ("changes", "confidence"): Field("Confidence", "Confidence of the record of the "
                                     "change"),
    ("events", "date"): _date("Date", "First day of the event"),
    ("events", "end"): _date("End", "Last day of an event that lasted several days"),
    ("events", "kind"): Field("Event kind", "talks, agreement, mechanism, deployment, "
                              "fighting, ..."),
    ("events", "place"): Field("Place", "Where the event happened, as written"),
    ("events", "pcode"): Field("P-code", "P-code of the area of the event"),
    ("sources", "layer"): Field("Layer", "Layer whose rows cite the source"),
    ("conflict_events", "month"): Field("Month", "Month counted (YYYY-MM)"),
    ("conflict_events", "event_type"): Field("Event type", "ACLED event type: "
                                             "Battles, Violence against civilians or "
                                             "Explosions/Remote violence"),
    ("conflict_events", "events"): _count("Events", "ACLED events of that type in the "
                                          "area and month", "events"),
    ("conflict_events", "fatalities"): _count("Fatalities", "Fatalities ACLED reports "
                                              "for those events", "persons"),
}
"""Columns whose meaning depends on the layer, keyed by (layer family, column)."""

FAMILIES = {"control_areas": "control", "control_places": "control"}
"""GeoPackage layers that share the columns of another layer."""


_COMPANIONS = (
    ("_precision", "{} precision", ("How exact '{}' is: day, month, year, "
     "approximate, range, bound or last-reported")),
    ("_text", "{} (as written)", ("'{}' written as exactly as it is known, e.g. "
     "'19–21 January 2025', 'about 10 December 2025', 'March 2025'")),
)
"""Columns that accompany a date: (suffix, alias, meaning)."""

def field_for(layer: str, column: str) -> Field | None:
    """The documentation of *column* in *layer*, or None when it is not documented.

    A date column's companions are documented with it: ``<date>_precision`` says how
    exact the date is, ``<date>_text`` writes it as exactly as known.

    Examples
    --------
    >>> field_for("towns", "people").kind
    'count'
    >>> field_for("control_areas", "actor").alias
    'Actor id'
    >>> field_for("changes", "changed_on_text").alias
    'Changed on (as written)'
    """
    family = FAMILIES.get(layer, layer)
    found = LAYER_FIELDS.get((family, column)) or FIELDS.get(column)
    for suffix, alias, meaning in _COMPANIONS:
        base = column.removesuffix(suffix)
        if found is None and base != column:
            date = field_for(layer, base)
            if date is not None and date.kind == "date":
                return Field(alias.format(date.alias), meaning.format(date.alias))
    return found



def aliases_for(layer: str, columns: list[str]) -> dict[str, Field]:
    """The documented *columns* of *layer*, each alias made unique within the layer.

    A repeated alias gets the column name in brackets, e.g. 'Matched by (method)'.
    """
    found: dict[str, Field] = {}
    seen: set[str] = set()
    for column in columns:
        doc = field_for(layer, column)
        if doc is None:
            continue
        if doc.alias in seen:
            doc = Field(f"{doc.alias} ({column})", doc.meaning, doc.unit, doc.kind,
                        doc.dated_by)
        seen.add(doc.alias)
        found[column] = doc
    return found
