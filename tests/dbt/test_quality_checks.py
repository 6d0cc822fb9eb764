"""The data-quality checks fail on poisoned data and pass on clean data.

A check that cannot fail is a defect (issue 4). One clean warehouse is built for the
module (``dbt build``, unit tests excluded: other modules run them) and every check
below passes on it. Each test then poisons a copy of that warehouse in one way, runs
``dbt test --select <check>`` (after ``dbt run`` of the one model the poison must flow
through, where it needs one) and reads the check's status and failure count from dbt's
run_results.json. Every number is worked out by hand from the rows below. One test
runs a whole ``dbt build`` on a deal without a rate: only the marts showing deal money
are skipped. A last test reads the manifest: every singular test carries what
dagster-dbt needs to make it a described asset check on the asset it guards.

The clean data (reporting currency USD; ECB rates per EUR on Wednesday 2026-01-14 and
Monday 2026-02-09, both USD 1.25 and GBP 0.80, carried forward to later days):

- Deals: O1 (Account A1, EUR 1000, won 2026-01-15: 1000 x 1.25 = USD 1250), O2 (A2,
  USD 3000, won 01-30), O3 (A1, USD 500, lost 01-20), O4 (A2, GBP 800, won 02-10:
  800 x 1.25 / 0.80 = USD 1250), O5 (A2, no amount, won 02-11: 0). January: 2 won
  deals, USD 4250; February: 2 won deals, USD 1250.
- Ad spend: 2026-01-15 Google Ads USD 100.00 (account 111) and EUR 40.00 (account 222,
  USD 50.00): USD 150.00; 2026-01-16 Meta EUR 20.00 (USD 25.00) and LinkedIn
  costInUsd 10.004 (rounded to USD 10.00).
- Ann (ann@x.com) browses once on 2026-01-02 and becomes a Contact of A1 on 01-03: her
  lead (01-03) has one touchpoint; O1 makes her an Opportunity (01-05) and a Customer
  (01-15). A2's deals have no contact: Unattributed.
- Two SendGrid events with ids sg-1 and sg-2.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

SF = "crm/salesforce/"
A1, A2 = "0010000000000A1AAA", "0010000000000A2AAA"
O1, O2, O3, O4, O5 = (f"0060000000000O{n}AAA" for n in range(1, 6))
SITE = "https://www.acme.example"


def _sf(object_: str, position: int, id_: str, created: str, **fields) -> dict:
    return {
        "id": id_,
        "created_date": created,
        "system_modstamp": created,
        "is_deleted": "false",
        "_source_file": f"{SF}{object_}/2026-02-20.csv",
        "_source_position": position,
        **fields,
    }


def _deal(position: int, id_: str, account: str, created: str, close: str, won: bool, **fields):
    return _sf(
        "Opportunity",
        position,
        id_,
        f"{created}T10:00:00.000Z",
        account_id=account,
        close_date=close,
        is_closed="true",
        is_won="true" if won else "false",
        stage_name="Closed Won" if won else "Closed Lost",
        type="New Customer",
        **fields,
    )


def _google(position: int, customer: str, currency: str, ad: str, cost_micros: str) -> dict:
    return {
        "customer_id": customer,
        "customer_currency_code": currency,
        "campaign_id": f"70{customer}",
        "campaign_name": f"Search {currency}",
        "ad_group_id": "22",
        "ad_id": ad,
        "segments_date": "2026-01-15",
        "metrics_impressions": "1000",
        "metrics_clicks": "10",
        "metrics_cost_micros": cost_micros,
        "_source_file": "ads/google_ads/2026-01-16.json",
        "_source_position": position,
    }


def _sendgrid(position: int, event_id: str, event: str) -> dict:
    return {
        "sg_event_id": event_id,
        "sg_message_id": "msg-1",
        "email": "ann@x.com",
        "timestamp": str(1768464000 + 60 * position),  # 2026-01-15T08:00:00Z onwards
        "event": event,
        "singlesend_id": "S1",
        "singlesend_name": "January news",
        "_source_file": f"email/sendgrid/{position:04d}.json",
        "_source_position": 1,
    }


def _fx(position: int, rate_date: str, currency: str, rate: str) -> dict:
    return {
        "rate_date": rate_date,
        "currency_code": currency,
        "rate": rate,
        "_source_file": "finance/fx/eurofxref-hist.csv",
        "_source_position": position,
    }


RAW_ROWS: dict[tuple[str, str], list[dict]] = {
    ("fx", "ecb_rates"): [
        _fx(2, "2026-01-14", "USD", "1.2500"),
        _fx(2, "2026-01-14", "GBP", "0.8000"),
        _fx(3, "2026-02-09", "USD", "1.2500"),
        _fx(3, "2026-02-09", "GBP", "0.8000"),
    ],
    ("salesforce", "account"): [
        _sf("Account", 1, A1, "2025-01-01T00:00:00.000Z", name="Alpha"),
        _sf("Account", 2, A2, "2025-01-01T00:00:00.000Z", name="Beta"),
    ],
    ("salesforce", "contact"): [
        _sf(
            "Contact",
            1,
            "0030000000000C1AAA",
            "2026-01-03T00:00:00.000Z",
            email="ann@x.com",
            account_id=A1,
        ),
    ],
    ("salesforce", "opportunity"): [
        _deal(1, O1, A1, "2026-01-05", "2026-01-15", True, amount="1000", currency_iso_code="EUR"),
        _deal(2, O2, A2, "2026-01-10", "2026-01-30", True, amount="3000", currency_iso_code="USD"),
        _deal(3, O3, A1, "2026-01-12", "2026-01-20", False, amount="500", currency_iso_code="USD"),
        _deal(4, O4, A2, "2026-02-01", "2026-02-10", True, amount="800", currency_iso_code="GBP"),
        _deal(5, O5, A2, "2026-02-02", "2026-02-11", True, currency_iso_code="USD"),
    ],
    ("google_ads", "ad_stats"): [
        _google(1, "111", "USD", "33", "100000000"),
        _google(2, "222", "EUR", "44", "40000000"),
    ],
    ("meta_ads", "insights"): [
        {
            "account_id": "9001",
            "account_currency": "EUR",
            "campaign_id": "c1",
            "campaign_name": "Ebook",
            "adset_id": "s1",
            "ad_id": "m1",
            "date_start": "2026-01-16",
            "date_stop": "2026-01-16",
            "impressions": "2000",
            "clicks": "40",
            "spend": "20.00",
            "_source_file": "ads/meta_ads/2026-01-17.json",
            "_source_position": 1,
        },
    ],
    ("linkedin_ads", "ad_analytics"): [
        {
            "creative_urn": "urn:li:sponsoredCreative:555",
            "date_start": "2026-01-16",
            "date_end": "2026-01-16",
            "impressions": "300",
            "clicks": "6",
            "cost_in_usd": "10.004",
            "_source_file": "ads/linkedin_ads/analytics/2026-01-17.json",
            "_source_position": 1,
        },
    ],
    ("linkedin_ads", "creatives"): [
        {
            "id": "urn:li:sponsoredCreative:555",
            "campaign": "urn:li:sponsoredCampaign:70",
            "_source_file": "ads/linkedin_ads/creatives/a.json",
            "_source_position": 1,
        },
    ],
    ("linkedin_ads", "campaigns"): [
        {
            "id": "70",
            "name": "Q1 Webinar",
            "account": "urn:li:sponsoredAccount:900",
            "status": "ACTIVE",
            "_source_file": "ads/linkedin_ads/campaigns/a.json",
            "_source_position": 1,
        },
    ],
    ("segment", "events"): [
        {
            "message_id": "seg-1",
            "type": "page",
            "anonymous_id": "anon-ann",
            "timestamp": "2026-01-02T09:00:00.000Z",
            "context_page_url": f"{SITE}/blog",
            "context_page_path": "/blog",
            "context_page_referrer": "https://www.google.com/",
            "_source_file": "web/segment/2026-01-02.jsonl",
            "_source_position": 1,
        },
        {
            "message_id": "seg-2",
            "type": "identify",
            "anonymous_id": "anon-ann",
            "timestamp": "2026-01-02T09:01:00.000Z",
            "traits": '{"email": "ann@x.com"}',
            "_source_file": "web/segment/2026-01-02.jsonl",
            "_source_position": 2,
        },
    ],
    ("sendgrid", "events"): [
        _sendgrid(1, "sg-1", "processed"),
        _sendgrid(2, "sg-2", "delivered"),
    ],
}

# the checks poisoned below, each of which must pass on the clean warehouse
CHECKS = [
    "fx_rate_available_for_deals",
    "fx_rate_available_for_ad_spend",
    "won_revenue_reconciles",
    "fct_attribution_credits_sum_to_one",
    "dim_persons_stage_times_non_decreasing",
    "marketing_spend_reconciles",
    "source_unique_sendgrid_events_sg_event_id",
    "rate_is_ratio_of_mart_marketing_daily_ctr__impressions__clicks",
    "rate_is_ratio_of_mart_funnel_conversion_rate_from_previous__previous_stage_persons__persons",
    "accepted_range_mart_marketing_daily_spend__0",
    "channel_in_seed_list_mart_channel_roi_channel",
    "channel_in_seed_list_fct_customer_journey_channel",
]


@pytest.fixture(scope="module")
def clean(dbt_harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The clean warehouse, built once, and the results of that build.

    dbt runs on ``work_dir/warehouse.duckdb`` only, the clean copy is kept beside it:
    every dbt invocation of the module then has the same profile and target path, so
    dbt parses the project once and partially after that.
    """
    work_dir = tmp_path_factory.mktemp("quality_checks")
    warehouse = dbt_harness.create_warehouse(work_dir / "warehouse.duckdb")
    for (source, object_), rows in RAW_ROWS.items():
        dbt_harness.insert_raw(warehouse, source, object_, rows)
    dbt_harness.run_dbt(["build", "--exclude-resource-type", "unit_test"], warehouse, work_dir)
    results = dbt_harness.run_results(work_dir)
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    shutil.copy(warehouse, work_dir / "clean.duckdb")
    return {
        "work_dir": work_dir,
        "warehouse": work_dir / "clean.duckdb",
        "results": results,
        "manifest": manifest,
    }


@pytest.fixture
def poisoned(dbt_harness, clean: dict) -> dict:
    """A fresh copy of the clean warehouse to poison, and dbt runners on it.

    ``run(args)`` runs dbt on the copy (an error fails the pytest test); ``test(select)``
    runs ``dbt test --select`` and returns the results by node name (a failing data
    test is a status, not a pytest failure); ``failing_rows(check)`` runs the check's
    SQL as dbt compiled it and returns its rows.
    """
    work_dir = clean["work_dir"]
    warehouse = work_dir / "warehouse.duckdb"
    shutil.copy(clean["warehouse"], warehouse)

    def run(args: list[str]) -> None:
        dbt_harness.run_dbt(args, warehouse, work_dir)

    def test(select: str) -> dict[str, dict]:
        dbt_harness.run_dbt(["test", "--select", select], warehouse, work_dir, check=False)
        return dbt_harness.run_results(work_dir)

    def failing_rows(check: str) -> list[dict]:
        [compiled] = (work_dir / "target" / "compiled").rglob(f"{check}.sql")
        return dbt_harness.query_dicts(warehouse, compiled.read_text())

    return {
        "warehouse": warehouse,
        "run": run,
        "test": test,
        "failing_rows": failing_rows,
        "execute": lambda sql: _execute(warehouse, sql),
    }


def _execute(warehouse: Path, sql: str) -> None:
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(sql)


def test_every_check_passes_on_clean_data(clean: dict) -> None:
    results = clean["results"]
    for check in CHECKS:
        assert (results[check]["status"], results[check]["failures"]) == ("pass", 0), check


def test_every_singular_test_is_a_described_check_on_a_parent(clean: dict) -> None:
    """dagster-dbt names a check's asset from meta.dagster.ref (a singular test with one
    parent would not need it; naming it anyway keeps the check when a parent is added)
    and reads its description from the top-level meta.description."""
    nodes = clean["manifest"]["nodes"]
    singular = [
        n for n in nodes.values() if n["resource_type"] == "test" and "test_metadata" not in n
    ]
    # the engine contract (tests/engine_contract/) tests the macros on literal cases:
    # no parent, no check, left out of a refresh
    contract = [n for n in singular if "engine_contract" in n["tags"]]
    assert len(contract) >= 15 and all(not n["depends_on"]["nodes"] for n in contract)
    singular = [n for n in singular if n not in contract]
    assert len(singular) == 28
    for test in singular:
        parents = {nodes[p]["name"] for p in test["depends_on"]["nodes"]}
        assert test["meta"]["dagster"]["ref"]["name"] in parents, test["name"]
        assert test["meta"]["description"].strip(), test["name"]
        assert test["config"]["severity"].lower() in ("error", "warn"), test["name"]
        assert not test["name"].startswith("assert_"), test["name"]


def test_clean_marts_hold_the_hand_computed_numbers(dbt_harness, clean: dict) -> None:
    months = dbt_harness.query(
        clean["warehouse"],
        "select month, won_deals, won_revenue from marts.mart_sales_monthly order by month",
    )
    assert months == [
        (date(2026, 1, 1), 2, Decimal("4250")),
        (date(2026, 2, 1), 2, Decimal("1250")),
    ]
    spend = dbt_harness.query(
        clean["warehouse"],
        "select date, platform, sum(spend) from marts.mart_marketing_daily"
        " where spend <> 0 group by all order by all",
    )
    assert spend == [
        (date(2026, 1, 15), "google_ads", Decimal("150")),
        (date(2026, 1, 16), "linkedin_ads", Decimal("10")),
        (date(2026, 1, 16), "meta_ads", Decimal("25")),
    ]


def _chf_deal() -> dict:
    """A CHF deal won on 2026-01-20: the ECB file has no CHF rate on or before it."""
    return _deal(
        6,
        "0060000000000O6AAA",
        A1,
        "2026-01-06",
        "2026-01-20",
        True,
        amount="700",
        currency_iso_code="CHF",
    )


def test_deal_currency_without_fx_rate_fails_fx_rate_available_for_deals(
    dbt_harness, poisoned: dict
) -> None:
    dbt_harness.insert_raw(poisoned["warehouse"], "salesforce", "opportunity", [_chf_deal()])
    poisoned["run"](
        [
            "run",
            "--select",
            "stg_salesforce__opportunities",
            "int_opportunities_classified",
            "int_opportunities_converted",
        ]
    )
    check = poisoned["test"]("fx_rate_available_for_deals")["fx_rate_available_for_deals"]
    assert (check["status"], check["failures"]) == ("fail", 1)
    [row] = poisoned["failing_rows"]("fx_rate_available_for_deals")
    assert (row["model_name"], row["row_id"], row["currency_code"]) == (
        "int_opportunities_converted",
        "0060000000000O6AAA",
        "CHF",
    )
    assert (row["rate_needed_for_date"], row["amount"]) == (date(2026, 1, 20), 700)


# the marts that show deal money, all downstream of int_opportunities_converted
DEAL_MONEY_MARTS = [
    "fct_attribution",
    "mart_channel_roi",
    "mart_sales_monthly",
    "mart_sales_owner_monthly",
    "mart_pipeline_by_stage",
    "fct_customer_journey",
    "fct_opportunities",
]
# what reads int_opportunities_classified (no rate) and must build anyway
NO_DEAL_MONEY_MODELS = [
    "int_opportunity_persons_linked",
    "int_person_stages",
    "int_attribution_credits",
    "int_first_touch_credits",
    "dim_persons",
    "mart_funnel",
    "mart_marketing_daily",
    "mart_email_campaigns",
]


def test_deal_without_fx_rate_skips_only_the_marts_showing_deal_money(
    dbt_harness, clean: dict, poisoned: dict
) -> None:
    dbt_harness.insert_raw(poisoned["warehouse"], "salesforce", "opportunity", [_chf_deal()])
    build = dbt_harness.run_dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        poisoned["warehouse"],
        clean["work_dir"],
        check=False,
    )
    assert build.returncode == 1, build.stdout[-4000:]
    results = dbt_harness.run_results(clean["work_dir"])
    check = results["fx_rate_available_for_deals"]
    assert (check["status"], check["failures"]) == ("fail", 1)
    assert {m: results[m]["status"] for m in DEAL_MONEY_MARTS} == dict.fromkeys(
        DEAL_MONEY_MARTS, "skipped"
    )
    assert {m: results[m]["status"] for m in NO_DEAL_MONEY_MODELS} == dict.fromkeys(
        NO_DEAL_MONEY_MODELS, "success"
    )
    # attribution still credits the CHF deal as a won conversion; only its money waits
    assert dbt_harness.query(
        poisoned["warehouse"],
        "select count(*) from intermediate.int_attribution_conversions"
        " where conversion_id = '0060000000000O6AAA'",
    ) == [(1,)]


def test_ad_spend_currency_without_fx_rate_fails_fx_rate_available_for_ad_spend(
    dbt_harness, poisoned: dict
) -> None:
    # a Google Ads account billing in CHF on 2026-01-15: no CHF rate on or before it
    chf = _google(3, "333", "CHF", "55", "30000000")
    dbt_harness.insert_raw(poisoned["warehouse"], "google_ads", "ad_stats", [chf])
    poisoned["run"](
        [
            "run",
            "--select",
            "stg_google_ads__ad_stats",
            "int_ad_performance_unioned",
            "--full-refresh",
        ]
    )
    results = poisoned["test"]("fx_rate_available_for_ad_spend")
    check = results["fx_rate_available_for_ad_spend"]
    assert (check["status"], check["failures"]) == ("fail", 1)
    [row] = poisoned["failing_rows"]("fx_rate_available_for_ad_spend")
    assert (row["model_name"], row["currency_code"]) == ("int_ad_performance_unioned", "CHF")
    assert (row["rate_needed_for_date"], row["amount"]) == (date(2026, 1, 15), 30)
    # the deals' check is another check: it still passes
    deals = poisoned["test"]("fx_rate_available_for_deals")["fx_rate_available_for_deals"]
    assert (deals["status"], deals["failures"]) == ("pass", 0)


def test_deal_counted_twice_fails_won_revenue_reconciles(poisoned: dict) -> None:
    # a fan-out on the way to the mart: O2 (USD 3000, won in January) twice
    poisoned["execute"](
        "insert into intermediate.int_opportunities_converted"
        f" select * from intermediate.int_opportunities_converted where opportunity_id = '{O2}'"
    )
    poisoned["run"](["run", "--select", "mart_sales_monthly"])
    check = poisoned["test"]("won_revenue_reconciles")["won_revenue_reconciles"]
    assert (check["status"], check["failures"]) == ("fail", 1)
    [row] = poisoned["failing_rows"]("won_revenue_reconciles")
    assert row["month"] == date(2026, 1, 1)
    assert (row["expected_won_deals"], row["actual_won_deals"]) == (2, 3)
    assert (row["expected_won_revenue"], row["actual_won_revenue"]) == (4250, 7250)


def test_credits_not_summing_to_one_fail_the_sum_to_one_check(poisoned: dict) -> None:
    # Ann's lead has one touchpoint: under linear it gets all the credit; give it half
    poisoned["execute"](
        "update marts.fct_attribution set credit = 0.5"
        " where conversion_type = 'lead' and model = 'linear'"
    )
    results = poisoned["test"]("fct_attribution_credits_sum_to_one")
    check = results["fct_attribution_credits_sum_to_one"]
    assert (check["status"], check["failures"]) == ("fail", 1)
    [row] = poisoned["failing_rows"]("fct_attribution_credits_sum_to_one")
    assert (row["conversion_type"], row["model"], row["credit_sum"]) == ("lead", "linear", 0.5)


def test_stage_before_the_previous_fails_the_stage_order_check(dbt_harness, poisoned) -> None:
    # Ann: lead 2026-01-03, MQL 2026-01-05 10:00; move her MQL to the day before her lead
    assert dbt_harness.query(
        poisoned["warehouse"],
        "select lead_at, mql_at from marts.dim_persons where mql_at is not null",
    ) == [(datetime(2026, 1, 3), datetime(2026, 1, 5, 10, 0))]
    poisoned["execute"]("update marts.dim_persons set mql_at = timestamp '2026-01-02 00:00:00'")
    results = poisoned["test"]("dim_persons_stage_times_non_decreasing")
    check = results["dim_persons_stage_times_non_decreasing"]
    assert (check["status"], check["failures"]) == ("fail", 1)


def test_mart_spend_off_staging_fails_marketing_spend_reconciles(poisoned: dict) -> None:
    # on the way to the mart LinkedIn's row is lost and Google's EUR 40.00 is taken as
    # USD (a silent rate of 1.0)
    poisoned["execute"](
        "delete from intermediate.int_ad_performance_unioned where platform = 'linkedin_ads'"
    )
    poisoned["execute"](
        "update intermediate.int_ad_performance_unioned"
        " set spend_in_reporting_currency = spend where currency_code = 'EUR'"
        " and platform = 'google_ads'"
    )
    poisoned["run"](["run", "--select", "mart_marketing_daily"])
    check = poisoned["test"]("marketing_spend_reconciles")["marketing_spend_reconciles"]
    assert (check["status"], check["failures"]) == ("fail", 2)
    rows = sorted(
        (r["date"], r["platform"], r["expected_spend"], r["actual_spend"])
        for r in poisoned["failing_rows"]("marketing_spend_reconciles")
    )
    assert rows == [
        (date(2026, 1, 15), "google_ads", 150, 140),
        (date(2026, 1, 16), "linkedin_ads", 10, 0),
    ]


def test_duplicate_sg_event_id_in_raw_warns_on_the_source_unique_check(
    dbt_harness, poisoned: dict
) -> None:
    # sg-1 delivered twice past ingestion: a warning (staging keeps the first copy)
    dbt_harness.insert_raw(
        poisoned["warehouse"], "sendgrid", "events", [_sendgrid(3, "sg-1", "processed")]
    )
    results = poisoned["test"]("source:sendgrid.events")
    unique = results["source_unique_sendgrid_events_sg_event_id"]
    assert (unique["status"], unique["failures"]) == ("warn", 1)


# -- the marts' row-level rules (generic tests in dbt_project/tests/generic) -----------

CTR_CHECK = "rate_is_ratio_of_mart_marketing_daily_ctr__impressions__clicks"


def test_rates_that_are_not_their_counts_ratio_fail_rate_is_ratio_of(poisoned: dict) -> None:
    # Four rows only the test reads the rate columns of: right (5 / 100 = 0.05), twice
    # the ratio, a CTR of 0 without impressions (null, never 0, definitions §5) and a
    # rate above 1 that is its ratio (120 clicks of 100 impressions).
    poisoned["execute"](
        "insert into marts.mart_marketing_daily by name "
        "select * from (values "
        "('x-right', 100, 5, 0.05), ('x-double', 100, 5, 0.10), "
        "('x-zero', 0, 0, 0.0), ('x-above', 100, 120, 1.2)"
        ") as t(marketing_daily_id, impressions, clicks, ctr)"
    )
    check = poisoned["test"](CTR_CHECK)[CTR_CHECK]
    assert (check["status"], check["failures"]) == ("fail", 3)
    rows = sorted(
        (float(r["stored_rate"]), r["rate_from_counts"])
        for r in poisoned["failing_rows"](CTR_CHECK)
    )
    assert rows == [(0.0, None), (0.1, pytest.approx(0.05)), (1.2, pytest.approx(1.2))]


def test_a_conversion_rate_above_1_fails_rate_is_ratio_of(poisoned: dict) -> None:
    # 24 MQLs of 20 leads: the ratio is 1.2, and no funnel rate may exceed 1.
    check_name = (
        "rate_is_ratio_of_mart_funnel_conversion_rate_from_previous"
        "__previous_stage_persons__persons"
    )
    poisoned["execute"](
        "insert into marts.mart_funnel by name "
        "select 'x-mql' as funnel_cohort_id, 24 as persons, 20 as previous_stage_persons, "
        "1.2 as conversion_rate_from_previous"
    )
    check = poisoned["test"](check_name)[check_name]
    assert (check["status"], check["failures"]) == ("fail", 1)


def test_negative_spend_fails_its_accepted_range(poisoned: dict) -> None:
    check_name = "accepted_range_mart_marketing_daily_spend__0"
    poisoned["execute"](
        "insert into marts.mart_marketing_daily by name "
        "select * from (values ('x-refund', -5.0), ('x-unknown', null)) "
        "as t(marketing_daily_id, spend)"
    )
    check = poisoned["test"](check_name)[check_name]
    # The null spend is unknown spend, not negative spend (definitions §5).
    assert (check["status"], check["failures"]) == ("fail", 1)


def test_a_channel_outside_the_seed_fails_channel_in_seed_list(poisoned: dict) -> None:
    check_name = "channel_in_seed_list_mart_channel_roi_channel"
    poisoned["execute"](
        "insert into marts.mart_channel_roi by name "
        "select * from (values ('x-1', 'Carrier Pigeon'), ('x-2', 'Carrier Pigeon'), "
        "('x-3', 'Unattributed'), ('x-4', 'Paid Search')) as t(channel_roi_id, channel)"
    )
    check = poisoned["test"](check_name)[check_name]
    assert (check["status"], check["failures"]) == ("fail", 1)  # one unknown channel
    assert [(r["channel"], r["mart_rows"]) for r in poisoned["failing_rows"](check_name)] == [
        ("Carrier Pigeon", 2)
    ]


def test_a_channel_added_to_the_seed_needs_no_code_change(poisoned: dict) -> None:
    check_name = "channel_in_seed_list_mart_channel_roi_channel"
    poisoned["execute"](
        "insert into marts.mart_channel_roi by name "
        "select 'x-1' as channel_roi_id, 'Carrier Pigeon' as channel; "
        "insert into seeds.channel_rules by name "
        "select 99 as priority, 'Carrier Pigeon' as channel"
    )
    check = poisoned["test"](check_name)[check_name]
    assert (check["status"], check["failures"]) == ("pass", 0)


def test_journey_rows_without_a_channel_pass_channel_in_seed_list(poisoned: dict) -> None:
    # CRM and funnel activities have no channel; the clean fixture has them (deal_won).
    check_name = "channel_in_seed_list_fct_customer_journey_channel"
    results = poisoned["test"](check_name)
    assert (results[check_name]["status"], results[check_name]["failures"]) == ("pass", 0)
    assert dbt_null_channels(poisoned) > 0


def dbt_null_channels(poisoned: dict) -> int:
    with duckdb.connect(str(poisoned["warehouse"]), read_only=True) as conn:
        row = conn.execute(
            "select count(*) from marts.fct_customer_journey where channel is null"
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_session_of_two_browsers_or_a_long_gap_fails_the_session_check(
    dbt_harness, poisoned
) -> None:
    # Ann browses once: one session, one event, of her browser anon-ann
    [(session_id, browser_id, event_at)] = dbt_harness.query(
        poisoned["warehouse"],
        "select session_id, browser_id, event_at from intermediate.int_web_events_sessionized",
    )
    assert (browser_id, event_at) == ("anon-ann", datetime(2026, 1, 2, 9, 0))
    # two more events in her session: 09:10 from another browser (the session changes
    # browser), 10:30 from that browser (80 minutes after the one before: over the
    # 30-minute timeout). One failing row each.
    poisoned["execute"](
        "insert into intermediate.int_web_events_sessionized"
        " select events.* replace ('anon-other' as browser_id, event_id || suffix as event_id,"
        " event_at + minutes * interval 1 minute as event_at)"
        " from intermediate.int_web_events_sessionized as events,"
        " (values ('-b', 10), ('-c', 90)) as added (suffix, minutes)"
    )
    results = poisoned["test"]("web_sessions_have_no_gap_over_the_timeout")
    check = results["web_sessions_have_no_gap_over_the_timeout"]
    assert (check["status"], check["failures"]) == ("fail", 2)
    rows = poisoned["failing_rows"]("web_sessions_have_no_gap_over_the_timeout")
    assert sorted((row["session_id"], row["event_at"]) for row in rows) == [
        (session_id, datetime(2026, 1, 2, 9, 10)),
        (session_id, datetime(2026, 1, 2, 10, 30)),
    ]
