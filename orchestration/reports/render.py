"""The refresh report: one static HTML page built from the marts, no Dagster here.

The page is self-contained so it reads from a file share, a mail attachment or a CI
artifact without a server: a small inline stylesheet, charts drawn here as inline SVG,
no script, no web font, no external link. Every number comes from the marts as they are
(definitions §6); the report only sums a mart over its months and divides those sums
(a period's CPL is its spend over its leads), it defines no metric of its own.
Every piece of text taken from the warehouse is HTML-escaped.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.reports.charts import Series, column_chart, hbar_chart
from orchestration.reports.formats import (
    DASH,
    compact,
    esc,
    fmt_int,
    fmt_money,
    fmt_month,
    fmt_num,
    fmt_pct,
    fmt_ratio,
    safe_div,
    to_float,
)

DEFAULT_TITLE = "Marketing and sales report"
DEFAULT_CURRENCY = "USD"
MARTS_SCHEMA = "marts"
LATEST_NAME = "latest.html"

SALES_MART = "mart_sales_monthly"
FUNNEL_MART = "mart_funnel"
ROI_MART = "mart_channel_roi"
EMAIL_MART = "mart_email_campaigns"
REPORT_MARTS = (SALES_MART, FUNNEL_MART, ROI_MART, EMAIL_MART)
"""The marts the report reads: the report asset depends on exactly these."""

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

_PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444", "#0891b2")
_INK = "#1f2937"

Row = dict[str, Any]


# ---------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class _Col:
    header: str
    value: Callable[[Row], object]
    fmt: Callable[[object], str] = str
    numeric: bool = True
    wrap: bool = False
    """Long text (a campaign name) may wrap; numbers and dates never do."""

    @property
    def css(self) -> str:
        return "num" if self.numeric else ("wrap" if self.wrap else "")


def _table(table_id: str, columns: Sequence[_Col], rows: Sequence[Row]) -> str:
    head = "".join(f'<th class="{c.css}">{esc(c.header)}</th>' for c in columns)
    body = []
    for row in rows:
        cells = []
        for column in columns:
            text = column.fmt(column.value(row))
            cells.append(f'<td class="{column.css}">{esc(text)}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table id="{esc(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _key(name: str) -> Callable[[Row], object]:
    return lambda row: row.get(name)


def _text(value: object) -> str:
    return DASH if value is None else str(value)


# -------------------------------------------------------------------------- sections


@dataclass
class Section:
    """One part of the report: its anchor, its heading, its HTML and how many mart rows
    it was built from (0 means it says "no data yet")."""

    key: str
    title: str
    body: str
    rows: int
    sources: tuple[str, ...]


@dataclass
class Report:
    html: str
    sections: list[Section] = field(default_factory=list)

    @property
    def rows_per_section(self) -> dict[str, int]:
        return {section.key: section.rows for section in self.sections}


def _mart_exists(conn: duckdb.DuckDBPyConnection, mart: str) -> bool:
    found = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [MARTS_SCHEMA, mart],
    ).fetchone()
    return bool(found and found[0])


def _query(conn: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _empty(*marts: str) -> str:
    names = " and ".join(f"{MARTS_SCHEMA}.{m}" for m in marts)
    return f'<p class="empty">Nothing to show: no data yet in {esc(names)}.</p>'


def _note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def _sales_rows(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    if not _mart_exists(conn, SALES_MART):
        return []
    return _query(
        conn,
        f"""
        select
            month, won_deals, won_revenue, revenue_target, revenue_attainment, win_rate,
            new_customers, ad_spend, acquisition_costs, leads, cac,
            ad_spend / nullif(leads, 0) as cpl
        from {MARTS_SCHEMA}.{SALES_MART}
        order by month
        """,
    )


def _revenue_section(rows: list[Row], currency: str) -> Section:
    title = "Revenue and won deals against target"
    if not rows:
        return Section("revenue", title, _empty(SALES_MART), 0, (SALES_MART,))
    months = [fmt_month(r["month"]) for r in rows]
    revenue_chart = column_chart(
        f"Won revenue and revenue target by month ({currency})",
        months,
        bars=[
            Series(
                f"Won revenue ({currency})", [to_float(r["won_revenue"]) for r in rows], _PALETTE[0]
            )
        ],
        ticks=Series(
            f"Revenue target ({currency})", [to_float(r["revenue_target"]) for r in rows], _INK
        ),
        value_format=fmt_money,
    )
    deals_chart = column_chart(
        "Won deals and new customers by month",
        months,
        bars=[
            Series("Won deals", [to_float(r["won_deals"]) for r in rows], _PALETTE[2]),
            Series("New customers", [to_float(r["new_customers"]) for r in rows], _PALETTE[3]),
        ],
        value_format=fmt_int,
        height=200,
    )
    table = _table(
        "table-revenue",
        [
            _Col("Month", lambda r: fmt_month(r["month"]), numeric=False),
            _Col("Won deals", _key("won_deals"), fmt_int),
            _Col(f"Won revenue ({currency})", _key("won_revenue"), fmt_money),
            _Col(f"Revenue target ({currency})", _key("revenue_target"), fmt_money),
            _Col("Attainment", _key("revenue_attainment"), fmt_pct),
            _Col("Win rate", _key("win_rate"), fmt_pct),
            _Col("New customers", _key("new_customers"), fmt_int),
        ],
        rows,
    )
    body = (
        revenue_chart
        + _note("Bars: won revenue by CloseDate month; dark ticks: the month's revenue target.")
        + deals_chart
        + table
    )
    return Section("revenue", title, body, len(rows), (SALES_MART,))


def _spend_section(rows: list[Row], currency: str) -> Section:
    title = "Spend, cost per lead and customer acquisition cost"
    if not rows:
        return Section("spend", title, _empty(SALES_MART), 0, (SALES_MART,))
    months = [fmt_month(r["month"]) for r in rows]
    charts = [
        column_chart(
            f"Ad spend by month ({currency})",
            months,
            bars=[
                Series(
                    f"Ad spend ({currency})", [to_float(r["ad_spend"]) for r in rows], _PALETTE[0]
                )
            ],
            value_format=fmt_money,
            height=200,
        ),
    ]
    # CPL and CAC differ by two orders of magnitude: one chart each, side by side.
    pair = "".join(
        "<div>"
        + column_chart(
            f"{name} by month ({currency})",
            months,
            lines=[Series(f"{name} ({currency})", [to_float(r[column]) for r in rows], color)],
            value_format=lambda v: fmt_money(v, 2),
            width=540,
            height=240,
        )
        + "</div>"
        for name, column, color in (("CPL", "cpl", _PALETTE[1]), ("CAC", "cac", _PALETTE[4]))
    )
    charts.append(f'<div class="pair">{pair}</div>')
    table = _table(
        "table-spend",
        [
            _Col("Month", lambda r: fmt_month(r["month"]), numeric=False),
            _Col(f"Ad spend ({currency})", _key("ad_spend"), fmt_money),
            _Col(f"Other acquisition costs ({currency})", _key("acquisition_costs"), fmt_money),
            _Col("Leads", _key("leads"), fmt_int),
            _Col(f"CPL ({currency})", _key("cpl"), lambda v: fmt_money(v, 2)),
            _Col("New customers", _key("new_customers"), fmt_int),
            _Col(f"CAC ({currency})", _key("cac"), lambda v: fmt_money(v, 2)),
        ],
        rows,
    )
    note = _note(
        "CPL = ad spend / leads of the month; CAC = (ad spend + other acquisition costs) / "
        "new customers (mart_sales_monthly.cac). A dash: nothing to divide by."
    )
    return Section("spend", title, "".join(charts) + note + table, len(rows), (SALES_MART,))


def _funnel_section(conn: duckdb.DuckDBPyConnection) -> Section:
    title = "Funnel and conversion rates"
    rows = (
        _query(
            conn,
            f"""
            select cohort_month, stage, previous_stage, stage_number,
                previous_stage_persons, persons, conversion_rate_from_previous,
                median_days_from_previous
            from {MARTS_SCHEMA}.{FUNNEL_MART}
            order by cohort_month, stage_number
            """,
        )
        if _mart_exists(conn, FUNNEL_MART)
        else []
    )
    if not rows:
        return Section("funnel", title, _empty(FUNNEL_MART), 0, (FUNNEL_MART,))

    stages: dict[str, Row] = {}
    for row in rows:
        step = stages.setdefault(
            row["stage"],
            {
                "stage": row["stage"],
                "previous_stage": row["previous_stage"],
                "stage_number": row["stage_number"],
                "entered": 0,
                "reached": 0,
            },
        )
        step["entered"] += int(row["previous_stage_persons"] or 0)
        step["reached"] += int(row["persons"] or 0)
    ordered = sorted(stages.values(), key=lambda s: (s["stage_number"] or 0, s["stage"]))
    for step in ordered:
        step["label"] = _step_label(step["previous_stage"], step["stage"])
        step["rate"] = (
            None if step["previous_stage"] is None else safe_div(step["reached"], step["entered"])
        )
    transitions = [s for s in ordered if s["previous_stage"] is not None]
    visitors = next((s["reached"] for s in ordered if s["previous_stage"] is None), None)

    chart = hbar_chart(
        "Conversion rate by funnel step, all cohorts",
        [s["label"] for s in transitions],
        [
            Series(
                "Conversion rate",
                [s["rate"] for s in transitions],
                _PALETTE[0],
                labels=[
                    f"{fmt_pct(s['rate'])}  ({fmt_int(s['reached'])} of {fmt_int(s['entered'])})"
                    for s in transitions
                ],
            )
        ],
        x_max=1.0,
        bar_height=22,
    )
    pooled = _table(
        "table-funnel",
        [
            _Col("Step", _key("label"), numeric=False),
            _Col("Reached the earlier stage", _key("entered"), fmt_int),
            _Col("Then reached this stage", _key("reached"), fmt_int),
            _Col("Conversion rate", _key("rate"), fmt_pct),
        ],
        transitions,
    )
    cohort_table = _funnel_cohorts(rows, transitions)
    intro = _note(
        (f"{fmt_int(visitors)} first-time visitors over the period. " if visitors else "")
        + "Each step counts the persons who reached the earlier stage in a cohort month and, "
        "of them, those who went on to the later stage at any time; recent cohorts are "
        "still maturing."
    )
    body = intro + chart + pooled + "<h3>By cohort month</h3>" + cohort_table
    return Section("funnel", title, body, len(rows), (FUNNEL_MART,))


def _step_label(previous: str | None, stage: str) -> str:
    name = STAGE_LABELS.get(stage, stage.title())
    if previous is None:
        return name
    return f"{STAGE_LABELS.get(previous, previous.title())} → {name}"


def _funnel_cohorts(rows: list[Row], transitions: list[Row]) -> str:
    by_cell = {(r["cohort_month"], r["stage"]): r for r in rows}
    months = sorted({r["cohort_month"] for r in rows}, reverse=True)
    head = "<th>Cohort month</th>" + "".join(
        f'<th class="num">{esc(s["label"])}</th>' for s in transitions
    )
    body = []
    for month in months:
        cells = [f"<td>{esc(fmt_month(month))}</td>"]
        for step in transitions:
            row = by_cell.get((month, step["stage"]))
            rate = None if row is None else to_float(row["conversion_rate_from_previous"])
            if row is None or rate is None:
                cells.append(f'<td class="num">{DASH}</td>')
                continue
            tip = (
                f"{fmt_int(row['persons'])} of {fmt_int(row['previous_stage_persons'])}; "
                f"median {fmt_num(row['median_days_from_previous'])} days"
            )
            shade = 0.06 + 0.5 * min(max(rate, 0.0), 1.0)
            cells.append(
                f'<td class="num" style="background: rgba(37, 99, 235, {shade:.2f})" '
                f'title="{esc(tip)}">{esc(fmt_pct(rate))}</td>'
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table id="table-funnel-cohorts"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _roi_section(conn: duckdb.DuckDBPyConnection, currency: str) -> Section:
    title = "Channel ROI under each attribution model"
    rows = (
        _query(
            conn,
            f"""
            select model, channel,
                sum(spend) as spend,
                sum(leads) as leads,
                sum(won_deals) as won_deals,
                sum(attributed_revenue) as attributed_revenue,
                count(*) as mart_rows
            from {MARTS_SCHEMA}.{ROI_MART}
            group by model, channel
            """,
        )
        if _mart_exists(conn, ROI_MART)
        else []
    )
    if not rows:
        return Section("roi", title, _empty(ROI_MART), 0, (ROI_MART,))
    mart_rows = sum(int(r["mart_rows"]) for r in rows)
    present = {r["model"] for r in rows}
    models = [m for m in MODEL_ORDER if m in present] + sorted(present - set(MODEL_ORDER))
    cells = {(r["channel"], r["model"]): r for r in rows}
    revenue_by_channel: dict[str, float] = {}
    spend_by_channel: dict[str, float] = {}
    for r in rows:
        revenue_by_channel[r["channel"]] = revenue_by_channel.get(r["channel"], 0.0) + float(
            r["attributed_revenue"] or 0
        )
        # Spend is the channel's, the same under every model (definitions §5).
        spend_by_channel[r["channel"]] = max(
            spend_by_channel.get(r["channel"], 0.0), float(r["spend"] or 0)
        )
    channels = sorted(
        revenue_by_channel, key=lambda c: (c == UNATTRIBUTED, -revenue_by_channel[c], c)
    )

    def cell(channel: str, model: str, name: str) -> object:
        row = cells.get((channel, model))
        if row is None:
            return None
        if name == "cpl":
            return safe_div(row["spend"], row["leads"])
        if name == "roas":
            return safe_div(row["attributed_revenue"], row["spend"])
        return row[name]

    # Unattributed revenue is the same under every model and often dwarfs the rest:
    # the chart leaves it out so the channels the models disagree on stay readable.
    charted = [c for c in channels if c != UNATTRIBUTED]
    chart = (
        hbar_chart(
            f"Attributed won revenue by channel and model ({currency})",
            charted,
            [
                Series(
                    MODEL_LABELS.get(m, m),
                    [to_float(cell(c, m, "attributed_revenue")) for c in charted],
                    _PALETTE[i % len(_PALETTE)],
                )
                for i, m in enumerate(models)
            ],
            value_format=fmt_money,
            bar_height=13,
        )
        if charted
        else ""
    )
    unattributed = revenue_by_channel.get(UNATTRIBUTED)
    chart_note = (
        _note(
            f"The chart leaves out Unattributed ({fmt_money(unattributed / len(models))} "
            f"{currency} per model: won deals with no eligible touchpoint); the tables "
            "include it."
        )
        if unattributed and charted
        else ""
    )
    revenue_table = _roi_pivot(
        "table-roi-revenue",
        channels,
        models,
        spend_by_channel,
        currency,
        [
            ("Revenue", lambda c, m: fmt_money(cell(c, m, "attributed_revenue"))),
            ("ROAS", lambda c, m: fmt_ratio(cell(c, m, "roas"))),
        ],
    )
    leads_table = _roi_pivot(
        "table-roi-leads",
        channels,
        models,
        spend_by_channel,
        currency,
        [
            ("Leads", lambda c, m: fmt_num(cell(c, m, "leads"))),
            ("CPL", lambda c, m: fmt_money(cell(c, m, "cpl"), 2)),
            ("Won", lambda c, m: fmt_num(cell(c, m, "won_deals"))),
        ],
    )
    body = (
        _note(
            "Totals over every month of the mart. Spend is the channel's ad spend, the same "
            "under every model; leads, won deals and revenue are the credits each model "
            "gives the channel (fractional under multi-touch models). ROAS = attributed "
            "revenue / spend, CPL = spend / leads; a dash: no spend (or no leads) to divide by."
        )
        + chart
        + chart_note
        + f"<h3>Attributed revenue ({esc(currency)}) and ROAS</h3>"
        + revenue_table
        + f"<h3>Leads, cost per lead (CPL, {esc(currency)}) and won deals</h3>"
        + leads_table
    )
    return Section("roi", title, body, mart_rows, (ROI_MART,))


def _roi_pivot(
    table_id: str,
    channels: Sequence[str],
    models: Sequence[str],
    spend: dict[str, float],
    currency: str,
    measures: Sequence[tuple[str, Callable[[str, str], str]]],
) -> str:
    span = len(measures)
    top = (
        '<th rowspan="2">Channel</th>' + f'<th rowspan="2" class="num">Spend ({esc(currency)})</th>'
    )
    top += "".join(
        f'<th colspan="{span}" class="group">{esc(MODEL_LABELS.get(m, m))}</th>' for m in models
    )
    sub = "".join(
        f'<th class="num{" first" if k == 0 else ""}">{esc(name)}</th>'
        for _ in models
        for k, (name, _fn) in enumerate(measures)
    )
    body = []
    for channel in channels:
        cells = [
            f"<td>{esc(channel)}</td>",
            f'<td class="num">{esc(fmt_money(spend[channel]))}</td>',
        ]
        for model in models:
            for k, (_name, fn) in enumerate(measures):
                cls = "num first" if k == 0 else "num"
                cells.append(f'<td class="{cls}">{esc(fn(channel, model))}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table id="{esc(table_id)}" class="pivot"><thead>'
        f"<tr>{top}</tr><tr>{sub}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def _email_section(conn: duckdb.DuckDBPyConnection) -> Section:
    title = "Email campaigns"
    rows = (
        _query(
            conn,
            f"""
            select campaign_id, coalesce(campaign_name, campaign_id) as campaign,
                single_send_at, sends, delivered, unique_opens, unique_clicks,
                open_rate, click_rate, click_to_open, bounces, unsubscribes
            from {MARTS_SCHEMA}.{EMAIL_MART}
            order by single_send_at desc nulls last, campaign, campaign_id
            """,
        )
        if _mart_exists(conn, EMAIL_MART)
        else []
    )
    if not rows:
        return Section("email", title, _empty(EMAIL_MART), 0, (EMAIL_MART,))
    chronological = list(reversed(rows))
    chart = column_chart(
        "Open and click rate by campaign, oldest first",
        [
            r["single_send_at"].strftime("%Y-%m-%d")
            if isinstance(r["single_send_at"], datetime)
            else _text(r["campaign"])[:10]
            for r in chronological
        ],
        lines=[
            Series("Open rate", [_pct_points(r["open_rate"]) for r in chronological], _PALETTE[0]),
            Series(
                "Click rate", [_pct_points(r["click_rate"]) for r in chronological], _PALETTE[1]
            ),
            Series(
                "Click-to-open",
                [_pct_points(r["click_to_open"]) for r in chronological],
                _PALETTE[2],
            ),
        ],
        value_format=lambda v: f"{fmt_num(v)}%",
        axis_format=lambda v: f"{compact(v)}%",
        height=220,
    )
    table = _table(
        "table-email",
        [
            _Col("Campaign", lambda r: _text(r["campaign"]), numeric=False, wrap=True),
            _Col("Sent", lambda r: _send_date(r["single_send_at"]), numeric=False),
            _Col("Sends", _key("sends"), fmt_int),
            _Col("Delivered", _key("delivered"), fmt_int),
            _Col("Unique opens", _key("unique_opens"), fmt_int),
            _Col("Open rate", _key("open_rate"), fmt_pct),
            _Col("Unique clicks", _key("unique_clicks"), fmt_int),
            _Col("Click rate", _key("click_rate"), fmt_pct),
            _Col("Click-to-open", _key("click_to_open"), fmt_pct),
            _Col("Bounces", _key("bounces"), fmt_int),
            _Col("Unsubscribes", _key("unsubscribes"), fmt_int),
        ],
        rows,
    )
    note = _note(
        "Newest first. Rates are over delivered emails (click-to-open over unique opens); "
        "machine opens (e.g. Apple Mail Privacy Protection) count as opens."
    )
    return Section("email", title, chart + note + table, len(rows), (EMAIL_MART,))


def _pct_points(value: object) -> float | None:
    number = to_float(value)
    return None if number is None else number * 100


def _send_date(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime) else _text(value)


def _summary(rows: list[Row], currency: str) -> str:
    if not rows:
        return ""

    def total(name: str) -> float:
        return sum(float(r[name] or 0) for r in rows)

    cards = [
        ("Period", f"{fmt_month(rows[0]['month'])} – {fmt_month(rows[-1]['month'])}"),
        (f"Won revenue ({currency})", fmt_money(total("won_revenue"))),
        ("Won deals", fmt_int(total("won_deals"))),
        ("New customers", fmt_int(total("new_customers"))),
        ("Leads", fmt_int(total("leads"))),
        (f"Ad spend ({currency})", fmt_money(total("ad_spend"))),
    ]
    return (
        '<div class="cards" id="summary">'
        + "".join(
            f'<div class="card"><div class="label">{esc(k)}</div>'
            f'<div class="value{" small" if k == "Period" else ""}">{esc(v)}</div></div>'
            for k, v in cards
        )
        + "</div>"
    )


# ------------------------------------------------------------------------------ page

_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2937;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #6b7280; }
nav { margin: 12px 0 0; }
nav a { color: #2563eb; margin-right: 16px; text-decoration: none; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px;
  padding: 16px 20px; margin: 20px 0; }
h2 { margin: 0 0 8px; font-size: 19px; }
h3 { margin: 18px 0 6px; font-size: 15px; }
.note { color: #6b7280; margin: 6px 0 10px; }
.empty { color: #92400e; background: #fffbeb; border: 1px solid #fde68a;
  border-radius: 6px; padding: 10px 12px; }
.held { color: #991b1b; background: #fef2f2; border: 1px solid #fecaca;
  border-radius: 6px; padding: 10px 12px; margin: 12px 0; }
.sources { color: #9ca3af; font-size: 12px; margin: 10px 0 0; }
.chart { display: block; width: 100%; height: auto; margin: 6px 0 12px; }
.chart text { font-size: 11px; fill: #4b5563; }
.chart text.cat { font-size: 12px; fill: #1f2937; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid #e5e7eb; text-align: left; }
td { white-space: nowrap; }
td.wrap { white-space: normal; min-width: 200px; }
th { background: #f9fafb; font-weight: 600; font-size: 12.5px; color: #374151; }
td.num, th.num { text-align: right; }
tbody tr:nth-child(even) td { background-color: #fafafa; }
table.pivot { font-size: 13px; }
table.pivot th, table.pivot td { padding: 4px 6px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
table.pivot th.group { text-align: center; border-left: 2px solid #d1d5db; }
table.pivot .first { border-left: 2px solid #d1d5db; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr));
  gap: 12px; margin: 18px 0 0; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 14px; }
.card .label { color: #6b7280; font-size: 12px; }
.card .value { font-size: 20px; font-weight: 600; }
.card .value.small { font-size: 15px; padding-top: 4px; white-space: nowrap; }
footer { color: #9ca3af; font-size: 12px; text-align: center; padding: 8px 0 24px; }
@media print { body { background: #fff; } section { break-inside: avoid; } }
"""


def _held_back(conn: duckdb.DuckDBPyConnection) -> list[Row]:
    """The marts of a published file that a failed rule holds back (``_publication``);
    none for a warehouse or a file published before marts could be held back."""
    columns = {
        row[0]
        for row in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = '_publication'",
            [MARTS_SCHEMA],
        ).fetchall()
    }
    if "held_back" not in columns:
        return []
    return _query(
        conn,
        f"""
        select table_name, held_by, data_built_at
        from {MARTS_SCHEMA}._publication
        where held_back
        order by table_name
        """,
    )


def _held_back_notice(rows: list[Row]) -> str:
    """A warning above the sections: which marts show an older build, and why."""
    if not rows:
        return ""
    items = "".join(
        f"<li><strong>{esc(row['table_name'])}</strong>: "
        + (
            f"last good build of {esc(row['data_built_at'].strftime('%Y-%m-%d %H:%M'))} UTC"
            if row["data_built_at"] is not None
            else "not published yet (no good build so far)"
        )
        + f"; held back by {esc(row['held_by'])}</li>"
        for row in rows
    )
    return (
        '<div class="held"><p><strong>Held back:</strong> a blocking rule failed in the '
        "last refresh, so these marts keep their last good build (every other mart is "
        f"fresh); fix the failure and refresh.</p><ul>{items}</ul></div>"
    )


def _utc(moment: datetime) -> datetime:
    """An aware time in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def build_report(
    conn: duckdb.DuckDBPyConnection,
    *,
    generated_at: datetime,
    title: str = DEFAULT_TITLE,
    currency: str = DEFAULT_CURRENCY,
) -> Report:
    """Render the report and say what went into it (sections and mart rows read)."""
    sales = _sales_rows(conn)
    sections = [
        _revenue_section(sales, currency),
        _funnel_section(conn),
        _roi_section(conn, currency),
        _spend_section(sales, currency),
        _email_section(conn),
    ]
    stamp = _utc(generated_at).strftime("%Y-%m-%d %H:%M UTC")
    nav = "".join(f'<a href="#{esc(s.key)}">{esc(s.title)}</a>' for s in sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body><main>",
        f"<header><h1>{esc(title)}</h1>",
        f"<p>Generated {esc(stamp)}. Money in {esc(currency)} (the reporting currency). "
        f"Months are calendar months in the reporting time zone.</p>",
        f"<nav>{nav}</nav>{_held_back_notice(_held_back(conn))}"
        f"{_summary(sales, currency)}</header>",
    ]
    for section in sections:
        sources = ", ".join(f"{MARTS_SCHEMA}.{m}" for m in section.sources)
        parts.append(
            f'<section id="{esc(section.key)}"><h2>{esc(section.title)}</h2>{section.body}'
            f'<p class="sources">Source: {esc(sources)}</p></section>'
        )
    parts.append(
        f"<footer>journey-warehouse · {esc(title)} · {esc(stamp)}</footer></main></body></html>"
    )
    return Report(html="\n".join(parts), sections=sections)


def render_report(
    conn: duckdb.DuckDBPyConnection,
    *,
    generated_at: datetime,
    title: str = DEFAULT_TITLE,
    currency: str = DEFAULT_CURRENCY,
) -> str:
    """One self-contained HTML page from the marts of ``conn`` (read-only use).

    Sections: revenue and won deals against target by month, the funnel with its
    conversion rates, channel ROI under each attribution model, spend / CPL / CAC by
    month, and the email campaigns. A mart that is missing or empty shows "no data yet".
    """
    return build_report(conn, generated_at=generated_at, title=title, currency=currency).html


def report_filename(generated_at: datetime) -> str:
    return f"report-{_utc(generated_at).strftime('%Y%m%dT%H%M%S')}.html"


def _atomic_write(path: Path, text: str) -> None:
    """Write beside the target, then rename over it: a reader sees the old file or the
    new one, never half of one."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_report(html: str, report_dir: Path, generated_at: datetime) -> Path:
    """Write ``report-<YYYYmmddTHHMMSS>.html`` (UTC) and replace ``latest.html``
    atomically; return the dated report's path."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    # Temp files of a run killed mid-write (kill -9 skips the cleanup above). The
    # report step holds the warehouse writer lock, so no other run is writing now.
    for leftover in report_dir.glob(".*.html.*.tmp"):
        leftover.unlink(missing_ok=True)
    path = report_dir / report_filename(generated_at)
    _atomic_write(path, html)
    _atomic_write(report_dir / LATEST_NAME, html)
    return path
