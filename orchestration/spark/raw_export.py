"""Raw for Spark: every raw table of the DuckDB warehouse as a folder of Parquet under
``JOURNEY_SPARK_RAW_DIR``, which the dbt project's on-run-start hook
(``dbt_project/macros/spark/register_raw_tables.sql``) registers as the tables of
schema ``raw`` on Spark.

The loaders keep writing DuckDB: a file's rows, its quarantined records and its ledger
row commit in one DuckDB transaction, which is what makes a load exactly once and safe
against ``kill -9``. Parquet files have no such transaction, so Spark's copy is made
after the loads, from committed rows only, and can be made again at any time: it is a
derived copy, never the record.

A table is written again only when it changed since its last export: its row count,
its latest ``_loaded_at`` or its latest erasure (``raw._erased``, rows deleted by
``journey forget``) differ from the fingerprint kept in ``_export_state.json``. Each
table is written to a temporary folder and swapped in by rename, so a reader (or a
killed export) never sees half a table.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.registry import ERASED_TABLE, RAW_TABLES, RawTable

STATE_FILE = "_export_state.json"


@dataclass(frozen=True)
class Exported:
    """One raw table's export: ``written`` is false when it was unchanged."""

    table: str
    rows: int
    written: bool
    seconds: float


def _fingerprint(conn: duckdb.DuckDBPyConnection, table: RawTable) -> list[object]:
    rows, latest = conn.execute(
        f"select count(*), cast(max(_loaded_at) as varchar) from {table.qualified_name}"
    ).fetchone()
    erased = conn.execute(
        f"select cast(max(erased_at) as varchar) from {ERASED_TABLE} "
        "where source = ? and object = ? and erased_from <> 'load'",
        [table.source, table.object],
    ).fetchone()[0]
    return [rows, latest, erased]


def _read_state(raw_dir: Path) -> dict[str, list[object]]:
    path = raw_dir / STATE_FILE
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def _write_state(raw_dir: Path, state: dict[str, list[object]]) -> None:
    temp = raw_dir / f"{STATE_FILE}.tmp"
    temp.write_text(json.dumps(state, indent=1, sort_keys=True))
    temp.replace(raw_dir / STATE_FILE)


def export_raw(
    conn: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    tables: Iterable[RawTable] = RAW_TABLES,
) -> list[Exported]:
    """Write every raw table that changed since its last export to
    ``raw_dir/<schema-less table name>/``; return what was done per table."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    state = _read_state(raw_dir)
    done = []
    for table in tables:
        started = time.perf_counter()
        fingerprint = _fingerprint(conn, table)
        folder = raw_dir / table.table_name
        if state.get(table.table_name) == fingerprint and folder.is_dir():
            done.append(Exported(table.table_name, int(fingerprint[0]), False, 0.0))
            continue
        temp = raw_dir / f"{table.table_name}.writing"
        old = raw_dir / f"{table.table_name}.old"
        for leftover in (temp, old):
            shutil.rmtree(leftover, ignore_errors=True)
        temp.mkdir()
        target = str(temp / "part-0.parquet").replace("'", "''")
        conn.execute(f"copy {table.qualified_name} to '{target}' (format parquet)")
        if folder.exists():
            folder.rename(old)
        temp.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
        state[table.table_name] = fingerprint
        _write_state(raw_dir, state)
        done.append(
            Exported(table.table_name, int(fingerprint[0]), True, time.perf_counter() - started)
        )
    return done
