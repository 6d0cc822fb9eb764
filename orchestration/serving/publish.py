"""Publish the marts to a separate DuckDB file that BI tools read.

DuckDB allows one writing process, and a reader's lock blocks a writer: a BI tool
must never open the warehouse a refresh writes. Readers get their own file instead,
built anew after every good refresh and swapped in atomically:

1. copy every table of schema ``marts`` from the warehouse (attached read-only) into a
   new file next to the published one (same folder, so the rename is atomic);
2. close it, fsync it, then ``os.replace`` it over the published file.

A reader that already has the old file open keeps reading the old file (its inode
lives on until the reader closes it); a reader that opens after the swap sees the new
one; nobody ever sees a half-built mart, and the refresh never waits for a reader.
A failed publish removes its temporary file and leaves the last good file in place.

The file is written in DuckDB's 1.4 storage format (``STORAGE_VERSION``): DuckDB 2.0
writes a format that DuckDB 1.x cannot open, and many BI tools still ship DuckDB 1.x
(Superset's DuckDB extra pins ``duckdb<2``). Its name must not be a schema name in it
(``marts.duckdb`` holding schema ``marts`` makes ``marts.<table>`` ambiguous).
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "marts"
STORAGE_VERSION = "v1.4.0"
"""The oldest DuckDB storage format the marts need; DuckDB 1.4+ readers open it."""
PUBLICATION_TABLE = "_publication"
"""One row per published table: when, by which run, how many rows."""
RESERVED_FILE_STEMS = {PUBLISHED_SCHEMA, "main", "information_schema", "pg_catalog"}


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]
    """Rows per published table."""
    size_bytes: int
    seconds: float
    parquet_files: list[Path] = field(default_factory=list)


class PublishError(RuntimeError):
    """The marts could not be published; the last published file is untouched."""


def publish(
    warehouse: Path,
    serving: Path,
    *,
    run_id: str,
    export_dir: Path | None = None,
    now: datetime | None = None,
) -> PublishResult:
    """Copy schema ``marts`` of ``warehouse`` to a new file and swap it in as ``serving``."""
    started = time.monotonic()
    if serving.stem in RESERVED_FILE_STEMS:
        raise PublishError(
            f"{serving.name}: a DuckDB file named like a schema inside it makes "
            f"`{serving.stem}.<table>` ambiguous for readers; choose another name"
        )
    if not warehouse.exists():
        raise PublishError(f"no warehouse at {warehouse}")
    serving.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(serving)
    temporary = serving.with_name(f".{serving.name}.{uuid.uuid4().hex}.tmp")
    published_at = (now or datetime.now(UTC)).replace(tzinfo=None)
    try:
        tables = _build(warehouse, temporary, run_id=run_id, published_at=published_at)
        _fsync(temporary)
        os.replace(temporary, serving)
        _fsync(serving.parent)
    except BaseException:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
        raise
    parquet = _export_parquet(serving, export_dir, tables) if export_dir else []
    return PublishResult(
        path=serving,
        tables=tables,
        size_bytes=serving.stat().st_size,
        seconds=time.monotonic() - started,
        parquet_files=parquet,
    )


def _build(warehouse: Path, target: Path, *, run_id: str, published_at: datetime) -> dict[str, int]:
    with duckdb.connect() as conn:
        conn.execute("attach ? as warehouse (read_only)", [str(warehouse)])
        conn.execute(f"attach ? as published (storage_version '{STORAGE_VERSION}')", [str(target)])
        names = [
            row[0]
            for row in conn.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'warehouse' and schema_name = ? order by table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        if not names:
            raise PublishError(f"{warehouse} has no tables in schema {PUBLISHED_SCHEMA}")
        conn.execute(f"create schema published.{PUBLISHED_SCHEMA}")
        tables: dict[str, int] = {}
        for name in names:
            conn.execute(
                f'create table published.{PUBLISHED_SCHEMA}."{name}" as '
                f'select * from warehouse.{PUBLISHED_SCHEMA}."{name}"'
            )
            (rows,) = conn.execute(
                f'select count(*) from published.{PUBLISHED_SCHEMA}."{name}"'
            ).fetchone()
            tables[name] = int(rows)
        conn.execute(
            f"create table published.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE} ("
            "table_name varchar, row_count bigint, published_at timestamp, run_id varchar)"
        )
        conn.executemany(
            f"insert into published.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE} values (?, ?, ?, ?)",
            [(name, rows, published_at, run_id) for name, rows in tables.items()],
        )
        conn.execute("detach published")
    return tables


def _export_parquet(serving: Path, export_dir: Path, tables: dict[str, int]) -> list[Path]:
    """One Parquet file per mart, each replaced atomically, read from the file just
    published so the export and the published marts are the same numbers."""
    export_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(serving), read_only=True) as conn:
        for name in tables:
            target = export_dir / f"{name}.parquet"
            temporary = export_dir / f".{name}.{uuid.uuid4().hex}.parquet.tmp"
            try:
                conn.execute(
                    f"copy (select * from {PUBLISHED_SCHEMA}.\"{name}\") to '{temporary}' "
                    "(format parquet)"
                )
                os.replace(temporary, target)
            finally:
                temporary.unlink(missing_ok=True)
            written.append(target)
    return written


def _remove_leftovers(serving: Path) -> None:
    """Temporary files of a publish that was killed half-way."""
    for leftover in serving.parent.glob(f".{serving.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
