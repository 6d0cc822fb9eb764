"""The loader honours the erasure list: an erased person's records are not loaded and
not quarantined, only accounted for in ``raw._erased`` (file, position, hash).

The person is Ana of the fixture landing zone: email ana@example.com, browser anon-1,
users user-1 and user-9 (see fixtures/landing/web/segment/2026-01-05.jsonl).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.erasure import (
    ERASURE_LIST_NAME,
    ErasureEntry,
    default_erasure_list,
    entries_for,
    identifier_sha256,
    normalize_email,
    read_erasure_list,
    sync_erasure_list,
)
from ingestion.registry import ERASED_TABLE, ERASURES_TABLE, QUARANTINE_TABLE, raw_table
from quality.landing import landing_suites
from quality.model import CheckContext

ANA = [
    ("email", "ana@example.com"),
    ("anonymous_id", "anon-1"),
    ("user_id", "user-1"),
    ("user_id", "user-9"),
    ("lead_id", "00Q000000000001AAA"),
]
ERASED_AT = datetime(2026, 1, 7, 12, 0, 0)


def _erase_ana(path: Path) -> list[ErasureEntry]:
    entries = entries_for(ANA, "erasure-1", ERASED_AT)
    path.write_text("".join(e.to_json() + "\n" for e in entries))
    return entries


def _accounted_for(conn: duckdb.DuckDBPyConnection, table: str, landing: Path):
    suites = {s.name: s for s in landing_suites()}
    results = suites[f"landing.{table}"].run(conn, CheckContext(landing_dir=landing))
    return results["landing_records_accounted_for"]


def test_normalize_email_is_the_dbt_macro() -> None:
    # lower(trim(email)): DuckDB's trim removes spaces only; '' is no email
    assert normalize_email("  Ana@Example.COM ") == "ana@example.com"
    assert normalize_email("\tana@example.com") == "\tana@example.com"
    assert normalize_email("   ") is None


def test_identifier_hash_in_python_equals_the_sql_one() -> None:
    conn = duckdb.connect()
    for kind, value in [*ANA, ("email", "émile@exämple.com")]:
        [(in_sql,)] = conn.execute("select sha256(? || ':' || ?)", [kind, value]).fetchall()
        assert identifier_sha256(kind, value) == in_sql


def test_an_erased_persons_records_in_a_later_file_are_erased_not_loaded(wh, landing, tmp_path):
    wh.load(landing, "segment")  # before the erasure: Ana's m-1 is in raw
    entries = _erase_ana(tmp_path / ERASURE_LIST_NAME)
    ts = "2026-01-08T09:00:00Z"
    later = [
        # 1: Ana's browser
        {"type": "page", "messageId": "m-20", "anonymousId": "anon-1", "timestamp": ts},
        # 2: someone else: loaded
        {"type": "page", "messageId": "m-21", "anonymousId": "anon-7", "timestamp": ts},
        # 3: an unknown user carrying Ana's email (normalized: spaces, capitals)
        {
            "type": "track",
            "messageId": "m-22",
            "userId": "user-77",
            "event": "Signed Up",
            "timestamp": ts,
            "properties": {"email": " Ana@Example.com "},
        },
        # 4: broken (bad timestamp): would be quarantined with its text, is erased
        {
            "type": "identify",
            "messageId": "m-23",
            "anonymousId": "anon-8",
            "timestamp": "soon",
            "context": {"traits": {"email": "ana@example.com"}},
        },
        # 5: a resent copy of Ana's m-1 (already in raw): erased, not a duplicate
        {"type": "page", "messageId": "m-1", "anonymousId": "anon-1", "timestamp": ts},
    ]
    path = landing / "web" / "segment" / "2026-01-08.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in later))

    # the list is found beside the warehouse file (tmp_path/warehouse.duckdb)
    result = wh.load(landing, "segment", load_id="load-2")

    [stats] = [f for f in result.tables["events"].files if f.path.endswith("2026-01-08.jsonl")]
    assert (
        stats.records_read,
        stats.records_loaded,
        stats.records_duplicate,
        stats.records_quarantined,
        stats.records_erased,
    ) == (5, 1, 0, 0, 4)
    assert stats.detail == "4 record(s) erased (see raw._erased)"
    hashes = {
        e.identifier_type + ":" + v: e.identifier_sha256
        for e, (_, v) in zip(entries, ANA, strict=True)
    }
    assert wh.rows(
        f"select source_file, source_position, identifier_sha256, erased_from, load_id "
        f"from {ERASED_TABLE} order by source_position"
    ) == [
        ("web/segment/2026-01-08.jsonl", 1, hashes["anonymous_id:anon-1"], "load", "load-2"),
        ("web/segment/2026-01-08.jsonl", 3, hashes["email:ana@example.com"], "load", "load-2"),
        ("web/segment/2026-01-08.jsonl", 4, hashes["email:ana@example.com"], "load", "load-2"),
        ("web/segment/2026-01-08.jsonl", 5, hashes["anonymous_id:anon-1"], "load", "load-2"),
    ]
    assert wh.rows(
        "select message_id from raw.segment__events where _source_file like '%01-08%'"
    ) == [("m-21",)]
    assert wh.rows(f"select count(*) from {QUARANTINE_TABLE} where source_file like '%01-08%'") == [
        (0,)
    ]
    # the ledger keeps its shape; read = loaded + duplicate + quarantined + erased
    assert wh.rows(
        "select records_read, records_loaded, records_duplicate, records_quarantined "
        "from raw._file_ledger where source_file like '%01-08%'"
    ) == [(5, 1, 0, 0)]
    check = _accounted_for(wh.conn, "segment__events", landing)
    assert check.passed, check.summary
    assert check.metadata["records_erased"] == 4
    assert "+ 4 erased at load" in check.summary


def test_a_broken_record_is_still_quarantined_when_it_is_not_the_persons(wh, landing, tmp_path):
    erasure_list = tmp_path / "erasures.jsonl"
    _erase_ana(erasure_list)
    from ingestion import load_source

    load_source(
        wh.conn, landing, "segment", load_id="load-1", now=wh.now, erasure_list=erasure_list
    )
    # 2026-01-05.jsonl: 9 records; Ana's m-1, m-2 (user-9, her email), m-8 (identify)
    # and the resent m-1 are erased; m-3 is not JSON (no identifier can be read): it is
    # quarantined like the other broken ones (anon-2 without messageId, m-5, m-6)
    assert wh.ledger("segment")[0] == ("web/segment/2026-01-05.jsonl", "loaded", 9, 1, 0, 4)
    assert wh.rows(
        f"select source_position from {ERASED_TABLE} "
        "where source_file = 'web/segment/2026-01-05.jsonl' order by 1"
    ) == [(1,), (2,), (9,), (10,)]
    assert _accounted_for(wh.conn, "segment__events", landing).passed


def test_salesforce_and_sendgrid_records_of_the_person_are_erased(wh, landing, tmp_path):
    erasure_list = tmp_path / "erasures.jsonl"
    _erase_ana(erasure_list)
    from ingestion import load_source

    for source in ("salesforce", "sendgrid"):
        load_source(
            wh.conn, landing, source, load_id="load-1", now=wh.now, erasure_list=erasure_list
        )
    # Lead: Ana's row (her Id and email) erased, Bo's loaded
    assert wh.rows("select email from raw.salesforce__lead") == [("bo@example.com",)]
    assert wh.rows(
        f"select source_file, source_position from {ERASED_TABLE} where object = 'lead'"
    ) == [("crm/salesforce/Lead/2026-01-01T000000.csv", 2)]
    # SendGrid 10.json: 6 events, 4 of Ana (ev-1, ev-2, ev-3 and ev-2 again) erased, not
    # duplicates; bo's (no sg_event_id) and cy's (timestamp 'yesterday') quarantined.
    # 11.json: ev-3 of Ana erased, dee's ev-4 loaded. 12_redelivered: the bytes of 10,
    # skipped.
    assert wh.rows(
        "select source_file, count(*) from raw._erased where source = 'sendgrid' "
        "group by 1 order by 1"
    ) == [("email/sendgrid/2026-01-01T10.json", 4), ("email/sendgrid/2026-01-01T11.json", 1)]
    assert wh.rows("select sg_event_id from raw.sendgrid__events order by 1") == [("ev-4",)]
    assert wh.ledger("sendgrid")[:2] == [
        ("email/sendgrid/2026-01-01T10.json", "loaded", 6, 0, 0, 2),
        ("email/sendgrid/2026-01-01T11.json", "loaded", 2, 1, 0, 0),
    ]
    assert wh.rows(f"select count(*) from {QUARANTINE_TABLE} where raw_text like '%ana@%'") == [
        (0,)
    ]
    for table in ("salesforce__lead", "sendgrid__events"):
        assert _accounted_for(wh.conn, table, landing).passed


def test_the_erasure_list_file_and_table_are_kept_in_step(conn, tmp_path):
    path = tmp_path / "erasures.jsonl"
    from_file = _erase_ana(path)
    # a warehouse rebuilt from scratch gets the list back from the file
    assert sync_erasure_list(conn, path) == len(ANA)
    assert {
        r[0] for r in conn.execute(f"select identifier_sha256 from {ERASURES_TABLE}").fetchall()
    } == {e.identifier_sha256 for e in from_file}
    # an entry only the warehouse has (a file lost) is written back to the file
    [only_in_table] = entries_for([("email", "zed@example.com")], "erasure-2", ERASED_AT)
    conn.execute(
        f"insert into {ERASURES_TABLE} values (?, ?, ?, ?)",
        [only_in_table.identifier_sha256, "email", "erasure-2", ERASED_AT],
    )
    assert sync_erasure_list(conn, path) == len(ANA) + 1
    assert read_erasure_list(path)[-1] == only_in_table
    # hashes only: no identifier value is written anywhere
    text = path.read_text()
    assert all(value not in text for _, value in ANA)
    # the default list lives beside the warehouse file
    assert default_erasure_list(conn) == (tmp_path / ERASURE_LIST_NAME).resolve()
    assert default_erasure_list(duckdb.connect()) is None


def test_tables_without_a_persons_records_have_no_identifiers() -> None:
    for source, object_ in [
        ("salesforce", "opportunity"),
        ("salesforce", "account"),
        ("salesforce", "user"),
        ("google_ads", "ad_stats"),
        ("fx", "ecb_rates"),
    ]:
        assert raw_table(source, object_).person_identifiers == ()
    assert {k for k, _ in raw_table("segment", "events").person_identifiers} == {
        "anonymous_id",
        "user_id",
        "email",
    }
