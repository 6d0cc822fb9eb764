"""The mart suites (the plausibility bands) on a hand-made warehouse: each check passes
on the clean marts and warns on a poisoned one, with the bad value among its failing
examples. The row-level rules of the marts are dbt tests, poisoned in
``tests/dbt/test_quality_checks.py``.

The warehouse holds only schema ``marts`` with the columns the checks read, with
numbers small enough to check by hand:

* mart_marketing_daily: 40 clicks / 3,000 impressions = 1.33% overall CTR;
* mart_email_campaigns: 90 unique opens / 300 delivered = 30% overall open rate;
* fct_attribution: web tracking starts 2026-01-10. Since then, deal d2 (300, no
  touchpoint, Unattributed) and deal d3 (700, two sessions): 30% Unattributed in every
  model. Before it, deal d1 (13,000) is Unattributed, so over all time the share is
  13,300 / 14,000 = 95%, which must not count.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from quality.marts import (
    OVERALL_CTR_WITHIN_PLAUSIBLE_BAND,
    OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND,
    UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD,
    mart_suites,
)
from quality.model import CheckContext, CheckResult, Failure, Severity

CLEAN_WAREHOUSE_SQL = """
create schema marts;

create table marts.mart_marketing_daily (
    date date, channel varchar, campaign_id varchar,
    impressions hugeint, clicks hugeint, spend decimal(18, 6), ctr double
);
insert into marts.mart_marketing_daily values
    ('2026-01-10', 'Paid Search', 'g1', 1000, 30, 45.00, 0.03),
    ('2026-01-10', 'Paid Social', 'm1', 2000, 10, 20.00, 0.005),
    ('2026-01-10', 'Direct', null, 0, 0, 0, null),
    ('2026-01-11', 'Email', 'e1', 0, 0, 0, null);

create table marts.mart_email_campaigns (
    campaign_id varchar, campaign_name varchar,
    delivered bigint, unique_opens bigint, unique_clicks bigint,
    open_rate double, click_rate double, click_to_open double
);
insert into marts.mart_email_campaigns values
    ('c1', 'Welcome', 100, 40, 10, 0.4, 0.1, 0.25),
    ('c2', 'Webinar', 200, 50, 5, 0.25, 0.025, 0.1),
    ('c3', 'Draft', 0, 0, 0, null, null, null);

create table marts.fct_customer_journey (
    activity_id varchar, activity_type varchar, activity_ts timestamp, channel varchar
);
insert into marts.fct_customer_journey values
    ('a1', 'web_session', '2026-01-10 08:00:00', 'Paid Search'),
    ('a2', 'web_session', '2026-01-12 09:00:00', 'Email'),
    ('a3', 'email_opened', '2026-01-12 08:55:00', 'Email'),
    ('a4', 'deal_won', '2025-06-30 00:00:00', null);

create table marts.fct_attribution (
    conversion_type varchar, conversion_id varchar, model varchar, session_id varchar,
    channel varchar, credit double, attributed_revenue double,
    session_started_at timestamp, window_anchor_at timestamp
);
insert into marts.fct_attribution values
    ('deal_won', 'd1', 'linear', null, 'Unattributed', 1, 13000,
        null, '2025-06-01 10:00:00'),
    ('deal_won', 'd1', 'first_touch', null, 'Unattributed', 1, 13000,
        null, '2025-06-01 10:00:00'),
    ('deal_won', 'd2', 'linear', null, 'Unattributed', 1, 300,
        null, '2026-01-10 05:00:00'),
    ('deal_won', 'd2', 'first_touch', null, 'Unattributed', 1, 300,
        null, '2026-01-10 05:00:00'),
    ('deal_won', 'd3', 'linear', 's1', 'Paid Search', 0.5, 350,
        '2026-01-10 08:00:00', '2026-02-01 10:00:00'),
    ('deal_won', 'd3', 'linear', 's2', 'Email', 0.5, 350,
        '2026-01-12 09:00:00', '2026-02-01 10:00:00'),
    ('deal_won', 'd3', 'first_touch', 's1', 'Paid Search', 1, 700,
        '2026-01-10 08:00:00', '2026-02-01 10:00:00'),
    ('deal_won', 'd3', 'first_touch', 's2', 'Email', 0, 0,
        '2026-01-12 09:00:00', '2026-02-01 10:00:00'),
    ('lead', 'l1', 'linear', 's1', 'Paid Search', 1, 0,
        '2026-01-10 08:00:00', '2026-01-10 08:30:00'),
    ('lead', 'l1', 'first_touch', 's1', 'Paid Search', 1, 0,
        '2026-01-10 08:00:00', '2026-01-10 08:30:00');
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute(CLEAN_WAREHOUSE_SQL)
    return path


def poison(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute(sql)


def results_of(path: Path, mart: str) -> dict[str, CheckResult]:
    [suite] = [s for s in mart_suites() if s.asset == ("marts", mart)]
    with duckdb.connect(str(path), read_only=True) as conn:
        return suite.run(conn, CheckContext())


def check(path: Path, mart: str, name: str) -> CheckResult:
    return results_of(path, mart)[name]


def failure(result: CheckResult, starts_with: str) -> Failure:
    assert not result.passed, result.summary
    found = [f for f in result.failures if f.expectation.startswith(starts_with)]
    assert found, [f.expectation for f in result.failures]
    return found[0]


def all_specs() -> Iterator[tuple[str, str]]:
    for suite in mart_suites():
        for spec in suite.specs:
            yield spec.asset[1], spec.name


# -- the whole set ---------------------------------------------------------------------


def test_one_suite_per_mart_with_a_plausible_band_and_only_warnings() -> None:
    """What a single row can break is a dbt test; what is left here are the totals,
    and a total outside its band is a warning."""
    specs = {
        (suite.asset[1], spec.name): spec.severity
        for suite in mart_suites()
        for spec in suite.specs
    }
    assert specs == {
        ("mart_marketing_daily", OVERALL_CTR_WITHIN_PLAUSIBLE_BAND): Severity.WARNING,
        ("mart_email_campaigns", OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND): Severity.WARNING,
        ("fct_attribution", UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD): Severity.WARNING,
    }


@pytest.mark.parametrize(("mart", "name"), list(all_specs()))
def test_every_check_passes_on_the_clean_marts(warehouse: Path, mart: str, name: str) -> None:
    result = check(warehouse, mart, name)
    assert result.passed, result.summary
    assert result.failures == ()


# -- mart_marketing_daily --------------------------------------------------------------


@pytest.mark.parametrize(
    ("impressions", "overall_ctr"),
    [
        (75, 40 / 150),  # impressions lost: 26.7%
        (1_000_000, 40 / 2_000_000),  # impressions counted many times: 0.002%
    ],
)
def test_implausible_overall_ctr_warns(
    warehouse: Path, impressions: int, overall_ctr: float
) -> None:
    poison(
        warehouse,
        f"update marts.mart_marketing_daily set impressions = {impressions}, "
        f"ctr = clicks / {impressions} where impressions > 0",
    )
    result = check(warehouse, "mart_marketing_daily", OVERALL_CTR_WITHIN_PLAUSIBLE_BAND)
    broken = failure(result, "ad CTR is between 0.05% and 20%")
    assert broken.unexpected_count == 1
    assert broken.examples[0]["overall_ctr"] == pytest.approx(overall_ctr)
    assert result.metadata["overall_ctr"] == pytest.approx(overall_ctr)


def test_overall_ctr_without_impressions_is_not_judged(warehouse: Path) -> None:
    poison(warehouse, "delete from marts.mart_marketing_daily where impressions > 0")
    result = check(warehouse, "mart_marketing_daily", OVERALL_CTR_WITHIN_PLAUSIBLE_BAND)
    assert result.passed
    assert result.summary.startswith("nothing to judge yet")


# -- mart_email_campaigns --------------------------------------------------------------


def test_implausible_overall_open_rate_warns(warehouse: Path) -> None:
    # 3 unique opens of 300 delivered: 1%.
    poison(
        warehouse,
        "update marts.mart_email_campaigns set unique_opens = delivered / 100, "
        "open_rate = 0.01, click_to_open = null where delivered > 0",
    )
    result = check(warehouse, "mart_email_campaigns", OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND)
    broken = failure(result, "email open rate is between 5% and 90%")
    assert broken.unexpected_count == 1
    assert broken.examples[0]["overall_open_rate"] == pytest.approx(0.01)


# -- fct_attribution -------------------------------------------------------------------


def test_unattributed_share_counts_only_deals_since_web_tracking(warehouse: Path) -> None:
    result = check(warehouse, "fct_attribution", UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD)
    assert result.passed, result.summary
    assert result.metadata["web_period_start"] == "2026-01-10"
    assert result.metadata["unattributed_revenue_share_by_model"] == {
        "first_touch": 0.3,
        "linear": 0.3,
    }
    assert result.metadata["unattributed_revenue_share_before_web_period_by_model"] == {
        "first_touch": 1.0,
        "linear": 1.0,
    }


def test_unattributed_share_of_80_percent_since_web_tracking_warns(warehouse: Path) -> None:
    # d2 now 2,800 of 3,500 won since 2026-01-10.
    poison(
        warehouse,
        "update marts.fct_attribution set attributed_revenue = 2800 where conversion_id = 'd2'",
    )
    result = check(warehouse, "fct_attribution", UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD)
    broken = failure(result, "Unattributed revenue share is at most 75%")
    assert broken.unexpected_count == 2  # both models
    assert {e["key_model"]: e["unattributed_revenue_share"] for e in broken.examples} == {
        "first_touch": pytest.approx(0.8),
        "linear": pytest.approx(0.8),
    }
    assert "2 model(s) break it" in result.summary


def test_unattributed_share_without_web_sessions_is_not_judged(warehouse: Path) -> None:
    poison(warehouse, "delete from marts.fct_customer_journey where activity_type = 'web_session'")
    result = check(warehouse, "fct_attribution", UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD)
    assert result.passed
    assert result.summary.startswith("nothing to judge yet")


def test_unattributed_share_falls_back_to_credited_sessions_without_the_journey(
    warehouse: Path,
) -> None:
    poison(warehouse, "drop table marts.fct_customer_journey")
    result = check(warehouse, "fct_attribution", UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD)
    assert result.passed, result.summary
    assert result.metadata["web_period_start"] == "2026-01-10"
    assert result.metadata["first_web_session_source"].startswith("marts.fct_attribution")


# -- what is not there yet -------------------------------------------------------------


def test_a_missing_mart_fails_its_check_with_a_clear_reason(warehouse: Path) -> None:
    poison(warehouse, "drop table marts.mart_email_campaigns")
    result = check(warehouse, "mart_email_campaigns", OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND)
    assert not result.passed
    assert "marts.mart_email_campaigns does not exist" in result.summary
    assert result.failures[0].unexpected_count is None


def test_a_missing_column_fails_the_check_that_reads_it(warehouse: Path) -> None:
    poison(warehouse, "alter table marts.mart_marketing_daily drop column clicks")
    result = check(warehouse, "mart_marketing_daily", OVERALL_CTR_WITHIN_PLAUSIBLE_BAND)
    assert not result.passed
    assert "clicks" in result.summary
    assert result.summary.startswith("not checked")
