"""The raw layer's DDL: :func:`ensure_raw_layer` creates schema ``raw`` with every raw
table, the quarantine, the ledger, the erasure tables and the file-hash cache (the
tables are declared by the loader modules and collected in ``ingestion/registry.py``;
the bookkeeping tables are in ``ingestion/tables.py``)."""

from __future__ import annotations

import duckdb


def ensure_raw_layer(conn: duckdb.DuckDBPyConnection) -> None:
    # The registry imports every loader module, and they import this package: it is
    # looked up when called, not at import.
    from ingestion.registry import create_raw_layer

    create_raw_layer(conn)
