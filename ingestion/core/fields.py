"""Field kinds and validation: what a raw text value must parse as (:class:`Kind`), the
one SQL definition of "parses" (:func:`check_sql`) and its Python twin
(:func:`parses_as`), raw column declarations (:class:`Field`, :class:`Check`), and the
quarantine reasons a staged record gets (:func:`reason_sql` and the reason texts)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ingestion.rules import ValueRule
from ingestion.tables import Field, Kind

REASON_VALUE_CHARS = 80
"""A value quoted in a quarantine reason is cut to this many characters."""


_INTEGER_RE = r"[+-]?[0-9]+"
_DECIMAL_RE = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIMESTAMP_RE = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)
_UNIX_SECONDS_RE = r"[0-9]+"

_KIND_WORDS: dict[Kind, str] = {
    Kind.INTEGER: "an integer",
    Kind.DECIMAL: "a number",
    Kind.DATE: "a date (YYYY-MM-DD)",
    Kind.TIMESTAMP: "an ISO-8601 timestamp",
    Kind.UNIX_SECONDS: "unix seconds",
    Kind.BOOLEAN: "a boolean (true/false)",
}


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_sql(kind: Kind, expr: str) -> str | None:
    """SQL that is true when the non-null text ``expr`` parses as ``kind``."""
    if kind is Kind.INTEGER:
        return (
            f"(regexp_full_match({expr}, '{_INTEGER_RE}') "
            f"and try_cast({expr} as bigint) is not null)"
        )
    if kind is Kind.DECIMAL:
        return (
            f"(regexp_full_match({expr}, '{_DECIMAL_RE}') and isfinite(try_cast({expr} as double)))"
        )
    if kind is Kind.DATE:
        return f"(regexp_full_match({expr}, '{_DATE_RE}') and try_cast({expr} as date) is not null)"
    if kind is Kind.TIMESTAMP:
        return (
            f"(regexp_full_match({expr}, '{_TIMESTAMP_RE}') "
            f"and try_cast({expr} as timestamptz) is not null)"
        )
    if kind is Kind.UNIX_SECONDS:
        return (
            f"(regexp_full_match({expr}, '{_UNIX_SECONDS_RE}') "
            f"and try_cast({expr} as bigint) is not null)"
        )
    if kind is Kind.BOOLEAN:
        return f"(lower({expr}) in ('true', 'false'))"
    return None


_PY_RE = {
    Kind.INTEGER: re.compile(_INTEGER_RE),
    Kind.DECIMAL: re.compile(_DECIMAL_RE),
    Kind.DATE: re.compile(_DATE_RE),
    Kind.UNIX_SECONDS: re.compile(_UNIX_SECONDS_RE),
}
_INT64 = 2**63


def parses_as(kind: Kind, text: str) -> bool:
    """Python twin of :func:`check_sql` for the kinds checked outside SQL."""
    if kind in (Kind.TEXT, Kind.JSON):
        return True
    if kind is Kind.BOOLEAN:
        return text.lower() in ("true", "false")
    if kind is Kind.TIMESTAMP:
        raise NotImplementedError("timestamps are checked in SQL")
    if not _PY_RE[kind].fullmatch(text):
        return False
    if kind in (Kind.INTEGER, Kind.UNIX_SECONDS):
        return -_INT64 <= int(text) < _INT64
    if kind is Kind.DECIMAL:
        return float(text) not in (float("inf"), float("-inf"))
    try:  # Kind.DATE
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def does_not_parse(label: str, kind: Kind, value: str) -> str:
    """The quarantine reason for a value that does not parse."""
    return f"{label} {_quote_value(value)} does not parse as {_KIND_WORDS[kind]}"


def missing_field(label: str) -> str:
    return f"missing required field {label}"


def _quote_value(value: str) -> str:
    if len(value) > REASON_VALUE_CHARS:
        value = value[:REASON_VALUE_CHARS] + "..."
    return f"'{value}'"


@dataclass(frozen=True)
class Check:
    """An extra record rule: ``reason`` when the SQL condition ``failing`` is true."""

    failing: str
    reason: str


def reason_sql(
    fields: Sequence[Field],
    checks: Sequence[Check] = (),
    value_rules: Sequence[ValueRule] = (),
    load_day: date | None = None,
) -> str:
    """A SQL CASE giving the first rule a staged row breaks, or null: a missing
    required field, a loader's own ``checks``, a value that does not parse, then a
    value that parses but cannot be true (``value_rules``, ``ingestion/rules.py``,
    judged as of ``load_day``, the load's UTC day)."""
    whens: list[str] = []
    for f in fields:
        col = f'"{f.column}"'
        if f.required:
            whens.append(
                f"when {col} is null or trim({col}) = '' then {_sql_str(missing_field(f.label))}"
            )
    whens.extend(f"when {c.failing} then {_sql_str(c.reason)}" for c in checks)
    for f in fields:
        col = f'"{f.column}"'
        check = check_sql(f.kind, col)
        if check is None:
            continue
        value = (
            f"case when length({col}) > {REASON_VALUE_CHARS} "
            f"then left({col}, {REASON_VALUE_CHARS}) || '...' else {col} end"
        )
        whens.append(
            f"when {col} is not null and not {check} then "
            f"{_sql_str(f.label + ' ')} || '''' || {value} || '''' || "
            f"{_sql_str(' does not parse as ' + _KIND_WORDS[f.kind])}"
        )
    labels = {f.column: f.label for f in fields}
    day = load_day or datetime.now(UTC).date()
    whens.extend(f"when {r.failing_sql(day)} then {r.reason_sql(labels, day)}" for r in value_rules)
    if not whens:
        return "null"
    return "case " + " ".join(whens) + " end"
