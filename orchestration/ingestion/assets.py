"""Raw-layer assets: one multi-asset per source family, one asset per source object.

Each raw asset key is ``raw/<source>/<object>``, the same key the dbt sources map
onto, so the lineage runs unbroken from a landing folder to a mart. The landing
folders themselves are external assets (Dagster observes, never materializes them):
they are the vendors' files, owned by whoever drops them.
"""

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import duckdb

from ingestion import SOURCES, load_source
from ingestion.landing_zone import by_folder, describe, unclaimed_files
from ingestion.registry import RawTable, tables_of
from orchestration.build_state import plan_build
from orchestration.dbt.project import BLOCKING_METADATA
from orchestration.jobs import FULL_REFRESH_TAG, LANDING_ZONE_KEY
from orchestration.quality.checks import asset_check_spec, run_suites
from orchestration.quality.freshness import landing_freshness_policy, table_freshness
from orchestration.resources import WarehouseResource
from orchestration.settings import Settings
from quality import raw_layer_suites
from quality.model import CheckContext, Suite

RAW_GROUP = "raw"
LANDING_GROUP = "landing"
EVERY_FILE_HAS_A_LOADER = "every_landing_file_has_a_loader"


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
                "Immutable; a correction arrives as a new file. Freshness (from the dbt "
                f"source {table.source}.{table.object}): {table_freshness(table).describe()}."
            ),
            group_name=LANDING_GROUP,
            kinds={"file"},
            metadata={"landing_path": table.landing_path},
            freshness_policy=landing_freshness_policy(table),
        )
        for source in SOURCES
        for table in tables_of(source)
    ]


def _landing_zone_spec() -> dg.AssetSpec:
    return dg.AssetSpec(
        key=LANDING_ZONE_KEY,
        description=(
            "The landing directory as a whole. Each loader reads its own folder and file "
            "patterns (the `landing/<source>/<object>` assets); its check names any file "
            "that none of them reads."
        ),
        group_name=LANDING_GROUP,
        kinds={"file"},
    )


@dg.asset_check(
    asset=LANDING_ZONE_KEY,
    name=EVERY_FILE_HAS_A_LOADER,
    description=(
        "Warning: every file in the landing zone is read by a loader. A folder of a vendor "
        "no loader knows, or a file matching no pattern of its folder, would otherwise be "
        "skipped without a word (docs/landing-contract.md)."
    ),
    metadata={BLOCKING_METADATA: False},
)
def every_landing_file_has_a_loader(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    landing_dir = warehouse.settings().landing_dir
    files = unclaimed_files(landing_dir)
    summary = (
        f"every file under {landing_dir} is read by a loader"
        if not files
        else f"{describe(files)}; not loaded, quarantined or in the ledger"
    )
    return dg.AssetCheckResult(
        passed=not files,
        severity=dg.AssetCheckSeverity.WARN,
        description=summary,
        metadata={
            "summary": summary,
            BLOCKING_METADATA: False,
            "unclaimed_files": len(files),
            "by_folder": dg.MetadataValue.json(by_folder(files)),
            "examples": dg.MetadataValue.json([f.path for f in files[:20]]),
        },
    )


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


def _suites_of(source: str) -> list[Suite]:
    return [suite for suite in raw_layer_suites() if suite.asset[1] == source]


def _build_source_asset(source: str) -> dg.AssetsDefinition:
    tables = tables_of(source)
    suites = _suites_of(source)

    @dg.multi_asset(
        name=f"load_{source}",
        specs=[_raw_spec(t) for t in tables],
        check_specs=[
            asset_check_spec(spec, dagster_blocking=False)
            for suite in suites
            for spec in suite.specs
        ],
        description=(
            f"Load new {source} files from the landing zone into schema raw, then run "
            "the raw layer's quality suites on what was loaded."
        ),
        pool="warehouse_writer",
        # Selecting only the checks (`journey check`) validates without loading.
        can_subset=True,
    )
    def _load(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult | dg.AssetMaterialization]:
        # one connection for the load, the build plan and the checks (each open of a
        # medium warehouse is ~20-40 ms, each close after writes a checkpoint)
        with warehouse.writer_lock(context.log), warehouse.connect() as conn:
            settings = warehouse.settings()
            if context.selected_asset_keys:
                yield from _load_and_report(context, conn, settings, source, tables)
                full = context.run.tags.get(FULL_REFRESH_TAG) == "true"
                plan = plan_build(conn, full=full)
                if not plan.build_all and source not in {s for s, _ in plan.changed_tables}:
                    # Nothing of this source will be built: its checks passed on the
                    # records the last published build used, and no record came since.
                    context.log.info(
                        f"{source}: no new records since the last published build; "
                        "its raw checks are not run again"
                    )
                    return
            check_context = CheckContext(now=datetime.now(UTC), landing_dir=settings.landing_dir)
            yield from run_suites(
                conn,
                suites,
                check_context,
                selected=set(context.selected_asset_check_keys),
                log=context.log,
            )

    return _load


def _load_and_report(
    context: dg.AssetExecutionContext,
    conn: duckdb.DuckDBPyConnection,
    settings: Settings,
    source: str,
    tables: tuple[RawTable, ...],
) -> Iterator[dg.MaterializeResult | dg.AssetMaterialization]:
    """Load the family's new files; report the selected raw tables (files of a family
    arrive together, so a subset still loads the whole family) and, as materializations
    of the landing assets, which folders delivered."""
    started = time.monotonic()
    result = load_source(
        conn,
        settings.landing_dir,
        source,
        load_id=context.run_id,
        erasure_list=settings.erasure_list,
    )
    load_seconds = round(time.monotonic() - started, 3)
    for table in tables:
        if raw_asset_key(table) not in context.selected_asset_keys:
            continue
        stats = result.tables[table.object]
        if stats.files_loaded or stats.files_unreadable:
            # The landing folder delivered: this is what its freshness policy watches.
            yield dg.AssetMaterialization(
                asset_key=landing_asset_key(table),
                description="New files arrived in the landing zone and were read.",
                metadata={
                    "new_files": stats.files_loaded + stats.files_unreadable,
                    "records_read": stats.records_read,
                },
            )
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
                "erased": stats.records_erased,
                "load_seconds": load_seconds,
            },
        )


def build_ingestion_definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[
            _landing_zone_spec(),
            *_landing_specs(),
            *(_build_source_asset(s) for s in SOURCES),
        ],
        asset_checks=[every_landing_file_has_a_loader],
    )
