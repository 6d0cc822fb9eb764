"""dbt models, seeds and tests as Dagster assets and asset checks."""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt.project import TRANSLATOR, dbt_project
from orchestration.resources import WarehouseResource


def _dbt_executable() -> str:
    """The dbt installed beside this Python, so runs work without the venv on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def build_dbt_definitions() -> dg.Definitions:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=TRANSLATOR,
        name="journey_dbt",
        pool="warehouse_writer",
    )
    def journey_dbt(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        """Seeds, staging, intermediate and mart models, with their dbt tests as checks."""
        warehouse.export_warehouse_env()
        invocation = dbt.cli(["build"], context=context)
        try:
            yield from invocation.stream()
        finally:
            # If the step dies while dbt still runs (an error reading its events, an
            # interrupt), dbt would keep the warehouse's write lock; stop it.
            if invocation.process.poll() is None:
                invocation.process.terminate()
                invocation.process.wait(timeout=60)

    return dg.Definitions(
        assets=[journey_dbt],
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=_dbt_executable())},
    )
