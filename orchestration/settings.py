"""Runtime settings, read once from environment variables.

Nothing in the project reads ``os.environ`` at import time: code asks for
``Settings.from_env()`` when it runs, so tests (and the Dagster UI) can point the
same code at another landing zone or warehouse without reloading modules.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding pyproject.toml and dbt_project/)."""

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

ENV_LANDING_DIR = "JOURNEY_LANDING_DIR"
ENV_WAREHOUSE = "JOURNEY_WAREHOUSE"
ENV_DAGSTER_HOME = "DAGSTER_HOME"
ENV_SERVING = "JOURNEY_SERVING"
ENV_REPORT_DIR = "JOURNEY_REPORT_DIR"
ENV_EXPORT_DIR = "JOURNEY_EXPORT_DIR"
ENV_ERASURE_LIST = "JOURNEY_ERASURE_LIST"
ENV_DUCKDB_MEMORY_LIMIT = "JOURNEY_DUCKDB_MEMORY_LIMIT"
ENV_DUCKDB_THREADS = "JOURNEY_DUCKDB_THREADS"
ENV_DUCKDB_TEMP_DIR = "JOURNEY_DUCKDB_TEMP_DIR"
ENV_ENGINE = "JOURNEY_ENGINE"
ENV_SPARK_RAW_DIR = "JOURNEY_SPARK_RAW_DIR"
ENV_SPARK_WAREHOUSE_DIR = "JOURNEY_SPARK_WAREHOUSE_DIR"

ENGINES = ("duckdb", "spark")
"""Where dbt builds the models (``JOURNEY_ENGINE``): the embedded DuckDB file, or Apache
Spark (README, "Running on Spark"). Loads, the ledger and quarantine, the checks on raw
and the publication stay on DuckDB either way."""

DEFAULT_LANDING_DIR = "data/landing"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_DAGSTER_HOME = ".dagster_home"
DEFAULT_SERVING = "data/serving.duckdb"
DEFAULT_REPORT_DIR = "data/reports"
DEFAULT_ERASURE_LIST = "data/erasures.jsonl"
ERASURE_LOG_NAME = "erasures.log"
DEFAULT_DUCKDB_MEMORY_LIMIT = "3GB"
"""DuckDB's memory for one process (loads, dbt, checks, publish). Larger work spills to
the temp directory instead of growing: a refresh stays within about 4 GiB at medium
scale and completes at large scale on a machine of that size."""
CHECKPOINT_THRESHOLD = "1GB"
"""DuckDB checkpoints when its write-ahead log passes this size (DuckDB's default is
16 MB). Loads and dbt models commit often; a checkpoint after every commit rewrites the
last, partly filled row group each time (measured: 12 commits of 23k Segment rows took
12.7 s with checkpoints, 4.2 s without). The log is replayed after a crash as before,
and closing the connection checkpoints."""


def _resolve(value: str | None, default: str) -> Path:
    """An explicit value is taken relative to the working directory, as a shell user
    expects; a default is taken relative to the project root, so ``journey`` finds
    the same warehouse wherever it is started from."""
    if value:
        return Path(value).expanduser().resolve()
    return (PROJECT_ROOT / default).resolve()


@dataclass(frozen=True)
class Settings:
    """Where the landing zone, the warehouse file and Dagster's home are."""

    landing_dir: Path
    warehouse: Path
    dagster_home: Path
    serving: Path | None = None
    """The published copy of the marts BI tools read (``JOURNEY_SERVING``)."""
    report_dir: Path | None = None
    """Where the HTML report of each refresh goes (``JOURNEY_REPORT_DIR``)."""
    export_dir: Path | None = None
    """Optional Parquet export of every mart (``JOURNEY_EXPORT_DIR``); unset = none."""
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    """``JOURNEY_DUCKDB_MEMORY_LIMIT``: DuckDB's ``memory_limit`` in every process."""
    duckdb_threads: int | None = None
    """``JOURNEY_DUCKDB_THREADS``: DuckDB's worker threads (default: the cores)."""
    duckdb_temp_dir: Path | None = None
    """``JOURNEY_DUCKDB_TEMP_DIR``: where DuckDB spills (default: ``<warehouse>.tmp``)."""
    engine: str = "duckdb"
    """``JOURNEY_ENGINE``: ``duckdb`` (default) or ``spark``."""
    spark_raw_dir: Path | None = None
    """``JOURNEY_SPARK_RAW_DIR``: raw as Parquet for Spark (default ``spark/raw`` beside
    the warehouse)."""
    spark_warehouse_dir: Path | None = None
    """``JOURNEY_SPARK_WAREHOUSE_DIR``: Spark's metastore and tables (default
    ``spark/warehouse`` beside the warehouse)."""
    erasure_list: Path | None = None
    """Hashed identifiers of erased persons that loads drop (``JOURNEY_ERASURE_LIST``,
    default ``erasures.jsonl`` beside the warehouse); ``journey forget`` appends to it
    and writes its audit log (``erasures.log``) beside it."""

    @property
    def erasure_log(self) -> Path:
        """The audit log of ``journey forget``: one JSON line per erasure, hashes only."""
        base = self.erasure_list or self.warehouse.with_name(Path(DEFAULT_ERASURE_LIST).name)
        return base.with_name(ERASURE_LOG_NAME)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        warehouse = _resolve(env.get(ENV_WAREHOUSE), DEFAULT_WAREHOUSE)
        engine = (env.get(ENV_ENGINE) or "duckdb").strip().lower()
        if engine not in ENGINES:
            raise ValueError(
                f"{ENV_ENGINE}={env.get(ENV_ENGINE)!r} is not an engine; use one of "
                + ", ".join(ENGINES)
            )
        return cls(
            landing_dir=_resolve(env.get(ENV_LANDING_DIR), DEFAULT_LANDING_DIR),
            warehouse=warehouse,
            dagster_home=_resolve(env.get(ENV_DAGSTER_HOME), DEFAULT_DAGSTER_HOME),
            # Beside the warehouse unless set: data/serving.duckdb and data/reports/ by
            # default, and a test's or a team's own folder when it moves the warehouse.
            serving=_resolve(env.get(ENV_SERVING), "")
            if env.get(ENV_SERVING)
            else warehouse.with_name(Path(DEFAULT_SERVING).name),
            report_dir=_resolve(env.get(ENV_REPORT_DIR), "")
            if env.get(ENV_REPORT_DIR)
            else warehouse.parent / Path(DEFAULT_REPORT_DIR).name,
            export_dir=_resolve(env[ENV_EXPORT_DIR], "") if env.get(ENV_EXPORT_DIR) else None,
            duckdb_memory_limit=env.get(ENV_DUCKDB_MEMORY_LIMIT) or DEFAULT_DUCKDB_MEMORY_LIMIT,
            duckdb_threads=int(env[ENV_DUCKDB_THREADS]) if env.get(ENV_DUCKDB_THREADS) else None,
            duckdb_temp_dir=_resolve(env.get(ENV_DUCKDB_TEMP_DIR), "")
            if env.get(ENV_DUCKDB_TEMP_DIR)
            else warehouse.with_name(f"{warehouse.name}.tmp"),
            engine=engine,
            spark_raw_dir=_resolve(env.get(ENV_SPARK_RAW_DIR), "")
            if env.get(ENV_SPARK_RAW_DIR)
            else warehouse.parent / "spark" / "raw",
            spark_warehouse_dir=_resolve(env.get(ENV_SPARK_WAREHOUSE_DIR), "")
            if env.get(ENV_SPARK_WAREHOUSE_DIR)
            else warehouse.parent / "spark" / "warehouse",
            erasure_list=_resolve(env.get(ENV_ERASURE_LIST), "")
            if env.get(ENV_ERASURE_LIST)
            else warehouse.with_name(Path(DEFAULT_ERASURE_LIST).name),
        )

    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, absolute, for child processes
        (dbt reads ``JOURNEY_WAREHOUSE`` in its profile)."""
        env = {
            ENV_LANDING_DIR: str(self.landing_dir),
            ENV_WAREHOUSE: str(self.warehouse),
            ENV_DAGSTER_HOME: str(self.dagster_home),
            ENV_DUCKDB_MEMORY_LIMIT: self.duckdb_memory_limit,
            ENV_DUCKDB_THREADS: str(self.duckdb_threads or os.cpu_count() or 1),
            ENV_ENGINE: self.engine,
        }
        optional = {
            ENV_SERVING: self.serving,
            ENV_REPORT_DIR: self.report_dir,
            ENV_EXPORT_DIR: self.export_dir,
            ENV_ERASURE_LIST: self.erasure_list,
            ENV_DUCKDB_TEMP_DIR: self.duckdb_temp_dir,
            ENV_SPARK_RAW_DIR: self.spark_raw_dir,
            ENV_SPARK_WAREHOUSE_DIR: self.spark_warehouse_dir,
        }
        env.update({name: str(path) for name, path in optional.items() if path is not None})
        return env


def duckdb_config(settings: Settings) -> dict[str, str]:
    """The DuckDB settings every warehouse connection of the project opens with (the dbt
    profile reads the same values from the environment, and sets the same constants).
    ``max_vacuum_tasks`` 0: a checkpoint leaves deleted rows in place instead of
    rewriting row groups on every refresh; ``orchestration/reclaim.py`` rewrites a table
    once its deleted rows add up."""
    config = {
        "memory_limit": settings.duckdb_memory_limit,
        "checkpoint_threshold": CHECKPOINT_THRESHOLD,
        "max_vacuum_tasks": "0",
    }
    if settings.duckdb_threads:
        config["threads"] = str(settings.duckdb_threads)
    if settings.duckdb_temp_dir is not None:
        config["temp_directory"] = str(settings.duckdb_temp_dir)
    return config
