"""Loaders for displacement and event publishers: IOM DTM (HDX spreadsheets and API)
and ACLED (aggregates only)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from geomap.load.formats import ReadOptions, find_column, read_table
from geomap.load.formats import missing_columns as _missing
from geomap.load.formats import text_column as _text
from geomap.provinces import keep_mask, province_of
from geomap.schema import ROW
from geomap.text import squash

# IOM DTM -----------------------------------------------------------------------------

_DTM = {
    "people": ("numPresentIdpInd", "num_present_idp_ind", "idps"),
    "admin1": ("admin1Pcode", "adm1_pcode", "admin1_pcode"),
    "admin2": ("admin2Pcode", "adm2_pcode", "admin2_pcode"),
    "admin1_name": ("admin1Name", "adm1_name"), "admin2_name": ("admin2Name", "adm2_name"),
    "date": ("reportingDate", "reporting_date"), "round": ("roundNumber", "round_number"),
    "operation": ("operation",), "cause": ("displacementReason", "displacement_reason"),
    "origin": ("idpOriginAdmin1Name",),
}


def dtm_columns(columns) -> dict[str, str]:
    """Map DTM columns (``numPresentIdpInd``, ``admin2Pcode``, ``reportingDate``...).

    Raises
    ------
    SchemaError
        No count of people, no date, or no admin area column.
    """
    columns = list(columns)
    mapping = {key: find_column(columns, *raw) for key, raw in _DTM.items()}
    areas = [mapping[k] for k in ("admin2", "admin1", "admin2_name", "admin1_name")]
    if mapping["people"] is None or mapping["date"] is None or not any(areas):
        error = _missing("DTM", "'numPresentIdpInd', 'reportingDate' and an admin "
                       "P-code column ('admin2Pcode' or 'admin1Pcode')", columns)
        raise error
    return {key: value for key, value in mapping.items() if value is not None}


def read_dtm(path: Path, options: ReadOptions) -> pd.DataFrame:
    """Read DTM figures (HDX spreadsheet or API JSON) as displacement stocks.

    Each row's ``assessment`` names its round ('dtm-<operation>-r12'), so figures of
    different rounds are never added together; ``area`` is the admin-2 P-code (admin-1
    where no admin-2 is given), the name when no P-code is.
    """
    table = read_table(path, options.fmt, wanted=lambda cols: any(
        squash(c) == "numpresentidpind" for c in cols))
    mapping = dtm_columns(table.columns)
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
    area = _text(table, mapping.get("admin2")).fillna(
        _text(table, mapping.get("admin2_name"))).fillna(
        _text(table, mapping.get("admin1"))).fillna(
        _text(table, mapping.get("admin1_name")))
    operation = _text(table, mapping.get("operation")).map(
        lambda v: re.sub(r"[^a-z0-9]+", "-", v.lower()).strip("-")[:40]
        if isinstance(v, str) else None)
    rounds = _text(table, mapping.get("round")).str.replace(r"\.0$", "", regex=True)
    date = _text(table, mapping["date"]).str.slice(0, 10)
    prefix = operation.map(lambda v: f"dtm-{v}-" if isinstance(v, str) and v else "dtm-")
    assessment = (prefix.astype("string") + ("r" + rounds).fillna(date)).astype("string")
    return pd.DataFrame({
        "area": area, "people": _text(table, mapping["people"]), "date": date,
        "assessment": assessment, "origin": _text(table, mapping.get("origin")),
        "cause": _text(table, mapping.get("cause")),
        "source": options.source or "IOM DTM", "url": options.url or path.name,
        "note": pd.NA, ROW: table[ROW],
    }).reset_index(drop=True)


# ACLED -------------------------------------------------------------------------------

def acled_columns(columns) -> dict[str, str]:
    """Map ACLED event columns (``event_date``, ``admin1``, ``fatalities``...)."""
    columns = list(columns)
    mapping = {key: find_column(columns, raw) for key, raw in (
        ("date", "event_date"), ("admin1", "admin1"), ("admin2", "admin2"),
        ("type", "event_type"), ("fatalities", "fatalities"))}
    if None in (mapping["date"], mapping["admin1"], mapping["fatalities"]):
        error = _missing("ACLED", "'event_date', 'admin1' and 'fatalities'", columns)
        raise error
    return {key: value for key, value in mapping.items() if value is not None}


def read_acled(path: Path, options: ReadOptions) -> pd.DataFrame:
    """Read ACLED events and return AGGREGATES only: events and fatalities per area,
    month and event type. Event rows are never returned, so they cannot be re-published.
    """
    events = read_table(path, options.fmt)
    mapping = acled_columns(events.columns)
    province = pd.Series(province_of(_text(events, mapping["admin1"])),
                         index=events.index, dtype="object")
    events = events.loc[keep_mask(province.where(province.notna(), None),
                                  options.provinces)]
    table = pd.DataFrame({
        "province": province[events.index],
        "area": _text(events, mapping.get("admin2")).fillna("(unknown)"),
        "month": _text(events, mapping["date"]).str.slice(0, 7),
        "event_type": _text(events, mapping.get("type")).fillna("(unknown)"),
        "fatalities": pd.to_numeric(_text(events, mapping["fatalities"]),
                                    errors="coerce").fillna(0).astype("int64"),
    })
    summary = (table.groupby(["province", "area", "month", "event_type"], sort=True)
               .agg(events=("fatalities", "size"), fatalities=("fatalities", "sum"))
               .reset_index())
    summary["source"] = options.source or "ACLED"
    summary[ROW] = pd.RangeIndex(1, len(summary) + 1)
    options.report(f"ACLED: {len(table):,} events in the selected provinces, "
                   f"{len(summary):,} area-month-type aggregates")
    return summary
