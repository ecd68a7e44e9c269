"""Summaries as of a date: control per place, people displaced, mines per actor."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geomap.actors import controller_label
from geomap.schema import DEFAULT_DISPLACEMENT_KIND
from geomap.summarise.mines import count_mines
from geomap.summarise.nesting import level_names
from geomap.summarise.within import resolve_within

PRIMARY_KIND = DEFAULT_DISPLACEMENT_KIND
"""The kind of figure shown as a place's ``people``: internally displaced people.
Figures of other kinds are listed beside it (``other_figures``), never added."""

def sum_displaced(displacement: pd.DataFrame, day: pd.Timestamp, *,
                  window_days: int | None = None) -> pd.DataFrame:
    """Return people displaced per place and kind as of *day*.

    Rows that carry an ``assessment`` are stocks: each place shows the sum of its rows
    in its most recent assessment dated on or before *day* (a round is dated by its
    latest row, so a round is never cut in two by *day*); rounds are never added
    together. Rows without an assessment (registration records, one per household
    or person) are summed over the *window_days* ending on *day* (all earlier rows
    when no window is given). Figures of different kinds (``idps``, ``refugees``,
    ``new-displacement``...) are never added: each kind has its own row.

    Returns
    -------
    DataFrame
        Indexed by ``place`` (one row per place and kind, sorted): ``people`` (int),
        ``people_as_of`` (the figure's own date), ``assessment`` and ``kind``. A
        place with no figure has no row: it has no figure, not a zero.
    """
    used = displacement[["place", "assessment", "people", "date"]].assign(
        kind=figure_kinds(displacement))
    linked = used.loc[used["place"].notna()]
    stock = linked.loc[linked["assessment"].notna()]
    flow = linked.loc[linked["assessment"].isna() & (linked["date"] <= day)]
    parts = []
    if not stock.empty:
        rounds = _sum_and_date(stock, ["place", "kind", "assessment"])
        rounds = rounds.loc[rounds["people_as_of"] <= day]
        rounds = rounds.sort_values(["place", "kind", "people_as_of", "assessment"],
                                    kind="stable")
        if not rounds.empty:
            parts.append(rounds.groupby(["place", "kind"]).tail(1))
    if not flow.empty:
        if window_days is not None:
            flow = flow.loc[flow["date"] > day - pd.Timedelta(days=window_days)]
        sums = _sum_and_date(flow, ["place", "kind"])
        parts.append(sums.assign(assessment="registrations"))
    if not parts:
        return pd.DataFrame({"people": pd.Series(dtype="int64"),
                             "people_as_of": pd.Series(dtype="datetime64[s]"),
                             "assessment": pd.Series(dtype="object"),
                             "kind": pd.Series(dtype="object")}).rename_axis("place")
    combined = pd.concat(parts, ignore_index=True)
    if combined.duplicated(["place", "kind"]).any():  # stock and registrations
        combined = combined.groupby(["place", "kind"], sort=True).agg(
            people=("people", "sum"), people_as_of=("people_as_of", "max"),
            assessment=("assessment", lambda v: "; ".join(sorted(set(v))))).reset_index()
    combined["people"] = combined["people"].astype("int64")
    combined["kind"] = combined["kind"].astype(object)  # one dtype whatever the engine
    combined = combined.sort_values(["place", "kind"], kind="stable").set_index("place")
    return combined[["people", "people_as_of", "assessment", "kind"]]


def _sum_and_date(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of *keys* (sorted): ``people`` summed and ``people_as_of``, the
    latest ``date``; one grouping read twice (named aggregations cost more)."""
    groups = rows.groupby(keys, sort=True)
    return pd.DataFrame({"people": groups["people"].sum(),
                         "people_as_of": groups["date"].max()}).reset_index()


def figure_kinds(displacement: pd.DataFrame) -> pd.Series:
    """Each record's kind of figure; :data:`PRIMARY_KIND` where the file gives none."""
    if "kind" not in displacement:
        return pd.Series(PRIMARY_KIND, index=displacement.index, dtype="object")
    kinds = displacement["kind"]
    return kinds.fillna(PRIMARY_KIND) if kinds.isna().any() else kinds


def primary_figures(displaced: pd.DataFrame) -> pd.DataFrame:
    """The figures of :data:`PRIMARY_KIND` only, one row per place."""
    if "kind" not in displaced:
        return displaced
    return displaced.loc[displaced["kind"] == PRIMARY_KIND]


def describe_other_figures(displaced: pd.DataFrame) -> pd.Series:
    """Per place, its figures of other kinds as text ('new-displacement 200,000 as of
    2026-02-23'), shown beside the main figure and never added to it."""
    others = displaced.loc[displaced["kind"] != PRIMARY_KIND] if "kind" in displaced \
        else displaced.iloc[:0]
    if others.empty:
        return pd.Series(dtype="object")
    text = (others["kind"].astype(str) + " " + others["people"].map("{:,}".format)
            + " as of " + others["people_as_of"].dt.strftime("%Y-%m-%d"))
    return text.groupby(level=0).agg("; ".join)


AREA_COLUMNS = ("name", "pcode", "place", "kind", "level", "level_name", "parent",
                "parent_name", "actor", "actor_name", "confidence", "since", "within",
                "within_actor", "people", "people_as_of", "people_assessment",
                "other_figures", "mines", "source", "url")
"""Columns of the per-place summary (``summary_areas.csv``), in order."""


def summarise_areas(places: gpd.GeoDataFrame, control_now: pd.DataFrame,
                    displaced: pd.DataFrame, mines: pd.DataFrame) -> pd.DataFrame:
    """One row per place: its level and parent, who holds it, people displaced, mines.

    Parameters
    ----------
    places : GeoDataFrame
        Every place (:func:`geomap.places.build_places`, plus control zones), with
        towns' ``parent_pcode`` set to their territory.
    control_now : DataFrame
        :func:`resolve_control` as of the date, ``since`` being the first day of
        the holder's unbroken run (:func:`~geomap.summarise.holders.holder_since`).
    displaced : DataFrame
        :func:`sum_displaced` as of the date.
    mines : DataFrame
        :func:`~geomap.summarise.mines.assign_mines`.

    Returns
    -------
    DataFrame
        :data:`AREA_COLUMNS`. ``level_name`` ('province', 'territory', 'city',
        'town', 'control zone') and ``parent`` (the enclosing place: a town's
        reported territory, a territory's province) say how rows nest: figures are
        added within one level only. ``people`` is the place's figure of
        :data:`PRIMARY_KIND` as of ``people_as_of``, missing (not 0) where there is
        none; ``other_figures`` lists figures of other kinds; ``mines`` counts the
        sites in or near the place (a true 0).
    """
    unique = places.drop_duplicates("place")
    table = pd.DataFrame({"place": unique["place"], "name": unique["name"],
                          "pcode": unique["pcode"], "kind": unique["kind"],
                          "level": unique["level"], "level_name": level_names(unique),
                          "parent": unique.get("parent_pcode")}).set_index("place")
    table["parent"] = table["parent"].where(table["parent"].isin(table.index))
    table["parent_name"] = table["parent"].map(table["name"])
    table = table.join(control_now[["actor", "confidence", "since", "source", "url"]])
    table["actor_name"] = table["actor"].map(controller_label)
    figures = primary_figures(displaced)
    table = table.join(figures[["people", "people_as_of", "assessment"]].rename(
        columns={"assessment": "people_assessment"}))
    table["people"] = table["people"].astype("Int64")  # missing: no figure, not 0
    table["other_figures"] = describe_other_figures(displaced).reindex(table.index)
    table["mines"] = count_mines(mines).reindex(table.index).fillna(0).astype("int64")
    table = table.join(resolve_within(places, control_now))
    table = table.reset_index().sort_values(["level", "kind", "name"], kind="stable")
    table["level"] = table["level"].where(table["kind"] == "area").astype("Int64")
    return table.reindex(columns=list(AREA_COLUMNS)).reset_index(drop=True)


def attach_summary(places: gpd.GeoDataFrame, areas: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return *places* (geometry kept) with the per-place summary columns joined on."""
    summary = areas.drop(columns=["name", "pcode", "kind", "level"], errors="ignore")
    joined = places.merge(summary, on="place", how="left")
    return gpd.GeoDataFrame(joined, geometry=places.geometry.name, crs=places.crs)
