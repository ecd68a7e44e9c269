"""Phrases of the web map, the embed and every legend: titles, layers, popups, values.

Each entry is ``key: (English, French)``; ``{name}`` marks a value filled in by
:func:`geomap.words.word`. Write French with a plain space before ``:`` and ``;``:
the no-break space is added when the table is built.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    # -- titles, dates, page frame --------------------------------------------------
    "title_default": ("Kivu: territorial control, displacement and mining",
                      "Kivu : contrôle territorial, déplacements et sites miniers"),
    "title_article": ("Kivu: territorial control and displacement",
                      "Kivu : contrôle territorial et déplacements"),
    "as_of": ("Control as of {date}", "Contrôle au {date}"),
    "as_of_short": ("as of {date}", "au {date}"),
    "changes_since": ("Changes since {date}", "Changements depuis le {date}"),
    "legend": ("Legend", "Légende"),
    "sources": ("Sources", "Sources"),
    "sources_count": ("Sources ({count})", "Sources ({count})"),
    "sources_more": (("and {count} more sources (the report and the GIS layers list "
                     "every one)"), ("et {count} autres sources (le rapport et les "
                     "couches SIG les citent toutes)")),
    "sources_line": ("Sources: {names}.", "Sources : {names}."),
    "sources_in_report": ("Every source, with its link, is listed in report.html.",
                          "Chaque source, avec son lien, figure dans report.html."),
    "sources_not_recorded": ("not recorded", "non indiquées"),
    "data_credit": ("Data: {names}", "Données : {names}"),
    "data_credit_short": ("Data sources ({count})", "Sources des données ({count})"),
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
    "reset_view": ("Back to the whole map", "Revenir à toute la carte"),
    "two_fingers": ("Use two fingers to move the map, or tap it first",
                    "Utilisez deux doigts pour déplacer la carte, ou touchez-la d'abord"),
    "tap_to_interact": ("Tap or click the map to zoom and move it",
                        "Touchez ou cliquez la carte pour la zoomer et la déplacer"),
    "slider_label": ("Control on {date}", "Contrôle le {date}"),
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
    "layer_town_names": ("Town names", "Noms des localités"),
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
    "print_assessed": ("Assessed: solid colour", "Établi : couleur pleine"),
    "print_claimed": ("Claimed, not confirmed: hatched, dashed outline",
                      "Revendiqué, non confirmé : hachuré, contour en tirets"),
    "print_contested": (
        "Contested: crosshatched, dotted outline (grey: records of more than one actor)",
        ("Contesté : quadrillé, contour pointillé (gris : relevés de plus d'un "
         "acteur)")),
    "no_circle_note": ("No circle: no figure for that place as of this date",
                       "Sans cercle : aucun chiffre pour ce lieu à cette date"),
    "changed_hands": ("Changed hands", "Changement de contrôle"),
    "town_legend": ("Town, coloured by who holds it",
                    "Localité, colorée selon qui la tient"),
    "admin_boundary": ("Admin boundary", "Limite administrative"),
    "country_border": ("International border", "Frontière internationale"),
    "lake": ("Lake", "Lac"),
    "no_figure_as_of": ("No figure as of this date", "Aucun chiffre à cette date"),
    "no_figure_on_slider": ("No figure on any date of the slider",
                            "Aucun chiffre à aucune date du curseur"),
    "people_range": ("{low} to {high} (territory)", "{low} à {high} (territoire)"),
    # -- values in popups and tables ------------------------------------------------
    "no_figure": ("no figure", "aucun chiffre"),
    "no_record": ("no record", "aucun relevé"),
    "contested_by": ("Contested: {actors}", "Contesté : {actors}"),
    "link_source": ("source", "source"),
    "label": ("{label}:", "{label} :"),
    "yes": ("yes", "oui"),
    "no": ("no", "non"),
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
}
