"""Dagster's SQLite event log, with connections kept open between events.

Dagster's default event log (``SqliteEventLogStorage``: a SQLite file per run plus an
index file) builds a new SQLAlchemy engine, opens a new connection and commits with an
fsync for every write, and a single event is several writes (the run's file, the index,
the asset and check tables). A refresh writes thousands of events (every planned and
evaluated check, every dbt model and test), and at medium scale that cost ~15 s of a
one-day refresh, in the main process, while dbt waited on its output pipe.

``JourneySqliteEventLogStorage`` is the same storage, on the same files, with three
changes:

* an engine per file is kept (the few most recent files, per process), and its pool
  keeps the connection open, so an event is an insert and a commit, not an engine,
  an open, a commit and a close (closing the last connection to a WAL file
  checkpoints it);
* a batch of events (``store_event_batch``: Dagster's planned events of a new run,
  when ``DAGSTER_EVENT_BATCH_SIZE`` is set, as ``journey`` does) is written in one
  transaction per file instead of a commit per write;
* every connection runs with ``PRAGMA synchronous=NORMAL``. The files are in WAL mode
  (Dagster sets it), where NORMAL keeps the database consistent after any crash and a
  commit survives the process being killed; only the last events before an operating
  system crash or power loss can be lost. The event log is Dagster's record of runs,
  not the warehouse: the file ledger and every row live in DuckDB, which has its own
  write-ahead log, so no loaded record depends on this.

With a connection open, a commit in WAL mode writes only ``<run_id>.db-wal``, never the
run's file itself, which is what Dagster's watcher of a run (the webserver's live run
log) waits on: ``watch`` here also wakes on the write-ahead log.

``journey`` writes it into ``DAGSTER_HOME/dagster.yaml`` (``event_log_storage``) with the
folder Dagster uses by default (``DAGSTER_HOME/history/runs``, written out: a storage
class gets its config and nothing else), so an existing instance keeps its history.
The webserver and the daemon load it from there too.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from watchdog.events import FileSystemEvent
from watchdog.observers import Observer

KEEP_ENGINES = 8
"""Files with an open connection at most (per process): a refresh writes to its run's
file and the index; the webserver reading many runs closes the least recently used."""


class JourneySqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` that keeps a connection open per file (see the module)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._pid = os.getpid()
        self._tables_present: set[str] = set()
        self._batch = threading.local()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod  # Dagster's own builds its class by name, not ``cls``
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> JourneySqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.engine.Engine:
        if os.getpid() != self._pid:
            self._forget_parents_engines()
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = create_engine(
                self.conn_string_for_shard(shard),
                pool_size=1,
                max_overflow=4,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            db.event.listen(engine, "connect", _relaxed_sync)
            self._engines[shard] = engine
            while len(self._engines) > KEEP_ENGINES:
                _, evicted = self._engines.popitem(last=False)
                evicted.dispose()
            return engine

    def _forget_parents_engines(self) -> None:
        """In a forked child: the parent's pooled connections are neither used nor closed
        here (SQLite forbids touching a handle across a fork), and its lock, which
        another of its threads may have held at the fork, is replaced."""
        self._engines_lock = threading.Lock()
        for engine in self._engines.values():
            engine.dispose(close=False)
        self._engines.clear()
        self._pid = os.getpid()

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def _ready_engine(self, shard: str) -> db.engine.Engine:
        """The file's engine, its tables created on first use (called holding the lock)."""
        engine = self._engine(shard)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Any]:
        batch = getattr(self._batch, "connections", None)
        if batch is not None:
            # inside store_event_batch, which holds the lock: one transaction per file
            if shard not in batch:
                conn = self._ready_engine(shard).connect()
                batch[shard] = (conn, conn.begin())
            yield batch[shard][0]
            return
        with self._db_lock, self._ready_engine(shard).connect() as conn, conn.begin():
            yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Store the events as ``store_event`` does, in one transaction per file (the
        run's and the index) instead of one per write.

        Dagster hands a batch only where it groups events itself and
        ``DAGSTER_EVENT_BATCH_SIZE`` is set (``journey`` sets it): the planned
        materializations and checks it logs when it creates a run, ~770 events for a
        refresh, each two to four writes and commits. The index is committed first and
        the run's file last; if a commit fails before the index's is done, nothing of
        the batch is stored and the error goes to Dagster, which then stores the events
        one at a time. If only the run's file fails after the index committed, the
        events' rows are written to the run's file one by one (the index has them), so
        that no event is stored twice."""
        if len(events) < 2 or getattr(self._batch, "connections", None) is not None:
            super().store_event_batch(events)
            return
        connections: dict[str, tuple[Any, Any]] = {}
        unwritten: set[str] = set()
        with self._db_lock:
            self._batch.connections = connections
            try:
                try:
                    for event in events:
                        super().store_event(event)
                    if INDEX_SHARD_NAME in connections:
                        connections[INDEX_SHARD_NAME][1].commit()
                except BaseException:
                    for _, transaction in connections.values():
                        if transaction.is_active:
                            transaction.rollback()
                    raise
                for shard, (_, transaction) in connections.items():
                    if shard == INDEX_SHARD_NAME:
                        continue
                    try:
                        self._commit_run_file(transaction)
                    except Exception:  # noqa: BLE001 - the index has these events already
                        if transaction.is_active:
                            transaction.rollback()
                        unwritten.add(shard)
            finally:
                self._batch.connections = None
                for conn, _ in connections.values():
                    conn.close()
        for event in events:
            if event.run_id in unwritten:
                with self.run_connection(event.run_id) as conn:
                    conn.execute(self.prepare_insert_event(event))

    @staticmethod
    def _commit_run_file(transaction: Any) -> None:
        transaction.commit()

    def has_table(self, table_name: str) -> bool:
        """Whether the index has ``table_name``, asked on the kept connection and
        remembered once true. Dagster asks before every asset check event
        (``supports_asset_checks``) with a new engine and connection each time: ~2.5 ms
        a check, ~1.5 s of a refresh's ~600 check results."""
        if table_name in self._tables_present:
            return True
        # the kept engine, not ``_connect``: Dagster also asks while it holds that lock
        with self._engine(INDEX_SHARD_NAME).connect() as conn:
            present = bool(conn.dialect.has_table(conn, table_name))
        if present:
            self._tables_present.add(table_name)
        return present

    def watch(self, run_id: str, cursor: str | None, callback: Any) -> None:
        """Dagster's ``watch``, with a watcher that also wakes on the run's WAL file."""
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        watcher = _RunWatcher(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (
            watcher,
            self._obs.schedule(watcher, self._base_dir, recursive=True),
        )

    def wipe(self) -> None:
        self._tables_present.clear()
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()


class _RunWatcher(SqliteEventLogStorageWatchdog):
    """Dagster's watcher of one run's events, woken by its file or its WAL file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._paths = (self._log_path, f"{self._log_path}-wal")
        self._patterns = list(self._paths)

    def on_modified(self, event: FileSystemEvent) -> None:
        if event.src_path in self._paths:
            self._process_log()


def _relaxed_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
