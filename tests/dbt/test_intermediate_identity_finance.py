"""Identity, currency and ad performance (definitions §1, §5) from hand-written raw rows.

One warehouse and one ``dbt build`` of the identity, FX, opportunity and ad-performance
models with their parents (staging, the seed), data tests and unit tests. Expected
values are worked out by hand, except the random identity graph, whose persons are
checked against networkx's connected components. A second, throw-away copy of the
warehouse proves that the blocking checks fail when they must: a deal currency without
a rate (fx_rate_available_for_deals) and too few identity rounds
(identity_graph_at_fixed_point).
"""

from __future__ import annotations

import hashlib
import random
import shutil
from datetime import date, datetime
from decimal import Decimal

import networkx as nx
import pytest

MY_MODELS = [
    "int_identity_edges",
    "int_identifiers_resolved",
    "int_persons_resolved",
    "int_fx_rates_daily",
    "int_opportunities_classified",
    "int_opportunities_converted",
    "int_ad_performance_unioned",
]
# the models with their parents; --indirect-selection cautious keeps out the tests of
# staging models that reach models outside this selection
SELECTION = ["+int_persons_resolved", "+int_opportunities_converted", "+int_ad_performance_unioned"]
SEGMENT_FILE = "web/segment/2026-03-02.jsonl"
SF = "crm/salesforce/"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _segment(position: int, type_: str, timestamp: str, **fields) -> dict:
    return {
        "message_id": f"seg-{position}",
        "type": type_,
        "timestamp": timestamp,
        "_source_file": SEGMENT_FILE,
        "_source_position": position,
        **fields,
    }


def _sf(object_: str, position: int, id_: str, created: str, **fields) -> dict:
    return {
        "id": id_,
        "created_date": created,
        "system_modstamp": created,
        "is_deleted": "false",
        "_source_file": f"{SF}{object_}/2026-03-09.csv",
        "_source_position": position,
        **fields,
    }


def _random_graph_events() -> tuple[list[dict], list[tuple[str, str]]]:
    """Segment events drawing a random identity graph, and its edges as (type:value) pairs.

    40 browsers, 15 userIds, 8 emails: random browser-user pairs and identifies with an
    email, plus a chain of 30 browsers joined through 29 userIds (a long path, several
    contraction rounds).
    """
    rng = random.Random(20260309)
    events: list[dict] = []
    edges: list[tuple[str, str]] = []
    position = 1000

    def add(anonymous_id: str, user_id: str | None, email: str | None) -> None:
        nonlocal position
        position += 1
        fields = {"anonymous_id": anonymous_id, "user_id": user_id}
        if email is None:
            events.append(_segment(position, "page", "2026-03-03T10:00:00Z", **fields))
        else:
            events.append(
                _segment(
                    position,
                    "identify",
                    "2026-03-03T10:00:00Z",
                    traits=f'{{"email": "{email}"}}',
                    **fields,
                )
            )
            edges.append((f"anonymous_id:{anonymous_id}", f"email:{email}"))
            if user_id is not None:
                edges.append((f"user_id:{user_id}", f"email:{email}"))
        if user_id is not None:
            edges.append((f"anonymous_id:{anonymous_id}", f"user_id:{user_id}"))
        else:
            edges.append((f"anonymous_id:{anonymous_id}", f"anonymous_id:{anonymous_id}"))

    for _ in range(45):
        add(f"rg-anon-{rng.randrange(40):02d}", f"rg-user-{rng.randrange(15):02d}", None)
    for _ in range(10):
        add(f"rg-anon-{rng.randrange(40):02d}", None, f"rg{rng.randrange(8)}@graph.example")
    for i in range(40):
        add(f"rg-anon-{i:02d}", None, None)
    # the chain, in an order unrelated to its values: anon-k - user-k - anon-(k+1)
    order = list(range(30))
    rng.shuffle(order)
    for k in order:
        add(f"chain-anon-{k:02d}", f"chain-user-{k:02d}", None)
        if k < 29:
            add(f"chain-anon-{k + 1:02d}", f"chain-user-{k:02d}", None)
    return events, edges


RANDOM_GRAPH_EVENTS, RANDOM_GRAPH_EDGES = _random_graph_events()

RAW_ROWS: dict[tuple[str, str], list[dict]] = {
    ("segment", "events"): [
        # person A: two browsers, each identifying with the same address (spelled twice)
        _segment(1, "page", "2026-03-01T08:00:00.000Z", anonymous_id="anon-a1"),
        _segment(
            2,
            "identify",
            "2026-03-01T08:05:00.000Z",
            anonymous_id="anon-a1",
            traits='{"email": " A@X.com "}',
        ),
        _segment(
            3,
            "track",
            "2026-03-02T09:00:00.000+01:00",
            anonymous_id="anon-a2",
            event="Form Submitted",
            properties='{"email": "a@x.com", "form_id": "ebook"}',
        ),
        # person B: two browsers sharing a userId, no email
        _segment(4, "page", "2026-03-02T10:00:00Z", anonymous_id="anon-b1", user_id="user-b"),
        _segment(5, "page", "2026-03-04T10:00:00Z", anonymous_id="anon-b2", user_id="user-b"),
        # a page's properties.email is no identity edge: anon-c stays alone
        _segment(
            6,
            "page",
            "2026-03-02T11:00:00Z",
            anonymous_id="anon-c",
            properties='{"email": "a@x.com"}',
        ),
        *RANDOM_GRAPH_EVENTS,
    ],
    ("sendgrid", "events"): [
        # an address known only from email: a person of its own
        {
            "sg_event_id": "sg-1",
            "sg_message_id": "msg-1",
            "email": "ESP@z.com",
            "timestamp": "1772352000",  # 2026-03-01T08:00:00Z
            "event": "delivered",
            "_source_file": "email/sendgrid/0001.json",
            "_source_position": 1,
        },
    ],
    ("salesforce", "lead"): [
        # converted into Contact C1 with another address: one person
        _sf(
            "Lead",
            2,
            "00Q0000000000L1AAA",
            "2026-02-01T09:00:00.000Z",
            email="Lead@Y.com",
            is_converted="true",
            converted_contact_id="0030000000000C1AAA",
        ),
    ],
    ("salesforce", "contact"): [
        _sf(
            "Contact",
            2,
            "0030000000000C1AAA",
            "2026-02-10T09:00:00.000Z",
            email="contact@y.com",
            account_id="0010000000000A1AAA",
        ),
        # one person with Contacts in two Accounts: the newer Account wins
        _sf(
            "Contact",
            3,
            "0030000000000C2AAA",
            "2025-06-01T09:00:00.000Z",
            email="multi@q.com",
            account_id="0010000000000A2AAA",
        ),
        _sf(
            "Contact",
            4,
            "0030000000000C3AAA",
            "2026-02-15T09:00:00.000Z",
            email=" Multi@Q.com",
            account_id="0010000000000A1AAA",
        ),
        # deleted: contributes nothing
        _sf(
            "Contact",
            5,
            "0030000000000C4AAA",
            "2026-02-15T09:00:00.000Z",
            email="gone@z.com",
            account_id="0010000000000A1AAA",
            is_deleted="true",
        ),
    ],
    ("salesforce", "account"): [
        _sf("Account", 2, "0010000000000A1AAA", "2026-02-01T00:00:00.000Z", name="New Co"),
        _sf("Account", 3, "0010000000000A2AAA", "2025-01-01T00:00:00.000Z", name="Old Co"),
    ],
    ("salesforce", "opportunity"): [
        # EUR 100 won on Sunday 2026-03-08: Friday's USD rate 1.08 -> 108.00
        _sf(
            "Opportunity",
            2,
            "0060000000000O1AAA",
            "2026-02-20T00:00:00.000Z",
            account_id="0010000000000A1AAA",
            amount="100",
            currency_iso_code="EUR",
            close_date="2026-03-08",
            is_closed="true",
            is_won="true",
            stage_name="Closed Won",
        ),
        # open GBP 850: the latest rates (Monday 03-09): 850 x 1.09 / 0.85 = 1090.00
        _sf(
            "Opportunity",
            3,
            "0060000000000O2AAA",
            "2026-02-20T00:00:00.000Z",
            account_id="0010000000000A1AAA",
            amount="850",
            currency_iso_code="GBP",
            close_date="2026-06-30",
            is_closed="false",
            is_won="false",
            stage_name="Prospecting",
        ),
        # lost, in USD (the reporting currency) and closed before any rate: no rate needed
        _sf(
            "Opportunity",
            4,
            "0060000000000O3AAA",
            "2023-01-01T00:00:00.000Z",
            amount="500",
            currency_iso_code="USD",
            close_date="2023-06-30",
            is_closed="true",
            is_won="false",
            stage_name="Closed Lost",
        ),
        # open, no amount: 0
        _sf(
            "Opportunity",
            5,
            "0060000000000O4AAA",
            "2026-02-20T00:00:00.000Z",
            currency_iso_code="EUR",
            close_date="2026-06-30",
            is_closed="false",
            is_won="false",
            stage_name="Prospecting",
        ),
    ],
    ("fx", "ecb_rates"): [
        {
            "rate_date": rate_date,
            "currency_code": currency,
            "rate": rate,
            "_source_file": "finance/fx/eurofxref-hist.csv",
            "_source_position": position,
        }
        for position, (rate_date, currency, rate) in enumerate(
            [
                ("2026-03-06", "USD", "1.0800"),
                ("2026-03-06", "GBP", "0.8400"),
                ("2026-03-09", "USD", "1.0900"),
                ("2026-03-09", "GBP", "0.8500"),
            ],
            start=2,
        )
    ],
    ("google_ads", "ad_stats"): [
        {
            "customer_id": "111",
            "customer_currency_code": "USD",
            "campaign_id": "7001",
            "campaign_name": "Search - Brand",
            "ad_group_id": "22",
            "ad_group_name": "Brand",
            "ad_id": "33",
            "segments_date": "2026-03-07",
            "metrics_impressions": "100",
            "metrics_clicks": "5",
            "metrics_cost_micros": "2500000",
            "metrics_conversions": 1.5,
            "_source_file": "ads/google_ads/2026-03-09.json",
            "_source_position": 1,
        },
    ],
    ("meta_ads", "insights"): [
        # EUR 10.00 on Saturday 2026-03-07: Friday's rate -> USD 10.80
        {
            "account_id": "9001",
            "account_currency": "EUR",
            "campaign_id": "c1",
            "campaign_name": "Ebook",
            "adset_id": "s1",
            "adset_name": "Lookalike",
            "ad_id": "m1",
            "ad_name": "Ebook v1",
            "date_start": "2026-03-07",
            "date_stop": "2026-03-07",
            "impressions": "2000",
            "clicks": "40",
            "spend": "10.00",
            "actions": '[{"action_type": "lead", "value": "2"},'
            ' {"action_type": "omni_lead", "value": "2"}]',
            "_source_file": "ads/meta_ads/p1.json",
            "_source_position": 1,
        },
    ],
    ("linkedin_ads", "ad_analytics"): [
        {
            "creative_urn": "urn:li:sponsoredCreative:555",
            "date_start": "2026-03-08",
            "date_end": "2026-03-08",
            "impressions": "300",
            "clicks": "6",
            "external_website_conversions": "1",
            "cost_in_usd": "99.99999999999996",
            "_source_file": "ads/linkedin_ads/analytics/a.json",
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
}


@pytest.fixture(scope="module")
def built(dbt_harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work_dir = tmp_path_factory.mktemp("identity_finance")
    warehouse = dbt_harness.create_warehouse(work_dir / "warehouse.duckdb")
    for (source, object_), rows in RAW_ROWS.items():
        dbt_harness.insert_raw(warehouse, source, object_, rows)
    dbt_harness.run_dbt(
        ["build", "--select", *SELECTION, "--indirect-selection", "cautious"], warehouse, work_dir
    )
    return {"warehouse": warehouse, "work_dir": work_dir}


@pytest.fixture(scope="module")
def query(dbt_harness, built: dict):
    return lambda sql: dbt_harness.query(built["warehouse"], sql)


def _person_of(query) -> dict[tuple[str, str], str]:
    rows = query(
        "select identifier_type, identifier_value, person_id"
        " from intermediate.int_identifiers_resolved"
    )
    return {(t, v): p for t, v, p in rows}


def test_two_browsers_and_one_email_are_one_person(query) -> None:
    person_of = _person_of(query)
    person_a = _md5("a@x.com")
    assert person_of[("anonymous_id", "anon-a1")] == person_a
    assert person_of[("anonymous_id", "anon-a2")] == person_a
    assert person_of[("email", "a@x.com")] == person_a
    # a page's properties.email is no edge
    assert person_of[("anonymous_id", "anon-c")] == _md5("anonymous_id:anon-c")
    assert query(
        "select email_normalized, email_hash, identifier_count, account_id, first_seen_at"
        f" from intermediate.int_persons_resolved where person_id = '{person_a}'"
    ) == [("a@x.com", _sha256("a@x.com"), 3, None, datetime(2026, 3, 1, 8, 0))]


def test_browsers_sharing_a_user_id_are_one_person(query) -> None:
    person_of = _person_of(query)
    person_b = _md5("anonymous_id:anon-b1")
    assert {
        person_of[("anonymous_id", "anon-b1")],
        person_of[("anonymous_id", "anon-b2")],
        person_of[("user_id", "user-b")],
    } == {person_b}
    assert query(
        "select email_normalized, email_hash, first_seen_at, last_seen_at"
        f" from intermediate.int_persons_resolved where person_id = '{person_b}'"
    ) == [(None, None, datetime(2026, 3, 2, 10, 0), datetime(2026, 3, 4, 10, 0))]


def test_converted_lead_and_crm_accounts(query) -> None:
    person_of = _person_of(query)
    converted = _md5("contact@y.com")  # smaller than lead@y.com
    assert {
        person_of[("lead_id", "00Q0000000000L1AAA")],
        person_of[("email", "lead@y.com")],
        person_of[("contact_id", "0030000000000C1AAA")],
        person_of[("email", "contact@y.com")],
    } == {converted}
    multi = _md5("multi@q.com")
    assert person_of[("contact_id", "0030000000000C2AAA")] == multi
    assert person_of[("contact_id", "0030000000000C3AAA")] == multi
    accounts = dict(
        query(
            "select person_id, account_id from intermediate.int_persons_resolved"
            " where account_id is not null"
        )
    )
    # C2's Account is older (2025) than C3's (2026-02): the newer one wins
    assert accounts == {converted: "0010000000000A1AAA", multi: "0010000000000A1AAA"}
    first_seen = query(
        "select first_seen_at from intermediate.int_persons_resolved"
        f" where person_id = '{converted}'"
    )
    assert first_seen == [(datetime(2026, 2, 1, 9, 0),)]


def test_esp_only_email_and_deleted_contact(query) -> None:
    person_of = _person_of(query)
    assert person_of[("email", "esp@z.com")] == _md5("esp@z.com")
    assert ("email", "gone@z.com") not in person_of
    assert ("contact_id", "0030000000000C4AAA") not in person_of


def test_persons_are_exactly_the_connected_components(query) -> None:
    graph = nx.Graph()
    for left, right in RANDOM_GRAPH_EDGES:
        graph.add_edge(left, right)
    rows = query(
        "select identifier_type || ':' || identifier_value, person_id"
        " from intermediate.int_identifiers_resolved"
        " where identifier_value like 'rg%' or identifier_value like 'chain-%'"
    )
    person_of = dict(rows)
    assert set(person_of) == set(graph.nodes)
    for component in nx.connected_components(graph):
        emails = sorted(n.removeprefix("email:") for n in component if n.startswith("email:"))
        expected = _md5(emails[0]) if emails else _md5(min(component))
        assert {person_of[n] for n in component} == {expected}
    assert len(set(person_of.values())) == nx.number_connected_components(graph)
    chain = {person_of[n] for n in person_of if n.split(":")[1].startswith("chain-")}
    assert chain == {_md5("anonymous_id:chain-anon-00")}


def test_fx_weekend_carries_friday_and_euro_is_one(query) -> None:
    rows = query(
        "select currency_code, calendar_date, units_per_eur, reporting_units_per_eur,"
        " published_rate_date, is_carried_forward from intermediate.int_fx_rates_daily"
        " where currency_code in ('EUR', 'GBP') order by currency_code, calendar_date"
    )
    fri, sat, sun, mon = (date(2026, 3, d) for d in (6, 7, 8, 9))
    one, usd_fri, usd_mon = Decimal("1"), Decimal("1.08"), Decimal("1.09")
    assert rows == [
        ("EUR", fri, one, usd_fri, fri, False),
        ("EUR", sat, one, usd_fri, sat, False),
        ("EUR", sun, one, usd_fri, sun, False),
        ("EUR", mon, one, usd_mon, mon, False),
        ("GBP", fri, Decimal("0.84"), usd_fri, fri, False),
        ("GBP", sat, Decimal("0.84"), usd_fri, fri, True),
        ("GBP", sun, Decimal("0.84"), usd_fri, fri, True),
        ("GBP", mon, Decimal("0.85"), usd_mon, mon, False),
    ]


def test_opportunities_convert_at_close_date_or_latest_rate(query) -> None:
    rows = query(
        "select opportunity_id, currency_code, amount, amount_in_reporting_currency,"
        " fx_rate_date, is_won, is_lost, is_amount_missing"
        " from intermediate.int_opportunities_converted order by opportunity_id"
    )
    assert rows == [
        # EUR 100 closed on a Sunday: Friday's USD 1.08
        ("0060000000000O1AAA", "EUR", Decimal("100"), Decimal("108"), date(2026, 3, 8), True,
         False, False),
        # open GBP 850 at the latest rates: 850 x 1.09 / 0.85
        ("0060000000000O2AAA", "GBP", Decimal("850"), Decimal("1090"), date(2026, 3, 9), False,
         False, False),
        # USD needs no rate, even in 2023
        ("0060000000000O3AAA", "USD", Decimal("500"), Decimal("500"), date(2023, 6, 30), False,
         True, False),
        ("0060000000000O4AAA", "EUR", Decimal("0"), Decimal("0"), date(2026, 3, 9), False,
         False, True),
    ]  # fmt: skip


def test_ad_performance_one_shape_and_reporting_spend(query) -> None:
    rows = query(
        "select platform, channel, ad_account_id, campaign_id, campaign_name, ad_group_id,"
        " ad_id, currency_code, impressions, clicks, spend, spend_in_reporting_currency,"
        " platform_leads, report_date"
        " from intermediate.int_ad_performance_unioned order by platform"
    )
    assert rows == [
        ("google_ads", "Paid Search", "111", "7001", "Search - Brand", "22", "33", "USD", 100,
         5, Decimal("2.5"), Decimal("2.5"), Decimal("1.5"), date(2026, 3, 7)),
        # LinkedIn: costInUsd rounded to cents in staging; campaign via the creative
        ("linkedin_ads", "Paid Social", "900", "70", "Q1 Webinar", None, "555", "USD", 300,
         6, Decimal("100"), Decimal("100"), Decimal("1"), date(2026, 3, 8)),
        # Meta EUR 10.00 on a Saturday: Friday's 1.08; the `lead` action only
        ("meta_ads", "Paid Social", "9001", "c1", "Ebook", "s1", "m1", "EUR", 2000,
         40, Decimal("10"), Decimal("10.8"), Decimal("2"), date(2026, 3, 7)),
    ]  # fmt: skip


def test_my_models_document_every_built_column(dbt_harness, empty_build) -> None:
    """On the empty warehouse every model builds, empty, with every column documented."""
    warehouse = empty_build["warehouse"]
    nodes = {
        n["name"]: n
        for n in empty_build["manifest"]["nodes"].values()
        if n["resource_type"] == "model" and n["name"] in MY_MODELS
    }
    assert set(nodes) == set(MY_MODELS)
    for name, node in nodes.items():
        columns = [
            c
            for (c,) in dbt_harness.query(
                warehouse,
                "select column_name from information_schema.columns where table_schema ="
                " 'intermediate' and table_name = ? order by ordinal_position",
                [name],
            )
        ]
        assert list(node["columns"]) == columns, name
        assert node["description"].strip(), name
        assert all(c["description"].strip() for c in node["columns"].values()), name
        rows = dbt_harness.query(warehouse, f"select count(*) from intermediate.{name}")
        assert rows == [(0,)], name


def test_my_tests_depend_on_intermediate_models_only(empty_build) -> None:
    """Tests of the intermediate models read intermediate models only, so they run
    exactly when those are built. (The reconciliations that reach from staging through
    int_fx_rates_daily to a mart are attached to their mart and, with the project's
    `buildable` indirect selection, run only when that mart is built.)"""
    manifest = empty_build["manifest"]
    mine = {f"model.journey_warehouse.{name}" for name in MY_MODELS}
    for node in manifest["nodes"].values():
        parents = set(node.get("depends_on", {}).get("nodes", []))
        if node["resource_type"] != "test" or not parents & mine:
            continue
        attached = (node.get("meta") or {}).get("dagster", {}).get("ref", {}).get("name", "")
        if manifest["nodes"].get(f"model.journey_warehouse.{attached}", {}).get("fqn", [])[1:2] == [
            "marts"
        ]:
            continue
        # seeds (definitions the project ships) are built before anything
        intermediate = {
            p
            for p in parents
            if p.startswith("seed.") or manifest["nodes"][p]["fqn"][1:2] == ["intermediate"]
        }
        assert parents == intermediate, (node["name"], sorted(parents - intermediate))


@pytest.fixture(scope="module")
def failing_build_output(dbt_harness, built: dict) -> str:
    """A copy of the warehouse with a JPY opportunity (no JPY rate) rebuilt with one round.

    Returns dbt's output; the build must fail.
    """
    work_dir = built["work_dir"] / "failing"
    work_dir.mkdir()
    warehouse = work_dir / "warehouse.duckdb"
    shutil.copy(built["warehouse"], warehouse)
    jpy = _sf(
        "Opportunity",
        9,
        "0060000000000O9AAA",
        "2026-02-20T00:00:00.000Z",
        amount="1000",
        currency_iso_code="JPY",
        close_date="2026-03-08",
        is_closed="true",
        is_won="true",
    )
    dbt_harness.insert_raw(warehouse, "salesforce", "opportunity", [jpy])
    args = [
        "build",
        "--select",
        "stg_salesforce__opportunities",
        "int_fx_rates_daily",
        "int_opportunities_classified",
        "int_opportunities_converted",
        "int_ad_performance_unioned",
        "int_identity_edges",
        "int_identifiers_resolved",
        "--indirect-selection",
        "cautious",
        # the unit tests would stop the one-round model before its data tests run
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        "{identity_resolution_max_rounds: 1}",
    ]
    with pytest.raises(pytest.fail.Exception) as failure:
        dbt_harness.run_dbt(args, warehouse, work_dir)
    converted = dbt_harness.query(
        warehouse,
        "select amount_in_reporting_currency from intermediate.int_opportunities_converted"
        " where opportunity_id = '0060000000000O9AAA'",
    )
    assert converted == [(None,)]  # never a silent 1.0
    return str(failure.value)


def test_missing_fx_rate_fails_the_build(failing_build_output: str) -> None:
    assert "Failure in test fx_rate_available_for_deals " in failing_build_output
    # the ad spend all has its rates: that check is a different one and passes
    assert "Failure in test fx_rate_available_for_ad_spend" not in failing_build_output


def test_too_few_identity_rounds_fail_the_fixed_point_test(failing_build_output: str) -> None:
    assert "Failure in test identity_graph_at_fixed_point" in failing_build_output
