"""Spark's marts back into the DuckDB warehouse: after dbt has built the models on
Spark, every mart's Parquet files (Spark's managed table under
``JOURNEY_SPARK_WAREHOUSE_DIR/marts.db/<mart>/``) replace the table of the same name in
the warehouse's schema ``marts``. The mart quality suites, the publication to the
serving file (and to Parquet under ``JOURNEY_EXPORT_DIR``), the metrics and the report
then read Spark's numbers exactly as they read DuckDB's.

Types come back as Spark wrote them, with one exception: Spark writes its timestamps
as instants (Parquet's UTC-adjusted timestamps), which DuckDB reads as TIMESTAMP WITH
TIME ZONE; they become the UTC wall-clock TIMESTAMP the DuckDB build has.

Spark writes a table in full before its metastore points at the new files, and the
import reads the files of a finished ``dbt build``; a mart Spark has not built (yet)
has no folder and keeps the warehouse's table, if any.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class Imported:
    mart: str
    rows: int
    seconds: float


def mart_names(manifest: Mapping[str, Any]) -> list[str]:
    """The tables of the dbt models in ``models/marts`` (their aliases)."""
    return sorted(
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["fqn"][1:2] == ["marts"]
        and node["config"].get("materialized") in ("table", "incremental")
    )


def mart_files(spark_warehouse_dir: Path, mart: str) -> Path | None:
    """The glob of a mart's Parquet files, ``None`` when Spark has not built it."""
    folder = spark_warehouse_dir / f"{MARTS_SCHEMA}.db" / mart
    if not folder.is_dir() or not any(folder.glob("*.parquet")):
        return None
    return folder / "*.parquet"


def import_marts(
    conn: duckdb.DuckDBPyConnection, spark_warehouse_dir: Path, marts: Iterable[str]
) -> list[Imported]:
    """Replace each of ``marts`` in the warehouse with Spark's build of it, in one
    transaction (a reader sees all of Spark's marts or none)."""
    done = []
    conn.execute(f"create schema if not exists {MARTS_SCHEMA}")
    conn.execute("begin transaction")
    try:
        for mart in marts:
            files = mart_files(spark_warehouse_dir, mart)
            if files is None:
                continue
            started = time.perf_counter()
            source = f"read_parquet('{str(files).replace(chr(39), chr(39) * 2)}')"
            columns = conn.execute(f"describe select * from {source}").fetchall()
            select = ", ".join(
                f'timezone(\'UTC\', "{name}") as "{name}"'
                if kind == "TIMESTAMP WITH TIME ZONE"
                else f'"{name}"'
                for name, kind, *_ in columns
            )
            conn.execute(
                f"create or replace table {MARTS_SCHEMA}.{mart} as select {select} from {source}"
            )
            rows = conn.execute(f"select count(*) from {MARTS_SCHEMA}.{mart}").fetchone()[0]
            done.append(Imported(mart, int(rows), time.perf_counter() - started))
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return done
