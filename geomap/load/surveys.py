"""IOM DTM displacement figures: the API (JSON), OCHA's copy of it on HDX (CSV with
an HXL row) and DTM DRC's labelled spreadsheets. ACLED lives in
:mod:`geomap.load.acled`."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geomap.load.formats import ReadOptions, credit, find_column, read_table
from geomap.load.formats import missing_columns as _missing
from geomap.load.formats import text_column as _text
from geomap.provinces import keep_mask, province_of
from geomap.schema import ROW
from geomap.text import squash

# The API's record fields (dtmapi 0.2.1 api.py; OCHA-DAP/hdx-scraper-iom-dtm @95d00f0
# tests/fixtures/input/displacement-admin2-*.json), which OCHA's HDX CSV
# 'cod-iom-dtm-from-api-admin-0-to-2.csv' repeats with 'adminLevel' added.
_DTM = {
    "people": ("numPresentIdpInd", "num_present_idp_ind", "idps"),
    "admin1": ("admin1Pcode", "adm1_pcode", "admin1_pcode"),
    "admin2": ("admin2Pcode", "adm2_pcode", "admin2_pcode"),
    "admin1_name": ("admin1Name", "adm1_name"), "admin2_name": ("admin2Name", "adm2_name"),
    "date": ("reportingDate", "reporting_date"), "round": ("roundNumber", "round_number"),
    "operation": ("operation",), "cause": ("displacementReason", "displacement_reason"),
    "origin": ("idpOriginAdmin1Name",), "level": ("adminLevel",),
}
# DTM DRC's own spreadsheets, as read by an NGO analyst's public R scripts ("BD DTM",
# Mercy Corps DRC crisis analysis team): DTM_DRC_NationalDisplacementOverview_Sep24.xlsx,
# sheet 'Summary - Health Zone', and DTM_DRC_DISP_ATLAS_R2_2023_DB_PUBLIC_20231106.xlsx,
# sheet 'AGG_BY_ZS': one row per health zone, 'admin_1_label' (province) and
# 'admin_2_label' (territory or town: 'BENI (Territoire / Oicha)', 'BENI (Ville)'),
# and the total of IDPs, seen only as janitor::clean_names() made it:
# total_pdi_ind_fa36_sites_cccm_sites_spont (2023) and
# total_pdi_fa36_sites_cccm_sites_spont (Sep 2024), i.e. "Total PDI (Ind) FA36 +
# Sites CCCM + Sites spont.". Names are compared folded (case, accents and
# punctuation ignored), so the raw header and its cleaned form both match. Their
# date column ('Date') was seen only in the analyst's compiled file: it is required,
# never guessed from a file name.
_LABELS = {
    "admin1_name": ("admin_1_label",), "admin2_name": ("admin_2_label",),
    "people": ("total_pdi_ind_fa36_sites_cccm_sites_spont",
               "total_pdi_fa36_sites_cccm_sites_spont"),
    "date": ("Date", "reportingDate"),
}
_LABEL_SHEETS = ("Summary - Health Zone", "AGG_BY_ZS")
"""Sheets of DTM DRC workbooks seen holding the labelled figures."""


def _is_labelled(columns) -> bool:
    """True for a DTM DRC labelled sheet (admin_1_label and admin_2_label)."""
    keys = {squash(c) for c in columns}
    return {"admin1label", "admin2label"} <= keys


def dtm_columns(columns) -> dict[str, str]:
    """Map DTM columns: the API's (``numPresentIdpInd``, ``admin2Pcode``,
    ``reportingDate``...) or a labelled DTM DRC sheet's (``admin_2_label``...).

    Raises
    ------
    SchemaError
        No count of people, no date, or no admin area column; a labelled sheet's
        message lists what it found and each name it expected.
    """
    columns = list(columns)
    if _is_labelled(columns) and find_column(columns, *_DTM["people"]) is None:
        mapping = {key: find_column(columns, *raw) for key, raw in _LABELS.items()}
        absent = [key for key, value in mapping.items() if value is None]
        if absent:
            expected = "; ".join(f"{key}: {' or '.join(repr(n) for n in _LABELS[key])}"
                                 for key in absent)
            error = _missing("DTM DRC labelled sheet", f"{expected} (found "
                             "admin_1_label and admin_2_label; no other column is "
                             "taken in their place)", columns)
            raise error
        return {**mapping, "layout": "labels"}
    mapping = {key: find_column(columns, *raw) for key, raw in _DTM.items()}
    areas = [mapping[k] for k in ("admin2", "admin1", "admin2_name", "admin1_name")]
    if mapping["people"] is None or mapping["date"] is None or not any(areas):
        error = _missing("DTM", "'numPresentIdpInd', 'reportingDate' and an admin "
                         "P-code column ('admin2Pcode' or 'admin1Pcode')", columns)
        raise error
    return {key: value for key, value in mapping.items() if value is not None}


def _wanted_sheet(columns: list[str]) -> bool:
    """A workbook sheet with DTM figures: the API's columns or the labelled ones."""
    return any(squash(c) == "numpresentidpind" for c in columns) or _is_labelled(columns)


def _deepest_level(table: pd.DataFrame, mapping: dict[str, str],
                   options: ReadOptions) -> pd.DataFrame:
    """Keep, per operation, round and date, only the rows of the deepest admin level.

    OCHA's HDX CSV holds admin levels 0 to 2 in one file: the country and province
    rows are totals of the territory rows, so adding them would count people twice.
    """
    if "level" not in mapping:
        return table
    level = pd.to_numeric(_text(table, mapping["level"]), errors="coerce")
    keys = [_text(table, mapping.get(k)).fillna("") for k in ("operation", "round",
                                                             "date")]
    deepest = level.groupby(keys).transform("max")
    keep = level.isna() | (level == deepest)
    if (~keep).any():
        options.report(f"DTM: left out {int((~keep).sum()):,} rows of admin levels "
                       "above the deepest of their round (totals of the rows kept)")
    return table.loc[keep]


def read_dtm(path: Path, options: ReadOptions) -> pd.DataFrame:
    """Read DTM figures (API JSON, HDX CSV or spreadsheet) as displacement stocks.

    Each row's ``assessment`` names its round ('dtm-<operation>-r12', or the date for
    a labelled sheet), so figures of different rounds are never added together;
    ``area`` is the admin-2 P-code (admin-1 where no admin-2 is given), the name or
    DTM's label when no P-code is (the join then matches it or says why not), and
    ``level`` the admin level it names ('2' or '1'): 'Rutshuru' from ``admin2Name``
    is one of two level-2 areas (the territory and the city), never a town.
    """
    table = read_table(path, options.fmt, wanted=_wanted_sheet,
                       prefer=_LABEL_SHEETS)
    mapping = dtm_columns(table.columns)
    table = _deepest_level(table, mapping, options)
    admin1 = _text(table, mapping.get("admin1")).fillna(
        _text(table, mapping.get("admin2")).str.slice(0, 4))
    province = pd.Series(province_of(admin1), index=table.index, dtype="object")
    province = province.fillna(pd.Series(province_of(_text(
        table, mapping.get("admin1_name"))), index=table.index, dtype="object"))
    keep = pd.Series(keep_mask(province.where(province.notna(), None), options.provinces),
                     index=table.index)
    options.report(f"DTM: kept {int(keep.sum()):,} of {len(table):,} rows (selected "
                   "provinces, or province unknown)")
    table = table.loc[keep]
    admin2 = _text(table, mapping.get("admin2")).fillna(
        _text(table, mapping.get("admin2_name")))
    area = admin2.fillna(_text(table, mapping.get("admin1"))).fillna(
        _text(table, mapping.get("admin1_name")))
    level = pd.Series("2", index=table.index, dtype="string").where(  # the file's
        admin2.notna(), pd.Series("1", index=table.index, dtype="string"))  # level
    operation = _text(table, mapping.get("operation")).map(
        lambda v: re.sub(r"[^a-z0-9]+", "-", v.lower()).strip("-")[:40]
        if isinstance(v, str) else None)
    rounds = _text(table, mapping.get("round")).str.replace(r"\.0$", "", regex=True)
    date = _text(table, mapping["date"]).str.slice(0, 10)
    prefix = operation.map(lambda v: f"dtm-{v}-" if isinstance(v, str) and v else "dtm-")
    assessment = (prefix.astype("string") + ("r" + rounds).fillna(date)).astype("string")
    source, licence = credit(options, "dtm")
    return pd.DataFrame({
        "area": area, "level": level.where(area.notna()),
        "people": _text(table, mapping["people"]), "date": date,
        "assessment": assessment, "origin": _text(table, mapping.get("origin")),
        "cause": _text(table, mapping.get("cause")), "source": source,
        "url": options.url or path.name, "license": licence, "note": pd.NA,
        ROW: table[ROW],
    }).reset_index(drop=True)
