"""dbt's unit tests on Spark: `make test-spark-units`.

The unit tests (the `unit_tests:` of dbt_project/models) test the models' SQL on
hand-written rows. `make test` runs them on DuckDB; on Spark they take minutes more
than the suite's 30-minute budget holds (every test is a Spark job), so they run here,
on demand and before a release:

1. an empty raw layer, exported as Parquet for Spark (``orchestration.spark.raw_export``);
2. ``dbt build --target spark --empty`` of seeds, models and unit tests (data tests left
   out): every model's table exists, with its columns and no rows, before the unit
   tests of the models built from it run (dbt reads the columns of a unit test's
   inputs from them);
3. the unit tests' results: each must pass.

Usage: ``python tests/spark/run_unit_tests.py [WORK_DIR]`` (default: a new temporary
folder). Exits 0 when every unit test passed on Spark, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ingestion.registry import create_raw_layer  # noqa: E402
from orchestration.spark import SPARK_TARGET, spark_unavailable  # noqa: E402
from orchestration.spark.raw_export import export_raw  # noqa: E402

DBT_DIR = ROOT / "dbt_project"


def main(argv: list[str]) -> int:
    problem = spark_unavailable(SPARK_TARGET)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    work = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="spark-unit-tests-"))
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        create_raw_layer(conn)
        export_raw(conn, work / "raw")
    env = {
        **os.environ,
        "JOURNEY_WAREHOUSE": str(warehouse),
        "JOURNEY_SPARK_RAW_DIR": str(work / "raw"),
        "JOURNEY_SPARK_WAREHOUSE_DIR": str(work / "spark"),
    }
    command = [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--target",
        SPARK_TARGET,
        "--empty",
        "--exclude-resource-type",
        "test",
        "--project-dir",
        str(DBT_DIR),
        "--profiles-dir",
        str(DBT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    print(f"dbt's unit tests on Spark, in {work} (dbt's log: {work / 'logs' / 'dbt.log'})")
    started = time.monotonic()
    done = subprocess.run(command, env=env, cwd=work, check=False)
    elapsed = time.monotonic() - started
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    units = [r for r in results if r["unique_id"].startswith("unit_test.")]
    failed = [
        r["unique_id"]
        for r in results
        if r["unique_id"].split(".")[0] in ("seed", "model", "unit_test")
        and r["status"] not in ("pass", "success")
    ]
    print(
        f"{len(units)} unit tests on Spark: {sum(r['status'] == 'pass' for r in units)} passed, "
        f"{len(failed)} node(s) failed, in {elapsed:.0f} s"
    )
    for name in failed:
        print(f"  FAILED {name}", file=sys.stderr)
    return 0 if done.returncode == 0 and units and not failed else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
