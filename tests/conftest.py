"""Shared test set-up: the dbt manifest exists before anything imports the definitions."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"

# The tests build demo-sized warehouses, where dbt's per-model overhead dominates: four
# threads overlap it (about 13% off a demo `dbt build` on 2 cores). Every dbt and
# `journey` subprocess inherits it; the product default stays 2.
os.environ.setdefault("JOURNEY_DBT_THREADS", "4")


SITE_PATHS = {"JOURNEY_LANDING_DIR": "landing", "JOURNEY_WAREHOUSE": "warehouse.duckdb"}
BESIDE_THE_WAREHOUSE = (
    "JOURNEY_SERVING",
    "JOURNEY_REPORT_DIR",
    "JOURNEY_EXPORT_DIR",
    "JOURNEY_ERASURE_LIST",
    "JOURNEY_DUCKDB_TEMP_DIR",
    "JOURNEY_SPARK_RAW_DIR",
    "JOURNEY_SPARK_WAREHOUSE_DIR",
)


@pytest.fixture(autouse=True)
def _site_outside_the_checkout(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test starts with a landing zone and a warehouse in an empty folder of its
    own, never the checkout's `data/` (which `make run` fills) nor paths the shell set;
    the other files default beside that warehouse. A test that wants a path sets it
    itself; subprocesses inherit these unless told otherwise."""
    site = tmp_path_factory.mktemp("site")
    for name, relative in SITE_PATHS.items():
        monkeypatch.setenv(name, str(site / relative))
    for name in BESIDE_THE_WAREHOUSE:
        monkeypatch.delenv(name, raising=False)


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """`make test` builds the manifest; a bare `pytest` run builds it here if it is
    missing or older than the dbt project."""
    from orchestration.dbt.project import changed_since

    manifest = DBT_DIR / "target" / "manifest.json"
    if not manifest.exists() or changed_since(manifest):
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", ".", "--project-dir", "."],
            cwd=DBT_DIR,
            check=True,
        )
    return manifest


@dataclass(frozen=True)
class DemoBuild:
    """The demo landing zone (scale demo, seed 42) after one `journey refresh` into an
    empty warehouse: the generator's summary and the refresh's output. Copy it with
    :meth:`copy_to` before changing anything."""

    root: Path
    summary: Any  # synthetic.GenerationSummary
    returncode: int
    stdout: str
    stderr: str

    def copy_to(self, target: Path) -> Path:
        """Landing zone, warehouse, published file, reports and Dagster home, under
        ``target`` with the same layout (the defaults beside the warehouse)."""
        shutil.copytree(self.root, target, dirs_exist_ok=True)
        return target


def journey_env(root: Path) -> dict[str, str]:
    """`journey`'s settings for a site under ``root`` (serving file and reports at their
    defaults beside the warehouse)."""
    return {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(root / "landing"),
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def _build_demo(root: Path) -> DemoBuild:
    from synthetic import generate

    summary = generate(root / "landing", scale="demo", seed=42)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("journey")), "refresh"],
        env=journey_env(root),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return DemoBuild(root, summary, done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> DemoBuild:
    """Generated and refreshed once per test run: the end-to-end modules that start from
    a refreshed demo copy it (a refresh costs minutes).

    Under pytest-xdist every worker has its own session, so the workers share the
    build through the run's common temp folder: the first to ask builds it under a
    file lock, the others wait for the lock and read the record it left (the build is
    read-only to its users: they copy it first).
    """
    if worker_id == "master":
        return _build_demo(tmp_path_factory.mktemp("demo-build"))
    shared = tmp_path_factory.getbasetemp().parent
    record = shared / "demo-build.pickle"
    with (shared / "demo-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            return pickle.loads(record.read_bytes())
        build = _build_demo(shared / "demo-build")
        record.write_bytes(pickle.dumps(build))
        return build


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The modules marked ``slow`` (each builds a demo warehouse, minutes) run first.

    ``make test`` spreads whole modules over one worker per core (pytest-xdist
    ``--dist loadfile``) in this order: started first, the long modules overlap the many
    short ones instead of leaving one worker alone at the end. The sort is stable, so
    the order inside each group is the collection order.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
