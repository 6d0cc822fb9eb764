"""The same landing zone, dbt project and checks on Apache Spark: `journey refresh`
with JOURNEY_ENGINE=spark on the demo landing zone (raw exported to Parquet, dbt-spark
in session mode, Spark's marts read back, checked and published) publishes the same
marts as the DuckDB build of that landing zone, row for row: strings, integers,
decimals and dates exact, doubles within 1e-9 relative.

Needs the `.[spark]` extra and Java 17, which `make test` installs."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.spark import HIVE_RESOURCES_FOLDER, spark_unavailable

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))
REL_TOL = 1e-9
LOAD_TIME_COLUMNS = frozenset({"_segment_loaded_through"})
"""Lineage that says when rows were loaded (each site loads at its own time), not what
they say: not compared."""


def _tables(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in conn.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where schema_name = 'marts' and not starts_with(table_name, '_') "
        "order by table_name, column_index"
    ).fetchall():
        tables.setdefault(table, []).append((column, kind))
    return tables


def _value(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _row(row: tuple) -> tuple:
    return tuple(_value(v) for v in row)


def _sort_key(row: tuple) -> tuple:
    # doubles sort by 8 significant digits, so that the last bits do not reorder rows
    return tuple(
        (0, "") if v is None else (1, f"{v:.8g}" if isinstance(v, float) else str(v)) for v in row
    )


def _same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=REL_TOL, abs_tol=1e-12)
    return left == right


def compare_marts(duckdb_file: Path, spark_file: Path) -> tuple[int, int, list[str]]:
    """(tables, rows compared, differences in words) between two published files."""
    left = duckdb.connect(str(duckdb_file), read_only=True)
    right = duckdb.connect(str(spark_file), read_only=True)
    try:
        left_tables, right_tables = _tables(left), _tables(right)
        problems = []
        if sorted(left_tables) != sorted(right_tables):
            problems.append(f"marts differ: {sorted(left_tables)} != {sorted(right_tables)}")
        rows = 0
        for table, columns in left_tables.items():
            if table not in right_tables:
                continue
            if columns != right_tables[table]:
                problems.append(f"{table}: columns {columns} != {right_tables[table]}")
                continue
            select = f"select * from marts.{table}"
            a, b = (
                sorted(
                    (tuple(map(_value, r)) for r in side.execute(select).fetchall()), key=_sort_key
                )
                for side in (left, right)
            )
            if len(a) != len(b):
                problems.append(f"{table}: {len(a)} rows on DuckDB, {len(b)} on Spark")
                continue
            for row_a, row_b in zip(a, b, strict=True):
                for (column, _), x, y in zip(columns, row_a, row_b, strict=True):
                    if column not in LOAD_TIME_COLUMNS and not _same(x, y):
                        problems.append(f"{table}.{column}: {x!r} on DuckDB, {y!r} on Spark")
                        break
            rows += len(a)
        return len(left_tables), rows, problems
    finally:
        left.close()
        right.close()


def test_compare_marts_finds_a_changed_value(tmp_path: Path) -> None:
    """The comparison can fail: a double off by 1e-8 relative, a changed string; a
    double off by 1e-12 relative is the same number."""
    files = {}
    for name, rate, label in (
        ("duckdb", "0.1", "x"),
        ("off", "0.100000001", "x"),
        ("renamed", "0.1", "y"),
        ("close", "0.1000000000001", "x"),
    ):
        path = tmp_path / f"{name}.duckdb"
        with duckdb.connect(str(path)) as conn:
            conn.execute("create schema marts")
            conn.execute(
                f"create table marts.m as select 1 as id, {rate}::double as rate, "
                f"'{label}' as label, timestamp '2026-01-01 00:00:00' as at"
            )
        files[name] = path
    assert compare_marts(files["duckdb"], files["off"]) == (
        1,
        1,
        ["m.rate: 0.1 on DuckDB, 0.100000001 on Spark"],
    )
    assert compare_marts(files["duckdb"], files["renamed"])[2] == [
        "m.label: 'x' on DuckDB, 'y' on Spark"
    ]
    assert compare_marts(files["duckdb"], files["close"]) == (1, 1, [])


def test_the_demo_refreshed_on_spark_publishes_the_same_marts(demo_build, tmp_path: Path) -> None:
    problem = spark_unavailable()
    assert problem is None, problem
    assert demo_build.returncode == 0, demo_build.stderr[-3000:]
    root = tmp_path / "spark-site"
    env = {
        **os.environ,
        "JOURNEY_ENGINE": "spark",
        "JOURNEY_LANDING_DIR": str(demo_build.root / "landing"),
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [JOURNEY, "refresh"], env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, (done.stdout[-4000:], done.stderr[-4000:])
    published = demo_build.root / "serving.duckdb"
    tables, rows, problems = compare_marts(published, root / "serving.duckdb")
    print(f"spark refresh {seconds:.0f} s; {tables} marts, {rows} rows compared")
    assert problems == []
    assert tables == 12 and rows > 40_000
    # every check reported as on DuckDB: no test result lost on the way to Dagster
    # (Spark's progress bar once garbled two result lines of dbt's output)
    checks = re.compile(r"refresh succeeded in [0-9.]+s; ([0-9]+) checks")
    [on_duckdb] = checks.findall(demo_build.stdout)
    [on_spark] = checks.findall(done.stdout)
    assert int(on_spark) == int(on_duckdb) > 600
    # raw went to Spark as Parquet, Spark kept its tables beside the warehouse, and the
    # published marts are Spark's: dbt built nothing in the DuckDB file
    assert (root / "spark" / "raw" / "segment__events").is_dir()
    assert (root / "spark" / "warehouse" / "marts.db" / "fct_customer_journey").is_dir()
    # Hive's session folder was made under Spark's warehouse dir, not in /tmp, and the
    # dbt step removed it, empty, once dbt was done
    hive_sessions = root / "spark" / "warehouse" / HIVE_RESOURCES_FOLDER
    assert hive_sessions.is_dir()
    assert list(hive_sessions.iterdir()) == []
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        built_on_duckdb = conn.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name in ('staging', 'intermediate', 'seeds')"
        ).fetchone()[0]
    assert built_on_duckdb == 0
