"""Segment events (``web/segment/*.jsonl`` and ``*.jsonl.gz``), one JSON object a line.

Lines are framed in Python (exact line numbers, gzip streaming, UTF-8 checks, blank
lines skipped) in chunks of bounded size; everything per record after that runs in
DuckDB: ``json_valid``, one ``json_extract_string`` call for all scalar paths,
``json_extract`` for ``properties``/``traits`` (JSON text), and the timestamp checks
(ISO-8601, ``Z`` or an offset, validated with DuckDB's timestamptz parser). ``_record``
is the line as written (surrounding blanks trimmed). ``messageId``, ``type`` and
``timestamp`` are required, and ``anonymousId`` or ``userId``. Key ``messageId``: a
message id already loaded, or earlier in the load (file-name order, then line), is a duplicate
and is dropped.

A file whose lines are none of them JSON is not a JSONL file: it is unreadable, like
an empty file or one that is not (or is broken) gzip.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd

from ingestion.core import (
    Check,
    FileContext,
    RecordCounts,
    UnreadableFile,
    json_stage_sql,
    load_frames,
)
from ingestion.rules import PlausibleDate
from ingestion.tables import (
    EventTypes,
    Field,
    Kind,
    RawTable,
    RepeatRule,
    json_text_sql,
    normalized_email_sql,
)

#: (raw column, JSON path, kind, required); the label in reasons is the path.
_SCALARS: tuple[tuple[str, str, Kind, bool], ...] = (
    ("message_id", "messageId", Kind.TEXT, True),
    ("type", "type", Kind.TEXT, True),
    ("anonymous_id", "anonymousId", Kind.TEXT, False),
    ("user_id", "userId", Kind.TEXT, False),
    ("event", "event", Kind.TEXT, False),
    ("name", "name", Kind.TEXT, False),
    ("timestamp", "timestamp", Kind.TIMESTAMP, True),
    ("original_timestamp", "originalTimestamp", Kind.TIMESTAMP, False),
    ("sent_at", "sentAt", Kind.TIMESTAMP, False),
    ("received_at", "receivedAt", Kind.TIMESTAMP, False),
    ("context_page_url", "context.page.url", Kind.TEXT, False),
    ("context_page_path", "context.page.path", Kind.TEXT, False),
    ("context_page_referrer", "context.page.referrer", Kind.TEXT, False),
    ("context_page_search", "context.page.search", Kind.TEXT, False),
    ("context_page_title", "context.page.title", Kind.TEXT, False),
    ("context_campaign_source", "context.campaign.source", Kind.TEXT, False),
    ("context_campaign_medium", "context.campaign.medium", Kind.TEXT, False),
    ("context_campaign_name", "context.campaign.name", Kind.TEXT, False),
    ("context_campaign_term", "context.campaign.term", Kind.TEXT, False),
    ("context_campaign_content", "context.campaign.content", Kind.TEXT, False),
    ("context_ip", "context.ip", Kind.TEXT, False),
    ("context_user_agent", "context.userAgent", Kind.TEXT, False),
    ("context_group_id", "context.groupId", Kind.TEXT, False),
)
_JSON_VALUES: tuple[tuple[str, str], ...] = (("properties", "properties"), ("traits", "traits"))

FIELDS: tuple[Field, ...] = (
    *(Field(column, path, kind, required) for column, path, kind, required in _SCALARS),
    *(Field(column, path, Kind.JSON) for column, path in _JSON_VALUES),
)

CHECKS: tuple[Check, ...] = (
    Check(
        "coalesce(trim(anonymous_id), '') = '' and coalesce(trim(user_id), '') = ''",
        "neither anonymousId nor userId",
    ),
)

EVENT_TYPES = ("page", "track", "identify", "screen", "group", "alias")
"""The Segment Spec's call types."""

TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="segment",
        object="events",
        landing_path="web/segment",
        file_globs=("*.jsonl", "*.jsonl.gz"),
        fields=FIELDS,
        key=("message_id",),
        repeat_rule=RepeatRule.DROP_DUPLICATE,
        value_rules=(
            PlausibleDate("timestamp", "timestamp", date(2011, 1, 1), "Segment was founded"),
        ),
        either_present=("anonymous_id", "user_id"),
        event_types=EventTypes("type", EVENT_TYPES),
        record_day="timestamp",
        description=(
            "Segment page, track and identify events. properties and traits are JSON "
            "text; page fields missing from context.page are read from properties in "
            "staging."
        ),
        person_identifiers=(
            ("anonymous_id", "nullif(\"anonymous_id\", '')"),
            ("user_id", "nullif(\"user_id\", '')"),
            ("email", normalized_email_sql(json_text_sql('"traits"', "$.email"))),
            ("email", normalized_email_sql(json_text_sql('"properties"', "$.email"))),
            ("email", normalized_email_sql(json_text_sql("_record", "$.context.traits.email"))),
        ),
    ),
)

CHUNK_LINES = 100_000
CHUNK_BYTES = 64 << 20
"""A chunk is cut at whichever comes first: memory stays bounded for any file size."""

STAGE_SQL = json_stage_sql(
    [(column, path) for column, path, _, _ in _SCALARS], _JSON_VALUES, check_json=True
)


def _open(ctx: FileContext):  # noqa: ANN202 - a binary file object
    path = ctx.path
    with path.open("rb") as probe:
        head = probe.read(2)
    if not head:
        raise UnreadableFile("file is empty")
    is_gzip = head == b"\x1f\x8b"
    if path.name.endswith(".gz"):
        if not is_gzip:
            raise UnreadableFile("file is not gzip-compressed although its name ends in .gz")
        return gzip.open(path, "rb")
    if is_gzip:
        raise UnreadableFile("file is gzip-compressed although its name does not end in .gz")
    return path.open("rb")


def _frames(ctx: FileContext) -> Iterator[pd.DataFrame]:
    positions: list[int] = []
    texts: list[str] = []
    reasons: dict[int, str] = {}
    size = 0

    def flush() -> pd.DataFrame:
        reason_list: list[str | None] = [None] * len(texts)
        for index, reason in reasons.items():
            reason_list[index] = reason
        return pd.DataFrame(
            {
                "_pos": np.asarray(positions, dtype=np.int64),
                "_record": pd.Series(texts, dtype=object),
                "_reason": pd.Series(reason_list, dtype=object),
            }
        )

    try:
        with _open(ctx) as handle:
            for line_no, raw in enumerate(handle, start=1):
                raw = raw.strip()
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:].strip()
                if not raw:
                    continue
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    text = raw.decode("utf-8", "replace")
                    reasons[len(texts)] = f"line is not valid UTF-8 (byte {exc.start + 1})"
                positions.append(line_no)
                texts.append(text)
                size += len(raw)
                if len(texts) >= CHUNK_LINES or size >= CHUNK_BYTES:
                    yield flush()
                    positions, texts, reasons, size = [], [], {}, 0
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise UnreadableFile(f"broken gzip: {exc}") from None
    if texts:
        yield flush()


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one Segment JSONL (or JSONL.gz) file."""
    counts = load_frames(
        ctx, FIELDS, _frames(ctx), stage_sql=STAGE_SQL, checks=CHECKS, json_lines=True
    )
    if counts.read == 0:
        raise UnreadableFile("file is empty (no lines)")
    return counts
