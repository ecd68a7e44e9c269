"""The places a record can name (admin areas and towns) and how a reference names one.

A reference is matched against every place at once: its P-code, a town id, the
area's names and alternative names (COD-AB's ``ADM2ALT1FR``). When it could mean
two places (the territory of Rutshuru and the town of Rutshuru) it is ambiguous and
rejected with both candidates, before any id or name wins. A qualifier settles it:
written in the reference ('Territoire de Rutshuru', 'Ville de Beni', 'Rutshuru
[town]'), or given by the record's ``level`` column or its file's admin level.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import geopandas as gpd
import pandas as pd

from geomap.provinces import ENGLISH_NAMES
from geomap.schema import QUALIFIERS, STORAGE_CRS
from geomap.text import fold, squash

FUZZY_THRESHOLD = 88.0
"""Lowest rapidfuzz ratio (0-100) accepted for a fuzzy name match."""

PLACE_COLUMNS = ("place", "name", "kind", "level", "pcode", "parent_pcode", "area_type",
                 "alt_names", "geometry")

_PREFIXES = re.compile(
    r"^(territoire|territory|ville|city|cite|town|province|chefferie|secteur|"
    r"collectivite)\s+(de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d'|of\s+)?")
_SUFFIXES = re.compile(r"\s+(territory|territoire|city|ville|province|town)$")
_VARIANTS = {**ENGLISH_NAMES, "nkivu": "nordkivu", "skivu": "sudkivu"}
_BRACKET = re.compile(r"^(.*\S)\s*\[([^\]]+)\]\s*$")

AREA_TYPES = {"province": "province", "territoire": "territory", "territory": "territory",
              "ville": "city", "city": "city", "chefferie": "chefferie/secteur",
              "secteur": "chefferie/secteur", "collectivite": "chefferie/secteur"}
"""Publishers' words for an area's type (folded) -> the level name geomap writes."""
LEVEL_NAMES = {1: "province", 2: "territory", 3: "chefferie/secteur"}
"""Level name of an admin area whose file gives no type."""


def normalise_name(name: str) -> str:
    """Fold a place name for matching: accents, case, hyphens, 'Territoire de', English.

    Examples
    --------
    >>> normalise_name("Territoire de Masisi") == normalise_name("masisi")
    True
    >>> normalise_name("North Kivu") == normalise_name("Nord-Kivu")
    True
    """
    text = squash_spaces(name)
    text = _SUFFIXES.sub("", _PREFIXES.sub("", text))
    folded = squash(text)
    return _VARIANTS.get(folded, folded)


def squash_spaces(name: str) -> str:
    """Fold *name* and turn hyphens and punctuation into single spaces."""
    return re.sub(r"[^a-z0-9']+", " ", fold(name)).strip()


def qualifier_of(word: object) -> str | None:
    """The qualifier a word names ('Territoire' -> 'territory', '2' -> 'level 2').

    Examples
    --------
    >>> qualifier_of("Ville"), qualifier_of("admin2"), qualifier_of("zone")
    ('city', 'level 2', None)
    """
    if not isinstance(word, str):
        return None
    return QUALIFIERS.get(squash(word))


def split_qualifier(reference: str) -> tuple[str, str | None]:
    """Split a reference into its name and the qualifier written in it, if any.

    Examples
    --------
    >>> split_qualifier("Territoire de Rutshuru")
    ('rutshuru', 'territory')
    >>> split_qualifier("Rutshuru [town]"), split_qualifier("Beni (ville)")
    (('Rutshuru', 'town'), ('beni', 'city'))
    >>> split_qualifier("Masisi")
    ('Masisi', None)
    """
    text = reference.strip()
    bracket = _BRACKET.match(text)
    if bracket and qualifier_of(bracket.group(2)):
        return bracket.group(1), qualifier_of(bracket.group(2))
    spaced = squash_spaces(text)
    for pattern in (_PREFIXES, _SUFFIXES):
        found = pattern.search(spaced)
        if found and found.group(0) != spaced:
            rest = spaced[:found.start()] + spaced[found.end():]
            return re.sub(r"[()]", "", rest).strip() or text, qualifier_of(found.group(1))
    return text, None


def qualify(references: pd.Series, levels: pd.Series | None) -> pd.Series:
    """References with their record's level written in: 'Rutshuru' + 'town' ->
    'Rutshuru [town]'; unchanged where there is no level."""
    if levels is None:
        return references
    word = levels.astype(object).map(  # object: an empty column read as Arrow has
        lambda v: qualifier_of(str(v)) if pd.notna(v) else None)  # no type to fill
    return references.where(word.isna(), references.astype(str) + " [" +
                            word.fillna("") + "]")


def build_places(admin: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return one table of every place a record can name: admin areas and towns.

    A town whose ``pcode`` is also an admin area (a city such as Goma, CD6101) is
    folded into that area: its id becomes another key of the area.

    Returns
    -------
    GeoDataFrame
        Columns ``place`` (P-code or town id), ``name``, ``kind`` ('area' or 'town'),
        ``level``, ``pcode``, ``parent_pcode``, ``area_type`` (see
        :func:`area_types`), ``alt_names`` (other names of an area, such as COD-AB's
        ``ADM2ALT1FR``), ``aliases`` (town ids folded into an area) and geometry.
    """
    areas = pd.DataFrame({
        "place": admin["pcode"], "name": admin["name"], "kind": "area",
        "level": admin["level"], "pcode": admin["pcode"],
        "parent_pcode": admin["parent_pcode"], "area_type": area_types(admin, towns),
        "alt_names": _alt_names(admin), "geometry": admin.geometry,
    })
    own_pcode = towns["pcode"].notna() & towns["pcode"].isin(set(admin["pcode"]))
    alias_of = dict(zip(towns.loc[own_pcode, "town_id"], towns.loc[own_pcode, "pcode"],
                        strict=True))
    loose = towns.loc[~own_pcode]
    points = pd.DataFrame({
        "place": loose["town_id"], "name": loose["name"], "kind": "town",
        "level": 9, "pcode": loose["pcode"], "parent_pcode": loose["province_pcode"],
        "area_type": None, "alt_names": [[] for _ in range(len(loose))],
        "geometry": loose.geometry,
    })
    places = gpd.GeoDataFrame(pd.concat([areas, points], ignore_index=True),
                              geometry="geometry", crs=STORAGE_CRS)
    places["aliases"] = places["place"].map(
        lambda key: sorted(town for town, area in alias_of.items() if area == key))
    return places


def area_types(admin: pd.DataFrame, towns: pd.DataFrame) -> pd.Series:
    """The level name of each admin area: its file's ``type``, else from its level.

    A level-2 area that a town names as its own P-code is a city (COD-AB publishes
    territories and cities alike as ADM2, with no type); other level-2 areas are
    territories.

    Returns
    -------
    Series
        Indexed like *admin*: 'province', 'territory', 'city', 'chefferie/secteur'.
    """
    level = pd.to_numeric(admin["level"], errors="coerce")
    by_level = level.map(LEVEL_NAMES).fillna("area").astype(object)
    city_codes = set(towns["pcode"].dropna()) if "pcode" in towns else set()
    by_level = by_level.mask((level == 2) & admin["pcode"].isin(city_codes), "city")
    if "type" not in admin:
        return by_level
    given = admin["type"].map(lambda t: AREA_TYPES.get(squash(t))
                              if isinstance(t, str) else None)
    return given.where(given.notna(), by_level).astype(object)


def _alt_names(admin: pd.DataFrame) -> list[list[str]]:
    """Other names of each area (``alt_name``, ``name_cod``), for matching only."""
    columns = [c for c in ("alt_name", "name_cod") if c in admin]
    if not columns:
        return [[] for _ in range(len(admin))]
    return [sorted({v for v in values if isinstance(v, str) and v.strip()})
            for values in zip(*(admin[c] for c in columns), strict=True)]


def _allowed(places: pd.DataFrame, qualifier: str | None) -> pd.Series:
    """Which places a qualifier leaves (all of them without one)."""
    if qualifier is None:
        return pd.Series(True, index=places.index)
    area = places["kind"] == "area"
    if qualifier.startswith("level "):
        return area & (pd.to_numeric(places["level"], errors="coerce")
                       == int(qualifier[-1]))
    if qualifier == "town":  # a town point, or a city a town was folded into
        folded = places["aliases"].map(lambda ids: len(ids) > 0).astype(bool)
        return (places["kind"] == "town") | (area & folded)
    return area & (places["area_type"] == qualifier)


def _lookup_tables(places: pd.DataFrame
                   ) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """P-code -> place, town id -> places, and normalised name -> places."""
    pcodes: dict[str, str] = {}
    ids: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for place, pcode, kind, aliases, name, alt in zip(
            places["place"], places["pcode"], places["kind"], places["aliases"],
            places["name"], places["alt_names"], strict=True):
        for code in (pcode, place if kind == "area" else None):
            if isinstance(code, str):
                pcodes.setdefault(code.casefold(), place)
        for key in (place if kind == "town" else None, *aliases):
            if isinstance(key, str):
                ids.setdefault(key.casefold(), []).append(place)
        for text in (name, *alt):
            if isinstance(text, str):
                bucket = names.setdefault(normalise_name(text), [])
                if place not in bucket:
                    bucket.append(place)
    return pcodes, ids, names


def match_references(references: pd.Series, places: pd.DataFrame) -> pd.DataFrame:
    """Match each distinct reference once: every place it could mean, then fuzzily.

    A P-code names one place. Otherwise the candidates are every place whose town id
    or name (or alternative name) the reference gives, narrowed by its qualifier
    (see :func:`split_qualifier`); one candidate is a match, several are ambiguous,
    none leads to a fuzzy match on names (score >= :data:`FUZZY_THRESHOLD`).

    Returns
    -------
    DataFrame
        Indexed by reference: ``place`` (missing when unmatched or ambiguous),
        ``method`` ('p-code', 'id', 'name', 'fuzzy', 'ambiguous' or 'unmatched'),
        ``score`` and ``candidates`` (every candidate of an ambiguous reference, the
        nearest places for a miss).
    """
    return matches_table(reference_matches(pd.unique(references.dropna()), places))


def matches_table(rows: list[tuple]) -> pd.DataFrame:
    """:func:`match_references`' table of rows from :func:`reference_matches`."""
    return pd.DataFrame(rows, columns=["reference", "place", "method", "score",
                                       "candidates"]).set_index("reference")


def reference_matches(references: Iterable, places: pd.DataFrame) -> list[tuple]:
    """One row ``(reference, place, method, score, candidates)`` per reference of
    *references* (distinct, none missing), as :func:`match_references` finds it."""
    places = places.reset_index(drop=True)
    pcodes, ids, names = _lookup_tables(places)
    label = dict(zip(places["place"], places["name"], strict=True))
    kind = dict(zip(places["place"], places["area_type"].where(
        places["kind"] == "area", places["kind"]), strict=True))
    rows, allowed_by = [], {}
    for reference in references:
        text = str(reference).strip()
        name, qualifier = split_qualifier(text)
        code = next((pcodes[k] for k in (text.casefold(), name.casefold()) if k in pcodes),
                    None)
        if code is not None:  # a P-code names one place, whatever its qualifier
            rows.append((reference, code, "p-code", 100.0, ""))
            continue
        if qualifier not in allowed_by:
            allowed_by[qualifier] = set(places.loc[_allowed(places, qualifier), "place"])
        allowed = allowed_by[qualifier]
        by_id = [p for key in {text.casefold(), name.casefold()} for p in ids.get(key, [])]
        found = list(dict.fromkeys(p for p in [*by_id, *names.get(normalise_name(name),
                                                                   [])] if p in allowed))
        if len(found) == 1:
            method = "id" if found[0] in by_id else "name"
            rows.append((reference, found[0], method, 100.0, ""))
            continue
        if len(found) > 1:
            listed = ", ".join(f"{label[p]} ({p}, {kind[p]})" for p in found)
            rows.append((reference, None, "ambiguous", 100.0, listed))
            continue
        rows.append((reference, *_fuzzy(normalise_name(name), {
            key: [p for p in group if p in allowed] for key, group in names.items()},
            label)))
    return rows


def _fuzzy(folded: str, names: dict[str, list[str]], label: dict[str, str]
           ) -> tuple[str | None, str, float, str]:
    """A fuzzy match among *names* (only a clear best one), else unmatched.

    rapidfuzz is imported here, by the builds that have a name no place bears (about
    0.02 CPU-s): a build whose references all match exactly never imports it."""
    from rapidfuzz import fuzz, process

    names = {key: group for key, group in names.items() if group}
    best = process.extract(folded, list(names), scorer=fuzz.ratio, limit=3)
    candidates = ", ".join(
        f"{label[p]} ({p})" for choice, _, _ in best for p in names[choice])
    if best and best[0][1] >= FUZZY_THRESHOLD and len(names[best[0][0]]) == 1 and (
            len(best) == 1 or best[1][1] < best[0][1]):
        return names[best[0][0]][0], "fuzzy", round(best[0][1], 1), candidates
    return None, "unmatched", round(best[0][1], 1) if best else 0.0, candidates
