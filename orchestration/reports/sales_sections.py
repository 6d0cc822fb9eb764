"""The sections a sales lead reads, drawn from the semantic layer's metrics (the same
numbers as ``journey metrics``): deal size, sales cycle and churn by month; the open
pipeline by stage at the latest month end and at every month end; leads, MQLs and new
customers against their targets by month, and every target (revenue too) by quarter.

Each function takes the :class:`~orchestration.reports.metric_queries.MetricsData`
the report read and returns its section. Values are the metrics' answers as they are:
a ``None`` stays ``None`` (no bar, a gap in a line, a dash in a table, never a 0), and
months are laid out on the calendar from the first to the last month with a value, so a
month the metric has no value for shows as a gap instead of vanishing from the axis.
Every chart is captioned with the metrics it shows.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestration.reports.charts import INK, PALETTE, Series, column_chart, hbar_chart, ramp
from orchestration.reports.formats import (
    compact,
    fmt_int,
    fmt_money,
    fmt_month,
    fmt_num,
    safe_div,
)
from orchestration.reports.metric_queries import (
    PIPELINE_METRICS,
    PIPELINE_SOURCES,
    REVENUE_TARGET_METRICS,
    SALES_METRICS,
    SALES_SOURCES,
    TARGET_METRICS,
    TARGET_SOURCES,
    TARGETS,
    MetricMonth,
    MetricsData,
    PipelineCell,
    Value,
    asked_for,
)
from orchestration.reports.queries import MARTS_SCHEMA, SALES_MART
from orchestration.reports.views import Figure, SectionView, caption, no_data_note, svg

STAGE_ORDER = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)
"""Salesforce's default open opportunity stages in their order (as the seed
crm_status_stages sorts them); any other stage follows, by name."""


def month_calendar(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from ``first``'s to ``last``'s, both included."""
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=cal.monthrange(month.year, month.month)[1])


def stage_order(stages: Iterable[str]) -> list[str]:
    known = {stage: i for i, stage in enumerate(STAGE_ORDER)}
    return sorted(set(stages), key=lambda s: (known.get(s, len(known)), s))


def _with_values(months: Sequence[MetricMonth], names: Sequence[str]) -> list[MetricMonth]:
    """The months where something happened: any of ``names`` has a value other than 0
    (the semantic layer fills counts with 0 in a month another metric of the query
    has, e.g. a month with a target and no deal)."""
    return [m for m in months if any(m.values.get(n) not in (None, 0) for n in names)]


def _on_calendar(
    months: Sequence[MetricMonth], first: dt.date, last: dt.date, names: Sequence[str]
) -> list[MetricMonth]:
    """Every calendar month from ``first`` to ``last`` with ``names``' values (``None``
    where the metric has none that month)."""
    by_month = {m.month: m for m in months}
    rows = []
    for month in month_calendar(first, last):
        found = by_month.get(month)
        rows.append(MetricMonth(month, {n: found.values.get(n) if found else None for n in names}))
    return rows


def _series(rows: Sequence[MetricMonth], name: str) -> list[Value]:
    return [r.values[name] for r in rows]


def _pct_points(values: Sequence[Value]) -> list[Value]:
    """Ratios as percentage points, for a chart whose axis reads 50%."""
    return [None if v is None else v * 100 for v in values]


def _percent(value: object) -> str:
    return f"{fmt_num(value)}%"


def _percent_axis(value: float) -> str:
    return f"{compact(value)}%"


def _empty(
    key: str,
    title: str,
    sources: tuple[str, ...],
    metrics: MetricsData,
    names: Sequence[str],
    note: str | None = None,
) -> SectionView:
    """A section with nothing to show, saying why: its marts are missing (its metrics
    were not asked for; the note names the missing ones) or empty (no rows answered), or
    the semantic layer failed."""
    if asked_for(metrics, names) and metrics.unavailable:
        note = f"the semantic layer could not answer ({metrics.unavailable})"
    missing = tuple(mart for mart in sources if mart in metrics.missing)
    if note is None and missing:
        note = no_data_note(missing)
    return SectionView(
        key, title, 0, sources, None, from_metrics=True, empty_note=note or no_data_note(sources)
    )


# ----------------------------------------------------- deal size, sales cycle, churn


def sales_section(metrics: MetricsData, currency: str) -> SectionView:
    key, title = "sales", "Deal size, sales cycle and churn"
    found = _with_values(metrics.months, SALES_METRICS) if asked_for(metrics, SALES_METRICS) else []
    if not found:
        return _empty(key, title, SALES_SOURCES, metrics, SALES_METRICS)
    rows = _on_calendar(metrics.months, found[0].month, found[-1].month, SALES_METRICS)
    return SectionView(
        key,
        title,
        len(found),
        SALES_SOURCES,
        _sales_context(rows, currency, metrics.labels),
        from_metrics=True,
    )


def _sales_context(
    rows: Sequence[MetricMonth], currency: str, labels: Mapping[str, str]
) -> dict[str, Any]:
    months = [fmt_month(r.month) for r in rows]
    deal_size = column_chart(
        f"Average deal size by month ({currency})",
        months,
        bars=[
            Series(f"Average deal size ({currency})", _series(rows, "avg_deal_size"), PALETTE[0])
        ],
        value_format=fmt_money,
        height=220,
    )
    cycle = column_chart(
        "Sales cycle by month: days from created to close of the won deals",
        months,
        lines=[
            Series("Median days", _series(rows, "median_sales_cycle_days"), PALETTE[2]),
            Series("Mean days", _series(rows, "mean_sales_cycle_days"), PALETTE[3]),
        ],
        value_format=lambda v: f"{fmt_num(v)} days",
        height=220,
    )
    churn = column_chart(
        "Churn by month",
        months,
        lines=[Series("Churn", _pct_points(_series(rows, "churn")), PALETTE[4])],
        value_format=_percent,
        axis_format=_percent_axis,
        width=540,
        height=240,
    )
    renewals = column_chart(
        "Renewal accounts and churned accounts by month",
        months,
        bars=[
            Series("Renewal accounts", _series(rows, "renewal_accounts"), PALETTE[5]),
            Series("Churned accounts", _series(rows, "churned_accounts"), PALETTE[4]),
        ],
        value_format=fmt_int,
        width=540,
        height=240,
    )
    return {
        "months": rows,
        "deal_size_chart": Figure(svg(deal_size), caption(("avg_deal_size",), labels)),
        "cycle_chart": Figure(
            svg(cycle), caption(("median_sales_cycle_days", "mean_sales_cycle_days"), labels)
        ),
        "churn_pair": [
            Figure(svg(churn), caption(("churn",), labels)),
            Figure(svg(renewals), caption(("renewal_accounts", "churned_accounts"), labels)),
        ],
    }


# ------------------------------------------------------------------- open pipeline


@dataclass(frozen=True)
class StageRow:
    """A stage at the latest month end, and its share of the open pipeline then."""

    stage: str
    open_opportunities: Value
    open_pipeline: Value
    share: float | None


@dataclass(frozen=True)
class MonthEndRow:
    """The open pipeline at one month end, summed over its stages (``None`` when the
    metric has no stage open then)."""

    as_of: dt.date
    open_opportunities: Value
    open_pipeline: Value


def _total(values: Iterable[Value]) -> Value:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def pipeline_section(metrics: MetricsData, currency: str) -> SectionView:
    key, title = "pipeline", "Open pipeline by stage"
    cells = [
        c
        for c in metrics.pipeline
        if c.open_pipeline is not None or c.open_opportunities is not None
    ]
    if not cells:
        return _empty(key, title, PIPELINE_SOURCES, metrics, PIPELINE_METRICS)
    return SectionView(
        key,
        title,
        len(cells),
        PIPELINE_SOURCES,
        _pipeline_context(cells, currency, metrics.labels),
        from_metrics=True,
    )


def _pipeline_context(
    cells: Sequence[PipelineCell], currency: str, labels: Mapping[str, str]
) -> dict[str, Any]:
    by_cell = {(c.month, c.stage): c for c in cells}
    present = sorted({c.month for c in cells})
    months = month_calendar(present[0], present[-1])
    stages = stage_order(c.stage for c in cells)
    latest = present[-1]
    latest_cells = [by_cell[(latest, s)] for s in stages if (latest, s) in by_cell]
    latest_total = _total(c.open_pipeline for c in latest_cells)
    as_of = month_end(latest)

    latest_chart = hbar_chart(
        f"Open pipeline by stage at {as_of.isoformat()} ({currency})",
        [c.stage for c in latest_cells],
        [
            Series(
                f"Open pipeline ({currency})",
                [c.open_pipeline for c in latest_cells],
                PALETTE[0],
                labels=[
                    f"{fmt_money(c.open_pipeline)}  ({fmt_int(c.open_opportunities)} open)"
                    for c in latest_cells
                ],
            )
        ],
        value_format=fmt_money,
        bar_height=20,
    )
    colors = ramp(len(stages))
    stacked_chart = column_chart(
        f"Open pipeline by stage at each month end ({currency})",
        [fmt_month(m) for m in months],
        bars=[
            Series(
                stage,
                [
                    by_cell[(m, stage)].open_pipeline if (m, stage) in by_cell else None
                    for m in months
                ],
                color,
            )
            for stage, color in zip(stages, colors, strict=True)
        ],
        stacked=True,
        value_format=fmt_money,
        height=300,
    )
    month_rows = []
    for m in months:
        at_month = [by_cell[(m, s)] for s in stages if (m, s) in by_cell]
        month_rows.append(
            MonthEndRow(
                month_end(m),
                _total(c.open_opportunities for c in at_month),
                _total(c.open_pipeline for c in at_month),
            )
        )
    return {
        "as_of": as_of,
        "latest_chart": Figure(
            svg(latest_chart),
            caption(PIPELINE_METRICS, labels, note=f"by stage at {as_of.isoformat()}"),
        ),
        "stacked_chart": Figure(
            svg(stacked_chart),
            caption(("open_pipeline",), labels, note="by stage at each month end"),
        ),
        "stages": [
            StageRow(
                c.stage,
                c.open_opportunities,
                c.open_pipeline,
                safe_div(c.open_pipeline, latest_total),
            )
            for c in latest_cells
        ],
        "total": MonthEndRow(
            as_of, _total(c.open_opportunities for c in latest_cells), latest_total
        ),
        "month_ends": list(reversed(month_rows)),
    }


# ------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class TargetChart:
    actual: str
    target: str
    attainment: str
    name: str
    color: str


TARGET_CHARTS = (
    TargetChart("leads", "leads_target", "leads_attainment", "Leads", PALETTE[0]),
    TargetChart("mqls", "mqls_target", "mqls_attainment", "MQLs", PALETTE[1]),
    TargetChart(
        "new_customers",
        "new_customers_target",
        "new_customers_attainment",
        "New customers",
        PALETTE[3],
    ),
)


REVENUE_TARGET = TargetChart(*REVENUE_TARGET_METRICS, "Revenue", PALETTE[2])
QUARTER_MEASURES = (REVENUE_TARGET, *TARGET_CHARTS)


@dataclass(frozen=True)
class QuarterRow:
    """One quarter of every target against its actual. ``cells`` holds, per measure of
    ``QUARTER_MEASURES``, the actual, the target and the attainment; the target and the
    attainment are ``None`` unless the plan sets that target for all three months (a
    quarter planned in part would compare three months of actuals with less plan)."""

    quarter: dt.date
    cells: tuple[tuple[Value, Value, Value], ...]

    @property
    def label(self) -> str:
        return f"{self.quarter.year} Q{(self.quarter.month - 1) // 3 + 1}"


def quarter_of(month: dt.date) -> dt.date:
    return dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


def quarter_rows(
    quarters: Sequence[MetricMonth], months: Sequence[MetricMonth], first: dt.date, last: dt.date
) -> list[QuarterRow]:
    """The quarters from ``first``'s to ``last``'s, each measure's target and attainment
    kept where ``months`` has that target in all three of the quarter's months."""
    planned: dict[tuple[dt.date, str], int] = {}
    for m in months:
        for measure in QUARTER_MEASURES:
            if m.values.get(measure.target) is not None:
                key = (quarter_of(m.month), measure.target)
                planned[key] = planned.get(key, 0) + 1
    rows = []
    for q in quarters:
        if not quarter_of(first) <= q.month <= quarter_of(last):
            continue
        cells = []
        for measure in QUARTER_MEASURES:
            full = planned.get((q.month, measure.target), 0) == 3
            cells.append(
                (
                    q.values.get(measure.actual),
                    q.values.get(measure.target) if full else None,
                    q.values.get(measure.attainment) if full else None,
                )
            )
        rows.append(QuarterRow(q.month, tuple(cells)))
    return rows


def targets_section(metrics: MetricsData) -> SectionView:
    key, title = "targets", "Leads, MQLs, new customers and revenue against target"
    if not asked_for(metrics, TARGET_METRICS):
        return _empty(key, title, TARGET_SOURCES, metrics, TARGET_METRICS)
    found = _with_values(metrics.months, TARGETS)
    if not found:
        note = None
        if _with_values(metrics.months, TARGET_METRICS):
            note = (
                f"no lead, MQL or new-customer target for any month yet in "
                f"{MARTS_SCHEMA}.{SALES_MART} (seed targets_monthly)"
            )
        return _empty(key, title, TARGET_SOURCES, metrics, TARGET_METRICS, note)
    rows = _on_calendar(metrics.months, found[0].month, found[-1].month, TARGET_METRICS)
    return SectionView(
        key,
        title,
        len(found),
        TARGET_SOURCES,
        _targets_context(
            rows,
            quarter_rows(metrics.quarters, metrics.months, found[0].month, found[-1].month),
            metrics.labels,
        ),
        from_metrics=True,
    )


def _targets_context(
    rows: Sequence[MetricMonth], quarters: Sequence[QuarterRow], labels: Mapping[str, str]
) -> dict[str, Any]:
    months = [fmt_month(r.month) for r in rows]

    def against_target(chart: TargetChart) -> Figure:
        drawn = column_chart(
            f"{chart.name} against target by month",
            months,
            bars=[Series(chart.name, _series(rows, chart.actual), chart.color)],
            ticks=Series(f"{chart.name} target", _series(rows, chart.target), INK),
            value_format=fmt_int,
            width=540,
            height=240,
        )
        return Figure(svg(drawn), caption((chart.actual, chart.target), labels))

    attainment = column_chart(
        "Attainment by month (actual / target)",
        months,
        lines=[
            Series(c.name, _pct_points(_series(rows, c.attainment)), c.color) for c in TARGET_CHARTS
        ],
        ticks=Series("On target (100%)", [100.0] * len(rows), INK),
        value_format=_percent,
        axis_format=_percent_axis,
        width=540,
        height=240,
    )
    figures: list[Figure] = [against_target(c) for c in TARGET_CHARTS]
    figures.append(Figure(svg(attainment), caption([c.attainment for c in TARGET_CHARTS], labels)))
    return {
        "months": rows,
        "measures": TARGET_CHARTS,
        "pairs": [figures[:2], figures[2:]],
        "quarters": quarters,
        "quarter_measures": QUARTER_MEASURES,
        "quarter_caption": caption(
            [name for m in QUARTER_MEASURES for name in (m.actual, m.target, m.attainment)],
            labels,
            "by quarter",
        ),
    }
