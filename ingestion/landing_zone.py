"""Files in the landing zone that no loader reads.

A loader reads the files of its own folder that match its patterns
(``RawTable.landing_path`` and ``file_globs``); anything else in the landing zone
(a folder of a vendor no loader knows, such as ``ads/microsoft_ads/`` before its loader
existed, a ``.csv.gz`` where ``.csv`` is expected, a file in a subfolder) would
otherwise be skipped without a word. :func:`unclaimed_files` names them, so the
refresh summary and a warning check can say so: no file is ignored silently.

Hidden files and folders (a name starting with ``.``, such as a drop still being
written) are not counted, as the loaders do not read them either.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingestion.registry import RAW_TABLES, RawTable


@dataclass(frozen=True)
class UnclaimedFile:
    """One landing file no loader reads."""

    path: str
    """Relative to the landing directory, with ``/`` separators."""
    size_bytes: int

    @property
    def folder(self) -> str:
        """The folder holding it (``.`` for the landing directory itself)."""
        head, _, _ = self.path.rpartition("/")
        return head or "."


def _globs_by_folder(tables: tuple[RawTable, ...]) -> dict[str, tuple[str, ...]]:
    """The file patterns the loaders read, per landing folder (``RawTable.landing_path``):
    a file is looked up by its folder, not matched against every table (at medium scale
    7,325 files, each against 17 tables, took ~0.24 s, twice in a refresh)."""
    globs: dict[str, list[str]] = {}
    for table in tables:
        globs.setdefault(table.landing_path, []).extend(table.file_globs)
    return {folder: tuple(patterns) for folder, patterns in globs.items()}


def unclaimed_files(
    landing_dir: Path, tables: tuple[RawTable, ...] = RAW_TABLES
) -> list[UnclaimedFile]:
    """Every non-hidden file under ``landing_dir`` that none of ``tables`` reads, in path
    order: a file is read by a table whose ``landing_path`` is the file's folder and one
    of whose ``file_globs`` it matches (``Path.match``). A missing landing directory has
    none. Reads directory listings only."""
    landing_dir = Path(landing_dir)
    if not landing_dir.is_dir():
        return []
    globs_by_folder = _globs_by_folder(tables)
    found: list[UnclaimedFile] = []
    for folder, dirs, files in os.walk(landing_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        relative_folder = Path(folder).relative_to(landing_dir)
        globs = globs_by_folder.get(relative_folder.as_posix(), ())
        for name in files:
            if name.startswith("."):
                continue
            relative = relative_folder / name
            if any(relative.match(pattern) for pattern in globs):
                continue
            try:
                size = (Path(folder) / name).stat().st_size
            except OSError:  # removed while we looked
                continue
            found.append(UnclaimedFile(relative.as_posix(), size))
    return sorted(found, key=lambda f: f.path)


def by_folder(files: list[UnclaimedFile]) -> dict[str, int]:
    """File counts per folder, in folder order."""
    return dict(sorted(Counter(f.folder for f in files).items()))


def describe(files: list[UnclaimedFile], limit: int = 5) -> str:
    """One line: how many files in which folders, e.g. ``3 files in ads/microsoft_ads``."""
    folders = by_folder(files)
    shown = ", ".join(f"{folder}/ ({n})" for folder, n in list(folders.items())[:limit])
    more = f" and {len(folders) - limit} more folders" if len(folders) > limit else ""
    return f"{len(files)} file(s) no loader reads: {shown}{more}"
