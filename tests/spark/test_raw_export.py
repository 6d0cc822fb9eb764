"""Raw for Spark: every raw table exported to Parquet with the rows DuckDB holds, and
written again only when it changed (new rows, an erasure)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingestion.registry import ERASED_TABLE, RAW_TABLES, create_raw_layer, raw_table
from orchestration.spark.raw_export import STATE_FILE, export_raw

LEADS = raw_table("salesforce", "lead")
USERS = raw_table("salesforce", "user")


def _insert(conn: duckdb.DuckDBPyConnection, table, key: str, loaded_at: str) -> None:  # noqa: ANN001
    columns = ", ".join(f'"{c}"' for c in table.columns)
    values = ", ".join(["?"] * len(table.columns))
    conn.execute(
        f"insert into {table.qualified_name} ({columns}, _source_file, _source_position, "
        f"_loaded_at) values ({values}, 'f.csv', 1, timestamp '{loaded_at}')",
        [key if column == table.key[0] else None for column in table.columns],
    )


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    create_raw_layer(connection)
    _insert(connection, LEADS, "00Q1", "2026-01-01 10:00:00")
    _insert(connection, LEADS, "00Q2", "2026-01-01 10:00:00")
    _insert(connection, USERS, "005A", "2026-01-01 10:00:00")
    yield connection
    connection.close()


def _parquet(raw_dir: Path, table) -> list[tuple]:  # noqa: ANN001
    files = raw_dir / table.table_name / "*.parquet"
    return duckdb.sql(
        f"select {table.key[0]}, _loaded_at from read_parquet('{files}') order by 1"
    ).fetchall()


def test_every_raw_table_is_exported_with_its_rows(conn, tmp_path: Path) -> None:  # noqa: ANN001
    raw_dir = tmp_path / "raw"
    done = export_raw(conn, raw_dir)
    assert {d.table for d in done} == {t.table_name for t in RAW_TABLES}
    assert all(d.written for d in done)
    rows = {d.table: d.rows for d in done}
    assert rows["salesforce__lead"] == 2 and rows["salesforce__user"] == 1
    assert sum(rows.values()) == 3  # every other table is exported empty
    leads = _parquet(raw_dir, LEADS)
    assert [key for key, _ in leads] == ["00Q1", "00Q2"]
    assert str(leads[0][1]) == "2026-01-01 10:00:00"
    # every column of the raw table, in order, with its type
    columns = duckdb.sql(
        f"describe select * from read_parquet('{raw_dir / 'salesforce__lead'}/*.parquet')"
    ).fetchall()
    described = conn.execute(f"describe {LEADS.qualified_name}").fetchall()
    assert [(c[0], c[1]) for c in columns] == [(c[0], c[1]) for c in described]
    assert (raw_dir / STATE_FILE).exists()
    assert not list(raw_dir.glob("*.writing")) and not list(raw_dir.glob("*.old"))


def test_only_changed_tables_are_written_again(conn, tmp_path: Path) -> None:  # noqa: ANN001
    raw_dir = tmp_path / "raw"
    export_raw(conn, raw_dir)
    assert not any(d.written for d in export_raw(conn, raw_dir))  # nothing new

    _insert(conn, LEADS, "00Q3", "2026-01-02 10:00:00")
    written = [d.table for d in export_raw(conn, raw_dir) if d.written]
    assert written == ["salesforce__lead"]
    assert [key for key, _ in _parquet(raw_dir, LEADS)] == ["00Q1", "00Q2", "00Q3"]

    # an erasure deletes a row: the table is written again even if a new row made
    # its count and latest load time what they were
    conn.execute(f"delete from {LEADS.qualified_name} where id = '00Q1'")
    conn.execute(
        f"insert into {ERASED_TABLE} values ('salesforce', 'lead', 'f.csv', 1, 'h', 'raw', "
        "null, timestamp '2026-01-03 00:00:00')"
    )
    _insert(conn, LEADS, "00Q4", "2026-01-02 10:00:00")
    written = [d.table for d in export_raw(conn, raw_dir) if d.written]
    assert written == ["salesforce__lead"]
    assert [key for key, _ in _parquet(raw_dir, LEADS)] == ["00Q2", "00Q3", "00Q4"]


def test_a_missing_folder_is_written_again(conn, tmp_path: Path) -> None:  # noqa: ANN001
    raw_dir = tmp_path / "raw"
    export_raw(conn, raw_dir)
    for path in (raw_dir / "salesforce__user").iterdir():
        path.unlink()
    (raw_dir / "salesforce__user").rmdir()
    written = [d.table for d in export_raw(conn, raw_dir) if d.written]
    assert written == ["salesforce__user"]
    assert _parquet(raw_dir, USERS)[0][0] == "005A"
