"""dbt over a Spark Thrift server, the way a cluster is reached: a Thrift server started
from pyspark's own jars on 127.0.0.1, `dbt build` of the Salesforce leads (the raw
registration hook, the staging model and its tests) and of the engine contract
(dbt_project/tests/engine_contract/: every dispatched macro on its edge cases, the same
answers DuckDB gives in tests/dbt/test_dbt_project_builds.py) through it, the rows
equal to the DuckDB build's, and the server stopped by its PID. (The whole project on Spark is the
session-mode test, test_spark_matches_duckdb.py: through Thrift every statement costs a
round trip, minutes more for the same proof.)

Needs the `.[spark]` extra (PyHive) and Java 17, which `make test` installs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.spark import spark_unavailable
from orchestration.spark.raw_export import export_raw

pytestmark = pytest.mark.slow

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
SELECTION = "+stg_salesforce__leads tag:engine_contract"
CONTRACT = sorted(p.stem for p in (DBT_DIR / "tests" / "engine_contract").glob("*.sql"))
STARTUP_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


@pytest.fixture
def thrift_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A Spark Thrift server from pyspark's jars: (port, its warehouse directory)."""
    problem = spark_unavailable()  # the server runs from pyspark's jars
    assert problem is None, problem
    port, warehouse = _free_port(), tmp_path / "spark-warehouse"
    warehouse.mkdir()
    home = _spark_home()
    log = (tmp_path / "thrift-server.log").open("w")
    server = subprocess.Popen(
        [
            str(home / "bin" / "spark-submit"),
            "--class",
            "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
            "--name",
            "journey-thrift-test",
            "--conf",
            f"spark.sql.warehouse.dir={warehouse}",
            "--conf",
            f"spark.driver.extraJavaOptions=-Dderby.system.home={warehouse} "
            f"-Dderby.stream.error.file={warehouse}/derby.log",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.sql.session.timeZone=UTC",
            "--conf",
            "spark.sql.shuffle.partitions=4",
            # Hive's per-session resources folder under the test's folder, not /tmp:
            # the server's own session is never closed (stopped by its PID)
            "--conf",
            f"spark.hadoop.hive.downloaded.resources.dir={warehouse}/hive_resources/"
            "${hive.session.id}_resources",
            "--hiveconf",
            f"hive.server2.thrift.port={port}",
            "--hiveconf",
            "hive.server2.thrift.bind.host=127.0.0.1",
            "spark-internal",
        ],
        env={**os.environ, "SPARK_HOME": str(home)},
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with the JVM it starts
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _listening(port):
            assert server.poll() is None, (tmp_path / "thrift-server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the Thrift server did not listen in time"
            time.sleep(1)
        yield port, warehouse
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()


def test_dbt_builds_through_a_thrift_server(demo_build, thrift_server, tmp_path: Path) -> None:
    assert demo_build.returncode == 0, demo_build.stderr[-3000:]
    port, warehouse = thrift_server
    raw = tmp_path / "raw"
    with duckdb.connect(str(demo_build.root / "warehouse.duckdb"), read_only=True) as conn:
        export_raw(conn, raw)
    env = {
        **os.environ,
        "JOURNEY_SPARK_HOST": "127.0.0.1",
        "JOURNEY_SPARK_PORT": str(port),
        "JOURNEY_SPARK_RAW_DIR": str(raw),
        "JOURNEY_SPARK_WAREHOUSE_DIR": str(warehouse),
        "JOURNEY_WAREHOUSE": str(tmp_path / "unused.duckdb"),
        "DBT_INDIRECT_SELECTION": "buildable",
    }
    target = tmp_path / "target"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--target",
            "spark_thrift",
            "--select",
            SELECTION,
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-6000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].split(".")[0]: set() for r in results}
    for r in results:
        statuses[r["unique_id"].split(".")[0]].add(r["status"])
    assert statuses["model"] == {"success"} and statuses["test"] == {"pass"}
    assert sum(r["unique_id"].startswith("model.") for r in results) == 1
    assert sum(r["unique_id"].startswith("test.") for r in results) >= 3 + len(CONTRACT)
    # Spark gives every contract answer (a failing case would be a row, status fail)
    contract = {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"])
        for r in results
        if r["unique_id"].split(".")[2] in CONTRACT
    }
    assert len(CONTRACT) >= 15 and contract == dict.fromkeys(CONTRACT, ("pass", 0))

    # the leads Spark built through the server are the DuckDB build's (Spark's Parquet
    # timestamps are instants: DuckDB reads them with a time zone)
    columns = (
        "lead_id, converted_contact_id, owner_id, email, lead_source, lead_status, "
        "is_converted, converted_date"
    )
    files = f"{warehouse}/staging.db/stg_salesforce__leads/*.parquet"
    spark = sorted(
        duckdb.sql(
            f"select {columns}, timezone('UTC', created_at) from read_parquet('{files}')"
        ).fetchall()
    )
    with duckdb.connect(str(demo_build.root / "warehouse.duckdb"), read_only=True) as conn:
        query = f"select {columns}, created_at from staging.stg_salesforce__leads"
        local = sorted(conn.execute(query).fetchall())
    assert len(spark) > 100 and spark == local
