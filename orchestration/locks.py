"""The warehouse's writer lock, without Dagster (the CLI takes it before a run starts)."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WRITER_LOCK_TIMEOUT = 6 * 3600.0
"""How long a step waits for another writer before it gives up (a full medium refresh
takes minutes; hours means something is stuck)."""


def lock_path_of(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}.writer.lock")


_held: dict[Path, int] = {}
"""Lock files this process holds, with how many blocks hold each."""


@contextmanager
def writer_lock(
    warehouse: Path, log: Any = None, timeout_seconds: float = WRITER_LOCK_TIMEOUT
) -> Iterator[None]:
    """Hold the warehouse's writer lock (an advisory ``flock`` on
    ``<warehouse>.writer.lock``) while the block writes or reads the warehouse file.

    DuckDB allows one process to open a file for writing, and refuses a read-only
    open while a writer holds it; steps of two runs (the schedule and the sensor, or
    a CLI refresh beside the daemon's) wait here for each other instead of failing.
    The kernel releases the lock when its process dies, so a refresh killed with
    ``kill -9`` never leaves it held.

    Re-entrant within a process: the in-process executor runs one step at a time, and
    a step whose generator Dagster stopped without closing it (an error raised while
    handling an event it yielded) must not make the next step wait on its own
    process for hours.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = lock_path_of(warehouse).resolve()
    if _held.get(lock_path):
        _held[lock_path] += 1
        try:
            yield
        finally:
            _held[lock_path] -= 1
        return
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout_seconds
        waited = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"another process has been writing {warehouse} for more than "
                        f"{timeout_seconds:.0f}s (lock {lock_path})"
                    ) from None
                if not waited and log is not None:
                    log.info(f"waiting for another writer of {warehouse} to finish")
                waited = True
                time.sleep(1.0)
        _held[lock_path] = 1
        try:
            yield
        finally:
            _held[lock_path] -= 1
            if not _held[lock_path]:
                del _held[lock_path]
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
