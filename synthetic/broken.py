"""Where the injected broken records go: fixed fractions of the full drop schedule,
the same at every scale (so the counts are the same at every scale too)."""

from __future__ import annotations

# (table, kind) -> fractions of the schedule (0 = first drop, 1 = last)
PLAN: dict[tuple[str, str], tuple[float, ...]] = {
    ("segment/events", "broken_json"): (0.2, 0.65),
    ("segment/events", "no_identity"): (0.3, 0.75),
    ("segment/events", "bad_timestamp"): (0.4, 0.85),
    ("sendgrid/events", "missing_sg_event_id"): (0.25, 0.7),
    ("sendgrid/events", "bad_timestamp"): (0.55,),
    ("salesforce/lead", "wrong_field_count"): (0.35,),
    ("salesforce/lead", "bad_datetime"): (0.6,),
    ("salesforce/opportunity", "bad_datetime"): (0.8,),
    ("google_ads/ad_stats", "bad_cost_micros"): (0.15, 0.6),
    ("meta_ads/insights", "missing_date_start"): (0.45,),
    ("meta_ads/insights", "bad_spend"): (0.9,),
    ("linkedin_ads/ad_analytics", "missing_pivot"): (0.3,),
    ("linkedin_ads/ad_analytics", "bad_cost"): (0.7,),
}
UNREADABLE_AT = 0.5
"""The one wholly unreadable file: a ``.jsonl.gz`` in web/segment that is not gzip."""

REASONS = {
    "broken_json": "line is not valid JSON (truncated)",
    "no_identity": "neither anonymousId nor userId",
    "bad_timestamp": "timestamp does not parse",
    "missing_sg_event_id": "missing key sg_event_id",
    "wrong_field_count": "CSV row has the wrong number of fields",
    "bad_datetime": "datetime does not parse",
    "bad_cost_micros": "metrics.costMicros is not an int64",
    "missing_date_start": "missing date_start",
    "bad_spend": "spend is not a number",
    "missing_pivot": "missing pivotValues (creative URN)",
    "bad_cost": "costInUsd is not a number",
}


def drop_at(fraction: float, n_drops: int) -> int:
    return round(fraction * (n_drops - 1))


def planned(table: str, n_drops: int) -> list[tuple[int, str]]:
    """(drop index, kind) of the broken records of ``table``, in drop order."""
    out = [(drop_at(f, n_drops), kind) for (t, kind), fs in PLAN.items() if t == table for f in fs]
    return sorted(out)
