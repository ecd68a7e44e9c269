"""Every word geomap writes, in English and French, with dates and numbers in each.

One table, :data:`WORDS`, holds each phrase geomap puts on the web map, the embed,
the print map and the report, keyed by a stable snake_case name; ``{name}`` marks a
value filled in by :func:`word`. Place names and other text from data are never
translated: they are shown as the data writes them. Values fill the phrase as plain
text (``str.format_map``), so a value is never read as a template.

French follows the usual typography: a no-break space before ``:``, ``;``, ``?`` and
``!``, dates as "20 février 2025" (and "1er mars 2025"), thousands grouped with a
no-break space.
"""

from __future__ import annotations

import re
import string
from typing import Literal

import pandas as pd

from geomap.actors import CONTESTED, controller_label
from geomap.errors import ConfigError

Lang = Literal["en", "fr"]
LANGS: tuple[str, ...] = ("en", "fr")
"""Languages geomap writes; English is the default."""
DEFAULT_LANG = "en"
NBSP = "\u00a0"

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}
"""Month names, January first."""

_TABLE: dict[str, tuple[str, str]] = {
    # -- titles, dates, page frame --------------------------------------------------
    "title_default": ("Kivu: territorial control, displacement and mining",
                      "Kivu : contrôle territorial, déplacements et sites miniers"),
    "as_of": ("Control as of {date}", "Contrôle au {date}"),
    "as_of_short": ("as of {date}", "au {date}"),
    "changes_since": ("Changes since {date}", "Changements depuis le {date}"),
    "legend": ("Legend", "Légende"),
    "sources": ("Sources", "Sources"),
    "sources_count": ("Sources ({count})", "Sources ({count})"),
    "sources_line": ("Sources: {names}.", "Sources : {names}."),
    "sources_in_report": ("Every source, with its link, is listed in report.html.",
                          "Chaque source, avec son lien, figure dans report.html."),
    "sources_not_recorded": ("not recorded", "non indiquées"),
    "data_credit": ("Data: {names}", "Données : {names}"),
    "disclaimer": (
        ("Boundaries, names and designations on this map do not imply official "
         "endorsement or acceptance by geomap or its sources. Control lines are "
         "approximate and change quickly."),
        ("Les limites, les noms et les désignations figurant sur cette carte "
         "n'impliquent ni reconnaissance ni acceptation officielle de la part de "
         "geomap ou de ses sources. Les lignes de contrôle sont approximatives et "
         "changent vite.")),
    "projection": (
        "Projection: WGS 84 / UTM zone 35S ({crs}); scale true at the map centre.",
        ("Projection : WGS 84 / UTM zone 35S ({crs}) ; échelle exacte au centre de la "
         "carte.")),
    "full_screen": ("Full screen", "Plein écran"),
    "map_alt": ("Map of control, displacement and mining sites as of {date}",
                "Carte du contrôle, des déplacements et des sites miniers au {date}"),
    # -- layers ---------------------------------------------------------------------
    "layer_admin": ("Admin boundaries", "Limites administratives"),
    "layer_areas": ("Control: areas", "Contrôle : zones"),
    "layer_towns": ("Control: towns", "Contrôle : localités"),
    "layer_displacement": ("People displaced", "Personnes déplacées"),
    "layer_density": ("People displaced: density of point records",
                      "Personnes déplacées : densité des relevés ponctuels"),
    "layer_mines": ("Mining sites", "Sites miniers"),
    "layer_changes": ("Changed hands since {date}",
                      "Changement de contrôle depuis le {date}"),
    "layer_context": ("Countries and lakes", "Pays et lacs"),
    "tiles_none": ("No background tiles", "Sans fond de carte"),
    # -- legend ---------------------------------------------------------------------
    "control": ("Control", "Contrôle"),
    "people_displaced": ("People displaced", "Personnes déplacées"),
    "mining_sites": ("Mining sites", "Sites miniers"),
    "mining_site": ("Mining site", "Site minier"),
    "site_clustered": ("Site (clustered)", "Site (regroupés)"),
    "contested": ("Contested", "Contesté"),
    "contested_legend": ("Contested: records of more than one actor",
                         "Contesté : relevés de plus d'un acteur"),
    "contested_print": ("Contested (claims by more than one actor)",
                        "Contesté (revendications de plus d'un acteur)"),
    "reported_contested_legend": (
        "Reported contested: one actor's record during fighting (dotted outline)",
        ("Signalé contesté : relevé d'un seul acteur pendant des combats (contour "
         "pointillé)")),
    "claimed_legend": ("Claimed, not confirmed (dashed, hollow)",
                       "Revendiqué, non confirmé (tirets, non rempli)"),
    "assessed_legend": ("Assessed control", "Contrôle établi"),
    "no_control_record": ("No control record", "Aucun relevé de contrôle"),
    "changed_hands": ("Changed hands", "Changement de contrôle"),
    "town_legend": ("Town, coloured by who holds it",
                    "Localité, colorée selon qui la tient"),
    "admin_boundary": ("Admin boundary", "Limite administrative"),
    "country_border": ("International border", "Frontière internationale"),
    "lake": ("Lake", "Lac"),
    "no_figure_as_of": ("No figure as of this date", "Aucun chiffre à cette date"),
    "people_range": ("{low} to {high} (territory)", "{low} à {high} (territoire)"),
    # -- values in popups and tables ------------------------------------------------
    "no_figure": ("no figure", "aucun chiffre"),
    "no_record": ("no record", "aucun relevé"),
    "not_recorded": ("not recorded", "non renseigné"),
    "latest_record": ("latest record: {date}", "dernier relevé : {date}"),
    "date_unknown": ("date unknown", "date inconnue"),
    "date_about": ("about {date}", "vers le {date}"),
    "date_within_range": ("{date} (within a range)", "{date} (dans une fourchette)"),
    "date_limit": ("{date} (a limit, not the day)", "{date} (une borne, pas le jour)"),
    "date_last_reported": ("last reported {date}", "dernier signalement le {date}"),
    "date_to": ("{first} to {last}", "{first} au {last}"),
    "change_line": ("{place}: {before} → {after}, {date}",
                    "{place} : {before} → {after}, {date}"),
    "people_as_of": ("{people} (as of {date})", "{people} (au {date})"),
    "inside_held_by": ("no record of its own; inside {area}, held by {actor}",
                       "aucun relevé propre ; situé dans {area}, tenu par {actor}"),
    "changed_hands_popup": ("Changed hands: {before} → {after}",
                            "Changement de contrôle : {before} → {after}"),
    "changed_on": ("On: {date}", "Le : {date}"),
    "confidence": ("Confidence", "Fiabilité"),
    "confidence_assessed": ("assessed", "établi"),
    "confidence_claimed": ("claimed", "revendiqué"),
    "confidence_contested": ("contested", "contesté"),
    "since": ("Since", "Depuis"),
    "note": ("Note", "Remarque"),
    "displaced": ("Displaced", "Déplacés"),
    "minerals": ("Minerals", "Minerais"),
    "armed_presence": ("Armed presence", "Présence armée"),
    "last_visit": ("Last visit", "Dernière visite"),
    "visits_recorded": ("Visits recorded", "Visites relevées"),
    "mineral_gold": ("gold", "or"),
    "mineral_cassiterite": ("cassiterite", "cassitérite"),
    "mineral_coltan": ("coltan", "coltan"),
    "mineral_wolframite": ("wolframite", "wolframite"),
    "kind_area": ("area", "zone"),
    "kind_town": ("town", "localité"),
    "kind_city": ("city", "ville"),
    "kind_territory-seat": ("territory seat", "chef-lieu de territoire"),
    "kind_point": ("point", "point"),
    "kind_zone": ("zone", "zone"),
    # -- actors whose name is in English (the others are names) --------------------
    "actor_burundi": ("Burundian army (FDNB)", "Armée burundaise (FDNB)"),
    "actor_rdf": ("Rwanda Defence Force (RDF)", "Forces rwandaises de défense (RDF)"),
    "actor_eacrf": ("EAC Regional Force (EACRF)", "Force régionale de l'EAC (EACRF)"),
    # -- print map ------------------------------------------------------------------
    "who_holds_what": ("Who holds what", "Qui tient quoi"),
    "col_towns": ("Towns", "Localités"),
    "col_areas": ("Areas", "Zones"),
    "col_mines": ("Mines", "Mines"),
    "col_displaced_star": ("Displaced*", "Déplacés*"),
    "displaced_star_note": (
        "* people displaced in the places each actor holds",
        "* personnes déplacées dans les lieux que tient chaque acteur"),
    "locator": ("Locator", "Situation"),
    "locator_outline": (
        "Outline: DR Congo (Natural Earth). Grey: admin areas loaded.",
        "Contour : RD Congo (Natural Earth). Gris : zones administratives chargées."),
    "locator_box": (
        "Dashed box: extent of the DR Congo. Grey: admin areas loaded.",
        ("Cadre en tirets : étendue de la RD Congo. Gris : zones administratives "
         "chargées.")),
    "locator_red": ("Red: area of this map.", "Rouge : zone de cette carte."),
    "inset_title": ("Goma to Bukavu", "De Goma à Bukavu"),
    "inset_frame": ("Dark frame: the Goma to Bukavu inset.",
                    "Cadre foncé : le carton de Goma à Bukavu."),
    "crowded_names": (
        "{count} crowded name(s) not shown; report.html lists every place.",
        ("{count} nom(s) trop serré(s) non affiché(s) ; report.html liste tous les "
         "lieux.")),
    "km": ("km", "km"),
    "north": ("N", "N"),
    "context_credit": ("Countries and lakes: Natural Earth (public domain).",
                       "Pays et lacs : Natural Earth (domaine public)."),
    # -- report ---------------------------------------------------------------------
    "print_map_caption": (
        ("Print map (also map.pdf and map.svg). Circles: people displaced per place; "
         "diamonds: mining sites."),
        ("Carte imprimable (aussi map.pdf et map.svg). Cercles : personnes déplacées "
         "par lieu ; losanges : sites miniers.")),
    "report_people_caption": (
        "People displaced counts the figures of the places each actor holds.",
        ("Les personnes déplacées comptent les chiffres des lieux que tient chaque "
         "acteur.")),
    "places_held": ("Places held", "Lieux tenus"),
    "places_no_record": ("Places with no control record",
                         "Lieux sans relevé de contrôle"),
    "quality_linked": ("Quality: how records were linked to places",
                       "Qualité : comment les relevés ont été reliés aux lieux"),
    "quality_set_aside": ("Quality: rows set aside", "Qualité : lignes écartées"),
    "sources_licences": ("Sources and licences", "Sources et licences"),
    "no_rows": ("No rows.", "Aucune ligne."),
    "rows_shown": ("{count} rows; the first {shown} shown. ",
                   "{count} lignes ; les {shown} premières affichées. "),
    "no_references": ("No references to match.", "Aucune référence à relier."),
    "records_linked": ("Records linked: {parts}.", "Relevés reliés : {parts}."),
    "records_by_method": ("{count} record(s) by {method}",
                          "{count} relevé(s) par {method}"),
    "none": ("none", "aucune"),
    "no_rows_rejected": ("{count} rows rejected: every row read was used.",
                         "{count} ligne rejetée : toutes les lignes lues ont servi."),
    "rows_rejected": (
        ("{count} row(s) rejected ({layers}); {repaired} value(s) repaired or flagged."
         " Full list in rejects.csv."),
        ("{count} ligne(s) rejetée(s) ({layers}) ; {repaired} valeur(s) corrigée(s) ou"
         " signalée(s). Liste complète dans rejects.csv.")),
    "licence_blank": (
        ("A licence left blank is not stated in the input file: check the publisher's "
         "terms before reuse."),
        ("Une licence laissée vide n'est pas indiquée dans le fichier d'entrée : "
         "vérifiez les conditions de l'éditeur avant réemploi.")),
    "report_footer": (
        ("Made with geomap from the inputs listed above; the same inputs give the same"
         " report."),
        ("Fait avec geomap à partir des données listées ci-dessus ; les mêmes données "
         "donnent le même rapport.")),
    "col_place": ("Place", "Lieu"),
    "col_pcode": ("P-code", "P-code"),
    "col_kind": ("Kind", "Type"),
    "col_held_by": ("Held by", "Tenu par"),
    "col_confidence": ("Confidence", "Fiabilité"),
    "col_since": ("Since", "Depuis"),
    "col_people": ("People displaced", "Personnes déplacées"),
    "col_figure_date": ("Figure date", "Date du chiffre"),
    "col_mining_sites": ("Mining sites", "Sites miniers"),
    "col_population": ("Population", "Population"),
    "col_control_source": ("Control source", "Source du contrôle"),
    "col_link": ("Link", "Lien"),
    "col_actor": ("Actor", "Acteur"),
    "col_people_in_held": ("People displaced in places held",
                           "Personnes déplacées dans les lieux tenus"),
    "col_sites_by_mineral": ("Sites by mineral", "Sites par minerai"),
    "col_places": ("Places", "Lieux"),
    "col_place_id": ("Place id", "Identifiant du lieu"),
    "col_before": ("Before", "Avant"),
    "col_after": ("After", "Après"),
    "col_changed_on": ("Changed on", "Changé le"),
    "col_source": ("Source", "Source"),
    "col_note": ("Note", "Remarque"),
    "col_layer": ("Layer", "Couche"),
    "col_reference": ("Reference", "Référence"),
    "col_matched_place": ("Matched place", "Lieu retrouvé"),
    "col_method": ("Method", "Méthode"),
    "col_score": ("Score", "Score"),
    "col_records": ("Records", "Relevés"),
    "col_candidates": ("Nearest candidates", "Candidats les plus proches"),
    "col_row": ("Row", "Ligne"),
    "col_column": ("Column", "Colonne"),
    "col_value": ("Value", "Valeur"),
    "col_action": ("Action", "Action"),
    "col_reason": ("Reason", "Motif"),
    "col_licence": ("Licence", "Licence"),
}


def _french_spaces(text: str) -> str:
    """Put a no-break space before French high punctuation (: ; ? !)."""
    return re.sub(r" ([:;?!])", NBSP + r"\1", text)


WORDS: dict[str, dict[str, str]] = {
    key: {"en": en, "fr": _french_spaces(fr)} for key, (en, fr) in _TABLE.items()
}
"""Every phrase geomap writes: ``WORDS[key][lang]``."""


def require_lang(lang: object) -> str:
    """Return *lang* when geomap writes that language, else raise ConfigError.

    Examples
    --------
    >>> require_lang("fr")
    'fr'
    """
    if lang in LANGS:
        return str(lang)
    msg = f"expected a language among {list(LANGS)} but got '{lang}'."
    raise ConfigError(msg)


def word(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The phrase *key* in *lang*, with ``{name}`` fields filled from *values*.

    Raises
    ------
    KeyError
        *key* is not in :data:`WORDS` (a mistake in geomap, not in the data).

    Examples
    --------
    >>> word("as_of", "fr", date="20 février 2025")
    'Contrôle au 20 février 2025'
    """
    phrase = WORDS[key][require_lang(lang)]
    return phrase.format_map(values) if values else phrase


def words_for(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every phrase in *lang*, by key: the table a template looks words up in."""
    lang = require_lang(lang)
    return {key: phrases[lang] for key, phrases in WORDS.items()}


def fields(phrase: str) -> set[str]:
    """The ``{name}`` fields of a phrase."""
    return {name for _, name, _, _ in string.Formatter().parse(phrase) if name}


def format_date(value: object, lang: str = DEFAULT_LANG, *,
                precision: Literal["day", "month", "year"] = "day") -> str:
    """A date as a reader writes it: '20 February 2025', '20 février 2025'.

    The first of a month is '1er' in French. *precision* drops the day (or the day
    and month) for records dated to a month or a year. Missing dates give ''.

    Examples
    --------
    >>> format_date(pd.Timestamp("2025-03-01"), "fr")
    '1er mars 2025'
    >>> format_date("2025-02-20", "en", precision="month")
    'February 2025'
    """
    lang = require_lang(lang)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    day = pd.Timestamp(value)
    if precision == "year":
        return str(day.year)
    month = f"{MONTHS[lang][day.month - 1]} {day.year}"
    if precision == "month":
        return month
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{number} {month}"


def format_number(value: object, lang: str = DEFAULT_LANG) -> str:
    """A whole number with its thousands grouped: '1,700,000' or '1 700 000'.

    Missing values give ''. French groups with a no-break space, so a figure is
    never split across two lines.

    Examples
    --------
    >>> format_number(1700000)
    '1,700,000'
    """
    lang = require_lang(lang)
    if value is None or pd.isna(value):
        return ""
    text = f"{round(float(value)):,}"
    return text.replace(",", NBSP) if lang == "fr" else text


def actor_name(actor: object, lang: str = DEFAULT_LANG) -> str | None:
    """Display name of a holder in *lang*: 'Contesté', 'Armée burundaise (FDNB)'.

    Actor names that are names (M23/AFC, FARDC) stay as they are; None when missing.
    """
    if not isinstance(actor, str) or not actor:
        return None
    if actor == CONTESTED:
        return word("contested", lang)
    key = f"actor_{actor}"
    return word(key, lang) if key in WORDS else controller_label(actor)


def value_word(kind: str, value: object, lang: str = DEFAULT_LANG) -> str:
    """A closed-set value (confidence, mineral, kind) in *lang*; unknown ones as given.

    Examples
    --------
    >>> value_word("confidence", "claimed", "fr")
    'revendiqué'
    """
    if not isinstance(value, str) or not value:
        return ""
    key = f"{kind}_{value}"
    return word(key, lang) if key in WORDS else value
