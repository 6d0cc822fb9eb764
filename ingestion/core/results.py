"""What a load reports: the file statuses, the per-file, per-table and per-source
statistics (:class:`FileLoadStats`, :class:`TableLoadStats`, :class:`SourceLoadResult`),
the record counts a file loader returns (:class:`RecordCounts`), and
:class:`UnreadableFile`, which a file loader raises for a file it cannot read at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATUS_LOADED = "loaded"
STATUS_SKIPPED = "skipped_same_content"
STATUS_UNREADABLE = "unreadable"


class UnreadableFile(Exception):
    """The file as a whole cannot be read: it is quarantined as one record."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class FileLoadStats:
    """What happened to one landing file."""

    path: str
    """Path relative to the landing directory (posix)."""
    status: str
    """``loaded``, ``skipped_same_content`` or ``unreadable``. A file that an earlier
    load already handled (same path, same content) is ``skipped_same_content`` with
    ``ledger_written`` False."""
    content_sha256: str
    size_bytes: int
    records_read: int = 0
    records_loaded: int = 0
    records_duplicate: int = 0
    records_quarantined: int = 0
    records_erased: int = 0
    """Records of an erased person: not loaded, not quarantined, one row each in
    ``raw._erased`` (the ledger row's ``detail`` says how many)."""
    detail: str | None = None
    ledger_written: bool = True
    """False for a file this very path and content already has a ledger row for (a
    re-run): it is reported as skipped but the ledger is left as it was."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "content_sha256": self.content_sha256,
            "size_bytes": self.size_bytes,
            "records_read": self.records_read,
            "records_loaded": self.records_loaded,
            "records_duplicate": self.records_duplicate,
            "records_quarantined": self.records_quarantined,
            "records_erased": self.records_erased,
            "detail": self.detail,
            "ledger_written": self.ledger_written,
        }


@dataclass
class TableLoadStats:
    """One raw table's files in one load; the counts are sums over ``files``."""

    source: str
    object: str
    table: str
    """Qualified raw table name, e.g. ``raw.segment__events``."""
    files: list[FileLoadStats] = field(default_factory=list)

    def _count_status(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def files_seen(self) -> int:
        return len(self.files)

    @property
    def files_loaded(self) -> int:
        return self._count_status(STATUS_LOADED)

    @property
    def files_skipped(self) -> int:
        return self._count_status(STATUS_SKIPPED)

    @property
    def files_unreadable(self) -> int:
        return self._count_status(STATUS_UNREADABLE)

    @property
    def records_read(self) -> int:
        return sum(f.records_read for f in self.files)

    @property
    def records_loaded(self) -> int:
        return sum(f.records_loaded for f in self.files)

    @property
    def records_duplicate(self) -> int:
        return sum(f.records_duplicate for f in self.files)

    @property
    def records_quarantined(self) -> int:
        return sum(f.records_quarantined for f in self.files)

    @property
    def records_erased(self) -> int:
        return sum(f.records_erased for f in self.files)

    def counts(self) -> dict[str, int]:
        return {
            "files_seen": self.files_seen,
            "files_loaded": self.files_loaded,
            "files_skipped": self.files_skipped,
            "files_unreadable": self.files_unreadable,
            "records_read": self.records_read,
            "records_loaded": self.records_loaded,
            "records_duplicate": self.records_duplicate,
            "records_quarantined": self.records_quarantined,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "object": self.object,
            "table": self.table,
            **self.counts(),
            "records_erased": self.records_erased,
            "files": [f.to_dict() for f in self.files],
        }


@dataclass
class SourceLoadResult:
    """The outcome of :func:`ingestion.load_source` for one source."""

    source: str
    load_id: str
    loaded_at: datetime
    """UTC, naive: the ``_loaded_at`` of every row written by this load."""
    tables: dict[str, TableLoadStats] = field(default_factory=dict)
    """Keyed by the registry object name (``ad_stats``, ``events``, ``lead``, ...)."""

    def totals(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for stats in self.tables.values():
            for key, value in stats.counts().items():
                total[key] = total.get(key, 0) + value
        return total

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly representation (e.g. for run metadata)."""
        return {
            "source": self.source,
            "load_id": self.load_id,
            "loaded_at": self.loaded_at.isoformat(),
            "totals": self.totals(),
            "tables": {name: stats.to_dict() for name, stats in self.tables.items()},
        }

    def summary(self) -> str:
        """One line per raw table, e.g. for a log or the CLI."""
        lines = []
        for stats in self.tables.values():
            lines.append(
                f"{stats.table}: files {stats.files_seen} seen, {stats.files_loaded} loaded, "
                f"{stats.files_skipped} skipped (same content), "
                f"{stats.files_unreadable} unreadable; records {stats.records_read} read, "
                f"{stats.records_loaded} loaded, {stats.records_duplicate} duplicate, "
                f"{stats.records_quarantined} quarantined"
                + (f", {stats.records_erased} erased" if stats.records_erased else "")
            )
        return "\n".join(lines)


@dataclass
class RecordCounts:
    read: int = 0
    loaded: int = 0
    duplicate: int = 0
    quarantined: int = 0
    erased: int = 0

    def add(self, other: RecordCounts) -> None:
        self.read += other.read
        self.loaded += other.loaded
        self.duplicate += other.duplicate
        self.quarantined += other.quarantined
        self.erased += other.erased
