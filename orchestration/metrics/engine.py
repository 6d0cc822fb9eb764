"""MetricFlow over a read-only DuckDB connection to the published marts.

The semantic manifest is written by ``dbt parse`` at install time (``make manifest``,
``dbt_project/target/semantic_manifest.json``). Its semantic models name relations in
the warehouse's catalog (``"warehouse"."marts"."…"``); the published file holds the
same ``marts`` schema, so it is attached read-only under that catalog name and the
generated SQL runs unchanged, never touching the writer's file.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR

SEMANTIC_MANIFEST = Path(DBT_PROJECT_DIR) / "target" / "semantic_manifest.json"

TIME_GRAINS = ("day", "week", "month", "quarter", "year")

# `journey metrics --by NAME`: short names for the group-bys analysts ask for most; any
# MetricFlow group-by (e.g. `opportunity__opportunity_type`) is accepted as it is.
GROUP_BY_ALIASES = {
    "channel": "channel",
    "campaign": "campaign",
    "model": "attribution_credit__model",
    "first_touch_channel": "person__first_touch_channel",
    "stage": "pipeline_stage_owner__stage_name",
    "owner": "owner",
    "platform": "marketing_day__platform",
    "opportunity_type": "opportunity__opportunity_type",
}


class MetricsError(RuntimeError):
    """A metrics request that cannot be answered (unknown metric, missing file)."""


@dataclass(frozen=True)
class MetricsResult:
    """A query's answer: column names, rows (Python values) and the SQL that ran."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    sql: str
    seconds: float


class _DuckDbClient:
    """MetricFlow's SqlClient protocol over one DuckDB connection (read-only use)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        self._conn = conn
        self._engine = SqlEngine.DUCKDB
        self._renderer = DuckDbSqlPlanRenderer()

    @property
    def sql_engine_type(self):  # noqa: ANN201 (MetricFlow's enum)
        return self._engine

    @property
    def sql_plan_renderer(self):  # noqa: ANN201
        return self._renderer

    def query(self, stmt, sql_bind_parameter_set=None):  # noqa: ANN001, ANN201
        from metricflow.data_table.mf_table import MetricFlowDataTable

        _no_bind_parameters(sql_bind_parameter_set)
        cursor = self._conn.execute(stmt)
        columns = [d[0] for d in cursor.description]
        return MetricFlowDataTable.create_from_rows(column_names=columns, rows=cursor.fetchall())

    def execute(self, stmt, sql_bind_parameter_set=None) -> None:  # noqa: ANN001
        _no_bind_parameters(sql_bind_parameter_set)
        self._conn.execute(stmt)

    def dry_run(self, stmt, sql_bind_parameter_set=None) -> None:  # noqa: ANN001
        _no_bind_parameters(sql_bind_parameter_set)
        self._conn.execute(f"explain {stmt}")

    def close(self) -> None:
        self._conn.close()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


def _no_bind_parameters(parameters) -> None:  # noqa: ANN001
    if parameters is not None and parameters.param_dict:
        raise MetricsError(f"bind parameters are not supported: {dict(parameters.param_dict)}")


@cache
def _semantic_manifest():  # noqa: ANN202 (MetricFlow's protocol type)
    from metricflow_semantics.model.dbt_manifest_parser import (
        parse_manifest_from_dbt_generated_manifest,
    )

    if not SEMANTIC_MANIFEST.exists():
        raise MetricsError(
            f"semantic manifest not found at {SEMANTIC_MANIFEST}; build it with "
            "`make manifest` (make run and make test do this for you)"
        )
    return parse_manifest_from_dbt_generated_manifest(
        manifest_json_string=SEMANTIC_MANIFEST.read_text()
    )


def warehouse_catalog() -> str:
    """The catalog the semantic models' relations name (the warehouse file's stem at
    parse time)."""
    raw = json.loads(SEMANTIC_MANIFEST.read_text())
    catalogs = {m["node_relation"]["database"] for m in raw["semantic_models"]}
    if len(catalogs) != 1:
        raise MetricsError(f"semantic models span several catalogs: {sorted(catalogs)}")
    return catalogs.pop()


def metric_names() -> list[str]:
    """Every metric the semantic layer defines, sorted."""
    return sorted(metric.name for metric in _semantic_manifest().metrics)


def metric_labels() -> dict[str, tuple[str, str]]:
    """Each metric's label and description."""
    return {
        metric.name: (metric.label or metric.name, (metric.description or "").strip())
        for metric in _semantic_manifest().metrics
    }


def group_by_name(by: str) -> str:
    """``month`` → ``metric_time__month``; an alias → its MetricFlow name."""
    if by in TIME_GRAINS:
        return f"metric_time__{by}"
    return GROUP_BY_ALIASES.get(by, by)


class MetricsEngine:
    """One MetricFlow engine on a read-only attachment of ``published``."""

    def __init__(self, published: Path) -> None:
        if not Path(published).exists():
            raise MetricsError(
                f"no published file at {published}: run `journey refresh` first (the "
                "metrics answer from the published marts, never the writer's file)"
            )
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.semantic_manifest_lookup import (
            SemanticManifestLookup,
        )

        conn = duckdb.connect()
        conn.execute(f"attach '{published}' as \"{warehouse_catalog()}\" (read_only)")
        self._client = _DuckDbClient(conn)
        self._engine = MetricFlowEngine(
            semantic_manifest_lookup=SemanticManifestLookup(_semantic_manifest()),
            sql_client=self._client,
        )

    def query(
        self,
        metrics: Sequence[str],
        by: Sequence[str] = (),
        since: dt.date | None = None,
        where: Sequence[str] = (),
    ) -> MetricsResult:
        """The metrics grouped by ``by`` (time grains and dimensions), from ``since``
        on (by metric_time), ordered by the group-bys."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        unknown = sorted(set(metrics) - set(metric_names()))
        if unknown:
            raise MetricsError(
                f"unknown metric(s) {', '.join(unknown)}; `journey metrics --list` shows "
                "every metric"
            )
        group_by = [group_by_name(b) for b in by]
        constraints = list(where)
        if since is not None:
            grain = next((b for b in by if b in TIME_GRAINS), "day")
            constraints.append(
                f"{{{{ TimeDimension('metric_time', '{grain}') }}}} >= '{since.isoformat()}'"
            )
        started = time.monotonic()
        request = MetricFlowQueryRequest.create(
            metric_names=list(metrics),
            group_by_names=group_by or None,
            where_constraints=constraints or None,
            order_by_names=group_by or None,
        )
        try:
            result = self._engine.query(mf_request=request)
        except Exception as error:  # MetricFlow's own errors name the bad input
            raise MetricsError(str(error).strip()) from error
        table = result.result_df
        columns = tuple(table.column_names) if table is not None else ()
        rows = tuple(tuple(row) for row in table.rows) if table is not None else ()
        return MetricsResult(columns, rows, result.sql, time.monotonic() - started)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> MetricsEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
