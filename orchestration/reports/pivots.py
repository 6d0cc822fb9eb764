"""The two sections that reshape their mart: the funnel pooled over cohort months and the
channel ROI pivoted by attribution model.

Both take the rows of ``queries.py`` and return the context of their template
(``sections/funnel.html``, ``sections/roi.html``): plain values the templates format with
the filters of ``formats.py``, and the charts of ``charts.py`` as figures (SVG marked
safe, ``charts.py`` escapes every text it draws) captioned with the metrics they show.
The only arithmetic is sums over months and ratios of those sums (definitions §5, §6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestration.reports.charts import PALETTE, Series, hbar_chart
from orchestration.reports.formats import fmt_int, fmt_money, fmt_pct, safe_div, to_float
from orchestration.reports.queries import ChannelTotal, FunnelCell, Number
from orchestration.reports.views import Figure, caption, svg

MODEL_ORDER = ("first_touch", "last_touch", "linear", "position_based", "time_decay")
MODEL_LABELS = {
    "first_touch": "First touch",
    "last_touch": "Last touch",
    "linear": "Linear",
    "position_based": "Position-based",
    "time_decay": "Time decay",
}
STAGE_LABELS = {
    "visitor": "Visitor",
    "lead": "Lead",
    "mql": "MQL",
    "sql": "SQL",
    "opportunity": "Opportunity",
    "customer": "Customer",
}
UNATTRIBUTED = "Unattributed"


# ---------------------------------------------------------------------------- funnel


@dataclass(frozen=True)
class FunnelStep:
    """A stage pooled over every cohort month: of the persons who reached the earlier
    stage (``entered``), those who went on to this one (``reached``)."""

    stage: str
    previous_stage: str | None
    stage_number: int | None
    entered: int
    reached: int
    label: str
    rate: float | None


@dataclass(frozen=True)
class CohortCell:
    """One step of one cohort month, shaded by its conversion rate."""

    rate: float
    persons: Number
    entered: Number
    median_days: Number
    shade: float


def step_label(previous: str | None, stage: str) -> str:
    name = STAGE_LABELS.get(stage, stage.title())
    if previous is None:
        return name
    return f"{STAGE_LABELS.get(previous, previous.title())} → {name}"


def funnel_context(rows: Sequence[FunnelCell], labels: Mapping[str, str]) -> dict[str, Any]:
    """Steps pooled over cohorts, the conversion chart, and the cohort-by-step grid."""
    pooled: dict[str, dict[str, Any]] = {}
    for row in rows:
        step = pooled.setdefault(
            row.stage,
            {
                "stage": row.stage,
                "previous_stage": row.previous_stage,
                "stage_number": row.stage_number,
                "entered": 0,
                "reached": 0,
            },
        )
        step["entered"] += int(row.previous_stage_persons or 0)
        step["reached"] += int(row.persons or 0)
    ordered = [
        FunnelStep(
            **step,
            label=step_label(step["previous_stage"], step["stage"]),
            rate=None
            if step["previous_stage"] is None
            else safe_div(step["reached"], step["entered"]),
        )
        for step in sorted(pooled.values(), key=lambda s: (s["stage_number"] or 0, s["stage"]))
    ]
    steps = [s for s in ordered if s.previous_stage is not None]
    visitors = next((s.reached for s in ordered if s.previous_stage is None), None)
    chart = hbar_chart(
        "Conversion rate by funnel step, all cohorts",
        [s.label for s in steps],
        [
            Series(
                "Conversion rate",
                [s.rate for s in steps],
                PALETTE[0],
                labels=[
                    f"{fmt_pct(s.rate)}  ({fmt_int(s.reached)} of {fmt_int(s.entered)})"
                    for s in steps
                ],
            )
        ],
        x_max=1.0,
        bar_height=22,
    )
    # Each step's rate is the metric <previous>_to_<stage>_conversion, pooled over the
    # cohort months as the metric is over a period without a time grain.
    metrics = [f"{s.previous_stage}_to_{s.stage}_conversion" for s in steps]
    return {
        "visitors": visitors,
        "chart": Figure(
            svg(chart),
            caption(
                [m for m in metrics if not labels or m in labels],
                labels,
                note="over all cohort months",
            ),
        ),
        "steps": steps,
        "cohorts": _cohorts(rows, steps),
    }


def _cohorts(rows: Sequence[FunnelCell], steps: Sequence[FunnelStep]) -> list[dict[str, Any]]:
    """Newest cohort month first; a step the month has no rate for is ``None``."""
    by_cell = {(r.cohort_month, r.stage): r for r in rows}
    cohorts = []
    for month in sorted({r.cohort_month for r in rows}, reverse=True):
        cells: list[CohortCell | None] = []
        for step in steps:
            row = by_cell.get((month, step.stage))
            rate = None if row is None else to_float(row.conversion_rate_from_previous)
            if row is None or rate is None:
                cells.append(None)
                continue
            cells.append(
                CohortCell(
                    rate=rate,
                    persons=row.persons,
                    entered=row.previous_stage_persons,
                    median_days=row.median_days_from_previous,
                    shade=0.06 + 0.5 * min(max(rate, 0.0), 1.0),
                )
            )
        cohorts.append({"month": month, "cells": cells})
    return cohorts


# ------------------------------------------------------------------------ channel ROI


@dataclass(frozen=True)
class ModelCredit:
    """What one attribution model credits one channel with, over every month; all
    ``None`` where the model has no row for the channel."""

    attributed_revenue: Number = None
    leads: Number = None
    won_deals: Number = None
    roas: float | None = None
    cpl: float | None = None


@dataclass(frozen=True)
class ChannelRow:
    """A channel: its ad spend (the same under every model) and each model's credits."""

    name: str
    spend: float
    credits: dict[str, ModelCredit]


@dataclass(frozen=True)
class ModelColumn:
    key: str
    label: str


def roi_context(
    rows: Sequence[ChannelTotal], currency: str, labels: Mapping[str, str]
) -> dict[str, Any]:
    """Channels by attributed revenue (Unattributed last), models in their usual order,
    the revenue chart and the Unattributed revenue it leaves out."""
    present = {r.model for r in rows}
    models = [m for m in MODEL_ORDER if m in present] + sorted(present - set(MODEL_ORDER))
    by_cell = {(r.channel, r.model): r for r in rows}
    revenue: dict[str, float] = {}
    spend: dict[str, float] = {}
    for r in rows:
        revenue[r.channel] = revenue.get(r.channel, 0.0) + float(r.attributed_revenue or 0)
        # Spend is the channel's, the same under every model (definitions §5).
        spend[r.channel] = max(spend.get(r.channel, 0.0), float(r.spend or 0))
    ordered = sorted(revenue, key=lambda c: (c == UNATTRIBUTED, -revenue[c], c))
    channels = [
        ChannelRow(c, spend[c], {m: _credit(by_cell.get((c, m))) for m in models}) for c in ordered
    ]

    # Unattributed revenue is the same under every model and often dwarfs the rest:
    # the chart leaves it out so the channels the models disagree on stay readable.
    charted = [c for c in channels if c.name != UNATTRIBUTED]
    chart = (
        hbar_chart(
            f"Attributed won revenue by channel and model ({currency})",
            [c.name for c in charted],
            [
                Series(
                    MODEL_LABELS.get(m, m),
                    [to_float(c.credits[m].attributed_revenue) for c in charted],
                    PALETTE[i % len(PALETTE)],
                )
                for i, m in enumerate(models)
            ],
            value_format=fmt_money,
            bar_height=13,
        )
        if charted
        else ""
    )
    unattributed = revenue.get(UNATTRIBUTED)
    return {
        "chart": Figure(
            svg(chart),
            caption(
                [f"attributed_revenue_{m}" for m in models],
                labels,
                note="by channel, over every month",
            ),
        ),
        "unattributed_per_model": (
            unattributed / len(models) if unattributed and charted else None
        ),
        "models": [ModelColumn(m, MODEL_LABELS.get(m, m)) for m in models],
        "channels": channels,
    }


def _credit(row: ChannelTotal | None) -> ModelCredit:
    if row is None:
        return ModelCredit()
    return ModelCredit(
        attributed_revenue=row.attributed_revenue,
        leads=row.leads,
        won_deals=row.won_deals,
        roas=safe_div(row.attributed_revenue, row.spend),
        cpl=safe_div(row.spend, row.leads),
    )
