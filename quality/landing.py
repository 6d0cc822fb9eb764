"""Reconciliation between the landing zone and the raw layer, per raw table.

``landing_records_accounted_for`` (blocking): every record read from a landing file
is loaded, a documented duplicate, quarantined, or erased (a record of a person erased
with ``journey forget``). The loader writes a ledger row per file
(``raw._file_ledger``); this check holds the ledger against what the warehouse really
holds: the rows in the raw table and in ``raw._quarantine`` that name the file, plus
the rows of ``raw._erased`` for it (records never loaded because their person was
erased, and rows deleted from raw or the quarantine by an erasure). A record lost
between the two would silently shrink every number built on it.

``no_records_quarantined`` (warning): records a vendor sent broken sit in the
quarantine with their reason. They must not stop the business's reporting, so this is
a warning with the counts by reason; it stays raised until someone deals with them.

Both read per-file aggregates that DuckDB computes (a few hundred rows), never the
records themselves.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from ingestion.core import STATUS_LOADED, STATUS_SKIPPED, STATUS_UNREADABLE, list_files
from ingestion.registry import (
    ERASED_AT_LOAD,
    ERASED_FROM_QUARANTINE,
    ERASED_FROM_RAW,
    ERASED_TABLE,
    LEDGER_TABLE,
    QUARANTINE_TABLE,
    RAW_TABLES,
    RawTable,
)
from quality.gx_validation import Expect, validate_frame
from quality.model import CheckContext, CheckResult, CheckSpec, Failure, Severity, Suite

LANDING_RECORDS_ACCOUNTED_FOR = "landing_records_accounted_for"
NO_RECORDS_QUARANTINED = "no_records_quarantined"
MAX_REASONS_SHOWN = 5


def _specs(table: RawTable) -> tuple[CheckSpec, ...]:
    label = f"{table.source} {table.object}"
    return (
        CheckSpec(
            LANDING_RECORDS_ACCOUNTED_FOR,
            table.asset_key_path,
            Severity.BLOCKING,
            f"Every {label} record read from a landing file is loaded, dropped as a "
            "documented duplicate, quarantined, or erased with its person; none is lost.",
        ),
        CheckSpec(
            NO_RECORDS_QUARANTINED,
            table.asset_key_path,
            Severity.WARNING,
            f"No {label} record sits in quarantine (a broken vendor record the numbers leave out).",
        ),
    )


def _has_erased_table(conn: duckdb.DuckDBPyConnection) -> bool:
    [(found,)] = conn.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' "
        "and table_name = '_erased' and database_name = current_database()"
    ).fetchall()
    return bool(found)


def _per_file(conn: duckdb.DuckDBPyConnection, table: RawTable) -> pd.DataFrame:
    """One row per ledger file: what the ledger says and what the warehouse holds; plus
    one row (status null) per file that has raw rows but no ledger row."""
    erased_source = (
        f"select source_file, erased_from from {ERASED_TABLE} where source = ? and object = ?"
        if _has_erased_table(conn)
        else "select null::varchar as source_file, null::varchar as erased_from "
        "where ? is null and ? is null"
    )
    return conn.execute(
        f"""
        with ledger as (
            select source_file, status, records_read, records_loaded,
                records_duplicate, records_quarantined
            from {LEDGER_TABLE}
            where source = ? and object = ? and status <> '{STATUS_SKIPPED}'
        ),
        raw_rows as (
            -- A record is one position in its file; the ECB file's one line per
            -- date fans out into one row per currency, so count positions, not rows.
            select _source_file as source_file, count(distinct _source_position) as rows_in_raw
            from {table.qualified_name}
            group by 1
        ),
        quarantined as (
            select source_file, count(*) as rows_in_quarantine
            from {QUARANTINE_TABLE}
            where source = ? and object = ?
            group by 1
        ),
        erased as (
            select
                source_file,
                count(*) filter (where erased_from = '{ERASED_AT_LOAD}') as at_load,
                count(*) filter (where erased_from = '{ERASED_FROM_RAW}') as from_raw,
                count(*) filter (where erased_from = '{ERASED_FROM_QUARANTINE}')
                    as from_quarantine
            from ({erased_source}) _e
            group by 1
        )
        select
            coalesce(ledger.source_file, raw_rows.source_file) as _source_file,
            ledger.status,
            ledger.records_read,
            ledger.records_loaded,
            ledger.records_duplicate,
            ledger.records_quarantined,
            coalesce(erased.at_load, 0) as records_erased,
            ledger.records_loaded + ledger.records_duplicate + ledger.records_quarantined
                + coalesce(erased.at_load, 0) as records_accounted,
            coalesce(raw_rows.rows_in_raw, 0) as rows_in_raw,
            coalesce(quarantined.rows_in_quarantine, 0) as rows_in_quarantine,
            coalesce(erased.from_raw, 0) as rows_erased_from_raw,
            coalesce(erased.from_quarantine, 0) as rows_erased_from_quarantine,
            coalesce(raw_rows.rows_in_raw, 0) + coalesce(erased.from_raw, 0)
                as rows_in_raw_or_erased,
            coalesce(quarantined.rows_in_quarantine, 0) + coalesce(erased.from_quarantine, 0)
                as rows_in_quarantine_or_erased
        from ledger
        -- A full join, so raw rows from a file the ledger never saw come out too
        -- (status null), in the same single scan of the raw table.
        full join raw_rows on raw_rows.source_file = ledger.source_file
        left join quarantined on quarantined.source_file = ledger.source_file
        left join erased on erased.source_file = ledger.source_file
        order by 1
        """,
        [table.source, table.object, table.source, table.object, table.source, table.object],
    ).df()


def _accounted(
    conn: duckdb.DuckDBPyConnection, table: RawTable, context: CheckContext
) -> CheckResult:
    per_file = _per_file(conn, table)
    in_ledger = per_file["status"].notna()
    files = per_file[in_ledger].reset_index(drop=True)
    orphans = int(per_file.loc[~in_ledger, "rows_in_raw"].sum())
    # The rules name erased records only where an erasure touched this table.
    erasures = int(
        files[["records_erased", "rows_erased_from_raw", "rows_erased_from_quarantine"]].sum().sum()
    )
    expectations = [
        Expect(
            "records read = loaded + duplicates + quarantined" + (" + erased" if erasures else ""),
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "records_read", "column_B": "records_accounted"},
        ),
        Expect(
            "records in the raw table"
            + (" + erased from it" if erasures else "")
            + " = records loaded",
            "ExpectColumnPairValuesToBeEqual",
            {
                "column_A": "rows_in_raw_or_erased" if erasures else "rows_in_raw",
                "column_B": "records_loaded",
            },
        ),
        Expect(
            "rows in raw._quarantine"
            + (" + erased from it" if erasures else "")
            + " = records quarantined",
            "ExpectColumnPairValuesToBeEqual",
            {
                "column_A": "rows_in_quarantine_or_erased" if erasures else "rows_in_quarantine",
                "column_B": "records_quarantined",
            },
        ),
        Expect(
            "file status is known",
            "ExpectColumnValuesToBeInSet",
            {"column": "status", "value_set": [STATUS_LOADED, STATUS_UNREADABLE]},
        ),
    ]
    outcome = validate_frame(
        files, f"{table.qualified_name}.{LANDING_RECORDS_ACCOUNTED_FOR}", expectations
    )
    failures = list(outcome.failures)
    if orphans:
        failures.append(
            Failure("every raw row comes from a file in the ledger", unexpected_count=orphans)
        )
    pending = _pending_files(conn, table, context)
    totals = files[
        [
            "records_read",
            "records_loaded",
            "records_duplicate",
            "records_quarantined",
            "records_erased",
            "rows_erased_from_raw",
            "rows_erased_from_quarantine",
        ]
    ].sum()
    metadata = {
        "files": len(files),
        "records_read": int(totals["records_read"]),
        "records_loaded": int(totals["records_loaded"]),
        "records_duplicate": int(totals["records_duplicate"]),
        "records_quarantined": int(totals["records_quarantined"]),
        "records_erased": int(totals["records_erased"]),
        "rows_erased_from_raw": int(totals["rows_erased_from_raw"]),
        "rows_erased_from_quarantine": int(totals["rows_erased_from_quarantine"]),
        "files_not_loaded_yet": pending,
    }
    counts = (
        f"{metadata['records_read']:,} records read from {len(files)} file(s) = "
        f"{metadata['records_loaded']:,} loaded + {metadata['records_duplicate']:,} "
        f"duplicates + {metadata['records_quarantined']:,} quarantined"
    )
    if erasures:
        counts += (
            f" + {metadata['records_erased']:,} erased at load; "
            f"{metadata['rows_erased_from_raw'] + metadata['rows_erased_from_quarantine']:,} "
            "erased since from raw or the quarantine"
        )
    if pending:
        counts += f"; {pending} landing file(s) not loaded yet"
    if failures:
        broken = "; ".join(f.describe() for f in failures)
        summary = f"records unaccounted for: {broken} ({counts})"
    else:
        summary = counts
    return CheckResult(
        passed=not failures,
        rows_checked=len(files),
        summary=summary,
        failures=tuple(failures),
        expectations_evaluated=outcome.evaluated + 1,
        metadata=metadata,
    )


def _pending_files(conn: duckdb.DuckDBPyConnection, table: RawTable, context: CheckContext) -> int:
    """Landing files the ledger has not seen (they arrived after the last load)."""
    if context.landing_dir is None:
        return 0
    known = {
        row[0]
        for row in conn.execute(
            f"select source_file from {LEDGER_TABLE} where source = ? and object = ?",
            [table.source, table.object],
        ).fetchall()
    }
    on_disk = list_files(context.landing_dir, table)
    return sum(
        1 for path in on_disk if path.relative_to(context.landing_dir).as_posix() not in known
    )


def _quarantined(conn: duckdb.DuckDBPyConnection, table: RawTable) -> CheckResult:
    reasons = conn.execute(
        f"""
        select reason, count(*) as records, min(source_file) as example_file
        from {QUARANTINE_TABLE}
        where source = ? and object = ?
        group by reason
        order by records desc, reason
        """,
        [table.source, table.object],
    ).df()
    total = int(reasons["records"].sum()) if len(reasons) else 0
    outcome = validate_frame(
        pd.DataFrame({"quarantined_records": [total]}),
        f"{table.qualified_name}.{NO_RECORDS_QUARANTINED}",
        [
            Expect(
                "no records in quarantine",
                "ExpectColumnValuesToBeBetween",
                {"column": "quarantined_records", "max_value": 0},
            )
        ],
    )
    shown = reasons.head(MAX_REASONS_SHOWN)
    by_reason = {str(r.reason): int(r.records) for r in shown.itertuples()}
    if total:
        listed = "; ".join(f"{n} x {reason}" for reason, n in by_reason.items())
        more = len(reasons) - len(shown)
        summary = (
            f"{total:,} record(s) quarantined, left out of every number until fixed at "
            f"the vendor: {listed}{f' (+{more} more reasons)' if more else ''}. "
            "See raw._quarantine."
        )
    else:
        summary = "no record quarantined"
    return CheckResult(
        passed=outcome.success,
        rows_checked=total,
        summary=summary,
        failures=outcome.failures,
        expectations_evaluated=outcome.evaluated,
        metadata={"quarantined_records": total, "by_reason": by_reason},
    )


def _evaluate(table: RawTable) -> Callable:
    def evaluate(conn: duckdb.DuckDBPyConnection, context: CheckContext) -> dict[str, CheckResult]:
        return {
            LANDING_RECORDS_ACCOUNTED_FOR: _accounted(conn, table, context),
            NO_RECORDS_QUARANTINED: _quarantined(conn, table),
        }

    return evaluate


def landing_suites() -> list[Suite]:
    return [
        Suite(
            name=f"landing.{table.table_name}",
            asset=table.asset_key_path,
            specs=_specs(table),
            evaluate=_evaluate(table),
        )
        for table in RAW_TABLES
    ]
