"""Fixtures for the dbt tests: build the project against a throw-away warehouse.

Each test module builds its own warehouse under ``tmp_path``: the raw layer from
``ingestion.registry``, hand-written raw rows, then one ``dbt build`` run by the venv's
dbt in a subprocess, exactly as the orchestrator runs it (``JOURNEY_WAREHOUSE`` plus
``--project-dir``/``--profiles-dir dbt_project``).

The helpers reach the tests through the ``dbt_harness`` fixture (the suite runs with
``--import-mode=importlib``, where test modules cannot import a sibling module).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion.registry import LINEAGE_COLUMNS, create_raw_layer, raw_table

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
LOADED_AT = datetime(2026, 3, 10, 6, 0, 0)
# dbt runs with a session time zone far from UTC (and not a whole hour off): every
# timestamp the warehouse stores must come out the same as on a UTC machine.
NON_UTC_TIME_ZONE = "Asia/Kolkata"


def _dbt_executable() -> str:
    beside_python = Path(sys.executable).with_name("dbt")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if found is None:
        raise RuntimeError("dbt is not installed next to the test interpreter")
    return found


def create_warehouse(path: Path) -> Path:
    """A new DuckDB warehouse at ``path`` holding the empty raw layer."""
    with duckdb.connect(str(path)) as conn:
        create_raw_layer(conn)
    return path


def insert_raw(
    warehouse: Path, source: str, object_: str, rows: Iterable[Mapping[str, Any]]
) -> None:
    """Append rows to ``raw.<source>__<object>``.

    Each row gives vendor columns as text (omitted ones are null) plus ``_source_file``
    and ``_source_position``; the other lineage columns are filled in. A column the
    registry does not know is an error, so the tests follow the registry.
    """
    table = raw_table(source, object_)
    lineage = [name for name, _ in LINEAGE_COLUMNS]
    columns = [*table.columns, *lineage]
    records = []
    for row in rows:
        unknown = set(row) - set(table.columns) - {"_source_file", "_source_position"}
        if unknown:
            raise KeyError(f"{table.qualified_name} has no columns {sorted(unknown)}")
        vendor = {c: row.get(c) for c in table.columns}
        records.append(
            [
                *vendor.values(),
                json.dumps(vendor),
                row["_source_file"],
                row["_source_position"],
                "test-load",
                LOADED_AT,
            ]
        )
    quoted = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join("?" for _ in columns)
    with duckdb.connect(str(warehouse)) as conn:
        conn.executemany(
            f"insert into {table.qualified_name} ({quoted}) values ({placeholders})", records
        )


def run_dbt(
    args: list[str], warehouse: Path, work_dir: Path, check: bool = True
) -> subprocess.CompletedProcess:
    """Run ``dbt <args>`` on the project against ``warehouse``; fail the test on error.

    With ``check=False`` a non-zero exit (e.g. ``dbt test`` with a failing test) is
    returned, not failed: read the outcome with :func:`run_results`.
    """
    env = {
        **os.environ,
        "JOURNEY_WAREHOUSE": str(warehouse),
        "TZ": NON_UTC_TIME_ZONE,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # As the orchestrator runs dbt: a test runs only when all its parents are built.
        "DBT_INDIRECT_SELECTION": "buildable",
    }
    command = [
        _dbt_executable(),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-8000:]}"
            f"\n{result.stderr[-4000:]}"
        )
    return result


def run_results(work_dir: Path) -> dict[str, dict[str, Any]]:
    """The last dbt invocation's results in ``work_dir``, by node name.

    Each value is dbt's result entry (``status``: pass, fail, warn, error, success,
    skipped; ``failures``: the number of rows a data test returned).
    """
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    by_name = {}
    for result in results:
        # <type>.<project>.<name>[.<hash>]; a unit test's is <type>.<project>.<model>.<name>
        parts = result["unique_id"].split(".")
        by_name[parts[-1] if parts[0] == "unit_test" else parts[2]] = result
    return by_name


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    """Rows of ``sql`` run on the warehouse, read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def query_dicts(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[dict]:
    """Rows of ``sql`` as dicts keyed by column name."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        cursor = conn.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class DbtHarness:
    """The helpers above, handed to tests by the ``dbt_harness`` fixture."""

    create_warehouse = staticmethod(create_warehouse)
    insert_raw = staticmethod(insert_raw)
    run_dbt = staticmethod(run_dbt)
    run_results = staticmethod(run_results)
    query = staticmethod(query)
    query_dicts = staticmethod(query_dicts)


@pytest.fixture(scope="session")
def dbt_harness() -> DbtHarness:
    return DbtHarness()


@pytest.fixture(scope="session")
def empty_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The whole project built (``dbt build``) on an empty raw layer.

    Returns the warehouse path and the manifest that build wrote.
    """
    work_dir = tmp_path_factory.mktemp("empty_build")
    warehouse = create_warehouse(work_dir / "warehouse.duckdb")
    run_dbt(["build"], warehouse, work_dir)
    manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    return {"warehouse": warehouse, "manifest": manifest}
