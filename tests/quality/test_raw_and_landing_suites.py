"""The raw layer's quality suites and the landing reconciliation, on hand-made rows.

Each rule has a clean fixture that passes and a poisoned one that must fail, with the
failing count and the example row a reader would look at.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingestion.registry import (
    LEDGER_TABLE,
    LINEAGE_COLUMNS,
    QUARANTINE_TABLE,
    create_raw_layer,
    raw_table,
)
from quality.landing import landing_suites
from quality.model import CheckContext, Severity
from quality.raw import raw_suites

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
LOADED_AT = datetime(2026, 10, 1, 6, 0)


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    create_raw_layer(connection)
    yield connection
    connection.close()


def insert(
    conn: duckdb.DuckDBPyConnection,
    source: str,
    object_: str,
    rows: list[dict],
    *,
    load_id: str = "load-1",
    loaded_at: datetime = LOADED_AT,
    source_file: str = "file-1.json",
) -> None:
    table = raw_table(source, object_)
    lineage = [name for name, _ in LINEAGE_COLUMNS]
    columns = [*table.columns, *lineage]
    records = []
    for position, row in enumerate(rows, start=1):
        vendor = {c: row.get(c) for c in table.columns}
        records.append(
            [*vendor.values(), json.dumps(vendor), source_file, position, load_id, loaded_at]
        )
    frame = pd.DataFrame(records, columns=columns)  # noqa: F841 - read by DuckDB below
    quoted = ", ".join(f'"{c}"' for c in columns)
    conn.execute(f"insert into {table.qualified_name} ({quoted}) select {quoted} from frame")


def run(conn: duckdb.DuckDBPyConnection, suite_name: str, landing_dir: Path | None = None):
    suites = {s.name: s for s in [*raw_suites(), *landing_suites()]}
    return suites[suite_name].run(conn, CheckContext(now=NOW, landing_dir=landing_dir))


def google_row(**overrides: str | None) -> dict:
    row = {
        "segments_date": "2026-09-28",
        "customer_id": "4817263950",
        "customer_currency_code": "USD",
        "customer_time_zone": "America/New_York",
        "campaign_id": "111",
        "campaign_name": "Brand",
        "ad_group_id": "222",
        "ad_group_name": "Brand exact",
        "ad_id": "333",
        "metrics_impressions": "1000",
        "metrics_clicks": "25",
        "metrics_cost_micros": "12500000",
        "metrics_conversions": "2.0",
        "metrics_conversions_value": "300.0",
    }
    row.update(overrides)
    return row


def test_clean_google_ads_rows_pass_every_rule(conn):
    insert(conn, "google_ads", "ad_stats", [google_row(), google_row(ad_id="334")])

    results = run(conn, "raw.google_ads__ad_stats")

    assert {name: r.passed for name, r in results.items()} == {
        "required_fields_present": True,
        "values_parse": True,
        "values_in_range": True,
        "currency_codes_are_iso_4217": True,
        "timestamps_not_in_future": True,
        "daily_volume_as_usual": True,
    }
    assert results["values_in_range"].rows_checked == 2
    assert results["values_in_range"].expectations_evaluated == 6


def test_negative_spend_and_clicks_above_impressions_break_values_in_range(conn):
    insert(
        conn,
        "google_ads",
        "ad_stats",
        [
            google_row(),
            google_row(ad_id="334", metrics_cost_micros="-5000000"),
            google_row(ad_id="335", metrics_impressions="10", metrics_clicks="11"),
        ],
    )

    result = run(conn, "raw.google_ads__ad_stats")["values_in_range"]

    assert not result.passed
    by_rule = {f.expectation: f for f in result.failures}
    assert set(by_rule) == {
        "metrics_cost_micros >= 0",
        "metrics_clicks <= metrics_impressions",
    }
    negative = by_rule["metrics_cost_micros >= 0"]
    assert negative.unexpected_count == 1
    [example] = negative.examples
    assert example["metrics_cost_micros"] == "-5000000"
    assert example["key_ad_id"] == "334"
    assert example["_source_file"] == "file-1.json"
    assert example["_source_position"] == 2
    assert by_rule["metrics_clicks <= metrics_impressions"].unexpected_count == 1
    assert "metrics_cost_micros >= 0: 1 row(s) break it" in result.summary


def test_currency_that_is_not_iso_4217_is_blocking(conn):
    insert(
        conn,
        "google_ads",
        "ad_stats",
        [google_row(), google_row(ad_id="334", customer_currency_code="US$")],
    )

    result = run(conn, "raw.google_ads__ad_stats")["currency_codes_are_iso_4217"]

    assert not result.passed
    assert result.failures[0].unexpected_count == 1
    assert result.failures[0].examples[0]["customer_currency_code"] == "US$"
    spec = next(s for s in raw_suites() if s.name == "raw.google_ads__ad_stats").specs
    assert {s.name: s.severity for s in spec}["currency_codes_are_iso_4217"] is Severity.BLOCKING


def test_missing_and_unparseable_fields(conn):
    insert(
        conn,
        "google_ads",
        "ad_stats",
        [
            google_row(ad_id=None),
            google_row(ad_id="334", metrics_clicks="twelve"),
            google_row(ad_id="335", metrics_clicks=None),  # absent is fine: no clicks
        ],
    )

    results = run(conn, "raw.google_ads__ad_stats")

    required = results["required_fields_present"]
    assert not required.passed
    assert [(f.expectation, f.unexpected_count) for f in required.failures] == [
        ("ad_id is present", 1)
    ]
    parse = results["values_parse"]
    assert [(f.expectation, f.unexpected_count) for f in parse.failures] == [
        ("metrics_clicks parses", 1)
    ]
    assert parse.failures[0].examples[0]["metrics_clicks"] == "twelve"


def test_only_the_latest_load_batch_is_validated(conn):
    insert(
        conn,
        "google_ads",
        "ad_stats",
        [google_row(metrics_cost_micros="-1")],
        load_id="load-0",
        loaded_at=LOADED_AT - timedelta(days=1),
    )
    insert(conn, "google_ads", "ad_stats", [google_row(ad_id="334")], load_id="load-1")

    result = run(conn, "raw.google_ads__ad_stats")["values_in_range"]

    assert result.passed
    assert result.rows_checked == 1
    assert result.metadata["load_id"] == "load-1"


def segment_row(message_id: str, timestamp: str, **overrides: str | None) -> dict:
    row = {
        "message_id": message_id,
        "type": "page",
        "anonymous_id": f"anon-{message_id}",
        "timestamp": timestamp,
    }
    row.update(overrides)
    return row


def test_segment_warnings_unknown_type_and_future_timestamp(conn):
    insert(
        conn,
        "segment",
        "events",
        [
            segment_row("m1", "2026-09-30T10:00:00.000Z"),
            segment_row("m2", "2026-09-30T10:00:00.000Z", type="pageview"),
            # One day of tolerance: 2026-10-02T11:00Z is fine, 2026-10-03 is not.
            segment_row("m3", "2026-10-02T11:00:00.000Z"),
            segment_row("m4", "2026-10-03T00:00:00.000+02:00"),
            segment_row("m5", "2026-09-30T10:00:00.000Z", anonymous_id=None, user_id="u5"),
        ],
    )

    results = run(conn, "raw.segment__events")

    assert results["required_fields_present"].passed
    types = results["event_types_are_known"]
    assert not types.passed
    assert types.failures[0].unexpected_count == 1
    assert types.failures[0].examples[0]["type"] == "pageview"
    future = results["timestamps_not_in_future"]
    assert not future.passed
    assert future.failures[0].unexpected_count == 1
    assert future.failures[0].examples[0]["timestamp"] == "2026-10-03T00:00:00.000+02:00"
    severities = {
        spec.name: spec.severity
        for suite in raw_suites()
        if suite.name == "raw.segment__events"
        for spec in suite.specs
    }
    assert severities["event_types_are_known"] is Severity.WARNING
    assert severities["timestamps_not_in_future"] is Severity.WARNING


def test_segment_event_without_any_identifier_is_caught(conn):
    insert(
        conn,
        "segment",
        "events",
        [segment_row("m1", "2026-09-30T10:00:00.000Z", anonymous_id=None, user_id=None)],
    )

    result = run(conn, "raw.segment__events")["required_fields_present"]

    assert [(f.expectation, f.unexpected_count) for f in result.failures] == [
        ("anonymous_id or user_id is present", 1)
    ]


def test_a_tiny_day_in_the_latest_load_is_a_volume_warning(conn):
    # 28 days of 200 events each, then a load with 200, 5, 200 and a last (cut-off) day.
    history = []
    start = datetime(2026, 8, 1)
    for day in range(28):
        stamp = (start + timedelta(days=day, hours=12)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        history += [segment_row(f"h{day}-{i}", stamp) for i in range(200)]
    insert(conn, "segment", "events", history, load_id="load-0", loaded_at=LOADED_AT)
    latest = []
    for day, count in ((28, 200), (29, 5), (30, 200), (31, 1)):
        stamp = (start + timedelta(days=day, hours=12)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        latest += [segment_row(f"n{day}-{i}", stamp) for i in range(count)]
    insert(conn, "segment", "events", latest, load_id="load-1", loaded_at=LOADED_AT + timedelta(1))

    result = run(conn, "raw.segment__events")["daily_volume_as_usual"]

    assert not result.passed
    # Judged: Aug 29, 30, 31 (Sep 1 is the batch's last day, cut off by the drop).
    assert result.rows_checked == 3
    [failure] = result.failures
    assert failure.unexpected_count == 1
    [example] = failure.examples
    assert str(example["day"]).startswith("2026-08-30")
    assert example["rows"] == 5
    assert example["usual_rows"] == 200


def test_empty_table_passes_with_a_clear_summary(conn):
    results = run(conn, "raw.meta_ads__insights")
    assert all(r.passed for r in results.values())
    assert "is empty" in results["values_in_range"].summary


def test_fx_rate_must_be_positive(conn):
    insert(
        conn,
        "fx",
        "ecb_rates",
        [
            {"rate_date": "2026-09-30", "currency_code": "USD", "rate": "1.1"},
            {"rate_date": "2026-09-30", "currency_code": "GBP", "rate": "0"},
        ],
    )
    result = run(conn, "raw.fx__ecb_rates")["values_in_range"]
    assert [(f.expectation, f.unexpected_count) for f in result.failures] == [("rate > 0", 1)]


def ledger(conn, object_file: str, read: int, loaded: int, dup: int, quarantined: int) -> None:
    conn.execute(
        f"insert into {LEDGER_TABLE} values ('google_ads', 'ad_stats', ?, 'sha', 1, "
        f"'loaded', ?, ?, ?, ?, null, 'load-1', ?)",
        [object_file, read, loaded, dup, quarantined, LOADED_AT],
    )


def quarantine(conn, source_file: str, reason: str) -> None:
    conn.execute(
        f"insert into {QUARANTINE_TABLE} values ('google_ads', 'ad_stats', ?, 1, '{{}}', ?, "
        f"'load-1', ?)",
        [source_file, reason, LOADED_AT],
    )


def test_landing_records_accounted_for_and_quarantine_warning(conn, tmp_path):
    delivered = "ads/google_ads/file-1.json"  # paths are relative to the landing zone
    insert(
        conn,
        "google_ads",
        "ad_stats",
        [google_row(), google_row(ad_id="334")],
        source_file=delivered,
    )
    ledger(conn, delivered, read=4, loaded=2, dup=1, quarantined=1)
    quarantine(conn, delivered, "metrics.costMicros '12O3456' does not parse as an integer")
    landing = tmp_path / "landing"
    (landing / "ads/google_ads").mkdir(parents=True)
    (landing / "ads/google_ads/file-1.json").write_text("[]")
    (landing / "ads/google_ads/file-2.json").write_text("[]")  # arrived after the load

    results = run(conn, "landing.google_ads__ad_stats", landing_dir=landing)

    accounted = results["landing_records_accounted_for"]
    assert accounted.passed
    assert accounted.summary == (
        "4 records read from 1 file(s) = 2 loaded + 1 duplicates + 1 quarantined; "
        "1 landing file(s) not loaded yet"
    )
    quarantined = results["no_records_quarantined"]
    assert not quarantined.passed
    assert quarantined.metadata["by_reason"] == {
        "metrics.costMicros '12O3456' does not parse as an integer": 1
    }
    assert "1 record(s) quarantined" in quarantined.summary


def test_a_record_lost_between_ledger_and_raw_fails_the_reconciliation(conn):
    insert(conn, "google_ads", "ad_stats", [google_row()])  # the ledger says 2 loaded
    ledger(conn, "file-1.json", read=3, loaded=2, dup=0, quarantined=0)

    result = run(conn, "landing.google_ads__ad_stats")["landing_records_accounted_for"]

    assert not result.passed
    by_rule = {f.expectation: f for f in result.failures}
    assert set(by_rule) == {
        "records read = loaded + duplicates + quarantined",
        "records in the raw table = records loaded",
    }
    example = by_rule["records in the raw table = records loaded"].examples[0]
    assert example["_source_file"] == "file-1.json"
    assert (example["rows_in_raw"], example["records_loaded"]) == (1, 2)


def test_raw_rows_without_a_ledger_file_fail_the_reconciliation(conn):
    insert(conn, "google_ads", "ad_stats", [google_row()], source_file="sneaked-in.json")

    result = run(conn, "landing.google_ads__ad_stats")["landing_records_accounted_for"]

    assert not result.passed
    assert [(f.expectation, f.unexpected_count) for f in result.failures] == [
        ("every raw row comes from a file in the ledger", 1)
    ]
