"""Freshness policies: how long each landing folder may go without delivering.

A landing asset counts as updated when a refresh finds new files in its folder (the
load step reports a materialization of ``landing/<source>/<object>`` then), so the
policy reads "the landing zone has not delivered for N hours". Windows follow the
vendors' delivery rhythm: ad platforms, Segment and SendGrid export at least daily,
the CRM export runs daily on business days, and the ECB publishes on TARGET business
days only (a long weekend is four days without a file).

Dagster evaluates freshness policies when ``freshness: enabled: true`` is set in
``dagster.yaml`` (``journey`` writes it into a new DAGSTER_HOME) and shows the state
on each landing asset in the UI.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

# (warn after, fail after) hours without a delivery, per source.
FRESHNESS_HOURS: dict[str, tuple[int, int]] = {
    "google_ads": (26, 48),
    "meta_ads": (26, 48),
    "linkedin_ads": (26, 48),
    "segment": (26, 48),
    "sendgrid": (26, 48),
    "salesforce": (26, 96),
    "fx": (50, 100),
}


def landing_freshness_policy(source: str) -> dg.FreshnessPolicy:
    warn, fail = FRESHNESS_HOURS[source]
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(hours=fail), warn_window=timedelta(hours=warn)
    )
