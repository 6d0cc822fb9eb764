"""Deleted rows stay in place at a checkpoint and are reclaimed once they add up."""

from pathlib import Path

import duckdb
import yaml

from orchestration.reclaim import RECLAIM_SHARE, built_tables, reclaim_deleted_rows, table_rows
from orchestration.settings import PROJECT_ROOT, Settings, duckdb_config

ROWS = 400_000
"""Four of DuckDB's row groups (122,880 rows each): with half of them deleted, a
vacuuming checkpoint (DuckDB's default) merges them into fewer (it stores 277,120 rows
then); one row group could not be merged."""

TABLES = {("marts", "churned"), ("marts", "settled"), ("staging", "untouched")}


def _stored(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    return conn.execute(
        "select estimated_size from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Tables of ``ROWS`` rows (ids 0 to ROWS - 1), checkpointed as a refresh leaves
    them: marts.churned lost every 2nd id (50%), marts.settled every 10th (10%),
    staging.untouched none, raw.events every 2nd (50%; not one of ``TABLES``)."""
    conn = duckdb.connect(str(path), config=duckdb_config(Settings.from_env({})))
    for schema in ("marts", "staging", "raw"):
        conn.execute(f"create schema {schema}")
    for name in ("marts.churned", "marts.settled", "staging.untouched", "raw.events"):
        conn.execute(
            f"create table {name} as select range as id, 'x' || range as label from range({ROWS})"
        )
    conn.execute("checkpoint")
    conn.execute("delete from marts.churned where id % 2 = 0")
    conn.execute("delete from marts.settled where id % 10 = 0")
    conn.execute("delete from raw.events where id % 2 = 0")
    conn.execute("checkpoint")
    return conn


def test_a_checkpoint_leaves_deleted_rows_in_place(tmp_path: Path) -> None:
    # with DuckDB's default (vacuuming) the checkpoint would have merged churned's row
    # groups: it would store 277,120 rows
    with _warehouse(tmp_path / "w.duckdb") as conn:
        rows = {t.name: (t.stored, t.live) for t in table_rows(conn, TABLES)}
        assert _stored(conn, "raw", "events") == ROWS
    assert rows == {
        "marts.churned": (400_000, 200_000),
        "marts.settled": (400_000, 360_000),
        "staging.untouched": (400_000, 400_000),
    }


def test_a_table_is_rewritten_once_its_deleted_share_reaches_the_threshold(
    tmp_path: Path,
) -> None:
    assert RECLAIM_SHARE == 0.2
    with _warehouse(tmp_path / "w.duckdb") as conn:
        reclaimed = reclaim_deleted_rows(conn, TABLES)
        assert [t.name for t in reclaimed.tables] == ["marts.churned"]
        assert "marts.churned (200,000 of 400,000 rows, 50%)" in reclaimed.summary()
        conn.execute("checkpoint")
        # rewritten: 200,000 rows stored, the same rows in the same order
        assert _stored(conn, "marts", "churned") == 200_000
        ids = [i for (i,) in conn.execute("select id from marts.churned").fetchall()]
        assert ids == list(range(1, ROWS, 2))
        assert conn.execute("select label from marts.churned limit 1").fetchone() == ("x1",)
        # 10% deleted, none deleted, and a table not named: left as they are
        assert _stored(conn, "marts", "settled") == ROWS
        assert _stored(conn, "staging", "untouched") == ROWS
        assert _stored(conn, "raw", "events") == ROWS
        assert conn.execute("select count(*) from marts.settled").fetchone() == (360_000,)
        # nothing left to reclaim
        assert reclaim_deleted_rows(conn, TABLES).tables == ()


def test_the_tables_are_those_the_dbt_project_builds() -> None:
    def node(kind: str, name: str, materialized: str, alias: str | None = None) -> dict:
        return {
            "resource_type": kind,
            "name": name,
            "alias": alias,
            "schema": "marts",
            "config": {"materialized": materialized},
        }

    manifest = {
        "nodes": {
            "model.a": node("model", "fct", "incremental"),
            "model.b": node("model", "dim", "table", alias="dim_renamed"),
            "model.c": node("model", "stg", "view"),
            "seed.d": node("seed", "channels", "seed"),
            "test.e": node("test", "not_null_fct_id", "test"),
        }
    }
    assert built_tables(manifest) == {
        ("marts", "fct"),
        ("marts", "dim_renamed"),
        ("marts", "channels"),
    }


def test_the_dbt_profile_opens_the_warehouse_as_journey_does() -> None:
    profile = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text())
    options = profile["journey_warehouse"]["outputs"]["dev"]["config_options"]
    config = duckdb_config(Settings.from_env({}))
    for name in ("checkpoint_threshold", "max_vacuum_tasks"):
        assert options[name] == config[name]
    assert config["max_vacuum_tasks"] == "0"
