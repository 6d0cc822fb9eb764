"""When refreshes run unattended: a daily schedule and a landing-zone sensor.

Both start the `refresh_warehouse` job; a run-status sensor then starts
`publish_marts` for every refresh run that built, so the marts it built are published
(those a failed rule guards held back at their last good build). Runs that write the
warehouse carry the tag ``journey/writes_warehouse=true``; the instance's run queue
lets one such run at a time proceed (``DAGSTER_HOME/dagster.yaml``, written by
``journey``), since DuckDB allows one writing process. Transient failures are retried:
run retries for a run whose worker died, and a step retry policy on the load steps (a
lock held for a moment by another process).
"""

import hashlib
import json
from collections.abc import Iterator

import dagster as dg
import duckdb

from ingestion import pending_landing_files
from ingestion.core import list_files
from ingestion.registry import RAW_TABLES, RawTable
from orchestration.jobs import (
    DBT_BUILT_TAG,
    PUBLICATION_GROUPS,
    PUBLISHES_RUN_TAG,
    WRITER_TAGS,
    publish_job,
    refresh_job,
)
from orchestration.locks import writer_lock
from orchestration.settings import Settings

DAILY_CRON = "0 6 * * *"
"""06:00 UTC: after the vendors' nightly exports, before the working day in Europe."""
SENSOR_INTERVAL_SECONDS = 300


daily_refresh_schedule = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule=DAILY_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={**WRITER_TAGS, "journey/trigger": "schedule"},
    description="Refresh the whole warehouse every day at 06:00 UTC.",
)


def _signature(files: list[str]) -> str:
    return hashlib.sha256("\n".join(files).encode()).hexdigest()[:16]


def landing_signatures(settings: Settings) -> dict[str, str]:
    """A signature of each raw table's landing files (their names: files are immutable,
    a correction arrives as a new file)."""
    signatures = {}
    for table in RAW_TABLES:
        files = sorted(
            path.relative_to(settings.landing_dir).as_posix()
            for path in list_files(settings.landing_dir, table)
        )
        signatures[f"{table.source}/{table.object}"] = _signature(files)
    return signatures


def loaded_signatures(settings: Settings) -> dict[str, str] | None:
    """Each raw table's signature over the landing files the warehouse already holds
    (every file but those a load would still read), the sensor's starting point: files
    a refresh loaded before the daemon started (``make run``, then ``make dev``) start
    no new one. Empty without a warehouse (every folder is new); None when a writer
    holds the warehouse (the tick waits for the next one instead of blocking it)."""
    if not settings.warehouse.exists():
        return {}
    try:
        with (
            writer_lock(settings.warehouse, timeout_seconds=0),
            duckdb.connect(str(settings.warehouse), read_only=True) as conn,
        ):
            pending = {f.path for f in pending_landing_files(conn, settings.landing_dir)}
    except (TimeoutError, duckdb.Error):
        return None
    signatures = {}
    for table in RAW_TABLES:
        files = sorted(
            path.relative_to(settings.landing_dir).as_posix()
            for path in list_files(settings.landing_dir, table)
        )
        signatures[f"{table.source}/{table.object}"] = _signature(
            [f for f in files if f not in pending]
        )
    return signatures


def _raw_key(table: RawTable) -> dg.AssetKey:
    return dg.AssetKey(list(table.asset_key_path))


@dg.sensor(
    name="landing_files_sensor",
    job=refresh_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Start a refresh of the affected sources and everything downstream of them when "
        "new files appear in the landing zone."
    ),
)
def landing_files_sensor(
    context: dg.SensorEvaluationContext,
) -> Iterator[dg.RunRequest | dg.SkipReason]:
    """Compares each landing folder's file list with the cursor; reads no file. The
    first tick (no cursor) starts from what the warehouse already loaded
    (``loaded_signatures``), opening it read-only only if no writer holds it."""
    settings = Settings.from_env()
    before = json.loads(context.cursor) if context.cursor else loaded_signatures(settings)
    if before is None:
        yield dg.SkipReason("a refresh is writing the warehouse; looking again next tick")
        return
    now = landing_signatures(settings)
    changed = sorted(key for key, signature in now.items() if before.get(key) != signature)
    if not changed:
        context.update_cursor(json.dumps(now, sort_keys=True))
        yield dg.SkipReason("no new landing files")
        return
    tables = [t for t in RAW_TABLES if f"{t.source}/{t.object}" in changed]
    selection = dg.AssetSelection.assets(
        *(_raw_key(t) for t in tables)
    ).downstream() - dg.AssetSelection.groups(*PUBLICATION_GROUPS)
    keys = sorted(
        selection.resolve(context.repository_def.asset_graph), key=lambda k: k.to_user_string()
    )
    sources = sorted({t.source for t in tables})
    yield dg.RunRequest(
        run_key=_signature([f"{k}={now[k]}" for k in changed]),
        asset_selection=keys,
        tags={
            **WRITER_TAGS,
            "journey/trigger": "landing_sensor",
            "journey/sources": ",".join(sources),
        },
    )
    context.update_cursor(json.dumps(now, sort_keys=True))


@dg.run_status_sensor(
    name="publish_after_refresh",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[refresh_job],
    request_job=publish_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Publish the marts after every refresh run that built them (the schedule's, the "
        "landing sensor's or one launched from the UI)."
    ),
)
def publish_after_refresh(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    run = context.dagster_run
    if run.tags.get(DBT_BUILT_TAG) != "true":
        return dg.SkipReason(f"run {run.run_id} built nothing: nothing new to publish")
    return publish_request(run.run_id, trigger="publish_sensor")


def publish_request(refresh_run_id: str, *, trigger: str) -> dg.RunRequest:
    """The `publish_marts` run for a refresh run (one per refresh run: its run key)."""
    return dg.RunRequest(
        run_key=f"publish-{refresh_run_id}",
        tags={**WRITER_TAGS, "journey/trigger": trigger, PUBLISHES_RUN_TAG: refresh_run_id},
    )


def build_schedule_definitions() -> dg.Definitions:
    return dg.Definitions(
        schedules=[daily_refresh_schedule],
        sensors=[landing_files_sensor, publish_after_refresh],
    )
