"""Removing a person from what was built from raw without rebuilding it: the derived
layers, the published file (with its Parquet exports) and the report files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.privacy import REDACTED, redact_files, scrub_serving, scrub_warehouse
from orchestration.serving.publish import _export_parquet

PERSON = "prs_0001aa"
EMAIL_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PUBLISHED_AT = datetime(2026, 12, 1, 6, 0)
NEEDLES = sorted([PERSON, EMAIL_HASH, "alice@acme.com"])


@pytest.fixture(scope="session")
def dbt_manifest() -> None:
    """No dbt here."""
    return None


def _serving(path: Path) -> None:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.dim_persons as select * from (values "
            f"('{PERSON}', '{EMAIL_HASH}', 'Acme'), ('prs_0002bb', 'other-hash', 'Acme')) "
            "t(person_id, email_hash, account_name)"
        )
        conn.execute(
            "create table marts.mart_funnel as select * from (values "
            "('2026-01', 'lead', 2), ('2026-01', 'mql', 1)) t(month, stage, persons)"
        )
        conn.execute(
            "create table marts._publication as select * from (values "
            "('dim_persons', 2, timestamp '2026-12-01 06:00:00', 'run-1'), "
            "('mart_funnel', 2, timestamp '2026-12-01 06:00:00', 'run-1')) "
            "t(table_name, row_count, published_at, run_id)"
        )


def test_the_published_file_is_rewritten_without_the_person(tmp_path: Path) -> None:
    serving, exports = tmp_path / "serving.duckdb", tmp_path / "exports"
    _serving(serving)
    _export_parquet(serving, exports, {"dim_persons": 2, "mart_funnel": 2})

    removed = scrub_serving(serving, NEEDLES, exports)

    assert removed == {"serving.duckdb:marts.dim_persons": 1}
    with duckdb.connect(str(serving), read_only=True) as conn:
        assert conn.execute("select person_id from marts.dim_persons").fetchall() == [
            ("prs_0002bb",)
        ]
        assert conn.execute("select count(*) from marts.mart_funnel").fetchall() == [(2,)]
        assert conn.execute(
            "select table_name, row_count, published_at, run_id from marts._publication order by 1"
        ).fetchall() == [
            ("dim_persons", 1, PUBLISHED_AT, "run-1"),
            ("mart_funnel", 2, PUBLISHED_AT, "run-1"),
        ]
    with duckdb.connect() as conn:
        assert conn.execute(
            "select person_id from read_parquet(?)", [str(exports / "dim_persons.parquet")]
        ).fetchall() == [("prs_0002bb",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports", "serving.duckdb"]


def test_a_published_file_without_the_person_is_left_as_it_is(tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    _serving(serving)
    before = serving.stat().st_mtime_ns
    assert scrub_serving(serving, ["someone-else"], None) == {}
    assert serving.stat().st_mtime_ns == before


def test_derived_layers_lose_the_persons_rows_and_raw_is_not_touched(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        for schema in ("raw", "staging", "marts"):
            conn.execute(f"create schema {schema}")
        conn.execute(
            "create table staging.stg_events as select * from (values "
            "(1, 'ALICE@acme.com'), (2, 'bob@acme.com'), (3, null)) t(id, email)"
        )
        conn.execute(
            "create table marts.fct_journey as select * from (values "
            f"('{PERSON}', '{{\"score\": 50}}'), ('prs_0002bb', '{{\"note\": \"prs_0001aa\"}}'), "
            "('prs_0003cc', null)) t(person_id, features)"
        )
        conn.execute("create table raw.kept as select 'alice@acme.com' as email")

        deleted = scrub_warehouse(conn, NEEDLES, ("staging", "marts"))

        assert deleted == {"marts.fct_journey": 2, "staging.stg_events": 1}
        assert conn.execute("select id from staging.stg_events order by 1").fetchall() == [
            (2,),
            (3,),
        ]
        assert conn.execute("select person_id from marts.fct_journey").fetchall() == [
            ("prs_0003cc",)
        ]
        assert conn.execute("select count(*) from raw.kept").fetchall() == [(1,)]


def test_report_files_have_the_identifiers_redacted(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "latest.html").write_text(
        "<td>Alice@ACME.com</td><td>prs_0001aa</td><td>bob@acme.com</td>", encoding="utf-8"
    )
    (reports / "clean.html").write_text("<td>bob@acme.com</td>", encoding="utf-8")

    changed = redact_files(reports, NEEDLES)

    assert changed == {str(reports / "latest.html"): 2}
    assert (reports / "latest.html").read_text(encoding="utf-8") == (
        f"<td>{REDACTED}</td><td>{REDACTED}</td><td>bob@acme.com</td>"
    )
    assert (reports / "clean.html").read_text(encoding="utf-8") == "<td>bob@acme.com</td>"
    assert sorted(p.name for p in reports.iterdir()) == ["clean.html", "latest.html"]
