"""Changes between two dates, and the bundled timeline's key facts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geomap.config import BuildConfig
from geomap.pipeline import load_layers, run
from geomap.summarise.changes import changes_between, control_timeline
from geomap.summarise.timeline import displacement_steps

from .conftest import place_of


def test_changes_list_the_handover(shapes_dir: Path, tmp_path: Path):
    """--compare writes changes.csv with the place, both actors and the record."""
    config = BuildConfig(date=pd.Timestamp("2025-02-20"), shapes_dir=shapes_dir,
                         out_dir=tmp_path / "out", compare=pd.Timestamp("2025-01-01"),
                         outputs=("map", "tables"))
    run(config)
    changes = pd.read_csv(tmp_path / "out" / "changes.csv").set_index("place")
    assert changes.loc["alpha", "actor_before"] == "fardc"
    assert changes.loc["alpha", "actor_after"] == "m23"
    assert changes.loc["alpha", "changed_on"] == "2025-01-27"
    assert "bravo" not in changes.index  # held by FARDC on both dates
    page = (tmp_path / "out" / "map.html").read_text()
    assert "Changed hands since 2025-01-01" in page


def test_timeline_covers_every_record_date(shapes_dir: Path):
    """The slider stops at each start and end (partial dates filled in) and the as-of
    day; every place has a row on each day, holder and figure as of that day."""
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-02-20"),
                                     shapes_dir=shapes_dir))
    timeline = control_timeline(layers.control, layers.places,
                                displacement_steps(layers.displacement),
                                pd.Timestamp("2025-02-20"))
    days = [f"{day:%Y-%m-%d}" for day in sorted(timeline["day"].unique())]
    assert days == ["2025-01-01", "2025-01-27", "2025-02-01", "2025-02-20", "2025-06-01"]
    assert len(timeline) == len(days) * layers.places["place"].nunique()
    alpha = timeline.loc[timeline["place"] == "alpha"].set_index("day")
    assert alpha["actor"].tolist() == ["fardc", "m23", "m23", "m23", "m23"]
    assert alpha["people"].isna().tolist() == [True, False, False, False, False]
    assert alpha.loc["2025-02-20", "people_as_of"] == pd.Timestamp("2025-01-20")
    bravo = timeline.loc[timeline["place"] == "bravo"].set_index("day")
    assert bravo.loc["2025-06-01", "actor"] is pd.NA  # the record ended that day


@pytest.mark.parametrize(("date", "town", "actor"), [
    ("2024-12-31", "goma", "fardc"), ("2024-12-31", "bukavu", "fardc"),
    ("2025-02-20", "goma", "m23"), ("2025-02-20", "bukavu", "m23"),
    ("2025-02-20", "kavumu", "m23"), ("2025-02-20", "kamanyola", "m23"),
    ("2025-03-01", "goma", "m23"), ("2025-03-01", "bukavu", "m23"),
])
def test_bundled_timeline(bundled, date, town, actor):
    """The bundled control records give the documented holders."""
    from geomap.actors import resolve_control

    held = resolve_control(bundled.control, pd.Timestamp(date))
    assert held.loc[place_of(bundled, town), "actor"] == actor


def test_bundled_walikale_withdrawal(bundled):
    """As of 2025-04-20 Walikale-centre is not held by M23/AFC."""
    from geomap.actors import resolve_control

    held = resolve_control(bundled.control, pd.Timestamp("2025-04-20"))
    assert held.loc["walikale-centre", "actor"] != "m23"


def test_bundled_changes_since_end_of_2024(bundled):
    """Goma, Bukavu, Kavumu and Kamanyola changed hands between 2024-12-31 and 2025-02-20."""
    changes = changes_between(bundled.control, bundled.places, pd.Timestamp("2024-12-31"),
                              pd.Timestamp("2025-02-20")).set_index("place")
    for town in ("goma", "bukavu", "kavumu", "kamanyola"):
        assert changes.loc[place_of(bundled, town), "actor_after"] == "m23"
        assert changes.loc[place_of(bundled, town), "source"]


def test_every_bundled_record_is_sourced(bundled):
    """Each bundled control, mine, town and displacement row names a source and URL."""
    for frame in (bundled.control, bundled.mines, bundled.towns, bundled.displacement):
        assert frame["source"].notna().all()
        assert frame["url"].notna().all()


def test_changed_on_is_the_start_of_the_unbroken_run():
    """A capture reported contested, then confirmed, changed hands on the first day."""
    from geomap.dates import parse_dates

    control = pd.DataFrame({
        "place": ["g", "g", "g"], "actor": ["fardc", "m23", "m23"],
        "start": parse_dates(pd.Series(["", "2025-01-25", "2025-01-27"])),
        "end": parse_dates(pd.Series(["2025-01-25", "2025-01-27", ""])),
        "confidence": ["assessed", "contested", "assessed"],
        "source": "s", "url": "u", "note": None})
    places = pd.DataFrame({"place": ["g"], "name": ["G"]})
    table = changes_between(control, places, pd.Timestamp("2025-01-01"),
                            pd.Timestamp("2025-03-01")).set_index("place")
    assert table.loc["g", "changed_on"] == pd.Timestamp("2025-01-25")
    gap = control.assign(start=parse_dates(pd.Series(["", "2025-01-25", "2025-02-10"])))
    table = changes_between(gap, places, pd.Timestamp("2025-01-01"),
                            pd.Timestamp("2025-03-01")).set_index("place")
    assert table.loc["g", "changed_on"] == pd.Timestamp("2025-02-10")  # a gap: new run


def _walked_since(control: pd.DataFrame, place: str, day: pd.Timestamp) -> pd.Timestamp:
    """The run start found by walking back one day at a time (the rule, spelt out)."""
    import numpy as np

    from geomap.actors import holder_of, in_force

    records = control.loc[control["place"] == place]
    start, end = (records[c].to_numpy(dtype="datetime64[s]") for c in ("start", "end"))
    actor = records["actor"].to_numpy(dtype=object)

    def holder(on: np.datetime64) -> str | None:
        return holder_of(list(actor[in_force(start, end, on)]))

    one_day = np.timedelta64(1, "D")
    first = np.concatenate([start, end])
    first = first[~np.isnat(first)].min()
    walked = np.datetime64(day, "s")
    now = holder(walked)
    while walked >= first:
        if holder(walked - one_day) != now:
            return pd.Timestamp(walked)
        walked -= one_day
    return pd.NaT


def test_run_starts_of_many_days_match_a_day_by_day_walk():
    """holder_since_days gives, for every (day, place), the start a walk back finds."""
    import numpy as np

    from geomap.actors import holder_since, holder_since_days

    rng = np.random.default_rng(7)
    base = pd.Timestamp("2025-01-01")
    rows = []
    for place in "abcdef":
        for _ in range(rng.integers(1, 6)):
            start = base + pd.Timedelta(days=int(rng.integers(0, 40)))
            length = int(rng.integers(1, 25))
            rows.append({"place": place, "actor": rng.choice(["m23", "fardc", "wazalendo"]),
                         "start": None if rng.random() < 0.15 else start,
                         "end": None if rng.random() < 0.3 else
                         start + pd.Timedelta(days=length)})
    control = pd.DataFrame(rows).astype({"start": "datetime64[s]", "end": "datetime64[s]"})
    days = [base + pd.Timedelta(days=d) for d in range(-2, 70, 3)]
    pairs = pd.MultiIndex.from_product([pd.DatetimeIndex(days), list("abcdefz")],
                                       names=["day", "place"])
    found = holder_since_days(control, pairs)
    checked = 0
    for (day, place), since in found.items():
        expected = _walked_since(control, place, day) if place != "z" else pd.NaT
        assert (pd.isna(since) and pd.isna(expected)) or since == expected, (day, place)
        checked += pd.notna(since)
    assert checked > 20  # the walk found real runs, not only NaT
    one = holder_since(control, list("abc"), days[10])
    assert one.equals(found.xs(days[10], level="day").loc[list("abc")]
                      .rename_axis("place").astype("datetime64[s]"))
