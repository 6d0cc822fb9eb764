"""Landing-zone loaders: vendor files in, raw tables + quarantine + file ledger out.

The one entry point is :func:`load_source`; it knows no orchestrator and no dbt::

    from ingestion import SOURCES, load_source

    result = load_source(conn, Path("data/landing"), "segment")
    print(result.summary())

See ``ingestion/README.md`` for the loading rules and why they are built this way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.core import (
    FileLoadStats,
    PendingFile,
    SourceLoadResult,
    TableLoadStats,
    ensure_raw_layer,
    load_table,
    new_load_id,
    pending_files,
    utc_naive,
)
from ingestion.erasure import default_erasure_list, sync_erasure_list
from ingestion.registry import RAW_TABLES, loader_for, tables_of

__all__ = [
    "SOURCES",
    "FileLoadStats",
    "PendingFile",
    "SourceLoadResult",
    "TableLoadStats",
    "load_source",
    "pending_landing_files",
]

SOURCES: tuple[str, ...] = tuple(dict.fromkeys(table.source for table in RAW_TABLES))
"""Every source a loader module declares tables for (``ingestion/registry.py``)."""


def load_source(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    source: str,
    load_id: str | None = None,
    now: datetime | None = None,
    erasure_list: Path | None = None,
) -> SourceLoadResult:
    """Load every not-yet-loaded landing file of ``source`` into schema ``raw``.

    Creates the raw layer if missing. For each of the source's raw tables, files are
    taken in file-name order; a file whose content is already in the ledger for that
    table is skipped, every other file is loaded in its own transaction (raw rows,
    quarantine rows and its ledger row commit together). Bad records are
    quarantined, unreadable files recorded as such: bad input never raises. A missing
    or empty source folder yields empty tables and zero counts.

    ``load_id`` defaults to a new id; ``now`` (default: the current time) is stored
    as naive UTC in ``_loaded_at``, the ledger and the quarantine.

    ``erasure_list`` (default: ``erasures.jsonl`` beside the warehouse file) is synced
    into ``raw._erasures`` first: records of an erased person are not loaded but
    recorded in ``raw._erased`` (``ingestion/erasure.py``).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    loaded_at = utc_naive(now)
    load_id = load_id or new_load_id(loaded_at)
    landing_dir = Path(landing_dir)
    ensure_raw_layer(conn)
    sync_erasure_list(
        conn, Path(erasure_list) if erasure_list is not None else default_erasure_list(conn)
    )
    result = SourceLoadResult(source=source, load_id=load_id, loaded_at=loaded_at)
    for table in tables_of(source):
        result.tables[table.object] = load_table(
            conn,
            landing_dir,
            table,
            loader_for(table),
            load_id,
            loaded_at,
            group_files=not table.one_file_at_a_time,
        )
    return result


def pending_landing_files(
    conn: duckdb.DuckDBPyConnection, landing_dir: Path, sources: Sequence[str] = SOURCES
) -> list[PendingFile]:
    """Every landing file of ``sources`` that the next load would read or record.

    Cheap when nothing arrived: a file whose size and modification time match what the
    loaders saw when they hashed it is not read (``raw._file_stats``). Writes nothing.
    """
    return pending_files(
        conn, Path(landing_dir), [table for source in sources for table in tables_of(source)]
    )
