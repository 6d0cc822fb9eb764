"""The closing summary's row counts: tables always, views only when asked."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.summary import TableCount, render_summary, table_counts


def _warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema raw")
        conn.execute("create schema staging")
        conn.execute("create table raw.events as select i as n from range(5) as r(i)")
        conn.execute("create table staging.stg_kept as select * from raw.events where n < 2")
        conn.execute("create view staging.stg_late as select * from raw.events where n >= 2")
    return path


def test_views_are_counted_only_when_asked(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert table_counts(conn) == [
            TableCount("raw", "events", 5),
            TableCount("staging", "stg_kept", 2),
            TableCount("staging", "stg_late", 3, view=True),
        ]
        assert table_counts(conn, count_views=False)[-1] == TableCount(
            "staging", "stg_late", None, view=True
        )


def test_the_refresh_summary_lists_views_without_a_count(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")

    counted = render_summary(warehouse).splitlines()
    listed = render_summary(warehouse, count_views=False).splitlines()

    assert "staging (1 table, 1 view, 5 rows)" in counted
    assert [line.split() for line in counted if "stg_late" in line] == [["stg_late", "3"]]
    assert "staging (1 table, 1 view, 2 rows)" in listed
    assert [line.split() for line in listed if "stg_late" in line] == [["stg_late", "view"]]
    assert any("`journey summary` counts them" in line for line in listed)
    assert not any("`journey summary` counts them" in line for line in counted)
    assert "raw (1 table, 5 rows)" in listed
