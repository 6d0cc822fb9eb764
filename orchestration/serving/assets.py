"""The published marts: the asset BI tools read (``JOURNEY_SERVING``)."""

import json

import dagster as dg

from orchestration.build_state import promote_built
from orchestration.dbt.project import TRANSLATOR, dbt_project
from orchestration.resources import WarehouseResource
from orchestration.serving.publish import PUBLISHED_SCHEMA, STORAGE_VERSION, publish

SERVING_ASSET_KEY = dg.AssetKey(["serving", "published_marts"])


def mart_asset_keys() -> list[dg.AssetKey]:
    """The asset keys of the dbt models in schema ``marts`` (folder ``models/marts``)."""
    project = dbt_project()
    manifest = json.loads(project.manifest_path.read_text())
    return sorted(
        (
            TRANSLATOR.get_asset_spec(manifest, unique_id, project).key
            for unique_id, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
        ),
        key=lambda key: key.to_user_string(),
    )


def build_serving_definitions() -> dg.Definitions:
    @dg.asset(
        key=SERVING_ASSET_KEY,
        deps=mart_asset_keys(),
        group_name="serving",
        kinds={"duckdb"},
        # It reads the warehouse, which a writer of another run would lock.
        pool="warehouse_writer",
    )
    def published_marts(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        """Every mart, copied to the read-only file BI tools open (`JOURNEY_SERVING`,
        default `data/serving.duckdb`), built as a new file and swapped in atomically.

        Runs only after the marts were built and their blocking checks passed, so a
        failed refresh leaves the last good file published. Written in DuckDB's
        1.4 storage format for BI tools that still ship DuckDB 1.x; with
        `JOURNEY_EXPORT_DIR` set, every mart is also written there as Parquet.
        """
        settings = warehouse.settings()
        with warehouse.writer_lock(context.log):
            result = publish(
                settings.warehouse,
                settings.serving,
                run_id=context.run_id,
                export_dir=settings.export_dir,
            )
            # what this run built is now what readers have: the next refresh starts there
            with warehouse.connect() as conn:
                promote_built(conn, context.run_id)
        context.log.info(
            f"published {len(result.tables)} marts to {result.path} in {result.seconds:.1f}s"
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(result.path)),
                "tables": len(result.tables),
                "rows_by_table": dg.MetadataValue.json(result.tables),
                "size_bytes": result.size_bytes,
                "storage_version": STORAGE_VERSION,
                "schema": PUBLISHED_SCHEMA,
                "parquet_files": len(result.parquet_files),
            }
        )

    return dg.Definitions(assets=[published_marts])
