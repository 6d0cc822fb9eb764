"""`journey forget` on a site that runs (or once ran) on Spark: raw's Parquet copy for
Spark is written again without the person at once, Spark's tables are removed unless a
rebuild on Spark replaced them, and both folders are searched with the rest.

The warehouse is the ingestion fixture landing zone loaded once (as in
test_forget_raw.py; Ana there has 3 SendGrid events, 3 Segment events and a Lead). The
Spark folders are made the way `journey` makes them: raw exported by
``orchestration.spark.raw_export``, and one table Parquet file standing in for a model
Spark built from her rows."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion import SOURCES, load_source
from orchestration.privacy import forget, left_anywhere
from orchestration.settings import Settings
from orchestration.spark.raw_export import export_raw

FIXTURES = Path(__file__).parents[1] / "ingestion" / "fixtures" / "landing"
NOW = datetime(2026, 1, 7, 6, 0, 0)
ANA = ("ana@example.com", "anon-1", "user-1", "user-9", "00q000000000001aaa")


@pytest.fixture(scope="session")
def dbt_manifest() -> None:
    """Raw only: no dbt manifest needed."""
    return None


def _site(tmp_path: Path, engine: str) -> Settings:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES, landing)
    settings = Settings.from_env(
        {
            "JOURNEY_LANDING_DIR": str(landing),
            "JOURNEY_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "JOURNEY_ENGINE": engine,
        }
    )
    assert settings.spark_raw_dir == tmp_path / "spark" / "raw"
    with duckdb.connect(str(settings.warehouse)) as conn:
        for source in SOURCES:
            load_source(conn, landing, source, load_id="load-1", now=NOW)
        export_raw(conn, settings.spark_raw_dir)
        # a table Spark built from her Segment events, as Spark lays it out
        table = settings.spark_warehouse_dir / "staging.db" / "stg_segment__events"
        table.mkdir(parents=True)
        conn.execute(
            f"copy (select * from raw.segment__events) to '{table / 'part-00000.parquet'}'"
        )
        # Spark's identity map: Ana's email with an anonymous id no raw record links
        identity = settings.spark_warehouse_dir / "intermediate.db" / "int_identifiers_resolved"
        identity.mkdir(parents=True)
        conn.execute(
            "copy (select * from (values ('p1', 'email', 'ana@example.com'), "
            "('p1', 'anonymous_id', 'anon-only-in-the-map'), ('p2', 'email', 'bo@example.com')) "
            f"t(person_id, identifier_type, identifier_value)) to '{identity / 'part-0.parquet'}'"
        )
        # the warehouse's own intermediate layer, left from a run on DuckDB
        conn.execute("create schema intermediate")
        conn.execute(
            "create table intermediate.int_identifiers_resolved as select * from (values "
            "('p1', 'email', 'ana@example.com'), ('p2', 'email', 'bo@example.com')) "
            "t(person_id, identifier_type, identifier_value)"
        )
    (settings.spark_warehouse_dir / "metastore_db").mkdir()
    return settings


def _parquet_rows_naming_ana(folder: Path) -> dict[str, int]:
    found = {}
    with duckdb.connect() as conn:
        for file in sorted(folder.rglob("*.parquet")):
            [(n,)] = conn.execute(
                "select count(*) from read_parquet(?) _t "
                "where list_bool_or([contains(lower(cast(_t as varchar)), v) for v in ?])",
                [str(file), list(ANA)],
            ).fetchall()
            if n:
                found[file.parent.name] = n
    return found


def test_a_failed_rebuild_leaves_spark_nothing_of_the_person(tmp_path: Path) -> None:
    settings = _site(tmp_path, "spark")
    raw_dir = settings.spark_raw_dir
    assert _parquet_rows_naming_ana(raw_dir) == {
        "salesforce__lead": 1,
        "segment__events": 3,
        "sendgrid__events": 3,
    }
    untouched = raw_dir / "google_ads__ad_stats" / "part-0.parquet"
    before = untouched.stat().st_mtime_ns
    said: list[str] = []

    erasure = forget(settings, "ana@example.com", refresh=lambda: ("run-1", False), out=said.append)

    # who: Spark's identity map, grown over raw (test_forget_raw.py finds 1 anonymous id)
    assert erasure.person_found
    assert erasure.identifiers == {"anonymous_id": 2, "email": 1, "lead_id": 1, "user_id": 2}
    # the warehouse's stale intermediate layer lost her row
    assert erasure.rows_scrubbed == {"intermediate.int_identifiers_resolved": 1}
    # raw's copy: exactly her three tables written again, from the erased raw
    assert sorted(erasure.spark_raw_rewritten) == [
        "salesforce__lead",
        "segment__events",
        "sendgrid__events",
    ]
    assert _parquet_rows_naming_ana(raw_dir) == {}
    assert untouched.stat().st_mtime_ns == before
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        [(events,)] = conn.execute("select count(*) from raw.segment__events").fetchall()
    [(exported,)] = duckdb.sql(
        f"select count(*) from read_parquet('{raw_dir / 'segment__events' / '*.parquet'}')"
    ).fetchall()
    assert exported == events
    # the rebuild failed, so Spark's tables (and metastore) are gone
    assert erasure.spark_tables_removed
    assert not settings.spark_warehouse_dir.exists()
    assert any("Spark's tables removed" in line for line in said)
    assert left_anywhere(settings, erasure) == {}


def test_tables_a_spark_rebuild_replaced_are_kept_and_still_searched(tmp_path: Path) -> None:
    settings = _site(tmp_path, "spark")

    # a rebuild on Spark that succeeded replaced Spark's tables, so they stay; this one
    # did not really rebuild, and the search finds the table file still naming her
    erasure = forget(settings, "ana@example.com", refresh=lambda: ("run-1", True), out=print)

    assert not erasure.spark_tables_removed
    tables = settings.spark_warehouse_dir
    assert left_anywhere(settings, erasure) == {
        str(tables / "staging.db" / "stg_segment__events" / "part-00000.parquet"): 3,
        str(tables / "intermediate.db" / "int_identifiers_resolved" / "part-0.parquet"): 2,
    }


def test_a_duckdb_site_removes_the_spark_tables_it_once_built(tmp_path: Path) -> None:
    settings = _site(tmp_path, "duckdb")

    erasure = forget(settings, "ana@example.com", refresh=None, out=print)

    assert erasure.spark_tables_removed and not settings.spark_warehouse_dir.exists()
    assert _parquet_rows_naming_ana(settings.spark_raw_dir) == {}
    # without the rebuild (--no-refresh) the warehouse's derived layers keep her until
    # `journey refresh --full`, on DuckDB as before; nothing of Spark's is left
    assert left_anywhere(settings, erasure) == {
        "warehouse.duckdb:intermediate.int_identifiers_resolved": 1
    }
