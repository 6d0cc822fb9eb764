"""Publish the marts to a separate DuckDB file that BI tools read.

DuckDB allows one writing process, and a reader's lock blocks a writer: a BI tool
must never open the warehouse a refresh writes. Readers get their own file instead,
built anew after every good refresh and swapped in atomically:

1. copy every table of schema ``marts`` from the warehouse (attached read-only) into a
   new file next to the published one (same folder, so the rename is atomic), wide
   text columns compressed with zstd (``_copy_table``);
2. close it, fsync it, then ``os.replace`` it over the published file.

A reader that already has the old file open keeps reading the old file (its inode
lives on until the reader closes it); a reader that opens after the swap sees the new
one; nobody ever sees a half-built mart, and the refresh never waits for a reader.
A failed publish removes its temporary file and leaves the last good file in place.

A mart can be **held back** (``held_back``): a blocking rule that guards it failed in
this refresh, so its new build must not reach readers. The new file then carries that
mart as the previous file had it (its last good build, copied from the published file
being replaced), and ``_publication`` says so: per mart when its data was built
(``data_built_at``, ``data_run_id``), whether it is held back and by which rule
(``held_by``). A held mart that was never published before is left out of the file
(``row_count`` null in ``_publication``): no reader ever gets numbers a rule rejected.

The file is written in DuckDB's 1.4 storage format (``STORAGE_VERSION``): DuckDB 2.0
writes a format that DuckDB 1.x cannot open, and many BI tools still ship DuckDB 1.x
(Superset's DuckDB extra pins ``duckdb<2``). Its name must not be a schema name in it
(``marts.duckdb`` holding schema ``marts`` makes ``marts.<table>`` ambiguous).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.sql import quote_identifier

PUBLISHED_SCHEMA = "marts"
STORAGE_VERSION = "v1.4.0"
"""The oldest DuckDB storage format the marts need; DuckDB 1.4+ readers open it."""
PUBLICATION_TABLE = "_publication"
"""One row per mart: how many rows, when and by which run the file was published, when
and by which run its data was built, and whether (and by which rule) it is held back."""
PUBLICATION_COLUMNS = (
    ("table_name", "varchar"),
    ("row_count", "bigint"),
    ("published_at", "timestamp"),
    ("run_id", "varchar"),
    ("data_built_at", "timestamp"),
    ("data_run_id", "varchar"),
    ("held_back", "boolean"),
    ("held_by", "varchar"),
)
RESERVED_FILE_STEMS = {PUBLISHED_SCHEMA, "main", "information_schema", "pg_catalog"}


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]
    """Rows per published table."""
    size_bytes: int
    seconds: float
    parquet_files: list[Path] = field(default_factory=list)
    held_back: dict[str, str] = field(default_factory=dict)
    """Mart -> the rule(s) holding it back: these carry their last good build."""
    missing: list[str] = field(default_factory=list)
    """Held-back marts with no earlier publication: left out of the file."""


class PublishError(RuntimeError):
    """The marts could not be published; the last published file is untouched."""


def publish(
    warehouse: Path,
    serving: Path,
    *,
    run_id: str,
    export_dir: Path | None = None,
    now: datetime | None = None,
    held_back: Mapping[str, str] | None = None,
    built_by: str | None = None,
    built_at: datetime | None = None,
) -> PublishResult:
    """Copy schema ``marts`` of ``warehouse`` to a new file and swap it in as ``serving``.

    ``held_back`` maps a mart to the rule(s) holding it back (words for readers): that
    mart is copied from the file ``serving`` replaces instead of from the warehouse.
    ``built_by``/``built_at`` name the run that built the warehouse's marts and when
    (default: this publication).
    """
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
    held = dict(held_back or {})
    try:
        tables, missing = _build(
            warehouse,
            temporary,
            previous=serving if serving.exists() else None,
            run_id=run_id,
            published_at=published_at,
            held_back=held,
            built=(built_at or published_at, built_by or run_id),
        )
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
        held_back=held,
        missing=missing,
    )


_Build = tuple[datetime | None, str | None]
"""When and by which run a mart's data was built."""


def _build(
    warehouse: Path,
    target: Path,
    *,
    previous: Path | None,
    run_id: str,
    published_at: datetime,
    held_back: Mapping[str, str],
    built: _Build,
) -> tuple[dict[str, int], list[str]]:
    with duckdb.connect() as conn:
        # A table has no row order, and readers get none from the file: without the
        # order of the source kept, DuckDB writes a copy in parallel (medium scale:
        # fct_customer_journey's 2.1M rows in ~3.5 s instead of ~4.5-5.5 s).
        conn.execute("set preserve_insertion_order = false")
        conn.execute("attach ? as warehouse (read_only)", [str(warehouse)])
        conn.execute(f"attach ? as published (storage_version '{STORAGE_VERSION}')", [str(target)])
        names = _mart_names(conn, "warehouse")
        if not names:
            raise PublishError(f"{warehouse} has no tables in schema {PUBLISHED_SCHEMA}")
        earlier: dict[str, _Build] = {}
        earlier_names: set[str] = set()
        if previous is not None and held_back:
            conn.execute("attach ? as previous (read_only)", [str(previous)])
            earlier_names = set(_mart_names(conn, "previous")) - {PUBLICATION_TABLE}
            earlier = _previous_builds(conn)
        names = sorted(set(names) | (set(held_back) & earlier_names))
        conn.execute(f"create schema published.{PUBLISHED_SCHEMA}")
        tables: dict[str, int] = {}
        rows: list[tuple] = []
        missing: list[str] = []
        for name in names:
            held_by = held_back.get(name)
            if held_by is not None and name not in earlier_names:
                missing.append(name)
                rows.append((name, None, published_at, run_id, None, None, True, held_by))
                continue
            source = "previous" if held_by is not None else "warehouse"
            _copy_table(conn, source, name)
            (count,) = conn.execute(
                f"select count(*) from published.{PUBLISHED_SCHEMA}.{quote_identifier(name)}"
            ).fetchone()
            tables[name] = int(count)
            built_at, built_by = earlier.get(name, (None, None)) if held_by else (None, None)
            rows.append(
                (
                    name,
                    int(count),
                    published_at,
                    run_id,
                    built_at if held_by else built[0],
                    built_by if held_by else built[1],
                    held_by is not None,
                    held_by,
                )
            )
        for name in sorted(set(held_back) - set(names)):  # held, in neither file
            missing.append(name)
            rows.append((name, None, published_at, run_id, None, None, True, held_back[name]))
        columns = ", ".join(f"{column} {kind}" for column, kind in PUBLICATION_COLUMNS)
        conn.execute(f"create table published.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE} ({columns})")
        conn.executemany(
            f"insert into published.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE} values "
            f"({', '.join('?' for _ in PUBLICATION_COLUMNS)})",
            rows,
        )
        conn.execute("detach published")
    return tables, sorted(missing)


WIDE_SEGMENTS_PER_ROW_GROUP = 2
"""A text column stored in more than this many segments per row group in its source
(wide: mostly distinct values, such as ids and JSON text) is written with zstd."""


def _copy_table(conn: duckdb.DuckDBPyConnection, source: str, name: str) -> None:
    """Copy mart ``name`` from database ``source`` into the published file.

    Wide text columns (:func:`_wide_text_columns`) are written with zstd instead of
    DuckDB's dictionary analysis. Measured at medium scale (one warehouse, alternating):
    fct_customer_journey's copy 3.4-3.9 s -> 2.3-3.0 s with zstd on its four wide
    columns, a whole publication 4.8-5.4 s -> 3.4-3.6 s, the file 422 -> 325 MB, and
    readers' queries about as fast (DuckDB 1.4.2 reads it too). Narrow columns
    (channels, stages, names) keep the dictionary, which readers group and filter on
    fastest. The zstd clause needs a storage format of DuckDB 1.2 or later; the file's
    is 1.4.

    The new table's columns are declared from ``duckdb_columns()``, whose type names
    carry no collation: a mart with a collated column (none has one today) is copied
    with ``create table ... as`` instead, which keeps it, and without zstd.
    """
    target = f"published.{PUBLISHED_SCHEMA}.{quote_identifier(name)}"
    origin = f"{source}.{PUBLISHED_SCHEMA}.{quote_identifier(name)}"
    wide = _wide_text_columns(conn, source, name)
    if not wide or _has_collation(conn, source, name):
        conn.execute(f"create table {target} as select * from {origin}")
        return
    columns = conn.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? "
        "order by column_index",
        [source, PUBLISHED_SCHEMA, name],
    ).fetchall()
    definitions = ", ".join(
        quote_identifier(column)
        + f" {data_type}"
        + (" using compression zstd" if column in wide and data_type == "VARCHAR" else "")
        for column, data_type in columns
    )
    conn.execute(f"create table {target} ({definitions})")
    conn.execute(f"insert into {target} select * from {origin}")


def _wide_text_columns(conn: duckdb.DuckDBPyConnection, source: str, name: str) -> set[str]:
    """The text columns of ``source``'s mart ``name`` that its storage keeps in more than
    ``WIDE_SEGMENTS_PER_ROW_GROUP`` segments per row group, or already in zstd (a held
    mart copied from the last published file: zstd keeps a row group's column in one
    segment). Read from DuckDB's storage metadata, no scan of the data; only a choice of
    compression rests on it."""
    rows = conn.execute(
        "select column_name, count(*), count(distinct row_group_id), "
        "bool_or(compression = 'ZSTD') "
        "from pragma_storage_info(?) where segment_type = 'VARCHAR' group by column_name",
        [f"{source}.{PUBLISHED_SCHEMA}.{quote_identifier(name)}"],
    ).fetchall()
    return {
        column
        for column, segments, row_groups, zstd in rows
        if zstd or segments > WIDE_SEGMENTS_PER_ROW_GROUP * row_groups
    }


def _has_collation(conn: duckdb.DuckDBPyConnection, source: str, name: str) -> bool:
    (sql,) = conn.execute(
        "select sql from duckdb_tables() "
        "where database_name = ? and schema_name = ? and table_name = ?",
        [source, PUBLISHED_SCHEMA, name],
    ).fetchone()
    return " collate " in (sql or "").lower()


def _mart_names(conn: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "select table_name from duckdb_tables() "
            "where database_name = ? and schema_name = ? order by table_name",
            [database, PUBLISHED_SCHEMA],
        ).fetchall()
    ]


def _previous_builds(conn: duckdb.DuckDBPyConnection) -> dict[str, _Build]:
    """When and by which run each mart of the previous file was built: its
    ``data_built_at``/``data_run_id``, or, in a file published before those columns
    existed, its ``published_at``/``run_id`` (then every mart was built by that run)."""
    columns = {
        row[0]
        for row in conn.execute(
            "select column_name from duckdb_columns() "
            "where database_name = 'previous' and schema_name = ? and table_name = ?",
            [PUBLISHED_SCHEMA, PUBLICATION_TABLE],
        ).fetchall()
    }
    if not columns:
        return {}
    built = "data_built_at, data_run_id" if "data_built_at" in columns else "published_at, run_id"
    return {
        name: (built_at, built_by)
        for name, built_at, built_by in conn.execute(
            f"select table_name, {built} from previous.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE}"
        ).fetchall()
    }


@dataclass(frozen=True)
class PublishedMart:
    """One row of a published file's ``_publication`` table."""

    table_name: str
    published_at: datetime
    held_back: bool
    held_by: str | None
    data_built_at: datetime | None
    data_run_id: str | None


def read_publication(conn: duckdb.DuckDBPyConnection) -> list[PublishedMart]:
    """The marts of a published file (``conn`` opened on it) and whether each is held
    back; none for a file published before marts could be held back. The refresh
    summary and the report both read it here."""
    columns = {
        row[0]
        for row in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [PUBLISHED_SCHEMA, PUBLICATION_TABLE],
        ).fetchall()
    }
    if "held_back" not in columns:
        return []
    return [
        PublishedMart(*row)
        for row in conn.execute(
            "select table_name, published_at, held_back, held_by, data_built_at, data_run_id "
            f"from {PUBLISHED_SCHEMA}.{PUBLICATION_TABLE} order by table_name"
        ).fetchall()
    ]


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
                    f"copy (select * from {PUBLISHED_SCHEMA}.{quote_identifier(name)}) "
                    f"to '{temporary}' (format parquet)"
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
