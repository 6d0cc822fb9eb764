"""Record-level value rules: what cannot be true of one record, whatever else holds.

A value that parses can still be impossible: a negative spend, more clicks than
impressions, an exchange rate of zero, a date before the vendor existed. Such a record
is broken like one that does not parse: the loader quarantines it with a reason that
names the rule and the values (``raw._quarantine``), the rest of its file loads, and
the ledger adds up. Only rules a single record shows live here; what only a table
shows (volume, coverage, reconciliations, uniqueness across history) stays a
table-level check (``quality/``).

The rules are declared once per raw table (``RawTable.value_rules`` in
the loader module's ``TABLES``). The loader evaluates them in SQL after the parse rules
(:func:`ingestion.core.fields.reason_sql`), so every value a rule reads parses; the raw
Great Expectations suites read the same declarations to check, on every load batch,
that nothing impossible got through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

FAR_FUTURE_DAYS = 366
"""A date or timestamp more than this many days after its load is impossible: no
vendor reports activity a year ahead. (A nearer future is a warning of the raw
suites, ``timestamps_not_in_future``: clock skew, time zones.)"""

_REASON_VALUE_CHARS = 40


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _col(column: str) -> str:
    return f'"{column}"'


def _quoted_value(column: str) -> str:
    """SQL text of a raw value as a reason shows it: quoted, cut when long."""
    col = _col(column)
    return (
        f"'''' || case when length({col}) > {_REASON_VALUE_CHARS} "
        f"then left({col}, {_REASON_VALUE_CHARS}) || '...' else {col} end || ''''"
    )


def _latest(load_day: date) -> str:
    return f"date '{(load_day + timedelta(days=FAR_FUTURE_DAYS)).isoformat()}'"


def _float(text: str) -> float:
    return float(text)


def _quoted(text: str) -> str:
    if len(text) > _REASON_VALUE_CHARS:
        text = text[:_REASON_VALUE_CHARS] + "..."
    return f"'{text}'"


def _number(column: str) -> str:
    return f"try_cast({_col(column)} as double)"


@dataclass(frozen=True)
class NonNegative:
    """A count or an amount is never below zero."""

    column: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def failing_sql(self, load_day: date) -> str:
        return f"{_number(self.column)} < 0"

    def reason_sql(self, labels: dict[str, str], load_day: date) -> str:
        return (
            f"{_sql_str(labels[self.column] + ' ')} || {_quoted_value(self.column)} "
            "|| ' is negative'"
        )

    def python_reason(self, values: dict[str, str], labels: dict[str, str], load_day: date):
        if _float(values[self.column]) < 0:
            return f"{labels[self.column]} {_quoted(values[self.column])} is negative"
        return None

    def describe(self) -> str:
        return f"{self.column} >= 0"


@dataclass(frozen=True)
class NotAbove:
    """A count never exceeds the count that contains it (clicks <= impressions)."""

    smaller: str
    larger: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.smaller, self.larger)

    def failing_sql(self, load_day: date) -> str:
        return f"{_number(self.smaller)} > {_number(self.larger)}"

    def reason_sql(self, labels: dict[str, str], load_day: date) -> str:
        return (
            f"{_sql_str(labels[self.smaller] + ' ')} || {_quoted_value(self.smaller)} || "
            f"{_sql_str(' is more than ' + labels[self.larger] + ' ')} || "
            f"{_quoted_value(self.larger)} || ' that contains it'"
        )

    def python_reason(self, values: dict[str, str], labels: dict[str, str], load_day: date):
        small, large = values[self.smaller], values[self.larger]
        if _float(small) > _float(large):
            return (
                f"{labels[self.smaller]} {_quoted(small)} is more than "
                f"{labels[self.larger]} {_quoted(large)} that contains it"
            )
        return None

    def describe(self) -> str:
        return f"{self.smaller} <= {self.larger}"


@dataclass(frozen=True)
class Between:
    """A value inside a closed range (a probability in percent: 0 to 100)."""

    column: str
    low: float
    high: float

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def failing_sql(self, load_day: date) -> str:
        value = _number(self.column)
        return f"({value} < {self.low!r} or {value} > {self.high!r})"

    def reason_sql(self, labels: dict[str, str], load_day: date) -> str:
        return (
            f"{_sql_str(labels[self.column] + ' ')} || {_quoted_value(self.column)} || "
            f"{_sql_str(f' is outside {self.low:g} to {self.high:g}')}"
        )

    def python_reason(self, values: dict[str, str], labels: dict[str, str], load_day: date):
        value = _float(values[self.column])
        if value < self.low or value > self.high:
            return (
                f"{labels[self.column]} {_quoted(values[self.column])} "
                f"is outside {self.low:g} to {self.high:g}"
            )
        return None

    def describe(self) -> str:
        return f"{self.column} between {self.low:g} and {self.high:g}"


@dataclass(frozen=True)
class Positive:
    """A value above zero (an exchange rate)."""

    column: str

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def failing_sql(self, load_day: date) -> str:
        return f"{_number(self.column)} <= 0"

    def reason_sql(self, labels: dict[str, str], load_day: date) -> str:
        return (
            f"{_sql_str(labels[self.column] + ' ')} || {_quoted_value(self.column)} "
            "|| ' is zero or below'"
        )

    def python_reason(self, values: dict[str, str], labels: dict[str, str], load_day: date):
        if _float(values[self.column]) <= 0:
            return f"{labels[self.column]} {_quoted(values[self.column])} is zero or below"
        return None

    def describe(self) -> str:
        return f"{self.column} > 0"


@dataclass(frozen=True)
class PlausibleDate:
    """A record's own date or timestamp lies after the day its vendor (or the data
    series) began, when that is a hard limit (``earliest``), and no more than
    :data:`FAR_FUTURE_DAYS` after the load.

    ``kind`` says how the raw text is written: ``date`` (YYYY-MM-DD), ``timestamp``
    (ISO-8601) or ``unix`` (unix seconds). Not for planned dates (an opportunity's
    close date may lie years ahead).
    """

    column: str
    kind: str
    earliest: date | None = None
    began: str = ""
    """What began on ``earliest``, for the reason: e.g. "Google AdWords launched"."""

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column,)

    def _day(self) -> str:
        col = _col(self.column)
        if self.kind == "date":
            return f"try_cast({col} as date)"
        if self.kind == "timestamp":
            return f"cast(timezone('UTC', try_cast({col} as timestamptz)) as date)"
        if self.kind == "unix":
            return f"cast(timezone('UTC', to_timestamp(try_cast({col} as bigint))) as date)"
        raise ValueError(f"unknown date kind {self.kind!r}")

    def _too_early(self) -> str:
        if self.earliest is None:
            return "false"
        return f"{self._day()} < date '{self.earliest.isoformat()}'"

    def failing_sql(self, load_day: date) -> str:
        return f"({self._too_early()} or {self._day()} > {_latest(load_day)})"

    def reason_sql(self, labels: dict[str, str], load_day: date) -> str:
        label = _sql_str(labels[self.column] + " ")
        late = _sql_str(f" is more than {FAR_FUTURE_DAYS} days after the load")
        if self.earliest is None:
            return f"{label} || {_quoted_value(self.column)} || {late}"
        early = _sql_str(f" is before {self.earliest.isoformat()}, when {self.began}")
        return (
            f"{label} || {_quoted_value(self.column)} || "
            f"case when {self._too_early()} then {early} else {late} end"
        )

    def python_reason(self, values: dict[str, str], labels: dict[str, str], load_day: date):
        """The twin of :meth:`reason_sql` for loaders that check rows in Python (the
        ECB file, whose row is one record of many rates); dates written YYYY-MM-DD."""
        if self.kind != "date":
            raise NotImplementedError("only YYYY-MM-DD dates are checked in Python")
        text = values[self.column]
        day = date.fromisoformat(text)
        label = f"{labels[self.column]} {_quoted(text)}"
        if self.earliest is not None and day < self.earliest:
            return f"{label} is before {self.earliest.isoformat()}, when {self.began}"
        if day > load_day + timedelta(days=FAR_FUTURE_DAYS):
            return f"{label} is more than {FAR_FUTURE_DAYS} days after the load"
        return None

    def describe(self) -> str:
        start = f"from {self.earliest.isoformat()} " if self.earliest else ""
        return f"{self.column} {start}to {FAR_FUTURE_DAYS} days after the load"


ValueRule = NonNegative | NotAbove | Between | Positive | PlausibleDate
"""One record-level value rule."""

RANGE_RULES = (NonNegative, NotAbove, Between, Positive)
"""The rules the raw suites re-check on every load batch (``values_in_range``)."""
