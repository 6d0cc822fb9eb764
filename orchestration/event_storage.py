"""Dagster's SQLite event log, with connections kept open between events.

Dagster's default event log (``SqliteEventLogStorage``: a SQLite file per run plus an
index file) builds a new SQLAlchemy engine, opens a new connection and commits with an
fsync for every write, and a single event is several writes (the run's file, the index,
the asset and check tables). A refresh writes thousands of events (every planned and
evaluated check, every dbt model and test), and at medium scale that cost ~15 s of a
one-day refresh, in the main process, while dbt waited on its output pipe.

``JourneySqliteEventLogStorage`` is the same storage, on the same files, with two
changes:

* an engine per file is kept (the few most recent files, per process), and its pool
  keeps the connection open, so an event is an insert and a commit, not an engine,
  an open, a commit and a close (closing the last connection to a WAL file
  checkpoints it);
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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
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

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Any]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

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
