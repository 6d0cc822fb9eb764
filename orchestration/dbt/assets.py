"""dbt models, seeds and tests as Dagster assets and asset checks."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt.project import TRANSLATOR, dbt_project
from orchestration.jobs import FULL_REFRESH_TAG
from orchestration.quality.checks import blocked_dbt_exclusions, failed_checks
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
        """Seeds, staging, intermediate and mart models, with their dbt tests as checks.

        Models downstream of a raw table whose blocking quality check failed earlier in
        this run are left out (they keep their last good build); the step then fails,
        so the run is marked failed and says why.
        """
        warehouse.export_warehouse_env()
        # A test runs only when all its parents are built in this invocation: a
        # reconciliation reading staging and a mart must not run on a stale mart when
        # only staging is materialized.
        os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
        blocked = blocked_dbt_exclusions(failed_checks(context.instance, context.run_id))
        args = ["build"]
        if context.run.tags.get(FULL_REFRESH_TAG) == "true":
            context.log.info("full refresh: incremental models are rebuilt from all of raw")
            args.append("--full-refresh")
        if blocked:
            args += ["--exclude", *blocked]
            for selector, failures in blocked.items():
                reasons = "; ".join(f"{f.check_name}: {f.summary}" for f in failures)
                context.log.error(f"not building {selector} (blocking check failed: {reasons})")
        with warehouse.writer_lock(context.log):
            invocation = dbt.cli(args, context=context, raise_on_error=False)
            try:
                yield from invocation.stream()
            finally:
                # If the step dies while dbt still runs (an error reading its events, an
                # interrupt), dbt would keep the warehouse's write lock; stop it.
                if invocation.process.poll() is None:
                    invocation.process.terminate()
                    invocation.process.wait(timeout=60)
        problems = []
        if not invocation.is_successful():
            error = invocation.get_error()
            problems.append(
                "dbt build reported errors (a failed model or a failed blocking dbt test; "
                f"its children were skipped){f': {error}' if error else ''}"
            )
        if blocked:
            problems.append(
                "models downstream of "
                + ", ".join(s.removesuffix("+") for s in blocked)
                + " were not rebuilt because a blocking quality check failed on them"
            )
        if problems:
            raise dg.Failure(description="; ".join(problems))

    return dg.Definitions(
        assets=[journey_dbt],
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=_dbt_executable())},
    )
