"""The daily schedule, the landing-zone sensor and the warehouse writer lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.resources import WarehouseResource


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def test_daily_schedule_refreshes_everything_as_a_writer(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == "refresh_warehouse"
    assert schedule.tags["journey/writes_warehouse"] == "true"
    job = defs.resolve_job_def("refresh_warehouse")
    assert job.tags["journey/writes_warehouse"] == "true"


def _drop(landing: Path, relative: str) -> None:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[]")


def _evaluate(defs: dg.Definitions, cursor: str | None):
    sensor = defs.resolve_sensor_def("landing_files_sensor")
    context = dg.build_sensor_context(cursor=cursor, definitions=defs)
    result = sensor.evaluate_tick(context)
    return result.run_requests, result.skip_message, result.cursor


def test_sensor_requests_the_affected_sources_and_everything_downstream(
    defs: dg.Definitions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    monkeypatch.setenv("JOURNEY_LANDING_DIR", str(landing))
    _drop(landing, "ads/google_ads/20260101T060000_google_ads_search_stream.json")

    requests, _, cursor = _evaluate(defs, None)
    # The first tick sees every folder as changed (an empty folder too): a full refresh.
    [first] = requests
    assert dg.AssetKey(["raw", "salesforce", "opportunity"]) in first.asset_selection

    requests, skip, same_cursor = _evaluate(defs, cursor)
    assert requests == [] and skip == "no new landing files"
    assert same_cursor == cursor

    _drop(landing, "email/sendgrid/20260108T060000_sendgrid_events.json")
    requests, _, _ = _evaluate(defs, cursor)
    [request] = requests
    selected = {key.to_user_string() for key in request.asset_selection}
    assert "raw/sendgrid/events" in selected
    assert "staging/stg_sendgrid__events" in selected
    assert "marts/mart_email_campaigns" in selected
    # the publication follows the refresh run (sensor publish_after_refresh)
    assert "serving/published_marts" not in selected
    assert "raw/google_ads/ad_stats" not in selected
    assert "staging/stg_google_ads__ad_stats" not in selected
    assert request.tags["journey/sources"] == "sendgrid"
    assert request.tags["journey/writes_warehouse"] == "true"


def test_the_sensor_starts_from_what_the_warehouse_already_loaded(
    defs: dg.Definitions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run`, then `make dev`: the files the refresh loaded start no new refresh;
    a file that arrived meanwhile does, for its source alone."""
    import duckdb

    from ingestion import load_source

    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("JOURNEY_LANDING_DIR", str(landing))
    monkeypatch.setenv("JOURNEY_WAREHOUSE", str(warehouse))
    _drop(landing, "email/sendgrid/20260108T060000_sendgrid_events.json")
    with duckdb.connect(str(warehouse)) as conn:
        load_source(conn, landing, "sendgrid", load_id="load-1")

    requests, skip, cursor = _evaluate(defs, None)
    # every folder but sendgrid is empty, and empty folders hold nothing to load
    assert requests == [] and skip == "no new landing files"
    assert cursor is not None

    _drop(landing, "ads/google_ads/20260101T060000_google_ads_search_stream.json")
    # a refresh (another process) is writing: the first tick does not wait for it
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        requests, skip, no_cursor = _evaluate(defs, None)
    finally:
        holder.kill()
        holder.wait()
    assert requests == [] and "writing the warehouse" in skip and no_cursor is None

    requests, _, _ = _evaluate(defs, None)
    [request] = requests
    assert request.tags["journey/sources"] == "google_ads"


@pytest.mark.parametrize("built", [True, False])
def test_a_refresh_that_built_is_followed_by_its_publication(
    defs: dg.Definitions, built: bool
) -> None:
    from orchestration.jobs import DBT_BUILT_TAG, PUBLISHES_RUN_TAG
    from orchestration.schedules import publish_after_refresh

    sensor = defs.resolve_sensor_def("publish_after_refresh")
    assert sensor.job_name == "publish_marts"
    publish_job = defs.resolve_job_def("publish_marts")
    assert {key.to_user_string() for key in publish_job.asset_layer.executable_asset_keys} == {
        "serving/published_marts",
        "reports/refresh_report",
    }

    @dg.op
    def noop() -> None:
        return None

    @dg.job(name="refresh_warehouse")
    def refresh() -> None:
        noop()

    with dg.DagsterInstance.ephemeral() as instance:
        tags = {DBT_BUILT_TAG: "true"} if built else {}
        result = refresh.execute_in_process(instance=instance, tags=tags)
        [success] = [
            record.event_log_entry.dagster_event
            for record in instance.get_records_for_run(result.run_id).records
            if record.event_log_entry.dagster_event
            and record.event_log_entry.dagster_event.event_type_value == "PIPELINE_SUCCESS"
        ]
        context = dg.build_run_status_sensor_context(
            sensor_name="publish_after_refresh",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=success,
        )
        outcome = publish_after_refresh(context)
    if built:
        assert outcome.tags[PUBLISHES_RUN_TAG] == result.run_id
        assert outcome.tags["journey/writes_warehouse"] == "true"
        assert outcome.run_key == f"publish-{result.run_id}"
    else:
        assert isinstance(outcome, dg.SkipReason)


HOLD = """
import sys, time
from orchestration.resources import WarehouseResource
with WarehouseResource(warehouse_path=sys.argv[1]).writer_lock():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_writer_lock_serializes_processes_and_dies_with_its_holder(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), "30"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    resource = WarehouseResource(warehouse_path=str(warehouse))
    with (
        pytest.raises(TimeoutError, match="another process"),
        resource.writer_lock(timeout_seconds=1.5),
    ):
        pass
    holder.kill()  # like kill -9: the kernel releases the flock
    holder.wait()
    started = time.monotonic()
    with resource.writer_lock(timeout_seconds=10):
        pass
    assert time.monotonic() - started < 5


def test_a_run_whose_process_died_is_marked_failed_and_frees_the_writer_queue() -> None:
    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

    from orchestration.jobs import WRITER_TAGS
    from orchestration.runs import HOST_TAG, PID_TAG, fail_abandoned_runs, owner_tags

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    host = owner_tags()[HOST_TAG]
    runs = {
        "killed": {**WRITER_TAGS, PID_TAG: str(dead.pid), HOST_TAG: host},
        "running": {**WRITER_TAGS, PID_TAG: str(alive.pid), HOST_TAG: host},
        "other-host": {**WRITER_TAGS, PID_TAG: str(dead.pid), HOST_TAG: "elsewhere"},
        "daemon-launched": dict(WRITER_TAGS),
        "not-a-writer": {PID_TAG: str(dead.pid), HOST_TAG: host},
    }
    try:
        with dg.DagsterInstance.ephemeral() as instance:
            for name, tags in runs.items():
                instance.add_run(
                    DagsterRun(
                        job_name="refresh_warehouse",
                        run_id=name,
                        status=DagsterRunStatus.STARTED,
                        tags=tags,
                    )
                )
            assert fail_abandoned_runs(instance) == ["killed"]
            statuses = {name: instance.get_run_by_id(name).status for name in runs}
            assert fail_abandoned_runs(instance) == []
    finally:
        alive.kill()
    assert statuses == {
        "killed": DagsterRunStatus.FAILURE,
        "running": DagsterRunStatus.STARTED,
        "other-host": DagsterRunStatus.STARTED,
        "daemon-launched": DagsterRunStatus.STARTED,
        "not-a-writer": DagsterRunStatus.STARTED,
    }
