"""The engine's own speed on a landing zone: DuckDB's readers copy every landing file
into tables (``create table as``), with no validation, ledger, quarantine or model.

    .venv/bin/python benchmarks/bare_read.py <landing dir> <scratch duckdb file>

``benchmarks/refresh.py`` runs it as a step of the same run as the refreshes, so each
refresh's time can be stated as a multiple of it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import duckdb

_LENIENT = "ignore_errors = true"
_ARRAY = "format = 'array', ignore_errors = true"
_CSV = "all_varchar = true, union_by_name = true, ignore_errors = true, strict_mode = false"

# (table, folder under the landing zone, glob, reader call with {files}); a bad record
# is skipped (ignore_errors), a file the reader refuses whole is left out and counted
# (what the warehouse quarantines with a reason).
READERS: tuple[tuple[str, str, str, str], ...] = (
    ("segment", "web/segment", "*.jsonl*", f"read_ndjson_objects({{files}}, {_LENIENT})"),
    ("sendgrid", "email/sendgrid", "*.json", f"read_json_objects({{files}}, {_ARRAY})"),
    ("google_ads", "ads/google_ads", "*.json", f"read_json_objects({{files}}, {_LENIENT})"),
    ("meta_ads", "ads/meta_ads", "*.json", f"read_json_objects({{files}}, {_LENIENT})"),
    ("linkedin_ads", "ads/linkedin_ads", "**/*.json", f"read_json_objects({{files}}, {_LENIENT})"),
    ("fx", "finance/fx", "*.csv", f"read_csv({{files}}, {_CSV})"),
)


def _salesforce(landing: Path) -> list[tuple[str, str, str, str]]:
    folder = landing / "crm" / "salesforce"
    if not folder.is_dir():
        return []
    return [
        (
            f"salesforce_{obj.name.lower()}",
            f"crm/salesforce/{obj.name}",
            "*.csv",
            f"read_csv({{files}}, {_CSV})",
        )
        for obj in sorted(p for p in folder.iterdir() if p.is_dir())
    ]


def _listed(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def _copy(conn: duckdb.DuckDBPyConnection, table: str, reader: str, files: list[str]) -> int:
    """Copy ``files`` into ``table`` in one statement; where the reader refuses, halve
    the list until the refused files stand alone (they are left out). Returns how many
    were refused."""
    source = reader.format(files=_listed(files))
    exists = conn.execute(
        "select count(*) from information_schema.tables where table_name = ?", [table]
    ).fetchone()[0]
    try:
        if exists:
            conn.execute(f"insert into {table} by name select * from {source}")
        else:
            conn.execute(f"create table {table} as select * from {source}")
        return 0
    except duckdb.Error:
        if len(files) == 1:
            return 1
        half = len(files) // 2
        return _copy(conn, table, reader, files[:half]) + _copy(conn, table, reader, files[half:])


def bare_read(landing: Path, database: Path) -> dict[str, tuple[int, float, int]]:
    """Rows, seconds and files refused per landing folder, each folder's files read in
    as few statements as the reader allows."""
    results = {}
    with duckdb.connect(str(database)) as conn:
        for table, folder, pattern, reader in (*READERS, *_salesforce(landing)):
            files = sorted(str(p) for p in (landing / folder).glob(pattern) if p.is_file())
            if not files:
                continue
            started = time.monotonic()
            refused = _copy(conn, table, reader, files)
            (rows,) = conn.execute(f"select count(*) from {table}").fetchone()
            results[table] = (rows, time.monotonic() - started, refused)
    return results


def main() -> int:
    landing, database = Path(sys.argv[1]), Path(sys.argv[2])
    database.unlink(missing_ok=True)
    started = time.monotonic()
    results = bare_read(landing, database)
    for table, (rows, seconds, refused) in results.items():
        note = f" ({refused} file(s) refused)" if refused else ""
        print(f"  {table:<40} {rows:>12,} rows {seconds:8.1f}s{note}")
    total_rows = sum(rows for rows, _, _ in results.values())
    print(f"bare read: {total_rows:,} rows in {time.monotonic() - started:.1f}s")
    database.unlink(missing_ok=True)
    Path(f"{database}.wal").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
