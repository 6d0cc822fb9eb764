"""``journey``: the command-line front door of the warehouse.

It is thin on purpose: ``refresh`` executes the same Dagster job a schedule runs,
in this process, against the Dagster instance in ``DAGSTER_HOME`` (so the run shows
in the UI), prints progress and a summary, and turns the outcome into the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from orchestration.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EVENT_BATCH_SIZE = 1000
"""``DAGSTER_EVENT_BATCH_SIZE`` for the runs ``journey`` starts (unless set): how many
of the events Dagster groups it hands the event log at once."""

_DAGSTER_YAML_HEADER = "# Written by `journey`"
_DAGSTER_YAML = f"""\
{_DAGSTER_YAML_HEADER}; it rewrites this file while this line stays first. Delete the
# line to keep your own edits.
telemetry:
  enabled: false
# Dagster's SQLite event log on its default folder (history/runs), keeping a
# connection open per file instead of one per event (orchestration/event_storage.py).
event_log_storage:
  module: orchestration.event_storage
  class: JourneySqliteEventLogStorage
  config:
    base_dir: {{runs_dir}}
# Evaluate the landing folders' freshness policies (orchestration/quality/freshness.py).
freshness:
  enabled: true
# One run that writes the warehouse at a time (schedule, sensor, UI launches). Pools
# are left unlimited on purpose: a step slot held by a run killed with kill -9 would
# block every later run, while the steps' writer lock (a flock on
# <warehouse>.writer.lock) is released by the kernel when its process dies.
concurrency:
  runs:
    max_concurrent_runs: 4
    tag_concurrency_limits:
      - key: "journey/writes_warehouse"
        value: "true"
        limit: 1
# Retry a run whose worker died (a transient failure), not one whose step failed.
run_retries:
  enabled: true
  max_retries: 2
  retry_on_asset_or_op_failure: false
# Notice a run whose process died (kill -9), so it stops holding its queue slot.
run_monitoring:
  enabled: true
  poll_interval_seconds: 30
  # A run the daemon launched cannot be health-checked by the default run launcher: a
  # run still STARTED after this long is failed (a medium-scale full refresh takes
  # about 10 minutes). journey's own in-process runs are reaped at once (runs.py).
  max_runtime_seconds: 14400
"""


def dagster_yaml(dagster_home: Path) -> str:
    """The ``dagster.yaml`` ``journey`` writes into ``dagster_home`` (rewritten on every
    run while its first line stays): the event log's folder is written out, as Dagster
    passes a storage class nothing but its config."""
    runs_dir = json.dumps(str((dagster_home / "history" / "runs").resolve()))
    return _DAGSTER_YAML.replace("{runs_dir}", runs_dir)


def _prepare_environment(settings: Settings) -> None:
    """Export the settings for child processes (dbt) and make DAGSTER_HOME usable.

    The venv's bin folder goes first on PATH: dagster-dbt looks for `dbt` there
    (e.g. when `dagster dev` re-parses the project), and `journey` may have been
    started by its full path without the venv activated.
    """
    os.environ.update(settings.as_env())
    # the events Dagster groups (the ~770 planned ones of a refresh's run) stored in one
    # transaction per file (orchestration/event_storage.py): ~0.3 s a run
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists() or config.read_text().startswith(_DAGSTER_YAML_HEADER):
        config.write_text(dagster_yaml(settings.dagster_home))


def _run_log_path(settings: Settings, name: str) -> Path:
    """Where the run's verbose output (dbt's log lines) goes."""
    folder = settings.dagster_home / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.log"


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def cmd_generate(args: argparse.Namespace) -> int:
    from synthetic import generate

    settings = Settings.from_env()
    landing = Path(args.landing_dir).resolve() if args.landing_dir else settings.landing_dir
    if args.if_empty and _has_files(landing):
        print(f"landing zone {landing} already has files: not generating (--if-empty)")
        return EXIT_OK
    started = time.monotonic()
    summary = generate(
        landing,
        scale=args.scale,
        seed=args.seed,
        until=args.until,
        drop_every_days=args.drop_every,
        progress=lambda message: print(f"  {message}", flush=True),
    )
    print(summary)
    print(f"wrote landing zone {landing} in {time.monotonic() - started:.1f}s")
    return EXIT_OK


@dataclass
class Execution:
    """The runs one command executed (a refresh and the publication that follows it),
    their check outcomes, their steps' timings and the log file."""

    results: list[Any]
    outcomes: list[Any]
    log_path: Path
    timings: list[tuple[str, float | None, str]]
    model_errors: int = 0
    """Models dbt could not build in the refresh run (its dbt step's tag)."""

    @property
    def success(self) -> bool:
        return all(result.success for result in self.results)

    @property
    def run_ids(self) -> str:
        return ", ".join(result.run_id for result in self.results)

    @property
    def failed_steps(self) -> list[str]:
        return [
            event.step_key
            for result in self.results
            for event in result.all_events
            if event.is_step_failure and event.step_key
        ]


def _execute(
    settings: Settings,
    job_name: str,
    log_name: str,
    trigger: str,
    tags: dict[str, str] | None = None,
    *,
    publish: bool = False,
) -> Execution:
    """Run a job of the code location in this process against DAGSTER_HOME's
    instance, progress lines to stdout, dbt's verbose output to a log file.

    With ``publish``, a `publish_marts` run follows when the job's dbt step built
    (as the sensor ``publish_after_refresh`` does for scheduled runs).
    """
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import (
        DBT_BUILT_TAG,
        DBT_MODEL_ERRORS_TAG,
        PUBLISH_JOB_NAME,
        PUBLISHES_RUN_TAG,
    )
    from orchestration.progress import PROGRESS_LOGGER, progress_to, step_timings
    from orchestration.quality.checks import check_outcomes
    from orchestration.runs import fail_abandoned_runs, owner_tags

    log_path = _run_log_path(settings, log_name)
    run_config = {"loggers": {PROGRESS_LOGGER: {}}}
    common_tags = {"journey/trigger": trigger, **owner_tags()}
    execution = Execution([], [], log_path, [])
    with (
        DagsterInstance.get() as instance,
        open(log_path, "w", encoding="utf-8") as log,
        progress_to(sys.stdout),
        contextlib.redirect_stdout(log),
    ):
        for run_id in fail_abandoned_runs(instance):
            print(
                f"marked run {run_id} failed: its process died (kill -9?) while it ran",
                file=sys.stderr,
                flush=True,
            )
        runs = [(job_name, {**common_tags, **(tags or {})})]
        while runs:
            name, run_tags = runs.pop(0)
            result = defs.resolve_job_def(name).execute_in_process(
                instance=instance, raise_on_error=False, run_config=run_config, tags=run_tags
            )
            execution.results.append(result)
            execution.outcomes += check_outcomes(instance, result.run_id)
            execution.timings += step_timings(instance, result.run_id)
            run = instance.get_run_by_id(result.run_id)
            run_tags = run.tags if run else {}
            execution.model_errors += int(run_tags.get(DBT_MODEL_ERRORS_TAG, "0"))
            if publish and name == job_name and run_tags.get(DBT_BUILT_TAG) == "true":
                runs.append((PUBLISH_JOB_NAME, {**common_tags, PUBLISHES_RUN_TAG: result.run_id}))
    return execution


def _print_failures(outcomes, catalog) -> None:  # noqa: ANN001 - see report module
    from orchestration.quality.report import explain_failures

    lines = explain_failures(outcomes, catalog)
    if lines:
        print("\nchecks that failed (blocking ones stop the numbers they guard):")
        print("\n".join(lines))


def _nothing_new(settings: Settings) -> tuple[str | None, str]:
    """Why a refresh has nothing to do (None when it has work: a landing file the
    ledger lacks, a raw record the published build did not cover, or a changed dbt
    project), and how its dbt step will build. Answered without Dagster, under the
    writer lock, reading no file whose size and modification time the loaders have
    seen (``raw._file_stats``)."""
    if not settings.warehouse.exists():
        return None, "incremental"
    import duckdb

    from ingestion import pending_landing_files
    from orchestration.build_state import plan_build
    from orchestration.locks import writer_lock

    with (
        writer_lock(settings.warehouse),
        duckdb.connect(str(settings.warehouse), read_only=True) as conn,
    ):
        pending = pending_landing_files(conn, settings.landing_dir)
        plan = plan_build(conn)
        (files,) = conn.execute("select count(*) from raw._file_ledger").fetchone()
    mode = f"full rebuild: {plan.reason}" if plan.full_refresh else "incremental"
    if pending or not plan.nothing_to_build or plan.published is None:
        return None, mode
    published = plan.published
    return (
        f"nothing new: the {files:,} landing files are all in the ledger and the published "
        f"marts were built from every loaded record (run {published.run_id}, "
        f"{published.recorded_at:%Y-%m-%d %H:%M} UTC); no run started"
    ), mode


def _warm_dbt(settings: Settings, *, build_all: bool) -> contextlib.AbstractContextManager:
    """dbt imported and the project parsed in a process of its own while the refresh
    loads (``orchestration/dbt/warm.py``); DuckDB only (Spark's target changes the
    parse). For a build of every model it also compiles the data tests, which then run
    on the warehouse after dbt built the models (``orchestration/dbt/assets.py``)."""
    if settings.engine != "duckdb":
        return contextlib.nullcontext()
    from orchestration.dbt.data_tests import TESTS_IN_DBT_ENV
    from orchestration.dbt.warm import WarmDbt
    from orchestration.settings import DBT_PROJECT_DIR

    compile_tests = build_all and os.environ.get(TESTS_IN_DBT_ENV) != "1"
    return WarmDbt(DBT_PROJECT_DIR, settings.as_env(), compile_tests=compile_tests)


def cmd_refresh(args: argparse.Namespace) -> int:
    started = time.monotonic()
    settings = Settings.from_env()
    _prepare_environment(settings)
    mode = "full rebuild"
    new_warehouse = not settings.warehouse.exists()
    if not args.full:
        idle, mode = _nothing_new(settings)
        if idle is not None:
            print(idle)
            print(f"refresh succeeded in {time.monotonic() - started:.1f}s: nothing to do")
            return EXIT_OK

    with _warm_dbt(settings, build_all=new_warehouse or mode != "incremental"):
        from orchestration.definitions import defs
        from orchestration.jobs import FULL_REFRESH_TAG, REFRESH_JOB_NAME

        print(f"refreshing {settings.warehouse} from {settings.landing_dir} ({mode})", flush=True)
        tags = {FULL_REFRESH_TAG: "true"} if args.full else {}
        execution = _execute(settings, REFRESH_JOB_NAME, "refresh", "cli", tags, publish=True)

    from orchestration.progress import render_timings
    from orchestration.quality.report import check_catalog, is_blocking
    from orchestration.summary import render_summary

    outcomes, log_path, timings = execution.outcomes, execution.log_path, execution.timings
    catalog = check_catalog(defs)
    print()
    print(
        render_summary(
            settings.warehouse, settings.serving, settings.landing_dir, count_views=False
        )
    )
    _print_failures(outcomes, catalog)
    elapsed = time.monotonic() - started
    print()
    print(render_timings(timings, elapsed))
    blocking_failed = [o for o in outcomes if not o.passed and is_blocking(o, catalog)]
    warnings = [o for o in outcomes if not o.passed and not is_blocking(o, catalog)]
    checks_line = (
        f"{len(outcomes)} checks: {len(blocking_failed)} blocking failure(s), "
        f"{len(warnings)} warning(s)"
    )
    for label, path in (
        ("published marts, the last good publication (read-only for BI)", settings.serving),
        ("report", settings.report_dir / "latest.html" if settings.report_dir else None),
    ):
        if path is not None and path.exists():
            print(f"{label}: {path}")
    model_errors = execution.model_errors
    if model_errors:
        checks_line += f"; {model_errors} model(s) dbt could not build (see the log)"
    if execution.success and not blocking_failed and not model_errors:
        print(
            f"refresh succeeded in {elapsed:.1f}s; {checks_line} "
            f"(runs {execution.run_ids}; log {log_path})"
        )
        return EXIT_OK
    print(
        f"refresh FAILED in {elapsed:.1f}s (runs {execution.run_ids}); {checks_line}; failed "
        f"steps: {', '.join(execution.failed_steps) or 'none'}. The marts a blocking "
        f"failure guards keep their last good build; the others are published fresh. "
        f"Full log: {log_path}",
        file=sys.stderr,
    )
    return EXIT_FAILED


def cmd_check(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    _prepare_environment(settings)

    from orchestration.definitions import defs
    from orchestration.jobs import CHECK_JOB_NAME
    from orchestration.quality.report import check_catalog, is_blocking, results_table

    catalog = check_catalog(defs)
    if args.list:
        width = max(len("/".join(k.asset_key.path)) + len(k.name) + 3 for k in catalog)
        for key in sorted(catalog, key=lambda k: (k.asset_key.path, k.name)):
            info = catalog[key]
            name = f"{'/'.join(key.asset_key.path)} / {key.name}"
            severity = "blocking" if info.blocking else "warning"
            print(f"{name:<{width}}  {severity:<8}  {info.rule}")
        print(f"{len(catalog)} checks")
        return EXIT_OK
    if not settings.warehouse.exists():
        print(f"no warehouse at {settings.warehouse}: run `journey refresh` first", file=sys.stderr)
        return EXIT_FAILED
    print(f"checking {settings.warehouse} (no rebuild)", flush=True)
    started = time.monotonic()
    execution = _execute(settings, CHECK_JOB_NAME, "check", "cli-check")
    outcomes, log_path = execution.outcomes, execution.log_path
    elapsed = time.monotonic() - started
    print()
    print(results_table(outcomes, catalog))
    _print_failures(outcomes, catalog)
    blocking_failed = [o for o in outcomes if not o.passed and is_blocking(o, catalog)]
    if execution.success and not blocking_failed:
        print(f"checks done in {elapsed:.1f}s (run {execution.run_ids}; log {log_path})")
        return EXIT_OK
    print(
        f"checks FAILED in {elapsed:.1f}s: {len(blocking_failed)} blocking failure(s)"
        f"{'' if execution.success else ', and a step of the check run failed'} "
        f"(run {execution.run_ids}; log {log_path})",
        file=sys.stderr,
    )
    return EXIT_FAILED


def cmd_dev(args: argparse.Namespace) -> int:
    """Start the Dagster UI and daemon on this code location (``dagster dev``)."""
    settings = Settings.from_env()
    _prepare_environment(settings)
    dagster = Path(sys.executable).with_name("dagster")
    argv = [
        str(dagster),
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    print(f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={settings.dagster_home})")
    os.execv(argv[0], argv)
    return EXIT_OK  # pragma: no cover - execv does not return


def cmd_forget(args: argparse.Namespace) -> int:
    """Erase a person (see orchestration/privacy.py); prints hashes and counts only."""
    settings = Settings.from_env()
    _prepare_environment(settings)

    from orchestration.jobs import FULL_REFRESH_TAG, REFRESH_JOB_NAME
    from orchestration.privacy import forget, left_anywhere, remaining_in_warehouse

    email = sys.stdin.readline().strip("\r\n") if args.email == "-" else args.email
    if not email.strip(" "):
        print("journey forget: the email is empty", file=sys.stderr)
        return EXIT_USAGE

    def refresh() -> tuple[str, bool]:
        execution = _execute(
            settings,
            REFRESH_JOB_NAME,
            "forget",
            "cli-forget",
            {FULL_REFRESH_TAG: "true"},
            publish=True,
        )
        from orchestration.definitions import defs
        from orchestration.quality.report import check_catalog, is_blocking

        catalog = check_catalog(defs)
        outcomes = execution.outcomes
        blocking = [o for o in outcomes if not o.passed and is_blocking(o, catalog)]
        _print_failures(outcomes, catalog)
        print(f"refresh runs {execution.run_ids}; log {execution.log_path}")
        return execution.results[0].run_id, execution.success and not blocking

    print(f"erasing a person from {settings.warehouse}", flush=True)
    erasure = forget(settings, email, refresh=None if args.no_refresh else refresh)
    print(f"audit log: {settings.erasure_log}; erasure list: {settings.erasure_list}")
    if args.no_refresh:
        print(
            "raw is clean; `journey refresh --full` rebuilds staging, intermediate, marts "
            "and the published file without the person"
        )
        return EXIT_OK
    if erasure.rows_scrubbed:
        print("removed where the rebuild could not (rows, or replacements in a file):")
        for where, n in erasure.rows_scrubbed.items():
            print(f"  {where:<60} {n:>8,}")
    left = {k: v for k, v in remaining_in_warehouse(settings.warehouse, erasure).items() if v}
    left.update(left_anywhere(settings, erasure))
    if left:
        print("the person is NOT erased everywhere; still naming them:", file=sys.stderr)
        for where, n in left.items():
            print(f"  {where:<60} {n:>8,}", file=sys.stderr)
        return EXIT_FAILED
    print(
        "erased: raw, staging, intermediate, marts and the published file hold nothing of "
        "the person; the warehouse file was compacted"
    )
    if not erasure.refresh_succeeded:
        print(
            "for information: the rebuild failed on a check above, unrelated to the erasure; "
            "the person's rows were removed where they were instead. Totals built from "
            "their records (daily counts, revenue) are corrected by the next good refresh: "
            "fix the failure and run `journey refresh`."
        )
    return EXIT_OK


def cmd_summary(_args: argparse.Namespace) -> int:
    from orchestration.summary import render_summary

    settings = Settings.from_env()
    print(render_summary(settings.warehouse, settings.serving, settings.landing_dir))
    return EXIT_OK


def cmd_metrics(args: argparse.Namespace) -> int:
    from orchestration.metrics.engine import MetricsEngine, MetricsError, metric_labels
    from orchestration.metrics.output import render

    if args.list:
        for name, (label, description) in sorted(metric_labels().items()):
            print(f"{name:<40} {label}")
            if args.verbose and description:
                print(f"{'':<40} {description}")
        return EXIT_OK
    if not args.names:
        print("journey metrics: name at least one metric (--list shows them)", file=sys.stderr)
        return EXIT_FAILED
    settings = Settings.from_env()
    try:
        with MetricsEngine(settings.serving) as engine:
            result = engine.query(args.names, by=args.by, since=args.since)
    except MetricsError as error:
        print(f"journey metrics: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(render(result, args.format), end="")
    if args.sql:
        print(result.sql, file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journey",
        description=(
            "journey-warehouse: load the landing zone, build the customer-journey "
            "warehouse. Paths come from JOURNEY_LANDING_DIR, JOURNEY_WAREHOUSE and "
            "DAGSTER_HOME."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic landing zone")
    gen.add_argument("--scale", choices=["demo", "small", "medium", "large"], default="demo")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument(
        "--until",
        type=date.fromisoformat,
        default=None,
        help="write only the drops up to this date (YYYY-MM-DD); the world is the same",
    )
    gen.add_argument("--drop-every", type=int, default=7, help="days between file drops")
    gen.add_argument("--landing-dir", default=None, help="default: JOURNEY_LANDING_DIR")
    gen.add_argument(
        "--if-empty", action="store_true", help="do nothing if the landing zone has files"
    )
    gen.set_defaults(func=cmd_generate)

    ref = sub.add_parser("refresh", help="load new files and rebuild the warehouse")
    ref.add_argument(
        "--full",
        action="store_true",
        help=(
            "rebuild every incremental model from all of raw (dbt --full-refresh); "
            "a refresh does so by itself after the dbt project changed"
        ),
    )
    ref.set_defaults(func=cmd_refresh)

    chk = sub.add_parser(
        "check",
        help="run every data-quality check on the current warehouse (no rebuild)",
    )
    chk.add_argument(
        "--list", action="store_true", help="list every check with its severity and rule"
    )
    chk.set_defaults(func=cmd_check)

    dev = sub.add_parser("dev", help="start the Dagster UI on this code location")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=cmd_dev)

    fgt = sub.add_parser(
        "forget",
        help="erase a person: raw rows deleted, derived layers rebuilt, later loads drop them",
    )
    fgt.add_argument(
        "email", help="the person's email; '-' reads it from stdin (keeps it out of ps)"
    )
    fgt.add_argument(
        "--no-refresh",
        action="store_true",
        help="only erase from raw and list the landing files; rebuild later with --full",
    )
    fgt.set_defaults(func=cmd_forget)

    summ = sub.add_parser("summary", help="print what the warehouse holds")
    summ.set_defaults(func=cmd_summary)

    met = sub.add_parser(
        "metrics",
        help="answer metrics from the semantic layer, on the published marts",
        description=(
            "Query the semantic layer (dbt_project/models/semantic/) on the published "
            "file BI tools read. Examples: `journey metrics won_revenue avg_deal_size "
            "--by month`; `journey metrics cac --by quarter --since 2026-01-01`; "
            "`journey metrics lead_to_customer_conversion --by first_touch_channel`."
        ),
    )
    met.add_argument("names", nargs="*", metavar="NAME", help="metric names (see --list)")
    met.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="GROUP",
        help=(
            "group by a time grain (day, week, month, quarter, year), channel, campaign, "
            "model, first_touch_channel, stage, owner, platform, opportunity_type, or "
            "any MetricFlow group-by name; repeatable"
        ),
    )
    met.add_argument(
        "--since", type=date.fromisoformat, default=None, help="from this date (YYYY-MM-DD)"
    )
    met.add_argument("--format", choices=["table", "csv", "json"], default="table")
    met.add_argument("--list", action="store_true", help="list every metric and its label")
    met.add_argument(
        "--verbose", action="store_true", help="with --list: each metric's definition too"
    )
    met.add_argument("--sql", action="store_true", help="print the SQL that ran (stderr)")
    met.set_defaults(func=cmd_metrics)
    return parser


def _freeze_survivors(phase: str, info: dict[str, int]) -> None:
    """After each full collection, freeze what survived it: the objects loaded to run
    (Dagster's definitions, the dbt manifest, Great Expectations) live until the process
    exits, yet each full collection walked all of them again, ten times in a new day's
    refresh at medium scale (1.35 s of the 1.7 s its collections took). Frozen objects
    are never examined again, so the next full collection walks only what came after.
    Objects freed by their reference count are freed as before; only a cycle among
    frozen objects that becomes garbage stays until the process ends."""
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def console() -> int:
    """The ``journey`` command: :func:`main`, then an exit without the interpreter's last
    garbage collection over every object a refresh loaded (Dagster's definitions, the dbt
    manifest, Great Expectations): ~1.7 s at exit after a refresh, for memory the
    operating system takes back anyway. Every file and connection is closed by then;
    atexit handlers still run. Only the command does this (:func:`_freeze_survivors`
    too), not :func:`main` called inside another program (a test)."""
    gc.callbacks.append(_freeze_survivors)
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    raise SystemExit(console())
