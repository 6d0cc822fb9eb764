"""End to end, as a user runs it: `journey generate`, then `journey refresh` twice.

Expected numbers come from the generator's own account of what it wrote (records,
injected broken records, duplicate deliveries), which its tests check against the
files; here they must come out of the warehouse unchanged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.registry import RAW_TABLES
from synthetic import GenerationSummary

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


@dataclass
class Refresh:
    returncode: int
    stdout: str
    stderr: str


def _journey(env: dict[str, str], *args: str) -> Refresh:
    done = subprocess.run(
        [JOURNEY, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return Refresh(done.returncode, done.stdout, done.stderr)


def _counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'staging')"
        ).fetchall()
        return {
            f"{s}.{t}": conn.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
            for s, t in tables
        }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_build):
    # the first refresh is the session's shared one (tests/conftest.py), copied here
    root = demo_build.copy_to(tmp_path_factory.mktemp("demo"))
    env = {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(root / "landing"),
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    summary = demo_build.summary
    first = Refresh(demo_build.returncode, demo_build.stdout, demo_build.stderr)
    after_first = _counts(root / "warehouse.duckdb") if first.returncode == 0 else {}
    if first.returncode == 0:
        shutil.copyfile(root / "warehouse.duckdb", root / "after-first.duckdb")
    # The second refresh rebuilds and republishes every model although no file is new:
    # its warehouse forgets which loaded records its last published build covered (the
    # same project built it, so the build stays incremental), so every incremental
    # model looks for new rows and finds none. A BI reader hammers the published file
    # meanwhile.
    if first.returncode == 0:
        with duckdb.connect(str(root / "warehouse.duckdb")) as conn:
            conn.execute("update raw._refresh_state set ledger_through = null")
    stop = root / "stop-reading"
    script = root / "reader.py"
    script.write_text(READER)
    reader = subprocess.Popen(
        [sys.executable, str(script), str(root / "serving.duckdb"), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    second = _journey(env, "refresh")
    stop.write_text("")
    reads = json.loads(reader.communicate(timeout=120)[0])
    return summary, env, root, first, after_first, second, reads


@pytest.fixture(scope="module")
def third(demo):
    """A third refresh, nothing new since the second: (result, seconds, published
    file's bytes and modification time before and after)."""
    _, env, root, _, _, second, _ = demo
    assert second.returncode == 0
    serving = root / "serving.duckdb"
    before = (serving.read_bytes(), serving.stat().st_mtime_ns)
    runs_before = sorted((root / "dagster_home").rglob("*"))
    started = time.monotonic()
    result = _journey(env, "refresh")
    seconds = time.monotonic() - started
    after = (serving.read_bytes(), serving.stat().st_mtime_ns)
    runs_after = sorted((root / "dagster_home").rglob("*"))
    return result, seconds, before == after, runs_before == runs_after


READER = """
import json, sys, time
from pathlib import Path
import duckdb

path, stop = sys.argv[1], Path(sys.argv[2])
reads = errors = inconsistent = 0
messages = []
while not stop.exists():
    reads += 1
    try:
        with duckdb.connect(path, read_only=True) as conn:
            published = dict(conn.execute(
                "select table_name, row_count from marts._publication"
            ).fetchall())
            actual = {
                name: conn.execute(f'select count(*) from marts."{name}"').fetchone()[0]
                for name in published
            }
        if actual != published or len(published) < 10:
            inconsistent += 1
    except Exception as exc:
        errors += 1
        messages.append(repr(exc))
    time.sleep(0.05)
print(json.dumps({"reads": reads, "errors": errors, "inconsistent": inconsistent,
                  "messages": messages[:3]}))
"""


def test_refresh_succeeds_and_prints_a_summary(demo) -> None:
    _, _, root, first, _, _, _ = demo
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "refresh succeeded" in first.stdout
    assert re.search(r"^warehouse file: \S+/warehouse\.duckdb$", first.stdout, re.MULTILINE)
    assert "built raw/segment/events" in first.stdout
    # dbt's own log goes to the run log, not the terminal
    assert "Running with dbt=" not in first.stdout


def test_every_raw_table_holds_what_the_generator_wrote(demo) -> None:
    summary: GenerationSummary = demo[0]
    counts = demo[4]  # after the first refresh
    for table in RAW_TABLES:
        key = f"{table.source}/{table.object}"
        assert counts[f"raw.{table.table_name}"] == summary.loaded(key), key


def test_every_bad_record_is_quarantined_with_a_reason(demo) -> None:
    summary: GenerationSummary = demo[0]
    root = demo[2]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        by_table = dict(
            conn.execute(
                "select source || '/' || object, count(*) from raw._quarantine "
                "where source_position is not null group by 1"
            ).fetchall()
        )
        whole_files = {
            row[0]
            for row in conn.execute(
                "select source_file from raw._quarantine where source_position is null"
            ).fetchall()
        }
        (empty_reasons,) = conn.execute(
            "select count(*) from raw._quarantine where coalesce(reason, '') = ''"
        ).fetchone()
    assert by_table == {t: n for t, n in summary.broken.items() if n}
    assert whole_files == set(summary.unreadable_files)
    assert empty_reasons == 0


def test_the_ledger_adds_up_for_every_file(demo) -> None:
    summary: GenerationSummary = demo[0]
    root = demo[2]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        files, bad = conn.execute(
            """
            select
                count(*),
                count(*) filter (
                    where records_read
                        <> records_loaded + records_duplicate + records_quarantined
                )
            from raw._file_ledger
            """
        ).fetchone()
        duplicates = dict(
            conn.execute(
                "select source || '/' || object, sum(records_duplicate) from raw._file_ledger "
                "group by 1 having sum(records_duplicate) > 0"
            ).fetchall()
        )
    assert files == summary.total_files
    assert bad == 0
    assert duplicates == {t: n for t, n in summary.duplicates.items() if n}


def test_a_second_refresh_changes_nothing(demo, differences) -> None:
    _, _, root, _, after_first, second, _ = demo
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert _counts(root / "warehouse.duckdb") == after_first
    # no row of staging, intermediate or marts changed, lineage columns included: the
    # incremental models found nothing loaded since their last build
    assert differences(root / "after-first.duckdb", root / "warehouse.duckdb", frozenset()) == {}
    assert "built raw/segment/events: 0 rows loaded, 0 duplicates, 0 quarantined" in (second.stdout)
    assert second.stdout.splitlines()[0].endswith("(incremental)")


def test_a_refresh_with_nothing_new_does_nothing(demo, third) -> None:
    """No new landing file and a published build that covers every loaded record: the
    refresh reads no file, starts no Dagster run, rebuilds and republishes nothing.
    (Its speed is measured by benchmarks/refresh.py, not asserted here.)"""
    _, _, root, _, _, second, _ = demo
    result, seconds, same_published_file, same_dagster_home = third
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "nothing new: the " in result.stdout
    assert "landing files are all in the ledger" in result.stdout
    assert re.search(r"^refresh succeeded in [0-9.]+s: nothing to do$", result.stdout, re.M)
    assert same_published_file and same_dagster_home
    print(f"no-op refresh: {seconds:.1f}s (the second, which rebuilt everything: see its log)")
    # the second refresh said where its time went, step by step
    assert "where the time went:" in second.stdout
    timing = re.search(
        r"^  load_segment +([0-9.]+)s  load ([0-9.]+)s, raw checks", second.stdout, re.M
    )
    assert timing is not None, second.stdout[-3000:]
    assert re.search(r"^  journey_dbt +[0-9.]+s  done$", second.stdout, re.M)
    assert re.search(r"^  total +[0-9.]+s", second.stdout, re.M)


def test_generate_if_empty_leaves_a_filled_landing_zone_alone(demo) -> None:
    _, env, _, _, _, _, _ = demo
    run = _journey(env, "generate", "--if-empty")
    assert run.returncode == 0
    assert "already has files: not generating" in run.stdout


def test_a_failing_step_makes_refresh_exit_non_zero(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("a file where the warehouse folder should be")
    env = {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(tmp_path / "landing"),
        "JOURNEY_WAREHOUSE": str(blocker / "warehouse.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    run = _journey(env, "refresh")
    assert run.returncode == 1
    assert "refresh FAILED" in run.stderr
    assert "load_" in run.stderr


def test_refresh_publishes_the_marts_and_a_report(demo) -> None:
    _, _, root, _, _, _, _ = demo
    with duckdb.connect(str(root / "serving.duckdb"), read_only=True) as conn:
        published = dict(
            conn.execute("select table_name, row_count from marts._publication").fetchall()
        )
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        for name, rows in published.items():
            assert conn.execute(f'select count(*) from marts."{name}"').fetchone()[0] == rows
    # the 10 marts of the contract and the extra sales marts, fct_opportunities and the
    # calendar dim_dates
    assert "mart_sales_monthly" in published and len(published) == 12
    latest = root / "reports" / "latest.html"
    assert latest.exists() and "Revenue" in latest.read_text()


def test_a_reader_of_the_published_file_never_fails_during_a_refresh(demo) -> None:
    reads = demo[6]
    print(f"reader during the second refresh: {reads}")
    assert reads["reads"] >= 50
    assert (reads["errors"], reads["inconsistent"]) == (0, 0), reads["messages"]


def _publication(serving: Path) -> list[tuple]:
    with duckdb.connect(str(serving), read_only=True) as conn:
        return conn.execute(
            "select table_name, row_count, data_run_id from marts._publication order by 1"
        ).fetchall()


def _marketing_spend(warehouse: Path) -> float:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute("select sum(spend) from marts.mart_marketing_daily").fetchone()[0]


def _google_ads_file(cost_micros: str, currency: str = "USD") -> str:
    """One Google Ads searchStream row in the vendor's shape (a restated later day)."""
    result = {
        "customer": {
            "resourceName": "customers/4817263950",
            "id": "4817263950",
            "currencyCode": currency,
            "timeZone": "America/New_York",
        },
        "campaign": {
            "resourceName": "customers/4817263950/campaigns/34554948369",
            "id": "34554948369",
            "name": "Search - Brand - US",
        },
        "adGroup": {
            "resourceName": "customers/4817263950/adGroups/865969145701",
            "id": "865969145701",
            "name": "Brand Exact",
        },
        "adGroupAd": {
            "resourceName": "customers/4817263950/adGroupAds/865969145701~259637609313",
            "ad": {"resourceName": "customers/4817263950/ads/259637609313", "id": "259637609313"},
        },
        "metrics": {"clicks": "3", "costMicros": cost_micros, "impressions": "40"},
        "segments": {"date": "2026-09-29"},
    }
    return json.dumps([{"results": [result]}])


def test_a_poisoned_landing_zone_fails_the_refresh_with_a_readable_reason(demo) -> None:
    """Runs last: it adds two Google Ads files to the demo landing zone.

    A negative cost cannot be true of one record: the loader quarantines the row with
    the rule and its value, the refresh succeeds, and the negative spend never reaches
    raw or the marts. A currency code no FX source knows is a blocking raw check
    (currency_codes_are_iso_4217): refresh exits 1, says which rule broke, and leaves
    every model downstream of raw/google_ads/ad_stats at its last good build. Every
    mart but the calendar dim_dates is built from Google Ads (campaign names, the FX
    span), so the published file holds each of them back at its last good build and
    says by which rule; dim_dates is published fresh. `journey
    check` then reports the same failure without rebuilding.
    """
    _, env, root, first, _, _, _ = demo
    assert first.returncode == 0
    warehouse = root / "warehouse.duckdb"
    spend_before = _marketing_spend(warehouse)
    google = root / "landing/ads/google_ads"
    negative = google / "20261001T060000_google_ads_search_stream.json"
    negative.write_text(_google_ads_file(cost_micros="-5000000"))

    refresh = _journey(env, "refresh")

    assert refresh.returncode == 0, refresh.stdout[-3000:]
    quarantine_line = "google_ads/ad_stats                       1  metrics.costMicros"
    assert f"{quarantine_line} '-5000000' is negative" in refresh.stdout
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        quarantined = conn.execute(
            "select source_file, source_position, reason from raw._quarantine "
            "where reason like '%is negative'"
        ).fetchall()
        (raw_rows,) = conn.execute(
            "select count(*) from raw.google_ads__ad_stats where metrics_cost_micros = '-5000000'"
        ).fetchone()
    assert quarantined == [
        (
            "ads/google_ads/20261001T060000_google_ads_search_stream.json",
            1,
            "metrics.costMicros '-5000000' is negative",
        )
    ]
    assert raw_rows == 0
    assert _marketing_spend(warehouse) == pytest.approx(spend_before)

    published_before = _publication(root / "serving.duckdb")
    unknown = google / "20261002T060000_google_ads_search_stream.json"
    unknown.write_text(_google_ads_file(cost_micros="5000000", currency="USX"))

    refresh = _journey(env, "refresh")

    assert refresh.returncode == 1, refresh.stdout[-3000:]
    assert "refresh FAILED" in refresh.stderr
    assert "[BLOCKING] raw/google_ads/ad_stats / currency_codes_are_iso_4217" in refresh.stdout
    assert "1 row(s) break it" in refresh.stdout
    assert _marketing_spend(warehouse) == pytest.approx(spend_before)
    # The published file BI tools read keeps every mart's last good build, and says why.
    with duckdb.connect(str(root / "serving.duckdb"), read_only=True) as conn:
        held = conn.execute(
            "select table_name, row_count, data_run_id, held_back, held_by "
            "from marts._publication order by 1"
        ).fetchall()
    # dim_dates, the calendar, is built from nothing the rule guards: it is the one mart
    # published fresh; every other keeps its last good build
    kept = [(name, rows, built_by) for name, rows, built_by, _, _ in held if name != "dim_dates"]
    assert kept == [row for row in published_before if row[0] != "dim_dates"]
    for name, _, _, held_back, held_by in held:
        if name == "dim_dates":
            assert (held_back, held_by) == (False, None)
            continue
        assert held_back, name
        assert "raw/google_ads/ad_stats / currency_codes_are_iso_4217" in held_by, name
    assert "HELD BACK mart_sales_monthly" in refresh.stdout
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        (raw_rows,) = conn.execute(
            "select count(*) from raw.google_ads__ad_stats where customer_currency_code = 'USX'"
        ).fetchone()
    assert raw_rows == 1  # loaded and accounted for; only the models are held back

    check = _journey(env, "check")

    assert check.returncode == 1
    assert "checks FAILED" in check.stderr
    row = next(
        line
        for line in check.stdout.splitlines()
        if line.startswith("raw/google_ads/ad_stats") and " currency_codes_are_iso_4217 " in line
    )
    assert "blocking" in row and "FAIL" in row
