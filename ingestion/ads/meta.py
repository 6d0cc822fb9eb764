"""Meta: Marketing API Insights response pages (``ads/meta_ads/*.json``).

A file is ``{"data": [...], "paging": {...}}`` (level=ad, time_increment=1). Every
number is a JSON string and must parse (integers for counts, a decimal for spend);
``actions`` (a list of ``{"action_type", "value"}``) is kept as JSON text and each
value must parse as a number. Key (account_id, ad_id, date_start); every version is
loaded, staging keeps the latest (later wins).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ingestion.core import (
    FileContext,
    RecordBuffer,
    RecordCounts,
    UnreadableFile,
    does_not_parse,
    json_type_name,
    load_frames,
    parses_as,
    read_json_document,
    to_json_text,
    to_text,
)
from ingestion.rules import NonNegative, NotAbove, PlausibleDate
from ingestion.tables import Field, Kind, RawTable, RepeatRule

FIELDS: tuple[Field, ...] = (
    Field("date_start", "date_start", Kind.DATE, required=True),
    Field("date_stop", "date_stop", Kind.DATE),
    Field("account_id", "account_id", required=True),
    Field("account_currency", "account_currency", required=True),
    Field("campaign_id", "campaign_id", required=True),
    Field("campaign_name", "campaign_name"),
    Field("adset_id", "adset_id"),
    Field("adset_name", "adset_name"),
    Field("ad_id", "ad_id", required=True),
    Field("ad_name", "ad_name"),
    Field("impressions", "impressions", Kind.INTEGER),
    Field("clicks", "clicks", Kind.INTEGER),
    Field("inline_link_clicks", "inline_link_clicks", Kind.INTEGER),
    Field("reach", "reach", Kind.INTEGER),
    Field("spend", "spend", Kind.DECIMAL),
    Field("actions", "actions", Kind.JSON),
)

TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="meta_ads",
        object="insights",
        landing_path="ads/meta_ads",
        file_globs=("*.json",),
        fields=FIELDS,
        key=("account_id", "ad_id", "date_start"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("date_start", "date", date(2004, 2, 4), "Facebook launched"),
            NonNegative("impressions"),
            NonNegative("clicks"),
            NonNegative("inline_link_clicks"),
            NonNegative("reach"),
            NonNegative("spend"),
            NotAbove("clicks", "impressions"),
            NotAbove("inline_link_clicks", "clicks"),
            NotAbove("reach", "impressions"),
        ),
        currency_columns=("account_currency",),
        record_day="date_start",
        description="Meta Marketing API Insights rows (level=ad, daily).",
    ),
)


def _actions_problem(actions: Any) -> str | None:
    if actions is None:
        return None
    if not isinstance(actions, list):
        return f"actions is {json_type_name(actions)}, expected an array"
    for action in actions:
        if not isinstance(action, dict):
            return f"an actions entry is {json_type_name(action)}, expected an object"
        value = to_text(action.get("value"))
        if value is not None and (
            isinstance(action.get("value"), dict | list) or not parses_as(Kind.DECIMAL, value)
        ):
            return does_not_parse(
                f"actions value ({action.get('action_type')})", Kind.DECIMAL, value
            )
    return None


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one Insights response page."""
    doc = read_json_document(ctx.path)
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        got = json_type_name(doc) if not isinstance(doc, dict) else "an object without data"
        raise UnreadableFile(f'expected an Insights page {{"data": [...]}}, got {got}')
    buffer = RecordBuffer(ctx.table.columns)
    for position, row in enumerate(doc["data"], start=1):
        record_json = to_json_text(row)
        if not isinstance(row, dict):
            buffer.add(
                position, record_json, reason=f"row is {json_type_name(row)}, expected an object"
            )
            continue
        values = {f.column: to_text(row.get(f.label)) for f in FIELDS}
        values["actions"] = to_json_text(row.get("actions"))
        buffer.add(position, record_json, values, reason=_actions_problem(row.get("actions")))
    return load_frames(ctx, FIELDS, [buffer.frame()])
