"""Incremental models pick up late and restated data exactly as a full build would.

One warehouse: a first load (06:00 on 2026-03-10) and a full `dbt build` of staging and
the web models; then a second load (06:00 on 2026-03-31) with

- Google Ads ad 33's 2026-03-01 restated four weeks later (a platform may restate up
  to 28 days back): 150 impressions become 170;
- a Segment page view of browser anon-a that happened on 2026-03-02 between its two
  sessions but arrived four weeks late: the gaps 08:00 -> 08:25 -> 08:50 are 25
  minutes each, so the two sessions become one;

and an incremental `dbt build` (staging, the web events and their sessions,
int_web_sessions_aggregated). Rows of keys and browsers the second load did not touch
keep their first build (a sentinel value written into them survives); every touched
value equals what `dbt build --full-refresh` gives afterwards.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

FIRST_LOAD = datetime(2026, 3, 10, 6, 0)  # conftest.LOADED_AT
SECOND_LOAD = datetime(2026, 3, 31, 6, 0)
SELECT = ["build", "--select", "staging", "+int_web_sessions_aggregated"]


def _ad(ad_id: str, impressions: str, source_file: str, position: int) -> dict:
    return {
        "customer_id": "111",
        "campaign_id": "7001",
        "ad_group_id": "22",
        "ad_id": ad_id,
        "segments_date": "2026-03-01",
        "customer_currency_code": "USD",
        "metrics_impressions": impressions,
        "_source_file": source_file,
        "_source_position": position,
    }


def _page(message_id: str, anonymous_id: str, timestamp: str, source_file: str) -> dict:
    return {
        "message_id": message_id,
        "type": "page",
        "anonymous_id": anonymous_id,
        "timestamp": timestamp,
        "context_page_url": "https://www.acme.example/",
        "_source_file": source_file,
        "_source_position": int(message_id.split("-")[-1]),
    }


FIRST = {
    ("google_ads", "ad_stats"): [
        _ad("33", "150", "ads/google_ads/2026-03-02.json", 1),
        _ad("34", "10", "ads/google_ads/2026-03-02.json", 2),
    ],
    ("segment", "events"): [
        _page("seg-1", "anon-a", "2026-03-02T08:00:00Z", "web/segment/2026-03-03.jsonl"),
        _page("seg-2", "anon-a", "2026-03-02T08:50:00Z", "web/segment/2026-03-03.jsonl"),
        _page("seg-3", "anon-b", "2026-03-02T09:00:00Z", "web/segment/2026-03-03.jsonl"),
    ],
}
SECOND = {
    ("google_ads", "ad_stats"): [_ad("33", "170", "ads/google_ads/2026-03-30.json", 5)],
    ("segment", "events"): [
        _page("seg-4", "anon-a", "2026-03-02T08:25:00Z", "web/segment/2026-03-30.jsonl"),
    ],
}


def _load(dbt_harness, warehouse: Path, batch: dict, loaded_at: datetime) -> None:
    for (source, object_), rows in batch.items():
        dbt_harness.insert_raw(warehouse, source, object_, rows)
        files = sorted({row["_source_file"] for row in rows})
        with duckdb.connect(str(warehouse)) as conn:
            conn.execute(
                f"update raw.{source}__{object_} set _loaded_at = ? "
                f"where _source_file in ({', '.join('?' for _ in files)})",
                [loaded_at, *files],
            )


def _state(dbt_harness, warehouse: Path) -> dict[str, list[tuple]]:
    return {
        "ads": dbt_harness.query(
            warehouse,
            "select ad_id, impressions, _source_file, _loaded_at "
            "from staging.stg_google_ads__ad_stats order by ad_id",
        ),
        "events": dbt_harness.query(
            warehouse,
            "select event_id, browser_id, session_start_event_id, browser_session_number, "
            "_loaded_at from intermediate.int_web_events_sessionized order by event_id",
        ),
        "sessions": dbt_harness.query(
            warehouse,
            "select browser_id, session_start_event_id, browser_session_number, event_count, "
            "session_started_at, session_ended_at, _loaded_at "
            "from intermediate.int_web_sessions_aggregated order by browser_id, "
            "browser_session_number",
        ),
    }


@pytest.fixture(scope="module")
def builds(dbt_harness, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    work_dir = tmp_path_factory.mktemp("incremental")
    warehouse = dbt_harness.create_warehouse(work_dir / "warehouse.duckdb")
    _load(dbt_harness, warehouse, FIRST, FIRST_LOAD)
    dbt_harness.run_dbt(SELECT, warehouse, work_dir)
    first = _state(dbt_harness, warehouse)
    # Sentinels: rows the second load does not touch are marked in place; an
    # incremental build leaves them as they are, a full build puts the true values back.
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(
            "update staging.stg_google_ads__ad_stats set impressions = 11 where ad_id = '34'"
        )
        conn.execute(
            "update intermediate.int_web_events_sessionized set browser_session_number = 5 "
            "where event_id = 'seg-3'"
        )
        conn.execute(
            "update intermediate.int_web_sessions_aggregated set event_count = 9 "
            "where browser_id = 'anon-b'"
        )
    _load(dbt_harness, warehouse, SECOND, SECOND_LOAD)
    dbt_harness.run_dbt(SELECT, warehouse, work_dir)
    incremental = _state(dbt_harness, warehouse)
    dbt_harness.run_dbt([*SELECT, "--full-refresh"], warehouse, work_dir)
    full = _state(dbt_harness, warehouse)
    return {"first": first, "incremental": incremental, "full": full}


def test_the_first_build_has_two_sessions_for_anon_a(builds) -> None:
    assert [row[:4] for row in builds["first"]["events"]] == [
        ("seg-1", "anon-a", "seg-1", 1),
        ("seg-2", "anon-a", "seg-2", 2),
        ("seg-3", "anon-b", "seg-3", 1),
    ]


def test_a_restatement_four_weeks_later_replaces_the_day(builds) -> None:
    assert builds["incremental"]["ads"] == [
        ("33", 170, "ads/google_ads/2026-03-30.json", SECOND_LOAD),
        # not re-read (the sentinel is still there)
        ("34", 11, "ads/google_ads/2026-03-02.json", FIRST_LOAD),
    ]


def test_a_late_event_joins_the_browsers_sessions(builds) -> None:
    assert builds["incremental"]["events"] == [
        ("seg-1", "anon-a", "seg-1", 1, FIRST_LOAD),
        ("seg-2", "anon-a", "seg-1", 1, FIRST_LOAD),
        # browser anon-b had no new event: not re-sessionized (the sentinel is there)
        ("seg-3", "anon-b", "seg-3", 5, FIRST_LOAD),
        ("seg-4", "anon-a", "seg-1", 1, SECOND_LOAD),
    ]


def test_incremental_equals_full_refresh_on_what_the_load_touched(builds) -> None:
    full, incremental = builds["full"], builds["incremental"]
    assert full["ads"][1] == ("34", 10, "ads/google_ads/2026-03-02.json", FIRST_LOAD)
    assert full["events"][2] == ("seg-3", "anon-b", "seg-3", 1, FIRST_LOAD)
    assert full["ads"][0] == incremental["ads"][0]
    assert [full["events"][i] for i in (0, 1, 3)] == [incremental["events"][i] for i in (0, 1, 3)]


def _at(hh_mm: str) -> datetime:
    return datetime.fromisoformat(f"2026-03-02 {hh_mm}:00")


def test_the_first_build_aggregates_two_sessions_for_anon_a(builds) -> None:
    assert builds["first"]["sessions"] == [
        ("anon-a", "seg-1", 1, 1, _at("08:00"), _at("08:00"), FIRST_LOAD),
        ("anon-a", "seg-2", 2, 1, _at("08:50"), _at("08:50"), FIRST_LOAD),
        ("anon-b", "seg-3", 1, 1, _at("09:00"), _at("09:00"), FIRST_LOAD),
    ]


def test_a_late_event_replaces_the_browsers_sessions_and_no_other(builds) -> None:
    assert builds["incremental"]["sessions"] == [
        # the late 08:25 event joins anon-a's two sessions: one row, the seg-2 one is gone
        ("anon-a", "seg-1", 1, 3, _at("08:00"), _at("08:50"), SECOND_LOAD),
        # browser anon-b had no new event: its session was not aggregated again
        ("anon-b", "seg-3", 1, 9, _at("09:00"), _at("09:00"), FIRST_LOAD),
    ]
    full = builds["full"]["sessions"]
    assert full[0] == builds["incremental"]["sessions"][0]
    assert full[1] == ("anon-b", "seg-3", 1, 1, _at("09:00"), _at("09:00"), FIRST_LOAD)
