"""Incremental refreshes give the same warehouse as a full build.

The demo world arrives in three parts, as it would in production: the drops up to
2026-06-30, then those up to 2026-08-31, then the rest (to 2026-09-30), with a
`journey refresh` after each. The drops carry late web events, ad days restated weeks
later and CRM records changed months after they were created, and later drops link
anonymous browsers to people seen before. The warehouse that took the three
incremental refreshes must equal, table for table and row for row, one rebuilt from the
whole landing zone by `journey refresh --full`. (A refresh with no new file changes
no row: tests/e2e/test_refresh_demo.py.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from synthetic import generate

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))

DROPS = (date(2026, 6, 30), date(2026, 8, 31), None)


def _env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(root / "landing"),
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "JOURNEY_SERVING": str(root / "serving.duckdb"),
        "JOURNEY_REPORT_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def _refresh(root: Path, *args: str) -> str:
    done = subprocess.run(
        [JOURNEY, "refresh", *args],
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _refresh_that_fails(root: Path, *args: str) -> str:
    """``journey refresh`` that must exit 1 (a blocking check failed); its output."""
    done = subprocess.run(
        [JOURNEY, "refresh", *args], env=_env(root), capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _marks_and_holds(root: Path) -> tuple[dict[str, str], dict[str, str | None]]:
    """The warehouse's build marks (name -> run) and, per mart of the published file,
    the rule holding it back (None when fresh)."""
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        marks = dict(conn.execute("select name, run_id from raw._refresh_state").fetchall())
    with duckdb.connect(str(root / "serving.duckdb"), read_only=True) as conn:
        held = dict(conn.execute("select table_name, held_by from marts._publication").fetchall())
    return marks, held


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("incremental")
    outputs = []
    for until in DROPS:
        generate(root / "landing", scale="demo", seed=42, until=until)
        outputs.append(_refresh(root))
    incremental = root / "incremental.duckdb"
    shutil.copyfile(root / "warehouse.duckdb", incremental)
    outputs.append(_refresh(root, "--full"))
    return root, incremental, outputs


def test_three_incremental_refreshes_equal_a_full_rebuild(built, differences) -> None:
    root, incremental, outputs = built
    assert [out.splitlines()[0].endswith("(incremental)") for out in outputs[:3]] == [True] * 3
    assert outputs[3].splitlines()[0].endswith("(full rebuild)")
    with duckdb.connect(str(incremental), read_only=True) as conn:
        # the comparison is not vacuous: the journey and the marts have rows
        journey = conn.execute("select count(*) from marts.fct_customer_journey").fetchone()[0]
        won = conn.execute("select sum(won_deals) from marts.mart_sales_monthly").fetchone()[0]
    assert journey > 10_000
    assert won > 0
    assert differences(incremental, root / "warehouse.duckdb") == {}


def _copy_of(built, folder: Path) -> None:
    """The built landing zone and warehouse in ``folder``, with a second copy of the
    warehouse as ``expected.duckdb``."""
    root, _, _ = built
    shutil.copytree(root / "landing", folder / "landing")
    shutil.copyfile(root / "warehouse.duckdb", folder / "warehouse.duckdb")
    shutil.copyfile(root / "warehouse.duckdb", folder / "expected.duckdb")


def _dbt_test_results(dagster_home: Path) -> list[tuple[int, int]]:
    """Per refresh run, oldest first: (dbt test results, those run on the warehouse
    after dbt built the models)."""
    import dagster as dg
    from dagster._core.events import DagsterEventType

    from orchestration.jobs import REFRESH_JOB_NAME

    counts = []
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=REFRESH_JOB_NAME))
        for run in reversed(runs):
            tests = here = 0
            for record in instance.all_logs(
                run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
            ):
                metadata = record.dagster_event.event_specific_data.metadata or {}
                unique_id = getattr(metadata.get("unique_id"), "value", "")
                if str(unique_id).startswith("test."):
                    tests += 1
                    here += "ran_on" in metadata
            counts.append((tests, here))
    return counts


def test_every_refreshs_data_tests_run_after_the_build_and_report_every_check(built) -> None:
    """Every refresh runs the data tests on the warehouse after dbt built the models
    (orchestration/dbt/data_tests.py): the full builds (the first refresh, ``--full``)
    the tests the prepared dbt process compiled while the refresh loaded, which they
    keep; the incremental refreshes between the kept ones. Every one reaches Dagster as
    the same check."""
    root, _, _ = built
    counts = _dbt_test_results(root / "dagster_home")
    tests = counts[0][0]
    assert tests > 500
    assert counts == [(tests, tests)] * 4


def _dbt_started_prepared(dagster_home: Path) -> list[bool]:
    """Per refresh run, oldest first: whether its dbt build ran in the dbt process
    ``journey refresh`` prepared at its start (orchestration/dbt/warm.py)."""
    import dagster as dg

    from orchestration.jobs import REFRESH_JOB_NAME

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(job_name=REFRESH_JOB_NAME))
        return [
            any(
                "dbt ran in the process prepared" in (record.user_message or "")
                for record in instance.all_logs(run.run_id)
            )
            for run in reversed(runs)
        ]


def test_every_refresh_runs_dbt_in_the_process_prepared_at_its_start(built) -> None:
    """The first refresh, the incremental ones and ``--full``: each dbt build ran in
    the process that imported dbt and parsed the project while the refresh loaded (and
    the results above are those builds' results)."""
    root, _, _ = built
    assert _dbt_started_prepared(root / "dagster_home") == [True, True, True, True]


def test_a_blocking_data_test_that_fails_after_the_build_holds_back_and_rebuilds(
    built, tmp_path, differences
) -> None:
    """A new day's blocking data test that fails after dbt built the models below it:
    the check fails, the marts below the tested model are held back, and the next
    refresh rebuilds every model from all of raw (tests in dbt), which repairs it."""
    _copy_of(built, tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        # every raw table looks new (the build stays incremental), and a session row
        # appears twice, as a broken incremental build could leave it: no new record
        # touches that session, so only the test finds it
        conn.execute("update raw._refresh_state set ledger_through = null")
        conn.execute(
            "insert into intermediate.int_web_sessions_aggregated "
            "select * from intermediate.int_web_sessions_aggregated order by session_id limit 1"
        )
    failed = _refresh_that_fails(tmp_path)
    assert failed.splitlines()[0].endswith("(incremental)")
    assert (
        "[BLOCKING] intermediate/int_web_sessions_aggregated / "
        "unique_int_web_sessions_aggregated_session_id" in failed
    )
    assert "HELD BACK" in failed
    marks, held = _marks_and_holds(tmp_path)
    assert "rebuild" in marks
    assert "unique_int_web_sessions_aggregated_session_id" in held["mart_marketing_daily"]
    assert held["dim_dates"] is None

    out = _refresh(tmp_path)

    assert "(full rebuild: a blocking dbt test failed in run " in out.splitlines()[0]
    marks, _ = _marks_and_holds(tmp_path)
    assert "rebuild" not in marks and marks["published"] == marks["built"]
    assert differences(tmp_path / "warehouse.duckdb", tmp_path / "expected.duckdb") == {}


def test_a_changed_dbt_project_rebuilds_the_incremental_models_from_all_of_raw(
    built, tmp_path, differences
) -> None:
    """A changed variable or seed changes rows no new record touches, so the refresh
    after a project change runs ``dbt build --full-refresh`` without being asked: a row
    only a full rebuild restores comes back."""
    _copy_of(built, tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        # as if the last published build had run another version of the dbt project
        conn.execute("update raw._refresh_state set definitions_sha256 = 'an older project'")
        # and a session from before it, which an incremental build would not revisit
        browser = conn.execute(
            "select browser_id from intermediate.int_web_sessions_aggregated "
            "order by session_id limit 1"
        ).fetchone()[0]
        removed = conn.execute(
            "delete from intermediate.int_web_sessions_aggregated where browser_id = ?",
            [browser],
        ).fetchone()[0]
    assert removed > 0
    out = _refresh(tmp_path)
    assert (
        "(full rebuild: the dbt project (models, macros, seeds or vars) changed"
        in (out.splitlines()[0])
    )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        (restored,) = conn.execute(
            "select count(*) from intermediate.int_web_sessions_aggregated where browser_id = ?",
            [browser],
        ).fetchone()
    assert restored == removed
    assert differences(tmp_path / "warehouse.duckdb", tmp_path / "expected.duckdb") == {}


def test_a_full_builds_blocking_data_test_that_fails_keeps_the_rebuild_mark(
    built, tmp_path, differences
) -> None:
    """``--full`` runs its data tests on the warehouse after dbt built every model (the
    SQL compiled while it loaded). One of them fails: the marts below are held back and
    the ``rebuild`` mark stays, although this very build rebuilt every model; once the
    raw record is right again, the next refresh is the repair rebuild (tests in dbt),
    which forgets the mark and gives the warehouse a clean full build gives."""
    _copy_of(built, tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        # a Meta ad day that only one record describes, from an older load than the
        # latest (raw's suites validate the latest load batch): its spend made negative,
        # which only staging's accepted_range test finds
        source_file, position, spend = conn.execute(
            """
            select _source_file, _source_position, spend
            from raw.meta_ads__insights
            where _load_id <> (
                select _load_id from raw.meta_ads__insights order by _loaded_at desc limit 1
            )
            qualify count(*) over (partition by account_id, ad_id, date_start) = 1
            order by _source_file, _source_position
            limit 1
            """
        ).fetchone()
        conn.execute(
            "update raw.meta_ads__insights set spend = '-12.50' "
            "where _source_file = ? and _source_position = ?",
            [source_file, position],
        )
    failed = _refresh_that_fails(tmp_path, "--full")
    assert failed.splitlines()[0].endswith("(full rebuild)")
    assert (
        "[BLOCKING] staging/stg_meta_ads__insights / accepted_range_stg_meta_ads__insights_spend__0"
        in failed
    )
    assert "HELD BACK" in failed
    marks, held = _marks_and_holds(tmp_path)
    assert "rebuild" in marks
    assert "accepted_range_stg_meta_ads__insights_spend__0" in held["mart_marketing_daily"]

    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        conn.execute(
            "update raw.meta_ads__insights set spend = ? "
            "where _source_file = ? and _source_position = ?",
            [spend, source_file, position],
        )
    out = _refresh(tmp_path)

    assert "(full rebuild: a blocking dbt test failed in run " in out.splitlines()[0]
    # the failed build ran its tests on the warehouse, the repair in dbt
    (failed_tests, failed_here), (repair_tests, repair_here) = _dbt_test_results(
        tmp_path / "dagster_home"
    )
    assert failed_tests > 500 and failed_here == failed_tests
    assert repair_tests == failed_tests and repair_here == 0
    marks, _ = _marks_and_holds(tmp_path)
    assert "rebuild" not in marks and marks["published"] == marks["built"]
    assert differences(tmp_path / "warehouse.duckdb", tmp_path / "expected.duckdb") == {}


def _materialized_models(dagster_home: Path) -> set[str]:
    """The dbt models and seeds the newest refresh run materialized (names)."""
    import dagster as dg
    from dagster._core.events import DagsterEventType

    from orchestration.jobs import REFRESH_JOB_NAME

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        (run,) = instance.get_runs(filters=dg.RunsFilter(job_name=REFRESH_JOB_NAME), limit=1)
        return {
            record.dagster_event.asset_key.path[-1]
            for record in instance.all_logs(
                run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
            )
            if record.dagster_event.asset_key.path[0]
            in ("seeds", "staging", "intermediate", "marts")
        }


def test_new_records_of_one_source_build_only_the_models_they_reach(
    built, tmp_path, differences
) -> None:
    """A new Google Ads file alone (the newest one again, with one ad day's cost
    restated): the refresh builds the models downstream of raw.google_ads__ad_stats and
    leaves out what no new record reaches (the seeds, the views, the staging of the
    other sources, identity, the web sessions), yet runs every data test, publishes
    every mart fresh, and leaves the warehouse a full build of the same files gives."""
    _copy_of(built, tmp_path)
    root, _, _ = built
    folder = tmp_path / "landing" / "ads" / "google_ads"
    newest = sorted(folder.glob("*_google_ads_search_stream.json"))[-1]
    pages = json.loads(newest.read_text())
    metrics = pages[0]["results"][0]["metrics"]
    metrics["costMicros"] = str(int(metrics["costMicros"]) + 1_250_000)
    (folder / "20261001T060000_google_ads_search_stream.json").write_text(json.dumps(pages))

    out = _refresh(tmp_path)

    assert out.splitlines()[0].endswith("(incremental)")
    built_now = _materialized_models(tmp_path / "dagster_home")
    assert {"stg_google_ads__ad_stats", "mart_marketing_daily", "fct_attribution"} <= built_now
    left_out = {
        "stg_segment__events",
        "stg_sendgrid__events",
        "stg_salesforce__leads",
        "int_identifiers_resolved",
        "int_web_sessions_aggregated",
        "stg_meta_ads__insights",
        "dim_dates",
        "int_journey_web_session_activities",  # a view
        "channel_rules",  # a seed
    }
    assert not built_now & left_out
    # every data test ran, on the warehouse, the left-out models' too
    tests = _dbt_test_results(root / "dagster_home")[0][0]
    assert _dbt_test_results(tmp_path / "dagster_home") == [(tests, tests)]
    marks, held = _marks_and_holds(tmp_path)
    assert marks["published"] == marks["built"]
    assert set(held.values()) == {None} and len(held) == 12

    incremental = tmp_path / "incremental.duckdb"
    shutil.copyfile(tmp_path / "warehouse.duckdb", incremental)
    _refresh(tmp_path, "--full")
    spend = "select sum(spend) from staging.stg_google_ads__ad_stats"
    with duckdb.connect(str(incremental), read_only=True) as conn:
        (after,) = conn.execute(spend).fetchone()
    with duckdb.connect(str(tmp_path / "expected.duckdb"), read_only=True) as conn:
        (before,) = conn.execute(spend).fetchone()
    # the restated day replaced its old version (later wins): 1.25 more spend in all
    assert float(after - before) == 1.25
    assert differences(incremental, tmp_path / "warehouse.duckdb") == {}
