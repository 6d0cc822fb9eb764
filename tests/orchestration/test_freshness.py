"""One freshness setting per raw table: the dbt source's, read by Dagster from the
manifest (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from ingestion.registry import RAW_TABLES, raw_table
from orchestration.quality.freshness import (
    SourceFreshness,
    freshness_from_manifest,
    landing_freshness_policy,
    table_freshness,
)


def test_windows_are_read_from_a_manifest() -> None:
    manifest = {
        "sources": {
            "source.p.a.t": {
                "source_name": "a",
                "name": "t",
                "freshness": {
                    "warn_after": {"count": 36, "period": "hour"},
                    "error_after": {"count": 3, "period": "day"},
                },
            },
            "source.p.a.u": {
                "source_name": "a",
                "name": "u",
                "freshness": {
                    "warn_after": {"count": 7, "period": "day"},
                    "error_after": {"count": None, "period": None},
                },
            },
            "source.p.b.v": {"source_name": "b", "name": "v", "freshness": None},
        }
    }
    found = freshness_from_manifest(manifest)
    assert found[("a", "t")] == SourceFreshness(timedelta(hours=36), timedelta(hours=72))
    assert found[("a", "u")] == SourceFreshness(timedelta(days=7), None)
    assert found[("b", "v")] == SourceFreshness(None, None)
    assert found[("a", "t")].describe() == "warn after 36 h, error after 3 days"
    assert found[("a", "u")].policy() is None


def test_every_raw_table_has_a_dbt_source_and_its_policy_follows_it() -> None:
    for table in RAW_TABLES:
        table_freshness(table)  # raises, naming the yml to edit, when missing

    google = landing_freshness_policy(raw_table("google_ads", "ad_stats"))
    assert isinstance(google, dg.FreshnessPolicy)
    # _google_ads__sources.yml: warn after 36 hours, error after 72.
    assert google.fail_window.to_timedelta() == timedelta(hours=72)
    assert google.warn_window.to_timedelta() == timedelta(hours=36)
    # LinkedIn campaign metadata arrives when it changes: a warning only, no policy.
    assert table_freshness(raw_table("linkedin_ads", "campaigns")) == SourceFreshness(
        timedelta(days=7), None
    )
    assert landing_freshness_policy(raw_table("linkedin_ads", "campaigns")) is None
