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
