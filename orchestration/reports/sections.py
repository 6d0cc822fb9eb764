"""The report's sections: what each one shows, shaped from the mart rows for its template.

A section is its anchor, heading and source marts, how many rows it was built from,
and the context its template ``templates/sections/<key>.html`` renders: the rows as read
(formatted by the templates' filters), the few sums the report takes over months and its
charts. Funnel and channel ROI reshape their mart and live in ``pivots.py``; the sales
sections (deal size, sales cycle and churn; open pipeline; targets) live in
``sales_sections.py`` and show the semantic layer's metrics. Every chart is a
:class:`Figure`: its SVG, drawn by ``charts.py`` (which escapes every text it writes, so
the SVG is marked safe here, explicitly), and a caption naming the metric it shows. A
section without rows has no context: it says "no data yet" (or why not, in its note).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from orchestration.reports.charts import INK, PALETTE, Series, column_chart
from orchestration.reports.formats import (
    compact,
    fmt_date,
    fmt_int,
    fmt_money,
    fmt_month,
    fmt_num,
    fmt_text,
    to_float,
)
from orchestration.reports.metric_queries import MetricsData
from orchestration.reports.pivots import funnel_context, roi_context
from orchestration.reports.queries import (
    EMAIL_MART,
    FUNNEL_MART,
    ROI_MART,
    SALES_MART,
    EmailCampaign,
    ReportData,
    SalesMonth,
)
from orchestration.reports.sales_sections import pipeline_section, sales_section, targets_section
from orchestration.reports.views import Figure, SectionView, caption, metric_ref, svg


def build_sections(data: ReportData, metrics: MetricsData, currency: str) -> list[SectionView]:
    """The sections in page order: revenue; deal size, sales cycle and churn; open
    pipeline; targets; funnel; channel ROI; spend; email."""
    sales, funnel, channels, emails = data.sales, data.funnel, data.channels, data.emails
    labels = metrics.labels
    return [
        SectionView(
            "revenue",
            "Revenue and won deals against target",
            len(sales),
            (SALES_MART,),
            _revenue(sales, currency, labels) if sales else None,
        ),
        sales_section(metrics, currency),
        pipeline_section(metrics, currency),
        targets_section(metrics),
        SectionView(
            "funnel",
            "Funnel and conversion rates",
            len(funnel),
            (FUNNEL_MART,),
            funnel_context(funnel, labels) if funnel else None,
        ),
        SectionView(
            "roi",
            "Channel ROI under each attribution model",
            sum(int(r.mart_rows) for r in channels),
            (ROI_MART,),
            roi_context(channels, currency, labels) if channels else None,
        ),
        SectionView(
            "spend",
            "Spend, cost per lead and customer acquisition cost",
            len(sales),
            (SALES_MART,),
            _spend(sales, currency, labels) if sales else None,
        ),
        SectionView(
            "email",
            "Email campaigns",
            len(emails),
            (EMAIL_MART,),
            _email(emails, labels) if emails else None,
        ),
    ]


def summary(sales: Sequence[SalesMonth]) -> dict[str, Any] | None:
    """The cards under the page heading: the period and its totals; none without months."""
    if not sales:
        return None
    names = ("won_revenue", "won_deals", "new_customers", "leads", "ad_spend")
    return {
        "first": sales[0].month,
        "last": sales[-1].month,
        "totals": {name: sum(float(getattr(r, name) or 0) for r in sales) for name in names},
    }


def _values(rows: Sequence[Any], name: str) -> list[float | None]:
    return [to_float(getattr(r, name)) for r in rows]


def _revenue(
    sales: Sequence[SalesMonth], currency: str, labels: Mapping[str, str]
) -> dict[str, Any]:
    months = [fmt_month(m.month) for m in sales]
    revenue_chart = column_chart(
        f"Won revenue and revenue target by month ({currency})",
        months,
        bars=[Series(f"Won revenue ({currency})", _values(sales, "won_revenue"), PALETTE[0])],
        ticks=Series(f"Revenue target ({currency})", _values(sales, "revenue_target"), INK),
        value_format=fmt_money,
    )
    deals_chart = column_chart(
        "Won deals and new customers by month",
        months,
        bars=[
            Series("Won deals", _values(sales, "won_deals"), PALETTE[2]),
            Series("New customers", _values(sales, "new_customers"), PALETTE[3]),
        ],
        value_format=fmt_int,
        height=200,
    )
    return {
        "months": sales,
        "revenue_chart": Figure(
            svg(revenue_chart), caption(("won_revenue", "revenue_target"), labels)
        ),
        "deals_chart": Figure(svg(deals_chart), caption(("won_deals", "new_customers"), labels)),
    }


def _spend(sales: Sequence[SalesMonth], currency: str, labels: Mapping[str, str]) -> dict[str, Any]:
    months = [fmt_month(m.month) for m in sales]
    spend_chart = column_chart(
        f"Ad spend by month ({currency})",
        months,
        bars=[Series(f"Ad spend ({currency})", _values(sales, "ad_spend"), PALETTE[0])],
        value_format=fmt_money,
        height=200,
    )
    # CPL and CAC differ by two orders of magnitude: one chart each, side by side.
    # The report's CPL (all ad spend over all leads of the month) is no metric of the
    # semantic layer (its CPLs are per attribution model): the caption says so.
    captions = {
        "cpl": f"no single metric: {metric_ref('spend', labels)} / "
        f"{metric_ref('leads', labels)} of the month, divided by the report",
        "cac": caption(("cac",), labels),
    }
    pair = [
        Figure(
            svg(
                column_chart(
                    f"{name} by month ({currency})",
                    months,
                    lines=[Series(f"{name} ({currency})", _values(sales, column), color)],
                    value_format=lambda v: fmt_money(v, 2),
                    width=540,
                    height=240,
                )
            ),
            captions[column],
        )
        for name, column, color in (("CPL", "cpl", PALETTE[1]), ("CAC", "cac", PALETTE[4]))
    ]
    return {
        "months": sales,
        "spend_chart": Figure(svg(spend_chart), caption(("spend",), labels)),
        "pair": pair,
    }


def _email(campaigns: Sequence[EmailCampaign], labels: Mapping[str, str]) -> dict[str, Any]:
    chronological = list(reversed(campaigns))
    chart = column_chart(
        "Open and click rate by campaign, oldest first",
        [
            fmt_date(c.single_send_at)
            if isinstance(c.single_send_at, datetime)
            else fmt_text(c.campaign)[:10]
            for c in chronological
        ],
        lines=[
            Series("Open rate", _pct_points(chronological, "open_rate"), PALETTE[0]),
            Series("Click rate", _pct_points(chronological, "click_rate"), PALETTE[1]),
            Series("Click-to-open", _pct_points(chronological, "click_to_open"), PALETTE[2]),
        ],
        value_format=lambda v: f"{fmt_num(v)}%",
        axis_format=lambda v: f"{compact(v)}%",
        height=220,
    )
    rates = ("email_open_rate", "email_click_rate", "email_click_to_open")
    return {
        "campaigns": campaigns,
        "chart": Figure(svg(chart), caption(rates, labels, note="by campaign")),
    }


def _pct_points(rows: Sequence[EmailCampaign], name: str) -> list[float | None]:
    """Rates as percentage points, for a chart whose axis reads 50%."""
    return [None if v is None else v * 100 for v in _values(rows, name)]
