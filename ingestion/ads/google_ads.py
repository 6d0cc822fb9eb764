"""Google Ads: ``googleAds:searchStream`` response bodies (``ads/google_ads/*.json``).

A file is a JSON array of batches ``{"results": [...], "fieldMask", "requestId"}``;
the results of all batches are flattened, and ``_source_position`` is the 1-based
ordinal of a result across the whole file. int64 values (ids, impressions, clicks,
costMicros) arrive as JSON strings and must parse as integers; an absent metric stays
null (staging reads it as 0). Key (customer.id, adGroup.id, adGroupAd.ad.id,
segments.date); every version is loaded, staging keeps the latest (later wins).
"""

from __future__ import annotations

from datetime import date

from ingestion.core import (
    FileContext,
    RecordBuffer,
    RecordCounts,
    UnreadableFile,
    dig,
    json_type_name,
    load_frames,
    read_json_document,
    to_json_text,
    to_text,
)
from ingestion.rules import NonNegative, NotAbove, PlausibleDate
from ingestion.tables import Field, Kind, RawTable, RepeatRule

FIELDS: tuple[Field, ...] = (
    Field("segments_date", "segments.date", Kind.DATE, required=True),
    Field("customer_id", "customer.id", Kind.INTEGER, required=True),
    Field("customer_currency_code", "customer.currencyCode", required=True),
    Field("customer_time_zone", "customer.timeZone"),
    Field("campaign_id", "campaign.id", Kind.INTEGER, required=True),
    Field("campaign_name", "campaign.name"),
    Field("ad_group_id", "adGroup.id", Kind.INTEGER, required=True),
    Field("ad_group_name", "adGroup.name"),
    Field("ad_id", "adGroupAd.ad.id", Kind.INTEGER, required=True),
    Field("metrics_impressions", "metrics.impressions", Kind.INTEGER),
    Field("metrics_clicks", "metrics.clicks", Kind.INTEGER),
    Field("metrics_cost_micros", "metrics.costMicros", Kind.INTEGER),
    Field("metrics_conversions", "metrics.conversions", Kind.DECIMAL),
    Field("metrics_conversions_value", "metrics.conversionsValue", Kind.DECIMAL),
)

TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="google_ads",
        object="ad_stats",
        landing_path="ads/google_ads",
        file_globs=("*.json",),
        fields=FIELDS,
        key=("customer_id", "ad_group_id", "ad_id", "segments_date"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("segments_date", "date", date(2000, 10, 23), "Google AdWords launched"),
            NonNegative("metrics_impressions"),
            NonNegative("metrics_clicks"),
            NonNegative("metrics_cost_micros"),
            NonNegative("metrics_conversions"),
            NonNegative("metrics_conversions_value"),
            NotAbove("metrics_clicks", "metrics_impressions"),
        ),
        currency_columns=("customer_currency_code",),
        record_day="segments_date",
        description="Google Ads searchStream results: one row per ad and day.",
    ),
)


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one searchStream response file."""
    doc = read_json_document(ctx.path)
    if not isinstance(doc, list):
        raise UnreadableFile(
            f"expected a JSON array of searchStream batches, got {json_type_name(doc)}"
        )
    buffer = RecordBuffer(ctx.table.columns)
    position = 0
    for batch_no, batch in enumerate(doc, start=1):
        if not isinstance(batch, dict):
            position += 1
            reason = f"batch {batch_no} is {json_type_name(batch)}, expected an object"
            buffer.add(position, to_json_text(batch), reason=reason)
            continue
        results = batch.get("results", [])
        if not isinstance(results, list):
            position += 1
            reason = f"batch {batch_no}: results is {json_type_name(results)}, expected an array"
            buffer.add(position, to_json_text(results), reason=reason)
            continue
        for result in results:
            position += 1
            record_json = to_json_text(result)
            if not isinstance(result, dict):
                reason = f"result is {json_type_name(result)}, expected an object"
                buffer.add(position, record_json, reason=reason)
                continue
            values = {f.column: to_text(dig(result, f.label)) for f in FIELDS}
            buffer.add(position, record_json, values)
    return load_frames(ctx, FIELDS, [buffer.frame()])
