"""The dated record: kinds of figures, how exact dates are, the rubric's columns."""

from __future__ import annotations

import pandas as pd
import pytest

from geomap.actors import ACTORS
from geomap.schema import DISPLACEMENT_KINDS, ROW
from geomap.validate.checks import validate_control, validate_displacement


def _rows(records: list[dict]) -> pd.DataFrame:
    """A raw frame as load.read_layer returns it: strings and 1-based row numbers."""
    frame = pd.DataFrame(records).astype("string")
    frame[ROW] = range(1, len(frame) + 1)
    return frame


FIGURE = {"area": "T01", "people": "120", "date": "2025-01-15", "assessment": "r1"}
RECORD = {"area": "alpha", "actor": "m23", "start": "2025-01-21", "end": "",
          "confidence": "assessed", "source": "s", "url": "https://example.org"}


@pytest.mark.parametrize(("written", "kind"), [
    ("idps", "idps"), ("IDPs", "idps"), (" PDI ", "idps"), ("Déplacés", "idps"),
    ("Mobile population", "mobile-population"), ("refugees", "refugees"),
    ("Retournés", "returnees"), ("new-displacement", "new-displacement"),
    ("", "idps"),
])
def test_displacement_kind_is_read_as_one_of_the_closed_list(written, kind):
    """Spellings of a kind map onto the closed list; an empty kind counts IDPs."""
    clean, rejects = validate_displacement(_rows([dict(FIGURE, kind=written)]))
    assert rejects.empty
    assert clean["kind"].tolist() == [kind]
    assert kind in DISPLACEMENT_KINDS


def test_a_file_without_kind_counts_idps():
    """A publisher's file with no kind column is a file of IDPs."""
    clean, _ = validate_displacement(_rows([FIGURE]))
    assert clean["kind"].tolist() == ["idps"]


@pytest.mark.parametrize(("written", "fragment"), [
    ("households", "unknown kind 'households'"),
    ("idp's", "nearest: ['idps']"),
    ("refugee+returnees", "expected one of ['idps', 'refugees'"),
])
def test_an_unknown_kind_is_rejected_with_the_list(written, fragment):
    """A figure of an unknown kind cannot be kept apart from the others: rejected."""
    records = [FIGURE, dict(FIGURE, kind=written), FIGURE]
    clean, rejects = validate_displacement(_rows(records))
    assert clean[ROW].tolist() == [1, 3]
    assert rejects[["row", "column"]].values.tolist() == [[2, "kind"]]
    assert fragment in rejects["reason"].iloc[0]


@pytest.mark.parametrize(("date", "given", "precision"), [
    ("2025-03", "", "month"), ("2025-03", "day", "month"), ("2025", "", "year"),
    ("2025-03-31", "", "day"), ("2025-03-31", "approximate", "approximate"),
])
def test_a_month_date_keeps_its_precision(date, given, precision):
    """'2025-03' is read as the 1st of March and stays known as a month only."""
    clean, rejects = validate_displacement(_rows([dict(FIGURE, date=date,
                                                       date_precision=given)]))
    assert rejects.empty
    assert clean["date_precision"].tolist() == [precision]
    assert clean["date"].iloc[0] == pd.Timestamp(date if len(date) > 7 else
                                                 f"{date}-01" if len(date) == 7
                                                 else f"{date}-01-01")


def test_control_dates_carry_their_precision():
    """Start and end precisions are read; an empty date has no precision."""
    records = [dict(RECORD, start_precision="range"),
               dict(RECORD, start="2025-12-10", start_precision="Approximate",
                    end="2026-01-17", end_precision="range"),
               dict(RECORD, start="", end="2025-01-19", end_precision="range"),
               dict(RECORD, start="2024-03-08", start_precision="bound"),
               dict(RECORD, start="2026-01-16", end="2026-01-17",
                    end_precision="last-reported")]
    clean, rejects = validate_control(_rows(records))
    assert rejects.empty
    assert clean["start_precision"].tolist() == ["range", "approximate", pd.NA, "bound",
                                                 "day"]
    assert clean["end_precision"].tolist() == [pd.NA, "range", "range", pd.NA,
                                               "last-reported"]


@pytest.mark.parametrize(("change", "column", "fragment"), [
    ({"start_precision": "roughly"}, "start_precision", "unknown date precision"),
    ({"end": "2025-02-01", "end_precision": "days"}, "end_precision", "nearest"),
    ({"source_kind": "blog"}, "source_kind", "unknown source kind 'blog'"),
    ({"sources_count": "two"}, "sources_count", "whole number"),
    ({"sources_count": "-1"}, "sources_count", "whole number"),
    ({"source_date": "last week"}, "source_date", "unparseable date"),
], ids=["precision", "end-precision", "source-kind", "count-text", "count-negative",
        "source-date"])
def test_bad_rubric_columns_are_rejected(change, column, fragment):
    """A bad precision, source kind, count or source date rejects its row only."""
    records = [RECORD, {**RECORD, **change}, RECORD]
    clean, rejects = validate_control(_rows(records))
    assert clean[ROW].tolist() == [1, 3]
    hit = rejects.loc[rejects["column"] == column]
    assert hit["row"].tolist() == [2]
    assert fragment in hit["reason"].iloc[0]


def test_rubric_columns_are_typed():
    """sources_count is a whole number, source_date a date, source_kind a choice."""
    clean, _ = validate_control(_rows([dict(RECORD, source_kind="UN", sources_count="1",
                                            source_date="2025-01-22")]))
    assert clean["source_kind"].tolist() == ["UN"]
    assert clean["sources_count"].tolist() == [1]
    assert clean["source_date"].tolist() == [pd.Timestamp("2025-01-22")]


@pytest.mark.parametrize(("written", "actor"), [
    ("eacrf", "eacrf"), ("EAC Regional Force", "eacrf"), ("rdf", "rdf"),
])
def test_the_regional_force_and_the_rwandan_army_are_known_actors(written, actor,
                                                                   recwarn):
    """eacrf and rdf have a name and a colour of their own: no unknown-actor warning."""
    clean, _ = validate_control(_rows([dict(RECORD, actor=written)]))
    assert clean["actor"].tolist() == [actor]
    assert ACTORS[actor].label != actor
    assert not [w for w in recwarn if "does not know" in str(w.message)]


def test_many_unknown_actors_are_named_in_a_bounded_warning():
    """A file of 3,000 made-up holders (long names) warns in one short line: the
    first ten, cut, and how many more (it printed every id, 100 kB)."""
    from geomap.errors import UnknownActorWarning

    records = [dict(RECORD, actor=f"group {i:04d} " + "x" * 200) for i in range(3000)]
    with pytest.warns(UnknownActorWarning) as caught:
        clean, _ = validate_control(_rows(records))
    message = str(caught[0].message)
    assert len(clean) == 3000  # kept, with a colour of their own
    assert "3,000 actor(s)" in message
    assert "… and 2,990 more" in message
    assert "group-0000" in message  # as slugged
    assert "group-0010" not in message
    assert len(message) < 1200
    assert "\n" not in message


@pytest.mark.parametrize("written", ["0000-01-01", "0001-01-01", "1799-12-31",
                                     "2201-01-01"])
def test_a_date_out_of_range_is_a_reject_not_a_crash(written):
    """Year 0 or 1 (a spreadsheet's zero date) parsed, then crashed the summaries
    (pandas timestamps end in 2262): such a figure or record is a reject with its
    reason."""
    clean, rejects = validate_displacement(_rows([dict(FIGURE, date=written), FIGURE]))
    assert len(clean) == 1
    assert rejects["reason"].tolist() == [
        "date out of range; expected a day from 1800-01-01 to 2200-12-31"]
    clean, rejects = validate_control(_rows([dict(RECORD, start=written), RECORD]))
    assert len(clean) == 1
    assert rejects["column"].tolist() == ["start"]
