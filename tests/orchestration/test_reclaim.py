"""Deleted rows stay in place at a checkpoint and are reclaimed once they add up."""

from pathlib import Path

import duckdb
import yaml

from orchestration.reclaim import RECLAIM_SHARE, reclaim_deleted_rows, table_rows
from orchestration.settings import PROJECT_ROOT, Settings, duckdb_config


def _stored(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    return conn.execute(
        "select estimated_size from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Three tables of 1,000 rows (ids 0-999), some deleted, checkpointed as a refresh
    leaves them: marts.churned loses every 4th id (250 rows, 25%), marts.settled every
    10th (100 rows, 10%), raw.events every 2nd (500 rows, 50%)."""
    conn = duckdb.connect(str(path), config=duckdb_config(Settings.from_env({})))
    conn.execute("create schema marts")
    conn.execute("create schema raw")
    for name in ("marts.churned", "marts.settled", "raw.events"):
        conn.execute(
            f"create table {name} as select range as id, 'x' || range as label from range(1000)"
        )
    conn.execute("checkpoint")
    conn.execute("delete from marts.churned where id % 4 = 0")
    conn.execute("delete from marts.settled where id % 10 = 0")
    conn.execute("delete from raw.events where id % 2 = 0")
    conn.execute("checkpoint")
    return conn


def test_a_checkpoint_leaves_deleted_rows_in_place(tmp_path: Path) -> None:
    with _warehouse(tmp_path / "w.duckdb") as conn:
        rows = {t.name: (t.stored, t.live) for t in table_rows(conn)}
    # raw is the loaders' and the erasure's: not looked at
    assert rows == {"marts.churned": (1000, 750), "marts.settled": (1000, 900)}


def test_a_table_is_rewritten_once_its_deleted_share_reaches_the_threshold(
    tmp_path: Path,
) -> None:
    assert RECLAIM_SHARE == 0.2
    with _warehouse(tmp_path / "w.duckdb") as conn:
        reclaimed = reclaim_deleted_rows(conn)
        assert [t.name for t in reclaimed.tables] == ["marts.churned"]
        assert "marts.churned (250 of 1,000 rows, 25%)" in reclaimed.summary()
        conn.execute("checkpoint")
        # rewritten: 750 rows stored, the same rows in the same order
        assert _stored(conn, "marts", "churned") == 750
        ids = [i for (i,) in conn.execute("select id from marts.churned").fetchall()]
        assert ids == [i for i in range(1000) if i % 4 != 0]
        assert conn.execute("select label from marts.churned limit 1").fetchone() == ("x1",)
        # 10% deleted and raw's 50%: left as they are
        assert _stored(conn, "marts", "settled") == 1000
        assert _stored(conn, "raw", "events") == 1000
        assert conn.execute("select count(*) from marts.settled").fetchone() == (900,)
        # nothing left to reclaim
        assert reclaim_deleted_rows(conn).tables == ()


def test_the_dbt_profile_opens_the_warehouse_as_journey_does() -> None:
    profile = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text())
    options = profile["journey_warehouse"]["outputs"]["dev"]["config_options"]
    config = duckdb_config(Settings.from_env({}))
    for name in ("checkpoint_threshold", "max_vacuum_tasks"):
        assert options[name] == config[name]
    assert config["max_vacuum_tasks"] == "0"
