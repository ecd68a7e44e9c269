"""Displacement records reduced part by part: checked, joined and summed, then added up.

A part of the records (a whole small file, or a slice of millions of registrations)
is validated, linked to places and reduced to small tables: people and records per
place, assessment, day and citation; people per density cell; the join report; the
rejects; and the count of people read, mapped and rejected. Parts add up exactly, in
any grouping, so one process summing the parts in turn (the pandas engine) and dask
workers summing them in parallel (the dask engine) give the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from geomap.join import AreaIndex, link_records, point_coordinates, unmatched_reasons
from geomap.join.links import REPORT_COLUMNS, ReferenceMatcher
from geomap.layers import PeopleCount
from geomap.schema import KIVU_BOUNDS, ROW
from geomap.summarise.density import CELL_DEGREES, sum_cells
from geomap.validate.checks import check_displacement, read_people
from geomap.validate.conservation import count_people
from geomap.validate.parsing import arrow_text, text_values, with_columns
from geomap.validate.rejects import REJECT_COLUMNS, Rejects, rows_among

FIGURE_KEYS = ("place", "assessment", "kind", "date", "date_precision", "source", "url",
               "license")
"""What a figure is told apart by; records equal in all of these are summed."""

TEXT_KEYS = ("assessment", "source", "url")
"""Figure keys read as text (:func:`~geomap.validate.parsing.text_values`), missing
where the records have no such column."""

UNUSED = ("origin", "cause", "note")
"""Columns of the records that no figure, reject or report of a part uses."""


@dataclass(frozen=True)
class Places:
    """What every part is joined against: the places table and the area index."""

    places: pd.DataFrame
    areas: AreaIndex
    matcher: ReferenceMatcher = field(init=False, compare=False, repr=False)
    """Area references matched once for every part (see :class:`ReferenceMatcher`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", ReferenceMatcher(self.places))


@dataclass
class Partial:
    """The reduced tables of some displacement records (one part, or many added up)."""

    figures: pd.DataFrame
    """``people`` and ``records`` per :data:`FIGURE_KEYS` (those the input has)."""
    density: np.ndarray | None
    """People per density cell (float sums, before any blanking), None: no points."""
    join_report: pd.DataFrame
    rejects: pd.DataFrame
    people: PeopleCount
    rows_valid: int
    """Rows that passed validation (linked or not)."""


def reduce_part(raw: pd.DataFrame, places: Places, *, decimal: str = ".") -> Partial:
    """Validate, link and reduce one part of the raw displacement records.

    Parameters
    ----------
    raw : DataFrame
        Raw records under canonical names, with ``_row``.
    places : Places
        The places and admin areas to link to.
    decimal : {'.', ','}
        The file's decimal mark, for counts written as text.

    Returns
    -------
    Partial
        Its figures, density sums, join report, rejects and people count.
    """
    raw = raw.drop(columns=[column for column in UNUSED if column in raw])
    counted = read_people(raw, decimal=decimal)
    read = counted[0].to_numpy()  # 0 where unusable, as usable_people gives it
    checked, checks = check_displacement(raw, decimal=decimal, people=counted)
    kept = ~rows_among(checked[ROW].to_numpy(), checks.rejected_array())
    rejected = checks.table()
    checked = with_columns(checked, {column: text_values(checked, column)
                                     for column in TEXT_KEYS})
    linked, report, _ = link_records(checked, places.places, places.areas,
                                     layer="displacement", own_geometry=False,
                                     matcher=places.matcher, rows=kept)
    missing = kept & linked["place"].isna().to_numpy()  # the rows linked nowhere
    unmatched = Rejects("displacement")
    if missing.any():  # the rows linked to no place, with their reasons
        lost = linked.loc[missing]
        unmatched.add(lost, np.ones(len(lost), dtype=bool), "area",
                      unmatched_reasons(lost, report))
    rejects = _sorted_rejects([rejected, unmatched.table()])
    dropped = rejects.loc[rejects["action"] == "rejected", "row"].to_numpy(dtype="int64")
    mapped = kept & ~missing
    count = count_people(read, raw[ROW].to_numpy(dtype="int64"), dropped,
                         linked["people"].to_numpy(dtype="int64")[mapped])
    return Partial(figures=_figures(linked, mapped), density=_density(linked, mapped),
                   join_report=report, rejects=rejects, people=count,
                   rows_valid=int(kept.sum()))


def _sorted_rejects(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Rejects tables as one, in row order."""
    tables = [table for table in tables if len(table)]
    if not tables:
        return pd.DataFrame({name: pd.Series(dtype="object") for name in REJECT_COLUMNS})
    if len(tables) == 1:  # a rejects table is in row order already
        return tables[0]
    table = pd.concat(tables, ignore_index=True)
    return table.sort_values(["row", "column"], kind="stable", ignore_index=True)


def _figures(linked: pd.DataFrame, mapped: np.ndarray) -> pd.DataFrame:
    """People and records per figure key, over the mapped rows (one grouped sum).

    Each key's values are numbered (:func:`_key_codes`), the numbers of a row
    combined into one, and rows of one number summed; a key of one value in every
    row takes no part in the numbering.
    """
    keys = [key for key in FIGURE_KEYS if key in linked.columns]
    coded = [_key_codes(linked[key]) for key in keys]
    varying = [(code, len(level) + 1) for code, level in coded  # code -1: missing
               if isinstance(code, np.ndarray)]
    everywhere = mapped.all()
    people = linked["people"].to_numpy(dtype="int64")
    people = people if everywhere else people[mapped]
    sizes = [size for _, size in varying]
    product = np.prod(np.array(sizes, dtype=float))
    sums = None
    if product < 2**62:  # each row's codes (each one up: 0 is missing) as one number
        combined, offset = np.zeros(len(linked), dtype=np.int64), 0
        for code, size in varying:
            combined *= size
            combined += code
            offset = offset * size + 1  # the ones added once, not one array a key
        combined += offset
        combined = combined if everywhere else combined[mapped]
        if product <= max(4 * len(combined), DENSE_GROUPS):  # a count per number
            records = np.bincount(combined, minlength=int(product))
            distinct = np.flatnonzero(records)
            records = records[distinct]
            sums = np.bincount(combined, weights=people, minlength=int(product))[
                distinct] if len(people) else np.zeros(len(distinct))
        else:
            distinct, group = np.unique(combined, return_inverse=True)
            records = np.bincount(group, minlength=len(distinct))
        parts = []
        for size in reversed(sizes):
            parts.append(distinct % size)
            distinct = distinct // size
        group_codes = parts[::-1]
    else:  # too many distinct values to number them: sort the rows instead
        stacked = np.stack([code + 1 if everywhere else code[mapped] + 1
                            for code, _ in varying], axis=1)
        unique, group = np.unique(stacked, axis=0, return_inverse=True)
        group_codes = list(unique.T)
        records = np.bincount(group, minlength=len(unique))
    columns, varied = {}, iter(group_codes)
    for key, (code, level) in zip(keys, coded, strict=True):
        code = next(varied) if isinstance(code, np.ndarray) else np.full(
            len(records), code + 1, dtype=np.int64)
        columns[key] = _decode(level, code)
    table = pd.DataFrame(columns)
    if sums is None:  # summed by group
        sums = np.bincount(group, weights=people, minlength=len(table)) if len(
            people) else np.zeros(len(table))
    table["people"] = sums.round().astype("int64")
    table["records"] = records.astype("int64")
    return table


DENSE_GROUPS = 1 << 20
"""Figure keys numbered up to this many are counted in an array, not sorted."""


def _key_codes(column: pd.Series) -> tuple[np.ndarray | int, pd.Index]:
    """Each row's position among the column's distinct values (-1: missing), and
    those values, as ``pd.factorize`` gives them (in another order, maybe); one
    number for all rows when they hold one value, or none.

    Categories are their codes; text the same in every row (a default) is compared,
    not hashed. Days are hashed as any other values (pandas' factorize of a part's
    days took half the time of numbering them from the first).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype="int64"), column.cat.categories
    text = arrow_text(column)
    if text is not None and text.null_count == len(text):
        return -1, pd.Index([], dtype=object)
    if text is not None:
        first = text[0] if text.null_count == 0 else text.drop_null()[0]
        if pc.all(pc.equal(text, first)).as_py():  # one value, or missing
            code = 0 if text.null_count == 0 else np.where(
                text.is_valid().to_numpy(zero_copy_only=False), 0, -1).astype(np.int64)
            return code, pd.Index(pd.array([first.as_py()], dtype=column.dtype))
    code, level = pd.factorize(column, use_na_sentinel=True)
    return code.astype(np.int64), pd.Index(level)


def _decode(level: pd.Index, code: np.ndarray) -> pd.Series:
    """Values of *level* at *code* (0 missing, 1 the first), keeping the level's dtype."""
    taken = pd.Index(level).take(np.asarray(code, dtype=np.int64) - 1, allow_fill=True)
    return pd.Series(taken, dtype=level.dtype if len(level) else "object")


def _density(linked: pd.DataFrame, mapped: np.ndarray) -> np.ndarray | None:
    """People of the mapped point records per density cell, or None without points."""
    x, y = point_coordinates(linked)
    minx, miny, maxx, maxy = KIVU_BOUNDS  # NaN and inf compare outside
    with np.errstate(invalid="ignore"):
        inside = mapped & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
    if not inside.any() and not (mapped & np.isfinite(x) & np.isfinite(y)).any():
        return None
    people = linked["people"].to_numpy(dtype="float64")
    return sum_cells(x, y, people, bounds=KIVU_BOUNDS, cell=CELL_DEGREES, inside=inside)


def add_partials(partials: list[Partial]) -> Partial:
    """Add up the partials of the parts of one input, in their order.

    Figures are summed by key and sorted; density cells are added; join report rows
    of the same reference and place are added (points first, by records, then the
    references in the order they first appear); rejects stay in row order.
    """
    if not partials:  # no rows at all
        return Partial(figures=pd.DataFrame({"people": pd.Series(dtype="int64"),
                                             "records": pd.Series(dtype="int64")}),
                       density=None, join_report=_add_reports([]),
                       rejects=_sorted_rejects([]), people=PeopleCount(0, 0, 0, 0, 0, 0),
                       rows_valid=0)
    figures = pd.concat([p.figures for p in partials], ignore_index=True)
    keys = [key for key in FIGURE_KEYS if key in figures.columns]
    figures = figures.astype({key: "datetime64[s]" if key == "date" else "string"
                              for key in keys})
    figures = (figures.groupby(keys, dropna=False, sort=True)[["people", "records"]]
               .sum().reset_index())
    grids = [p.density for p in partials if p.density is not None]
    density = np.sum(grids, axis=0) if grids else None
    count = PeopleCount(*(sum(getattr(p.people, field) for p in partials)
                          for field in ("read", "mapped", "rejected", "rows_read",
                                        "rows_rejected", "rows_mapped")))
    return Partial(figures=figures, density=density,
                   join_report=_add_reports([p.join_report for p in partials]),
                   rejects=_sorted_rejects([p.rejects for p in partials]), people=count,
                   rows_valid=sum(p.rows_valid for p in partials))


def _add_reports(reports: list[pd.DataFrame]) -> pd.DataFrame:
    """Join reports of several parts as one: records added per reference and place."""
    reports = [report for report in reports if len(report)]
    if not reports:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    table = pd.concat(reports, ignore_index=True)
    keys = [c for c in REPORT_COLUMNS if c != "records"]
    table = table.groupby(keys, dropna=False, sort=False)["records"].sum().reset_index()
    spatial = table["reference"] == "(coordinates)"
    points = table.loc[spatial].sort_values(["records", "place"],
                                            ascending=[False, True], kind="stable")
    return pd.concat([points, table.loc[~spatial]], ignore_index=True)[
        list(REPORT_COLUMNS)]
