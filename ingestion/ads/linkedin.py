"""LinkedIn Marketing API responses (``ads/linkedin_ads/{analytics,campaigns,creatives}``).

Every file is ``{"paging": {...}, "elements": [...]}``; ``_source_position`` is the
1-based ordinal of an element.

* analytics (adAnalytics, pivot=CREATIVE, DAILY): ``dateRange.start``/``end``
  ``{year, month, day}`` become ``YYYY-MM-DD`` text in date_start/date_end,
  ``pivotValues[0]`` becomes creative_urn; impressions, clicks and
  externalWebsiteConversions must be integers, costInLocalCurrency and costInUsd
  decimal strings (kept with their long tails). Key (creative URN, date_start).
* campaigns (adCampaigns): ``dailyBudget.amount``/``currencyCode`` are flattened.
  Key id.
* creatives (adCreatives): creative URN ``id`` and its ``campaign`` URN. Key id.

Every version is loaded; staging keeps the latest (later wins).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ingestion.core import (
    FileContext,
    RecordBuffer,
    RecordCounts,
    UnreadableFile,
    dig,
    json_type_name,
    load_frames,
    missing_field,
    read_json_document,
    to_json_text,
    to_text,
)
from ingestion.rules import NonNegative, NotAbove, PlausibleDate
from ingestion.tables import Field, Kind, RawTable, RepeatRule

ANALYTICS_FIELDS: tuple[Field, ...] = (
    Field("date_start", "dateRange.start", Kind.DATE, required=True),
    Field("date_end", "dateRange.end", Kind.DATE),
    Field("creative_urn", "pivotValues[0]", required=True),
    Field("impressions", "impressions", Kind.INTEGER),
    Field("clicks", "clicks", Kind.INTEGER),
    Field("external_website_conversions", "externalWebsiteConversions", Kind.INTEGER),
    Field("cost_in_local_currency", "costInLocalCurrency", Kind.DECIMAL),
    Field("cost_in_usd", "costInUsd", Kind.DECIMAL),
)

CAMPAIGN_FIELDS: tuple[Field, ...] = (
    Field("id", "id", Kind.INTEGER, required=True),
    Field("name", "name"),
    Field("account", "account", required=True),
    Field("campaign_group", "campaignGroup"),
    Field("status", "status"),
    Field("daily_budget_amount", "dailyBudget.amount", Kind.DECIMAL),
    Field("daily_budget_currency_code", "dailyBudget.currencyCode"),
)

CREATIVE_FIELDS: tuple[Field, ...] = (
    Field("id", "id", required=True),
    Field("campaign", "campaign", required=True),
)

TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="linkedin_ads",
        object="ad_analytics",
        landing_path="ads/linkedin_ads/analytics",
        file_globs=("*.json",),
        fields=ANALYTICS_FIELDS,
        key=("creative_urn", "date_start"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("date_start", "date", date(2003, 5, 5), "LinkedIn launched"),
            NonNegative("impressions"),
            NonNegative("clicks"),
            NonNegative("external_website_conversions"),
            NonNegative("cost_in_local_currency"),
            NonNegative("cost_in_usd"),
            NotAbove("clicks", "impressions"),
        ),
        record_day="date_start",
        loader="load_analytics_file",
        description=(
            "LinkedIn adAnalytics elements (pivot=CREATIVE, DAILY). date_start/date_end "
            "are the dateRange {year, month, day} objects written as YYYY-MM-DD."
        ),
    ),
    RawTable(
        source="linkedin_ads",
        object="campaigns",
        landing_path="ads/linkedin_ads/campaigns",
        file_globs=("*.json",),
        fields=CAMPAIGN_FIELDS,
        key=("id",),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(NonNegative("daily_budget_amount"),),
        currency_columns=("daily_budget_currency_code",),
        loader="load_campaigns_file",
        description="LinkedIn adCampaigns elements (campaign metadata).",
    ),
    RawTable(
        source="linkedin_ads",
        object="creatives",
        landing_path="ads/linkedin_ads/creatives",
        file_globs=("*.json",),
        fields=CREATIVE_FIELDS,
        key=("id",),
        repeat_rule=RepeatRule.LATER_WINS,
        loader="load_creatives_file",
        description="LinkedIn adCreatives elements: creative URN to campaign URN.",
    ),
)


class _BadElement(ValueError):
    pass


def _date_of(label: str, value: Any) -> str | None:
    """``{year, month, day}`` as ``YYYY-MM-DD``."""
    if value is None:
        return None
    parts = [value.get(k) for k in ("year", "month", "day")] if isinstance(value, dict) else []
    if len(parts) == 3 and all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        try:
            return date(*parts).isoformat()
        except ValueError:
            pass
    raise _BadElement(f"{label} {to_json_text(value)} is not a valid {{year, month, day}} date")


def _analytics_values(element: dict[str, Any]) -> dict[str, str | None]:
    date_range = element.get("dateRange")
    start = dig(element, "dateRange.start")
    if start is None:
        if date_range is None:
            raise _BadElement(missing_field("dateRange"))
        raise _BadElement(missing_field("dateRange.start"))
    pivot_values = element.get("pivotValues")
    if pivot_values is not None and not isinstance(pivot_values, list):
        raise _BadElement(f"pivotValues is {json_type_name(pivot_values)}, expected an array")
    return {
        "date_start": _date_of("dateRange.start", start),
        "date_end": _date_of("dateRange.end", dig(element, "dateRange.end")),
        "creative_urn": to_text(pivot_values[0]) if pivot_values else None,
        "impressions": to_text(element.get("impressions")),
        "clicks": to_text(element.get("clicks")),
        "external_website_conversions": to_text(element.get("externalWebsiteConversions")),
        "cost_in_local_currency": to_text(element.get("costInLocalCurrency")),
        "cost_in_usd": to_text(element.get("costInUsd")),
    }


def _campaign_values(element: dict[str, Any]) -> dict[str, str | None]:
    return {f.column: to_text(dig(element, f.label)) for f in CAMPAIGN_FIELDS}


def _creative_values(element: dict[str, Any]) -> dict[str, str | None]:
    return {f.column: to_text(element.get(f.label)) for f in CREATIVE_FIELDS}


def _load_elements(
    ctx: FileContext,
    fields: tuple[Field, ...],
    values_of: Callable[[dict[str, Any]], dict[str, str | None]],
) -> RecordCounts:
    doc = read_json_document(ctx.path)
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        got = json_type_name(doc) if not isinstance(doc, dict) else "an object without elements"
        raise UnreadableFile(f'expected a response {{"elements": [...]}}, got {got}')
    buffer = RecordBuffer(ctx.table.columns)
    for position, element in enumerate(doc["elements"], start=1):
        record_json = to_json_text(element)
        if not isinstance(element, dict):
            reason = f"element is {json_type_name(element)}, expected an object"
            buffer.add(position, record_json, reason=reason)
            continue
        try:
            buffer.add(position, record_json, values_of(element))
        except _BadElement as exc:
            buffer.add(position, record_json, reason=str(exc))
    return load_frames(ctx, fields, [buffer.frame()])


def load_analytics_file(ctx: FileContext) -> RecordCounts:
    """Load one adAnalytics response."""
    return _load_elements(ctx, ANALYTICS_FIELDS, _analytics_values)


def load_campaigns_file(ctx: FileContext) -> RecordCounts:
    """Load one adCampaigns response."""
    return _load_elements(ctx, CAMPAIGN_FIELDS, _campaign_values)


def load_creatives_file(ctx: FileContext) -> RecordCounts:
    """Load one adCreatives response."""
    return _load_elements(ctx, CREATIVE_FIELDS, _creative_values)
