"""Benchmark: generate a landing zone, refresh it, refresh it again.

    .venv/bin/python benchmarks/refresh.py --scale medium --workdir /tmp/bench

Each step runs as a child process (what a user runs), timed by wall clock, with the
peak resident memory of that child (ru_maxrss of the children; the numbers are the
largest child so far, so a step's peak is exact when it is larger than the steps
before it). The machine is shared: compare ratios measured in one run, not numbers
across runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _step(name: str, argv: list[str], env: dict[str, str], log: Path) -> tuple[str, float, float]:
    started = time.monotonic()
    with log.open("a") as out:
        out.write(f"\n### {name}: {' '.join(argv)}\n")
        out.flush()
        done = subprocess.run(argv, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    wall = time.monotonic() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode != 0:
        raise SystemExit(f"{name} failed (exit {done.returncode}); see {log}")
    return name, wall, peak_mib


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/journey-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the workdir afterwards")
    args = parser.parse_args()

    work = args.workdir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(work / "landing"),
        "JOURNEY_WAREHOUSE": str(work / "warehouse.duckdb"),
        "DAGSTER_HOME": str(work / "dagster_home"),
    }
    log = work / "benchmark.log"
    journey = str(BIN / "journey")
    steps = [
        _step(
            "generate",
            [journey, "generate", "--scale", args.scale, "--seed", str(args.seed)],
            env,
            log,
        ),
        _step("refresh (full, empty warehouse)", [journey, "refresh"], env, log),
        _step("refresh (no new files)", [journey, "refresh"], env, log),
    ]
    landing_mib = (
        sum(p.stat().st_size for p in (work / "landing").rglob("*") if p.is_file()) / 2**20
    )
    warehouse_mib = (work / "warehouse.duckdb").stat().st_size / 2**20
    print(
        f"scale={args.scale} seed={args.seed} cores={os.cpu_count()} "
        f"landing={landing_mib:,.0f} MiB warehouse={warehouse_mib:,.0f} MiB"
    )
    print(f"{'step':<34} {'wall s':>8} {'peak RSS MiB (max so far)':>26}")
    for name, wall, peak in steps:
        print(f"{name:<34} {wall:>8.1f} {peak:>26,.0f}")
    print(f"log: {log}")
    if not args.keep:
        shutil.rmtree(work / "landing", ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
