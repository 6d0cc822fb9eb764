"""Where a rendered report goes: a dated file and ``latest.html``, each written atomically.

A reader (a browser, a file share, the next refresh) sees the old page or the new one,
never half of one; temp files that a killed run left behind are swept on the next write.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from orchestration.reports.formats import utc

LATEST_NAME = "latest.html"


def report_filename(generated_at: datetime) -> str:
    return f"report-{utc(generated_at).strftime('%Y%m%dT%H%M%S')}.html"


def _atomic_write(path: Path, text: str) -> None:
    """Write beside the target, then rename over it: a reader sees the old file or the
    new one, never half of one."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_report(html: str, report_dir: Path, generated_at: datetime) -> Path:
    """Write ``report-<YYYYmmddTHHMMSS>.html`` (UTC) and replace ``latest.html``
    atomically; return the dated report's path."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    # Temp files of a run killed mid-write (kill -9 skips the cleanup above). The
    # report step holds the warehouse writer lock, so no other run is writing now.
    for leftover in report_dir.glob(".*.html.*.tmp"):
        leftover.unlink(missing_ok=True)
    path = report_dir / report_filename(generated_at)
    _atomic_write(path, html)
    _atomic_write(report_dir / LATEST_NAME, html)
    return path
