"""`journey forget` on raw, without dbt: the person's identifiers are found, put on the
list as hashes, their raw and quarantined rows deleted and accounted for, their
landing files listed.

The warehouse is the ingestion fixture landing zone (tests/ingestion/fixtures/landing)
loaded once. Ana there: email ana@example.com; Segment 2026-01-05.jsonl lines 1 (m-1,
anon-1), 2 (m-2, user-9 with her email), 9 (m-8: anon-1 + user-1 + her email), 10 (m-1
again: a duplicate, not loaded), 3 (m-3, cut short: quarantined, names anon-1); SendGrid
ev-1, ev-2, ev-3 in 2026-01-01T10.json (ev-2 twice), ev-3 again in ...T11.json (a
duplicate), ...T12_redelivered.json the same bytes as T10; Lead 00Q000000000001AAA.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion import SOURCES, load_source
from ingestion.erasure import email_sha256, read_erasure_list
from ingestion.registry import ERASED_TABLE, RAW_TABLES
from orchestration.privacy import append_audit_log, erase_from_raw
from quality.landing import landing_suites
from quality.model import CheckContext

FIXTURES = Path(__file__).parents[1] / "ingestion" / "fixtures" / "landing"
NOW = datetime(2026, 1, 7, 6, 0, 0)
ANA_VALUES = ("ana@example.com", "anon-1", "user-1", "user-9", "00Q000000000001AAA")


@pytest.fixture(scope="session")
def dbt_manifest() -> None:
    """Raw only: no dbt manifest needed."""
    return None


@pytest.fixture
def loaded(tmp_path: Path):
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES, landing)
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    for source in SOURCES:
        load_source(conn, landing, source, load_id="load-1", now=NOW)
    yield conn, landing, tmp_path / "erasures.jsonl"
    conn.close()


def _rows_naming(conn: duckdb.DuckDBPyConnection, values: tuple[str, ...]) -> dict[str, int]:
    """Rows of every raw table (and the quarantine) whose text names a value."""
    found = {}
    for table in RAW_TABLES:
        [(n,)] = conn.execute(
            f"select count(*) from {table.qualified_name} "
            "where list_bool_or([contains(lower(_record), v) for v in ?])",
            [list(values)],
        ).fetchall()
        if n:
            found[table.qualified_name] = n
    [(n,)] = conn.execute(
        "select count(*) from raw._quarantine "
        "where list_bool_or([contains(lower(coalesce(raw_text, '')), v) for v in ?])",
        [list(values)],
    ).fetchall()
    if n:
        found["raw._quarantine"] = n
    return found


def _all_accounted_for(conn: duckdb.DuckDBPyConnection, landing: Path) -> dict[str, str]:
    failed = {}
    for suite in landing_suites():
        result = suite.run(conn, CheckContext(landing_dir=landing))["landing_records_accounted_for"]
        if not result.passed:
            failed[suite.name] = result.summary
    return failed


def test_forget_deletes_the_persons_raw_rows_and_accounts_for_them(loaded) -> None:
    conn, landing, erasure_list = loaded
    before = _rows_naming(conn, ANA_VALUES)
    assert before == {
        "raw.sendgrid__events": 3,
        "raw.segment__events": 3,
        "raw.salesforce__lead": 1,
        "raw._quarantine": 1,
    }

    erasure = erase_from_raw(conn, "  ANA@example.com ", erasure_list, landing_dir=landing)

    assert erasure.person_found  # raw alone knows her (no dbt build here)
    assert erasure.email_sha256 == email_sha256("ana@example.com")
    assert erasure.identifiers == {"anonymous_id": 1, "email": 1, "lead_id": 1, "user_id": 2}
    assert erasure.rows_erased == before
    assert _rows_naming(conn, ANA_VALUES) == {}
    assert conn.execute(
        f"select erased_from, count(*) from {ERASED_TABLE} group by 1 order by 1"
    ).fetchall() == [("quarantine", 1), ("raw", 7)]
    assert erasure.landing_files == [
        "crm/salesforce/Lead/2026-01-01T000000.csv",
        "email/sendgrid/2026-01-01T10.json",
        "email/sendgrid/2026-01-01T11.json",  # only a duplicate of hers: found by the scan
        "email/sendgrid/2026-01-01T12_redelivered.json",  # the same bytes as T10
        "web/segment/2026-01-05.jsonl",
    ]
    assert _all_accounted_for(conn, landing) == {}
    # the list holds her 5 identifiers as hashes, nothing in plain
    entries = read_erasure_list(erasure_list)
    assert len(entries) == 5
    text = erasure_list.read_text().lower()
    assert not [v for v in ANA_VALUES if v.lower() in text]
    # the audit line: the email's hash, counts and files; no identifier value
    log = erasure_list.with_name("erasures.log")
    append_audit_log(log, erasure)
    assert erasure.email_sha256 in log.read_text()
    assert not [v for v in ANA_VALUES if v.lower() in log.read_text().lower()]

    # again: nothing left to delete, nothing new on the list
    again = erase_from_raw(conn, "ana@example.com", erasure_list, landing_dir=landing)
    assert again.rows_erased == {}
    assert len(read_erasure_list(erasure_list)) == 5
    # a reload of the same landing zone into a warehouse rebuilt from scratch drops her
    fresh = duckdb.connect(str(erasure_list.with_name("rebuilt.duckdb")))
    for source in SOURCES:
        load_source(fresh, landing, source, load_id="load-1", now=NOW, erasure_list=erasure_list)
    assert _rows_naming(fresh, ANA_VALUES) == {"raw._quarantine": 1}  # m-3 is not JSON
    assert _all_accounted_for(fresh, landing) == {}
    fresh.close()


def test_an_unknown_email_is_still_put_on_the_list(loaded) -> None:
    conn, landing, erasure_list = loaded
    erasure = erase_from_raw(conn, "nobody@example.com", erasure_list, landing_dir=landing)
    assert not erasure.person_found
    assert erasure.identifiers == {"email": 1}
    assert (erasure.rows_erased, erasure.landing_files) == ({}, [])
    [entry] = read_erasure_list(erasure_list)
    assert entry.identifier_type == "email"
    assert "nobody" not in erasure_list.read_text()


def test_an_empty_email_is_refused(loaded) -> None:
    conn, _, erasure_list = loaded
    with pytest.raises(ValueError, match="empty"):
        erase_from_raw(conn, "   ", erasure_list)
