"""Landing files: a raw table's files in file-name order (:func:`list_files`), their
content hash (:func:`sha256_of`) and the head kept of an unreadable file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingestion.tables import RawTable

UNREADABLE_HEAD_BYTES = 300
"""How much of an unreadable file is kept as its quarantine raw text."""


def list_files(landing_dir: Path, table: RawTable) -> list[Path]:
    """The table's landing files in file-name order (hidden files are ignored)."""
    folder = landing_dir / table.landing_path
    if not folder.is_dir():
        return []
    found: dict[str, Path] = {}
    for pattern in table.file_globs:
        for path in folder.glob(pattern):
            if path.is_file() and not path.name.startswith("."):
                found[path.name] = path
    return [found[name] for name in sorted(found)]


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _file_head(path: Path) -> str | None:
    with path.open("rb") as handle:
        head = handle.read(UNREADABLE_HEAD_BYTES)
    if not head:
        return None
    return head.decode("utf-8", "replace")
