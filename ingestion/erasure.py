"""The erasure list: identifiers of erased persons, as hashes, that loads must drop.

An erased person is a list of identifiers (normalized email, Segment anonymousId and
userId, Salesforce Lead and Contact Id), each kept only as the sha256 hex digest of
``<identifier_type>:<value>`` (:func:`identifier_sha256`): never the value itself.

The list lives in a file beside the warehouse (JSON lines, one identifier a line,
``erasures.jsonl`` by default) so it survives a warehouse rebuilt from scratch, and is
mirrored into ``raw._erasures`` so SQL can use it. :func:`sync_erasure_list` makes the
two hold the union of both; :func:`ingestion.load_source` calls it before loading.

While loading, a record whose identifiers (``RawTable.person_identifiers``) hash to an
entry of the list is not loaded and not quarantined: it gets one row in
``raw._erased`` (file, position, the matching hash, time; nothing of its content) and
counts as erased, so ``read = loaded + duplicate + quarantined + erased`` per file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.tables import ERASURES_TABLE, RawTable

ERASURE_LIST_NAME = "erasures.jsonl"
"""The erasure list's file name beside the warehouse (the default)."""


def normalize_email(email: str) -> str | None:
    """The Python twin of the dbt macro ``normalize_email``: ``lower(trim(email))``
    (DuckDB's ``trim`` removes spaces only), an empty result is no email."""
    normalized = email.strip(" ").lower()
    return normalized or None


def identifier_sha256(identifier_type: str, value: str) -> str:
    """sha256 hex of ``<identifier_type>:<value>`` (UTF-8), as SQL
    ``sha256(type || ':' || value)`` computes it."""
    return hashlib.sha256(f"{identifier_type}:{value}".encode()).hexdigest()


def email_sha256(normalized_email: str) -> str:
    """sha256 hex of a normalized email alone: the marts' ``email_hash``."""
    return hashlib.sha256(normalized_email.encode()).hexdigest()


@dataclass(frozen=True)
class ErasureEntry:
    """One identifier of an erased person."""

    identifier_sha256: str
    identifier_type: str
    erasure_id: str
    erased_at: datetime
    """Naive UTC."""

    def to_json(self) -> str:
        data = asdict(self)
        data["erased_at"] = self.erased_at.isoformat()
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> ErasureEntry:
        data = json.loads(line)
        return cls(
            identifier_sha256=data["identifier_sha256"],
            identifier_type=data["identifier_type"],
            erasure_id=data["erasure_id"],
            erased_at=datetime.fromisoformat(data["erased_at"]),
        )


def read_erasure_list(path: Path) -> list[ErasureEntry]:
    """The entries of the erasure file (none when it does not exist)."""
    if not path.exists():
        return []
    return [
        ErasureEntry.from_json(line)
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]


def append_erasure_list(path: Path, entries: Iterable[ErasureEntry]) -> int:
    """Append entries to the erasure file (created with its folder if missing), flushed
    to disk before returning; return how many were written."""
    lines = [entry.to_json() + "\n" for entry in entries]
    if not lines:
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(lines)
        handle.flush()
        os.fsync(handle.fileno())
    return len(lines)


def default_erasure_list(conn: duckdb.DuckDBPyConnection) -> Path | None:
    """``erasures.jsonl`` beside the connection's database file (None in memory)."""
    [(path,)] = conn.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(path).resolve().with_name(ERASURE_LIST_NAME) if path else None


def sync_erasure_list(conn: duckdb.DuckDBPyConnection, path: Path | None) -> int:
    """Make the erasure file and ``raw._erasures`` both hold the union of the two.

    The file is the lasting copy (a rebuilt warehouse gets its list back from it); an
    entry only the warehouse has (a file deleted by mistake) is written back to the
    file. Returns the number of identifiers in the list.
    """
    from ingestion.core import ensure_raw_layer  # the registry imports the loaders

    ensure_raw_layer(conn)
    in_table = {
        row[0]: ErasureEntry(*row)
        for row in conn.execute(
            f"select identifier_sha256, identifier_type, erasure_id, erased_at "
            f"from {ERASURES_TABLE}"
        ).fetchall()
    }
    in_file: dict[str, ErasureEntry] = {}
    if path is not None:
        for entry in read_erasure_list(path):
            in_file.setdefault(entry.identifier_sha256, entry)
    missing_in_table = [e for h, e in in_file.items() if h not in in_table]
    if missing_in_table:
        conn.executemany(
            f"insert into {ERASURES_TABLE} values (?, ?, ?, ?)",
            [
                (e.identifier_sha256, e.identifier_type, e.erasure_id, e.erased_at)
                for e in missing_in_table
            ],
        )
    if path is not None:
        append_erasure_list(path, (e for h, e in in_table.items() if h not in in_file))
    return len(in_table.keys() | in_file.keys())


def identifier_hashes_sql(table: RawTable, relation: str, row_id: str) -> str | None:
    """SQL giving (``row_id``, identifier_sha256) for every person identifier of every
    row of ``relation`` (a raw table or the loader's staged rows); None for a table
    without person identifiers."""
    if not table.person_identifiers:
        return None
    parts = [
        f"select {row_id} as _row, sha256('{kind}:' || _v) as identifier_sha256 "
        f"from (select {row_id}, {expr} as _v from {relation}) where _v is not null"
        for kind, expr in table.person_identifiers
    ]
    return "\nunion all\n".join(parts)


def erased_rows_sql(table: RawTable, relation: str, row_id: str) -> str | None:
    """SQL giving (``_row``, identifier_sha256) once per row of ``relation`` that holds
    an identifier on the erasure list (the smallest matching hash)."""
    hashes = identifier_hashes_sql(table, relation, row_id)
    if hashes is None:
        return None
    return (
        f"select _row, min(_h.identifier_sha256) as identifier_sha256 from ({hashes}) _h "
        f"where _h.identifier_sha256 in (select identifier_sha256 from {ERASURES_TABLE}) "
        "group by _row"
    )


def erasures_active(conn: duckdb.DuckDBPyConnection, table: RawTable) -> bool:
    """Whether records of ``table`` must be checked against the erasure list."""
    if not table.person_identifiers:
        return False
    [(found,)] = conn.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' "
        "and table_name = '_erasures' and database_name = current_database()"
    ).fetchall()
    if not found:
        return False
    [(active,)] = conn.execute(f"select exists (select 1 from {ERASURES_TABLE})").fetchall()
    return bool(active)


def entries_for(
    identifiers: Sequence[tuple[str, str]], erasure_id: str, erased_at: datetime
) -> list[ErasureEntry]:
    """Erasure entries for (identifier_type, value) pairs, duplicates dropped."""
    seen: dict[str, ErasureEntry] = {}
    for kind, value in identifiers:
        digest = identifier_sha256(kind, value)
        seen.setdefault(digest, ErasureEntry(digest, kind, erasure_id, erased_at))
    return list(seen.values())
