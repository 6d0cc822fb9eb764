"""benchmarks/refresh.py's housekeeping: without --keep, only the log stays."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "refresh.py"


def _script():
    spec = importlib.util.spec_from_file_location("benchmark_refresh", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_tidy_leaves_only_the_log(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "landing" / "web" / "segment").mkdir(parents=True)
    (work / "landing" / "web" / "segment" / "day.jsonl.gz").write_bytes(b"x")
    (work / "warehouse-dagster_home" / "logs").mkdir(parents=True)
    for name in ("warehouse.duckdb", "warehouse-serving.duckdb", "rebuilt.duckdb"):
        (work / name).write_bytes(b"x")
    outside = tmp_path / "outside.txt"
    outside.write_text("not in the workdir")
    (work / "link-to-outside").symlink_to(outside)
    log = work / "benchmark.log"
    log.write_text("step  wall s\n")

    _script().tidy(work, keep=log)

    assert sorted(p.name for p in work.iterdir()) == ["benchmark.log"]
    assert log.read_text() == "step  wall s\n"
    assert outside.read_text() == "not in the workdir"  # a link is removed, not followed


def test_drop_days_counts_the_days_the_last_drop_carries() -> None:
    # drops every N days after 2026-01-01, and always one on 2026-09-30 (day 272)
    drop_days = _script().drop_days
    assert drop_days(1) == 1  # 09-29 -> 09-30
    assert drop_days(7) == 6  # the cadence's last drop is 09-24 (day 266)
    assert drop_days(30) == 2  # ... 08-29, 09-28, then 09-30
    assert drop_days(272) == 272  # the cadence lands on 09-30: one drop, all of it
    assert drop_days(300) == 272  # no drop in the cadence: only 09-30's
