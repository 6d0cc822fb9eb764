"""Dagster resources: the warehouse file and the landing zone it is fed from."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.settings import ENV_WAREHOUSE, Settings


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
        return Settings(
            landing_dir=base.landing_dir if self.landing_dir is None else _abs(self.landing_dir),
            warehouse=base.warehouse if self.warehouse_path is None else _abs(self.warehouse_path),
            dagster_home=base.dagster_home,
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

    def export_warehouse_env(self) -> None:
        """Make the dbt subprocess write the same file this resource points at."""
        os.environ[ENV_WAREHOUSE] = str(self.settings().warehouse)


def _abs(value: str) -> Path:
    return Path(value).expanduser().resolve()
