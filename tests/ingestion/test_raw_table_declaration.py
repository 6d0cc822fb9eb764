"""A raw table's declaration is checked when it is made: a wrong one fails at import,
with the table and the column named, not in the middle of a load."""

from __future__ import annotations

import pytest

from ingestion.tables import Field, RawTable, RepeatRule


def _table(*columns: str, key: tuple[str, ...] = ("id",)) -> RawTable:
    return RawTable(
        source="vendor",
        object="things",
        landing_path="vendor/things",
        file_globs=("*.json",),
        fields=tuple(Field(column, column) for column in columns),
        key=key,
        repeat_rule=RepeatRule.DROP_DUPLICATE,
        description="a test table",
    )


def test_a_column_named_like_the_loaders_own_is_refused():
    # _row_id and _file are columns the loader stages every record with
    with pytest.raises(ValueError, match=r"vendor\.things: _row_id, _file: a raw column name"):
        _table("id", "_row_id", "amount", "_file")


def test_a_column_declared_twice_is_refused():
    with pytest.raises(ValueError, match=r"vendor\.things: a column is declared twice"):
        _table("id", "amount", "amount")


def test_a_key_that_is_not_a_field_is_refused():
    with pytest.raises(ValueError, match=r"vendor\.things: thing_id named but not a field"):
        _table("id", "amount", key=("thing_id",))


def test_the_record_column_is_stored_with_zstd(tmp_path):
    """``_record`` (every record's whole text, never read by the models) is written with
    zstd rather than DuckDB's dictionary and FSST analysis; the other columns keep
    DuckDB's own choice."""
    import duckdb

    table = _table("id", "amount")
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    conn.execute("create schema raw")
    conn.execute(table.create_sql())
    conn.execute(
        f"insert into {table.qualified_name} select i::varchar, '7', "
        "'{\"id\": ' || i || ', \"amount\": 7, \"note\": \"' || repeat('x', i % 97) || '\"}', "
        "'vendor/things/a.json', i, 'load-1', timestamp '2026-01-01' from range(50000) t(i)"
    )
    conn.execute("checkpoint")
    stored = dict(
        conn.execute(
            "select column_name, string_agg(distinct compression, ',' order by compression) "
            f"from pragma_storage_info('{table.qualified_name}') "
            "where segment_type = 'VARCHAR' group by column_name"
        ).fetchall()
    )
    assert stored["_record"] == "ZSTD"
    assert "ZSTD" not in stored["amount"]


def test_a_warehouse_file_in_an_older_storage_format_gets_its_raw_layer(tmp_path):
    """A file whose storage format predates zstd (DuckDB < 1.2 wrote it) refuses
    ``using compression zstd`` even for a table it already has: the raw layer is
    created, and created again, with DuckDB's own compression there, with zstd in a
    new file."""
    import duckdb

    from ingestion.registry import create_raw_layer

    conn = duckdb.connect()
    conn.execute(f"attach '{tmp_path / 'old.duckdb'}' as old (storage_version 'v1.0.0')")
    conn.execute(f"attach '{tmp_path / 'new.duckdb'}' as new")
    for name in ("old", "new", "old", "new"):
        conn.execute(f"use {name}")
        create_raw_layer(conn)
    compression = {}
    for name in ("old", "new"):
        conn.execute(f"use {name}")
        conn.execute(
            "insert into raw.sendgrid__events (sg_event_id, _record) "
            'select i::varchar, repeat(\'{"sg_event_id": "x"} \', 1 + i % 50) '
            "from range(50000) t(i)"
        )
        conn.execute("checkpoint")
        compression[name] = conn.execute(
            "select string_agg(distinct compression, ',' order by compression) "
            "from pragma_storage_info('raw.sendgrid__events') "
            "where column_name = '_record' and segment_type = 'VARCHAR'"
        ).fetchone()[0]
    assert "ZSTD" not in compression["old"]
    assert compression["new"] == "ZSTD"
