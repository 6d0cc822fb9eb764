"""Benchmark: the engine's own read of the landing zone, a full refresh, a refresh
with nothing new, and the last drop of files (one new day by default) refreshed
incrementally against the same drop refreshed as a full rebuild.

    .venv/bin/python benchmarks/refresh.py --scale medium --workdir /tmp/bench

``--drop-every N`` (default 1) writes the vendors' files every N days instead of every
day: fewer, larger files (a small landing zone up to the drop before the last has 79
Segment and 78 SendGrid files at ``--drop-every 7``, 543 and 471 at 1), the shape of a
landing zone that receives weekly exports; the last drop (step 5) then carries the days
since the one before it.

Steps, each a child process (what a user or a schedule runs), timed by wall clock:

1. generate the landing zone with a drop every day (every ``--drop-every`` days), all
   but the last drop;
2. bare read: DuckDB's own readers copy every landing file into tables
   (``benchmarks/bare_read.py``: no validation, ledger or model), the yardstick;
3. refresh: the first, full refresh into an empty warehouse;
4. refresh again with no new files;
5. generate the last drop (the same world: the earlier files are unchanged);
6. copy the warehouse, so both of the next two start from the same state, and flush
   the copy to disk (``os.sync``, timed with the copy): otherwise the kernel writes its
   gigabytes back while step 7 runs, and step 8's first commit waits for them (a lab
   copy of the medium warehouse made a refresh's first checkpoint 1.1-1.7 s instead of
   ~15 ms: its fsync flushed the copy);
7. refresh: incremental, loads the new day and rebuilds what it touched;
8. refresh --full on the copy: loads the same new day, rebuilds every model.

Every step's time is also printed as a multiple of the bare read's. Step 7 against
step 8 is the incremental path against a full rebuild on identical input. Peak RSS is
each step's own (``wait4`` of the child: the child and the processes it waited for,
dbt included). The machine is shared: compare ratios measured in one run, not
numbers across runs. Disk: the landing zone's and the warehouse's sizes, and the most
the run took at once (free space on the workdir's disk, sampled every second, at its
lowest: the warehouse, DuckDB's spill, the published copy and the landing zone
together; the bare read deletes its scratch database before the refreshes start).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from synthetic.config import WINDOW_END, WINDOW_START
from synthetic.schedule import drop_schedule

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Step:
    name: str
    wall_s: float
    peak_rss_mib: float | None


def _step(name: str, argv: list[str], env: dict[str, str], log: Path) -> Step:
    print(f"{name} ...", flush=True)
    started = time.monotonic()
    with log.open("a") as out:
        out.write(f"\n### {name}: {' '.join(argv)}\n")
        out.flush()
        child = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if child.returncode != 0:
        raise SystemExit(f"{name} failed (exit {child.returncode}); see {log}")
    step = Step(name, wall, usage.ru_maxrss / 1024)
    # a large run takes hours: each step's figures as soon as it ends
    print(f"  {wall:,.1f} s, peak RSS {step.peak_rss_mib:,.0f} MiB", flush=True)
    return step


class _LowestFreeDisk:
    """Samples the free space of the disk holding ``path`` until stopped."""

    def __init__(self, path: Path, every_s: float = 1.0) -> None:
        self._path, self._every_s = path, every_s
        self.at_start = self.lowest = shutil.disk_usage(path).free
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self._every_s):
            self.lowest = min(self.lowest, shutil.disk_usage(self._path).free)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _copy(name: str, source: Path, target: Path) -> Step:
    print(f"{name} ...", flush=True)
    started = time.monotonic()
    shutil.copyfile(source, target)
    os.sync()
    return Step(name, time.monotonic() - started, None)


def _env(work: Path, warehouse: str) -> dict[str, str]:
    return {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(work / "landing"),
        "JOURNEY_WAREHOUSE": str(work / f"{warehouse}.duckdb"),
        "JOURNEY_SERVING": str(work / f"{warehouse}-serving.duckdb"),
        "JOURNEY_REPORT_DIR": str(work / f"{warehouse}-reports"),
        "DAGSTER_HOME": str(work / f"{warehouse}-dagster_home"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo", choices=["demo", "small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--drop-every",
        type=int,
        default=1,
        metavar="DAYS",
        help="days between the landing zone's file drops (default 1: one new day is the "
        "last step's work; 7: weekly files, fewer and larger)",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/journey-bench"))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the landing zone, warehouses and Dagster home afterwards (without it "
        "only benchmark.log stays: a large run leaves ~50 GiB otherwise)",
    )
    parser.add_argument(
        "--skip-full",
        action="store_true",
        help="leave out steps 6 and 8 (the warehouse copy and --full): at large scale the "
        "copy needs as much disk again as the warehouse",
    )
    args = parser.parse_args()

    work = args.workdir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env, env_full = _env(work, "warehouse"), _env(work, "rebuilt")
    log = work / "benchmark.log"
    journey = str(BIN / "journey")
    generate = [journey, "generate", "--scale", args.scale, "--seed", str(args.seed)]
    generate += ["--drop-every", str(args.drop_every)]
    last_drop = drop_days(args.drop_every)
    if last_drop == 1:
        new, new_incremental = "one new day", "refresh (one new day, incremental)"
        new_full = "refresh --full (same new day)"
    else:
        new = f"the last drop ({last_drop} days)"
        new_incremental = f"refresh (last drop, {last_drop} days, incremental)"
        new_full = "refresh --full (same last drop)"
    day_before = (WINDOW_END - timedelta(days=1)).isoformat()
    bare = [
        sys.executable,
        str(Path(__file__).with_name("bare_read.py")),
        str(work / "landing"),
        str(work / "bare.duckdb"),
    ]
    disk = _LowestFreeDisk(work)
    steps = [
        _step(f"generate (drops to {day_before})", [*generate, "--until", day_before], env, log),
        _step("bare DuckDB read of the landing zone", bare, env, log),
        _step("refresh (full, empty warehouse)", [journey, "refresh"], env, log),
        _step("refresh (no new files)", [journey, "refresh"], env, log),
        _step(f"generate (the drop of {WINDOW_END})", generate, env, log),
    ]
    if not args.skip_full:
        copy = _copy("copy the warehouse", work / "warehouse.duckdb", work / "rebuilt.duckdb")
        steps.append(copy)
    steps.append(_step(new_incremental, [journey, "refresh"], env, log))
    if not args.skip_full:
        full = [journey, "refresh", "--full"]
        steps.append(_step(new_full, full, env_full, log))
    disk.stop()
    landing_mib = (
        sum(p.stat().st_size for p in (work / "landing").rglob("*") if p.is_file()) / 2**20
    )
    warehouse_mib = (work / "warehouse.duckdb").stat().st_size / 2**20
    print(
        f"scale={args.scale} seed={args.seed} drop_every={args.drop_every} "
        f"cores={os.cpu_count()} "
        f"landing={landing_mib:,.0f} MiB warehouse={warehouse_mib:,.0f} MiB"
    )
    bare_s = steps[1].wall_s
    width = max(40, *(len(step.name) for step in steps))
    print(f"{'step':<{width}} {'wall s':>8} {'x bare read':>12} {'peak RSS MiB':>13}")
    for step in steps:
        peak = f"{step.peak_rss_mib:,.0f}" if step.peak_rss_mib is not None else "-"
        ratio = step.wall_s / bare_s
        print(f"{step.name:<{width}} {step.wall_s:>8.1f} {ratio:>12.2f} {peak:>13}")
    by_name = {step.name: step.wall_s for step in steps}
    first = by_name["refresh (full, empty warehouse)"]
    incremental = by_name[new_incremental]
    print(f"first full refresh: {first / bare_s:.1f}x the bare read ({bare_s:.1f} s)")
    print(f"refresh with no new file: {by_name['refresh (no new files)']:.1f} s")
    day = f"{new}: incremental {incremental:.1f} s = {incremental / first:.2f} of the first"
    day += " full refresh"
    if new_full in by_name:
        rebuilt = by_name[new_full]
        day += f", {incremental / rebuilt:.2f} of --full on the same data ({rebuilt:.1f} s)"
    print(day)
    print(f"peak RSS of any step: {max(s.peak_rss_mib or 0 for s in steps):,.0f} MiB")
    at_end = sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) / 2**30
    print(f"disk used by the workdir at the end: {at_end:,.1f} GiB")
    print(
        f"disk used at most (free space at the start less its lowest point): "
        f"{(disk.at_start - disk.lowest) / 2**30:,.1f} GiB"
    )
    print(f"log: {log}")
    if not args.keep:
        tidy(work, keep=log)
    return 0


def drop_days(drop_every: int) -> int:
    """Days the last drop (the one dated WINDOW_END) covers: the drop cadence of
    ``journey generate --drop-every`` (``synthetic.schedule``), whose last drop comes
    on WINDOW_END whether or not the cadence lands on it."""
    drops = drop_schedule(drop_every)
    if len(drops) < 2:
        return (drops[-1].day - WINDOW_START).days
    return (drops[-1].day - drops[-2].day).days


def tidy(work: Path, *, keep: Path) -> None:
    """Remove everything in ``work`` but ``keep`` (the log): the landing zone, both
    warehouses with their published copies, reports and Dagster homes."""
    for path in work.iterdir():
        if path == keep:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
