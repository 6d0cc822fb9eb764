"""Staging: the per-file context a file loader writes through (:class:`FileContext`),
the staging SELECTs that turn framed records into raw columns
(:func:`python_frame_sql`, :func:`json_stage_sql`), and how one raw table's framed
records are kept for validation (``_BatchSpec``, ``_Deferred``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.core.fields import Check, Field
from ingestion.tables import QUARANTINE_TABLE, RawTable

INVALID_JSON = "__invalid_json__"
"""Placeholder reason set in SQL for a line that is not JSON; replaced by the JSON
parser's own message (:func:`_explain_invalid_json`) before it is written."""


_BATCH_VIEW = "_ingest_batch"


@dataclass
class FileContext:
    """Everything a file loader needs; it writes through ``conn`` inside the file's
    transaction."""

    conn: duckdb.DuckDBPyConnection
    table: RawTable
    path: Path
    source_file: str
    load_id: str
    loaded_at: datetime
    collected: list[_Deferred] | None = None
    """Set when the file loads as part of a group (:func:`load_table`): ``load_frames``
    then keeps the framed records here, and the group's SQL runs once for all its
    files."""

    def insert_quarantine(self, rows: Iterable[tuple[int | None, str | None, str]]) -> int:
        """Write (position, raw text, reason) rows to the quarantine; return how many."""
        rows = list(rows)
        if not rows:
            return 0
        self.conn.executemany(
            f"insert into {QUARANTINE_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    self.table.source,
                    self.table.object,
                    self.source_file,
                    pos,
                    raw,
                    reason,
                    self.load_id,
                    self.loaded_at,
                )
                for pos, raw, reason in rows
            ],
        )
        return len(rows)

    def insert_raw_frame(self, frame: pd.DataFrame) -> int:
        """Insert already validated rows (columns + ``_record`` + ``_pos``)."""
        if frame.empty:
            return 0
        columns = self.table.columns
        col_list = ", ".join(f'"{c}"' for c in columns)
        select = ", ".join(f'cast("{c}" as varchar)' for c in columns)
        self.conn.register(_BATCH_VIEW, frame)
        try:
            self.conn.execute(
                f"insert into {self.table.qualified_name} ({col_list}, "
                "_record, _source_file, _source_position, _load_id, _loaded_at) "
                f"select {select}, cast(_record as varchar), ?, cast(_pos as bigint), ?, ? "
                f"from {_BATCH_VIEW}",
                [self.source_file, self.load_id, self.loaded_at],
            )
        finally:
            self.conn.unregister(_BATCH_VIEW)
        return len(frame)


def python_frame_sql(columns: Sequence[str]) -> str:
    """The staging SELECT for frames built by :class:`RecordBuffer`."""
    cols = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in columns)
    return (
        "select cast(_file as integer) as _file, cast(_row_id as bigint) as _row_id, "
        "cast(_pos as bigint) as _pos, cast(_raw as varchar) as _raw, "
        "cast(_record as varchar) as _record, cast(_reason as varchar) as _reason, "
        f"{cols} from {_BATCH_VIEW}"
    )


def json_stage_sql(
    scalars: Sequence[tuple[str, str]],
    json_values: Sequence[tuple[str, str]] = (),
    *,
    check_json: bool,
) -> str:
    """Staging SELECT for frames of JSON texts: ``_file``, ``_row_id``, ``_pos``,
    ``_record`` (one JSON object as text) and ``_reason``.

    ``scalars`` are (column, JSON path) pairs read with one ``json_extract_string``
    call (strings unquoted, numbers in JSON notation, booleans ``true``/``false``,
    objects and lists as JSON text); ``json_values`` are kept as JSON text (a JSON
    null is SQL null). With ``check_json`` (lines of a JSONL file), a record that is
    not valid JSON gets the :data:`INVALID_JSON` placeholder reason and one that is
    not an object says so; the records must be stripped of surrounding blanks.
    """
    scalar_paths = ", ".join(f"'$.{path}'" for _, path in scalars)
    columns = [f'_v[{i}] as "{col}"' for i, (col, _) in enumerate(scalars, start=1)]
    columns += [
        f"nullif(cast(_j[{i}] as varchar), 'null') as \"{col}\""
        for i, (col, _) in enumerate(json_values, start=1)
    ]
    json_paths = ", ".join(f"'$.{path}'" for _, path in json_values)
    json_list = f"json_extract(_record, [{json_paths}])" if json_values else "null"
    if check_json:
        is_json = "_reason is null and json_valid(_record)"
        reason = (
            f"case when _reason is not null then _reason when not _is_json then '{INVALID_JSON}' "
            "when not _ok then 'record is JSON but not an object' end"
        )
    else:
        is_json, reason = "_reason is null", "_reason"
    return f"""
with framed as (
    select
        cast(_file as integer) as _file,
        cast(_row_id as bigint) as _row_id,
        cast(_pos as bigint) as _pos,
        cast(_record as varchar) as _record,
        cast(_reason as varchar) as _reason
    from {_BATCH_VIEW}
),
checked as (
    select *, {is_json} as _is_json from framed
),
extracted as (
    select
        *,
        -- a valid JSON text starting with '{{' is an object
        _is_json and left(_record, 1) = '{{' as _ok,
        case when _ok then json_extract_string(_record, [{scalar_paths}]) end as _v,
        case when _ok then {json_list} end as _j
    from checked
)
select
    _file,
    _row_id,
    _pos,
    _record,
    cast(null as varchar) as _raw,
    {reason} as _reason,
    {", ".join(columns)}
from extracted
"""


@dataclass(frozen=True)
class _BatchSpec:
    """How one raw table's framed records are validated (the arguments of
    :func:`load_frames`)."""

    table: RawTable
    fields: tuple[Field, ...]
    stage_sql: str
    checks: tuple[Check, ...]
    json_lines: bool


@dataclass
class _Deferred:
    """One file's framed records, kept for its group's SQL."""

    spec: _BatchSpec
    frames: list[pd.DataFrame]
