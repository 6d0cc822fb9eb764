"""Runs left STARTED by a process that died (kill -9, a power cut).

Dagster marks a run failed when its process ends badly, but a process killed with
``kill -9`` tells no one: the run stays STARTED in DAGSTER_HOME, and since writer runs
are queued one at a time (``journey/writes_warehouse``, limit 1) it would hold the queue
for every later scheduled, sensor or UI refresh. Two remedies:

- ``journey`` tags its in-process runs with its PID and host; before each run it marks
  failed any writer run of this host whose process is gone (:func:`fail_abandoned_runs`);
- the daemon's run monitoring fails any run older than ``max_runtime_seconds`` (the
  dagster.yaml that ``journey`` writes), which covers runs the daemon launched.
"""

from __future__ import annotations

import os
import socket

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRunStatus, RunsFilter

from orchestration.jobs import WRITER_TAGS

PID_TAG = "journey/pid"
HOST_TAG = "journey/host"
_ACTIVE = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]


def owner_tags() -> dict[str, str]:
    """Tags naming the process that executes a run in-process."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def fail_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every active writer run of this host whose process is gone; return
    their run ids. A run without the PID tags (launched by the daemon) is left to run
    monitoring; a PID reused by a new process counts as alive (the safe side)."""
    host = socket.gethostname()
    abandoned = []
    records = instance.get_run_records(filters=RunsFilter(statuses=_ACTIVE, tags=WRITER_TAGS))
    for record in records:
        run = record.dagster_run
        pid = run.tags.get(PID_TAG, "")
        if run.tags.get(HOST_TAG) != host or not pid.isdigit() or int(pid) == os.getpid():
            continue
        if _alive(int(pid)):
            continue
        instance.report_run_failed(
            run,
            f"the process that executed this run (pid {pid} on {host}) is gone, killed or "
            "crashed; marked failed by journey so that it no longer holds the writer queue",
        )
        abandoned.append(run.run_id)
    return abandoned
