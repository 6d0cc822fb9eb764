"""The journey-warehouse code location: the definitions of every concern, merged."""

import dagster as dg

from orchestration.dbt.assets import build_dbt_definitions
from orchestration.ingestion.assets import build_ingestion_definitions
from orchestration.jobs import build_job_definitions
from orchestration.progress import PROGRESS_LOGGER, progress_logger
from orchestration.quality.checks import build_quality_definitions
from orchestration.reports.assets import build_report_definitions
from orchestration.resources import WarehouseResource
from orchestration.schedules import build_schedule_definitions
from orchestration.serving.assets import build_serving_definitions

defs = dg.Definitions.merge(
    build_ingestion_definitions(),
    build_dbt_definitions(),
    build_quality_definitions(),
    build_serving_definitions(),
    build_report_definitions(),
    build_job_definitions(),
    build_schedule_definitions(),
    dg.Definitions(
        resources={"warehouse": WarehouseResource()},
        loggers={PROGRESS_LOGGER: progress_logger},
        # One writer at a time: DuckDB allows a single writing process.
        executor=dg.in_process_executor,
    ),
)
