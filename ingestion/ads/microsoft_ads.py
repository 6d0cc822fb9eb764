"""Microsoft Advertising: Reporting API ``AdPerformanceReport`` downloads
(``ads/microsoft_ads/*.csv`` or ``*.zip``).

A report is requested with daily aggregation, format Csv, header and footer included,
and lands as the API delivers it (a ``.zip`` holding one ``.csv``) or unzipped. The
CSV, which may start with a UTF-8 byte-order mark, is, top to bottom:

1. the report header: quoted metadata lines (``"Report Name: ..."``, ``"Report Time:
   3/1/2026,3/3/2026"``, ``"Time Zone: ..."``, ``"Rows: N"``, ...) and a blank line;
2. the quoted column header, in the order the request named the columns (at least
   ``TimePeriod``, ``AccountId``, ``CampaignId``, ``AdId``, ``CurrencyCode``,
   ``Impressions``, ``Clicks``, ``Spend``, ``Conversions``), then one row per ad and day;
3. a blank line and the footer, ``"©2026 Microsoft Corporation. All rights reserved. "``.

The header block and the footer are not records. The column header is the first row
naming ``TimePeriod``; a file without one is unreadable, and so is a zip that is broken
or does not hold exactly one ``.csv``, and a report whose ``Rows: N`` line disagrees
with the rows found (a cut-off download): nothing of it is loaded, the whole file is
quarantined with the reason. ``_source_position`` is the row's line in the CSV (the
first metadata line is line 1), so the row can be found in the file.

``TimePeriod`` is written ``M/D/YYYY`` in the account's time zone; it is stored as
``YYYY-MM-DD`` (the row as written stays in ``_record``). Ids and counts must be
integers, ``Spend`` and ``Conversions`` numbers; ``Spend`` is in the account's
currency (``CurrencyCode``). Key (``AccountId``, ``AdId``, ``TimePeriod``): later files
restate recent days, every version is loaded and staging keeps the latest (later wins).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date

import orjson
import pandas as pd

from ingestion.core import (
    FileContext,
    RecordBuffer,
    RecordCounts,
    UnreadableFile,
    csv_records_of,
    load_frames,
    wrong_field_count,
)
from ingestion.rules import NonNegative, NotAbove, PlausibleDate
from ingestion.tables import Field, Kind, RawTable, RepeatRule

FIELDS: tuple[Field, ...] = (
    Field("time_period", "TimePeriod", Kind.DATE, required=True),
    Field("account_id", "AccountId", Kind.INTEGER, required=True),
    Field("account_name", "AccountName"),
    Field("campaign_id", "CampaignId", Kind.INTEGER, required=True),
    Field("campaign_name", "CampaignName"),
    Field("ad_group_id", "AdGroupId", Kind.INTEGER),
    Field("ad_group_name", "AdGroupName"),
    Field("ad_id", "AdId", Kind.INTEGER, required=True),
    Field("currency_code", "CurrencyCode", required=True),
    Field("impressions", "Impressions", Kind.INTEGER),
    Field("clicks", "Clicks", Kind.INTEGER),
    Field("spend", "Spend", Kind.DECIMAL),
    Field("conversions", "Conversions", Kind.DECIMAL),
)

TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="microsoft_ads",
        object="ad_performance",
        landing_path="ads/microsoft_ads",
        file_globs=("*.csv", "*.zip"),
        fields=FIELDS,
        key=("account_id", "ad_id", "time_period"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("time_period", "date", date(2006, 5, 3), "Microsoft adCenter launched"),
            NonNegative("impressions"),
            NonNegative("clicks"),
            NonNegative("spend"),
            NonNegative("conversions"),
            NotAbove("clicks", "impressions"),
        ),
        currency_columns=("currency_code",),
        record_day="time_period",
        description=(
            "Microsoft Advertising AdPerformanceReport rows (daily): one row per ad and "
            "day, spend in the account's currency. time_period is TimePeriod rewritten "
            "from M/D/YYYY to YYYY-MM-DD."
        ),
    ),
)

HEADER_MARK = "TimePeriod"
"""The column the header row always has: where the rows start."""
_ROWS_LINE = re.compile(r"^Rows:\s*([0-9]+)\s*$")
_US_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
CHUNK_RECORDS = 100_000


def _text_lines(ctx: FileContext) -> list[str]:
    """The CSV's lines, decoded (bad bytes kept as surrogates: that row is bad)."""
    data = ctx.path.read_bytes()
    if not data:
        raise UnreadableFile("file is empty")
    if data[:4] == b"PK\x03\x04" or ctx.path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) != 1 or not members[0].filename.lower().endswith(".csv"):
                    names = ", ".join(m.filename for m in members) or "nothing"
                    raise UnreadableFile(f"the zip holds {names}, expected exactly one .csv")
                data = archive.read(members[0])
        except zipfile.BadZipFile as exc:
            raise UnreadableFile(f"broken zip: {exc}") from exc
    text = data.decode("utf-8-sig", errors="surrogateescape")
    return text.splitlines(keepends=True)


def _iso_date(text: str | None) -> str | None:
    """``M/D/YYYY`` as ``YYYY-MM-DD``; anything else as written (the date check then
    quarantines it unless it already is ``YYYY-MM-DD``)."""
    if text is None:
        return None
    found = _US_DATE.match(text.strip())
    if not found:
        return text
    month, day, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def _is_footer(fields: list[str]) -> bool:
    return len(fields) == 1 and ("Microsoft Corporation" in fields[0] or "©" in fields[0])


def _frames(ctx: FileContext) -> Iterator[pd.DataFrame]:
    records = csv_records_of(_text_lines(ctx))
    header: list[str] | None = None
    declared_rows: int | None = None
    for record in records:
        fields = record.fields or []
        if HEADER_MARK in (name.strip() for name in fields):
            header = [name.strip() for name in fields]
            break
        if len(fields) == 1 and (found := _ROWS_LINE.match(fields[0].strip())):
            declared_rows = int(found.group(1))
    if header is None:
        raise UnreadableFile(
            f"no column header naming {HEADER_MARK} (is this an AdPerformanceReport CSV?)"
        )
    by_label = {f.label: f.column for f in FIELDS}
    mapping = [(i, by_label[name]) for i, name in enumerate(header) if name in by_label]
    date_index = header.index(HEADER_MARK)
    frames: list[pd.DataFrame] = []
    buffer = RecordBuffer(ctx.table.columns)
    rows = 0
    for record in records:
        row = record.fields
        if row is not None and _is_footer(row):
            continue
        rows += 1
        if row is None:
            buffer.add(record.line, None, reason=record.error, raw_text=record.raw_text)
        elif len(row) != len(header):
            reason = wrong_field_count(len(row), len(header))
            buffer.add(record.line, None, reason=reason, raw_text=record.raw_text)
        else:
            values = [value.strip() if value.strip() != "" else None for value in row]
            record_json = orjson.dumps(dict(zip(header, values, strict=True))).decode()
            values[date_index] = _iso_date(values[date_index])
            buffer.add(
                record.line,
                record_json,
                {column: values[index] for index, column in mapping},
                raw_text=record.raw_text,
            )
        if len(buffer) >= CHUNK_RECORDS:
            frames.append(buffer.frame())
            buffer = RecordBuffer(ctx.table.columns)
    if len(buffer):
        frames.append(buffer.frame())
    if declared_rows is not None and declared_rows != rows:
        raise UnreadableFile(
            f"the report header says Rows: {declared_rows}, the file has {rows} rows "
            "(a cut-off download?)"
        )
    yield from frames


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one AdPerformanceReport download."""
    return load_frames(ctx, FIELDS, _frames(ctx))
