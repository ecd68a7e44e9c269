"""Words of the GIS package (the GeoPackage and the QGIS project): layer and group
names, legend and layout phrases, and the abstract of each layer."""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    "gis_records_group": ("Control records (dated, for the time controller)",
                          "Relevés de contrôle (datés, pour le contrôleur temporel)"),
    "gis_records_towns": ("Control records: towns", "Relevés de contrôle : localités"),
    "gis_records_areas": ("Control records: areas", "Relevés de contrôle : zones"),
    "gis_tables": ("Tables", "Tables"),
    "gis_table_summary_areas": ("Summary per place", "Synthèse par lieu"),
    "gis_table_summary_actors": ("Summary per actor", "Synthèse par acteur"),
    "gis_table_changes": ("Changes of control", "Changements de contrôle"),
    "gis_table_join_report": ("Join report", "Rapport de jointure"),
    "gis_table_rejects": ("Rejected rows", "Lignes rejetées"),
    "gis_table_sources": ("Sources and licences", "Sources et licences"),
    "gis_towns_legend": ("Towns, coloured by who holds them",
                         "Localités, colorées selon qui les tient"),
    "gis_doubt_note": (
        ("Solid fill, solid outline: assessed. Hollow and hatched, dashed outline in "
         "the actor's colour, hollow town: claimed, not confirmed. Cross-hatched, "
         "dotted outline: contested (fighting reported)."),
        ("Fond plein, contour plein : établi. Non rempli et hachuré, contour en tirets "
         "de la couleur de l'acteur, localité non remplie : revendiqué, non confirmé. "
         "Hachures croisées, contour pointillé : contesté (combats signalés).")),
    "gis_sources_note": (
        "Every source, with its link and licence, is in each layer's metadata.",
        ("Chaque source, avec son lien et sa licence, figure dans les métadonnées de "
        "chaque couche.")),
    "gis_as_of": ("As of {date}.", "Au {date}."),
    "gis_holder_line": ("{actor}: {values}", "{actor} : {values}"),
    "gis_licences": ("Licences: {names}.", "Licences : {names}."),
    "gis_licences_none": ("see each layer's metadata",
                          "voir les métadonnées de chaque couche"),
    "gis_abstract_project": (
        ("Who holds what in the Kivu provinces of eastern DR Congo, where people are "
         "displaced and where the mines are."),
        ("Qui tient quoi dans les provinces du Kivu, dans l'est de la RD Congo, où "
         "sont les personnes déplacées et où sont les mines.")),
    "gis_abstract_mines": (
        ("Mining sites with their admin area, nearest town and the actor holding them "
         "on the as-of date."),
        ("Sites miniers avec leur zone administrative, la localité la plus proche et "
         "l'acteur qui les tient à la date de la carte.")),
    "gis_abstract_displacement": (
        ("People displaced per place: the latest assessment of each place on or "
         "before the as-of date, never added across rounds or kinds; one point inside "
         "each place."),
        ("Personnes déplacées par lieu : la dernière évaluation de chaque lieu à la "
         "date de la carte ou avant, jamais additionnée entre séries ou catégories ; "
         "un point dans chaque lieu.")),
    "gis_abstract_towns": (
        ("Towns with the actor holding each on the as-of date (a town shows only its "
         "own records), the confidence and source of that record, and the people "
         "displaced there."),
        ("Localités avec l'acteur qui tient chacune à la date de la carte (une "
         "localité ne montre que ses propres relevés), la fiabilité et la source de ce "
         "relevé, et les personnes déplacées.")),
    "gis_abstract_areas": (
        ("Admin areas (provinces, territories, villes) with the actor holding each "
         "on the as-of date, the confidence and source of that record, and the people "
         "displaced there."),
        ("Zones administratives (provinces, territoires, villes) avec l'acteur qui "
         "tient chacune à la date de la carte, la fiabilité et la source de ce relevé, "
         "et les personnes déplacées.")),
    "gis_abstract_boundaries": ("Admin area outlines.",
                                "Contours des zones administratives."),
    "gis_layer_countries": ("Countries", "Pays"),
    "gis_layer_lakes": ("Lakes", "Lacs"),
    "gis_abstract_changes": (
        ("Places that changed hands between the comparison date and the as-of date, "
         "one point in each, with both holders and the record of the change."),
        ("Lieux qui ont changé de mains entre la date de comparaison et la date de la "
         "carte, un point dans chacun, avec les deux détenteurs et le relevé du "
         "changement.")),
    "gis_abstract_countries": (
        ("Countries around the Kivus (Natural Earth, public domain): context only, "
         "never used to place a record."),
        ("Pays autour des Kivus (Natural Earth, domaine public) : contexte seulement, "
         "jamais utilisé pour situer un relevé.")),
    "gis_abstract_lakes": (
        ("Lakes around the Kivus (Natural Earth, public domain): context only, never "
         "used to place a record."),
        ("Lacs autour des Kivus (Natural Earth, domaine public) : contexte seulement, "
         "jamais utilisé pour situer un relevé.")),
    "gis_abstract_records_towns": (
        ("Every control record on a town: the actor, the dated interval [start, end) "
         "and its confidence and source."),
        ("Chaque relevé de contrôle d'une localité : l'acteur, l'intervalle daté "
         "[début, fin) et sa fiabilité et sa source.")),
    "gis_abstract_records_areas": (
        ("Every control record on an area: the actor, the dated interval [start, "
         "end) and its confidence and source."),
        ("Chaque relevé de contrôle d'une zone : l'acteur, l'intervalle daté [début, "
         "fin) et sa fiabilité et sa source.")),
}
"""(English, French) of each phrase, by key."""
