"""Helpers for the end-to-end tests, handed out as fixtures (the suite runs with
``--import-mode=importlib``, where test modules cannot import each other)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

# Lineage columns that say when a row was loaded or built, not what it says.
LOAD_TIME_COLUMNS = frozenset({"_loaded_at", "_segment_loaded_through"})
BUILT_SCHEMAS = ("staging", "intermediate", "marts")

Differences = Callable[..., dict[str, tuple[int, int, int, int]]]


def _columns(conn: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        "select table_schema, table_name, column_name, data_type "
        "from information_schema.columns "
        f"where table_catalog = '{catalog}' and table_schema in {BUILT_SCHEMAS} "
        "order by table_schema, table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault(f"{schema}.{table}", []).append((column, data_type))
    return tables


def _select(catalog: str, table: str, columns: list[tuple[str, str]], ignore: set[str]) -> str:
    # Sums of doubles may differ in the last bits with the order a parallel aggregate
    # adds them in: doubles are compared to 1e-9.
    expressions = [
        f'round("{name}", 9)' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"'
        for name, data_type in columns
        if name not in ignore
    ]
    schema, name = table.split(".")
    return f'select {", ".join(expressions)} from "{catalog}"."{schema}"."{name}"'


def warehouse_differences(
    left: Path, right: Path, ignore: frozenset[str] = LOAD_TIME_COLUMNS
) -> dict[str, tuple[int, int, int, int]]:
    """Every table of staging, intermediate and marts whose rows differ between two
    warehouses (a multiset compare of all columns but ``ignore``), with (rows left,
    rows right, rows only left, rows only right). Both must hold the same tables."""
    conn = duckdb.connect()
    try:
        conn.execute(f"attach '{left}' as lhs (read_only)")
        conn.execute(f"attach '{right}' as rhs (read_only)")
        left_tables, right_tables = _columns(conn, "lhs"), _columns(conn, "rhs")
        assert sorted(left_tables) == sorted(right_tables)
        assert len(left_tables) > 30, "no tables to compare"
        found = {}
        for table, columns in left_tables.items():
            assert columns == right_tables[table], table
            lhs = _select("lhs", table, columns, set(ignore))
            rhs = _select("rhs", table, columns, set(ignore))
            counts = conn.execute(
                f"select (select count(*) from ({lhs})), (select count(*) from ({rhs})), "
                f"(select count(*) from ({lhs} except all {rhs})), "
                f"(select count(*) from ({rhs} except all {lhs}))"
            ).fetchone()
            if counts[2] or counts[3]:
                found[table] = counts
        return found
    finally:
        conn.close()


@pytest.fixture(scope="session")
def differences() -> Differences:
    return warehouse_differences
