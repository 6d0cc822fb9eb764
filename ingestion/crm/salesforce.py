"""Salesforce Bulk API 2.0 query results (``crm/salesforce/<Object>/*.csv``).

A header row of API names, every value double-quoted, empty = null. Header names are
mapped with :data:`ingestion.registry.SALESFORCE_FIELD_NAMES`; a column the raw table
does not have is kept only in ``_record`` (a JSON object of the whole row, header name
to value, empty as null), and a raw column missing from the header (e.g.
``CurrencyIsoCode`` in a single-currency org) is null. ``Id`` is required; datetimes
(``2026-11-01T10:00:00.000Z`` or ``+0000``), dates (``YYYY-MM-DD``), booleans
(``true``/``false``) and numbers must parse. ``_source_position`` is the line the
record starts on (header = line 1; a quoted value may span lines). Every version is
loaded; staging keeps the latest SystemModstamp and applies IsDeleted.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pandas as pd

from ingestion.core import (
    Field,
    FileContext,
    Kind,
    RecordBuffer,
    RecordCounts,
    UnreadableFile,
    iter_csv_records,
    load_frames,
    wrong_field_count,
)
from ingestion.registry import SALESFORCE_FIELD_NAMES, RawTable

API_NAMES: dict[str, str] = {column: api for api, column in SALESFORCE_FIELD_NAMES.items()}
"""Raw column -> Salesforce API name."""

_KINDS: dict[str, Kind] = {
    "is_converted": Kind.BOOLEAN,
    "is_deleted": Kind.BOOLEAN,
    "is_closed": Kind.BOOLEAN,
    "is_won": Kind.BOOLEAN,
    "is_primary": Kind.BOOLEAN,
    "is_active": Kind.BOOLEAN,
    "converted_date": Kind.DATE,
    "close_date": Kind.DATE,
    "created_date": Kind.TIMESTAMP,
    "system_modstamp": Kind.TIMESTAMP,
    "number_of_employees": Kind.INTEGER,
    "amount": Kind.DECIMAL,
    "probability": Kind.DECIMAL,
}

CHUNK_RECORDS = 100_000


def fields_for(table: RawTable) -> tuple[Field, ...]:
    """The field rules of one Salesforce raw table."""
    return tuple(
        Field(column, API_NAMES[column], _KINDS.get(column, Kind.TEXT), required=column == "id")
        for column in table.columns
    )


def _frames(ctx: FileContext) -> Iterator[pd.DataFrame]:
    records = iter_csv_records(ctx.path)
    header_record = next(records, None)
    if header_record is None:
        raise UnreadableFile("file is empty")
    header = header_record.fields
    if header is None:
        raise UnreadableFile(f"the header cannot be read: {header_record.error}")
    header = [name.strip() for name in header]
    if "Id" not in header:
        raise UnreadableFile(
            f"the header has no Id column (header: {header_record.raw_text[:200]!r})"
        )
    columns = set(ctx.table.columns)
    mapping = [
        (index, SALESFORCE_FIELD_NAMES[name])
        for index, name in enumerate(header)
        if SALESFORCE_FIELD_NAMES.get(name) in columns
    ]
    buffer = RecordBuffer(ctx.table.columns)
    for record in records:
        row = record.fields
        if row is None:
            buffer.add(record.line, None, reason=record.error, raw_text=record.raw_text)
        elif len(row) != len(header):
            reason = wrong_field_count(len(row), len(header))
            buffer.add(record.line, None, reason=reason, raw_text=record.raw_text)
        else:
            values = [value if value != "" else None for value in row]
            record_json = orjson.dumps(dict(zip(header, values, strict=True))).decode()
            buffer.add(
                record.line,
                record_json,
                {column: values[index] for index, column in mapping},
                raw_text=record.raw_text,
            )
        if len(buffer) >= CHUNK_RECORDS:
            yield buffer.frame()
            buffer = RecordBuffer(ctx.table.columns)
    if len(buffer):
        yield buffer.frame()


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one Bulk API 2.0 result file of the table's object."""
    return load_frames(ctx, fields_for(ctx.table), _frames(ctx))
