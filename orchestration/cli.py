"""``journey``: the command-line front door of the warehouse.

It is thin on purpose: ``refresh`` executes the same Dagster job a schedule runs,
in this process, against the Dagster instance in ``DAGSTER_HOME`` (so the run shows
in the UI), prints progress and a summary, and turns the outcome into the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from orchestration.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_DAGSTER_YAML = """\
# Written by `journey` when DAGSTER_HOME was empty. Edit freely.
telemetry:
  enabled: false
"""


def _prepare_environment(settings: Settings) -> None:
    """Export the settings for child processes (dbt) and make DAGSTER_HOME usable.

    The venv's bin folder goes first on PATH: dagster-dbt looks for `dbt` there
    (e.g. when `dagster dev` re-parses the project), and `journey` may have been
    started by its full path without the venv activated.
    """
    os.environ.update(settings.as_env())
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    dagster_yaml = settings.dagster_home / "dagster.yaml"
    if not dagster_yaml.exists():
        dagster_yaml.write_text(_DAGSTER_YAML)


def _run_log_path(settings: Settings) -> Path:
    """Where the run's verbose output (dbt's log lines) goes."""
    folder = settings.dagster_home / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"refresh-{time.strftime('%Y%m%dT%H%M%S')}.log"


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))


def cmd_generate(args: argparse.Namespace) -> int:
    from ingestion.synthetic import generate

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


def cmd_refresh(_args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    _prepare_environment(settings)

    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import REFRESH_JOB_NAME
    from orchestration.progress import PROGRESS_LOGGER, progress_to
    from orchestration.summary import render_summary

    print(f"refreshing {settings.warehouse} from {settings.landing_dir}", flush=True)
    started = time.monotonic()
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    log_path = _run_log_path(settings)
    with (
        DagsterInstance.get() as instance,
        open(log_path, "w", encoding="utf-8") as log,
        progress_to(sys.stdout),
        contextlib.redirect_stdout(log),
    ):
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {PROGRESS_LOGGER: {}}},
            tags={"journey/trigger": "cli"},
        )
    elapsed = time.monotonic() - started
    print()
    print(render_summary(settings.warehouse))
    if result.success:
        print(f"refresh succeeded in {elapsed:.1f}s (run {result.run_id}; log {log_path})")
        return EXIT_OK
    failed = [
        event.step_key for event in result.all_events if event.is_step_failure and event.step_key
    ]
    print(
        f"refresh FAILED in {elapsed:.1f}s (run {result.run_id}); failed steps: "
        f"{', '.join(failed) or 'see the run in the Dagster UI'}. Full log: {log_path}",
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


def cmd_summary(_args: argparse.Namespace) -> int:
    from orchestration.summary import render_summary

    print(render_summary(Settings.from_env().warehouse))
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
    ref.set_defaults(func=cmd_refresh)

    dev = sub.add_parser("dev", help="start the Dagster UI on this code location")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=cmd_dev)

    summ = sub.add_parser("summary", help="print what the warehouse holds")
    summ.set_defaults(func=cmd_summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
