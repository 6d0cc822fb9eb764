"""The published marts: the asset BI tools read (``JOURNEY_SERVING``)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from orchestration.build_state import promote_built
from orchestration.dbt.project import TRANSLATOR, dbt_manifest, dbt_project
from orchestration.dbt.selection import left_out_marts
from orchestration.jobs import (
    DBT_BUILT_TAG,
    PUBLISHED_FILE_KEY,
    PUBLISHES_RUN_TAG,
    REFRESH_JOB_NAME,
)
from orchestration.quality.checks import BLOCKING_TAG, check_outcomes
from orchestration.resources import WarehouseResource
from orchestration.serving.holds import FailedRule, MartNode, mart_graph, plan_holds
from orchestration.serving.publish import PUBLISHED_SCHEMA, STORAGE_VERSION, publish

SERVING_ASSET_KEY = PUBLISHED_FILE_KEY


def mart_asset_keys() -> list[dg.AssetKey]:
    """The asset keys of the dbt models in schema ``marts`` (folder ``models/marts``)."""
    project = dbt_project()
    manifest = dbt_manifest()
    return sorted(
        (
            TRANSLATOR.get_asset_spec(manifest, unique_id, project).key
            for unique_id, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
        ),
        key=lambda key: key.to_user_string(),
    )


def mart_publication_graph() -> list[MartNode]:
    """The marts with their publication groups and upstream assets, from the manifest
    (asset paths as the code location names them: ``raw/<source>/<table>`` for a dbt
    source, ``<layer>/<model>`` for a model)."""
    manifest = dbt_manifest()

    def asset_path(unique_id: str) -> str:
        props = manifest["nodes"].get(unique_id) or manifest["sources"][unique_id]
        return TRANSLATOR.get_asset_key(props).to_user_string()

    return mart_graph(manifest, asset_path)


FRESHNESS_CHECK = "every_mart_fresh"
"""The blocking check on the published file: every mart in it is this refresh's build."""


def refresh_run_to_publish(context: dg.AssetExecutionContext) -> dg.DagsterRun:
    """The refresh run this publication publishes: the run named by the tag
    ``journey/publishes_run``, else (a publish launched by hand) the newest refresh run
    that built."""
    instance = context.instance
    run_id = context.run.tags.get(PUBLISHES_RUN_TAG)
    if run_id:
        run = instance.get_run_by_id(run_id)
        if run is None:
            raise dg.Failure(description=f"{PUBLISHES_RUN_TAG}={run_id}: no such run")
        return run
    for run in instance.get_runs(
        filters=dg.RunsFilter(
            job_name=REFRESH_JOB_NAME,
            statuses=[dg.DagsterRunStatus.SUCCESS],
            tags={DBT_BUILT_TAG: "true"},
        ),
        limit=1,
    ):
        return run
    raise dg.Failure(description="no refresh run has built the marts yet: run a refresh first")


def marts_materialized(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """The marts (``marts/<name>``) a run materialized."""
    from dagster._core.events import DagsterEventType

    found = set()
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
        key = record.dagster_event.asset_key
        if key is not None and len(key.path) == 2 and key.path[0] == "marts":
            found.add(key.path[1])
    return found


def holds_for_run(instance: dg.DagsterInstance, run: dg.DagsterRun) -> dict[str, str]:
    """Mart -> why it is held back, from a refresh run's outcomes: its failed blocking
    checks (raw checks, dbt tests, mart suites) and the marts it was to build but did
    not (``orchestration/serving/holds.py`` says the rule). A mart the run left out as
    unchanged since the last published build (``orchestration/dbt/selection.py``) was
    not to be built."""
    graph = mart_publication_graph()
    failed = [
        FailedRule(outcome.asset_path, outcome.check_name)
        for outcome in check_outcomes(instance, run.run_id)
        if not outcome.passed and outcome.blocking
    ]
    not_rebuilt: set[str] = set()
    if run.tags.get(DBT_BUILT_TAG) == "true":
        planned = {m.name for m in graph}
        if run.asset_selection is not None:
            planned &= {
                key.path[1]
                for key in run.asset_selection
                if len(key.path) == 2 and key.path[0] == "marts"
            }
        # a mart the build left out as unchanged is its last published build: current
        planned -= left_out_marts(run.tags)
        not_rebuilt = planned - marts_materialized(instance, run.run_id)
    return plan_holds(graph, failed, not_rebuilt)


def _ended_at(instance: dg.DagsterInstance, run_id: str) -> datetime | None:
    """When a run ended (UTC, naive as in ``_publication``), if it has."""
    record = instance.get_run_record_by_id(run_id)
    if record is None or record.end_time is None:
        return None
    return datetime.fromtimestamp(record.end_time, UTC).replace(tzinfo=None)


def build_serving_definitions() -> dg.Definitions:
    @dg.asset(
        key=SERVING_ASSET_KEY,
        deps=mart_asset_keys(),
        group_name="serving",
        kinds={"duckdb"},
        # It reads the warehouse, which a writer of another run would lock.
        pool="warehouse_writer",
        check_specs=[
            dg.AssetCheckSpec(
                FRESHNESS_CHECK,
                asset=SERVING_ASSET_KEY,
                description=(
                    "Blocking: every mart in the published file is the last refresh's "
                    "build; none is held back at an older build by a failed rule."
                ),
                metadata={BLOCKING_TAG: True},
            )
        ],
    )
    def published_marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        """Every mart, copied to the read-only file BI tools open (`JOURNEY_SERVING`,
        default `data/serving.duckdb`), built as a new file and swapped in atomically.

        Runs in the `publish_marts` run after a refresh that built. A mart a failed
        blocking rule guards in that refresh (and the rest of its publication group)
        is held back: the new file carries its last good build, copied from the file it
        replaces, and `_publication` says per mart when its data was built, whether it
        is held back and by which rule (`orchestration/serving/holds.py`). The check
        `every_mart_fresh` fails while anything is held back. Written in DuckDB's 1.4
        storage format for BI tools that still ship DuckDB 1.x; with
        `JOURNEY_EXPORT_DIR` set, every mart is also written there as Parquet.
        """
        settings = warehouse.settings()
        refresh = refresh_run_to_publish(context)
        holds = holds_for_run(context.instance, refresh)
        for mart, why in sorted(holds.items()):
            context.log.error(f"holding back {mart} at its last good build: {why}")
        with warehouse.writer_lock(context.log):
            result = publish(
                settings.warehouse,
                settings.serving,
                run_id=context.run_id,
                export_dir=settings.export_dir,
                held_back=holds,
                built_by=refresh.run_id,
                built_at=_ended_at(context.instance, refresh.run_id),
            )
            if not holds:
                # what the refresh built is now what readers have: the next starts there
                with warehouse.connect() as conn:
                    promote_built(conn, refresh.run_id)
        fresh = len(result.tables) - (len(holds) - len(result.missing))
        context.log.info(
            f"published {fresh} fresh mart(s) and {len(holds)} held back to {result.path} "
            f"in {result.seconds:.1f}s (refresh run {refresh.run_id})"
        )
        yield dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "tables": len(result.tables),
                "rows_by_table": dg.MetadataValue.json(result.tables),
                "held_back": dg.MetadataValue.json(holds),
                "missing": dg.MetadataValue.json(result.missing),
                "refresh_run_id": refresh.run_id,
                "size_bytes": result.size_bytes,
                "storage_version": STORAGE_VERSION,
                "schema": PUBLISHED_SCHEMA,
                "parquet_files": len(result.parquet_files),
            }
        )
        summary = (
            "every mart is this refresh's build"
            if not holds
            else f"{len(holds)} mart(s) held back at their last good build: "
            + "; ".join(f"{mart} ({why})" for mart, why in sorted(holds.items()))
        )
        yield dg.AssetCheckResult(
            check_name=FRESHNESS_CHECK,
            passed=not holds,
            severity=dg.AssetCheckSeverity.ERROR,
            description=summary,
            metadata={"summary": summary, BLOCKING_TAG: True, "held_back": len(holds)},
        )

    return dg.Definitions(assets=[published_marts])
