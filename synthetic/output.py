"""Writing files: atomic, deterministic (gzip without name or mtime), with counts."""

from __future__ import annotations

import gzip
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

GZIP_LEVEL = 1


def unchanged(path: Path, data: bytes) -> bool:
    """The file already holds exactly ``data``: a later ``--until`` regenerates every
    earlier drop byte for byte, and landing files are immutable, so it is left as it
    is (its modification time too: the loaders' file cache then skips it unread, as it
    would a real landing zone's old files)."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False


def write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary name that no landing glob matches, then rename, so a
    loader running meanwhile never sees half a file. A file that already holds
    ``data`` is not rewritten (:func:`unchanged`)."""
    if unchanged(path, data):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(
        filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=GZIP_LEVEL
    ) as gz:
        gz.write(data)
    return buf.getvalue()


@dataclass(frozen=True)
class BrokenRecord:
    """One injected quarantine-worthy record: where it is and why it is broken.
    ``position`` follows the registry: the line for JSONL and CSV (header = line 1),
    the 1-based ordinal of the record in a JSON document."""

    table: str
    file: str
    position: int
    reason: str


@dataclass
class Tally:
    """What a writer wrote, merged across chunks."""

    files: Counter = field(default_factory=Counter)  # folder -> files
    records: Counter = field(default_factory=Counter)  # table -> records
    duplicates: Counter = field(default_factory=Counter)
    restatements: Counter = field(default_factory=Counter)
    deletions: Counter = field(default_factory=Counter)
    broken: list[BrokenRecord] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    file_list: list[str] = field(default_factory=list)

    def add_file(self, rel: str) -> None:
        self.files[rel.rsplit("/", 1)[0]] += 1
        self.file_list.append(rel)

    def merge(self, other: Tally) -> None:
        for name in ("files", "records", "duplicates", "restatements", "deletions"):
            getattr(self, name).update(getattr(other, name))
        self.broken.extend(other.broken)
        self.unreadable.extend(other.unreadable)
        self.file_list.extend(other.file_list)
