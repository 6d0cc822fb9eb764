"""Dagster resources: the warehouse file and the landing zone it is fed from."""

from __future__ import annotations

import dataclasses
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.settings import ENV_WAREHOUSE, Settings

WRITER_LOCK_TIMEOUT = 6 * 3600.0
"""How long a step waits for another writer before it gives up (a full medium refresh
takes minutes; hours means something is stuck)."""


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse and its landing zone.

    Both paths default to the environment (``JOURNEY_WAREHOUSE``,
    ``JOURNEY_LANDING_DIR``), read when a run starts, never at import time; run
    config can override them.
    """

    warehouse_path: str | None = None
    landing_dir: str | None = None

    def settings(self) -> Settings:
        base = Settings.from_env()
        return dataclasses.replace(
            base,
            landing_dir=base.landing_dir if self.landing_dir is None else _abs(self.landing_dir),
            warehouse=base.warehouse if self.warehouse_path is None else _abs(self.warehouse_path),
        )

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, closed on exit so the next writer (dbt) can open
        the file: DuckDB allows one writer process."""
        path = self.settings().warehouse
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(path))
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def writer_lock(
        self, log: Any = None, timeout_seconds: float = WRITER_LOCK_TIMEOUT
    ) -> Iterator[None]:
        """Hold the warehouse's writer lock (an advisory ``flock`` on
        ``<warehouse>.writer.lock``) while a step writes or reads the warehouse file.

        DuckDB allows one process to open a file for writing, and refuses a read-only
        open while a writer holds it; steps of two runs (the schedule and the sensor, or
        a CLI refresh beside the daemon's) wait here for each other instead of failing.
        The kernel releases the lock when its process dies, so a refresh killed with
        ``kill -9`` never leaves it held.
        """
        path = self.settings().warehouse
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = path.with_name(f"{path.name}.writer.lock")
        with open(lock_path, "a+") as handle:
            deadline = time.monotonic() + timeout_seconds
            waited = False
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(
                            f"another process has been writing {path} for more than "
                            f"{timeout_seconds:.0f}s (lock {lock_path})"
                        ) from None
                    if not waited and log is not None:
                        log.info(f"waiting for another writer of {path} to finish")
                    waited = True
                    time.sleep(1.0)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def export_warehouse_env(self) -> None:
        """Make the dbt subprocess write the same file this resource points at."""
        os.environ[ENV_WAREHOUSE] = str(self.settings().warehouse)


def _abs(value: str) -> Path:
    return Path(value).expanduser().resolve()
