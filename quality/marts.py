"""Great Expectations suites on the marts BI tools read: the plausibility bands.

A rule is checked once, where it can be said best. What dbt can express row by row is
a dbt test on the mart (``dbt_project/models/marts``): a rate is its counts' ratio and
lies in [0, 1] (generic test ``rate_is_ratio_of``), spend is never negative
(``accepted_range``), every channel is one the seed defines (``channel_in_seed_list``),
credits lie in [0, 1]. What is left here is what no single row can break: a rate over
a whole mart outside its plausible band, or too much revenue nobody can attribute.
Each row can be right and the total still look wrong, so these are warnings: an analyst
should look before a BI user does (``docs/definitions.md`` §4-§6).

What is pulled, and why: DuckDB aggregates first and Great Expectations validates the
aggregate, one row per mart (the overall rates) or per attribution model (the
Unattributed share), whatever the mart's size.

The Unattributed share is measured per attribution model and only over deals whose
conversion time (the Opportunity's CreatedDate, where the attribution window ends, §4)
falls on or after the date of the first web session in the warehouse (the first
``web_session`` activity of ``fct_customer_journey``): the CRM holds deals from long
before web tracking started (in the demo deals since 2024-09, sessions since 2026-01),
and those are Unattributed by construction, not because a definition broke.

A mart that does not exist yet (the dbt build has not made it) gives a failing result
saying so for each of its checks; so does a column the checks read that is missing,
since that is a broken contract (§6).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from quality.gx_validation import Expect, SuiteOutcome, validate_frame
from quality.model import CheckContext, CheckResult, CheckSpec, Failure, Severity, Suite

MART_SCHEMA = "marts"
UNATTRIBUTED = "Unattributed"
"""The channel of a conversion with no eligible touchpoint (§4); not in the seed."""

OVERALL_CTR_BAND = (0.0005, 0.20)
"""Plausible ad CTR over the whole mart (all clicks / all impressions). Search ads run
at 2-6%, social at 0.5-1.5%, LinkedIn and display at 0.1-0.5%, so a blend sits well
inside 0.05%-20%. Below it clicks were lost (a join dropping them, impressions counted
once per campaign row); above it impressions were lost or clicks counted many times."""
OVERALL_OPEN_RATE_BAND = (0.05, 0.90)
"""Plausible email open rate over the whole mart (all unique opens / all delivered).
B2B sends open at 20-45%, and the machine opens this definition counts (Apple Mail
Privacy Protection) push that to 40-60%. Below 5% opens were lost (events joined to
the wrong send); above 90% delivered was under-counted or opens not deduplicated."""
UNATTRIBUTED_REVENUE_SHARE_MAX = 0.75
"""Most of the won revenue, per attribution model, that may be ``Unattributed`` among
deals created once web tracking runs. A sales-led B2B business closes many deals whose
buyers never visited the site in the 90 days before the opportunity (outbound, events,
renewals): 40-70% unattributed is normal (the demo shows 65%). A broken touchpoint
definition (the person join, the window's direction, the session-to-person link) sends
it to ~100%, which is what this threshold is there to catch."""

OVERALL_CTR_WITHIN_PLAUSIBLE_BAND = "overall_ctr_within_plausible_band"
OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND = "overall_open_rate_within_plausible_band"
UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD = "unattributed_revenue_share_below_threshold"


class _Unavailable(Exception):
    """A table or column a check reads is not there: reported, not raised."""


@dataclass(frozen=True)
class _Batch:
    """What one check validates: the frame, its expectations and how to describe it."""

    frame: pd.DataFrame
    expectations: Sequence[Expect]
    scope: str
    """What was validated, in words: "the 4,431 rows of marts.mart_marketing_daily"."""
    unit: str = "row"
    """What a frame row is (``row``, ``overall rate``, ``model``), for the summary."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    judged: bool = True
    """False when there is nothing to judge yet (no impressions, no web sessions)."""


class _Reader:
    """A check's reads of the warehouse, with a missing table or column reported as
    :class:`_Unavailable`."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def exists(self, schema: str, table: str) -> bool:
        row = self.conn.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()
        return bool(row and row[0])

    def require(self, schema: str, table: str) -> None:
        if not self.exists(schema, table):
            raise _Unavailable(
                f"{schema}.{table} does not exist in the warehouse yet (has the dbt build made it?)"
            )

    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        try:
            return self.conn.execute(sql, list(params)).df()
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            # Typically a contract column missing from a rebuilt mart.
            raise _Unavailable(f"the check cannot read what it needs: {exc}") from exc


@dataclass(frozen=True)
class _Check:
    spec: CheckSpec
    batch: Callable[[_Reader], _Batch]


def _table(name: str) -> str:
    return f"{MART_SCHEMA}.{name}"


# -- shared rules ----------------------------------------------------------------------


def _overall_rate_batch(
    reader: _Reader,
    mart: str,
    name: str,
    numerator: str,
    denominator: str,
    band: tuple[float, float],
    words: str,
) -> _Batch:
    """One row: the rate over the whole mart, from DuckDB's sums."""
    reader.require(MART_SCHEMA, mart)
    frame = reader.df(
        f"select sum({numerator}) as {numerator}, sum({denominator}) as {denominator}, "
        f"cast(sum({numerator}) as double) / nullif(sum({denominator}), 0) as {name} "
        f"from {_table(mart)}"
    )
    observed = frame[name].iloc[0]
    low, high = band
    return _Batch(
        frame=frame,
        expectations=[
            Expect(
                f"{words} is between {_band_pct(low)} and {_band_pct(high)}",
                "ExpectColumnValuesToBeBetween",
                {"column": name, "min_value": low, "max_value": high},
            )
        ],
        scope=(
            f"{words} of {_table(mart)} ({_pct(observed)}: {_count(frame[numerator].iloc[0])} "
            f"{numerator} / {_count(frame[denominator].iloc[0])} {denominator})"
        ),
        unit="overall rate",
        metadata={name: None if pd.isna(observed) else float(observed)},
        judged=not pd.isna(observed),
    )


# -- one suite per mart ----------------------------------------------------------------

_MARKETING_DAILY = "mart_marketing_daily"


def _marketing_daily_checks() -> list[_Check]:
    mart = _MARKETING_DAILY

    def overall_ctr(reader: _Reader) -> _Batch:
        return _overall_rate_batch(
            reader, mart, "overall_ctr", "clicks", "impressions", OVERALL_CTR_BAND, "ad CTR"
        )

    low, high = OVERALL_CTR_BAND
    return [
        _Check(
            CheckSpec(
                OVERALL_CTR_WITHIN_PLAUSIBLE_BAND,
                (MART_SCHEMA, mart),
                Severity.WARNING,
                f"Ad CTR over the whole mart (all clicks / all impressions) is between "
                f"{_band_pct(low)} and {_band_pct(high)}.",
            ),
            overall_ctr,
        ),
    ]


_EMAIL_CAMPAIGNS = "mart_email_campaigns"


def _email_campaigns_checks() -> list[_Check]:
    mart = _EMAIL_CAMPAIGNS

    def overall_open_rate(reader: _Reader) -> _Batch:
        return _overall_rate_batch(
            reader,
            mart,
            "overall_open_rate",
            "unique_opens",
            "delivered",
            OVERALL_OPEN_RATE_BAND,
            "email open rate",
        )

    low, high = OVERALL_OPEN_RATE_BAND
    return [
        _Check(
            CheckSpec(
                OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND,
                (MART_SCHEMA, mart),
                Severity.WARNING,
                f"Email open rate over all campaigns (all unique opens / all delivered) is "
                f"between {_band_pct(low)} and {_band_pct(high)}.",
            ),
            overall_open_rate,
        ),
    ]


_ATTRIBUTION = "fct_attribution"
_JOURNEY = "fct_customer_journey"
_WEB_SESSION_ACTIVITY = "web_session"


def _first_web_session(reader: _Reader) -> tuple[pd.Timestamp | None, str]:
    """When web tracking starts: the first web session in the customer journey (every
    session of every person); without that mart, the first session credited in
    fct_attribution (later, if the first sessions led to no conversion)."""
    if reader.exists(MART_SCHEMA, _JOURNEY):
        source = f"{_table(_JOURNEY)} (activity_type '{_WEB_SESSION_ACTIVITY}')"
        sql = (
            f"select min(activity_ts) as first_at from {_table(_JOURNEY)} "
            f"where activity_type = '{_WEB_SESSION_ACTIVITY}'"
        )
    else:
        source = f"{_table(_ATTRIBUTION)} (session_started_at)"
        sql = f"select min(session_started_at) as first_at from {_table(_ATTRIBUTION)}"
    first = reader.df(sql)["first_at"].iloc[0]
    return (None if pd.isna(first) else pd.Timestamp(first)), source


def _attribution_checks() -> list[_Check]:
    mart = _ATTRIBUTION
    asset = (MART_SCHEMA, mart)
    share_max = UNATTRIBUTED_REVENUE_SHARE_MAX

    def unattributed_share(reader: _Reader) -> _Batch:
        reader.require(MART_SCHEMA, mart)
        first, source = _first_web_session(reader)
        metadata: dict[str, Any] = {"first_web_session_source": source}
        expectation = Expect(
            f"Unattributed revenue share is at most {_band_pct(share_max)}",
            "ExpectColumnValuesToBeBetween",
            {"column": "unattributed_revenue_share", "max_value": share_max},
        )
        if first is None:
            return _Batch(
                frame=pd.DataFrame({"key_model": [], "unattributed_revenue_share": []}),
                expectations=[expectation],
                scope="no web session in the warehouse yet, so every deal is Unattributed",
                unit="model",
                metadata=metadata,
                judged=False,
            )
        web_start = first.normalize()
        metadata["web_period_start"] = web_start.date().isoformat()
        # Leads carry no revenue, so summing over every conversion is summing over
        # won deals. window_anchor_at is the conversion time the attribution window
        # ends at (a deal's Opportunity CreatedDate, §4): a deal created before web
        # tracking ran cannot have a touchpoint, whatever its close date.
        frame = reader.df(
            f"""
            with revenue as (
                select
                    model,
                    window_anchor_at >= ? as is_web_period,
                    coalesce(sum(attributed_revenue), 0) as revenue,
                    coalesce(sum(attributed_revenue) filter (where channel = ?), 0)
                        as unattributed_revenue
                from {_table(mart)}
                group by all
            )
            select
                model as key_model,
                sum(revenue) filter (where is_web_period) as web_period_revenue,
                sum(unattributed_revenue) filter (where is_web_period)
                    / nullif(sum(revenue) filter (where is_web_period), 0)
                    as unattributed_revenue_share,
                sum(unattributed_revenue) filter (where not is_web_period)
                    / nullif(sum(revenue) filter (where not is_web_period), 0)
                    as unattributed_revenue_share_before_web_period
            from revenue
            group by model
            order by model
            """,
            [web_start.to_pydatetime(), UNATTRIBUTED],
        )
        metadata["unattributed_revenue_share_by_model"] = {
            str(m): None if pd.isna(s) else round(float(s), 4)
            for m, s in zip(frame["key_model"], frame["unattributed_revenue_share"], strict=True)
        }
        metadata["unattributed_revenue_share_before_web_period_by_model"] = {
            str(m): None if pd.isna(s) else round(float(s), 4)
            for m, s in zip(
                frame["key_model"],
                frame["unattributed_revenue_share_before_web_period"],
                strict=True,
            )
        }
        shares = frame["unattributed_revenue_share"].dropna()
        return _Batch(
            frame=frame,
            expectations=[expectation],
            scope=(
                f"won revenue of deals created since the first web session "
                f"({web_start:%Y-%m-%d}) in {len(frame)} attribution model(s)"
                + (f" (Unattributed: {_pct(shares.max())} at most)" if len(shares) else "")
            ),
            unit="model",
            metadata=metadata,
            judged=bool(len(shares)),
        )

    return [
        _Check(
            CheckSpec(
                UNATTRIBUTED_REVENUE_SHARE_BELOW_THRESHOLD,
                asset,
                Severity.WARNING,
                f"In every attribution model, at most {_band_pct(share_max)} of the won revenue of "
                "deals created since web tracking started (the first web session's date) "
                "is Unattributed; deals from before have no sessions to credit and are "
                "not judged.",
            ),
            unattributed_share,
        ),
    ]


# -- running ---------------------------------------------------------------------------


def _evaluate(checks: Sequence[_Check]) -> Callable:
    def evaluate(conn: duckdb.DuckDBPyConnection, context: CheckContext) -> dict[str, CheckResult]:
        reader = _Reader(conn)
        return {check.spec.name: _run(check, reader) for check in checks}

    return evaluate


def _run(check: _Check, reader: _Reader) -> CheckResult:
    try:
        batch = check.batch(reader)
    except _Unavailable as exc:
        reason = str(exc)
        return CheckResult(
            passed=False,
            rows_checked=0,
            summary=f"not checked: {reason}",
            failures=(
                Failure(
                    expectation="the tables and columns the check reads exist",
                    unexpected_count=None,
                    observed=reason,
                ),
            ),
        )
    if not batch.judged:
        return CheckResult(
            passed=True,
            rows_checked=len(batch.frame),
            summary=f"nothing to judge yet: {batch.scope}",
            metadata=dict(batch.metadata),
        )
    outcome = validate_frame(
        batch.frame, f"{check.spec.asset_path}.{check.spec.name}", batch.expectations
    )
    return _result(outcome, batch)


def _result(outcome: SuiteOutcome, batch: _Batch) -> CheckResult:
    if outcome.success:
        summary = f"{outcome.evaluated} expectation(s) hold on {batch.scope}"
    else:
        broken = "; ".join(f.describe() for f in outcome.failures)
        summary = (
            f"{len(outcome.failures)} of {outcome.evaluated} expectation(s) broken on "
            f"{batch.scope}: {broken}"
        )
        if batch.unit != "row":
            summary = summary.replace(" row(s) break it", f" {batch.unit}(s) break it")
    return CheckResult(
        passed=outcome.success,
        rows_checked=len(batch.frame),
        summary=summary,
        failures=outcome.failures,
        expectations_evaluated=outcome.evaluated,
        metadata=dict(batch.metadata),
    )


def _suite(mart: str, checks: Sequence[_Check]) -> Suite:
    return Suite(
        name=f"marts.{mart}",
        asset=(MART_SCHEMA, mart),
        specs=tuple(check.spec for check in checks),
        evaluate=_evaluate(checks),
    )


def _pct(value: Any) -> str:
    return "no value" if value is None or pd.isna(value) else f"{float(value):.2%}"


def _band_pct(value: float) -> str:
    """A threshold as people write it: 0.05%, 20%."""
    return f"{value * 100:g}%"


def _count(value: Any) -> str:
    return "0" if value is None or pd.isna(value) else f"{int(value):,}"


def mart_suites() -> list[Suite]:
    """One suite per mart whose totals have a plausible band (``definitions.md`` §6);
    every row-level rule of every mart is a dbt test on it."""
    return [
        _suite(_MARKETING_DAILY, _marketing_daily_checks()),
        _suite(_EMAIL_CAMPAIGNS, _email_campaigns_checks()),
        _suite(_ATTRIBUTION, _attribution_checks()),
    ]
