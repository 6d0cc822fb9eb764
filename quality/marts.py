"""Great Expectations suites on the marts BI tools read, one suite per mart.

These guard the *definitions* (``docs/definitions.md`` §4-§6), not the vendors'
data: a rate outside [0, 1], a rate that is not its counts' ratio, a negative spend, a
channel no seed defines or credits outside [0, 1] mean a definition broke and a number
on a dashboard is wrong, so they are blocking. A rate over a whole mart outside its
plausible band, or too much revenue nobody can attribute, is a warning: each row can
be right and the total still look wrong; an analyst should look before a BI user does.

What is pulled, and why: marts are aggregates (a few thousand rows per year of data at
the medium scale), so a row-level rule pulls the few columns it reads of the whole
mart, plus the mart's grain as ``key_`` columns so a failing example says which row it
is. Everything else DuckDB aggregates first and Great Expectations validates the
aggregate: channels are pulled as one row per distinct channel (``fct_customer_journey``
has a row per activity and is the one large table here), and the overall rates and the
Unattributed share are one row per mart or per attribution model. Where a rule reads
an aggregate, its ``unexpected_count`` counts those aggregate rows (channels, models),
not mart rows; the summary says which.

The Unattributed share is measured per attribution model and only over deals whose
conversion time (the Opportunity's CreatedDate, where the attribution window ends, §4)
falls on or after the date of the first web session in the warehouse (the first
``web_session`` activity of ``fct_customer_journey``): the CRM holds deals from long
before web tracking started (in the demo deals since 2024-09, sessions since 2026-01),
and those are Unattributed by construction, not because a definition broke.

A mart or seed that does not exist yet (the dbt build has not made it) gives a failing
result saying so for each of its checks; so does a column the checks read that is
missing, since that is a broken contract (§6).
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
SEED_SCHEMA = "seeds"
CHANNEL_SEED = "channel_rules"
"""The seed whose ``channel`` column lists every channel a session can get (§2)."""
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
RATE_TOLERANCE = 1e-9
"""How far a stored rate may be from its counts' ratio (float rounding only)."""

CTR_BETWEEN_0_AND_1 = "ctr_between_0_and_1"
OVERALL_CTR_WITHIN_PLAUSIBLE_BAND = "overall_ctr_within_plausible_band"
SPEND_NOT_NEGATIVE = "spend_not_negative"
CHANNELS_IN_SEED_LIST = "channels_in_seed_list"
OPEN_AND_CLICK_RATES_BETWEEN_0_AND_1 = "open_and_click_rates_between_0_and_1"
OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND = "overall_open_rate_within_plausible_band"
CONVERSION_RATE_BETWEEN_0_AND_1 = "conversion_rate_between_0_and_1"
CREDIT_BETWEEN_0_AND_1 = "credit_between_0_and_1"
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
    """What a frame row is (``row``, ``channel``, ``model``), for the summary."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    judged: bool = True
    """False when there is nothing to judge yet (no impressions, no web sessions)."""


class _Reader:
    """The suite's reads of the warehouse; a pull used by several checks of one
    suite runs once."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self._frames: dict[str, pd.DataFrame] = {}

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
        key = f"{sql}\x00{list(params)!r}"
        if key not in self._frames:
            try:
                self._frames[key] = self.conn.execute(sql, list(params)).df()
            except duckdb.CatalogException as exc:
                # Typically a contract column missing from a rebuilt mart.
                raise _Unavailable(f"the check cannot read what it needs: {exc}") from exc
            except duckdb.BinderException as exc:
                raise _Unavailable(f"the check cannot read what it needs: {exc}") from exc
        return self._frames[key]


@dataclass(frozen=True)
class _Check:
    spec: CheckSpec
    batch: Callable[[_Reader], _Batch]


def _table(name: str) -> str:
    return f"{MART_SCHEMA}.{name}"


# -- shared rules ----------------------------------------------------------------------


def _known_channels(reader: _Reader) -> list[str]:
    """The channels the seed defines, read at run time: a seed edit needs no code."""
    reader.require(SEED_SCHEMA, CHANNEL_SEED)
    seed = reader.df(
        f"select distinct channel from {SEED_SCHEMA}.{CHANNEL_SEED} where channel is not null"
    )
    return sorted({*seed["channel"].astype(str), UNATTRIBUTED})


def _channels_check(mart: str, *, channel_required: bool, column: str = "channel") -> _Check:
    """No channel outside the seed's list (§2, §4). DuckDB groups the mart by channel,
    so Great Expectations sees one row per distinct channel, whatever the mart's size."""
    asset = (MART_SCHEMA, mart)
    if channel_required:
        rule = (
            f"Every row of {mart} has a channel, and it is one of the channels in "
            f"{SEED_SCHEMA}.{CHANNEL_SEED} or '{UNATTRIBUTED}'."
        )
    else:
        rule = (
            f"Every {column} in {mart} is one of the channels in {SEED_SCHEMA}."
            f"{CHANNEL_SEED} or '{UNATTRIBUTED}' (rows without one, such as CRM stage "
            "changes or persons never seen on the web, have none)."
        )

    def batch(reader: _Reader) -> _Batch:
        reader.require(MART_SCHEMA, mart)
        known = _known_channels(reader)
        frame = reader.df(
            f'select "{column}" as channel, count(*) as mart_rows from {_table(mart)} '
            "group by 1 order by 1 nulls first"
        )
        expectations = [
            Expect(
                f"channel is one of the {len(known)} known channels ({', '.join(known)})",
                "ExpectColumnValuesToBeInSet",
                {"column": "channel", "value_set": known},
            )
        ]
        if channel_required:
            expectations.insert(
                0,
                Expect(
                    "channel is present", "ExpectColumnValuesToNotBeNull", {"column": "channel"}
                ),
            )
        unknown = frame[~frame["channel"].isin(known)]
        if not channel_required:
            unknown = unknown[unknown["channel"].notna()]
        return _Batch(
            frame=frame,
            expectations=expectations,
            scope=(
                f"the {len(frame)} distinct channel(s) of the "
                f"{int(frame['mart_rows'].sum()):,} rows of {_table(mart)}"
            ),
            unit="channel",
            metadata={
                "known_channels": known,
                "mart_rows_by_unexpected_channel": {
                    str(c) if pd.notna(c) else "(none)": int(n)
                    for c, n in zip(unknown["channel"], unknown["mart_rows"], strict=True)
                },
            },
        )

    return _Check(CheckSpec(CHANNELS_IN_SEED_LIST, asset, Severity.BLOCKING, rule), batch)


def _rate_expectations(rate: str, numerator: str, denominator: str) -> list[Expect]:
    """A row-level rate lies in [0, 1] and is its counts' ratio, null (never 0) when
    the denominator is 0 (§5). The frame carries ``<rate>_from_counts``."""
    return [
        Expect(
            f"{rate} is between 0 and 1",
            "ExpectColumnValuesToBeBetween",
            {"column": rate, "min_value": 0, "max_value": 1},
        ),
        Expect(
            f"{rate} = {numerator} / {denominator} (null when {denominator} is 0)",
            "ExpectColumnPairValuesToBeEqual",
            {
                "column_A": rate,
                "column_B": f"{rate}_from_counts",
                "ignore_row_if": "both_values_are_missing",
            },
        ),
    ]


def _rate_from_counts_sql(rate: str, numerator: str, denominator: str) -> str:
    """The ratio the rate should be. Within ``RATE_TOLERANCE`` of the stored rate it
    *is* the stored rate, so Great Expectations' exact pair equality means "equal up to
    float rounding", and a failing example shows the ratio it should have been."""
    ratio = f"cast({numerator} as double) / nullif(cast({denominator} as double), 0)"
    return (
        f"case when abs({rate} - {ratio}) <= {RATE_TOLERANCE} then {rate} else {ratio} end "
        f"as {rate}_from_counts"
    )


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


def _spend_check(mart: str, keys: Mapping[str, str]) -> _Check:
    asset = (MART_SCHEMA, mart)

    def batch(reader: _Reader) -> _Batch:
        reader.require(MART_SCHEMA, mart)
        frame = reader.df(f"select {_key_sql(keys)}, spend from {_table(mart)}")
        return _Batch(
            frame=frame,
            expectations=[
                Expect(
                    "spend >= 0",
                    "ExpectColumnValuesToBeBetween",
                    {"column": "spend", "min_value": 0},
                )
            ],
            scope=f"the {len(frame):,} rows of {_table(mart)}",
        )

    return _Check(
        CheckSpec(
            SPEND_NOT_NEGATIVE,
            asset,
            Severity.BLOCKING,
            f"No row of {mart} has a negative ad spend.",
        ),
        batch,
    )


def _key_sql(keys: Mapping[str, str]) -> str:
    """The mart's grain as text ``key_`` columns, shown with every failing example."""
    return ", ".join(f"cast({sql} as varchar) as key_{name}" for name, sql in keys.items())


# -- one suite per mart ----------------------------------------------------------------

_MARKETING_DAILY = "mart_marketing_daily"
_MARKETING_DAILY_KEYS = {"date": "date", "channel": "channel", "campaign_id": "campaign_id"}


def _marketing_daily_checks() -> list[_Check]:
    mart = _MARKETING_DAILY
    asset = (MART_SCHEMA, mart)

    def ctr(reader: _Reader) -> _Batch:
        reader.require(MART_SCHEMA, mart)
        frame = reader.df(
            f"select {_key_sql(_MARKETING_DAILY_KEYS)}, ctr, "
            f"{_rate_from_counts_sql('ctr', 'clicks', 'impressions')} from {_table(mart)}"
        )
        return _Batch(
            frame=frame,
            expectations=_rate_expectations("ctr", "clicks", "impressions"),
            scope=f"the {len(frame):,} rows of {_table(mart)}",
        )

    def overall_ctr(reader: _Reader) -> _Batch:
        return _overall_rate_batch(
            reader, mart, "overall_ctr", "clicks", "impressions", OVERALL_CTR_BAND, "ad CTR"
        )

    low, high = OVERALL_CTR_BAND
    return [
        _Check(
            CheckSpec(
                CTR_BETWEEN_0_AND_1,
                asset,
                Severity.BLOCKING,
                "Every row's CTR is its clicks / impressions: between 0 and 1, and empty "
                "where there were no impressions.",
            ),
            ctr,
        ),
        _Check(
            CheckSpec(
                OVERALL_CTR_WITHIN_PLAUSIBLE_BAND,
                asset,
                Severity.WARNING,
                f"Ad CTR over the whole mart (all clicks / all impressions) is between "
                f"{_band_pct(low)} and {_band_pct(high)}.",
            ),
            overall_ctr,
        ),
        _spend_check(mart, _MARKETING_DAILY_KEYS),
        _channels_check(mart, channel_required=True),
    ]


_EMAIL_CAMPAIGNS = "mart_email_campaigns"
_EMAIL_RATES = (
    ("open_rate", "unique_opens", "delivered"),
    ("click_rate", "unique_clicks", "delivered"),
    ("click_to_open", "unique_clicks", "unique_opens"),
)


def _email_campaigns_checks() -> list[_Check]:
    mart = _EMAIL_CAMPAIGNS
    asset = (MART_SCHEMA, mart)

    def rates(reader: _Reader) -> _Batch:
        reader.require(MART_SCHEMA, mart)
        columns = [_key_sql({"campaign_id": "campaign_id", "campaign_name": "campaign_name"})]
        expectations: list[Expect] = []
        for rate, numerator, denominator in _EMAIL_RATES:
            columns += [rate, _rate_from_counts_sql(rate, numerator, denominator)]
            expectations += _rate_expectations(rate, numerator, denominator)
        frame = reader.df(f"select {', '.join(columns)} from {_table(mart)}")
        return _Batch(
            frame=frame,
            expectations=expectations,
            scope=f"the {len(frame):,} campaign(s) of {_table(mart)}",
        )

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
                OPEN_AND_CLICK_RATES_BETWEEN_0_AND_1,
                asset,
                Severity.BLOCKING,
                "Every campaign's open rate (unique opens / delivered), click rate (unique "
                "clicks / delivered) and click-to-open (unique clicks / unique opens) is "
                "that ratio of its counts, between 0 and 1, and empty where the "
                "denominator is 0.",
            ),
            rates,
        ),
        _Check(
            CheckSpec(
                OVERALL_OPEN_RATE_WITHIN_PLAUSIBLE_BAND,
                asset,
                Severity.WARNING,
                f"Email open rate over all campaigns (all unique opens / all delivered) is "
                f"between {_band_pct(low)} and {_band_pct(high)}.",
            ),
            overall_open_rate,
        ),
    ]


_FUNNEL = "mart_funnel"


def _funnel_checks() -> list[_Check]:
    mart = _FUNNEL

    def conversion_rate(reader: _Reader) -> _Batch:
        reader.require(MART_SCHEMA, mart)
        rate = "conversion_rate_from_previous"
        frame = reader.df(
            f"select {_key_sql({'cohort_month': 'cohort_month', 'stage': 'stage'})}, "
            f"persons, previous_stage_persons, {rate}, "
            f"{_rate_from_counts_sql(rate, 'persons', 'previous_stage_persons')} "
            f"from {_table(mart)}"
        )
        return _Batch(
            frame=frame,
            expectations=_rate_expectations(rate, "persons", "previous_stage_persons"),
            scope=f"the {len(frame):,} cohort x stage rows of {_table(mart)}",
        )

    return [
        _Check(
            CheckSpec(
                CONVERSION_RATE_BETWEEN_0_AND_1,
                (MART_SCHEMA, mart),
                Severity.BLOCKING,
                "Every cohort's conversion rate from the previous stage is persons who "
                "reached the stage / persons who reached the previous one, between 0 and 1.",
            ),
            conversion_rate,
        )
    ]


_CHANNEL_ROI = "mart_channel_roi"


def _channel_roi_checks() -> list[_Check]:
    return [
        _spend_check(_CHANNEL_ROI, {"month": "month", "channel": "channel", "model": "model"}),
        _channels_check(_CHANNEL_ROI, channel_required=True),
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

    def credit(reader: _Reader) -> _Batch:
        reader.require(MART_SCHEMA, mart)
        # Narrow on purpose: one float and the row's key per credit row.
        keys = {"model": "model", "conversion_id": "conversion_id", "session_id": "session_id"}
        frame = reader.df(f"select {_key_sql(keys)}, credit from {_table(mart)}")
        return _Batch(
            frame=frame,
            expectations=[
                Expect(
                    "credit is between 0 and 1",
                    "ExpectColumnValuesToBeBetween",
                    {"column": "credit", "min_value": 0, "max_value": 1},
                ),
                Expect("credit is present", "ExpectColumnValuesToNotBeNull", {"column": "credit"}),
            ],
            scope=f"the {len(frame):,} credit rows of {_table(mart)}",
        )

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
        _channels_check(mart, channel_required=True),
        _Check(
            CheckSpec(
                CREDIT_BETWEEN_0_AND_1,
                asset,
                Severity.BLOCKING,
                "Every touchpoint's attribution credit is between 0 and 1.",
            ),
            credit,
        ),
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


def _journey_checks() -> list[_Check]:
    return [_channels_check(_JOURNEY, channel_required=False)]


_PERSONS = "dim_persons"


def _persons_checks() -> list[_Check]:
    return [_channels_check(_PERSONS, channel_required=False, column="first_touch_channel")]


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
    """One suite per mart BI tools read (``definitions.md`` §6) that a definition
    could silently break (``mart_sales_monthly`` is guarded by dbt tests and the
    reconciliation ``won_revenue_reconciles``)."""
    return [
        _suite(_MARKETING_DAILY, _marketing_daily_checks()),
        _suite(_EMAIL_CAMPAIGNS, _email_campaigns_checks()),
        _suite(_FUNNEL, _funnel_checks()),
        _suite(_CHANNEL_ROI, _channel_roi_checks()),
        _suite(_ATTRIBUTION, _attribution_checks()),
        _suite(_JOURNEY, _journey_checks()),
        _suite(_PERSONS, _persons_checks()),
    ]
