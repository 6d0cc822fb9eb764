"""SendGrid Event Webhook POST bodies (``email/sendgrid/*.json``).

A file is a JSON array of flat event objects; ``_source_position`` is the 1-based
ordinal of an event. ``sg_event_id``, ``email``, ``event`` and ``timestamp`` (unix
seconds, an integer) are required; ``send_at`` (unix seconds as a string) and
``attempt`` must parse as integers when present. ``category`` is always kept as JSON
text (``"newsletter"`` or ``["a","b"]``); booleans such as ``sg_machine_open`` as
``true``/``false``. Custom args stay in ``_record``. Delivery is at least once: an
``sg_event_id`` already loaded (or earlier in the load) is a duplicate and is dropped;
the first copy stays.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import orjson
import pandas as pd

from ingestion.core import (
    FileContext,
    RecordCounts,
    UnreadableFile,
    json_stage_sql,
    json_type_name,
    load_frames,
    read_json_document,
)
from ingestion.rules import PlausibleDate
from ingestion.tables import (
    EventTypes,
    Field,
    Kind,
    RawTable,
    RepeatRule,
    normalized_email_sql,
)

FIELDS: tuple[Field, ...] = (
    Field("sg_event_id", "sg_event_id", required=True),
    Field("sg_message_id", "sg_message_id"),
    Field("email", "email", required=True),
    Field("timestamp", "timestamp", Kind.UNIX_SECONDS, required=True),
    Field("event", "event", required=True),
    Field("category", "category", Kind.JSON),
    Field("url", "url"),
    Field("useragent", "useragent"),
    Field("ip", "ip"),
    Field("sg_machine_open", "sg_machine_open"),
    Field("reason", "reason"),
    Field("status", "status"),
    Field("type", "type"),
    Field("attempt", "attempt", Kind.INTEGER),
    Field("singlesend_id", "singlesend_id"),
    Field("singlesend_name", "singlesend_name"),
    Field("send_at", "send_at", Kind.UNIX_SECONDS),
    Field("template_id", "template_id"),
)

EVENT_TYPES = (
    "processed",
    "dropped",
    "delivered",
    "deferred",
    "bounce",
    "open",
    "click",
    "spamreport",
    "unsubscribe",
    "group_unsubscribe",
    "group_resubscribe",
)
"""The Event Webhook's documented event types."""

TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="sendgrid",
        object="events",
        landing_path="email/sendgrid",
        file_globs=("*.json",),
        fields=FIELDS,
        key=("sg_event_id",),
        repeat_rule=RepeatRule.DROP_DUPLICATE,
        value_rules=(PlausibleDate("timestamp", "unix", date(2009, 7, 1), "SendGrid was founded"),),
        event_types=EventTypes("event", EVENT_TYPES),
        record_day="timestamp",
        description="SendGrid Event Webhook events, one row per delivered event id.",
        person_identifiers=(("email", normalized_email_sql('"email"')),),
    ),
)


_JSON_VALUES = (("category", "category"),)
STAGE_SQL = json_stage_sql(
    [(f.column, f.label) for f in FIELDS if f.kind is not Kind.JSON], _JSON_VALUES, check_json=False
)


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one webhook POST body.

    The body is parsed once in Python (it is one JSON document); each event goes to
    DuckDB as compact JSON text and its fields are read there in one pass.
    """
    doc = read_json_document(ctx.path)
    if not isinstance(doc, list):
        raise UnreadableFile(f"expected a JSON array of events, got {json_type_name(doc)}")
    records: list[str | None] = []
    reasons: list[str | None] = []
    for event in doc:
        records.append(orjson.dumps(event).decode())
        if isinstance(event, dict):
            reasons.append(None)
        else:
            reasons.append(f"event is {json_type_name(event)}, expected an object")
    frame = pd.DataFrame(
        {
            "_pos": np.arange(1, len(records) + 1, dtype=np.int64),
            "_record": pd.Series(records, dtype=object),
            "_reason": pd.Series(reasons, dtype=object),
        }
    )
    return load_frames(ctx, FIELDS, [frame], stage_sql=STAGE_SQL)
