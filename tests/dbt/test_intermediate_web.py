"""Web sessions, channels and campaigns (definitions §2) from hand-written raw rows.

One warehouse and one ``dbt build --select staging +int_web_sessions`` for the module
(staging, the seeds, the web models, their data and unit tests). Every expected value
below is worked out by hand from the rows; dbt runs in a non-UTC session time zone
(conftest.NON_UTC_TIME_ZONE).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
import yaml

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
SITE = "https://www.acme.example"
SEGMENT_FILE = "web/segment/2026-03-02.jsonl"


def _page(message_id: str, anonymous_id: str | None, timestamp: str, url: str, **extra) -> dict:
    return {
        "message_id": message_id,
        "type": "page",
        "anonymous_id": anonymous_id,
        "timestamp": timestamp,
        "context_page_url": url,
        "_source_file": SEGMENT_FILE,
        "_source_position": int(message_id.split("-")[-1]),
        **extra,
    }


SEGMENT_EVENTS = [
    # browser anon-a, session 1 (08:00-08:50 UTC): Google Ads click, campaign by name.
    # 09:00+01:00 is 08:00 UTC.
    _page(
        "seg-1",
        "anon-a",
        "2026-03-02T09:00:00.000+01:00",
        f"{SITE}/pricing?utm_source=google&utm_medium=cpc&utm_campaign=Brand%20US&gclid=G1",
        context_page_path="/pricing",
        context_page_referrer="https://www.google.co.uk/",
        context_campaign_source="google",
        context_campaign_medium="cpc",
        context_campaign_name="Brand US",
    ),
    _page(
        "seg-2",
        "anon-a",
        "2026-03-02T08:20:00.000Z",
        f"{SITE}/demo",
        context_page_referrer=f"{SITE}/pricing",
    ),
    # exactly 30 minutes after seg-2: same session; the userId appears
    {
        "message_id": "seg-3",
        "type": "track",
        "event": "Demo Requested",
        "anonymous_id": "anon-a",
        "user_id": "user-1",
        "timestamp": "2026-03-02T08:50:00.000Z",
        "context_page_url": f"{SITE}/demo",
        "properties": '{"email": "ann@example.com"}',
        "_source_file": SEGMENT_FILE,
        "_source_position": 3,
    },
    # identify calls are not part of sessions
    {
        "message_id": "seg-4",
        "type": "identify",
        "anonymous_id": "anon-a",
        "user_id": "user-1",
        "timestamp": "2026-03-02T08:51:00.000Z",
        "traits": '{"email": "ann@example.com"}',
        "_source_file": SEGMENT_FILE,
        "_source_position": 4,
    },
    # 30 min 1 s after seg-3: session 2, internal referrer (no www) -> Direct
    _page(
        "seg-5",
        "anon-a",
        "2026-03-02T09:20:01.000Z",
        f"{SITE}/blog",
        context_page_referrer="https://acme.example/",
    ),
    # a new campaign 5 minutes later: session 3; UTM values from the URL only
    _page(
        "seg-6",
        "anon-a",
        "2026-03-02T09:25:00.000Z",
        f"{SITE}/?utm_source=newsletter-weekly&utm_medium=email&utm_campaign=march+NEWSLETTER",
    ),
    # a browser known by userId only, from Twitter
    _page(
        "seg-7",
        None,
        "2026-03-02T10:00:00.000Z",
        f"{SITE}/",
        user_id="user-9",
        context_page_referrer="https://t.co/abc",
    ),
    # anon-b: a Meta ad (campaign by id), then an event without campaign (same session)
    _page(
        "seg-8",
        "anon-b",
        "2026-03-02T11:00:00.000Z",
        f"{SITE}/?utm_source=facebook&utm_medium=paid_social&utm_campaign=c1&fbclid=F1",
        context_page_referrer="https://l.facebook.com/",
        context_campaign_source="facebook",
        context_campaign_medium="paid_social",
        context_campaign_name="c1",
    ),
    _page("seg-9", "anon-b", "2026-03-02T11:05:00.000Z", f"{SITE}/pricing"),
    # ... then the same campaign by name: a different utm_campaign text, new session
    _page(
        "seg-10",
        "anon-b",
        "2026-03-02T11:10:00.000Z",
        f"{SITE}/?utm_campaign=%20SPRING%20promo%20",
    ),
    # anon-c: a referral; the second event's referrer does not count
    _page(
        "seg-11",
        "anon-c",
        "2026-03-02T12:00:00.000Z",
        f"{SITE}/",
        context_page_referrer="https://news.ycombinator.com/item?id=1",
    ),
    _page(
        "seg-12",
        "anon-c",
        "2026-03-02T12:01:00.000Z",
        f"{SITE}/customers",
        context_page_referrer="https://www.bing.com/",
    ),
    # anon-d: UTM values no rule knows, a campaign nobody runs
    _page(
        "seg-13",
        "anon-d",
        "2026-03-02T13:00:00.000Z",
        f"{SITE}/?utm_source=partner&utm_medium=affiliate&utm_campaign=Unknown%20Deal",
    ),
    # anon-e: organic search; anon-f: display
    _page(
        "seg-14",
        "anon-e",
        "2026-03-02T14:00:00.000Z",
        f"{SITE}/",
        context_page_referrer="https://www.google.de/search?q=acme",
    ),
    _page(
        "seg-15",
        "anon-f",
        "2026-03-02T15:00:00.000Z",
        f"{SITE}/lp?utm_source=rollworks&utm_medium=display",
    ),
]

RAW_ROWS: dict[tuple[str, str], list[dict]] = {
    ("segment", "events"): SEGMENT_EVENTS,
    ("google_ads", "ad_stats"): [
        {
            "customer_id": "111",
            "campaign_id": "7001",
            "campaign_name": "Brand (old name)",
            "ad_group_id": "22",
            "ad_id": "33",
            "segments_date": "2026-03-01",
            "customer_currency_code": "USD",
            "_source_file": "ads/google_ads/a.json",
            "_source_position": 1,
        },
        {
            "customer_id": "111",
            "campaign_id": "7001",
            "campaign_name": "Brand US",
            "ad_group_id": "22",
            "ad_id": "33",
            "segments_date": "2026-03-02",
            "customer_currency_code": "USD",
            "_source_file": "ads/google_ads/a.json",
            "_source_position": 2,
        },
    ],
    ("meta_ads", "insights"): [
        {
            "account_id": "9001",
            "campaign_id": "c1",
            "campaign_name": "Spring Promo",
            "ad_id": "m-ad-1",
            "date_start": "2026-03-02",
            "date_stop": "2026-03-02",
            "account_currency": "EUR",
            "_source_file": "ads/meta_ads/a.json",
            "_source_position": 1,
        },
    ],
    ("sendgrid", "events"): [
        {
            "sg_event_id": "sg-1",
            "sg_message_id": "msg-1",
            "email": "ann@example.com",
            "timestamp": "1772352000",
            "event": "processed",
            "singlesend_id": "ss-1",
            "singlesend_name": "March Newsletter",
            "_source_file": "email/sendgrid/0001.json",
            "_source_position": 1,
        },
    ],
}

SESSION_COLUMNS = (
    "session_start_event_id, browser_id, browser_id_type, anonymous_id, user_id,"
    " event_count, pageview_count, session_started_at, session_ended_at,"
    " landing_page_path, referrer_host, utm_source, utm_medium, utm_campaign,"
    " gclid, fbclid, channel, campaign_id, campaign_name, campaign_platform"
)


@pytest.fixture(scope="module")
def warehouse(dbt_harness, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("intermediate_web")
    path = dbt_harness.create_warehouse(work_dir / "warehouse.duckdb")
    for (source, object_), rows in RAW_ROWS.items():
        dbt_harness.insert_raw(path, source, object_, rows)
    # cautious: only the tests whose every parent is built here (other intermediate
    # models' tests on staging stay out)
    dbt_harness.run_dbt(
        ["build", "--select", "staging", "+int_web_sessions", "--indirect-selection", "cautious"],
        path,
        work_dir,
    )
    return path


@pytest.fixture(scope="module")
def sessions(dbt_harness, warehouse: Path) -> dict[str, dict]:
    rows = dbt_harness.query_dicts(
        warehouse, f"select {SESSION_COLUMNS} from intermediate.int_web_sessions"
    )
    return {row.pop("session_start_event_id"): row for row in rows}


def _t(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, second)


def test_sessions_split_on_timeout_and_campaign_change(sessions) -> None:
    # one session per landing event: seg-2/3 (30 min gaps) and seg-9, seg-12 join theirs
    assert sorted(sessions) == sorted(
        ["seg-1", "seg-5", "seg-6", "seg-7", "seg-8", "seg-10", "seg-11", "seg-13"]
        + ["seg-14", "seg-15"]
    )
    first = sessions["seg-1"]
    assert (first["event_count"], first["pageview_count"]) == (3, 2)
    assert (first["session_started_at"], first["session_ended_at"]) == (_t(8, 0), _t(8, 50))
    assert (sessions["seg-8"]["event_count"], sessions["seg-11"]["event_count"]) == (2, 2)


def test_session_attributes_come_from_the_first_event(sessions) -> None:
    assert sessions["seg-1"] == {
        "browser_id": "anon-a",
        "browser_id_type": "anonymous_id",
        "anonymous_id": "anon-a",
        "user_id": "user-1",
        "event_count": 3,
        "pageview_count": 2,
        "session_started_at": _t(8, 0),
        "session_ended_at": _t(8, 50),
        "landing_page_path": "/pricing",
        "referrer_host": "www.google.co.uk",
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "Brand US",
        "gclid": "G1",
        "fbclid": None,
        "channel": "Paid Search",
        "campaign_id": "7001",
        "campaign_name": "Brand US",
        "campaign_platform": "google_ads",
    }
    # the internal referrer of seg-5 counts as none
    assert sessions["seg-5"]["referrer_host"] is None
    # seg-6 had no context.campaign: UTM values from its URL, + decoded as a space
    assert (sessions["seg-6"]["utm_source"], sessions["seg-6"]["utm_campaign"]) == (
        "newsletter-weekly",
        "march NEWSLETTER",
    )
    # seg-12's referrer is not the session's
    assert sessions["seg-11"]["referrer_host"] == "news.ycombinator.com"
    assert sessions["seg-7"]["browser_id_type"] == "user_id"
    assert (sessions["seg-7"]["browser_id"], sessions["seg-7"]["anonymous_id"]) == ("user-9", None)


def test_channels(sessions) -> None:
    assert {start: row["channel"] for start, row in sessions.items()} == {
        "seg-1": "Paid Search",  # gclid
        "seg-5": "Direct",  # internal referrer, no UTM
        "seg-6": "Email",  # utm_source contains newsletter
        "seg-7": "Organic Social",  # t.co is twitter
        "seg-8": "Paid Social",  # fbclid
        "seg-10": "Other",  # a campaign alone, no referrer
        "seg-11": "Referral",
        "seg-13": "Other",  # affiliate: no rule
        "seg-14": "Organic Search",  # google.de is google
        "seg-15": "Display",
    }


def test_campaigns(sessions) -> None:
    campaigns = {
        start: (row["campaign_platform"], row["campaign_id"], row["campaign_name"])
        for start, row in sessions.items()
        if row["utm_campaign"] is not None
    }
    assert campaigns == {
        "seg-1": ("google_ads", "7001", "Brand US"),  # by name, the latest name
        "seg-6": ("sendgrid", "ss-1", "March Newsletter"),  # single send by name
        "seg-8": ("meta_ads", "c1", "Spring Promo"),  # by id
        "seg-10": ("meta_ads", "c1", "Spring Promo"),  # by name, case and spaces aside
        "seg-13": (None, None, "Unknown Deal"),  # unmatched: kept as it is
    }


def test_session_id_is_a_hash_of_browser_and_first_event(dbt_harness, warehouse: Path) -> None:
    rows = dbt_harness.query(
        warehouse,
        "select session_id from intermediate.int_web_sessions"
        " where session_start_event_id = 'seg-1'",
    )
    assert rows == [(hashlib.md5(b"anon-a-seg-1").hexdigest(),)]
    events = dbt_harness.query(
        warehouse,
        "select event_id, session_start_event_id from intermediate.int_web_events_sessionized"
        " order by event_at, event_id",
    )
    assert ("seg-3", "seg-1") in events
    assert ("seg-4", "seg-1") not in events  # identify


def test_campaigns_unioned(dbt_harness, warehouse: Path) -> None:
    rows = dbt_harness.query(
        warehouse,
        "select platform, campaign_id, campaign_name from intermediate.int_campaigns_unioned"
        " order by platform, campaign_id",
    )
    assert rows == [
        ("google_ads", "7001", "Brand US"),
        ("meta_ads", "c1", "Spring Promo"),
        ("sendgrid", "ss-1", "March Newsletter"),
    ]


def test_unit_tests_use_the_shipped_channel_rules() -> None:
    """The channel unit tests carry channel_rules as CSV; it must be the seed's copy."""
    models_yml = DBT_PROJECT_DIR / "models" / "intermediate" / "web" / "_web__models.yml"
    unit_tests = yaml.safe_load(models_yml.read_text())["unit_tests"]
    copies = [
        given["rows"]
        for test in unit_tests
        for given in test["given"]
        if given["input"] == "ref('channel_rules')"
    ]
    seed = (DBT_PROJECT_DIR / "seeds" / "channel_rules.csv").read_text()
    assert copies
    assert all(copy.strip() == seed.strip() for copy in copies)
