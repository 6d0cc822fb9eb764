"""The mart suites on a hand-made warehouse: each check passes on the clean marts and
fails on a poisoned one, with the bad value among its failing examples.

The warehouse holds only schema ``marts`` and ``seeds`` with the columns the checks
read, with numbers small enough to check by hand:

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
    CHANNELS_IN_SEED_LIST,
    CONVERSION_RATE_BETWEEN_0_AND_1,
    CREDIT_BETWEEN_0_AND_1,
    CTR_BETWEEN_0_AND_1,
    OPEN_AND_CLICK_RATES_BETWEEN_0_AND_1,
    OVERALL_CTR_WITHIN_PLAUSIBLE_BAND,
    OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND,
    SPEND_NOT_NEGATIVE,
    UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD,
    mart_suites,
)
from quality.model import CheckContext, CheckResult, Failure, Severity

CLEAN_WAREHOUSE_SQL = """
create schema seeds;
create schema marts;

create table seeds.channel_rules (priority integer, channel varchar);
insert into seeds.channel_rules values
    (1, 'Paid Search'), (1, 'Paid Search'), (2, 'Paid Social'), (3, 'Email'),
    (8, 'Direct'), (9, 'Other');

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

create table marts.mart_funnel (
    cohort_month date, stage varchar,
    persons hugeint, previous_stage_persons bigint, conversion_rate_from_previous double
);
insert into marts.mart_funnel values
    ('2026-01-01', 'visitor', 100, null, null),
    ('2026-01-01', 'lead', 20, 100, 0.2),
    ('2026-01-01', 'mql', 10, 20, 0.5);

create table marts.mart_channel_roi (
    month date, channel varchar, model varchar, spend decimal(18, 6)
);
insert into marts.mart_channel_roi values
    ('2026-01-01', 'Paid Search', 'linear', 45.00),
    ('2026-01-01', 'Unattributed', 'linear', 0);

create table marts.fct_customer_journey (
    activity_id varchar, activity_type varchar, activity_ts timestamp, channel varchar
);
insert into marts.fct_customer_journey values
    ('a1', 'web_session', '2026-01-10 08:00:00', 'Paid Search'),
    ('a2', 'web_session', '2026-01-12 09:00:00', 'Email'),
    ('a3', 'email_opened', '2026-01-12 08:55:00', 'Email'),
    ('a4', 'deal_won', '2025-06-30 00:00:00', null);

create table marts.dim_persons (person_id varchar, first_touch_channel varchar);
insert into marts.dim_persons values ('p1', 'Paid Search'), ('p2', null);

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


def test_one_suite_per_mart_with_named_checks_and_severities() -> None:
    specs = {
        (suite.asset, spec.name): spec.severity for suite in mart_suites() for spec in suite.specs
    }
    assert len({suite.asset for suite in mart_suites()}) == len(mart_suites())
    assert specs[(("marts", "mart_marketing_daily"), CTR_BETWEEN_0_AND_1)] is Severity.BLOCKING
    assert (
        specs[(("marts", "mart_marketing_daily"), OVERALL_CTR_WITHIN_PLAUSIBLE_BAND)]
        is Severity.WARNING
    )
    assert (
        specs[(("marts", "fct_attribution"), UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD)]
        is Severity.WARNING
    )
    for mart in (
        "fct_attribution",
        "mart_channel_roi",
        "mart_marketing_daily",
        "fct_customer_journey",
    ):
        assert specs[(("marts", mart), CHANNELS_IN_SEED_LIST)] is Severity.BLOCKING


@pytest.mark.parametrize(("mart", "name"), list(all_specs()))
def test_every_check_passes_on_the_clean_marts(warehouse: Path, mart: str, name: str) -> None:
    result = check(warehouse, mart, name)
    assert result.passed, result.summary
    assert result.failures == ()


# -- mart_marketing_daily --------------------------------------------------------------


def test_ctr_above_1_fails(warehouse: Path) -> None:
    poison(warehouse, "update marts.mart_marketing_daily set ctr = 1.5 where campaign_id = 'g1'")
    broken = failure(
        check(warehouse, "mart_marketing_daily", CTR_BETWEEN_0_AND_1), "ctr is between 0 and 1"
    )
    assert broken.unexpected_count == 1
    assert broken.examples[0]["ctr"] == 1.5
    assert broken.examples[0]["key_campaign_id"] == "g1"


def test_ctr_not_clicks_over_impressions_fails(warehouse: Path) -> None:
    # 0.3 is a possible CTR, but g1 had 30 clicks on 1,000 impressions: 0.03.
    poison(warehouse, "update marts.mart_marketing_daily set ctr = 0.3 where campaign_id = 'g1'")
    result = check(warehouse, "mart_marketing_daily", CTR_BETWEEN_0_AND_1)
    broken = failure(result, "ctr = clicks / impressions")
    assert len(result.failures) == 1
    assert broken.unexpected_count == 1
    assert broken.examples[0]["ctr"] == 0.3
    assert broken.examples[0]["ctr_from_counts"] == pytest.approx(0.03)


def test_ctr_of_0_without_impressions_fails(warehouse: Path) -> None:
    # A ratio with a zero denominator is null, never 0 (definitions §5).
    poison(warehouse, "update marts.mart_marketing_daily set ctr = 0 where channel = 'Direct'")
    broken = failure(
        check(warehouse, "mart_marketing_daily", CTR_BETWEEN_0_AND_1), "ctr = clicks / impressions"
    )
    assert broken.unexpected_count == 1
    assert broken.examples[0]["ctr"] == 0
    assert broken.examples[0]["ctr_from_counts"] is None


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


@pytest.mark.parametrize("mart", ["mart_marketing_daily", "mart_channel_roi"])
def test_negative_spend_fails(warehouse: Path, mart: str) -> None:
    poison(warehouse, f"update marts.{mart} set spend = -5 where channel = 'Paid Search'")
    broken = failure(check(warehouse, mart, SPEND_NOT_NEGATIVE), "spend >= 0")
    assert broken.unexpected_count == 1
    assert broken.examples[0]["spend"] == -5
    assert broken.examples[0]["key_channel"] == "Paid Search"


# -- channels --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mart", ["mart_marketing_daily", "mart_channel_roi", "fct_attribution", "fct_customer_journey"]
)
def test_channel_outside_the_seed_fails(warehouse: Path, mart: str) -> None:
    poison(
        warehouse,
        f"update marts.{mart} set channel = 'Carrier Pigeon' "
        f"where rowid = (select min(rowid) from marts.{mart} where channel is not null)",
    )
    result = check(warehouse, mart, CHANNELS_IN_SEED_LIST)
    broken = failure(result, "channel is one of the 6 known channels")
    assert broken.unexpected_count == 1  # one unknown channel value
    assert [e["channel"] for e in broken.examples] == ["Carrier Pigeon"]
    assert result.metadata["mart_rows_by_unexpected_channel"] == {"Carrier Pigeon": 1}


def test_first_touch_channel_outside_the_seed_fails(warehouse: Path) -> None:
    poison(
        warehouse,
        "update marts.dim_persons set first_touch_channel = 'Carrier Pigeon' "
        "where person_id = 'p1'",
    )
    result = check(warehouse, "dim_persons", CHANNELS_IN_SEED_LIST)
    broken = failure(result, "channel is one of the 6 known channels")
    assert broken.unexpected_count == 1
    assert [e["channel"] for e in broken.examples] == ["Carrier Pigeon"]


def test_a_channel_added_to_the_seed_needs_no_code_change(warehouse: Path) -> None:
    poison(
        warehouse,
        "update marts.mart_channel_roi set channel = 'Carrier Pigeon' "
        "where channel = 'Paid Search'; "
        "insert into seeds.channel_rules values (10, 'Carrier Pigeon')",
    )
    result = check(warehouse, "mart_channel_roi", CHANNELS_IN_SEED_LIST)
    assert result.passed, result.summary


def test_missing_channel_fails_where_every_row_needs_one(warehouse: Path) -> None:
    poison(
        warehouse,
        "update marts.mart_marketing_daily set channel = null where campaign_id = 'e1'",
    )
    broken = failure(
        check(warehouse, "mart_marketing_daily", CHANNELS_IN_SEED_LIST), "channel is present"
    )
    assert broken.unexpected_count == 1
    assert broken.examples[0]["channel"] is None
    # The journey's CRM activities have no channel, and need none (the clean fixture).


# -- mart_email_campaigns --------------------------------------------------------------


def test_open_rate_above_1_fails(warehouse: Path) -> None:
    # Opens counted per event, not per recipient: 120 "unique" opens of 100 delivered.
    poison(
        warehouse,
        "update marts.mart_email_campaigns set unique_opens = 120, open_rate = 1.2, "
        "click_to_open = 10 / 120 where campaign_id = 'c1'",
    )
    result = check(warehouse, "mart_email_campaigns", OPEN_AND_CLICK_RATES_BETWEEN_0_AND_1)
    broken = failure(result, "open_rate is between 0 and 1")
    assert len(result.failures) == 1  # the rate is its counts' ratio; the counts are wrong
    assert broken.unexpected_count == 1
    assert broken.examples[0]["open_rate"] == 1.2
    assert broken.examples[0]["key_campaign_name"] == "Welcome"


def test_click_to_open_not_its_counts_ratio_fails(warehouse: Path) -> None:
    # Click-to-open computed over delivered instead of unique opens: 10 / 100.
    poison(
        warehouse,
        "update marts.mart_email_campaigns set click_to_open = 0.1 where campaign_id = 'c1'",
    )
    broken = failure(
        check(warehouse, "mart_email_campaigns", OPEN_AND_CLICK_RATES_BETWEEN_0_AND_1),
        "click_to_open = unique_clicks / unique_opens",
    )
    assert broken.unexpected_count == 1
    assert broken.examples[0]["click_to_open"] == 0.1
    assert broken.examples[0]["click_to_open_from_counts"] == 0.25


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


# -- mart_funnel -----------------------------------------------------------------------


def test_funnel_conversion_rate_above_1_fails(warehouse: Path) -> None:
    # 24 MQLs out of 20 leads: the funnel order was not enforced.
    poison(
        warehouse,
        "update marts.mart_funnel set persons = 24, conversion_rate_from_previous = 1.2 "
        "where stage = 'mql'",
    )
    result = check(warehouse, "mart_funnel", CONVERSION_RATE_BETWEEN_0_AND_1)
    broken = failure(result, "conversion_rate_from_previous is between 0 and 1")
    assert len(result.failures) == 1
    assert broken.unexpected_count == 1
    assert broken.examples[0]["conversion_rate_from_previous"] == 1.2
    assert broken.examples[0]["key_stage"] == "mql"


def test_funnel_conversion_rate_not_its_counts_ratio_fails(warehouse: Path) -> None:
    poison(
        warehouse,
        "update marts.mart_funnel set conversion_rate_from_previous = 0.1 where stage = 'mql'",
    )
    broken = failure(
        check(warehouse, "mart_funnel", CONVERSION_RATE_BETWEEN_0_AND_1),
        "conversion_rate_from_previous = persons / previous_stage_persons",
    )
    assert broken.unexpected_count == 1
    assert broken.examples[0] == {
        "key_cohort_month": "2026-01-01",
        "key_stage": "mql",
        "persons": 10,
        "previous_stage_persons": 20,
        "conversion_rate_from_previous": 0.1,
        "conversion_rate_from_previous_from_counts": 0.5,
    }


# -- fct_attribution -------------------------------------------------------------------


def test_credit_above_1_fails(warehouse: Path) -> None:
    poison(
        warehouse,
        "update marts.fct_attribution set credit = 1.5 "
        "where model = 'linear' and session_id = 's2'",
    )
    broken = failure(
        check(warehouse, "fct_attribution", CREDIT_BETWEEN_0_AND_1), "credit is between 0 and 1"
    )
    assert broken.unexpected_count == 1
    assert broken.examples[0] == {
        "credit": 1.5,
        "key_model": "linear",
        "key_conversion_id": "d3",
        "key_session_id": "s2",
    }


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


def test_a_missing_mart_fails_every_check_with_a_clear_reason(warehouse: Path) -> None:
    poison(warehouse, "drop table marts.mart_funnel")
    result = check(warehouse, "mart_funnel", CONVERSION_RATE_BETWEEN_0_AND_1)
    assert not result.passed
    assert "marts.mart_funnel does not exist" in result.summary
    assert result.failures[0].unexpected_count is None


def test_a_missing_seed_fails_the_channel_checks(warehouse: Path) -> None:
    poison(warehouse, "drop table seeds.channel_rules")
    results = results_of(warehouse, "mart_channel_roi")
    assert not results[CHANNELS_IN_SEED_LIST].passed
    assert "seeds.channel_rules does not exist" in results[CHANNELS_IN_SEED_LIST].summary
    assert results[SPEND_NOT_NEGATIVE].passed


def test_a_missing_column_fails_only_the_checks_that_read_it(warehouse: Path) -> None:
    poison(warehouse, "alter table marts.mart_marketing_daily drop column ctr")
    results = results_of(warehouse, "mart_marketing_daily")
    assert not results[CTR_BETWEEN_0_AND_1].passed
    assert "ctr" in results[CTR_BETWEEN_0_AND_1].summary
    assert results[SPEND_NOT_NEGATIVE].passed
    assert results[OVERALL_CTR_WITHIN_PLAUSIBLE_BAND].passed
