"""The refresh report as a Dagster asset, downstream of the marts it reads."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import yaml

from orchestration.reports.render import (
    DEFAULT_CURRENCY,
    LATEST_NAME,
    MARTS_SCHEMA,
    METRIC_MARTS,
    REPORT_MARTS,
    build_report,
    write_report,
)
from orchestration.resources import WarehouseResource
from orchestration.serving.assets import SERVING_ASSET_KEY
from orchestration.settings import DBT_PROJECT_DIR, DEFAULT_REPORT_DIR, PROJECT_ROOT

REPORT_ASSET_KEY = dg.AssetKey(["reports", "refresh_report"])
MART_ASSET_KEYS = tuple(
    dg.AssetKey([MARTS_SCHEMA, mart]) for mart in dict.fromkeys(REPORT_MARTS + METRIC_MARTS)
)
"""Every mart the report shows, read directly or through the semantic layer's metrics."""


def reporting_currency(dbt_project_dir: Path = DBT_PROJECT_DIR) -> str:
    """The ``reporting_currency`` var the marts were built with (``dbt_project.yml``),
    so the report labels money with the currency dbt converted it to."""
    try:
        project = yaml.safe_load((dbt_project_dir / "dbt_project.yml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return DEFAULT_CURRENCY
    value = (project.get("vars") or {}).get("reporting_currency")
    return str(value) if value else DEFAULT_CURRENCY


def build_report_definitions() -> dg.Definitions:
    @dg.asset(
        name=REPORT_ASSET_KEY.path[-1],
        key_prefix=REPORT_ASSET_KEY.path[:-1],
        group_name="reports",
        deps=[SERVING_ASSET_KEY],
        kinds={"html"},
    )
    def refresh_report(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        """Static HTML report of the published marts, written after each publication.

        Revenue and won deals against target by month; average deal size, sales cycle
        and churn by month, open pipeline by stage and leads / MQLs / new customers
        against target (the semantic layer's metrics, one MetricFlow engine per
        report); the funnel with its conversion rates, channel ROI under each
        attribution model, spend / CPL / CAC by month and the email campaigns, in one
        self-contained page (inline SVG charts, each captioned with the metric it shows,
        no server needed). Written to ``JOURNEY_REPORT_DIR`` (default ``data/reports/``) as
        ``report-<UTC timestamp>.html``, and ``latest.html`` is replaced atomically. It
        reads the published file (what BI tools read, not the warehouse), so a mart held
        back by a failed rule shows its last good build, and the report says which marts
        are held back, by which rule and since when; an empty mart shows "no data yet".
        """
        settings = warehouse.settings()
        report_dir = settings.report_dir or (PROJECT_ROOT / DEFAULT_REPORT_DIR)
        if not settings.serving.exists():
            raise dg.Failure(
                description=f"no published file at {settings.serving}: run a refresh first"
            )
        generated_at = datetime.now(UTC)
        currency = reporting_currency()
        with duckdb.connect(str(settings.serving), read_only=True) as conn:
            report = build_report(
                conn, generated_at=generated_at, currency=currency, published=settings.serving
            )
        path = write_report(report.html, report_dir, generated_at)
        empty = [s.title for s in report.sections if s.rows == 0]
        if empty:
            context.log.warning(f"report sections with no data yet: {', '.join(empty)}")
        if report.metrics_unavailable:
            context.log.warning(
                f"the report's metric sections are empty: {report.metrics_unavailable}"
            )
        context.log.info(f"report written to {path}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "latest": dg.MetadataValue.path(str(report_dir / LATEST_NAME)),
                "sections": dg.MetadataValue.json([s.title for s in report.sections]),
                "rows_per_section": dg.MetadataValue.json(report.rows_per_section),
                "empty_sections": dg.MetadataValue.json(empty),
                "currency": currency,
                "metrics_queries": report.metrics_queries,
                "metrics_seconds": round(report.metrics_seconds, 3),
                "size_bytes": len(report.html.encode("utf-8")),
            }
        )

    return dg.Definitions(assets=[refresh_report])
