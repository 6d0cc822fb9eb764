"""The BI marts (definitions §5, §6) from hand-written raw rows.

One warehouse and one ``dbt build --select +marts`` for the module: staging, the seeds,
the intermediate models the marts read, the marts, their data tests (the glossary
guards in ``dbt_project/tests/marts/``) and unit tests. Every expected value below is
worked out by hand from the rows; dbt runs in a non-UTC session time zone
(conftest.NON_UTC_TIME_ZONE).

The data, in USD (the reporting currency, so no FX rate is needed):

- Accounts A1 and A2; Contact C1 (ann@x.com, A1, created 2026-01-03) and Contact C2
  (bob@x.com, A2, created 2026-01-04).
- Opportunities: O1 (A1, created 01-05, won 01-15, 1000), O2 (A2, created 01-10, won
  01-30, 3000), O3 (A1, created 01-12, lost 01-20, 500), O4 (A2, created 03-01, won 03-11,
  2000). January: 2 won and 1 lost, win rate 2/3, revenue 4000, average 2000, cycles 10
  and 20 days (median 15), new customers A1 and A2. February: nothing, a row of zeros,
  growth 0 / 4000 - 1 = -1. March: revenue 2000, growth null (February was 0), no new
  customer (A2 already won).
- Ann browses once on 2026-01-02 from Google (Organic Search) and identifies: her lead
  (Contact created 01-03) is credited to Organic Search; Bob never visits: Unattributed.
- SendGrid single send S1: 2 processed, 2 delivered, Ann opens (a machine open, then
  her own) and clicks, Bob opens: open rate 1, click rate 1/2, click-to-open 1/2. Single
  send S2: 1 processed, nothing delivered: rates null.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

SF = "crm/salesforce/"
SEGMENT_FILE = "web/segment/2026-01-02.jsonl"
SENDGRID_FILE = "email/sendgrid/0001.json"
SITE = "https://www.acme.example"
EPOCH_2026_03_01 = 1772323200  # 2026-03-01T00:00:00Z
MART_NAMES = [
    "dim_persons",
    "fct_customer_journey",
    "fct_attribution",
    "mart_marketing_daily",
    "mart_email_campaigns",
    "mart_channel_roi",
    "mart_funnel",
    "mart_sales_monthly",
    "mart_sales_owner_monthly",
    "mart_pipeline_by_stage",
    "fct_opportunities",
    "dim_dates",
]


def _sf(object_: str, position: int, id_: str, created: str, **fields) -> dict:
    return {
        "id": id_,
        "created_date": created,
        "system_modstamp": created,
        "is_deleted": "false",
        "_source_file": f"{SF}{object_}/2026-03-20.csv",
        "_source_position": position,
        **fields,
    }


def _opportunity(position: int, id_: str, account: str, created: str, **fields) -> dict:
    values = {"account_id": account, "currency_iso_code": "USD", "type": "New Customer"}
    return _sf("Opportunity", position, id_, created, **{**values, **fields})


def _sendgrid(position: int, single_send: str | None, email: str, event: str, **extra) -> dict:
    return {
        "sg_event_id": f"sg-{position}",
        "sg_message_id": f"msg-{position}",
        "email": email,
        "timestamp": str(EPOCH_2026_03_01 + 60 * position),
        "event": event,
        "singlesend_id": single_send,
        "_source_file": SENDGRID_FILE,
        "_source_position": position,
        **extra,
    }


A1, A2 = "0010000000000A1AAA", "0010000000000A2AAA"

RAW_ROWS: dict[tuple[str, str], list[dict]] = {
    ("salesforce", "account"): [
        _sf("Account", 1, A1, "2025-01-01T00:00:00.000Z", name="Alpha", industry="Software"),
        _sf("Account", 2, A2, "2025-01-01T00:00:00.000Z", name="Beta", billing_country="DE"),
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
        _sf(
            "Contact",
            2,
            "0030000000000C2AAA",
            "2026-01-04T00:00:00.000Z",
            email="bob@x.com",
            account_id=A2,
        ),
    ],
    ("salesforce", "opportunity"): [
        _opportunity(
            1,
            "0060000000000O1AAA",
            A1,
            "2026-01-05T10:00:00.000Z",
            amount="1000",
            close_date="2026-01-15",
            is_closed="true",
            is_won="true",
            stage_name="Closed Won",
        ),
        _opportunity(
            2,
            "0060000000000O2AAA",
            A2,
            "2026-01-10T23:30:00.000Z",
            amount="3000",
            close_date="2026-01-30",
            is_closed="true",
            is_won="true",
            stage_name="Closed Won",
        ),
        _opportunity(
            3,
            "0060000000000O3AAA",
            A1,
            "2026-01-12T10:00:00.000Z",
            amount="500",
            close_date="2026-01-20",
            is_closed="true",
            is_won="false",
            stage_name="Closed Lost",
        ),
        _opportunity(
            4,
            "0060000000000O4AAA",
            A2,
            "2026-03-01T10:00:00.000Z",
            amount="2000",
            close_date="2026-03-11",
            is_closed="true",
            is_won="true",
            stage_name="Closed Won",
            type="Existing Customer - Upgrade",
        ),
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
            "_source_file": SEGMENT_FILE,
            "_source_position": 1,
        },
        {
            "message_id": "seg-2",
            "type": "identify",
            "anonymous_id": "anon-ann",
            "timestamp": "2026-01-02T09:01:00.000Z",
            "traits": '{"email": "ann@x.com"}',
            "_source_file": SEGMENT_FILE,
            "_source_position": 2,
        },
    ],
    ("sendgrid", "events"): [
        _sendgrid(1, "S1", "ann@x.com", "processed", singlesend_name="March news"),
        _sendgrid(2, "S1", "bob@x.com", "processed", singlesend_name="March news"),
        _sendgrid(3, "S1", "ann@x.com", "delivered"),
        _sendgrid(4, "S1", "bob@x.com", "delivered"),
        _sendgrid(5, "S1", "ann@x.com", "open", sg_machine_open="true"),
        _sendgrid(6, "S1", "Ann@X.com", "open", sg_machine_open="false"),
        _sendgrid(7, "S1", "bob@x.com", "open", sg_machine_open="false"),
        _sendgrid(8, "S1", "ann@x.com", "click", url=f"{SITE}/offer?email=ann@x.com"),
        _sendgrid(9, "S2", "ann@x.com", "processed", singlesend_name="April news"),
        # transactional: no single send, no campaign
        _sendgrid(10, None, "ann@x.com", "delivered"),
    ],
}


@pytest.fixture(scope="module")
def built(dbt_harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work_dir = tmp_path_factory.mktemp("marts")
    warehouse = dbt_harness.create_warehouse(work_dir / "warehouse.duckdb")
    for (source, object_), rows in RAW_ROWS.items():
        dbt_harness.insert_raw(warehouse, source, object_, rows)
    dbt_harness.run_dbt(
        ["build", "--select", "+marts", "--indirect-selection", "cautious"], warehouse, work_dir
    )
    return {"warehouse": warehouse, "work_dir": work_dir}


@pytest.fixture(scope="module")
def rows(dbt_harness, built: dict):
    return lambda sql: dbt_harness.query_dicts(built["warehouse"], sql)


def test_sales_monthly_zero_filled_with_hand_computed_values(rows) -> None:
    months = {
        r["month"]: r
        for r in rows(
            "select month, new_opportunities, pipeline_created, won_deals, lost_deals,"
            " won_revenue, win_rate, avg_deal_size, median_sales_cycle_days,"
            " revenue_growth, new_customers, cac, revenue_target, revenue_attainment, leads"
            " from marts.mart_sales_monthly order by month"
        )
    }
    assert list(months) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    january, february, march = months.values()
    assert january["new_opportunities"] == 3
    assert january["pipeline_created"] == 4500
    assert (january["won_deals"], january["lost_deals"]) == (2, 1)
    assert january["won_revenue"] == 4000
    assert january["win_rate"] == pytest.approx(2 / 3)
    assert january["avg_deal_size"] == 2000
    # 2026-01-05 -> 01-15 is 10 days; 2026-01-10 (23:30 UTC) -> 01-30 is 20 days
    assert january["median_sales_cycle_days"] == 15
    assert january["revenue_growth"] is None
    assert january["new_customers"] == 2
    # No ad platform has statistics in this fixture: spend is unknown, not 0, so CAC is
    # unknown too (definitions §5 Unknown spend is not zero spend).
    assert january["cac"] is None
    # the seed's January target is 150000
    assert january["revenue_attainment"] == pytest.approx(4000 / 150000)
    assert january["leads"] == 2  # Ann's and Bob's Contacts, created 01-03 and 01-04
    assert february["new_opportunities"] == 0
    assert february["won_revenue"] == 0
    assert february["win_rate"] is None
    assert february["avg_deal_size"] is None
    assert february["revenue_growth"] == pytest.approx(-1)
    assert february["cac"] is None
    assert march["won_revenue"] == 2000
    assert march["revenue_growth"] is None
    assert march["new_customers"] == 0
    assert march["win_rate"] == 1


def test_email_campaign_rates_and_null_on_zero_delivered(rows) -> None:
    campaigns = {
        r["campaign_id"]: r
        for r in rows(
            "select campaign_id, campaign_name, sends, delivered, unique_opens,"
            " machine_opens, unique_clicks, open_rate, click_rate, click_to_open"
            " from marts.mart_email_campaigns"
        )
    }
    assert set(campaigns) == {"S1", "S2"}
    s1, s2 = campaigns["S1"], campaigns["S2"]
    assert (s1["sends"], s1["delivered"], s1["unique_opens"], s1["unique_clicks"]) == (2, 2, 2, 1)
    assert s1["machine_opens"] == 1
    assert s1["campaign_name"] == "March news"
    assert (s1["open_rate"], s1["click_rate"], s1["click_to_open"]) == (1.0, 0.5, 0.5)
    assert (s2["sends"], s2["delivered"]) == (1, 0)
    assert (s2["open_rate"], s2["click_rate"], s2["click_to_open"]) == (None, None, None)


def test_dim_persons_hash_account_and_first_touch(rows) -> None:
    persons = {
        r["email_hash"]: r
        for r in rows(
            "select email_hash, account_id, account_name, first_touch_channel, sessions,"
            " current_stage, lead_at, customer_at from marts.dim_persons"
        )
    }
    ann = persons[hashlib.sha256(b"ann@x.com").hexdigest()]
    bob = persons[hashlib.sha256(b"bob@x.com").hexdigest()]
    assert (ann["account_id"], ann["account_name"]) == (A1, "Alpha")
    assert (ann["first_touch_channel"], ann["sessions"]) == ("Organic Search", 1)
    assert (bob["first_touch_channel"], bob["sessions"]) == ("Unattributed", 0)
    assert ann["current_stage"] == bob["current_stage"] == "Customer"


def test_attribution_sums_to_revenue_and_leads_per_model(rows) -> None:
    per_model = rows(
        "select model, sum(attributed_revenue) as revenue,"
        " sum(case when conversion_type = 'lead' then credit end) as leads"
        " from marts.fct_attribution group by model order by model"
    )
    assert [r["model"] for r in per_model] == [
        "first_touch",
        "last_touch",
        "linear",
        "position_based",
        "time_decay",
    ]
    for r in per_model:
        assert r["revenue"] == pytest.approx(6000)
        assert r["leads"] == pytest.approx(2)
    first_touch_leads = rows(
        "select channel, sum(leads) as leads from marts.mart_channel_roi"
        " where model = 'first_touch' group by channel order by channel"
    )
    assert first_touch_leads == [
        {"channel": "Organic Search", "leads": 1.0},
        {"channel": "Unattributed", "leads": 1.0},
    ]
    daily_leads = rows(
        "select date, channel, leads from marts.mart_marketing_daily where leads > 0 order by date"
    )
    assert daily_leads == [
        {"date": date(2026, 1, 3), "channel": "Organic Search", "leads": 1},
        {"date": date(2026, 1, 4), "channel": "Unattributed", "leads": 1},
    ]


def test_customer_journey_activities(rows) -> None:
    activities = rows(
        "select activity_type, count(*) as n, sum(revenue_impact) as revenue,"
        " max(activity_occurrence) as last_occurrence"
        " from marts.fct_customer_journey group by activity_type order by activity_type"
    )
    by_type = {r["activity_type"]: r for r in activities}
    assert by_type["web_session"]["n"] == 1
    assert by_type["deal_won"]["n"] == 3
    assert by_type["deal_won"]["revenue"] == 6000
    assert by_type["deal_lost"]["revenue"] == 0
    assert by_type["email_opened"]["n"] == 3
    assert by_type["email_opened"]["last_occurrence"] == 2  # Ann opened twice
    assert by_type["email_delivered"]["n"] == 3  # the transactional email too
    features = rows(
        "select feature_json from marts.fct_customer_journey where activity_type = 'email_clicked'"
    )
    assert features[0]["feature_json"].find("ann@x.com") == -1
    assert '"link_path":"/offer"' in features[0]["feature_json"]


def test_no_mart_carries_an_email_or_a_name(dbt_harness, built: dict) -> None:
    columns = dbt_harness.query(
        built["warehouse"],
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'marts'",
    )
    assert {table for table, _ in columns} == set(MART_NAMES)
    forbidden = [
        (table, column)
        for table, column in columns
        if column in {"email", "email_normalized", "first_name", "last_name", "ip"}
    ]
    assert forbidden == []
