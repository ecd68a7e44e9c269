"""Phrases of the print map and the report: furniture, tables, quality notes.

Each entry is ``key: (English, French)``, as in :mod:`geomap.words.common`.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    "actor_eacrf": ("EAC Regional Force (EACRF)", "Force régionale de l'EAC (EACRF)"),
    # -- print map ------------------------------------------------------------------
    "who_holds_what": ("Who holds what", "Qui tient quoi"),
    "col_towns": ("Towns", "Localités"),
    "col_areas": ("Areas", "Zones"),
    "col_mines": ("Mines", "Mines"),
    "col_displaced_star": ("Displaced*", "Déplacés*"),
    "displaced_star_note": (
        "* people displaced in the places each actor holds, figures dated while held",
        ("* personnes déplacées dans les lieux que tient chaque acteur, chiffres datés "
         "de la période où il les tient")),
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
        ("People displaced adds the figures of the places each actor holds that are "
         "dated while it held them; a place inside another counted place is not added "
         "again."),
        ("Les personnes déplacées additionnent les chiffres des lieux que tient chaque "
         "acteur, datés pendant qu'il les tenait ; un lieu situé dans un autre lieu "
         "compté n'est pas ajouté une seconde fois.")),
    "totals_per_level": ("Totals per level", "Totaux par niveau"),
    "totals_caption": (
        ("Each row adds one level only: towns lie in territories, territories in "
         "provinces, so rows are never added together. A figure is counted as of its "
         "own date."),
        ("Chaque ligne n'additionne qu'un niveau : les localités sont dans les "
         "territoires, les territoires dans les provinces, donc les lignes ne "
         "s'additionnent jamais entre elles. Un chiffre compte à sa propre date.")),
    "report_changes_since": (" · changes since {date}", " · changements depuis le {date}"),
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
    "sources_listed": ("{count} source(s), all listed.",
                      "{count} source(s), toutes listées."),
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
    "col_level": ("Level", "Niveau"),
    "col_in": ("In", "Dans"),
    "col_figure_dates": ("Figure dates", "Dates des chiffres"),
    "col_level_added": ("Level added up", "Niveau additionné"),
    "col_places_with_figure": ("Places with a figure", "Lieux avec un chiffre"),
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
    # -- dated events beside the control record ----------------------------------
    "events_heading": ("Events and the changes of control around them",
                       "Événements et changements de contrôle alentour"),
    "events_intro": (
        ("Talks, agreements, mechanisms and deployments, each beside the changes of "
         "control recorded within {days} days of it; dates as exactly as the sources "
         "give them."),
        ("Pourparlers, accords, mécanismes et déploiements, chacun à côté des "
         "changements de contrôle relevés dans les {days} jours ; dates aussi précises "
         "que les sources les donnent.")),
    "col_date": ("Date", "Date"),
    "col_event": ("Event", "Événement"),
    "col_changes_nearby": ("Changes of control nearby", "Changements de contrôle proches"),
    "event_kind_talks": ("talks", "pourparlers"),
    "event_kind_agreement": ("agreement", "accord"),
    "event_kind_mechanism": ("mechanism", "mécanisme"),
    "event_kind_deployment": ("deployment", "déploiement"),
    "event_kind_fighting": ("fighting", "combats"),
    "event_kind_refugees": ("refugees", "réfugiés"),
    "event_kind_strike": ("strike", "frappe"),
    "event_kind_sanctions": ("sanctions", "sanctions"),
    "event_kind_disaster": ("disaster", "catastrophe"),
    "event_kind_other": ("other", "autre"),
}
