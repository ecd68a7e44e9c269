"""Dated events: read and checked, optional, found near a date, beside the handovers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geomap.cli import main
from geomap.config import BuildConfig, read_config
from geomap.dates import parse_dates
from geomap.errors import SourceError
from geomap.pipeline import load_layers
from geomap.schema import ROW
from geomap.summarise.events import (
    events_between,
    events_near,
    summarise_events,
)
from geomap.summarise.handovers import holders_on, list_handovers
from geomap.validate.events import validate_events

from .conftest import write_csv

HEADER = ["date", "end", "date_precision", "kind", "title", "place", "pcode", "source",
          "url", "note", "license"]
EVENTS = [
    ("2025-01-20", "", "day", "talks", "Talks in Luanda", "Luanda", "", "AFP",
     "https://example.org/1", "", "Fact cited"),
    ("2025-02", "", "", "agreement", "Framework signed", "Doha", "", "Reuters",
     "https://example.org/2", "", "Fact cited"),
    ("2025-03-10", "2025-03-12", "approximate", "mechanism", "Mission to Alpha", "Alpha",
     "t01", "UN", "https://example.org/3", "", "Fact cited"),
]


def _raw(rows: list[tuple], header: list[str] = HEADER) -> pd.DataFrame:
    """A raw events frame as read_layer gives it."""
    frame = pd.DataFrame(rows, columns=header).astype("string")
    frame[ROW] = range(1, len(frame) + 1)
    return frame


def _events() -> pd.DataFrame:
    """The three good events, validated."""
    return validate_events(_raw(EVENTS))[0]


def test_good_events_are_kept_typed_and_sorted():
    """Dates parse, a month-only date stays a month, P-codes are upper case."""
    events, rejects = validate_events(_raw(list(reversed(EVENTS))))
    assert rejects.empty
    assert events["title"].tolist() == ["Talks in Luanda", "Framework signed",
                                        "Mission to Alpha"]
    assert events["date_precision"].tolist() == ["day", "month", "approximate"]
    assert events["end"].iloc[2] == pd.Timestamp("2025-03-12")
    assert events["pcode"].iloc[2] == "T01"


@pytest.mark.parametrize(("change", "column", "fragment"), [
    ({"date": "20/01/2025"}, "date", "unparseable date"),
    ({"date": ""}, "date", "missing date"),
    ({"end": "2025-01-19"}, "end", "last day is before the first day"),
    ({"end": "soon"}, "end", "unparseable date"),
    ({"kind": "summit"}, "kind", "unknown event kind 'summit'"),
    ({"title": "  "}, "title", "missing title"),
    ({"date_precision": "roughly"}, "date_precision", "unknown date precision"),
], ids=["bad-date", "no-date", "end-before", "bad-end", "kind", "title", "precision"])
def test_bad_events_are_rejected_with_row_and_reason(change, column, fragment):
    """Each bad event goes to rejects with its row; the others are kept."""
    bad = dict(zip(HEADER, EVENTS[0], strict=True)) | change
    events, rejects = validate_events(_raw([EVENTS[1], tuple(bad.values()), EVENTS[2]]))
    assert events[ROW].tolist() == [1, 3]
    hit = rejects.loc[rejects["column"] == column]
    assert hit["row"].tolist() == [2]
    assert fragment in hit["reason"].iloc[0]
    assert set(rejects["layer"]) == {"events"}


def test_an_event_without_kind_is_other():
    """A file with no kind column still reads: every event is 'other'."""
    header = ["date", "title"]
    events, rejects = validate_events(_raw([("2025-01-01", "A")], header))
    assert rejects.empty
    assert events["kind"].tolist() == ["other"]


def test_events_are_optional(shapes_dir: Path):
    """A shapes folder without events.csv builds without events, not an error."""
    assert not (shapes_dir / "events.csv").exists()
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-03-01"),
                                     shapes_dir=shapes_dir))
    assert layers.events is not None
    assert layers.events.empty
    table, nearby = summarise_events(layers.events, pd.DataFrame())
    assert table.empty
    assert nearby.empty


def test_events_file_in_shapes_is_read_and_cited(shapes_dir: Path):
    """shapes/events.csv is read by default; its sources join the sources list."""
    write_csv(shapes_dir / "events.csv", HEADER, EVENTS)
    layers = load_layers(BuildConfig(date=pd.Timestamp("2025-03-01"),
                                     shapes_dir=shapes_dir))
    assert layers.events["title"].tolist()[0] == "Talks in Luanda"
    assert ("Reuters", "https://example.org/2", "Fact cited") in layers.sources


def test_events_given_in_geomap_toml(shapes_dir: Path, tmp_path: Path):
    """[inputs] events = FILE in geomap.toml names the events file."""
    write_csv(tmp_path / "milestones.csv", HEADER, EVENTS[:1])
    config_file = tmp_path / "geomap.toml"
    config_file.write_text('date = "2025-03-01"\n[inputs]\nevents = "milestones.csv"\n')
    settings = read_config(config_file)
    assert settings["inputs"]["events"] == tmp_path / "milestones.csv"
    layers = load_layers(BuildConfig(**settings, shapes_dir=shapes_dir))
    assert layers.events["title"].tolist() == ["Talks in Luanda"]


def test_events_option_errors_are_one_line(shapes_dir: Path, tmp_path: Path):
    """--events with every row bad, or a missing file: exit 1 and one line."""
    bad = write_csv(tmp_path / "bad.csv", ["date", "title"], [("31/12/2024", "X")])
    for given, fragment in ((bad, "events"), (tmp_path / "none.csv", "does not exist")):
        result = CliRunner().invoke(main, ["build", "--shapes-dir", str(shapes_dir),
                                           "--events", str(given), "--out",
                                           str(tmp_path / "out"), "--quiet"])
        assert result.exit_code == 1, result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert fragment in lines[0]
        assert "Traceback" not in result.output
        assert not (tmp_path / "out" / "map.html").exists()


def test_acled_is_not_the_events_layer(shapes_dir: Path, tmp_path: Path):
    """A conflict-events file (ACLED) given as events is refused, with the reason."""
    from geomap.load.inputs import read_input

    acled = tmp_path / "acled.json"
    acled.write_text(json.dumps({"data": [{"event_id_cnty": "COD1", "event_date":
                                           "2025-01-01", "admin1": "Nord-Kivu"}]}))
    config = BuildConfig(date=pd.Timestamp("2025-03-01"), shapes_dir=shapes_dir,
                         inputs={"events": "acled"}, offline=True)
    with pytest.raises(SourceError, match="conflict events"):
        read_input(config, "events")


def test_events_between_and_near():
    """An event counts when any of its days falls in the window."""
    events = _events()
    march = events_between(events, pd.Timestamp("2025-03-12"), pd.Timestamp("2025-03-31"))
    assert march["title"].tolist() == ["Mission to Alpha"]  # its last day is the 12th
    assert events_between(events, pd.Timestamp("2025-03-13"),
                          pd.Timestamp("2025-03-31")).empty
    near = events_near(events, pd.Timestamp("2025-01-22"), days=7)
    assert near["title"].tolist() == ["Talks in Luanda"]
    assert events_near(events, pd.Timestamp("2025-01-27"), days=7)["title"].tolist() == [
        "Talks in Luanda", "Framework signed"]
    assert events_near(events, pd.Timestamp("2025-01-28"), days=3).empty
    # known only to its month, the framework spans February
    assert events_between(events, pd.Timestamp("2025-02-20"), pd.Timestamp(
        "2025-02-25"))["title"].tolist() == ["Framework signed"]


def _control(rows: list[tuple]) -> pd.DataFrame:
    """Linked control records: place, actor, start, end, confidence, precisions."""
    frame = pd.DataFrame(rows, columns=["place", "actor", "start", "end", "confidence",
                                        "start_precision", "end_precision"])
    for side in ("start", "end"):
        frame[side] = parse_dates(frame[side].astype("string"))
    return frame.assign(source="s", url="https://example.org", note=None)


PLACES = pd.DataFrame({"place": ["numbi", "kibati", "alpha"],
                       "name": ["Numbi", "Kibati", "Alpha"]})


def test_handovers_fold_the_days_left_open_into_a_range():
    """FARDC to 19 Jan, nothing on 19-20 Jan, M23 from 21 Jan: one ranged handover."""
    control = _control([
        ("numbi", "fardc", "", "2025-01-19", "assessed", None, "range"),
        ("numbi", "m23", "2025-01-21", "", "assessed", "range", None),
    ])
    handovers = list_handovers(control, PLACES)
    assert len(handovers) == 1
    row = handovers.iloc[0]
    assert (row["actor_before"], row["actor_after"]) == ("fardc", "m23")
    assert row["changed_on"] == pd.Timestamp("2025-01-21")
    assert row["changed_on_text"] == "19–21 January 2025"


def test_range_dates_span_only_days_no_record_covers():
    """A range runs to the neighbouring record across days no record of the place
    covers; where another record is in force in the gap it stays one date; a record
    with no place gets no text."""
    from geomap.dates import describe_date
    from geomap.summarise.handovers import describe_control_dates

    control = _control([
        ("numbi", "fardc", "", "2025-01-19", "assessed", None, "range"),
        ("numbi", "m23", "2025-01-21", "", "assessed", "range", None),
        ("kibati", "fardc", "", "2025-01-19", "assessed", None, "range"),
        ("kibati", "wazalendo", "2025-01-18", "2025-01-22", "assessed", None, None),
        ("kibati", "m23", "2025-01-21", "", "assessed", "range", None),
        (None, "m23", "2025-01-21", "", "assessed", "range", None),
    ])
    texts = describe_control_dates(control)
    assert texts["end_text"].iloc[0] == texts["start_text"].iloc[1] == \
        "19–21 January 2025"
    day = pd.Timestamp
    assert texts["end_text"].iloc[2] == describe_date(day("2025-01-19"), "range")
    assert texts["start_text"].iloc[4] == describe_date(day("2025-01-21"), "range")
    assert texts["start_text"].iloc[4] != "19–21 January 2025"
    assert texts.iloc[5].tolist() == ["", ""]
    assert texts.index.equals(control.index)


def test_since_and_changed_on_texts_come_from_the_record_starting_that_day():
    """'since' reads the start of the place's record on that day (the last such
    record when two start together), a change the start of the new holder's record;
    no date, no text; a day no record starts on has none to read."""
    from geomap.summarise.handovers import (
        add_changed_on_text,
        add_since_text,
        with_date_texts,
    )

    control = with_date_texts(_control([
        ("numbi", "fardc", "", "2025-01-19", "assessed", None, "range"),
        ("numbi", "m23", "2025-01-21", "", "assessed", "range", None),
        ("kibati", "m23", "2025-03-13", "", "assessed", "day", None),
        ("kibati", "fardc", "2025-03-13", "", "contested", "approximate", None),
    ]))
    day = pd.Timestamp
    areas = pd.DataFrame({"place": ["numbi", "kibati", "alpha", "numbi"],
                          "since": [day("2025-01-21"), day("2025-03-13"), pd.NaT,
                                    day("2025-02-01")], "people": 1})
    table = add_since_text(areas, control)
    assert list(table.columns) == ["place", "since", "since_precision", "since_text",
                                   "people"]
    assert table["since_text"].tolist()[:3] == ["19–21 January 2025",
                                                "about 13 March 2025", ""]
    assert table["since_precision"].tolist()[:2] == ["range", "approximate"]
    assert table[["since_precision", "since_text"]].iloc[[2, 3]].isna().values.tolist() \
        == [[True, False], [True, True]]
    changes = pd.DataFrame({"place": ["kibati"], "changed_on": [day("2025-03-13")],
                            "actor_after": ["m23"]})
    changed = add_changed_on_text(changes, control)
    assert changed[["changed_on_precision", "changed_on_text"]].values.tolist() == [
        ["day", "13 March 2025"]]


def test_a_withdrawal_and_return_stay_two_handovers():
    """M23 leaves (about 26 Apr), no record, M23 again (a bound): two handovers."""
    control = _control([
        ("kibati", "m23", "2025-03-13", "2025-04-26", "assessed", "approximate",
         "approximate"),
        ("kibati", "m23", "2025-08-14", "", "assessed", "bound", None),
    ])
    handovers = list_handovers(control, PLACES)
    assert handovers["actor_before"].fillna("").tolist() == ["", "m23", ""]
    assert handovers["actor_after"].fillna("").tolist() == ["m23", "", "m23"]
    assert handovers["changed_on_text"].tolist() == [
        "about 13 March 2025", "about 26 April 2025",
        "14 August 2025 (a limit, not the day)"]


def test_two_actors_at_once_is_a_handover_to_contested():
    """A second actor's record in force makes the place contested from that day."""
    control = _control([
        ("alpha", "m23", "2025-01-01", "", "assessed", None, None),
        ("alpha", "wazalendo", "2025-03-01", "", "contested", None, None),
    ])
    handovers = list_handovers(control, PLACES)
    assert handovers["actor_after"].tolist() == ["m23", "contested"]
    assert handovers["actor_after_name"].tolist() == ["M23/AFC", "Contested"]


def test_holders_on_many_days_agree_with_the_holder_rule(bundled):
    """holders_on gives, day by day, what resolve_control gives for that day."""
    from geomap.actors import resolve_control

    days = [pd.Timestamp(day) for day in ("2023-10-07", "2025-01-20", "2025-12-20",
                                          "2026-01-17", "2026-03-01")]
    places = sorted(set(bundled.control["place"]))
    pairs = pd.DataFrame([(place, day) for day in days for place in places],
                         columns=["place", "day"])
    held = holders_on(bundled.control, pairs)
    for day in days:
        expected = resolve_control(bundled.control, day)["actor"]
        got = held.loc[(pairs["day"] == day).to_numpy(), "actor"].set_axis(places)
        assert got.dropna().to_dict() == expected.to_dict(), day


def test_changes_near_each_event_are_listed_with_their_distance():
    """The alpha handover (27 Jan) is 7 days after the talks, 5 days before February."""
    control = _control([
        ("alpha", "fardc", "", "2025-01-27", "assessed", None, "day"),
        ("alpha", "m23", "2025-01-27", "", "assessed", "day", None),
    ])
    handovers = list_handovers(control, PLACES)
    table, nearby = summarise_events(_events(), handovers, days=7)
    assert table["date_text"].tolist() == ["20 January 2025", "February 2025",
                                           "about 10–12 March 2025"]
    assert table["changes_nearby"].tolist() == [
        "Alpha: FARDC → M23/AFC, 27 January 2025"] * 2 + [""]
    assert nearby[["event", "place", "days_from_event"]].values.tolist() == [
        [0, "alpha", 7], [1, "alpha", -5]]
    assert summarise_events(_events(), handovers, days=5)[1]["event"].tolist() == [1]
    assert summarise_events(_events(), handovers, days=4)[1].empty


def test_changes_near_an_event_are_by_day_then_name_and_zero_during_it():
    """The mission of 10-12 March: a change on the 11th is 0 days from it, two on
    the 13th are 1 day after its last day, listed by name; nothing pairs with the
    events of January and February a week either side."""
    control = _control([
        ("kibati", "fardc", "", "2025-03-13", "assessed", None, "day"),
        ("kibati", "m23", "2025-03-13", "", "assessed", "day", None),
        ("alpha", "fardc", "", "2025-03-13", "assessed", None, "day"),
        ("alpha", "m23", "2025-03-13", "", "assessed", "day", None),
        ("numbi", "m23", "2025-03-11", "", "assessed", "day", None),
    ])
    _, nearby = summarise_events(_events(), list_handovers(control, PLACES), days=7)
    assert nearby[["event", "place", "days_from_event"]].values.tolist() == [
        [2, "numbi", 0], [2, "alpha", 1], [2, "kibati", 1]]
    assert nearby["event_title"].tolist() == ["Mission to Alpha"] * 3


def test_events_table_in_french():
    """Dates and 'no record' follow the build's language."""
    control = _control([("alpha", "m23", "2025-01-27", "", "assessed", "day", None)])
    table, _ = summarise_events(_events(), list_handovers(control, PLACES, lang="fr"),
                                lang="fr")
    assert table["date_text"].tolist()[2] == "vers le 10–12 mars 2025"
    assert table["changes_nearby"].tolist()[0].startswith("Alpha\u00a0: aucun relevé → M23")
