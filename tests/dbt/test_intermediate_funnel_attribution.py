"""Funnel stages (definitions §3) and attribution (§4) from hand-written raw rows.

One warehouse and one ``dbt build`` of the funnel and attribution models, and of
fct_attribution (where a won deal's revenue joins the credits), with their parents
(their data, unit and singular tests included). Ann submits a form on day 1
(2026-03-01 10:00 UTC), comes back on 03-05 09:00, and wins Opportunity O1 (linked by a
contact role, created 03-05 12:00) on day 40 (2026-04-09). Bob signs up on 03-02, visits
three more times, and wins O2 (no contact role: linked through his Account) created on
03-07. Every expected value is worked out by hand from these rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

SEGMENT_FILE = "web/segment/2026-03-10.jsonl"
SF = "crm/salesforce/"
SITE = "https://www.acme.example"
ANN_C1 = "0030000000000C1AAA"
BOB_C2 = "0030000000000C2AAA"
O1 = "0060000000000O1AAA"
O2 = "0060000000000O2AAA"


def _segment(position: int, type_: str, anonymous_id: str, timestamp: str, **fields) -> dict:
    return {
        "message_id": f"seg-{position}",
        "type": type_,
        "anonymous_id": anonymous_id,
        "timestamp": timestamp,
        "context_page_url": f"{SITE}/",
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
        "_source_file": f"{SF}{object_}/2026-04-10.csv",
        "_source_position": position,
        **fields,
    }


def _won(position: int, id_: str, account_id: str, created: str, close: str, amount: str) -> dict:
    return _sf(
        "Opportunity",
        position,
        id_,
        created,
        account_id=account_id,
        amount=amount,
        currency_iso_code="USD",
        close_date=close,
        is_closed="true",
        is_won="true",
        stage_name="Closed Won",
    )


RAW_ROWS = {
    ("segment", "events"): [
        # Ann: the Form Submitted track opens her first session (day 1, 10:00)
        _segment(
            1,
            "track",
            "anon-ann",
            "2026-03-01T10:00:00.000Z",
            event="Form Submitted",
            properties='{"email": " Ann@Example.com "}',
        ),
        _segment(2, "page", "anon-ann", "2026-03-05T09:00:00.000Z"),
        # Bob: four sessions, the first a Signed Up track with his email
        _segment(
            3,
            "track",
            "anon-bob",
            "2026-03-02T08:00:00.000Z",
            event="Signed Up",
            properties='{"email": "bob@example.com"}',
        ),
        _segment(4, "page", "anon-bob", "2026-03-03T08:00:00.000Z"),
        _segment(5, "page", "anon-bob", "2026-03-04T08:00:00.000Z"),
        _segment(6, "page", "anon-bob", "2026-03-06T08:00:00.000Z"),
    ],
    ("salesforce", "account"): [
        _sf("Account", 2, "0010000000000A1AAA", "2026-01-01T00:00:00.000Z", name="Ann Co"),
        _sf("Account", 3, "0010000000000A2AAA", "2026-01-01T00:00:00.000Z", name="Bob Co"),
    ],
    ("salesforce", "contact"): [
        _sf(
            "Contact",
            2,
            ANN_C1,
            "2026-03-10T00:00:00.000Z",
            email="ann@example.com",
            account_id="0010000000000A1AAA",
        ),
        _sf(
            "Contact",
            3,
            BOB_C2,
            "2026-03-06T12:00:00.000Z",
            email="bob@example.com",
            account_id="0010000000000A2AAA",
        ),
    ],
    ("salesforce", "opportunity"): [
        _won(2, O1, "0010000000000A1AAA", "2026-03-05T12:00:00.000Z", "2026-04-09", "1000"),
        _won(3, O2, "0010000000000A2AAA", "2026-03-07T00:00:00.000Z", "2026-03-20", "400"),
    ],
    ("salesforce", "opportunity_contact_role"): [
        _sf(
            "OpportunityContactRole",
            2,
            "00K0000000000R1AAA",
            "2026-03-05T12:00:00.000Z",
            opportunity_id=O1,
            contact_id=ANN_C1,
            role="Decision Maker",
            is_primary="true",
        ),
    ],
}

SELECTION = ["staging", "+fct_attribution", "+int_person_stages"]


@pytest.fixture(scope="module")
def warehouse(dbt_harness, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("funnel_attribution")
    path = dbt_harness.create_warehouse(work_dir / "warehouse.duckdb")
    for (source, object_), rows in RAW_ROWS.items():
        dbt_harness.insert_raw(path, source, object_, rows)
    dbt_harness.run_dbt(
        ["build", "--select", *SELECTION, "--indirect-selection", "cautious"], path, work_dir
    )
    return path


@pytest.fixture(scope="module")
def stages(dbt_harness, warehouse: Path) -> dict[str, dict]:
    rows = dbt_harness.query_dicts(
        warehouse,
        "select persons.email_normalized, stages.*"
        " from intermediate.int_person_stages as stages"
        " inner join intermediate.int_persons_resolved as persons"
        " on stages.person_id = persons.person_id",
    )
    return {row["email_normalized"]: row for row in rows}


def _credits(dbt_harness, warehouse: Path, conversion_id: str, model: str) -> list[float]:
    rows = dbt_harness.query(
        warehouse,
        "select credit, attributed_revenue from marts.fct_attribution"
        " where conversion_id = ? and model = ? order by touch_number",
        [conversion_id, model],
    )
    return [(credit, revenue) for credit, revenue in rows]


def test_ann_stage_times(stages) -> None:
    ann = stages["ann@example.com"]
    assert ann["visitor_at"] == datetime(2026, 3, 1, 10, 0)
    assert ann["lead_at"] == datetime(2026, 3, 1, 10, 0)  # the form, before her Contact
    assert ann["raw_mql_at"] is None  # score 3 + 20 + 3 = 26 < 50
    # MQL skipped: effective MQL and SQL at the Opportunity's CreatedDate
    assert ann["mql_at"] == ann["sql_at"] == ann["opportunity_at"] == datetime(2026, 3, 5, 12)
    assert ann["customer_at"] == datetime(2026, 4, 9)  # day 40, CloseDate at 00:00 UTC
    assert ann["current_stage"] == "Customer"
    assert ann["first_won_opportunity_id"] == O1


def test_bob_is_linked_through_his_account(dbt_harness, warehouse: Path, stages) -> None:
    links = dbt_harness.query(
        warehouse,
        "select opportunity_id, link_type from intermediate.int_opportunity_persons_linked"
        " order by opportunity_id",
    )
    assert links == [(O1, "contact_role"), (O2, "account")]
    bob = stages["bob@example.com"]
    assert bob["lead_at"] == datetime(2026, 3, 2, 8)
    assert bob["customer_at"] == datetime(2026, 3, 20)


def test_two_touch_deal_credits(dbt_harness, warehouse: Path) -> None:
    # O1's window ends at its CreatedDate 03-05 12:00: sessions 03-01 10:00 and 03-05 09:00
    assert _credits(dbt_harness, warehouse, O1, "position_based") == [(0.5, 500.0), (0.5, 500.0)]
    assert _credits(dbt_harness, warehouse, O1, "first_touch") == [(1.0, 1000.0), (0.0, 0.0)]
    # time decay: 4 1/12 days and 1/8 day before the anchor, half-life 7
    weights = [2 ** (-(4 + 2 / 24) / 7), 2 ** (-(3 / 24) / 7)]
    decay = _credits(dbt_harness, warehouse, O1, "time_decay")
    assert decay[0][0] == pytest.approx(weights[0] / sum(weights), abs=1e-12)
    assert decay[0][0] + decay[1][0] == pytest.approx(1.0, abs=1e-15)


def test_four_touch_position_based_default_weights(dbt_harness, warehouse: Path) -> None:
    credits = _credits(dbt_harness, warehouse, O2, "position_based")
    assert [c for c, _ in credits] == pytest.approx([0.4, 0.1, 0.1, 0.4], abs=1e-12)
    assert [r for _, r in credits] == pytest.approx([160.0, 40.0, 40.0, 160.0], abs=1e-9)


def test_lead_conversions_and_unattributed(dbt_harness, warehouse: Path) -> None:
    rows = dbt_harness.query(
        warehouse,
        "select conversions.conversion_type, count(*), sum(credits.credit)"
        " from intermediate.int_attribution_credits as credits"
        " inner join intermediate.int_attribution_conversions as conversions"
        " on credits.attribution_conversion_id = conversions.attribution_conversion_id"
        " where credits.model = 'linear' group by 1 order by 1",
    )
    # leads: each person's only in-window session is the one opening at lead_at
    assert rows == [("deal_won", 6, pytest.approx(2.0)), ("lead", 2, pytest.approx(1.0 * 2))]
    unattributed = dbt_harness.query(
        warehouse,
        "select count(*) from intermediate.int_attribution_credits where channel = 'Unattributed'",
    )
    assert unattributed == [(0,)]
