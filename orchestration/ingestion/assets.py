"""Raw-layer assets: one multi-asset per source family, one asset per source object.

Each raw asset key is ``raw/<source>/<object>``, the same key the dbt sources map
onto, so the lineage runs unbroken from a landing folder to a mart. The landing
folders themselves are external assets (Dagster observes, never materializes them):
they are the vendors' files, owned by whoever drops them.
"""

from collections.abc import Iterator

import dagster as dg

from ingestion import SOURCES, load_source
from ingestion.registry import RawTable, tables_of
from orchestration.resources import WarehouseResource

RAW_GROUP = "raw"
LANDING_GROUP = "landing"


def landing_asset_key(table: RawTable) -> dg.AssetKey:
    return dg.AssetKey(["landing", table.source, table.object])


def raw_asset_key(table: RawTable) -> dg.AssetKey:
    return dg.AssetKey(list(table.asset_key_path))


def _landing_specs() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            key=landing_asset_key(table),
            description=(
                f"Vendor files in `<landing>/{table.landing_path}/` "
                f"({', '.join(table.file_globs)}), as the vendor wrote them. "
                "Immutable; a correction arrives as a new file."
            ),
            group_name=LANDING_GROUP,
            kinds={"file"},
            metadata={"landing_path": table.landing_path},
        )
        for source in SOURCES
        for table in tables_of(source)
    ]


def _raw_spec(table: RawTable) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_asset_key(table),
        deps=[landing_asset_key(table)],
        description=(
            f"{table.description}\n\nTable `{table.qualified_name}`. Key: "
            f"{', '.join(table.key)}; a repeated key: {table.repeat_rule.value}. "
            "Bad records go to `raw._quarantine`; every file gets a row in "
            "`raw._file_ledger`."
        ),
        group_name=RAW_GROUP,
        kinds={"duckdb", "python"},
        metadata={"table": table.qualified_name, "record_key": ", ".join(table.key)},
    )


def _build_source_asset(source: str) -> dg.AssetsDefinition:
    tables = tables_of(source)

    @dg.multi_asset(
        name=f"load_{source}",
        specs=[_raw_spec(t) for t in tables],
        description=f"Load new {source} files from the landing zone into schema raw.",
        pool="warehouse_writer",
    )
    def _load(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult]:
        settings = warehouse.settings()
        with warehouse.connect() as conn:
            result = load_source(conn, settings.landing_dir, source, load_id=context.run_id)
        for table in tables:
            stats = result.tables[table.object]
            if stats.records_quarantined:
                context.log.warning(
                    f"{table.qualified_name}: {stats.records_quarantined} record(s) "
                    "quarantined, see raw._quarantine"
                )
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(table),
                metadata={
                    "files_seen": stats.files_seen,
                    "files_loaded": stats.files_loaded,
                    "files_skipped_same_content": stats.files_skipped,
                    "files_unreadable": stats.files_unreadable,
                    "records_read": stats.records_read,
                    "rows_loaded": stats.records_loaded,
                    "duplicates": stats.records_duplicate,
                    "quarantined": stats.records_quarantined,
                },
            )

    return _load


def build_ingestion_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[*_landing_specs(), *(_build_source_asset(s) for s in SOURCES)],
    )
