"""The raw layer's table registry, collected from the loader modules.

Each loader module (``ingestion/<family>/<vendor>.py``, e.g. ``ingestion/ads/meta.py``)
declares its raw tables once, in a module-level ``TABLES`` (:class:`RawTable`, see
``ingestion/tables.py``), beside the file loader each names. This module finds those
modules (every module of a family package under ``ingestion/`` that has ``TABLES``),
so a new source is a new loader module and nothing here changes. Everything that lists
tables reads :data:`RAW_TABLES`: ``SOURCES`` and the loaders (``ingestion``), the raw
quality suites and the landing reconciliation (``quality``), the Dagster assets, and
the counts in the tests. The dbt sources (``_<source>__sources.yml``) are checked
against it by the tests.

Order: families and modules by name, tables in their module's declaration order.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import ingestion
from ingestion.core import FileLoader
from ingestion.tables import (
    ERASED_AT_LOAD,
    ERASED_DDL,
    ERASED_FROM_QUARANTINE,
    ERASED_FROM_RAW,
    ERASED_TABLE,
    ERASURES_DDL,
    ERASURES_TABLE,
    FILE_STATS_DDL,
    FILE_STATS_TABLE,
    LEDGER_DDL,
    LEDGER_TABLE,
    LINEAGE_COLUMNS,
    QUARANTINE_DDL,
    QUARANTINE_TABLE,
    RAW_SCHEMA,
    RECORD_COMPRESSION,
    RawTable,
    RepeatRule,
)

__all__ = [
    "ERASED_AT_LOAD",
    "ERASED_FROM_QUARANTINE",
    "ERASED_FROM_RAW",
    "ERASED_TABLE",
    "ERASURES_TABLE",
    "FILE_STATS_TABLE",
    "LEDGER_TABLE",
    "LINEAGE_COLUMNS",
    "QUARANTINE_TABLE",
    "RAW_SCHEMA",
    "RAW_TABLES",
    "RawTable",
    "RepeatRule",
    "create_raw_layer",
    "loader_for",
    "raw_table",
    "tables_of",
]

NOT_LOADERS = frozenset({"core"})
"""Packages under ``ingestion/`` that hold no loader modules."""


def _loader_modules() -> list[ModuleType]:
    root = Path(ingestion.__file__).parent
    modules = []
    for family in sorted(pkgutil.iter_modules([str(root)]), key=lambda m: m.name):
        if not family.ispkg or family.name in NOT_LOADERS:
            continue
        for module in sorted(pkgutil.iter_modules([str(root / family.name)]), key=lambda m: m.name):
            found = importlib.import_module(f"ingestion.{family.name}.{module.name}")
            if hasattr(found, "TABLES"):
                modules.append(found)
    return modules


def _collect() -> tuple[tuple[RawTable, ...], dict[tuple[str, str], FileLoader]]:
    tables: list[RawTable] = []
    loaders: dict[tuple[str, str], FileLoader] = {}
    for module in _loader_modules():
        for table in module.TABLES:
            where = f"{module.__name__}.TABLES"
            if not isinstance(table, RawTable):
                raise TypeError(f"{where} holds {table!r}, not a RawTable")
            if (table.source, table.object) in loaders:
                raise ValueError(f"{where}: raw/{table.source}/{table.object} is declared twice")
            loader = getattr(module, table.loader, None)
            if not callable(loader):
                raise ValueError(
                    f"{where}: raw/{table.source}/{table.object} names the loader "
                    f"{table.loader!r}, which {module.__name__} does not define"
                )
            tables.append(table)
            loaders[(table.source, table.object)] = loader
    return tuple(tables), loaders


RAW_TABLES, _LOADERS = _collect()


def raw_table(source: str, object_: str) -> RawTable:
    """The registry entry for ``raw/<source>/<object>``."""
    for table in RAW_TABLES:
        if table.source == source and table.object == object_:
            return table
    raise KeyError(f"no raw table raw/{source}/{object_}")


def tables_of(source: str) -> tuple[RawTable, ...]:
    """All raw tables of one source (e.g. the three LinkedIn objects)."""
    found = tuple(t for t in RAW_TABLES if t.source == source)
    if not found:
        raise KeyError(f"unknown source {source!r}")
    return found


def loader_for(table: RawTable) -> FileLoader:
    """The file loader its module declared for ``table``."""
    return _LOADERS[(table.source, table.object)]


ZSTD_STORAGE_VERSION = (1, 2, 0)
"""The first DuckDB storage format with zstd for a column."""


def _has_zstd(conn) -> bool:  # noqa: ANN001 - a duckdb connection
    """Whether the current database file's storage format has zstd. A file written in an
    older format (created by an older DuckDB, or attached with ``storage_version``)
    refuses a column's ``using compression zstd``, even in ``create table if not
    exists`` of a table it already has."""
    row = conn.execute(
        "select tags['storage_version'] from duckdb_databases() "
        "where database_name = current_database()"
    ).fetchone()
    version = re.match(r"v(\d+)\.(\d+)\.(\d+)", (row[0] if row else None) or "")
    if version is None:  # in memory: no storage format to be older than
        return True
    return tuple(int(part) for part in version.groups()) >= ZSTD_STORAGE_VERSION


def create_raw_layer(conn) -> None:  # noqa: ANN001 - a duckdb connection
    """Create schema ``raw`` with every raw table, the quarantine, the ledger, the
    erasure tables and the file-hash cache."""
    conn.execute(f"create schema if not exists {RAW_SCHEMA}")
    record_compression = RECORD_COMPRESSION if _has_zstd(conn) else None
    for table in RAW_TABLES:
        conn.execute(table.create_sql(record_compression))
    conn.execute(QUARANTINE_DDL)
    conn.execute(LEDGER_DDL)
    conn.execute(ERASURES_DDL)
    conn.execute(ERASED_DDL)
    conn.execute(FILE_STATS_DDL)
