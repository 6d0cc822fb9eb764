"""Fixtures for the landing-zone loader tests: a copy of the hand-written landing zone
(``fixtures/landing``) and a fresh DuckDB warehouse file per test."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion import SOURCES, SourceLoadResult, load_source

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 1, 7, 6, 0, 0)


@pytest.fixture(scope="session")
def dbt_manifest() -> None:
    """The loaders know nothing of dbt: no manifest needed for these tests."""
    return None


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """The fixture landing zone, plus the two binary Segment files built here."""
    root = tmp_path / "landing"
    shutil.copytree(FIXTURES / "landing", root)
    segment = root / "web" / "segment"
    text = (FIXTURES / "segment_gz" / "2026-01-06.jsonl").read_bytes()
    (segment / "2026-01-06.jsonl.gz").write_bytes(gzip.compress(text))
    shutil.copy(FIXTURES / "segment_gz" / "not-gzip.bin", segment / "2026-01-07.jsonl.gz")
    return root


class Warehouse:
    """A tmp_path DuckDB warehouse with the queries the tests need."""

    now = NOW

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def load(self, landing: Path, source: str, load_id: str = "load-1") -> SourceLoadResult:
        return load_source(self.conn, landing, source, load_id=load_id, now=NOW)

    def load_all(self, landing: Path, load_id: str = "load-1") -> dict[str, SourceLoadResult]:
        return {source: self.load(landing, source, load_id) for source in SOURCES}

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.conn.execute(sql, params or []).fetchall()

    def quarantine(self, source: str) -> list[tuple]:
        """(file, position, raw text, reason) of a source's quarantined records."""
        return self.rows(
            "select source_file, source_position, raw_text, reason from raw._quarantine "
            "where source = ? order by source_file, source_position nulls first",
            [source],
        )

    def reasons(self, source: str) -> list[tuple]:
        """(file, position, reason) of a source's quarantined records."""
        return [(f, p, reason) for f, p, _, reason in self.quarantine(source)]

    def ledger(self, source: str) -> list[tuple]:
        """(file, status, read, loaded, duplicate, quarantined) per ledger row."""
        return self.rows(
            "select source_file, status, records_read, records_loaded, records_duplicate, "
            "records_quarantined from raw._file_ledger where source = ? "
            "order by source_file, loaded_at",
            [source],
        )


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


@pytest.fixture
def wh(conn: duckdb.DuckDBPyConnection) -> Warehouse:
    return Warehouse(conn)
