"""Helpers for the end-to-end tests, handed out as fixtures (the suite runs with
``--import-mode=importlib``, where test modules cannot import each other)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

# Lineage columns that say when a row was loaded or built, not what it says.
LOAD_TIME_COLUMNS = frozenset({"_loaded_at", "_segment_loaded_through", "_sendgrid_loaded_through"})
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
    names = [f'"{name}"' for name, data_type in columns if name not in ignore]
    schema, name = table.split(".")
    return f'select {", ".join(names)} from "{catalog}"."{schema}"."{name}"'


def _split(columns: list[tuple[str, str]], ignore: set[str]):
    """Exact columns and floating-point ones (a parallel aggregate may add doubles in
    another order and differ in the last bits: rounding them would still split at a
    rounding boundary, so they are compared as column sums within 1e-9, relative)."""
    kept = [(name, data_type) for name, data_type in columns if name not in ignore]
    floats = [name for name, data_type in kept if data_type in ("DOUBLE", "FLOAT")]
    exact = [(name, data_type) for name, data_type in kept if name not in floats]
    return exact, floats


def warehouse_differences(
    left: Path, right: Path, ignore: frozenset[str] = LOAD_TIME_COLUMNS
) -> dict[str, tuple[int, int, int, int]]:
    """Every table of staging, intermediate and marts whose rows differ between two
    warehouses (a multiset compare of all columns but ``ignore`` and the floating-point
    ones, whose sums must agree), with (rows left, rows right, rows only left, rows
    only right; -1 when a floating-point sum differs). Both must hold the same tables."""
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
            exact, floats = _split(columns, set(ignore))
            lhs, rhs = _select("lhs", table, exact, set()), _select("rhs", table, exact, set())
            counts = conn.execute(
                f"select (select count(*) from ({lhs})), (select count(*) from ({rhs})), "
                f"(select count(*) from ({lhs} except all {rhs})), "
                f"(select count(*) from ({rhs} except all {lhs}))"
            ).fetchone()
            schema, name = table.split(".")
            for column in floats:
                left_sum, right_sum = (
                    conn.execute(
                        f'select sum("{column}") from {side}."{schema}"."{name}"'
                    ).fetchone()[0]
                    for side in ("lhs", "rhs")
                )
                if (left_sum is None) != (right_sum is None) or (
                    left_sum is not None
                    and abs(left_sum - right_sum) > 1e-9 * max(1.0, abs(left_sum))
                ):
                    counts = (*counts[:2], -1, -1)
            if counts[2] or counts[3]:
                found[table] = counts
        return found
    finally:
        conn.close()


@pytest.fixture(scope="session")
def differences() -> Differences:
    return warehouse_differences
