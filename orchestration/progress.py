"""Terse, human progress lines for runs started from the command line.

Dagster's console logger prints every engine event; a person watching
``journey refresh`` wants one line per asset and check, and the failures in
plain words. This logger reads the structured Dagster events that pass through the
run's loggers and prints just that.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import dagster as dg
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR

PROGRESS_LOGGER = "journey_progress"

_stream: TextIO | None = None


@contextmanager
def progress_to(stream: TextIO) -> Iterator[None]:
    """Send progress lines to ``stream`` for runs started inside this block.

    The CLI sends the run's verbose output (dbt's log lines, which dagster-dbt writes
    to ``sys.stdout``) to a log file, and keeps the terminal for progress.
    """
    global _stream
    previous, _stream = _stream, stream
    try:
        yield
    finally:
        _stream = previous


def _metadata_value(value: object) -> object:
    return getattr(value, "value", value)


class _ProgressHandler(logging.Handler):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(level=logging.DEBUG)
        self._stream = stream
        self._started = time.monotonic()
        self._step_started: dict[str, float] = {}

    def _print(self, text: str) -> None:
        elapsed = time.monotonic() - self._started
        self._stream.write(f"[{elapsed:7.1f}s] {text}\n")
        self._stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        event: DagsterEvent | None = meta.get("dagster_event")
        if event is None:
            # Warnings are in the run's log and the UI; materializations already
            # carry the counts they mention. Errors are worth a line here.
            if record.levelno >= logging.ERROR:
                self._print(f"error: {meta.get('orig_message', record.getMessage())}")
            return
        kind = event.event_type
        step = event.step_key or ""
        if kind == DagsterEventType.STEP_START:
            self._step_started[step] = time.monotonic()
            self._print(f"start  {step}")
        elif kind == DagsterEventType.STEP_SUCCESS:
            took = time.monotonic() - self._step_started.get(step, time.monotonic())
            self._print(f"done   {step} ({took:.1f}s)")
        elif kind == DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error else "unknown error"
            self._print(f"FAILED {step}: {message}")
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            md = {k: _metadata_value(v) for k, v in materialization.metadata.items()}
            detail = ""
            if "rows_loaded" in md:
                detail = (
                    f": {md['rows_loaded']:,} rows loaded, {md['duplicates']:,} duplicates, "
                    f"{md['quarantined']:,} quarantined"
                )
            self._print(f"  built {materialization.asset_key.to_user_string()}{detail}")
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed:
                severity = evaluation.severity.value.lower()
                self._print(
                    f"  check {severity}: {evaluation.check_name} on "
                    f"{evaluation.asset_key.to_user_string()} did not pass"
                )


@dg.logger(description="One line per step, asset and failing check, for the journey CLI.")
def progress_logger(_init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.Logger(PROGRESS_LOGGER, level=logging.DEBUG)
    logger.addHandler(_ProgressHandler(_stream or sys.stdout))
    return logger


_STEP_EVENTS = {
    DagsterEventType.STEP_START,
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
    DagsterEventType.ASSET_MATERIALIZATION,
}


def step_timings(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, float | None, str]]:
    """(step, wall seconds, what happened) for every step of a run, in start order.

    A load step's line splits its time into loading and the raw checks (the loaders'
    ``load_seconds`` metadata); a skipped step has no time.
    """
    started: dict[str, float] = {}
    ended: dict[str, tuple[float, str]] = {}
    load_seconds: dict[str, float] = {}
    order: list[str] = []
    for record in instance.all_logs(run_id, of_type=_STEP_EVENTS):
        event = record.dagster_event
        step = event.step_key or ""
        if step not in order:
            order.append(step)
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            started[step] = record.timestamp
        elif kind == DagsterEventType.STEP_SUCCESS:
            ended[step] = (record.timestamp, "done")
        elif kind == DagsterEventType.STEP_FAILURE:
            ended[step] = (record.timestamp, "FAILED")
        elif kind == DagsterEventType.STEP_SKIPPED:
            ended[step] = (record.timestamp, "skipped: nothing upstream was built in this run")
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            metadata = event.step_materialization_data.materialization.metadata
            if "load_seconds" in metadata and step not in load_seconds:
                load_seconds[step] = float(_metadata_value(metadata["load_seconds"]))
    rows = []
    for step in order:
        end, what = ended.get(step, (None, "did not finish"))
        seconds = end - started[step] if end is not None and step in started else None
        if seconds is not None and step in load_seconds:
            what = f"load {load_seconds[step]:.1f}s, raw checks {seconds - load_seconds[step]:.1f}s"
        rows.append((step, seconds, what))
    return rows


def render_timings(rows: list[tuple[str, float | None, str]], total: float) -> str:
    """The timing lines ``journey refresh`` ends with, like dbt's own summary."""
    width = max([len(step) for step, _, _ in rows] + [len("total")])
    lines = ["where the time went:"]
    for step, seconds, what in rows:
        shown = f"{seconds:8.1f}s" if seconds is not None else " " * 9
        lines.append(f"  {step:<{width}} {shown}  {what}")
    lines.append(f"  {'total':<{width}} {total:8.1f}s  (process start to the summary)")
    return "\n".join(lines)
