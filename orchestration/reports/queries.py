"""What the report reads: SQL over the marts of the published serving file, as plain data.

Every query reads one mart of schema ``marts`` as it is (definitions §6) and returns
frozen dataclasses, one per row, with the mart's own values (``Decimal``, ``date``,
``datetime`` or ``None``); nothing here formats, escapes or draws. A mart that is
missing reads as no rows, so a warehouse built before a mart existed still renders.
The only arithmetic in SQL is what a mart row already implies: a month's CPL (its spend
over its leads) and a channel's totals over the months under each model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

import duckdb

from orchestration.serving.publish import read_publication

MARTS_SCHEMA = "marts"

SALES_MART = "mart_sales_monthly"
FUNNEL_MART = "mart_funnel"
ROI_MART = "mart_channel_roi"
EMAIL_MART = "mart_email_campaigns"
REPORT_MARTS = (SALES_MART, FUNNEL_MART, ROI_MART, EMAIL_MART)
"""The marts whose rows the report reads here; its sales sections read the semantic
layer's metrics over ``metric_queries.METRIC_MARTS``."""

Number = Decimal | float | int | None


@dataclass(frozen=True)
class SalesMonth:
    """One month of ``mart_sales_monthly``, with its CPL (ad spend over leads)."""

    month: date
    won_deals: Number
    won_revenue: Number
    revenue_target: Number
    revenue_attainment: Number
    win_rate: Number
    new_customers: Number
    ad_spend: Number
    acquisition_costs: Number
    leads: Number
    cac: Number
    cpl: Number


@dataclass(frozen=True)
class FunnelCell:
    """One stage of one cohort month of ``mart_funnel``."""

    cohort_month: date
    stage: str
    previous_stage: str | None
    stage_number: int | None
    previous_stage_persons: Number
    persons: Number
    conversion_rate_from_previous: Number
    median_days_from_previous: Number


@dataclass(frozen=True)
class ChannelTotal:
    """A channel under one attribution model, summed over the months of
    ``mart_channel_roi``; ``mart_rows`` is how many mart rows went into it."""

    model: str
    channel: str
    spend: Number
    leads: Number
    won_deals: Number
    attributed_revenue: Number
    mart_rows: int


@dataclass(frozen=True)
class EmailCampaign:
    """One single send of ``mart_email_campaigns``; ``campaign`` is its name, or its id
    when it has none."""

    campaign_id: str
    campaign: str | None
    single_send_at: datetime | None
    sends: Number
    delivered: Number
    unique_opens: Number
    unique_clicks: Number
    open_rate: Number
    click_rate: Number
    click_to_open: Number
    bounces: Number
    unsubscribes: Number


@dataclass(frozen=True)
class HeldBack:
    """A mart of the published file that a failed blocking rule holds back: it shows
    its last good build (``data_built_at``; none when it never had one)."""

    table_name: str
    held_by: str | None
    data_built_at: datetime | None


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read in one go."""

    sales: list[SalesMonth]
    funnel: list[FunnelCell]
    channels: list[ChannelTotal]
    emails: list[EmailCampaign]
    held_back: list[HeldBack]


T = TypeVar("T")


def mart_exists(conn: duckdb.DuckDBPyConnection, mart: str) -> bool:
    found = conn.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [MARTS_SCHEMA, mart],
    ).fetchone()
    return bool(found and found[0])


def _rows(conn: duckdb.DuckDBPyConnection, kind: type[T], sql: str) -> list[T]:
    """The rows of ``sql`` as ``kind`` (a dataclass), built by column name."""
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [kind(**dict(zip(names, values, strict=True))) for values in cursor.fetchall()]


def sales_months(conn: duckdb.DuckDBPyConnection) -> list[SalesMonth]:
    if not mart_exists(conn, SALES_MART):
        return []
    return _rows(
        conn,
        SalesMonth,
        f"""
        select
            month, won_deals, won_revenue, revenue_target, revenue_attainment, win_rate,
            new_customers, ad_spend, acquisition_costs, leads, cac,
            ad_spend / nullif(leads, 0) as cpl
        from {MARTS_SCHEMA}.{SALES_MART}
        order by month
        """,
    )


def funnel_cells(conn: duckdb.DuckDBPyConnection) -> list[FunnelCell]:
    if not mart_exists(conn, FUNNEL_MART):
        return []
    return _rows(
        conn,
        FunnelCell,
        f"""
        select cohort_month, stage, previous_stage, stage_number,
            previous_stage_persons, persons, conversion_rate_from_previous,
            median_days_from_previous
        from {MARTS_SCHEMA}.{FUNNEL_MART}
        order by cohort_month, stage_number
        """,
    )


def channel_totals(conn: duckdb.DuckDBPyConnection) -> list[ChannelTotal]:
    if not mart_exists(conn, ROI_MART):
        return []
    return _rows(
        conn,
        ChannelTotal,
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


def email_campaigns(conn: duckdb.DuckDBPyConnection) -> list[EmailCampaign]:
    """Newest send first."""
    if not mart_exists(conn, EMAIL_MART):
        return []
    return _rows(
        conn,
        EmailCampaign,
        f"""
        select campaign_id, coalesce(campaign_name, campaign_id) as campaign,
            single_send_at, sends, delivered, unique_opens, unique_clicks,
            open_rate, click_rate, click_to_open, bounces, unsubscribes
        from {MARTS_SCHEMA}.{EMAIL_MART}
        order by single_send_at desc nulls last, campaign, campaign_id
        """,
    )


def held_back_marts(conn: duckdb.DuckDBPyConnection) -> list[HeldBack]:
    """The marts of a published file that a failed rule holds back (``_publication``);
    none for a warehouse or a file published before marts could be held back."""
    return [
        HeldBack(mart.table_name, mart.held_by, mart.data_built_at)
        for mart in read_publication(conn)
        if mart.held_back
    ]


def read_report_data(conn: duckdb.DuckDBPyConnection) -> ReportData:
    """Read every mart the report shows from ``conn`` (read-only use)."""
    return ReportData(
        sales=sales_months(conn),
        funnel=funnel_cells(conn),
        channels=channel_totals(conn),
        emails=email_campaigns(conn),
        held_back=held_back_marts(conn),
    )
