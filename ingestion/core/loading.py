"""The file loop: :func:`load_table` loads every not-yet-loaded file of one raw table,
small files in groups and large ones alone, each file (or group) in one transaction;
plus a load's id and time (:func:`new_load_id`, :func:`utc_naive`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.core.batches import _drop_temp_tables, _load_batch
from ingestion.core.files import _file_head, list_files
from ingestion.core.ledger import (
    _LedgerView,
    _remember_stats,
    _write_ledger,
    _write_ledger_rows,
)
from ingestion.core.results import (
    STATUS_LOADED,
    STATUS_SKIPPED,
    STATUS_UNREADABLE,
    FileLoadStats,
    RecordCounts,
    TableLoadStats,
    UnreadableFile,
)
from ingestion.core.staging import FileContext, _Deferred
from ingestion.tables import RawTable

FileLoader = Callable[[FileContext], RecordCounts]
"""Loads one file's records (inside the file's transaction); raises
:class:`UnreadableFile` when the file cannot be read at all."""

_DATA_ERRORS = (duckdb.InvalidInputException, duckdb.ConversionException)
"""DuckDB errors a strange input could still provoke; they make the file unreadable
rather than stopping the load."""


def utc_naive(now: datetime | None) -> datetime:
    """``now`` (default: the current time) as a naive UTC timestamp."""
    now = now or datetime.now(UTC)
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    return now


def new_load_id(loaded_at: datetime) -> str:
    return f"{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


GROUP_MAX_FILES = 1024
GROUP_MAX_BYTES = 256 << 20
"""A group of small files loads in one transaction with one pass of SQL: at most this
many files and this many bytes of file (compressed files count
:data:`GZIP_EXPANSION` times their size).

The size decides where DuckDB writes the group's rows. An insert of at least one full
row group (122,880 rows) of a table is written straight into the database file; a
smaller one (a table's last group, a group of 1,024 files of few records) goes to the
write-ahead log and is written again at the next checkpoint. With 64 MB groups
(~120,000 SendGrid events) a medium first load of SendGrid left 796 MB in the log
(loaded in 35.7 s, then a 2.1 s checkpoint); with 256 MB groups the log stayed at 1 MB
(25.7 s, 0.2 s). Medium's first load, SendGrid then Segment: 38 s -> 26 s and
70 s -> 52 s; peak RSS 1.9 -> 2.0 GiB and 3.0 -> 3.0 GiB (512 MB groups: no faster, 3.2 GiB)."""
GZIP_EXPANSION = 8
GROUP_FILE_MAX_BYTES = 16 << 20
"""A file larger than this (as counted above) loads alone, its records streamed in
chunks, so memory stays bounded for any file size."""


def load_table(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    table: RawTable,
    loader: FileLoader,
    load_id: str,
    loaded_at: datetime,
    *,
    group_files: bool = True,
) -> TableLoadStats:
    """Load every not-yet-loaded file of one raw table.

    Small files load in groups (``group_files``, for loaders that frame their records
    with :func:`load_frames` and write nothing else): the files of a group are framed
    one by one in Python, then validated, deduplicated and inserted by one pass of SQL,
    and their rows, quarantine rows and ledger rows commit in one transaction. A crash
    rolls the whole group back, so a ledger row still never describes a half-loaded
    file; the per-file ledger and counts are the same as loading them one by one. A
    file whose framing finds it unreadable is recorded on its own; if the group's SQL
    itself fails on strange input, the group is rolled back and its files are loaded
    one at a time, each in its own transaction (the exact path). Large files always
    load alone, streamed.
    """
    stats = TableLoadStats(table.source, table.object, table.qualified_name)
    ledger = _LedgerView.read(conn, table)
    group: list[_Pending] = []
    group_bytes = 0

    def flush() -> None:
        nonlocal group, group_bytes
        if group:
            for file_stats in _load_group(conn, table, loader, group, load_id, loaded_at, ledger):
                stats.files.append(file_stats)
        group, group_bytes = [], 0

    for path in list_files(landing_dir, table):
        pending = _classify(conn, landing_dir, path, ledger)
        if isinstance(pending, FileLoadStats):
            # skipped: already loaded, or the same bytes as a file already read, whose
            # ledger row is written once that file's group has committed
            if pending.ledger_written:
                flush()
                _remember_stats(conn, ledger.fresh)
                _write_ledger(conn, table, pending, load_id, loaded_at)
                ledger.note(pending.path, pending.content_sha256, pending.status, load_id)
            stats.files.append(pending)
            continue
        weight = pending.size * (GZIP_EXPANSION if path.name.endswith(".gz") else 1)
        if not group_files or weight > GROUP_FILE_MAX_BYTES:
            flush()
            stats.files.append(
                _load_alone(conn, table, pending, loader, load_id, loaded_at, ledger)
            )
            continue
        if group and (len(group) >= GROUP_MAX_FILES or group_bytes + weight > GROUP_MAX_BYTES):
            flush()
        group.append(pending)
        group_bytes += weight
        # a later file with the same bytes is skipped against this one, as when files
        # load one by one (a file unreadable on its own is in the ledger all the same)
        ledger.content.setdefault(pending.sha, pending.source_file)
    flush()
    _remember_stats(conn, ledger.fresh)
    return stats


@dataclass
class _Pending:
    """A file to read: not in the ledger, no twin already read."""

    path: Path
    source_file: str
    sha: str
    size: int


def _classify(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    path: Path,
    ledger: _LedgerView,
) -> FileLoadStats | _Pending:
    """A skipped file's stats (``ledger_written``: a ledger row is due), or the file to
    read."""
    source_file = path.relative_to(landing_dir).as_posix()
    sha, size, fresh_stat = ledger.fingerprint(path, source_file)
    if fresh_stat is not None:
        # written with the next group, file or skipped file's ledger row, or at the end:
        # the hash holds for these bytes whatever happens to the load
        ledger.fresh[source_file] = fresh_stat
    known = ledger.handled.get((source_file, sha))
    if known is not None:
        # This very file was handled by an earlier load: nothing to read or record.
        return FileLoadStats(
            path=source_file,
            status=STATUS_SKIPPED,
            content_sha256=sha,
            size_bytes=size,
            detail=f"already in the ledger ({known[0]} by load {known[1]})",
            ledger_written=False,
        )
    earlier = ledger.content.get(sha)
    if earlier is not None:
        stats = FileLoadStats(
            path=source_file,
            status=STATUS_SKIPPED,
            content_sha256=sha,
            size_bytes=size,
            detail=f"same content as {earlier}, already loaded",
        )
        return stats
    return _Pending(path, source_file, sha, size)


def _loaded_stats(pending: _Pending, counts: RecordCounts) -> FileLoadStats:
    if counts.read != counts.loaded + counts.duplicate + counts.quarantined + counts.erased:
        raise AssertionError(f"{pending.source_file}: record counts do not add up: {counts}")
    notes = []
    if counts.quarantined:
        notes.append(f"{counts.quarantined} record(s) quarantined")
    if counts.erased:
        notes.append(f"{counts.erased} record(s) erased (see raw._erased)")
    return FileLoadStats(
        path=pending.source_file,
        status=STATUS_LOADED,
        content_sha256=pending.sha,
        size_bytes=pending.size,
        records_read=counts.read,
        records_loaded=counts.loaded,
        records_duplicate=counts.duplicate,
        records_quarantined=counts.quarantined,
        records_erased=counts.erased,
        detail="; ".join(notes) or None,
    )


def _load_alone(
    conn: duckdb.DuckDBPyConnection,
    table: RawTable,
    pending: _Pending,
    loader: FileLoader,
    load_id: str,
    loaded_at: datetime,
    ledger: _LedgerView,
) -> FileLoadStats:
    """One file in its own transaction, its records streamed in chunks."""
    ctx = FileContext(conn, table, pending.path, pending.source_file, load_id, loaded_at)
    conn.execute("begin transaction")
    try:
        counts = loader(ctx)
        stats = _loaded_stats(pending, counts)
    except UnreadableFile as exc:
        conn.execute("rollback")
        return _record_unreadable(conn, table, pending, exc.reason, load_id, loaded_at, ledger)
    except _DATA_ERRORS as exc:
        conn.execute("rollback")
        reason = f"could not be read: {exc}".splitlines()[0]
        return _record_unreadable(conn, table, pending, reason, load_id, loaded_at, ledger)
    except BaseException:
        conn.execute("rollback")
        raise
    _remember_stats(conn, ledger.fresh)
    _write_ledger(conn, table, stats, load_id, loaded_at)
    conn.execute("commit")
    ledger.note(stats.path, stats.content_sha256, stats.status, load_id)
    return stats


def _load_group(
    conn: duckdb.DuckDBPyConnection,
    table: RawTable,
    loader: FileLoader,
    group: list[_Pending],
    load_id: str,
    loaded_at: datetime,
    ledger: _LedgerView,
) -> list[FileLoadStats]:
    """Frame each file in Python, then load the group in one transaction (see
    :func:`load_table`). Returns the files' stats in file-name order."""
    framed: list[tuple[_Pending, _Deferred, int]] = []
    unreadable: dict[str, str] = {}
    results: dict[str, FileLoadStats] = {}
    # Framing writes nothing, but a loader that did would be rolled back with the group.
    conn.execute("begin transaction")
    try:
        for pending in group:
            ctx = FileContext(
                conn, table, pending.path, pending.source_file, load_id, loaded_at, collected=[]
            )
            try:
                counts = loader(ctx)
            except UnreadableFile as exc:
                unreadable[pending.source_file] = exc.reason
                continue
            if len(ctx.collected) != 1:
                raise AssertionError(
                    f"{table.qualified_name}: a grouped loader calls load_frames once"
                )
            framed.append((pending, ctx.collected[0], counts.read))
        with_records = [(p, d) for p, d, read in framed if read]
        for pending, _, read in framed:
            if not read:  # a file with no records at all: nothing to stage
                results[pending.source_file] = _loaded_stats(pending, RecordCounts())
        if with_records:
            spec = with_records[0][1].spec
            frame = pd.concat(
                [
                    part.assign(_file=index)
                    for index, (_, deferred) in enumerate(with_records)
                    for part in deferred.frames
                ],
                ignore_index=True,
            )
            batch = _load_batch(
                conn,
                spec,
                frame,
                [p.source_file for p, _ in with_records],
                load_id,
                loaded_at,
                drop_unreadable=True,
            )
            del frame
            _drop_temp_tables(conn)
            for index, (pending, _) in enumerate(with_records):
                if index in batch.unreadable:
                    unreadable[pending.source_file] = "not JSON: no line of the file is valid JSON"
                    continue
                results[pending.source_file] = _loaded_stats(
                    pending, batch.counts.get(index, RecordCounts())
                )
        _remember_stats(conn, ledger.fresh)
        _write_ledger_rows(conn, table, results.values(), load_id, loaded_at)
        conn.execute("commit")
    except _DATA_ERRORS:
        # strange input the grouped SQL cannot take: each file on its own, as exactly
        # as the single-file path reads it
        conn.execute("rollback")
        return [
            _load_alone(conn, table, pending, loader, load_id, loaded_at, ledger)
            for pending in group
        ]
    except BaseException:
        conn.execute("rollback")
        raise
    for file_stats in results.values():
        ledger.note(file_stats.path, file_stats.content_sha256, file_stats.status, load_id)
    for pending in group:
        if pending.source_file in unreadable:
            results[pending.source_file] = _record_unreadable(
                conn,
                table,
                pending,
                unreadable[pending.source_file],
                load_id,
                loaded_at,
                ledger,
            )
    return [results[pending.source_file] for pending in group]


def _record_unreadable(
    conn: duckdb.DuckDBPyConnection,
    table: RawTable,
    pending: _Pending,
    reason: str,
    load_id: str,
    loaded_at: datetime,
    ledger: _LedgerView,
) -> FileLoadStats:
    """A file that cannot be read at all: one quarantined record (its first bytes) and
    a ledger row ``unreadable``, in one transaction."""
    stats = FileLoadStats(
        path=pending.source_file,
        status=STATUS_UNREADABLE,
        content_sha256=pending.sha,
        size_bytes=pending.size,
        records_read=1,
        records_quarantined=1,
        detail=reason,
    )
    ctx = FileContext(conn, table, pending.path, pending.source_file, load_id, loaded_at)
    conn.execute("begin transaction")
    try:
        ctx.insert_quarantine([(None, _file_head(pending.path), reason)])
        _write_ledger(conn, table, stats, load_id, loaded_at)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    ledger.note(stats.path, stats.content_sha256, stats.status, load_id)
    return stats
