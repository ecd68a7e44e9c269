"""The provinces geomap cuts publisher files to: the two Kivus, optionally neighbours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geomap.errors import ConfigError
from geomap.text import squash


@dataclass(frozen=True)
class Province:
    """One DR Congo province: OCHA P-code, name, ISO 3166-2 code, lon/lat extent and
    capital (the town named first on a map)."""

    pcode: str
    name: str
    iso: str
    bounds: tuple[float, float, float, float]
    capital: str
    aliases: tuple[str, ...] = ()


# P-codes and extents read from the OCHA COD-AB DRC 2017 release (ADM1_PCODE, ADM1_FR;
# extents rounded outwards to 0.01 degree). ISO codes from ISO 3166-2:CD; Natural Earth
# (still on the pre-2015 provinces) carries CD-NK, CD-SK and CD-MA unchanged.
PROVINCES = {
    province.pcode: province
    for province in (
        Province("CD61", "Nord-Kivu", "CD-NK", (27.22, -2.08, 30.00, 0.96), "Goma",
                 ("North Kivu",)),
        Province("CD62", "Sud-Kivu", "CD-SK", (26.80, -5.02, 29.40, -1.57), "Bukavu",
                 ("South Kivu",)),
        Province("CD54", "Ituri", "CD-IT", (27.44, 0.51, 31.32, 3.68), "Bunia"),
        Province("CD63", "Maniema", "CD-MA", (24.59, -5.03, 28.81, 0.00), "Kindu"),
        Province("CD74", "Tanganyika", "CD-TA", (25.92, -8.42, 30.80, -4.99),
                 "Kalemie"),
    )
}
CAPITALS = frozenset(squash(p.capital) for p in PROVINCES.values())
"""The provincial capitals, folded as :func:`geomap.text.squash` folds names."""
KIVU = ("CD61", "CD62")
"""The default cut: Nord-Kivu and Sud-Kivu."""
EAST = ("CD61", "CD62", "CD54", "CD63", "CD74")
"""The Kivus with their neighbours Ituri, Maniema and Tanganyika."""

_GROUPS = {"kivu": KIVU, "east": EAST}

OTHER_PROVINCES = {
    "CD10": "Kinshasa", "CD20": "Kongo-Central", "CD31": "Kwango", "CD32": "Kwilu",
    "CD33": "Maï-Ndombe", "CD41": "Equateur", "CD42": "Sud-Ubangi", "CD43": "Nord-Ubangi",
    "CD44": "Mongala", "CD45": "Tshuapa", "CD51": "Tshopo", "CD52": "Bas-Uele",
    "CD53": "Haut-Uele", "CD71": "Haut-Katanga", "CD72": "Lualaba", "CD73": "Haut-Lomami",
    "CD81": "Lomami", "CD82": "Kasaï-Oriental", "CD83": "Sankuru", "CD91": "Kasaï-Central",
    "CD92": "Kasaï",
}
"""The other 21 provinces (COD-AB 2017 ADM1_PCODE, ADM1_FR): recognised, never kept."""
OLD_PROVINCES = ("Orientale", "Katanga", "Bandundu", "Bas-Congo", "Kasaï-Occidental",
                 "CD-OR", "CD-KA", "CD-BN", "CD-BC", "CD-KW", "CD-KE", "CD-KN", "CD-EQ")
"""Pre-2015 provinces (and Natural Earth's ISO codes for them): recognised, never kept."""


ENGLISH_NAMES = {"northkivu": "nordkivu", "southkivu": "sudkivu"}
"""English names of provinces (folded) -> their French names (folded)."""


def province_key(text: object) -> str:
    """Fold a province name or code for matching ('North Kivu' == 'Nord-Kivu')."""
    folded = squash(str(text))
    return ENGLISH_NAMES.get(folded, folded)


def _lookup() -> dict[str, str]:
    """Every known spelling of every province -> its P-code ('old:...' for pre-2015)."""
    keys: dict[str, str] = {province_key(old): f"old:{old}" for old in OLD_PROVINCES}
    names = {**{p.pcode: p.name for p in PROVINCES.values()}, **OTHER_PROVINCES}
    for pcode, name in names.items():
        for key in (pcode, name, "COD" + pcode[2:]):
            keys[province_key(key)] = pcode
    for province in PROVINCES.values():
        for key in (province.iso, *province.aliases):
            keys[province_key(key)] = province.pcode
    return keys


def select_provinces(spec: str | Iterable[str] | None) -> tuple[str, ...]:
    """Return the P-codes named by *spec*: 'kivu', 'east', or names/codes, comma-separated.

    Parameters
    ----------
    spec : str or iterable of str, optional
        ``None`` gives the default (Nord-Kivu and Sud-Kivu). Names, P-codes and ISO
        codes are all accepted, ignoring case and punctuation.

    Returns
    -------
    tuple of str
        P-codes in the order of :data:`PROVINCES`.

    Raises
    ------
    ConfigError
        A name is not one of the provinces geomap knows.

    Examples
    --------
    >>> select_provinces("kivu")
    ('CD61', 'CD62')
    >>> select_provinces("Nord-Kivu, ituri")
    ('CD61', 'CD54')
    """
    if spec is None:
        return KIVU
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    keys = {key: code for key, code in _lookup().items() if code in PROVINCES}
    chosen: set[str] = set()
    for item in (str(item).strip() for item in items):
        if not item:
            continue
        if item.lower() in _GROUPS:
            chosen.update(_GROUPS[item.lower()])
        elif province_key(item) in keys:
            chosen.add(keys[province_key(item)])
        else:
            known = ", ".join(f"{p.name} ({p.pcode})" for p in PROVINCES.values())
            msg = (f"Unknown province '{item}'; expected 'kivu', 'east' or some of "
                   f"{known}.")
            raise ConfigError(msg)
    if not chosen:
        return KIVU
    return tuple(pcode for pcode in PROVINCES if pcode in chosen)


def province_of(values: Iterable[object]) -> list[str | None]:
    """Map province names or codes (any known spelling) to P-codes, None if unknown.

    All 26 provinces are known (and the pre-2015 ones, as 'old:<name>'), so None means
    a value geomap cannot place, not a province outside the selection.
    """
    keys = _lookup()
    return [keys.get(province_key(value)) if isinstance(value, str) else None
            for value in values]


def keep_mask(codes: Iterable[str | None], provinces: Iterable[str]) -> list[bool]:
    """Keep rows in *provinces*, and rows whose province is unknown (never guessed)."""
    wanted = set(provinces)
    return [code is None or code in wanted for code in codes]


def describe(pcodes: Iterable[str]) -> str:
    """'Nord-Kivu (CD61), Sud-Kivu (CD62)' for messages."""
    return ", ".join(f"{PROVINCES[p].name} ({p})" for p in pcodes)
