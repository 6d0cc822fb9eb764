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

from ingestion.ads import google_ads, linkedin, meta
from ingestion.core import (
    FileLoader,
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
from ingestion.crm import salesforce
from ingestion.email import sendgrid
from ingestion.erasure import default_erasure_list, sync_erasure_list
from ingestion.finance import fx
from ingestion.registry import RAW_TABLES, tables_of
from ingestion.web import segment

__all__ = [
    "SOURCES",
    "FileLoadStats",
    "PendingFile",
    "SourceLoadResult",
    "TableLoadStats",
    "load_source",
    "pending_landing_files",
]

SOURCES: tuple[str, ...] = (
    "google_ads",
    "meta_ads",
    "linkedin_ads",
    "sendgrid",
    "segment",
    "salesforce",
    "fx",
)

_LOADERS: dict[tuple[str, str], FileLoader] = {
    ("google_ads", "ad_stats"): google_ads.load_file,
    ("meta_ads", "insights"): meta.load_file,
    ("linkedin_ads", "ad_analytics"): linkedin.load_analytics_file,
    ("linkedin_ads", "campaigns"): linkedin.load_campaigns_file,
    ("linkedin_ads", "creatives"): linkedin.load_creatives_file,
    ("sendgrid", "events"): sendgrid.load_file,
    ("segment", "events"): segment.load_file,
    ("fx", "ecb_rates"): fx.load_file,
    **{(t.source, t.object): salesforce.load_file for t in RAW_TABLES if t.source == "salesforce"},
}

_ONE_FILE_AT_A_TIME = {("fx", "ecb_rates")}
"""Loaders that write their rows themselves (the ECB's rate matrix is melted in Python)
rather than through ``load_frames``: their files load one by one."""


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
        loader = _LOADERS[(table.source, table.object)]
        result.tables[table.object] = load_table(
            conn,
            landing_dir,
            table,
            loader,
            load_id,
            loaded_at,
            group_files=(table.source, table.object) not in _ONE_FILE_AT_A_TIME,
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
