"""Deleted rows in the models' tables: reclaimed when they add up, not at every checkpoint.

An incremental model replaces the rows of each key it rebuilds (``delete+insert``): a
new day at medium scale deletes ~52k of fct_customer_journey's 2.1M rows, scattered
over all its row groups. By default a DuckDB checkpoint then vacuums: it rewrites row
groups to drop deleted rows. Measured on a new day at medium scale, the checkpoint after
fct_customer_journey's rebuild took 1.15 s with vacuuming and 0.15-0.18 s without, and
the vacuum reclaimed 8,883 of the 51,738 deleted rows; at dbt's exit the checkpoint of the
whole day took 4.4 s with vacuuming and 2.3-2.7 s without. That is work in proportion to
history, paid on every refresh, for little space.

So the warehouse connections of a refresh open with ``max_vacuum_tasks = 0``
(:func:`orchestration.settings.duckdb_config`, which the loaders, checks and this step
use, and the dbt profile): a checkpoint writes a refresh's changes and leaves deleted
rows marked as deleted where they are. They still take disk and scan time, so after
every dbt build :func:`reclaim_deleted_rows` compares each table the dbt project builds
(its table and incremental models and its seeds, from the manifest) for its stored rows
(``duckdb_tables().estimated_size``, deleted ones included) against its live rows
(``count(*)``), and rewrites each one whose deleted share reached :data:`RECLAIM_SHARE`
(``create or replace table ... as select * from`` itself: the same columns, types and
row order; dbt's tables carry no constraint, default or comment that this would drop).
A table is copied whole every week or so (at 2.5% of its rows replaced a day) instead
of partly rewritten on every refresh, and none carries much more than that share of
dead rows.

Other tables are left alone: raw's (the loaders append; the ledger's few updated rows
stay small) and anything else in the file. ``journey forget`` opens its own connections
with DuckDB's defaults.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from orchestration.sql import quote_identifier

RECLAIM_SHARE = 0.2
"""A table is rewritten once at least this share of its stored rows are deleted ones."""


def built_tables(manifest: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(schema, name) of every table the dbt project builds: table and incremental
    models and seeds (views hold no rows)."""
    return {
        (node["schema"], node.get("alias") or node["name"])
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "seed"
        or (
            node.get("resource_type") == "model"
            and node.get("config", {}).get("materialized") in ("table", "incremental")
        )
    }


@dataclass(frozen=True)
class TableRows:
    schema: str
    table: str
    stored: int
    """Rows in the table's storage, deleted ones included."""
    live: int

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def deleted_share(self) -> float:
        return (self.stored - self.live) / self.stored if self.stored else 0.0


def table_rows(
    conn: duckdb.DuckDBPyConnection, tables: Collection[tuple[str, str]]
) -> list[TableRows]:
    """Stored and live rows of each of ``tables`` ((schema, name)) that the current
    database holds and that has rows."""
    wanted = set(tables)
    found = [
        row
        for row in conn.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            "where database_name = current_database() and not temporary "
            "and estimated_size > 0 order by schema_name, table_name"
        ).fetchall()
        if (row[0], row[1]) in wanted
    ]
    if not found:
        return []
    # one statement: a count(*) per table reads row-group metadata, ~20 ms for all of
    # them at medium scale
    counts = " union all ".join(
        f"select {i} as i, count(*) as live "
        f"from {quote_identifier(schema)}.{quote_identifier(table)}"
        for i, (schema, table, _) in enumerate(found)
    )
    live = dict(conn.execute(counts).fetchall())
    return [
        TableRows(schema, table, int(stored), int(live[i]))
        for i, (schema, table, stored) in enumerate(found)
    ]


@dataclass(frozen=True)
class Reclaimed:
    tables: tuple[TableRows, ...]
    """The tables rewritten, with their rows before."""
    seconds: float

    def summary(self) -> str:
        names = ", ".join(
            f"{t.name} ({t.stored - t.live:,} of {t.stored:,} rows, {t.deleted_share:.0%})"
            for t in self.tables
        )
        return (
            f"rewrote {len(self.tables)} table(s) without their deleted rows in "
            f"{self.seconds:.1f} s: {names}"
        )


def reclaim_deleted_rows(
    conn: duckdb.DuckDBPyConnection,
    tables: Collection[tuple[str, str]],
    share: float = RECLAIM_SHARE,
) -> Reclaimed:
    """Rewrite each of ``tables`` ((schema, name)) whose deleted rows reached ``share``
    of its stored rows; each in its own transaction, so an error (a full disk: the
    rewrite needs room for a second copy) leaves that table as it was, and raises."""
    started = time.monotonic()
    due = tuple(
        t for t in table_rows(conn, tables) if t.stored > t.live and t.deleted_share >= share
    )
    for table in due:
        name = f"{quote_identifier(table.schema)}.{quote_identifier(table.table)}"
        conn.execute("begin")
        try:
            conn.execute(f"create or replace table {name} as select * from {name}")
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
    return Reclaimed(due, time.monotonic() - started)
