"""The raw layer's DDL: :func:`ensure_raw_layer` creates schema ``raw`` with every raw
table, the quarantine, the ledger, the erasure tables and the file-hash cache (the DDL
itself is declared in ``ingestion/registry.py``)."""

from __future__ import annotations

import duckdb

from ingestion.registry import create_raw_layer


def ensure_raw_layer(conn: duckdb.DuckDBPyConnection) -> None:
    create_raw_layer(conn)
