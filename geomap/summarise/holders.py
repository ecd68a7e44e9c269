"""How old the newest control record is, against the as-of date of a build."""

from __future__ import annotations

import warnings

import pandas as pd

from geomap.errors import GeomapWarning

STALE_DAYS = 30
"""An as-of date more than this many days after the newest record is flagged."""


class StaleDateWarning(GeomapWarning):
    """The as-of date lies well after the newest control record."""


def latest_record(control: pd.DataFrame) -> pd.Timestamp | None:
    """The newest start or end date of the control records (None without any).

    A record dated after the as-of date still says what was known: a holder whose
    record runs on past the as-of date held the place on it.
    """
    dates = pd.concat([control["start"], control["end"]]).dropna()
    return pd.Timestamp(dates.max()) if len(dates) else None


def check_as_of(control: pd.DataFrame, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """Warn when *as_of* lies more than :data:`STALE_DAYS` after the newest record.

    Returns
    -------
    Timestamp or None
        The newest record's date when the as-of date is stale (for "latest record:
        D" beside the date on every output), else None.
    """
    newest = latest_record(control)
    if newest is None or (as_of - newest).days <= STALE_DAYS:
        return None
    warnings.warn(f"Control as of {as_of:%Y-%m-%d}, but the newest control record is "
                  f"dated {newest:%Y-%m-%d} ({(as_of - newest).days:,} days earlier): "
                  "the outputs show the last holders on record, not a current picture; "
                  "they say 'latest record' beside the date.", StaleDateWarning,
                  stacklevel=2)
    return newest
