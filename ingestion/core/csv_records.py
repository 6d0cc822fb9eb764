"""CSV framing: every record of a CSV file with the line it starts on and its raw text
(:func:`iter_csv_records`), and the reason for a row with the wrong field count."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingestion.core.results import UnreadableFile


@dataclass
class CsvRecord:
    line: int
    """The line the record starts on (the header is line 1)."""
    raw_text: str
    fields: list[str] | None
    """None when the CSV parser rejected the record (see ``error``)."""
    error: str | None = None


def iter_csv_records(path: Path) -> Iterator[CsvRecord]:
    """Yield every CSV record of a file with its starting line and its raw text.

    Blank lines are not records. Bytes that are not UTF-8 make that record bad
    (``error``), not the file. Raises :class:`UnreadableFile` for an empty file.
    """
    if path.stat().st_size == 0:
        raise UnreadableFile("file is empty")
    with path.open("rb") as probe:
        if probe.read(2) == b"\x1f\x8b":
            raise UnreadableFile("file is gzip-compressed, expected plain CSV")
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        yield from csv_records_of(handle)


def csv_records_of(text_lines: Iterable[str], first_line: int = 1) -> Iterator[CsvRecord]:
    """:func:`iter_csv_records` over lines of text already decoded (with
    ``errors="surrogateescape"``, newlines kept): a zip member, a file whose CSV part
    starts below a header block (``first_line`` is the line number of the first)."""
    consumed: list[str] = []
    line_no = first_line - 1

    def lines() -> Iterator[str]:
        for text in text_lines:
            consumed.append(text)
            yield text

    reader = csv.reader(lines(), strict=True)
    while True:
        start = line_no + 1
        try:
            row = next(reader)
            error = None
        except StopIteration:
            break
        except csv.Error as exc:
            row, error = None, f"CSV error: {exc}"
        line_no = first_line - 1 + reader.line_num
        raw_text = "".join(consumed).rstrip("\r\n")
        consumed.clear()
        if row is not None and not row:
            continue  # a blank line
        if _has_surrogates(raw_text):
            raw_text = raw_text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            row, error = None, "record is not valid UTF-8"
        yield CsvRecord(line=start, raw_text=raw_text, fields=row, error=error)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def wrong_field_count(found: int, expected: int) -> str:
    return f"CSV row has {found} fields, header has {expected}"
