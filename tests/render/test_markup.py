"""Dates as the page and the tables write them."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from geomap.render.markup import fmt_date

DAYS = [pd.Timestamp("2025-01-27 18:30"), pd.Timestamp("2025-03-01"),
        pd.Timestamp("2025-01-02 23:00", tz="Africa/Lubumbashi"),
        pd.Timestamp(np.datetime64("0999-12-31", "s")),
        pd.Timestamp(np.datetime64("1000-01-01", "s")),
        pd.Timestamp(np.datetime64("9999-12-31", "s")),
        np.datetime64("2025-02-20T10:00"), datetime.date(2025, 6, 30),
        datetime.datetime(2025, 6, 30, 23, 59), "2025-02-03"]


@pytest.mark.parametrize("value", DAYS, ids=str)
def test_a_date_is_written_as_strftime_writes_it(value: object):
    """Timestamps written from their fields read as ``%Y-%m-%d`` writes them, for
    every kind of date and every year (a year before 1000 keeps strftime's form)."""
    assert fmt_date(value) == pd.Timestamp(value).strftime("%Y-%m-%d")


def test_the_fields_are_those_of_the_timestamp():
    """A time late in the day or in another zone keeps its own calendar day."""
    assert fmt_date(pd.Timestamp("2025-01-02 23:00", tz="Africa/Lubumbashi")) \
        == "2025-01-02"
    assert fmt_date(pd.Timestamp("2025-12-31 23:59:59")) == "2025-12-31"


@pytest.mark.parametrize("value", [None, pd.NaT, float("nan"), pd.NA,
                                   np.datetime64("NaT")], ids=repr)
def test_a_missing_date_is_empty(value: object):
    """A missing date of any kind is written as nothing."""
    assert fmt_date(value) == ""
