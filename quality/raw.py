"""Great Expectations suites on the raw layer, one per raw table.

What each suite validates, and why not the whole table: raw tables grow with every
load (Segment holds millions of events at the medium scale), and the rules here are
about what a load brought in. So a suite validates the **latest load batch** of its
table (the rows with the newest ``_load_id``): in a refresh that is what this run
loaded, in ``journey check`` the last thing loaded. DuckDB pulls only the columns the
expectations need, already cast from the raw text; a batch above ``MAX_FRAME_ROWS``
rows is validated on a repeatable reservoir sample of that size (the metadata says
so), which keeps a full first load of a large table to a few hundred MiB of pandas.
The volume rule needs the history, so DuckDB aggregates it to one row per day first.

Severities (see ``quality.model``): a field the staging layer needs, a value that does
not parse, a value out of range or a currency no FX source knows would make a mart
number wrong, so those are blocking; timestamps in the future, unknown event types and
an unusual daily volume are warnings, since no definition counts them wrongly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import duckdb
import pandas as pd

from ingestion.registry import RAW_TABLES
from ingestion.rules import Between, NonNegative, NotAbove, Positive
from ingestion.tables import Field, Kind, RawTable
from quality.gx_validation import Expect, validate_frame, validate_frame_groups
from quality.iso4217 import ISO_4217_CODES
from quality.model import CheckContext, CheckResult, CheckSpec, Severity, Suite

MAX_FRAME_ROWS = 200_000
"""Rows of a load batch pulled into pandas at most; above it, a repeatable sample."""
SAMPLE_SEED = 42
FUTURE_TOLERANCE = timedelta(days=1)
"""How far past the wall clock a vendor timestamp may be (clock skew, time zones of
date-only fields) before it counts as "in the future"."""
VOLUME_MIN_RATIO = 0.1
"""A day with fewer than this share of its usual rows is unusually small."""
VOLUME_BASELINE_DAYS = 28
VOLUME_MIN_BASELINE = 100
"""Days whose usual volume is below this many rows are not judged (a CRM object with
a handful of records a day is tiny by nature)."""

REQUIRED_FIELDS_PRESENT = "required_fields_present"
VALUES_PARSE = "values_parse"
VALUES_IN_RANGE = "values_in_range"
CURRENCY_CODES_ARE_ISO_4217 = "currency_codes_are_iso_4217"
EVENT_TYPES_ARE_KNOWN = "event_types_are_known"
TIMESTAMPS_NOT_IN_FUTURE = "timestamps_not_in_future"
DAILY_VOLUME_AS_USUAL = "daily_volume_as_usual"


@dataclass(frozen=True)
class Parsed:
    """A raw text column and the typed value staging will cast it to."""

    column: str
    sql: str
    """The cast, as DuckDB SQL over the raw column (null when it does not parse)."""
    epoch: bool = False
    """A date or timestamp: the frame gets ``<name>__epoch_s`` seconds."""
    future_rule: bool = True
    """Whether "not in the future" applies (not to planned dates such as CloseDate)."""


def _int(column: str) -> Parsed:
    return Parsed(column, f'try_cast("{column}" as bigint)')


def _num(column: str) -> Parsed:
    return Parsed(column, f'try_cast("{column}" as double)')


def _date(column: str, *, future_rule: bool = True) -> Parsed:
    return Parsed(
        column, f'epoch(try_cast("{column}" as date))', epoch=True, future_rule=future_rule
    )


def _iso_ts(column: str) -> Parsed:
    return Parsed(column, f'epoch(try_cast("{column}" as timestamptz))', epoch=True)


def _unix_ts(column: str) -> Parsed:
    return Parsed(column, f'try_cast("{column}" as double)', epoch=True)


@dataclass(frozen=True)
class RawTableRules:
    """The rules for one raw table (:func:`rules_for`): its declaration, read as it is,
    plus what the suite derives from it (the typed casts, the record's day)."""

    declaration: RawTable
    parsed: tuple[Parsed, ...] = ()
    volume_day_sql: str | None = None
    """The record's own day, as DuckDB SQL, for the daily-volume rule."""

    @property
    def source(self) -> str:
        return self.declaration.source

    @property
    def object(self) -> str:
        return self.declaration.object

    @property
    def required(self) -> tuple[str, ...]:
        return self.declaration.required

    @property
    def currency_columns(self) -> tuple[str, ...]:
        return self.declaration.currency_columns

    @property
    def event_type(self) -> tuple[str, tuple[str, ...]] | None:
        event_types = self.declaration.event_types
        return (event_types.column, event_types.known) if event_types else None

    @property
    def either_present(self) -> tuple[str, str] | None:
        """At least one of two identifiers, e.g. Segment's anonymousId or userId."""
        return self.declaration.either_present

    @property
    def asset(self) -> tuple[str, ...]:
        return self.declaration.asset_key_path

    @property
    def table(self) -> str:
        return self.declaration.qualified_name

    # The range rules are the loader's (``RawTable.value_rules``, declared once in
    # loader module's ``TABLES``): a record breaking one is quarantined at load, and
    # ``values_in_range`` checks each load batch that none got through.

    def _rules(self, kind: type) -> list[Any]:
        return [r for r in self.declaration.value_rules if type(r) is kind]

    @property
    def non_negative(self) -> tuple[str, ...]:
        return tuple(r.column for r in self._rules(NonNegative))

    @property
    def not_above(self) -> tuple[tuple[str, str], ...]:
        """(smaller, larger) pairs: e.g. clicks never exceed impressions."""
        return tuple((r.smaller, r.larger) for r in self._rules(NotAbove))

    @property
    def between(self) -> Mapping[str, tuple[float, float]]:
        return {r.column: (r.low, r.high) for r in self._rules(Between)}

    @property
    def positive(self) -> tuple[str, ...]:
        return tuple(r.column for r in self._rules(Positive))


def _typed_name(parsed: Parsed) -> str:
    return f"{parsed.column}__epoch_s" if parsed.epoch else f"{parsed.column}__value"


def _specs(rules: RawTableRules) -> tuple[CheckSpec, ...]:
    label = f"{rules.source} {rules.object}"
    specs = [
        CheckSpec(
            REQUIRED_FIELDS_PRESENT,
            rules.asset,
            Severity.BLOCKING,
            f"Every {label} record has the fields staging needs ({', '.join(rules.required)}).",
        )
    ]
    if rules.parsed:
        specs.append(
            CheckSpec(
                VALUES_PARSE,
                rules.asset,
                Severity.BLOCKING,
                f"Every {label} number, date and timestamp parses "
                f"({', '.join(p.column for p in rules.parsed)}).",
            )
        )
    if rules.non_negative or rules.not_above or rules.between or rules.positive:
        words = [f"{c} >= 0" for c in rules.non_negative]
        words += [f"{a} <= {b}" for a, b in rules.not_above]
        words += [f"{c} between {lo:g} and {hi:g}" for c, (lo, hi) in rules.between.items()]
        words += [f"{c} > 0" for c in rules.positive]
        specs.append(
            CheckSpec(
                VALUES_IN_RANGE,
                rules.asset,
                Severity.BLOCKING,
                f"{label.capitalize()} values are possible: {'; '.join(words)}.",
            )
        )
    if rules.currency_columns:
        specs.append(
            CheckSpec(
                CURRENCY_CODES_ARE_ISO_4217,
                rules.asset,
                Severity.BLOCKING,
                f"Every {label} currency code is an ISO 4217 code, so it can be converted.",
            )
        )
    if rules.event_type:
        specs.append(
            CheckSpec(
                EVENT_TYPES_ARE_KNOWN,
                rules.asset,
                Severity.WARNING,
                f"Every {label} record has a known {rules.event_type[0]} "
                f"({', '.join(rules.event_type[1])}); others are counted nowhere.",
            )
        )
    if any(p.epoch and p.future_rule for p in rules.parsed):
        specs.append(
            CheckSpec(
                TIMESTAMPS_NOT_IN_FUTURE,
                rules.asset,
                Severity.WARNING,
                f"No {label} date or timestamp is more than "
                f"{FUTURE_TOLERANCE.days} day in the future.",
            )
        )
    if rules.volume_day_sql:
        specs.append(
            CheckSpec(
                DAILY_VOLUME_AS_USUAL,
                rules.asset,
                Severity.WARNING,
                f"No day of {label} in the latest load has less than "
                f"{VOLUME_MIN_RATIO:.0%} of its usual rows (median of the "
                f"{VOLUME_BASELINE_DAYS} days before).",
            )
        )
    return tuple(specs)


def _expectations(rules: RawTableRules, context: CheckContext) -> dict[str, list[Expect]]:
    by_check: dict[str, list[Expect]] = {REQUIRED_FIELDS_PRESENT: []}
    for column in rules.required:
        by_check[REQUIRED_FIELDS_PRESENT].append(
            Expect(f"{column} is present", "ExpectColumnValuesToNotBeNull", {"column": column})
        )
    if rules.either_present:
        first, second = rules.either_present
        by_check[REQUIRED_FIELDS_PRESENT].append(
            Expect(
                f"{first} or {second} is present",
                "ExpectColumnValuesToNotBeNull",
                {"column": first},
                only_where_absent=second,
            )
        )
    if rules.parsed:
        by_check[VALUES_PARSE] = [
            Expect(
                f"{p.column} parses",
                "ExpectColumnValuesToNotBeNull",
                {"column": _typed_name(p)},
                only_where_present=p.column,
            )
            for p in rules.parsed
        ]
    in_range: list[Expect] = []
    for column in rules.non_negative:
        in_range.append(
            Expect(
                f"{column} >= 0",
                "ExpectColumnValuesToBeBetween",
                {"column": f"{column}__value", "min_value": 0},
            )
        )
    for smaller, larger in rules.not_above:
        in_range.append(
            Expect(
                f"{smaller} <= {larger}",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": f"{larger}__value",
                    "column_B": f"{smaller}__value",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
            )
        )
    for column, (low, high) in rules.between.items():
        in_range.append(
            Expect(
                f"{column} between {low:g} and {high:g}",
                "ExpectColumnValuesToBeBetween",
                {"column": f"{column}__value", "min_value": low, "max_value": high},
            )
        )
    for column in rules.positive:
        in_range.append(
            Expect(
                f"{column} > 0",
                "ExpectColumnValuesToBeBetween",
                {"column": f"{column}__value", "min_value": 0, "strict_min": True},
            )
        )
    if in_range:
        by_check[VALUES_IN_RANGE] = in_range
    if rules.currency_columns:
        by_check[CURRENCY_CODES_ARE_ISO_4217] = [
            Expect(
                f"{column} is an ISO 4217 code",
                "ExpectColumnValuesToBeInSet",
                {"column": column, "value_set": sorted(ISO_4217_CODES)},
            )
            for column in rules.currency_columns
        ]
    if rules.event_type:
        column, known = rules.event_type
        by_check[EVENT_TYPES_ARE_KNOWN] = [
            Expect(
                f"{column} is one of {', '.join(known)}",
                "ExpectColumnValuesToBeInSet",
                {"column": column, "value_set": list(known)},
            )
        ]
    latest_allowed = (context.now + FUTURE_TOLERANCE).timestamp()
    future = [
        Expect(
            f"{p.column} is not after {(context.now + FUTURE_TOLERANCE):%Y-%m-%d %H:%M} UTC",
            "ExpectColumnValuesToBeBetween",
            {"column": _typed_name(p), "max_value": latest_allowed},
        )
        for p in rules.parsed
        if p.epoch and p.future_rule
    ]
    if future:
        by_check[TIMESTAMPS_NOT_IN_FUTURE] = future
    return by_check


def _value_columns(rules: RawTableRules) -> list[str]:
    """The typed columns the range rules compare."""
    named = {*rules.non_negative, *rules.between, *rules.positive}
    for pair in rules.not_above:
        named.update(pair)
    return sorted(named)


def _frame_sql(rules: RawTableRules) -> str:
    parsed = {p.column: p for p in rules.parsed}
    columns: list[str] = []
    text_columns = dict.fromkeys(
        [
            *rules.required,
            *(rules.either_present or ()),
            *parsed,
            *rules.currency_columns,
            *((rules.event_type[0],) if rules.event_type else ()),
        ]
    )
    columns += [f'"{c}"' for c in text_columns]
    # The record key, for failing examples (``key_<field>``).
    columns += [f'"{c}" as "key_{c}"' for c in rules.declaration.key]
    for p in rules.parsed:
        columns.append(f'{p.sql} as "{_typed_name(p)}"')
    for column in _value_columns(rules):
        if column not in parsed:
            raise ValueError(f"{rules.table}: range rule on {column}, which is not parsed")
        if parsed[column].epoch:
            raise ValueError(f"{rules.table}: range rule on date column {column}")
    columns += ["_source_file", "_source_position"]
    return ", ".join(columns)


def _latest_batch(conn: duckdb.DuckDBPyConnection, table: str) -> tuple[str | None, int]:
    row = conn.execute(
        f"""
        select _load_id, count(*) from {table}
        where _load_id = (select _load_id from {table} order by _loaded_at desc limit 1)
        group by 1
        """
    ).fetchone()
    return (row[0], int(row[1])) if row else (None, 0)


def _pull(
    conn: duckdb.DuckDBPyConnection, rules: RawTableRules, load_id: str, batch_rows: int
) -> tuple[pd.DataFrame, bool]:
    select = f"select {_frame_sql(rules)} from {rules.table} where _load_id = ?"
    if batch_rows > MAX_FRAME_ROWS:
        query = (
            f"select * from ({select}) "
            f"using sample reservoir({MAX_FRAME_ROWS} rows) repeatable ({SAMPLE_SEED})"
        )
        return conn.execute(query, [load_id]).df(), True
    return conn.execute(select, [load_id]).df(), False


def _daily_volume(
    conn: duckdb.DuckDBPyConnection, rules: RawTableRules, load_id: str
) -> pd.DataFrame:
    """Rows per day for the days of the latest batch, against the median of the days
    before. The batch's last day is left out: a file drop cuts it off part-way. Only
    the days the answer reads are counted (the batch's and the baseline's before them),
    not every day of the table's history."""
    day = rules.volume_day_sql
    return conn.execute(
        f"""
        with batch as (
            select min({day}) as first_day, max({day}) as last_day
            from {rules.table}
            where _load_id = ?
        ),
        daily as (
            select {day} as day, count(*) as rows
            from {rules.table}, batch
            where
                {day} >= batch.first_day - {VOLUME_BASELINE_DAYS}
                and {day} < batch.last_day
            group by 1
        ),
        days as (
            select cast(unnest(generate_series(first_day, last_day - 1, interval 1 day)) as date)
                as day
            from batch
            where last_day > first_day
        )
        select
            days.day,
            coalesce(daily.rows, 0) as rows,
            (
                select median(before.rows) from daily as before
                where before.day >= days.day - {VOLUME_BASELINE_DAYS}
                    and before.day < days.day
            ) as usual_rows
        from days
        left join daily on daily.day = days.day
        order by days.day
        """,
        [load_id],
    ).df()


def _evaluate(rules: RawTableRules, specs: Sequence[CheckSpec]) -> Callable:
    def evaluate(conn: duckdb.DuckDBPyConnection, context: CheckContext) -> dict[str, CheckResult]:
        load_id, batch_rows = _latest_batch(conn, rules.table)
        if load_id is None:
            return {
                spec.name: CheckResult(
                    passed=True, rows_checked=0, summary=f"{rules.table} is empty: nothing to check"
                )
                for spec in specs
            }
        frame, sampled = _pull(conn, rules, load_id, batch_rows)
        scope = (
            f"a sample of {len(frame):,} of the {batch_rows:,} rows of load {load_id}"
            if sampled
            else f"the {batch_rows:,} rows of load {load_id}"
        )
        batch_metadata = {"load_id": load_id, "batch_rows": batch_rows, "sampled": sampled}
        outcomes = validate_frame_groups(frame, rules.table, _expectations(rules, context))
        results = {
            name: _result(outcome, len(frame), scope, batch_metadata)
            for name, outcome in outcomes.items()
        }
        if rules.volume_day_sql:
            daily = _daily_volume(conn, rules, load_id)
            daily["share_of_usual"] = daily["rows"] / daily["usual_rows"]
            judged = daily[daily["usual_rows"] >= VOLUME_MIN_BASELINE].reset_index(drop=True)
            outcome = validate_frame(
                judged,
                f"{rules.table}.{DAILY_VOLUME_AS_USUAL}",
                [
                    Expect(
                        f"each day has at least {VOLUME_MIN_RATIO:.0%} of its usual rows",
                        "ExpectColumnValuesToBeBetween",
                        {"column": "share_of_usual", "min_value": VOLUME_MIN_RATIO},
                    )
                ],
            )
            results[DAILY_VOLUME_AS_USUAL] = _result(
                outcome,
                len(judged),
                f"{len(judged)} day(s) of load {load_id} with a usual volume of "
                f">= {VOLUME_MIN_BASELINE} rows",
                batch_metadata,
                unit="day",
            )
        return results

    return evaluate


def _result(outcome, checked: int, scope: str, metadata: Mapping, unit: str = "row") -> CheckResult:
    if outcome.success:
        summary = f"{outcome.evaluated} expectation(s) hold on {scope}"
    else:
        broken = "; ".join(f.describe() for f in outcome.failures)
        summary = (
            f"{len(outcome.failures)} of {outcome.evaluated} expectation(s) broken on "
            f"{scope}: {broken}"
        )
    return CheckResult(
        passed=outcome.success,
        rows_checked=checked,
        summary=summary.replace(" row(s) ", f" {unit}(s) ") if unit != "row" else summary,
        failures=outcome.failures,
        expectations_evaluated=outcome.evaluated,
        metadata=dict(metadata),
    )


def suite_for(rules: RawTableRules) -> Suite:
    specs = _specs(rules)
    return Suite(
        name=f"raw.{rules.source}__{rules.object}",
        asset=rules.asset,
        specs=specs,
        evaluate=_evaluate(rules, specs),
    )


def _parsed(table: RawTable, field: Field) -> Parsed | None:
    if field.kind is Kind.INTEGER:
        return _int(field.column)
    if field.kind is Kind.DECIMAL:
        return _num(field.column)
    if field.kind is Kind.DATE:
        return _date(field.column, future_rule=field.column not in table.planned_dates)
    if field.kind is Kind.TIMESTAMP:
        return _iso_ts(field.column)
    if field.kind is Kind.UNIX_SECONDS:
        return _unix_ts(field.column)
    return None


_DAY_SQL = {
    Kind.DATE: "try_cast({c} as date)",
    Kind.TIMESTAMP: "cast(try_cast({c} as timestamptz) at time zone 'UTC' as date)",
    Kind.UNIX_SECONDS: "cast(to_timestamp(try_cast({c} as double)) at time zone 'UTC' as date)",
}


def rules_for(table: RawTable) -> RawTableRules:
    """The raw suite's rules, all read from the table's declaration."""
    parsed = tuple(p for f in table.fields if (p := _parsed(table, f)) is not None)
    day = None
    if table.record_day is not None:
        day = _DAY_SQL[table.field(table.record_day).kind].format(c=f'"{table.record_day}"')
    return RawTableRules(table, parsed=parsed, volume_day_sql=day)


RAW_RULES: tuple[RawTableRules, ...] = tuple(rules_for(table) for table in RAW_TABLES)


def raw_suites() -> list[Suite]:
    return [suite_for(rules) for rules in RAW_RULES]
