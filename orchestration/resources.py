"""Dagster resources: the warehouse file and the landing zone it is fed from."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.locks import WRITER_LOCK_TIMEOUT, writer_lock
from orchestration.settings import (
    ENV_ENGINE,
    ENV_SPARK_RAW_DIR,
    ENV_SPARK_WAREHOUSE_DIR,
    ENV_WAREHOUSE,
    Settings,
    duckdb_config,
)


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
        settings = self.settings()
        path = settings.warehouse
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(path), config=duckdb_config(settings))
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def writer_lock(
        self, log: Any = None, timeout_seconds: float = WRITER_LOCK_TIMEOUT
    ) -> Iterator[None]:
        """Hold the warehouse's writer lock (:func:`orchestration.locks.writer_lock`)."""
        with writer_lock(self.settings().warehouse, log, timeout_seconds):
            yield

    def export_warehouse_env(self) -> None:
        """Make the dbt subprocess write the same file this resource points at (and, on
        Spark, read raw and keep its tables where this run's settings say)."""
        settings = self.settings()
        os.environ[ENV_WAREHOUSE] = str(settings.warehouse)
        os.environ[ENV_ENGINE] = settings.engine
        if settings.spark_raw_dir is not None:
            os.environ[ENV_SPARK_RAW_DIR] = str(settings.spark_raw_dir)
        if settings.spark_warehouse_dir is not None:
            os.environ[ENV_SPARK_WAREHOUSE_DIR] = str(settings.spark_warehouse_dir)


def _abs(value: str) -> Path:
    return Path(value).expanduser().resolve()
