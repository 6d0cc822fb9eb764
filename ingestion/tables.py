"""What a raw table is: the vocabulary a loader module declares its tables in.

A loader module (``ingestion/<family>/<vendor>.py``) declares each of its raw tables
once, as a :class:`RawTable` in its ``TABLES``: the landing folder and file patterns,
the vendor fields kept as columns (:class:`Field`: kind, required), the record key, how
a repeated key is treated, the record-level rules, and what the raw quality suite
needs beyond that (currency columns, event-type lists, the record's day).
``ingestion/registry.py`` collects the declarations; nothing else lists tables.

Raw columns hold vendor values as the vendor wrote them (text), after the loader has
checked that they parse; staging casts them. Nested values (lists, objects) are kept
as JSON text. Every raw table also has:

* ``_record``: the whole vendor record as JSON text (unknown fields included);
* ``_source_file``: the file's path relative to the landing directory;
* ``_source_position``: line number for JSONL and CSV (the header is line 1), the
  1-based ordinal of the record within the file for JSON documents;
* ``_load_id``: the id of the load that wrote the row;
* ``_loaded_at``: UTC timestamp of that load.

This module also names the raw layer's bookkeeping tables (quarantine, ledger,
erasures, file-hash cache). It imports nothing of the loaders, so every part of
``ingestion`` can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ingestion.rules import ValueRule

RAW_SCHEMA = "raw"
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_record", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_source_position", "BIGINT"),
    ("_load_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)
RECORD_COMPRESSION = "zstd"
"""How DuckDB stores ``_record`` (``create_sql``). It is the largest column of every raw
table (medium's Segment events: 2.5 GB of text, one distinct value a row) and the
models never read it. DuckDB's own choice for text, dictionary and FSST, analyses each
segment before writing it: writing medium's Segment ``_record`` (2.3M rows) and its
checkpoint took 10.9 s into 4,688 blocks of 256 KiB; with zstd 4.2 s into ~880. A
``like`` over all of it: 0.97 s against 0.85 s."""


class Kind(StrEnum):
    """What a raw text value must parse as (staging casts it accordingly; the one SQL
    definition of "parses" is :func:`ingestion.core.fields.check_sql`)."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIMESTAMP = "timestamp"
    UNIX_SECONDS = "unix_seconds"
    BOOLEAN = "boolean"
    JSON = "json"


class RepeatRule(StrEnum):
    """What the contract says about a record key that was seen before."""

    DROP_DUPLICATE = "drop_duplicate"
    """First copy stays; later copies are counted as duplicates and not loaded."""
    LATER_WINS = "later_wins"
    """Every version is loaded to raw; staging keeps the latest (file-name order,
    then position in the file)."""
    LATEST_MODSTAMP_WINS = "latest_modstamp_wins"
    """Every version is loaded to raw; staging keeps the latest ``SystemModstamp``
    and removes records whose latest version has ``IsDeleted = true``."""


@dataclass(frozen=True)
class Field:
    """One raw column: the vendor field it holds, what it must parse as, and whether a
    record without it is quarantined."""

    column: str
    label: str
    """The vendor's name for the field, used in quarantine reasons."""
    kind: Kind = Kind.TEXT
    required: bool = False
    """A record without a value is quarantined at load; the raw suite's
    ``required_fields_present`` checks each load batch that none got through."""


@dataclass(frozen=True)
class EventTypes:
    """A column whose values come from a vendor's documented list (a warning when a
    value is not on it: no definition counts an unknown event type)."""

    column: str
    known: tuple[str, ...]


@dataclass(frozen=True)
class RawTable:
    """One raw table, declared once by its loader module (``TABLES`` there).

    Everything else is derived from this declaration: the DDL, the dbt source's
    columns it is checked against, the raw Great Expectations suites
    (``quality/raw.py``), the landing reconciliation (``quality/landing.py``), the
    Dagster assets and the counts in tests. Freshness is the one thing declared
    elsewhere: on the table's dbt source, where dbt and the docs site read it
    (``orchestration/quality/freshness.py`` gives it to Dagster).
    """

    source: str
    """dbt source name and the middle part of the asset key, e.g. ``google_ads``."""
    object: str
    """dbt source table name and the last part of the asset key, e.g. ``ad_stats``."""
    landing_path: str
    """Folder under the landing directory holding this object's files."""
    file_globs: tuple[str, ...]
    fields: tuple[Field, ...]
    """The vendor fields kept as VARCHAR columns, in order, with their kinds."""
    key: tuple[str, ...]
    repeat_rule: RepeatRule
    description: str
    value_rules: tuple[ValueRule, ...] = ()
    """What cannot be true of one record (``ingestion/rules.py``): a record breaking
    one is quarantined at load with the rule and its values."""
    person_identifiers: tuple[tuple[str, str], ...] = ()
    """Which values of a record identify a person (an erasure removes the record):
    (identifier type, SQL expression over the raw columns and ``_record``), the types
    and values as identity resolution has them (``int_identifiers_resolved``): emails
    normalized like the dbt macro ``normalize_email``. Empty for tables holding no
    person's records (ads, accounts, opportunities, users, FX)."""
    loader: str = "load_file"
    """The name of the file loader in the declaring module (``FileLoader``)."""
    one_file_at_a_time: bool = False
    """The loader writes its rows itself rather than through ``load_frames`` (the ECB's
    rate matrix is melted in Python): its files load one by one, not in groups."""
    currency_columns: tuple[str, ...] = ()
    """ISO 4217 codes a mart converts with (blocking when a code is not one)."""
    event_types: EventTypes | None = None
    either_present: tuple[str, str] | None = None
    """At least one of two identifiers, e.g. Segment's anonymousId or userId (the
    loader's own check; the raw suite verifies it per load batch)."""
    record_day: str | None = None
    """The date, timestamp or unix-seconds field whose day is the record's day, for the
    daily-volume warning; None: too few records a day to judge."""
    planned_dates: tuple[str, ...] = ()
    """Date fields that may lie in the future (a planned CloseDate)."""

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields if f.required)

    def field(self, column: str) -> Field:
        for candidate in self.fields:
            if candidate.column == column:
                return candidate
        raise KeyError(f"{self.qualified_name} has no field {column!r}")

    def __post_init__(self) -> None:
        columns = self.columns
        if len(set(columns)) != len(columns):
            raise ValueError(f"{self.source}.{self.object}: a column is declared twice")
        # _record, _source_file, _loaded_at, ... and the loader's staging columns (_file,
        # _row_id, _pos, _reason, ...) start with an underscore: a field of that name
        # would be overwritten while loading
        reserved = [c for c in columns if c.startswith("_")]
        if reserved:
            raise ValueError(
                f"{self.source}.{self.object}: {', '.join(reserved)}: a raw column name must "
                "not start with '_' (the loader's own columns do)"
            )
        named = [
            *self.key,
            *self.currency_columns,
            *(self.either_present or ()),
            *([self.event_types.column] if self.event_types else []),
            *([self.record_day] if self.record_day else []),
            *self.planned_dates,
        ]
        unknown = [c for c in named if c not in columns]
        if unknown:
            raise ValueError(
                f"{self.source}.{self.object}: {', '.join(unknown)} named but not a field"
            )

    @property
    def table_name(self) -> str:
        return f"{self.source}__{self.object}"

    @property
    def qualified_name(self) -> str:
        return f"{RAW_SCHEMA}.{self.table_name}"

    @property
    def asset_key_path(self) -> tuple[str, str, str]:
        return (RAW_SCHEMA, self.source, self.object)

    def create_sql(self, record_compression: str | None = RECORD_COMPRESSION) -> str:
        """The table's DDL; ``record_compression`` None leaves ``_record`` to DuckDB's
        own choice (a warehouse file whose storage format predates zstd)."""
        cols = [f'"{c}" VARCHAR' for c in self.columns]
        cols += [
            f"{name} {ddl_type}"
            + (
                f" using compression {record_compression}"
                if name == "_record" and record_compression
                else ""
            )
            for name, ddl_type in LINEAGE_COLUMNS
        ]
        return (
            f"create table if not exists {self.qualified_name} (\n    "
            + ",\n    ".join(cols)
            + "\n)"
        )


def normalized_email_sql(expr: str) -> str:
    """SQL twin of the dbt macro ``normalize_email``: lower(trim(email)), '' is none."""
    return f"nullif(lower(trim({expr})), '')"


def json_text_sql(column: str, path: str) -> str:
    """A string at ``path`` of a JSON text column, null when the text is not JSON (a
    quarantined record's ``_record`` may be anything)."""
    return f"case when json_valid({column}) then json_extract_string({column}, '{path}') end"


QUARANTINE_TABLE = f"{RAW_SCHEMA}._quarantine"
LEDGER_TABLE = f"{RAW_SCHEMA}._file_ledger"

QUARANTINE_DDL = f"""
create table if not exists {QUARANTINE_TABLE} (
    source varchar not null,
    object varchar not null,
    source_file varchar not null,
    source_position bigint,
    raw_text varchar,
    reason varchar not null,
    load_id varchar not null,
    quarantined_at timestamp not null
)
"""

LEDGER_DDL = f"""
create table if not exists {LEDGER_TABLE} (
    source varchar not null,
    object varchar not null,
    source_file varchar not null,
    content_sha256 varchar not null,
    size_bytes bigint not null,
    status varchar not null,
    records_read bigint not null,
    records_loaded bigint not null,
    records_duplicate bigint not null,
    records_quarantined bigint not null,
    detail varchar,
    load_id varchar not null,
    loaded_at timestamp not null
)
"""
"""Per-file ledger. ``status`` is ``loaded`` (records_read = loaded + duplicate +
quarantined), ``unreadable`` (the whole file quarantined as one record) or
``skipped_same_content`` (a file whose bytes were already loaded under this or
another name; nothing read)."""


ERASURES_TABLE = f"{RAW_SCHEMA}._erasures"
ERASED_TABLE = f"{RAW_SCHEMA}._erased"

ERASURES_DDL = f"""
create table if not exists {ERASURES_TABLE} (
    identifier_sha256 varchar not null,
    identifier_type varchar not null,
    erasure_id varchar not null,
    erased_at timestamp not null
)
"""
"""The erasure list mirrored from its file (``ingestion/erasure.py``): one row per
identifier of an erased person, as sha256 of ``<identifier_type>:<value>``; never the
value itself."""

ERASED_DDL = f"""
create table if not exists {ERASED_TABLE} (
    source varchar not null,
    object varchar not null,
    source_file varchar not null,
    source_position bigint,
    identifier_sha256 varchar not null,
    erased_from varchar not null,
    load_id varchar,
    erased_at timestamp not null
)
"""
"""One row per landing record of an erased person: where it was (file, position) and
which identifier matched, nothing of its content. ``erased_from`` is ``load`` (never
loaded: counted beside loaded, duplicate and quarantined), ``raw`` (deleted from the
raw table) or ``quarantine`` (deleted from ``raw._quarantine``)."""

FILE_STATS_TABLE = f"{RAW_SCHEMA}._file_stats"

FILE_STATS_DDL = f"""
create table if not exists {FILE_STATS_TABLE} (
    source_file varchar not null,
    size_bytes bigint not null,
    modified_ns bigint not null,
    content_sha256 varchar not null
)
"""
"""The content hash of each landing file the loaders have hashed, with the size and
modification time it had then. A file whose size and modification time are unchanged
is not read again to learn its hash (landing files are immutable: a correction
arrives as a new file), so a refresh that finds nothing new reads no file content.
A cache, not a record: deleting its rows only costs a re-hash."""

ERASED_AT_LOAD = "load"
ERASED_FROM_RAW = "raw"
ERASED_FROM_QUARANTINE = "quarantine"
