"""Staging models turn hand-written raw rows into the values worked out by hand.

One warehouse and one ``dbt build --select staging`` for the whole module; each raw row
below exercises one quirk of the landing contract. dbt runs in a non-UTC session time
zone (see conftest.NON_UTC_TIME_ZONE), so the timestamps also prove UTC-independence.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

GOOGLE = "ads/google_ads/"
SF_LEAD = "crm/salesforce/Lead/"
SF_OPP = "crm/salesforce/Opportunity/"

RAW_ROWS: dict[tuple[str, str], list[dict]] = {
    ("google_ads", "ad_stats"): [
        # ad 33 on 2026-03-01, first reported ...
        {
            "customer_id": "111",
            "campaign_id": "7001",
            "ad_group_id": "22",
            "ad_id": "33",
            "segments_date": "2026-03-01",
            "customer_currency_code": "USD",
            "metrics_impressions": "100",
            "metrics_clicks": "5",
            "metrics_cost_micros": "1230000",
            "_source_file": GOOGLE + "2026-03-02T0600.json",
            "_source_position": 1,
        },
        # ... then restated by a later file: this version wins
        {
            "customer_id": "111",
            "campaign_id": "7001",
            "ad_group_id": "22",
            "ad_id": "33",
            "segments_date": "2026-03-01",
            "customer_currency_code": "USD",
            "metrics_impressions": "150",
            "metrics_clicks": "9",
            "metrics_cost_micros": "2500000",
            "_source_file": GOOGLE + "2026-03-03T0600.json",
            "_source_position": 4,
        },
        # ad 34: clicks unset (absent means 0)
        {
            "customer_id": "111",
            "campaign_id": "7001",
            "ad_group_id": "22",
            "ad_id": "34",
            "segments_date": "2026-03-01",
            "customer_currency_code": "USD",
            "metrics_impressions": "10",
            "metrics_cost_micros": "1230000",
            "_source_file": GOOGLE + "2026-03-02T0600.json",
            "_source_position": 2,
        },
    ],
    ("meta_ads", "insights"): [
        {
            "account_id": "9001",
            "campaign_id": "c1",
            "ad_id": "m-ad-1",
            "date_start": "2026-03-01",
            "date_stop": "2026-03-01",
            "account_currency": "EUR",
            "impressions": "2000",
            "clicks": "40",
            "spend": "12.34",
            "actions": '[{"action_type": "link_click", "value": "40"},'
            ' {"action_type": "lead", "value": "3"},'
            ' {"action_type": "offsite_conversion.fb_pixel_lead", "value": "3"},'
            ' {"action_type": "omni_lead", "value": "3"}]',
            "_source_file": "ads/meta_ads/p1.json",
            "_source_position": 1,
        },
        {
            "account_id": "9001",
            "campaign_id": "c1",
            "ad_id": "m-ad-2",
            "date_start": "2026-03-01",
            "date_stop": "2026-03-01",
            "account_currency": "EUR",
            "impressions": "30",
            "spend": "0.50",
            "_source_file": "ads/meta_ads/p1.json",
            "_source_position": 2,
        },
    ],
    ("linkedin_ads", "ad_analytics"): [
        {
            "creative_urn": "urn:li:sponsoredCreative:555",
            "date_start": "2026-03-01",
            "date_end": "2026-03-01",
            "impressions": "300",
            "clicks": "6",
            "cost_in_local_currency": "91.1",
            "cost_in_usd": "99.99999999999996",
            "_source_file": "ads/linkedin_ads/analytics/a.json",
            "_source_position": 1,
        },
    ],
    ("linkedin_ads", "campaigns"): [
        {
            "id": "70",
            "name": "Q1 Webinar",
            "account": "urn:li:sponsoredAccount:900",
            "campaign_group": "urn:li:sponsoredCampaignGroup:800",
            "status": "ACTIVE",
            "daily_budget_amount": "150.00",
            "daily_budget_currency_code": "USD",
            "_source_file": "ads/linkedin_ads/campaigns/a.json",
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
    ("sendgrid", "events"): [
        {
            "sg_event_id": "sg-1",
            "sg_message_id": "msg-1",
            "email": "Ann@Example.com",
            "timestamp": "1772352000",
            "event": "delivered",
            "singlesend_id": "ss-1",
            "singlesend_name": "March newsletter",
            "send_at": "1772348400",
            "_source_file": "email/sendgrid/0001.json",
            "_source_position": 1,
        },
        {
            "sg_event_id": "sg-2",
            "sg_message_id": "msg-1",
            "email": "Ann@Example.com",
            "timestamp": "1772352600",
            "event": "open",
            "sg_machine_open": "true",
            "singlesend_id": "ss-1",
            "_source_file": "email/sendgrid/0001.json",
            "_source_position": 2,
        },
        {
            "sg_event_id": "sg-3",
            "sg_message_id": "msg-1",
            "email": "Ann@Example.com",
            "timestamp": "1772353200",
            "event": "click",
            "url": "https://example.com/pricing",
            "singlesend_id": "ss-1",
            "_source_file": "email/sendgrid/0002.json",
            "_source_position": 1,
        },
        # a repeated event id that slipped past ingestion: the first copy stays
        {
            "sg_event_id": "sg-1",
            "sg_message_id": "msg-1",
            "email": "Ann@Example.com",
            "timestamp": "1772359999",
            "event": "delivered",
            "_source_file": "email/sendgrid/0003.json",
            "_source_position": 1,
        },
    ],
    ("segment", "events"): [
        # a page with context.page and a +02:00 offset
        {
            "message_id": "seg-1",
            "type": "page",
            "anonymous_id": "anon-1",
            "timestamp": "2026-03-01T10:00:00.000+02:00",
            "context_page_url": "https://example.com/?gclid=abc",
            "context_page_path": "/",
            "context_page_referrer": "https://www.google.com/",
            "context_campaign_source": "google",
            "context_campaign_medium": "cpc",
            "context_campaign_name": "spring-sale",
            "properties": '{"url": "https://example.com/not-this"}',
            "_source_file": "web/segment/2026-03-01.jsonl",
            "_source_position": 1,
        },
        # a server-side page without context.page: page fields come from properties
        {
            "message_id": "seg-2",
            "type": "page",
            "user_id": "user-9",
            "timestamp": "2026-03-01T08:30:00Z",
            "properties": '{"url": "https://example.com/pricing?plan=pro", "path": "/pricing",'
            ' "referrer": "https://news.ycombinator.com/", "search": "?plan=pro",'
            ' "title": "Pricing"}',
            "_source_file": "web/segment/2026-03-01.jsonl",
            "_source_position": 2,
        },
        # a lead-making track: email and form id as delivered
        {
            "message_id": "seg-3",
            "type": "track",
            "anonymous_id": "anon-1",
            "user_id": "user-9",
            "event": "Form Submitted",
            "timestamp": "2026-03-01T08:40:00.123Z",
            "context_page_url": "https://example.com/contact",
            "context_page_path": "/contact",
            "properties": '{"email": " Ann@Example.COM ", "form_id": "contact-us"}',
            "_source_file": "web/segment/2026-03-01.jsonl",
            "_source_position": 3,
        },
        {
            "message_id": "seg-4",
            "type": "identify",
            "anonymous_id": "anon-1",
            "user_id": "user-9",
            "timestamp": "2026-03-01T08:41:00.000Z",
            "traits": '{"email": "ann@example.com", "name": "Ann"}',
            "_source_file": "web/segment/2026-03-01.jsonl",
            "_source_position": 4,
        },
    ],
    ("salesforce", "lead"): [
        # L1 changes status in a later export
        {
            "id": "00Q0000000000L1AAA",
            "email": "ann@example.com",
            "status": "Open - Not Contacted",
            "is_converted": "false",
            "created_date": "2026-03-01T09:00:00.000Z",
            "system_modstamp": "2026-03-01T09:00:00.000Z",
            "is_deleted": "false",
            "_source_file": SF_LEAD + "2026-03-01.csv",
            "_source_position": 2,
        },
        {
            "id": "00Q0000000000L1AAA",
            "email": "ann@example.com",
            "status": "Marketing Qualified",
            "is_converted": "false",
            "created_date": "2026-03-01T09:00:00.000Z",
            "system_modstamp": "2026-03-02T09:30:00.000+0000",
            "is_deleted": "false",
            "_source_file": SF_LEAD + "2026-03-02.csv",
            "_source_position": 2,
        },
        # L2 is deleted in its latest version
        {
            "id": "00Q0000000000L2AAA",
            "email": "bob@example.com",
            "status": "Open - Not Contacted",
            "is_converted": "false",
            "created_date": "2026-03-01T10:00:00.000Z",
            "system_modstamp": "2026-03-01T10:00:00.000Z",
            "is_deleted": "false",
            "_source_file": SF_LEAD + "2026-03-01.csv",
            "_source_position": 3,
        },
        {
            "id": "00Q0000000000L2AAA",
            "email": "bob@example.com",
            "status": "Open - Not Contacted",
            "is_converted": "false",
            "created_date": "2026-03-01T10:00:00.000Z",
            "system_modstamp": "2026-03-02T11:00:00.000Z",
            "is_deleted": "true",
            "_source_file": SF_LEAD + "2026-03-02.csv",
            "_source_position": 3,
        },
        # L3: a later file re-exports an older version; the latest SystemModstamp still wins
        {
            "id": "00Q0000000000L3AAA",
            "email": "cy@example.com",
            "status": "Sales Qualified",
            "is_converted": "true",
            "converted_date": "2026-03-04",
            "converted_contact_id": "0030000000000C1AAA",
            "created_date": "2026-03-01T11:00:00.000Z",
            "system_modstamp": "2026-03-04T12:00:00.000Z",
            "is_deleted": "false",
            "_source_file": SF_LEAD + "2026-03-01.csv",
            "_source_position": 4,
        },
        {
            "id": "00Q0000000000L3AAA",
            "email": "cy@example.com",
            "status": "Open - Not Contacted",
            "is_converted": "false",
            "created_date": "2026-03-01T11:00:00.000Z",
            "system_modstamp": "2026-03-01T11:00:00.000Z",
            "is_deleted": "false",
            "_source_file": SF_LEAD + "2026-03-02.csv",
            "_source_position": 4,
        },
    ],
    ("salesforce", "lead_history"): [
        {
            "id": "0170000000000H1AAA",
            "lead_id": "00Q0000000000L1AAA",
            "field": "Status",
            "old_value": "Open - Not Contacted",
            "new_value": "Marketing Qualified",
            "created_date": "2026-03-02T09:30:00.000Z",
            "is_deleted": "false",
            "_source_file": "crm/salesforce/LeadHistory/2026-03-02.csv",
            "_source_position": 2,
        },
    ],
    ("salesforce", "contact"): [
        {
            "id": "0030000000000C1AAA",
            "account_id": "0010000000000A1AAA",
            "email": "cy@example.com",
            "created_date": "2026-03-04T12:00:00.000Z",
            "system_modstamp": "2026-03-04T12:00:00.000Z",
            "is_deleted": "false",
            "_source_file": "crm/salesforce/Contact/2026-03-04.csv",
            "_source_position": 2,
        },
    ],
    ("salesforce", "account"): [
        {
            "id": "0010000000000A1AAA",
            "name": "Cy Corp",
            "number_of_employees": "250",
            "type": "Customer - Direct",
            "created_date": "2026-03-04T12:00:00.000Z",
            "system_modstamp": "2026-03-04T12:00:00.000Z",
            "is_deleted": "false",
            "_source_file": "crm/salesforce/Account/2026-03-04.csv",
            "_source_position": 2,
        },
    ],
    ("salesforce", "opportunity"): [
        # a single-currency org's export: no CurrencyIsoCode column, so null
        {
            "id": "0060000000000O1AAA",
            "account_id": "0010000000000A1AAA",
            "name": "Cy Corp - New",
            "stage_name": "Closed Won",
            "amount": "5000.00",
            "probability": "100",
            "close_date": "2026-03-15",
            "is_closed": "true",
            "is_won": "true",
            "type": "New Customer",
            "created_date": "2026-03-04T12:30:00.000Z",
            "system_modstamp": "2026-03-15T16:00:00.000Z",
            "is_deleted": "false",
            "_source_file": SF_OPP + "2026-03-15.csv",
            "_source_position": 2,
        },
        {
            "id": "0060000000000O2AAA",
            "account_id": "0010000000000A1AAA",
            "name": "Cy Corp - EU",
            "stage_name": "Prospecting",
            "amount": "1200.5",
            "currency_iso_code": "EUR",
            "probability": "10",
            "close_date": "2026-05-01",
            "is_closed": "false",
            "is_won": "false",
            "created_date": "2026-03-05T12:30:00.000Z",
            "system_modstamp": "2026-03-05T12:30:00.000Z",
            "is_deleted": "false",
            "_source_file": SF_OPP + "2026-03-15.csv",
            "_source_position": 3,
        },
    ],
    ("salesforce", "opportunity_history"): [
        {
            "id": "0080000000000P1AAA",
            "opportunity_id": "0060000000000O1AAA",
            "stage_name": "Closed Won",
            "amount": "5000.00",
            "close_date": "2026-03-15",
            "probability": "100",
            "created_date": "2026-03-15T16:00:00.000Z",
            "is_deleted": "false",
            "_source_file": "crm/salesforce/OpportunityHistory/2026-03-15.csv",
            "_source_position": 2,
        },
    ],
    ("salesforce", "opportunity_contact_role"): [
        {
            "id": "00K0000000000R1AAA",
            "opportunity_id": "0060000000000O1AAA",
            "contact_id": "0030000000000C1AAA",
            "role": "Decision Maker",
            "is_primary": "true",
            "created_date": "2026-03-04T12:31:00.000Z",
            "system_modstamp": "2026-03-04T12:31:00.000Z",
            "is_deleted": "false",
            "_source_file": "crm/salesforce/OpportunityContactRole/2026-03-04.csv",
            "_source_position": 2,
        },
    ],
    ("salesforce", "user"): [
        {
            "id": "0050000000000U1AAA",
            "name": "Sam Seller",
            "email": "sam@ourco.example",
            "is_active": "true",
            "created_date": "2025-01-01T00:00:00.000Z",
            "system_modstamp": "2025-01-01T00:00:00.000Z",
            "_source_file": "crm/salesforce/User/2025-01-01.csv",
            "_source_position": 2,
        },
    ],
    ("fx", "ecb_rates"): [
        {
            "rate_date": "2026-03-02",
            "currency_code": "USD",
            "rate": "1.0823",
            "_source_file": "finance/fx/eurofxref-2026-03-02.csv",
            "_source_position": 2,
        },
        {
            "rate_date": "2026-03-02",
            "currency_code": "JPY",
            "rate": "161.23",
            "_source_file": "finance/fx/eurofxref-2026-03-02.csv",
            "_source_position": 2,
        },
        # should ingestion ever let an N/A cell through, it has no row
        {
            "rate_date": "2026-03-02",
            "currency_code": "ISK",
            "rate": "N/A",
            "_source_file": "finance/fx/eurofxref-2026-03-02.csv",
            "_source_position": 2,
        },
        # a republished file corrects the USD rate
        {
            "rate_date": "2026-03-02",
            "currency_code": "USD",
            "rate": "1.0850",
            "_source_file": "finance/fx/eurofxref-2026-03-03.csv",
            "_source_position": 3,
        },
    ],
}


@pytest.fixture(scope="module")
def warehouse(dbt_harness, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("staging_values")
    path = dbt_harness.create_warehouse(work_dir / "warehouse.duckdb")
    for (source, object_), rows in RAW_ROWS.items():
        dbt_harness.insert_raw(path, source, object_, rows)
    dbt_harness.run_dbt(["build", "--select", "staging"], path, work_dir)
    return path


@pytest.fixture(scope="module")
def query(dbt_harness, warehouse: Path):
    return lambda sql: dbt_harness.query(warehouse, sql)


@pytest.fixture(scope="module")
def query_dicts(dbt_harness, warehouse: Path):
    return lambda sql: dbt_harness.query_dicts(warehouse, sql)


def test_google_cost_micros_and_later_restatement(query_dicts) -> None:
    rows = query_dicts(
        "select ad_id, impressions, clicks, spend, report_date, _source_file"
        " from staging.stg_google_ads__ad_stats order by ad_id",
    )
    assert rows == [
        {
            "ad_id": "33",
            "impressions": 150,
            "clicks": 9,
            "spend": Decimal("2.5"),
            "report_date": date(2026, 3, 1),
            "_source_file": GOOGLE + "2026-03-03T0600.json",
        },
        {
            "ad_id": "34",
            "impressions": 10,
            "clicks": 0,
            "spend": Decimal("1.23"),
            "report_date": date(2026, 3, 1),
            "_source_file": GOOGLE + "2026-03-02T0600.json",
        },
    ]


def test_meta_leads_are_the_lead_action_only(query) -> None:
    rows = query(
        "select ad_id, impressions, clicks, spend, leads, currency_code"
        " from staging.stg_meta_ads__insights order by ad_id",
    )
    assert rows == [
        ("m-ad-1", 2000, 40, Decimal("12.34"), 3, "EUR"),
        ("m-ad-2", 30, 0, Decimal("0.50"), 0, "EUR"),
    ]


def test_linkedin_urns_become_ids_and_cost_rounds_to_cents(query) -> None:
    assert query(
        "select creative_id, impressions, clicks, spend, currency_code"
        " from staging.stg_linkedin_ads__ad_analytics",
    ) == [("555", 300, 6, Decimal("100.00"), "USD")]
    assert query("select creative_id, campaign_id from staging.stg_linkedin_ads__creatives") == [
        ("555", "70")
    ]
    assert query(
        "select campaign_id, ad_account_id, campaign_group_id, campaign_name,"
        " daily_budget_amount from staging.stg_linkedin_ads__campaigns",
    ) == [("70", "900", "800", "Q1 Webinar", Decimal("150.00"))]


def test_sendgrid_unix_seconds_booleans_and_first_copy(query) -> None:
    rows = query(
        "select event_id, event_type, event_at, is_machine_open, single_send_id,"
        " single_send_at from staging.stg_sendgrid__events order by event_id",
    )
    assert rows == [
        # 1772352000 = 2026-03-01T08:00:00Z; send_at 1772348400 is an hour before
        ("sg-1", "delivered", datetime(2026, 3, 1, 8, 0), None, "ss-1", datetime(2026, 3, 1, 7, 0)),
        ("sg-2", "open", datetime(2026, 3, 1, 8, 10), True, "ss-1", None),
        ("sg-3", "click", datetime(2026, 3, 1, 8, 20), None, "ss-1", None),
    ]


def test_segment_offsets_become_utc(query) -> None:
    rows = dict(query("select event_id, event_at from staging.stg_segment__events"))
    assert rows == {
        "seg-1": datetime(2026, 3, 1, 8, 0),  # 10:00 at +02:00
        "seg-2": datetime(2026, 3, 1, 8, 30),
        "seg-3": datetime(2026, 3, 1, 8, 40, 0, 123000),
        "seg-4": datetime(2026, 3, 1, 8, 41),
    }


def test_segment_page_fields_fall_back_to_properties(query_dicts) -> None:
    rows = {
        row["event_id"]: row
        for row in query_dicts(
            "select event_id, page_url, page_path, page_referrer, page_search, page_title,"
            " campaign_source, campaign_medium, campaign_name"
            " from staging.stg_segment__events",
        )
    }
    assert rows["seg-1"] == {
        "event_id": "seg-1",
        "page_url": "https://example.com/?gclid=abc",
        "page_path": "/",
        "page_referrer": "https://www.google.com/",
        "page_search": None,
        "page_title": None,
        "campaign_source": "google",
        "campaign_medium": "cpc",
        "campaign_name": "spring-sale",
    }
    assert rows["seg-2"] == {
        "event_id": "seg-2",
        "page_url": "https://example.com/pricing?plan=pro",
        "page_path": "/pricing",
        "page_referrer": "https://news.ycombinator.com/",
        "page_search": "?plan=pro",
        "page_title": "Pricing",
        "campaign_source": None,
        "campaign_medium": None,
        "campaign_name": None,
    }
    # a track keeps its own context.page; an identify has no page
    assert rows["seg-3"]["page_url"] == "https://example.com/contact"
    assert rows["seg-4"]["page_url"] is None


def test_segment_emails_and_form_id_as_delivered(query) -> None:
    rows = query(
        "select event_id, event_name, properties_email, traits_email, form_id"
        " from staging.stg_segment__events order by event_id",
    )
    assert rows == [
        ("seg-1", None, None, None, None),
        ("seg-2", None, None, None, None),
        ("seg-3", "Form Submitted", " Ann@Example.COM ", None, "contact-us"),
        ("seg-4", None, None, "ann@example.com", None),
    ]


def test_salesforce_latest_modstamp_wins_and_deleted_leads_are_gone(query) -> None:
    rows = query(
        "select lead_id, lead_status, is_converted, converted_date, converted_contact_id,"
        " created_at, system_modstamp_at, _source_file"
        " from staging.stg_salesforce__leads order by lead_id",
    )
    assert rows == [
        # updated in the later file, with a later SystemModstamp (+0000 offset)
        (
            "00Q0000000000L1AAA",
            "Marketing Qualified",
            False,
            None,
            None,
            datetime(2026, 3, 1, 9, 0),
            datetime(2026, 3, 2, 9, 30),
            SF_LEAD + "2026-03-02.csv",
        ),
        # L2 deleted; L3's stale re-export in the later file loses to the newer modstamp
        (
            "00Q0000000000L3AAA",
            "Sales Qualified",
            True,
            date(2026, 3, 4),
            "0030000000000C1AAA",
            datetime(2026, 3, 1, 11, 0),
            datetime(2026, 3, 4, 12, 0),
            SF_LEAD + "2026-03-01.csv",
        ),
    ]


def test_opportunity_currency_defaults_to_corporate_currency(query) -> None:
    rows = query(
        "select opportunity_id, amount, currency_code, probability, is_closed, is_won,"
        " close_date, created_at from staging.stg_salesforce__opportunities"
        " order by opportunity_id",
    )
    assert rows == [
        (
            "0060000000000O1AAA",
            Decimal("5000.00"),
            "USD",
            Decimal("100"),
            True,
            True,
            date(2026, 3, 15),
            datetime(2026, 3, 4, 12, 30),
        ),
        (
            "0060000000000O2AAA",
            Decimal("1200.50"),
            "EUR",
            Decimal("10"),
            False,
            False,
            date(2026, 5, 1),
            datetime(2026, 3, 5, 12, 30),
        ),
    ]


def test_other_salesforce_objects_cast(query) -> None:
    assert query(
        "select account_id, account_name, account_type, number_of_employees"
        " from staging.stg_salesforce__accounts",
    ) == [("0010000000000A1AAA", "Cy Corp", "Customer - Direct", 250)]
    assert query(
        "select opportunity_contact_role_id, opportunity_id, contact_id, contact_role,"
        " is_primary from staging.stg_salesforce__opportunity_contact_roles",
    ) == [
        ("00K0000000000R1AAA", "0060000000000O1AAA", "0030000000000C1AAA", "Decision Maker", True)
    ]
    assert query(
        "select lead_id, field_name, old_value, new_value, created_at"
        " from staging.stg_salesforce__lead_histories",
    ) == [
        (
            "00Q0000000000L1AAA",
            "Status",
            "Open - Not Contacted",
            "Marketing Qualified",
            datetime(2026, 3, 2, 9, 30),
        )
    ]
    assert query("select user_id, user_name, is_active from staging.stg_salesforce__users") == [
        ("0050000000000U1AAA", "Sam Seller", True)
    ]


def test_fx_later_file_wins_and_na_has_no_row(query) -> None:
    rows = query(
        "select rate_date, currency_code, units_per_eur from staging.stg_fx__ecb_rates"
        " order by currency_code",
    )
    assert rows == [
        (date(2026, 3, 2), "JPY", Decimal("161.23")),
        (date(2026, 3, 2), "USD", Decimal("1.085")),
    ]
