"""The refresh report: numbers worked by hand land in the right cells, every section is
there, every chart names its metric, an empty mart says "no data yet", the page is
self-contained, it is written atomically, and it renders in a real headless browser.

The sales sections ask the semantic layer (MetricFlow), so these tests need the
semantic manifest: the root conftest's ``dbt_manifest`` fixture parses the project when
it is missing or stale."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from datetime import UTC, datetime, timedelta, timezone
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.metrics.engine import SEMANTIC_MANIFEST, MetricsEngine, MetricsError
from orchestration.reports import metric_queries
from orchestration.reports.assets import (
    MART_ASSET_KEYS,
    REPORT_ASSET_KEY,
    build_report_definitions,
    reporting_currency,
)
from orchestration.reports.render import build_report, render_report, write_report
from orchestration.resources import WarehouseResource
from orchestration.serving.assets import SERVING_ASSET_KEY

GENERATED_AT = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "journey-report-test"
"""Outside pytest's tmp_path on purpose: the screenshot stays for a human to look at."""

# The tiny warehouse, worked by hand.
# Sales: January wins 2 deals for 10,000 against a 12,000 target (attainment 83.3%),
# wins 2 of 3 closed (66.7%), spends 1,500 on ads plus 500 other costs for 30 leads
# (CPL 50.00) and 2 new customers (CAC 2,000 / 2 = 1,000.00). February wins 1 deal for
# 25,000 against 20,000 (125.0%), 1 of 2 closed (50.0%), spends 1,234.50 with no
# leads and no new customer (CPL and CAC: nothing to divide by).
# Funnel: January 10 visitors, 4 leads (40%), 1 of them an MQL (25%); February 20
# visitors, 6 leads (30%), 3 MQLs (50%). All cohorts: Visitor -> Lead 10 of 30 =
# 33.3%, Lead -> MQL 4 of 10 = 40.0%.
# Channel ROI: Paid Search spends 1,000 + 500 = 1,500. Under first touch it gets 4 + 1
# = 5 leads (CPL 300.00) and 5,000 (ROAS 3.33x); under linear 2.5 + 0.5 = 3 leads (CPL
# 500.00) and 2,500 (ROAS 1.67x). Direct (no spend) takes the rest of January's 10,000
# and leads; February's 25,000 deal is Unattributed under both models.
# Email: 980 delivered, 490 unique opens (50.0%), 49 unique clicks (5.0%, click-to-open
# 10.0%); its name carries markup that must be escaped.
#
# The sales sections read the metrics (MetricFlow over the marts below, one row per deal
# in fct_opportunities), so their numbers are worked from the deals:
# January closes o1 (won 4,000 in 41 days), o2 (won 6,000 in 10 days), both first wins
# of their account, and o3 (lost): 2 won for 10,000, average deal size 5,000, sales
# cycle median and mean 25.5 days, 2 new customers, no renewal (churn: a gap, not 0%).
# February closes A's Renewal o4 (won 25,000 in 40 days) and B's Renewal o5 (lost):
# average 25,000, cycle 40.0 / 40.0, 2 renewal accounts, 1 churned: churn 50.0%.
# March (after the hand-made mart_sales_monthly's last month) closes o7 (5 days,
# 1,000), o8 (20 days, 2,000) and o9 (95 days, 6,000), two first wins: average 3,000,
# median 20.0, mean 40.0 days, 2 new customers, no renewal. o6 is still open.
# Open pipeline (mart_pipeline_by_stage): at 2026-01-31 Prospecting 20,000 + 5,000 (3
# deals), Qualification 7,000 (1), Negotiation/Review 15,000 (1): 47,000 in 5 deals; at
# 2026-02-28 Prospecting 8,000 (1, 16.0%) and Negotiation/Review 12,000 + 30,000 (3,
# 84.0%): 50,000 in 4 deals, and no Qualification.
# Targets (dim_persons, mart_sales_monthly): January 30 leads against 40 (75.0%), 6 MQLs
# against 5 (120.0%), 2 new customers against 4 (50.0%); February no lead (the metric
# has no value: a dash) against 10, 2 MQLs without a target, 0 new customers against 1
# (0.0%). Five persons never became leads: they have no lead month.
CAMPAIGN_NAME = "Spring <b>launch</b> & more"

_SALES = """
create table marts.mart_sales_monthly as
select * from (values
    (date '2026-01-01', 2, 10000.00::decimal(18, 6), 12000.00::decimal(18, 2),
     10000 / 12000, 2 / 3, 2, 1500.00::decimal(18, 6), 500.00::decimal(18, 6), 30,
     1000.00::decimal(18, 6), 40, 5, 4),
    (date '2026-02-01', 1, 25000.00, 20000.00, 25000 / 20000, 1 / 2, 0, 1234.50, 0.00, 0, null,
     10, null, 1)
) as t(month, won_deals, won_revenue, revenue_target, revenue_attainment, win_rate,
       new_customers, ad_spend, acquisition_costs, leads, cac, leads_target, mqls_target,
       new_customers_target)
"""
_OPPORTUNITIES = """
create table marts.fct_opportunities as
select *, case when is_closed then close_date end as closed_date
from (values
    ('o1', 'A', 'u1', 'Closed Won', 'New Business', 4000.00::decimal(18, 6), 41,
     true, true, false, true, false, false, date '2025-12-02', date '2026-01-12'),
    ('o2', 'B', 'u2', 'Closed Won', 'New Business', 6000.00, 10,
     true, true, false, true, false, false, date '2026-01-05', date '2026-01-15'),
    ('o3', 'C', 'u1', 'Closed Lost', 'New Business', 3000.00, null,
     true, false, true, false, false, false, date '2026-01-02', date '2026-01-28'),
    ('o4', 'A', 'u1', 'Closed Won', 'Renewal', 25000.00, 40,
     true, true, false, false, true, false, date '2026-01-01', date '2026-02-10'),
    ('o5', 'B', 'u2', 'Closed Lost', 'Renewal', 8000.00, null,
     true, false, true, false, true, true, date '2026-01-20', date '2026-02-20'),
    ('o6', 'D', 'u2', 'Prospecting', 'New Business', 20000.00, null,
     false, false, false, false, false, false, date '2026-02-01', date '2026-04-30'),
    ('o7', 'A', 'u1', 'Closed Won', 'Expansion', 1000.00, 5,
     true, true, false, false, false, false, date '2026-03-01', date '2026-03-06'),
    ('o8', 'C', 'u1', 'Closed Won', 'New Business', 2000.00, 20,
     true, true, false, true, false, false, date '2026-02-10', date '2026-03-02'),
    ('o9', 'E', 'u2', 'Closed Won', 'New Business', 6000.00, 95,
     true, true, false, true, false, false, date '2025-12-01', date '2026-03-06')
) as t(opportunity_id, account_id, owner_id, stage_name, opportunity_type,
       amount_in_reporting_currency, sales_cycle_days, is_closed, is_won, is_lost,
       is_first_account_win, is_closed_renewal, is_churned_renewal, created_date, close_date)
"""
_PIPELINE = """
create table marts.mart_pipeline_by_stage as
select * from (values
    ('k1', 'u1', 'Prospecting', date '2026-01-31', 2, 20000.00::decimal(18, 6)),
    ('k2', 'u2', 'Prospecting', date '2026-01-31', 1, 5000.00),
    ('k3', 'u1', 'Qualification', date '2026-01-31', 1, 7000.00),
    ('k4', 'u1', 'Negotiation/Review', date '2026-01-31', 1, 15000.00),
    ('k5', 'u1', 'Prospecting', date '2026-02-28', 1, 8000.00),
    ('k6', 'u1', 'Negotiation/Review', date '2026-02-28', 1, 12000.00),
    ('k7', 'u2', 'Negotiation/Review', date '2026-02-28', 2, 30000.00)
) as t(pipeline_stage_owner_id, owner_id, stage_name, as_of_date, open_opportunities,
       open_pipeline)
"""
_PERSONS = """
create table marts.dim_persons as
select
    'p' || i as person_id,
    null::varchar as account_id,
    'Direct' as first_touch_channel,
    null::varchar as first_touch_campaign_name,
    timestamp '2025-12-20 09:00:00' + to_days(i::int) as visitor_at,
    case when i <= 30 then timestamp '2026-01-02 10:00:00' + to_days(i::int - 1) end as lead_at,
    case
        when i <= 6 then timestamp '2026-01-30 12:00:00'
        when i <= 8 then timestamp '2026-02-03 12:00:00'
    end as mql_at,
    null::timestamp as sql_at,
    null::timestamp as opportunity_at,
    null::timestamp as customer_at
from range(1, 36) as t(i)
"""
SALES_METRIC_MARTS = {
    "fct_opportunities": _OPPORTUNITIES,
    "mart_pipeline_by_stage": _PIPELINE,
    "dim_persons": _PERSONS,
}
_FUNNEL = """
create table marts.mart_funnel as
select * from (values
    (date '2026-01-01', 'visitor', null, 1, null, 10, null, null),
    (date '2026-01-01', 'lead', 'visitor', 2, 10, 4, 0.4, 3.0),
    (date '2026-01-01', 'mql', 'lead', 3, 4, 1, 0.25, 2.0),
    (date '2026-02-01', 'visitor', null, 1, null, 20, null, null),
    (date '2026-02-01', 'lead', 'visitor', 2, 20, 6, 0.3, 1.0),
    (date '2026-02-01', 'mql', 'lead', 3, 6, 3, 0.5, 4.0)
) as t(cohort_month, stage, previous_stage, stage_number, previous_stage_persons, persons,
       conversion_rate_from_previous, median_days_from_previous)
"""
_ROI = """
create table marts.mart_channel_roi as
select * from (values
    (date '2026-01-01', 'Paid Search', 'first_touch', 1000.00::decimal(18, 6), 4.0, 1.0, 5000.0),
    (date '2026-02-01', 'Paid Search', 'first_touch', 500.00, 1.0, 0.0, 0.0),
    (date '2026-01-01', 'Direct', 'first_touch', 0.00, 6.0, 1.0, 5000.0),
    (date '2026-02-01', 'Unattributed', 'first_touch', 0.00, 0.0, 1.0, 25000.0),
    (date '2026-01-01', 'Paid Search', 'linear', 1000.00, 2.5, 0.5, 2500.0),
    (date '2026-02-01', 'Paid Search', 'linear', 500.00, 0.5, 0.0, 0.0),
    (date '2026-01-01', 'Direct', 'linear', 0.00, 8.0, 1.5, 7500.0),
    (date '2026-02-01', 'Unattributed', 'linear', 0.00, 0.0, 1.0, 25000.0)
) as t(month, channel, model, spend, leads, won_deals, attributed_revenue)
"""
_EMAIL = """
create table marts.mart_email_campaigns as
select * from (values
    ('s1', ?, timestamp '2026-01-15 10:00:00', 1000, 980, 490, 49, 0.5, 0.05, 0.1, 20, 3)
) as t(campaign_id, campaign_name, single_send_at, sends, delivered, unique_opens,
       unique_clicks, open_rate, click_rate, click_to_open, bounces, unsubscribes)
"""
_EMPTY_EMAIL = """
create table marts.mart_email_campaigns (
    campaign_id varchar, campaign_name varchar, single_send_at timestamp, sends bigint,
    delivered bigint, unique_opens bigint, unique_clicks bigint, open_rate double,
    click_rate double, click_to_open double, bounces bigint, unsubscribes bigint
)
"""


def make_warehouse(
    path: Path,
    *,
    with_funnel: bool = True,
    with_email: bool = True,
    sales_metric_marts: str = "rows",
) -> Path:
    """The tiny published file; ``sales_metric_marts`` is ``rows`` (as above), ``empty``
    (the marts the sales metrics read have no rows) or ``missing`` (not there)."""
    conn = duckdb.connect(str(path))
    try:
        conn.execute("create schema marts")
        conn.execute(_SALES)
        if with_funnel:
            conn.execute(_FUNNEL)
        conn.execute(_ROI)
        if with_email:
            conn.execute(_EMAIL, [CAMPAIGN_NAME])
        else:
            conn.execute(_EMPTY_EMAIL)
        if sales_metric_marts != "missing":
            for name, sql in SALES_METRIC_MARTS.items():
                conn.execute(sql)
                if sales_metric_marts == "empty":
                    conn.execute(f"delete from marts.{name}")
    finally:
        conn.close()
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return make_warehouse(tmp_path / "warehouse.duckdb")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the tiny warehouse, rendered once for the tests that only read it
    (each render opens a MetricFlow engine)."""
    return render(make_warehouse(tmp_path_factory.mktemp("page") / "warehouse.duckdb"))


def render(path: Path) -> str:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return render_report(conn, generated_at=GENERATED_AT, title="Test report")
    finally:
        conn.close()


class _Tables(HTMLParser):
    """The text of every cell of every table, by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def row(table: list[list[str]], first_cell: str) -> list[str]:
    found = [r for r in table if r and r[0] == first_cell]
    assert len(found) == 1, f"one row starting {first_cell!r} expected in {table}"
    return found[0]


SECTION_KEYS = ("revenue", "sales", "pipeline", "targets", "funnel", "roi", "spend", "email")


def test_every_section_is_present_in_order(page: str) -> None:
    positions = [page.index(f'<section id="{key}">') for key in SECTION_KEYS]
    assert positions == sorted(positions)
    for heading in (
        "Revenue and won deals against target",
        "Deal size, sales cycle and churn",
        "Open pipeline by stage",
        "Leads, MQLs, new customers and revenue against target",
        "Funnel and conversion rates",
        "Channel ROI under each attribution model",
        "Spend, cost per lead and customer acquisition cost",
        "Email campaigns",
    ):
        assert f"<h2>{heading}</h2>" in page
    # revenue, deals; deal size, cycle, churn, renewals; pipeline now and by month end;
    # leads, MQLs, new customers, attainment; funnel, ROI, spend, CPL, CAC, email
    assert page.count("<svg") == 18
    assert "no data yet" not in page.lower()
    assert "nothing to show" not in page.lower()
    assert "Generated 2026-03-01 12:00 UTC" in page
    assert "<title>Test report</title>" in page


def test_revenue_against_target_by_month(page: str) -> None:
    revenue = tables(page)["table-revenue"]
    assert revenue[0] == [
        "Month",
        "Won deals",
        "Won revenue (USD)",
        "Revenue target (USD)",
        "Attainment",
        "Win rate",
        "New customers",
    ]
    assert row(revenue, "2026-01") == ["2026-01", "2", "10,000", "12,000", "83.3%", "66.7%", "2"]
    assert row(revenue, "2026-02") == ["2026-02", "1", "25,000", "20,000", "125.0%", "50.0%", "0"]


def figures(html: str) -> dict[str, str]:
    """Each chart's SVG by its caption (the metrics it names)."""
    found = re.findall(
        r'<figure class="chart-figure">(<svg.*?</svg>)<figcaption class="metric">(.*?)'
        r"</figcaption></figure>",
        html,
        flags=re.S,
    )
    by_caption = {unescape(text): chart for chart, text in found}
    assert len(by_caption) == len(found), "two charts with one caption"
    return by_caption


def tooltips(chart: str, mark: str) -> list[str]:
    """The tooltips of one kind of mark (rect: bars, circle: line points, line: ticks)."""
    return [unescape(t) for t in re.findall(rf"<{mark} [^>]*><title>(.*?)</title></{mark}>", chart)]


def test_deal_size_sales_cycle_and_churn_by_month(page: str) -> None:
    sales = tables(page)["table-sales"]
    assert sales[0] == [
        "Month",
        "Won deals",
        "Won revenue (USD)",
        "Average deal size (USD)",
        "Sales cycle, median (days)",
        "Sales cycle, mean (days)",
        "Renewal accounts",
        "Churned accounts",
        "Churn",
    ]
    assert sales[1:] == [
        ["2026-01", "2", "10,000", "5,000", "25.5", "25.5", "0", "0", "–"],
        ["2026-02", "1", "25,000", "25,000", "40.0", "40.0", "2", "1", "50.0%"],
        ["2026-03", "3", "9,000", "3,000", "20.0", "40.0", "0", "0", "–"],
    ]
    charts = figures(page)
    deal_size = charts["metric: avg_deal_size (Average deal size)"]
    assert tooltips(deal_size, "rect") == [
        "2026-01: Average deal size (USD) 5,000",
        "2026-02: Average deal size (USD) 25,000",
        "2026-03: Average deal size (USD) 3,000",
    ]
    cycle = charts[
        "metrics: median_sales_cycle_days (Sales cycle (median days)), "
        "mean_sales_cycle_days (Sales cycle (mean days))"
    ]
    assert "2026-03: Median days 20.0 days" in tooltips(cycle, "circle")
    assert "2026-03: Mean days 40.0 days" in tooltips(cycle, "circle")
    renewals = charts[
        "metrics: renewal_accounts (Renewal accounts), churned_accounts (Churned accounts)"
    ]
    assert "2026-02: Renewal accounts 2" in tooltips(renewals, "rect")
    assert "2026-02: Churned accounts 1" in tooltips(renewals, "rect")


def test_months_without_renewals_are_gaps_not_zero_churn(page: str) -> None:
    churn = figures(page)["metric: churn (Churn)"]
    # January and March closed no renewal: churn has no value, so no point (and no
    # line through 0%); February's one point stands alone.
    assert tooltips(churn, "circle") == ["2026-02: Churn 50.0%"]
    assert "<polyline" not in churn
    targets = figures(page)
    leads = targets["metrics: leads (Leads), leads_target (Leads target)"]
    # February has no lead: a count is 0 (not a gap), so its bar is there at 0
    assert tooltips(leads, "rect") == ["2026-01: Leads 30", "2026-02: Leads 0"]
    assert tooltips(leads, "line") == ["2026-01: Leads target 40", "2026-02: Leads target 10"]
    mqls = targets["metrics: mqls (MQLs), mqls_target (MQLs target)"]
    assert tooltips(mqls, "line") == ["2026-01: MQLs target 5"]  # no target in February


def test_open_pipeline_by_stage(page: str) -> None:
    found = tables(page)
    assert found["table-pipeline"] == [
        ["Stage", "Open opportunities", "Open pipeline (USD)", "Share"],
        ["Prospecting", "1", "8,000", "16.0%"],
        ["Negotiation/Review", "3", "42,000", "84.0%"],
        ["Total", "4", "50,000", "100.0%"],
    ]
    assert found["table-pipeline-month-ends"] == [
        ["Month end", "Open opportunities", "Open pipeline (USD)"],
        ["2026-02-28", "4", "50,000"],
        ["2026-01-31", "5", "47,000"],
    ]
    assert "<h3>At 2026-02-28</h3>" in page
    charts = figures(page)
    latest = charts[
        "metrics: open_pipeline (Open pipeline), open_opportunities (Open opportunities); "
        "by stage at 2026-02-28"
    ]
    assert tooltips(latest, "rect") == [
        "Prospecting, Open pipeline (USD): 8,000  (1 open)",
        "Negotiation/Review, Open pipeline (USD): 42,000  (3 open)",
    ]
    stacked = charts["metric: open_pipeline (Open pipeline); by stage at each month end"]
    # stages in their sales order, each month end stacked; Qualification only in January
    assert tooltips(stacked, "rect") == [
        "2026-01: Prospecting 25,000",
        "2026-01: Qualification 7,000",
        "2026-01: Negotiation/Review 15,000",
        "2026-02: Prospecting 8,000",
        "2026-02: Negotiation/Review 42,000",
    ]


def test_leads_mqls_and_new_customers_against_target(page: str) -> None:
    targets = tables(page)["table-targets"]
    assert targets[0] == ["Month", "Leads", "MQLs", "New customers"]
    assert targets[1] == ["Actual", "Target", "Attainment"] * 3
    assert row(targets, "2026-01") == [
        "2026-01", "30", "40", "75.0%", "6", "5", "120.0%", "2", "4", "50.0%"
    ]  # fmt: skip
    # no lead in February: 0 leads, 0% of its target; no MQL target: no attainment
    assert row(targets, "2026-02") == [
        "2026-02", "0", "10", "0.0%", "2", "–", "–", "0", "1", "0.0%"
    ]  # fmt: skip
    assert len(targets) == 4  # March has no target: the section covers January-February
    attainment = figures(page)[
        "metrics: leads_attainment (Leads attainment), mqls_attainment (MQLs attainment), "
        "new_customers_attainment (New customers attainment)"
    ]
    assert tooltips(attainment, "circle") == [
        "2026-01: Leads 75.0%",
        "2026-02: Leads 0.0%",
        "2026-01: MQLs 120.0%",
        "2026-01: New customers 50.0%",
        "2026-02: New customers 0.0%",
    ]


def test_a_quarter_planned_in_part_shows_its_actuals_alone(page: str) -> None:
    quarters = tables(page)["table-targets-quarters"]
    assert quarters[0] == ["Quarter", "Revenue", "Leads", "MQLs", "New customers"]
    assert quarters[1] == ["Actual", "Target", "Attainment"] * 4
    # the plan stops in February: Q1's actuals (March's deals o7-o9 too: 10,000 +
    # 25,000 + 9,000 won, 30 leads, 6 + 2 MQLs, o1, o2, o8, o9 first wins), no target
    assert quarters[2:] == [
        ["2026 Q1", "44,000", "–", "–", "30", "–", "–", "8", "–", "–", "4", "–", "–"]
    ]


def test_every_target_against_its_actual_by_quarter(tmp_path: Path) -> None:
    path = make_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(path)) as conn:  # the plan covers March, and February's MQLs
        conn.execute(
            "update marts.mart_sales_monthly set mqls_target = 3 where month = '2026-02-01'"
        )
        conn.execute(
            "insert into marts.mart_sales_monthly (month, revenue_target, leads_target, "
            "mqls_target, new_customers_target) values ('2026-03-01', 8000, 10, 5, 2)"
        )
    quarters = tables(render(path))["table-targets-quarters"]
    # revenue 44,000 / (12,000 + 20,000 + 8,000) = 110.0%; leads 30 / (40 + 10 + 10) =
    # 50.0%; MQLs 8 / (5 + 3 + 5) = 61.5%; new customers 4 / (4 + 1 + 2) = 57.1%
    assert quarters[2:] == [
        [
            "2026 Q1",
            "44,000", "40,000", "110.0%",
            "30", "60", "50.0%",
            "8", "13", "61.5%",
            "4", "7", "57.1%",
        ]
    ]  # fmt: skip


def test_every_chart_names_the_metric_it_shows(page: str) -> None:
    assert list(figures(page)) == [
        # revenue (mart_sales_monthly columns the metric-equals-mart test checks)
        "metrics: won_revenue (Won revenue), revenue_target (Revenue target)",
        "metrics: won_deals (Won deals), new_customers (New customers)",
        # deal size, sales cycle and churn
        "metric: avg_deal_size (Average deal size)",
        "metrics: median_sales_cycle_days (Sales cycle (median days)), "
        "mean_sales_cycle_days (Sales cycle (mean days))",
        "metric: churn (Churn)",
        "metrics: renewal_accounts (Renewal accounts), churned_accounts (Churned accounts)",
        # open pipeline
        "metrics: open_pipeline (Open pipeline), open_opportunities (Open opportunities); "
        "by stage at 2026-02-28",
        "metric: open_pipeline (Open pipeline); by stage at each month end",
        # targets
        "metrics: leads (Leads), leads_target (Leads target)",
        "metrics: mqls (MQLs), mqls_target (MQLs target)",
        "metrics: new_customers (New customers), new_customers_target (New customers target)",
        "metrics: leads_attainment (Leads attainment), mqls_attainment (MQLs attainment), "
        "new_customers_attainment (New customers attainment)",
        # funnel, ROI, spend, email
        "metrics: visitor_to_lead_conversion (Visitor-to-Lead conversion), "
        "lead_to_mql_conversion (Lead-to-MQL conversion); over all cohort months",
        "metrics: attributed_revenue_first_touch (Attributed revenue (first touch)), "
        "attributed_revenue_linear (Attributed revenue (linear)); by channel, over every month",
        "metric: spend (Spend)",
        "no single metric: spend (Spend) / leads (Leads) of the month, divided by the report",
        "metric: cac (CAC)",
        "metrics: email_open_rate (Email open rate), email_click_rate (Email click rate), "
        "email_click_to_open (Email click-to-open); by campaign",
    ]
    assert page.count("<svg") == len(figures(page))  # every chart has its caption
    for key in ("sales", "pipeline", "targets"):
        assert "Source: the semantic layer's metrics (journey metrics) over" in (
            section_body(page, key)
        )


class _CountingEngine(MetricsEngine):
    engines = 0
    queries: list[tuple[str, ...]] = []

    def __init__(self, published: Path) -> None:
        type(self).engines += 1
        super().__init__(published)

    def query(self, metrics, by=(), since=None, where=()):  # noqa: ANN001, ANN201
        type(self).queries.append(tuple(by))
        return super().query(metrics, by, since, where)


def _no_engine(published: Path) -> MetricsEngine:
    raise AssertionError("the semantic layer was asked although no mart it reads is there")


def test_one_engine_and_three_queries_per_report(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_CountingEngine, "queries", [])
    monkeypatch.setattr(metric_queries, "MetricsEngine", _CountingEngine)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        report = build_report(conn, generated_at=GENERATED_AT)
    assert _CountingEngine.engines == 1
    assert _CountingEngine.queries == [("month",), ("quarter",), ("month", "stage")]
    assert report.metrics_queries == 3
    assert report.metrics_unavailable is None


@pytest.mark.parametrize("sales_metric_marts", ["missing", "empty"])
def test_a_report_without_the_sales_marts_still_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sales_metric_marts: str
) -> None:
    if sales_metric_marts == "missing":  # nothing to ask: the engine is not even opened
        monkeypatch.setattr(metric_queries, "MetricsEngine", _no_engine)
    path = make_warehouse(tmp_path / "w.duckdb", sales_metric_marts=sales_metric_marts)
    with duckdb.connect(str(path), read_only=True) as conn:
        report = build_report(conn, generated_at=GENERATED_AT)
    empty = {s.key for s in report.sections if s.rows == 0}
    assert "Nothing to show: no data yet in marts.fct_opportunities." in section_body(
        report.html, "sales"
    )
    assert "Nothing to show: no data yet in marts.mart_pipeline_by_stage." in section_body(
        report.html, "pipeline"
    )
    if sales_metric_marts == "missing":
        assert empty == {"sales", "pipeline", "targets"}
        assert (  # mart_sales_monthly is there
            "Nothing to show: no data yet in marts.dim_persons and marts.fct_opportunities."
        ) in section_body(report.html, "targets")
    else:  # the targets are there and nothing happened: counts are 0, attainment 0%
        assert empty == {"sales", "pipeline"}
        assert row(tables(report.html)["table-targets"], "2026-01") == [
            "2026-01", "0", "40", "0.0%", "0", "5", "0.0%", "0", "4", "0.0%"
        ]  # fmt: skip
    for key in empty:
        assert "<svg" not in section_body(report.html, key)
        assert "<table" not in section_body(report.html, key)
    # the sections read from the marts are as before
    assert row(tables(report.html)["table-revenue"], "2026-01")[2] == "10,000"


def test_a_month_without_targets_says_so(tmp_path: Path) -> None:
    path = make_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "update marts.mart_sales_monthly "
            "set leads_target = null, mqls_target = null, new_customers_target = null"
        )
    body = section_body(render(path), "targets")
    assert (
        "Nothing to show: no lead, MQL or new-customer target for any month yet in "
        "marts.mart_sales_monthly (seed targets_monthly)."
    ) in body


def test_the_report_renders_when_the_semantic_layer_cannot_answer(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self, metrics, by=(), since=None, where=()):  # noqa: ANN001, ANN202
        raise MetricsError("Unable to resolve metric 'avg_deal_size'")

    monkeypatch.setattr(MetricsEngine, "query", fail)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        report = build_report(conn, generated_at=GENERATED_AT)
    assert report.metrics_unavailable == "Unable to resolve metric 'avg_deal_size'"
    for key in ("sales", "pipeline", "targets"):
        assert (
            "Nothing to show: the semantic layer could not answer (Unable to resolve metric "
            "&#39;avg_deal_size&#39;)."
        ) in section_body(report.html, key)
    assert row(tables(report.html)["table-revenue"], "2026-01")[2] == "10,000"


def test_each_sales_section_names_the_marts_its_metrics_read() -> None:
    """The sources a section shows (and checks for before asking) are the marts the
    semantic models of its metrics read."""
    manifest = json.loads(SEMANTIC_MANIFEST.read_text())
    mart_of_measure = {
        measure["name"]: model["node_relation"]["alias"]
        for model in manifest["semantic_models"]
        for measure in model["measures"]
    }
    inputs = {
        metric["name"]: {m["name"] for m in metric["type_params"]["input_measures"]}
        for metric in manifest["metrics"]
    }
    for metrics, sources in (
        (metric_queries.SALES_METRICS, metric_queries.SALES_SOURCES),
        (metric_queries.TARGET_METRICS, metric_queries.TARGET_SOURCES),
        (metric_queries.PIPELINE_METRICS, metric_queries.PIPELINE_SOURCES),
    ):
        read = {mart_of_measure[measure] for metric in metrics for measure in inputs[metric]}
        assert read == set(sources), metrics
    assert set(metric_queries.METRIC_MARTS) == {
        *metric_queries.SALES_SOURCES,
        *metric_queries.TARGET_SOURCES,
        *metric_queries.PIPELINE_SOURCES,
    }


def test_summary_cards_total_the_months(page: str) -> None:
    summary = page[page.index('id="summary"') : page.index("</header>")]
    assert "2026-01 – 2026-02" in summary
    assert ">35,000<" in summary  # won revenue 10,000 + 25,000
    assert ">3<" in summary  # won deals 2 + 1
    assert ">2,735<" in summary  # ad spend 1,500 + 1,234.50, rounded


def test_funnel_conversion_rates(page: str) -> None:
    found = tables(page)
    funnel = found["table-funnel"]
    assert row(funnel, "Visitor → Lead") == ["Visitor → Lead", "30", "10", "33.3%"]
    assert row(funnel, "Lead → MQL") == ["Lead → MQL", "10", "4", "40.0%"]
    cohorts = found["table-funnel-cohorts"]
    assert cohorts[0] == ["Cohort month", "Visitor → Lead", "Lead → MQL"]
    assert row(cohorts, "2026-02") == ["2026-02", "30.0%", "50.0%"]
    assert row(cohorts, "2026-01") == ["2026-01", "40.0%", "25.0%"]


def test_channel_roi_under_each_model(page: str) -> None:
    found = tables(page)
    revenue = found["table-roi-revenue"]
    assert revenue[0] == ["Channel", "Spend (USD)", "First touch", "Linear"]
    assert revenue[1] == ["Revenue", "ROAS", "Revenue", "ROAS"]
    assert row(revenue, "Paid Search") == [
        "Paid Search", "1,500", "5,000", "3.33×", "2,500", "1.67×"
    ]  # fmt: skip
    assert row(revenue, "Direct") == ["Direct", "0", "5,000", "–", "7,500", "–"]
    assert [r[0] for r in revenue[2:]] == ["Direct", "Paid Search", "Unattributed"]
    leads = found["table-roi-leads"]
    assert row(leads, "Paid Search") == [
        "Paid Search", "1,500", "5.0", "300.00", "1.0", "3.0", "500.00", "0.5"
    ]  # fmt: skip
    assert row(leads, "Direct") == ["Direct", "0", "6.0", "0.00", "1.0", "8.0", "0.00", "1.5"]


def test_spend_cpl_and_cac_by_month(page: str) -> None:
    spend = tables(page)["table-spend"]
    assert row(spend, "2026-01") == ["2026-01", "1,500", "500", "30", "50.00", "2", "1,000.00"]
    assert row(spend, "2026-02") == ["2026-02", "1,235", "0", "0", "–", "0", "–"]


def test_email_campaigns_table_escapes_names(page: str) -> None:
    assert "Spring &lt;b&gt;launch&lt;/b&gt; &amp; more" in page
    assert "<b>launch</b>" not in page
    email = tables(page)["table-email"]
    assert email[1] == [
        CAMPAIGN_NAME, "2026-01-15", "1,000", "980", "490", "50.0%", "49", "5.0%", "10.0%",
        "20", "3",
    ]  # fmt: skip


def section_body(html: str, key: str) -> str:
    body = html[html.index(f'<section id="{key}">') :]
    return body[: body.index("</section>")]


def test_empty_and_missing_marts_say_no_data_yet(tmp_path: Path) -> None:
    path = make_warehouse(tmp_path / "w.duckdb", with_funnel=False, with_email=False)
    conn = duckdb.connect(str(path), read_only=True)
    try:
        report = build_report(conn, generated_at=GENERATED_AT)
    finally:
        conn.close()
    assert report.rows_per_section == {
        "revenue": 2,
        "sales": 3,  # months with a closed deal
        "pipeline": 5,  # month ends x stages
        "targets": 2,  # months with a target
        "funnel": 0,
        "roi": 8,
        "spend": 2,
        "email": 0,
    }
    for key in ("funnel", "email"):
        body = section_body(report.html, key)
        assert "no data yet" in body
        assert "<table" not in body


def test_a_warehouse_without_marts_renders_every_section_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metric_queries, "MetricsEngine", _no_engine)
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    page = render(tmp_path / "empty.duckdb")
    assert page.count("no data yet") == 8
    assert 'id="summary"' not in page


def test_the_page_is_self_contained(page: str) -> None:
    page = page.lower()
    assert "http://" not in page
    assert "https://" not in page
    for external in ("<script", "<link", "@import", "<img", "url("):
        assert external not in page


def test_write_report_replaces_latest_atomically(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    first = write_report("<p>one</p>", report_dir, GENERATED_AT)
    assert first == report_dir / "report-20260301T120000.html"
    latest = report_dir / "latest.html"
    assert latest.read_text() == first.read_text() == "<p>one</p>"

    # A reader holding latest.html open keeps reading the old page: the new one is a
    # new file renamed over it, never the old file rewritten in place.
    with latest.open() as reader:
        later = datetime(2026, 3, 1, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
        second = write_report("<p>two</p>", report_dir, later)
        assert reader.read() == "<p>one</p>"
    assert second.name == "report-20260301T123005.html"  # named in UTC
    assert latest.read_text() == "<p>two</p>"
    assert first.read_text() == "<p>one</p>"
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "latest.html",
        "report-20260301T120000.html",
        "report-20260301T123005.html",
    ]  # no temporary file left behind


def test_write_report_sweeps_the_temp_files_of_a_killed_run(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    report_dir.mkdir()
    # what a run killed with kill -9 between mkstemp and os.replace leaves
    (report_dir / ".latest.html.k1ll3d.tmp").write_text("<p>half")
    (report_dir / ".report-20260301T110000.html.x9.tmp").write_text("<p>ha")
    (report_dir / "notes.txt").write_text("not ours")
    write_report("<p>one</p>", report_dir, GENERATED_AT)
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "latest.html",
        "notes.txt",
        "report-20260301T120000.html",
    ]


def test_report_asset_spec() -> None:
    defs = dg.Definitions.merge(
        build_report_definitions(), dg.Definitions(resources={"warehouse": WarehouseResource()})
    )
    graph = defs.resolve_asset_graph()
    node = graph.get(REPORT_ASSET_KEY)
    assert node.group_name == "reports"
    # it reads the published file, whichever marts in it are fresh or held back
    assert set(node.parent_keys) == {SERVING_ASSET_KEY}
    assert set(MART_ASSET_KEYS) == {
        dg.AssetKey(["marts", "mart_sales_monthly"]),
        dg.AssetKey(["marts", "mart_funnel"]),
        dg.AssetKey(["marts", "mart_channel_roi"]),
        dg.AssetKey(["marts", "mart_email_campaigns"]),
        # through the semantic layer's metrics
        dg.AssetKey(["marts", "fct_opportunities"]),
        dg.AssetKey(["marts", "mart_pipeline_by_stage"]),
        dg.AssetKey(["marts", "dim_persons"]),
    }
    assert "Static HTML report" in (node.description or "")
    assert node.pools in (set(), None)  # it only reads: no writer slot


def test_report_asset_materializes_from_the_published_file(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_dir = tmp_path / "reports"
    monkeypatch.setenv("JOURNEY_REPORT_DIR", str(report_dir))
    # the fixture's file has schema marts, as the published file does
    monkeypatch.setenv("JOURNEY_SERVING", str(warehouse))
    # A second read-only reader (a BI tool) is open the whole time: the report must
    # not need a write lock.
    other_reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = dg.materialize(
            build_report_definitions().assets,
            resources={"warehouse": WarehouseResource(warehouse_path=str(warehouse))},
        )
    finally:
        other_reader.close()
    assert result.success
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    path = Path(metadata["path"].value)
    assert path.parent == report_dir and path.name.startswith("report-")
    assert (report_dir / "latest.html").read_text() == path.read_text()
    assert metadata["rows_per_section"].value == {
        "revenue": 2,
        "sales": 3,
        "pipeline": 5,
        "targets": 2,
        "funnel": 6,
        "roi": 8,
        "spend": 2,
        "email": 1,
    }
    assert len(metadata["sections"].value) == 8
    assert metadata["empty_sections"].value == []
    assert metadata["currency"].value == "USD"
    assert metadata["metrics_queries"].value == 3


def test_the_report_names_the_marts_held_back_and_why(warehouse: Path, tmp_path: Path) -> None:
    published = tmp_path / "serving.duckdb"
    shutil.copy(warehouse, published)
    with duckdb.connect(str(published)) as conn:
        conn.execute(
            "create table marts._publication as select *, "
            "timestamp '2026-03-02 06:05' as published_at, 'run-2' as run_id, "
            "case when data_built_at is not null then 'run-1' end as data_run_id "
            "from (values "
            "('mart_funnel', 6, false, null, timestamp '2026-03-02 06:00'), "
            "('mart_sales_monthly', 2, true, "
            "'intermediate/int_opportunities_converted / fx_rate_available_for_deals', "
            "timestamp '2026-03-01 06:00'), "
            "('fct_attribution', null, true, 'held with mart_sales_monthly', null)) "
            "as t(table_name, row_count, held_back, held_by, data_built_at)"
        )
    with duckdb.connect(str(published), read_only=True) as conn:
        html = build_report(conn, generated_at=datetime(2026, 3, 2, 7, tzinfo=UTC)).html

    assert "Held back:" in html
    assert (
        "<strong>mart_sales_monthly</strong>: last good build of 2026-03-01 06:00 UTC; held "
        "back by intermediate/int_opportunities_converted / fx_rate_available_for_deals"
    ) in html
    assert "<strong>fct_attribution</strong>: not published yet" in html
    assert "<strong>mart_funnel</strong>" not in html
    with duckdb.connect(str(warehouse), read_only=True) as conn:  # no _publication
        assert "Held back:" not in build_report(conn, generated_at=datetime(2026, 3, 2)).html


def test_reporting_currency_comes_from_the_dbt_var(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: x\nvars:\n  reporting_currency: EUR\n")
    assert reporting_currency(tmp_path) == "EUR"
    assert reporting_currency(tmp_path / "missing") == "USD"
    assert reporting_currency() == "USD"  # the project's default


# ------------------------------------------------------------------ real browser


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def png_facts(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct (filtered) scanlines of a PNG.

    A page of a single colour gives identical scanlines, so a handful of distinct ones
    at most whatever filters the encoder picked; a rendered report gives hundreds.
    """
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, bytearray(), b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunk = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0, "unexpected PNG layout"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(bytes(idat))
    stride = 1 + width * channels
    assert len(raw) == stride * height
    rows = {raw[i * stride + 1 : (i + 1) * stride] for i in range(height)}
    return width, height, len(rows)


def screenshot(browser: str, page: Path, png: Path, profile: Path) -> None:
    png.unlink(missing_ok=True)
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--hide-scrollbars",
            f"--screenshot={png}",
            "--window-size=1280,2400",
            page.resolve().as_uri(),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )


def test_report_renders_in_a_headless_browser(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    browser = find_browser()
    if browser is None:
        pytest.skip(
            "no headless browser on PATH (looked for " + ", ".join(BROWSERS) + "); "
            "install one with tests/reports/install_chromium.sh"
        )
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = SCREENSHOT_DIR / "report.html"
    png = SCREENSHOT_DIR / "report.png"
    page.write_text(render(warehouse), encoding="utf-8")
    screenshot(browser, page, png, tmp_path / "browser-profile")
    with capsys.disabled():
        print(f"\nreport screenshot: {png}")
    assert png.exists(), f"{browser} wrote no screenshot"
    assert png.stat().st_size > 20_000, f"{png} is only {png.stat().st_size} bytes"
    width, height, distinct_rows = png_facts(png)
    assert (width, height) == (1280, 2400)
    assert distinct_rows > 100, f"{png} looks blank ({distinct_rows} distinct rows)"

    # The control: a blank page of one colour fails the same test.
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body style='background:#fff'></body></html>")
    blank_png = tmp_path / "blank.png"
    screenshot(browser, blank, blank_png, tmp_path / "browser-profile")
    assert png_facts(blank_png)[2] <= 3
    assert os.path.getsize(blank_png) < 20_000
