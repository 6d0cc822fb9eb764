"""One number, two routes, checked: on the demo's published file, every metric of the
semantic layer equals, for every row of the mart that carries the same definition, the
mart's column (grouped by the mart's key columns: month, channel, owner, day...).
A metric and a mart that disagree fail here.

Numbers are equal within 1e-9 relative or 1e-6 absolute (the marts store money as
DECIMAL(18, 6), MetricFlow computes ratios in DOUBLE); nulls must be null on both
routes, except where a mart fills 0 for a period the metric has no row for.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.metrics.engine import MetricsEngine

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


@dataclass(frozen=True)
class Comparison:
    mart: str
    keys: dict[str, str]  # mart column -> MetricFlow group-by
    columns: dict[str, str]  # mart column -> metric
    where: str = "true"  # mart rows compared
    zero_filled: frozenset[str] = field(default_factory=frozenset)
    """Mart columns that are 0 where nothing happened: the metric may have no row there."""
    metric_where: tuple[str, ...] = ()
    relation: str | None = None
    """The rows compared when not the mart itself (an aggregate of it)."""


MONTH = {"month": "metric_time__month"}

SALES_COUNTS = frozenset(
    {
        "new_opportunities",
        "pipeline_created",
        "won_deals",
        "lost_deals",
        "won_revenue",
        "new_customers",
        "renewal_accounts",
        "churned_accounts",
        "open_opportunities",
        "open_pipeline",
        "leads",
        "mqls",
        "acquisition_costs",
    }
)

COMPARISONS: list[Comparison] = [
    Comparison(
        "mart_sales_monthly",
        MONTH,
        {
            "new_opportunities": "new_opportunities",
            "pipeline_created": "pipeline_created",
            "open_opportunities": "open_opportunities",
            "open_pipeline": "open_pipeline",
            "won_deals": "won_deals",
            "lost_deals": "lost_deals",
            "won_revenue": "won_revenue",
            "win_rate": "win_rate",
            "avg_deal_size": "avg_deal_size",
            "median_sales_cycle_days": "median_sales_cycle_days",
            "mean_sales_cycle_days": "mean_sales_cycle_days",
            "revenue_growth": "revenue_growth",
            "new_customers": "new_customers",
            "ad_spend": "spend",
            "acquisition_costs": "acquisition_costs",
            "cac": "cac",
            "renewal_accounts": "renewal_accounts",
            "churned_accounts": "churned_accounts",
            "churn": "churn",
            "leads": "leads",
            "mqls": "mqls",
            "revenue_target": "revenue_target",
            "revenue_attainment": "revenue_attainment",
            "leads_target": "leads_target",
            "leads_attainment": "leads_attainment",
            "mqls_target": "mqls_target",
            "mqls_attainment": "mqls_attainment",
            "new_customers_target": "new_customers_target",
            "new_customers_attainment": "new_customers_attainment",
        },
        zero_filled=SALES_COUNTS,
    ),
    Comparison(
        "mart_sales_owner_monthly",
        {"month": "metric_time__month", "owner_id": "owner"},
        {
            "new_opportunities": "new_opportunities",
            "pipeline_created": "pipeline_created",
            "won_deals": "won_deals",
            "lost_deals": "lost_deals",
            "won_revenue": "won_revenue",
            "win_rate": "win_rate",
            "avg_deal_size": "avg_deal_size",
        },
        zero_filled=SALES_COUNTS,
    ),
    Comparison(
        "mart_pipeline_by_stage",
        {
            "as_of_date": "metric_time__day",
            "stage_name": "pipeline_stage_owner__stage_name",
            "owner_id": "owner",
        },
        {"open_opportunities": "open_opportunities", "open_pipeline": "open_pipeline"},
    ),
    Comparison(
        "mart_marketing_daily",
        {
            "date": "metric_time__day",
            "channel": "channel",
            "platform": "marketing_day__platform",
            "campaign_id": "marketing_day__campaign_id",
            "campaign_name": "campaign",
        },
        {
            "impressions": "impressions",
            "clicks": "clicks",
            "spend": "spend",
            "ctr": "ctr",
            "cpc": "cpc",
            "cpm": "cpm",
            "leads": "first_touch_leads",
            "mqls": "first_touch_mqls",
        },
    ),
    *[
        Comparison(
            "mart_channel_roi",
            {"month": "metric_time__month", "channel": "channel"},
            {
                "spend": "spend",
                "leads": f"attributed_leads_{model}",
                "won_deals": f"attributed_won_deals_{model}",
                "attributed_revenue": f"attributed_revenue_{model}",
                "cpl": f"cpl_{model}",
                "cost_per_won_deal": f"cost_per_won_deal_{model}",
                "roas": f"roas_{model}",
            },
            where=f"model = '{model}'",
            zero_filled=frozenset({"leads", "won_deals", "attributed_revenue"}),
        )
        for model in ("first_touch", "last_touch", "linear", "position_based", "time_decay")
    ],
    Comparison(
        "mart_channel_roi",
        {"month": "metric_time__month", "channel": "channel"},
        {"mqls": "first_touch_mqls", "cost_per_mql": "cost_per_mql"},
        where="model = 'first_touch'",
        zero_filled=frozenset({"mqls"}),
    ),
    *[
        Comparison(
            "mart_funnel",
            {"cohort_month": "metric_time__month"},
            {
                "previous_stage_persons": cohort,
                "persons": reached,
                "drop_off": f"{previous}_to_{stage}_drop_off",
                "conversion_rate_from_previous": f"{previous}_to_{stage}_conversion",
            },
            where=f"stage = '{stage}'",
        )
        for previous, stage, cohort, reached in (
            ("visitor", "lead", "first_visits", "visitor_cohort_leads"),
            ("lead", "mql", "leads", "lead_cohort_mqls"),
            ("mql", "sql", "mqls", "mql_cohort_sqls"),
            ("sql", "opportunity", "sqls", "sql_cohort_opportunities"),
            ("opportunity", "customer", "opportunity_persons", "opportunity_cohort_customers"),
        )
    ],
    Comparison(
        "mart_funnel",
        {"cohort_month": "metric_time__month"},
        {"conversion_to_customer": "lead_to_customer_conversion"},
        where="stage = 'mql'",
    ),  # sessions come from the journey fact; the daily mart splits a channel's sessions by
    # platform and campaign, so they are compared per day and channel
    Comparison(
        "mart_marketing_daily",
        {"date": "metric_time__day", "channel": "channel"},
        {"sessions": "sessions"},
        relation=(
            "(select date, channel, sum(sessions) as sessions from marts.mart_marketing_daily "
            "group by date, channel having sum(sessions) > 0)"
        ),
    ),
    Comparison(
        "mart_email_campaigns",
        {"campaign_id": "email_campaign"},
        {
            "sends": "email_sends",
            "delivered": "email_delivered",
            "unique_opens": "email_unique_opens",
            "unique_clicks": "email_unique_clicks",
            "bounces": "email_bounces",
            "unsubscribes": "email_unsubscribes",
            "spam_reports": "email_spam_reports",
            "open_rate": "email_open_rate",
            "click_rate": "email_click_rate",
            "click_to_open": "email_click_to_open",
        },
    ),
]


@dataclass
class Outcome:
    compared: int
    mismatches: list[str]


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _equal(mart: object, metric: object) -> bool:
    mart, metric = _plain(mart), _plain(metric)
    if mart is None or metric is None:
        return mart is None and metric is None
    if isinstance(mart, float | int) and isinstance(metric, float | int):
        return math.isclose(mart, metric, rel_tol=1e-9, abs_tol=1e-6)
    return mart == metric


def compare(published: Path, comparisons) -> Outcome:  # noqa: ANN001
    """Every (mart row, column) of ``comparisons`` against its metric, grouped by the
    mart's key columns, on the published file ``published``."""
    compared, mismatches = 0, []
    conn = duckdb.connect(str(published), read_only=True)
    try:
        with MetricsEngine(published) as engine:
            for c in comparisons:
                keys, columns = list(c.keys), list(c.columns)
                mart_rows = conn.execute(
                    f"select {', '.join(keys + columns)} "
                    f"from {c.relation or f'marts.{c.mart}'} where {c.where}"
                ).fetchall()
                assert mart_rows, f"{c.mart} where {c.where}: no rows to compare"
                result = engine.query(
                    list(dict.fromkeys(c.columns.values())),
                    by=list(c.keys.values()),
                    where=list(c.metric_where),
                )
                index = {name: i for i, name in enumerate(result.columns)}
                key_at = [index[group_by] for group_by in c.keys.values()]
                metric_rows = {tuple(_plain(row[i]) for i in key_at): row for row in result.rows}
                for mart_row in mart_rows:
                    key = tuple(_plain(v) for v in mart_row[: len(keys)])
                    metric_row = metric_rows.get(key)
                    for offset, column in enumerate(columns):
                        mart_value = mart_row[len(keys) + offset]
                        metric = c.columns[column]
                        metric_value = metric_row[index[metric]] if metric_row is not None else None
                        compared += 1
                        if metric_value is None and column in c.zero_filled:
                            metric_value = 0
                        if not _equal(mart_value, metric_value):
                            mismatches.append(
                                f"{c.mart}[{c.where}] {dict(zip(keys, key, strict=True))} "
                                f"{column}={mart_value!r} but {metric}={metric_value!r}"
                            )
    finally:
        conn.close()
    return Outcome(compared, mismatches)


@pytest.fixture(scope="module")
def published(demo_build) -> Path:
    """The demo's published file (read only; the session's shared refresh)."""
    assert demo_build.returncode == 0, demo_build.stderr[-3000:]
    return demo_build.root / "serving.duckdb"


def test_every_metric_equals_its_mart_column(published: Path) -> None:
    outcome = compare(published, COMPARISONS)
    assert not outcome.mismatches, "\n".join(outcome.mismatches[:40])
    # 9 marts' comparisons over the demo: a value per compared cell, tens of thousands
    assert outcome.compared > 20_000, outcome.compared


def test_a_metric_that_disagrees_with_its_mart_fails(published: Path) -> None:
    """The comparison can fail: won revenue set against the mart's lost deals disagrees
    in every month where the two numbers differ (a month with neither agrees: 0 = 0)."""
    wrong = Comparison(
        "mart_sales_monthly",
        MONTH,
        {"lost_deals": "won_revenue"},
        zero_filled=frozenset({"lost_deals"}),
    )
    outcome = compare(published, [wrong])
    months_with_deals = (
        duckdb.connect(str(published), read_only=True)
        .execute("select count(*) from marts.mart_sales_monthly where won_revenue <> lost_deals")
        .fetchone()[0]
    )
    assert len(outcome.mismatches) == months_with_deals > 0


def test_deal_revenue_counts_once_per_deal(published: Path) -> None:
    """Won revenue from the semantic layer is the sum over won deals, each once, grouped
    by anything: by month, by opportunity type and in total it adds up to the same."""
    with duckdb.connect(str(published), read_only=True) as conn:
        total = float(
            conn.execute(
                "select sum(amount_in_reporting_currency) from marts.fct_opportunities where is_won"
            ).fetchone()[0]
        )
    with MetricsEngine(published) as engine:
        overall = engine.query(["won_revenue"]).rows[0][0]
        by_month = engine.query(["won_revenue"], by=["month"]).rows
        by_type = engine.query(["won_revenue"], by=["opportunity_type"]).rows
    assert math.isclose(float(overall), total, rel_tol=1e-12)
    assert math.isclose(sum(float(r[1] or 0) for r in by_month), total, rel_tol=1e-12)
    assert math.isclose(sum(float(r[1] or 0) for r in by_type), total, rel_tol=1e-12)


def test_the_demo_plan_is_met_or_missed_by_the_quarter(published: Path) -> None:
    """The demo's plan (seed targets_monthly) is sized to the demo company: every quarter
    it plans in full and has data for lands within 80-120% on revenue, leads and MQLs,
    with honest misses among them; new customers, one to three a quarter, may miss by
    more. A month swings with when a few large deals close; the report shows both."""
    attainment = ["revenue_attainment", "leads_attainment", "mqls_attainment"]
    with MetricsEngine(published) as engine:
        result = engine.query(
            [*attainment, "new_customers_attainment"], by=["quarter"], since=dt.date(2026, 1, 1)
        )
    quarters = {row[0]: row[1:] for row in result.rows if row[1] is not None}
    assert len(quarters) == 3, result.rows  # 2026 Q1-Q3: the demo's data ends in September
    values = [float(v) for row in quarters.values() for v in row[: len(attainment)]]
    assert all(0.8 <= v <= 1.2 for v in values), quarters
    assert any(v < 1 for v in values) and any(v > 1 for v in values)
    assert all(float(row[-1]) > 0 for row in quarters.values())  # a new customer each quarter


def _metrics_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "JOURNEY_LANDING_DIR": str(root / "landing"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    return subprocess.run(
        [JOURNEY, "metrics", *args], env=env, capture_output=True, text=True, check=False
    )


def test_journey_metrics_answers_from_the_published_file(demo_build, published: Path) -> None:
    done = _metrics_cli(
        demo_build.root, "won_revenue", "avg_deal_size", "--by", "month", "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "metric_time__month,won_revenue,avg_deal_size"
    with duckdb.connect(str(published), read_only=True) as conn:
        expected = {
            month.isoformat(): float(revenue)
            for month, revenue in conn.execute(
                "select month, won_revenue from marts.mart_sales_monthly where won_deals > 0"
            ).fetchall()
        }
    answered = {
        line.split(",")[0]: float(line.split(",")[1])
        for line in lines[1:]
        if line.split(",")[0] and float(line.split(",")[1] or 0)
    }
    assert answered.keys() == expected.keys()
    for month, revenue in expected.items():
        assert math.isclose(answered[month], revenue, abs_tol=1e-6), month


def test_journey_metrics_says_what_is_wrong(demo_build) -> None:
    unknown = _metrics_cli(demo_build.root, "won_revenu")
    assert unknown.returncode == 1
    assert "unknown metric(s) won_revenu" in unknown.stderr
    listed = _metrics_cli(demo_build.root, "--list")
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert "lead_to_customer_conversion" in names
