"""Erasing a person (``journey forget <email>``), GDPR-style.

1. **Who.** The email is normalized like the dbt macro ``normalize_email``. The person's
   identifiers start from identity resolution (``intermediate.int_identifiers_resolved``:
   every identifier of the person the email belongs to), then grow over raw: every
   identifier of a raw record that holds one of them (``RawTable.person_identifiers``),
   until nothing new turns up. So records loaded after the last dbt build, and older
   versions of a CRM record (an email changed since), are found too. An email the
   warehouse does not know is still put on the list, so later loads drop it.
2. **The list.** Each identifier is kept as sha256 of ``<type>:<value>`` in the erasure
   file (``Settings.erasure_list``, the lasting copy: a warehouse rebuilt from scratch
   gets it back at its first load) and in ``raw._erasures``. Loads never load a record
   holding one (``ingestion/erasure.py``).
3. **Raw.** Under the warehouse writer lock, in one transaction: the person's rows are
   deleted from the raw tables and from ``raw._quarantine`` (raw text naming one of the
   identifiers), each recorded in ``raw._erased`` with file, position and the matching
   hash only, so the landing reconciliation still balances.
4. **Derived layers.** The refresh job runs with the full-refresh tag: staging,
   intermediate and marts are rebuilt from raw, and the serving file is published anew
   (a new file swapped in). An erasure has a deadline and must not wait on a check
   that fails elsewhere (an exchange rate missing for a deal): when the rebuild does
   not succeed, every row naming the person is deleted from staging, intermediate and
   marts where it is, the published file is rewritten without them (a new file
   swapped in, ``_publication`` row counts updated), the Parquet exports are written
   again from it, and the person's identifiers are redacted from the report files
   (:func:`scrub_everywhere`). Either way the warehouse file is then compacted into a
   new file, so the deleted rows' bytes do not linger in its free blocks, and every
   layer and file is searched for what is left.
5. **Spark's copies** (``JOURNEY_ENGINE=spark``, README "Running on Spark") are derived
   and disposable. Raw's Parquet copy is written again from the erased raw tables at
   once, under the lock (the export rewrites exactly the tables an erasure changed).
   Spark's tables and metastore are removed unless the rebuild ran on Spark and
   succeeded (then it replaced them); the next Spark refresh builds them again, every
   model, since an erasure forgets the build marks. Both folders are searched with the
   rest, whichever engine is set: a site that once ran on Spark keeps them.
6. **Landing files.** They are the customer's: the command lists the files that held
   the person's records (from ``raw._erased``, files with the same bytes under another
   name, and a scan of the landing folders for the identifiers, which also finds
   duplicates and files not loaded yet) for them to purge.
7. **Audit.** One JSON line in ``erasures.log`` beside the list: time, the email's
   sha256 (as the marts' ``email_hash``), identifiers per type, rows per table, files,
   the refresh run. Never the email or an identifier's value.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion.core import list_files
from ingestion.erasure import (
    append_erasure_list,
    email_sha256,
    entries_for,
    erased_rows_sql,
    identifier_sha256,
    normalize_email,
    sync_erasure_list,
)
from ingestion.registry import (
    ERASED_FROM_QUARANTINE,
    ERASED_FROM_RAW,
    ERASED_TABLE,
    ERASURES_TABLE,
    LEDGER_TABLE,
    QUARANTINE_TABLE,
    RAW_TABLES,
    RawTable,
    create_raw_layer,
)
from orchestration.build_state import forget_marks
from orchestration.settings import Settings

MAX_EXPANSION_ROUNDS = 20
QUARANTINE_MIN_VALUE_CHARS = 6
"""Quarantined raw text is searched for identifier values at least this long (emails,
Segment ids, Salesforce ids): a short value such as ``42`` would match other fields."""

_HASHES = "_forget_hashes"


@dataclass
class Erasure:
    """What one ``journey forget`` did; holds no plain identifier."""

    erasure_id: str
    erased_at: datetime
    email_sha256: str
    person_found: bool = False
    identifiers: dict[str, int] = field(default_factory=dict)
    """Identifier type -> how many of the person's identifiers are on the list."""
    identifier_hashes: list[str] = field(default_factory=list)
    rows_erased: dict[str, int] = field(default_factory=dict)
    """Table -> rows deleted now (raw tables and ``raw._quarantine``)."""
    landing_files: list[str] = field(default_factory=list)
    """Landing files (relative paths) that hold the person's records."""
    refresh_run_id: str | None = None
    refresh_succeeded: bool | None = None
    compacted: bool = False
    rows_scrubbed: dict[str, int] = field(default_factory=dict)
    """Where the rebuild did not succeed: table or file -> rows or files cleaned."""
    spark_raw_rewritten: list[str] = field(default_factory=list)
    """Raw tables whose Parquet copy for Spark was written again without the person."""
    spark_tables_removed: bool = False
    """Whether Spark's tables (``JOURNEY_SPARK_WAREHOUSE_DIR``) were removed."""
    needles: list[str] = field(default_factory=list, repr=False, compare=False)
    """The person's identifier values, person ids and email hash, lower case: what
    the derived layers and files are searched for. In memory only; never written."""

    def audit_record(self) -> dict:
        return {
            "erased_at": self.erased_at.isoformat(),
            "erasure_id": self.erasure_id,
            "email_sha256": self.email_sha256,
            "person_found": self.person_found,
            "identifiers": self.identifiers,
            "rows_erased": self.rows_erased,
            "landing_files": self.landing_files,
            "refresh_run_id": self.refresh_run_id,
            "refresh_succeeded": self.refresh_succeeded,
            "warehouse_compacted": self.compacted,
            "rows_scrubbed": self.rows_scrubbed,
            "spark_raw_rewritten": self.spark_raw_rewritten,
            "spark_tables_removed": self.spark_tables_removed,
        }


def _table_exists(conn: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    [(found,)] = conn.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ? "
        "and database_name = current_database()",
        [schema, name],
    ).fetchall()
    if found:
        return True
    [(found,)] = conn.execute(
        "select count(*) from duckdb_views() where schema_name = ? and view_name = ? "
        "and database_name = current_database()",
        [schema, name],
    ).fetchall()
    return bool(found)


def resolved_identifiers(
    conn: duckdb.DuckDBPyConnection, normalized_email: str, spark_tables: Path | None = None
) -> tuple[bool, set[tuple[str, str]]]:
    """The identifiers identity resolution gives the person of an email; and whether
    it knew the email. The map is the warehouse's ``intermediate.int_identifiers_resolved``,
    or, on Spark (``spark_tables``: Spark's warehouse folder), the Parquet files of
    the table Spark built."""
    if spark_tables is not None:
        folder = spark_tables / "intermediate.db" / "int_identifiers_resolved"
        if not folder.is_dir() or not any(folder.glob("*.parquet")):
            return False, set()
        source = "read_parquet('{}')".format(str(folder / "*.parquet").replace("'", "''"))
    elif _table_exists(conn, "intermediate", "int_identifiers_resolved"):
        source = "intermediate.int_identifiers_resolved"
    else:
        return False, set()
    rows = conn.execute(
        f"""
        select identifier_type, identifier_value
        from {source}
        where person_id in (
            select person_id from {source}
            where identifier_type = 'email' and identifier_value = ?
        )
        """,
        [normalized_email],
    ).fetchall()
    return bool(rows), {(kind, value) for kind, value in rows}


def _needles(
    conn: duckdb.DuckDBPyConnection, identifiers: set[tuple[str, str]], email_hash: str
) -> list[str]:
    """What names the person in a derived table or a file: their identifier values,
    the person ids identity resolution gave them (read before anything is rebuilt),
    and the email hash of the marts. Values shorter than
    :data:`QUARANTINE_MIN_VALUE_CHARS` are left out: they would match other text."""
    values = {value for _, value in identifiers}
    if _table_exists(conn, "intermediate", "int_identifiers_resolved"):
        rows = conn.execute(
            "select distinct person_id from intermediate.int_identifiers_resolved "
            "where sha256(identifier_type || ':' || identifier_value) in (select unnest(?))",
            [sorted({identifier_sha256(kind, value) for kind, value in identifiers})],
        ).fetchall()
        values |= {str(person_id) for (person_id,) in rows if person_id is not None}
    values.add(email_hash)
    return sorted(v.lower() for v in values if len(v) >= QUARANTINE_MIN_VALUE_CHARS)


def _identifiers_sql(table: RawTable) -> str:
    return "\nunion all\n".join(
        f"select rowid as _row, '{kind}' as _type, {expr} as _value from {table.qualified_name}"
        for kind, expr in table.person_identifiers
    )


def expand_over_raw(
    conn: duckdb.DuckDBPyConnection, identifiers: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Every identifier of a raw record holding one of ``identifiers``, to a fixpoint."""
    found = set(identifiers)
    for _ in range(MAX_EXPANSION_ROUNDS):
        _load_hashes(conn, found)
        new: set[tuple[str, str]] = set()
        for table in RAW_TABLES:
            if not table.person_identifiers:
                continue
            rows = conn.execute(
                f"""
                with ids as ({_identifiers_sql(table)})
                select distinct _type, _value from ids
                where _value is not null and _row in (
                    select _row from ids
                    where sha256(_type || ':' || _value) in (select h from {_HASHES})
                )
                """
            ).fetchall()
            new.update((kind, value) for kind, value in rows if (kind, value) not in found)
        if not new:
            break
        found |= new
    return found


def _load_hashes(conn: duckdb.DuckDBPyConnection, identifiers: set[tuple[str, str]]) -> None:
    conn.execute(f"create or replace temp table {_HASHES} (h varchar)")
    hashes = sorted({identifier_sha256(kind, value) for kind, value in identifiers})
    if hashes:
        conn.executemany(f"insert into {_HASHES} values (?)", [(h,) for h in hashes])


def _erase_raw_rows(conn: duckdb.DuckDBPyConnection, table: RawTable, erased_at: datetime) -> int:
    """Delete the rows of ``table`` holding an identifier on the erasure list, each
    recorded in ``raw._erased``; return how many."""
    matches = erased_rows_sql(table, table.qualified_name, "rowid")
    conn.execute(
        f"create or replace temp table _forget_rows as "
        f"select _m._row, _r._source_file, _r._source_position, _m.identifier_sha256 "
        f"from ({matches}) _m join {table.qualified_name} _r on _r.rowid = _m._row"
    )
    [(count,)] = conn.execute("select count(*) from _forget_rows").fetchall()
    if count:
        conn.execute(
            f"insert into {ERASED_TABLE} select ?, ?, _source_file, _source_position, "
            f"identifier_sha256, '{ERASED_FROM_RAW}', null, ? from _forget_rows "
            "order by _source_file, _source_position",
            [table.source, table.object, erased_at],
        )
        conn.execute(
            f"delete from {table.qualified_name} where rowid in (select _row from _forget_rows)"
        )
    conn.execute("drop table _forget_rows")
    return count


def _erase_quarantined(
    conn: duckdb.DuckDBPyConnection, identifiers: set[tuple[str, str]], erased_at: datetime
) -> int:
    """Delete quarantined records whose raw text names one of the identifiers (as a
    whole token), each recorded in ``raw._erased``; return how many."""
    searchable = [
        (identifier_sha256(kind, value), value.lower())
        for kind, value in sorted(identifiers)
        if len(value) >= QUARANTINE_MIN_VALUE_CHARS
    ]
    if not searchable:
        return 0
    boundary = "[^a-z0-9._%+@-]"
    conn.execute("create or replace temp table _forget_patterns (h varchar, pattern varchar)")
    conn.executemany(
        "insert into _forget_patterns values (?, ?)",
        [(h, f"(^|{boundary}){re.escape(value)}($|{boundary})") for h, value in searchable],
    )
    conn.execute(
        f"create or replace temp table _forget_rows as "
        f"select _q.rowid as _row, any_value(_q.source) as source, "
        f"any_value(_q.object) as object, any_value(_q.source_file) as source_file, "
        f"any_value(_q.source_position) as source_position, min(_p.h) as identifier_sha256 "
        f"from {QUARANTINE_TABLE} _q join _forget_patterns _p "
        f"on regexp_matches(lower(coalesce(_q.raw_text, '')), _p.pattern) group by _q.rowid"
    )
    [(count,)] = conn.execute("select count(*) from _forget_rows").fetchall()
    if count:
        conn.execute(
            f"insert into {ERASED_TABLE} select source, object, source_file, source_position, "
            f"identifier_sha256, '{ERASED_FROM_QUARANTINE}', null, ? from _forget_rows "
            "order by source_file, source_position",
            [erased_at],
        )
        conn.execute(
            f"delete from {QUARANTINE_TABLE} where rowid in (select _row from _forget_rows)"
        )
    conn.execute("drop table _forget_rows")
    conn.execute("drop table _forget_patterns")
    return count


def landing_files_of(conn: duckdb.DuckDBPyConnection, hashes: list[str]) -> list[str]:
    """Landing files that held a record of these identifiers (erased at load, from raw
    or from the quarantine), plus files the ledger skipped as the same bytes."""
    if not hashes:
        return []
    rows = conn.execute(
        f"""
        with held as (
            select distinct source, object, source_file from {ERASED_TABLE}
            where identifier_sha256 in (select unnest(?))
        ),
        same_bytes as (
            select twin.source_file
            from held
            join {LEDGER_TABLE} original
                on original.source = held.source and original.object = held.object
                and original.source_file = held.source_file
            join {LEDGER_TABLE} twin
                on twin.source = original.source and twin.object = original.object
                and twin.content_sha256 = original.content_sha256
        )
        select source_file from held
        union
        select source_file from same_bytes
        order by 1
        """,
        [hashes],
    ).fetchall()
    return [row[0] for row in rows]


_TOKEN_CHARS = "A-Za-z0-9._%+@-"


def scan_landing(landing_dir: Path | None, identifiers: set[tuple[str, str]]) -> list[str]:
    """Landing files of the person's raw tables whose text names one of the identifiers
    (as a whole token, any case; ``.gz`` files decompressed): also finds files whose
    records of the person never reached raw (duplicates, not loaded yet)."""
    values = sorted({v for _, v in identifiers if len(v) >= QUARANTINE_MIN_VALUE_CHARS})
    if landing_dir is None or not landing_dir.is_dir() or not values:
        return []
    pattern = re.compile(
        f"(?<![{_TOKEN_CHARS}])(?:{'|'.join(re.escape(v) for v in values)})(?![{_TOKEN_CHARS}])",
        re.IGNORECASE,
    )
    found: list[str] = []
    for table in RAW_TABLES:
        if not table.person_identifiers:
            continue
        for path in list_files(landing_dir, table):
            try:
                opener = gzip.open if path.name.endswith(".gz") else open
                with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
                    if any(pattern.search(line) for line in handle):
                        found.append(path.relative_to(landing_dir).as_posix())
            except (OSError, EOFError):
                continue  # an unreadable file (broken gzip) names nobody we can see
    return found


def erase_from_raw(
    conn: duckdb.DuckDBPyConnection,
    email: str,
    erasure_list: Path | None,
    now: datetime | None = None,
    landing_dir: Path | None = None,
    spark_tables: Path | None = None,
) -> Erasure:
    """Steps 1-3 and 6 on an open warehouse connection (the caller holds the writer
    lock): put the person on the erasure list, delete their raw and quarantined rows
    (recorded in ``raw._erased``) and find their landing files. ``spark_tables``: on
    Spark, Spark's warehouse folder, whose identity map is read instead of DuckDB's."""
    normalized = normalize_email(email)
    if normalized is None:
        raise ValueError("the email is empty")
    erased_at = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    erasure = Erasure(
        erasure_id=f"{erased_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
        erased_at=erased_at,
        email_sha256=email_sha256(normalized),
    )
    create_raw_layer(conn)
    sync_erasure_list(conn, erasure_list)
    found, identifiers = resolved_identifiers(conn, normalized, spark_tables)
    identifiers.add(("email", normalized))
    identifiers = expand_over_raw(conn, identifiers)
    erasure.needles = _needles(conn, identifiers, erasure.email_sha256)
    erasure.person_found = found or len(identifiers) > 1
    entries = entries_for(sorted(identifiers), erasure.erasure_id, erased_at)
    erasure.identifiers = dict(sorted(Counter(e.identifier_type for e in entries).items()))
    erasure.identifier_hashes = [e.identifier_sha256 for e in entries]
    listed = {
        row[0] for row in conn.execute(f"select identifier_sha256 from {ERASURES_TABLE}").fetchall()
    }
    new = [e for e in entries if e.identifier_sha256 not in listed]
    # The file first: if anything below fails, later loads already drop the person and
    # running the command again finishes the job.
    if erasure_list is not None:
        append_erasure_list(erasure_list, new)
    conn.execute("begin transaction")
    try:
        if new:
            conn.executemany(
                f"insert into {ERASURES_TABLE} values (?, ?, ?, ?)",
                [(e.identifier_sha256, e.identifier_type, e.erasure_id, e.erased_at) for e in new],
            )
        for table in RAW_TABLES:
            if table.person_identifiers:
                count = _erase_raw_rows(conn, table, erased_at)
                if count:
                    erasure.rows_erased[table.qualified_name] = count
        count = _erase_quarantined(conn, identifiers, erased_at)
        if count:
            erasure.rows_erased[QUARANTINE_TABLE] = count
        # raw lost rows that no ledger row announces: the next refresh builds every model
        forget_marks(conn)
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute(f"drop table if exists {_HASHES}")
    erasure.landing_files = sorted(
        set(landing_files_of(conn, erasure.identifier_hashes))
        | set(scan_landing(landing_dir, identifiers))
    )
    return erasure


DERIVED_SCHEMAS = ("staging", "intermediate", "marts")
REDACTED = "[erased]"


def _names_a_needle(alias: str) -> str:
    """SQL: the row ``alias``, as text, holds one of the needles (parameter ``?``)."""
    return f"list_bool_or([contains(lower(cast({alias} as varchar)), v) for v in ?])"


def _database_of(conn: duckdb.DuckDBPyConnection) -> str:
    [(name,)] = conn.execute("select current_database()").fetchall()
    return name


def _base_tables(
    conn: duckdb.DuckDBPyConnection, database: str, schemas: tuple[str, ...]
) -> list[tuple[str, str]]:
    return conn.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? "
        "and schema_name in (select unnest(?)) order by 1, 2",
        [database, list(schemas)],
    ).fetchall()


def scrub_warehouse(
    conn: duckdb.DuckDBPyConnection, needles: list[str], schemas: tuple[str, ...]
) -> dict[str, int]:
    """Delete, in one transaction, every row of the tables of ``schemas`` whose text
    names the person; return rows deleted per table."""
    if not needles:
        return {}
    deleted: dict[str, int] = {}
    conn.execute("begin transaction")
    try:
        for schema, name in _base_tables(conn, _database_of(conn), schemas):
            table = f'"{schema}"."{name}"'
            # DuckDB's delete returns the number of rows it deleted
            [(count,)] = conn.execute(
                f"delete from {table} where rowid in "
                f"(select rowid from {table} _t where {_names_a_needle('_t')})",
                [needles],
            ).fetchall()
            if count:
                deleted[f"{schema}.{name}"] = count
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return deleted


def scrub_serving(serving: Path, needles: list[str], export_dir: Path | None) -> dict[str, int]:
    """Rewrite the published file without the rows naming the person: a new file
    (DuckDB's 1.4 format, like every publication) swapped in atomically, so a BI tool
    never sees a half-cleaned file; ``_publication`` keeps each mart's build time and
    run, with its new row count. The Parquet exports are written again from it."""
    from orchestration.serving.publish import (
        PUBLICATION_TABLE,
        PUBLISHED_SCHEMA,
        STORAGE_VERSION,
        _export_parquet,
        _fsync,
    )

    if not needles or not serving.exists():
        return {}
    with duckdb.connect(str(serving), read_only=True) as conn:
        tables = [
            name
            for _, name in _base_tables(conn, _database_of(conn), (PUBLISHED_SCHEMA,))
            if name != PUBLICATION_TABLE
        ]
        found = {}
        for name in tables:
            [(count,)] = conn.execute(
                f'select count(*) from {PUBLISHED_SCHEMA}."{name}" _t '
                f"where {_names_a_needle('_t')}",
                [needles],
            ).fetchall()
            if count:
                found[name] = count
    if not found:
        return {}
    temporary = serving.with_name(f".{serving.name}.{uuid.uuid4().hex}.tmp")
    rows: dict[str, int] = {}
    try:
        with duckdb.connect() as conn:
            conn.execute("attach ? as old (read_only)", [str(serving)])
            conn.execute(f"attach ? as new (storage_version '{STORAGE_VERSION}')", [str(temporary)])
            conn.execute(f"create schema new.{PUBLISHED_SCHEMA}")
            for name in tables:
                keep = f"where not {_names_a_needle('_t')}" if name in found else ""
                conn.execute(
                    f'create table new.{PUBLISHED_SCHEMA}."{name}" as '
                    f'select * from old.{PUBLISHED_SCHEMA}."{name}" _t {keep}',
                    [needles] if keep else [],
                )
                [(count,)] = conn.execute(
                    f'select count(*) from new.{PUBLISHED_SCHEMA}."{name}"'
                ).fetchall()
                rows[name] = count
            conn.execute(
                f"create table new.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE} as "
                f"select * from old.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE}"
            )
            conn.executemany(
                f"update new.{PUBLISHED_SCHEMA}.{PUBLICATION_TABLE} set row_count = ? "
                "where table_name = ?",
                [(rows[name], name) for name in found],
            )
            conn.execute("detach new")
        _fsync(temporary)
        os.replace(temporary, serving)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    if export_dir is not None and export_dir.exists():
        _export_parquet(serving, export_dir, rows)
    return {f"{serving.name}:{PUBLISHED_SCHEMA}.{name}": n for name, n in found.items()}


def redact_files(folder: Path | None, needles: list[str]) -> dict[str, int]:
    """Replace the person's identifiers in the text files under ``folder`` (the HTML
    reports, whose failing-example rows may quote a record) by ``[erased]``; each file
    rewritten atomically. Returns files -> replacements."""
    if folder is None or not needles or not folder.exists():
        return {}
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    changed: dict[str, int] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        text, count = pattern.subn(REDACTED, text)
        if count:
            staged = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
            staged.write_text(text, encoding="utf-8")
            os.replace(staged, path)
            changed[str(path)] = count
    return changed


def scrub_everywhere(settings: Settings, erasure: Erasure) -> None:
    """Remove the person from everything built from raw without rebuilding it: the
    derived layers of the warehouse, the published file, the Parquet exports and the
    reports. The caller holds the writer lock."""
    with duckdb.connect(str(settings.warehouse)) as conn:
        erasure.rows_scrubbed.update(scrub_warehouse(conn, erasure.needles, DERIVED_SCHEMAS))
    if settings.serving is not None:
        erasure.rows_scrubbed.update(
            scrub_serving(settings.serving, erasure.needles, settings.export_dir)
        )
    for path, count in redact_files(settings.report_dir, erasure.needles).items():
        erasure.rows_scrubbed[f"report {Path(path).name}"] = count


def left_anywhere(settings: Settings, erasure: Erasure) -> dict[str, int]:
    """Rows and files still naming the person: every table of the warehouse (raw
    included) and of the published file, the Parquet exports, the report files and
    Spark's copies, raw and tables (all should be 0)."""
    left: dict[str, int] = {}
    if not erasure.needles:
        return left
    databases = [(settings.warehouse, ("raw", *DERIVED_SCHEMAS))]
    if settings.serving is not None and settings.serving.exists():
        databases.append((settings.serving, ("marts",)))
    for path, schemas in databases:
        if not path.exists():
            continue
        with duckdb.connect(str(path), read_only=True) as conn:
            for schema, name in _base_tables(conn, _database_of(conn), schemas):
                [(count,)] = conn.execute(
                    f'select count(*) from "{schema}"."{name}" _t where {_names_a_needle("_t")}',
                    [erasure.needles],
                ).fetchall()
                if count:
                    left[f"{path.name}:{schema}.{name}"] = count
    folders = (
        settings.export_dir,
        settings.report_dir,
        settings.spark_raw_dir,
        settings.spark_warehouse_dir,
    )
    for folder in folders:
        if folder is None or not folder.exists():
            continue
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            if file.suffix == ".parquet":
                with duckdb.connect() as conn:
                    [(count,)] = conn.execute(
                        f"select count(*) from read_parquet(?) _t where {_names_a_needle('_t')}",
                        [str(file), erasure.needles],
                    ).fetchall()
            else:
                data = file.read_bytes().lower()
                count = sum(1 for n in erasure.needles if n.encode() in data)
            if count:
                left[str(file)] = count
    return left


def rewrite_spark_raw(conn: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """Write raw's Parquet copy for Spark (``JOURNEY_SPARK_RAW_DIR``), where there is
    one, again from the erased raw tables; returns the tables written. The export's
    fingerprint of a table includes its erasures, so exactly the tables the erasure
    changed are written (each swapped in whole, the old folder deleted). The caller
    holds the writer lock."""
    from orchestration.spark.raw_export import export_raw

    folder = settings.spark_raw_dir
    if folder is None or not folder.is_dir():
        return []
    return [done.table for done in export_raw(conn, folder) if done.written]


SPARK_REBUILDS = "the next refresh on Spark builds every model again"


def remove_spark_tables(settings: Settings) -> bool:
    """Remove Spark's tables and metastore (``JOURNEY_SPARK_WAREHOUSE_DIR``), built from
    raw and rebuilt from it by the next refresh on Spark; returns whether there were
    any. The caller holds the writer lock (no Spark build runs)."""
    folder = settings.spark_warehouse_dir
    if folder is None or not folder.exists():
        return False
    shutil.rmtree(folder)
    return True


def compact_warehouse(warehouse: Path) -> None:
    """Copy the warehouse into a new file and swap it in: DuckDB reuses the blocks of
    deleted rows but does not wipe them, so an erased person's bytes could linger in
    the old file. The caller holds the writer lock."""
    fresh = warehouse.with_name(f".{warehouse.name}.compact")
    fresh.unlink(missing_ok=True)
    with duckdb.connect(str(warehouse)) as conn:
        name = _database_of(conn)
        conn.execute(f"attach '{fresh}' as _compact")
        conn.execute(f'copy from database "{name}" to _compact')
        conn.execute("detach _compact")
    os.replace(fresh, warehouse)
    wal = warehouse.with_name(f"{warehouse.name}.wal")
    wal.unlink(missing_ok=True)


def append_audit_log(path: Path, erasure: Erasure) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(erasure.audit_record(), sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def remaining_in_warehouse(warehouse: Path, erasure: Erasure) -> dict[str, int]:
    """Rows still naming the person after the rebuild: identifiers in identity
    resolution, the email hash in the persons mart (both should be 0)."""
    left: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        if _table_exists(conn, "intermediate", "int_identifiers_resolved"):
            [(n,)] = conn.execute(
                "select count(*) from intermediate.int_identifiers_resolved "
                "where sha256(identifier_type || ':' || identifier_value) in (select unnest(?))",
                [erasure.identifier_hashes],
            ).fetchall()
            left["intermediate.int_identifiers_resolved"] = n
        if _table_exists(conn, "marts", "dim_persons"):
            [(n,)] = conn.execute(
                "select count(*) from marts.dim_persons where email_hash = ?",
                [erasure.email_sha256],
            ).fetchall()
            left["marts.dim_persons"] = n
    return left


def describe(erasure: Erasure, landing_dir: Path) -> list[str]:
    """What the command prints: counts, tables and files; no identifier values."""
    lines = [
        f"erasure {erasure.erasure_id}: email sha256 {erasure.email_sha256}",
        "person found in the warehouse"
        if erasure.person_found
        else "not found: the email is not in the warehouse; it is on the erasure list, "
        "so later loads drop it",
    ]
    if erasure.identifiers:
        listed = ", ".join(f"{n} {kind}" for kind, n in erasure.identifiers.items())
        lines.append(f"identifiers on the erasure list (hashed): {listed}")
    if erasure.rows_erased:
        lines.append("rows erased:")
        lines.extend(f"  {table:<44} {n:>8,}" for table, n in erasure.rows_erased.items())
    else:
        lines.append("rows erased: none in raw")
    if erasure.landing_files:
        lines.append(
            f"landing files holding the person ({len(erasure.landing_files)}), the customer's "
            "to purge:"
        )
        for name in erasure.landing_files:
            gone = "" if (landing_dir / name).exists() else "  (no longer in the landing zone)"
            lines.append(f"  {name}{gone}")
    else:
        lines.append("landing files holding the person: none")
    return lines


def forget(
    settings: Settings,
    email: str,
    *,
    refresh: Callable[[], tuple[str, bool]] | None,
    out: Callable[[str], None] = print,
) -> Erasure:
    """The whole erasure: raw under the writer lock, then ``refresh()`` (returns the run
    id and whether it succeeded) to rebuild the derived layers and the serving file;
    when it does not succeed, :func:`scrub_everywhere` removes the person from them
    instead. Then compaction and the audit line; :func:`left_anywhere` checks that
    nothing is left."""
    from orchestration.resources import WarehouseResource

    lock = WarehouseResource(warehouse_path=str(settings.warehouse))
    with lock.writer_lock():
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(settings.warehouse)) as conn:
            spark = settings.engine == "spark"
            erasure = erase_from_raw(
                conn,
                email,
                settings.erasure_list,
                landing_dir=settings.landing_dir,
                spark_tables=settings.spark_warehouse_dir if spark else None,
            )
            erasure.spark_raw_rewritten = rewrite_spark_raw(conn, settings)
            if spark:
                # a Spark refresh builds staging and intermediate on Spark: the
                # warehouse's own (from a run on DuckDB) are never rebuilt, so they lose
                # the person's rows here
                erasure.rows_scrubbed.update(
                    scrub_warehouse(conn, erasure.needles, ("staging", "intermediate"))
                )
    for line in describe(erasure, settings.landing_dir):
        out(line)
    if erasure.spark_raw_rewritten:
        out(
            f"raw's Parquet copy for Spark written again without the person: "
            f"{', '.join(erasure.spark_raw_rewritten)}"
        )
    try:
        if refresh is None:
            with lock.writer_lock():
                erasure.spark_tables_removed = remove_spark_tables(settings)
            if erasure.spark_tables_removed:
                out(f"Spark's tables removed ({settings.spark_warehouse_dir}); {SPARK_REBUILDS}")
        else:
            out("rebuilding staging, intermediate and marts from raw (full refresh) ...")
            try:
                erasure.refresh_run_id, erasure.refresh_succeeded = refresh()
            except Exception as exc:  # the erasure goes on without the rebuild
                out(f"the rebuild could not run: {type(exc).__name__}: {exc}")
                erasure.refresh_succeeded = False
            with lock.writer_lock():
                if not erasure.refresh_succeeded:
                    out(
                        "the rebuild did not succeed: removing the person's rows from "
                        "staging, intermediate, marts, the published file, the exports "
                        "and the reports where they are ..."
                    )
                    scrub_everywhere(settings, erasure)
                if not (settings.engine == "spark" and erasure.refresh_succeeded):
                    # the rebuild did not replace Spark's tables: they go, and the next
                    # refresh on Spark builds them from the erased raw
                    erasure.spark_tables_removed = remove_spark_tables(settings)
                    if erasure.spark_tables_removed:
                        out(
                            f"Spark's tables removed ({settings.spark_warehouse_dir}); "
                            f"{SPARK_REBUILDS}"
                        )
                compact_warehouse(settings.warehouse)
            erasure.compacted = True
    finally:
        append_audit_log(settings.erasure_log, erasure)
    return erasure
