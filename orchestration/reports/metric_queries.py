"""What the report asks the semantic layer: the sales metrics by month and the open
pipeline by month end and stage, answered by ``MetricsEngine`` from the published file.

The sections a sales lead reads (deal size, sales cycle, churn, open pipeline, targets)
show the metrics of ``dbt_project/models/semantic/`` as they are, so the report and
``journey metrics`` give one number for one definition. One engine per render and at
most three queries: every monthly metric in one request (MetricFlow joins them on the
month), the targets and their actuals by quarter, and the open pipeline by month and
stage.

A section's metrics are asked for only when every mart they read is in the file, so a
file without the sales marts renders those sections as "no data yet" without opening
the engine. When the semantic layer cannot answer (no semantic manifest, a MetricFlow
error) the sections say why and the rest of the report renders as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.metrics.engine import MetricsEngine, MetricsError, metric_labels
from orchestration.reports.queries import SALES_MART, mart_exists

OPPORTUNITIES_FACT = "fct_opportunities"
PIPELINE_MART = "mart_pipeline_by_stage"
PERSONS_DIM = "dim_persons"

MONTH = "metric_time__month"
STAGE = "pipeline_stage_owner__stage_name"

SALES_METRICS = (
    "won_deals",
    "won_revenue",
    "avg_deal_size",
    "median_sales_cycle_days",
    "mean_sales_cycle_days",
    "renewal_accounts",
    "churned_accounts",
    "churn",
)
"""Deal size, sales cycle and churn by CloseDate month (fct_opportunities)."""

TARGET_METRICS = (
    "leads",
    "leads_target",
    "leads_attainment",
    "mqls",
    "mqls_target",
    "mqls_attainment",
    "new_customers",
    "new_customers_target",
    "new_customers_attainment",
)
"""Leads, MQLs and new customers against their monthly targets (and by quarter)."""

TARGETS = ("leads_target", "mqls_target", "new_customers_target")

REVENUE_TARGET_METRICS = ("won_revenue", "revenue_target", "revenue_attainment")
QUARTER_METRICS = REVENUE_TARGET_METRICS + TARGET_METRICS
"""Every target against its actual by quarter: the demo's plan, like most sales plans,
is met or missed by the quarter, while a month swings with when a few large deals
close."""

PIPELINE_METRICS = ("open_pipeline", "open_opportunities")
"""Open pipeline, a month-end balance, by stage."""

SALES_SOURCES = (OPPORTUNITIES_FACT,)
TARGET_SOURCES = (PERSONS_DIM, OPPORTUNITIES_FACT, SALES_MART)
PIPELINE_SOURCES = (PIPELINE_MART,)
METRIC_MARTS = (OPPORTUNITIES_FACT, PIPELINE_MART, PERSONS_DIM, SALES_MART)
"""Every mart the metrics above read (each section's sources, checked against the
semantic models by the report tests)."""

Value = float | None


@dataclass(frozen=True)
class MetricMonth:
    """One month of the monthly metrics: ``values`` holds every metric asked for
    (``None`` where the metric has no value that month)."""

    month: dt.date
    values: Mapping[str, Value]


@dataclass(frozen=True)
class PipelineCell:
    """Open pipeline in one stage at the end of ``month``."""

    month: dt.date
    stage: str
    open_pipeline: Value
    open_opportunities: Value


@dataclass(frozen=True)
class MetricsData:
    """What the semantic layer answered for the report."""

    months: list[MetricMonth] = field(default_factory=list)
    quarters: list[MetricMonth] = field(default_factory=list)
    """``QUARTER_METRICS`` by quarter (``month`` is the quarter's first day)."""
    pipeline: list[PipelineCell] = field(default_factory=list)
    asked: frozenset[str] = frozenset()
    """The metrics queried; a section whose metrics were not asked has a mart missing."""
    missing: frozenset[str] = frozenset()
    """The marts of ``METRIC_MARTS`` that are not in the file."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Each metric's label (empty without a semantic manifest)."""
    unavailable: str | None = None
    """Why the semantic layer could not answer; ``None`` when it did (or was not asked)."""
    queries: int = 0
    seconds: float = 0.0


def labels_or_none() -> tuple[dict[str, str], str | None]:
    """Every metric's label, or no labels and the reason (no semantic manifest)."""
    try:
        return {name: label for name, (label, _) in metric_labels().items()}, None
    except MetricsError as error:
        return {}, str(error)


def database_path(conn: duckdb.DuckDBPyConnection) -> Path | None:
    """The file ``conn`` reads (``None`` for an in-memory database)."""
    found = conn.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return Path(found[0]) if found and found[0] else None


def _month(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _number(value: object) -> Value:
    return None if value is None else float(value)  # type: ignore[arg-type]


def read_metrics(conn: duckdb.DuckDBPyConnection, published: Path | None = None) -> MetricsData:
    """Ask the semantic layer for the metrics of every section whose marts are in the
    file ``conn`` reads (``published`` when given, the file of ``conn`` otherwise)."""
    labels, problem = labels_or_none()
    missing = frozenset(mart for mart in METRIC_MARTS if not mart_exists(conn, mart))

    def present(marts: Iterable[str]) -> bool:
        return not missing.intersection(marts)

    monthly: list[str] = []
    if present(SALES_SOURCES):
        monthly += SALES_METRICS
    quarterly: list[str] = []
    if present(TARGET_SOURCES):
        # revenue_target by month tells which quarters the plan covers in full
        monthly += [m for m in (*TARGET_METRICS, "revenue_target") if m not in monthly]
        quarterly = list(QUARTER_METRICS)
    pipeline = list(PIPELINE_METRICS) if present(PIPELINE_SOURCES) else []
    asked = frozenset(monthly + quarterly + pipeline)
    if not asked:
        return MetricsData(missing=missing, labels=labels)
    if problem is not None:
        return MetricsData(asked=asked, missing=missing, labels=labels, unavailable=problem)
    path = published or database_path(conn)
    if path is None:
        return MetricsData(
            asked=asked,
            missing=missing,
            labels=labels,
            unavailable="the report reads no published file",
        )
    months: list[MetricMonth] = []
    quarters: list[MetricMonth] = []
    cells: list[PipelineCell] = []
    queries, seconds = 0, 0.0
    try:
        with MetricsEngine(path) as engine:
            grains = ((monthly, "month", months), (quarterly, "quarter", quarters))
            for names, grain, rows in grains:
                if not names:
                    continue
                result = engine.query(names, by=[grain])
                queries, seconds = queries + 1, seconds + result.seconds
                at = {name: i for i, name in enumerate(result.columns)}
                for row in result.rows:
                    start = _month(row[at[f"metric_time__{grain}"]])
                    if start is None:  # persons never reaching a stage: no month
                        continue
                    rows.append(MetricMonth(start, {m: _number(row[at[m]]) for m in names}))
            if pipeline:
                result = engine.query(pipeline, by=["month", "stage"])
                queries, seconds = queries + 1, seconds + result.seconds
                at = {name: i for i, name in enumerate(result.columns)}
                for row in result.rows:
                    month = _month(row[at[MONTH]])
                    if month is None:
                        continue
                    cells.append(
                        PipelineCell(
                            month,
                            str(row[at[STAGE]]),
                            _number(row[at["open_pipeline"]]),
                            _number(row[at["open_opportunities"]]),
                        )
                    )
    except (MetricsError, duckdb.Error) as error:
        return MetricsData(
            asked=asked,
            missing=missing,
            labels=labels,
            unavailable=str(error).strip().splitlines()[0],
        )
    return MetricsData(
        months=sorted(months, key=lambda m: m.month),
        quarters=sorted(quarters, key=lambda m: m.month),
        pipeline=cells,
        asked=asked,
        missing=missing,
        labels=labels,
        queries=queries,
        seconds=seconds,
    )


def asked_for(data: MetricsData, metrics: Sequence[str]) -> bool:
    return set(metrics) <= data.asked
