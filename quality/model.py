"""What a data-quality check is, and what it reports.

A check guards one rule of the glossary (``docs/definitions.md``) or of the landing
contract on one asset. It is named for the rule (``values_in_range``,
``landing_records_accounted_for``) so a failure reads like the sentence it breaks, and
it has a severity decided per rule:

* ``BLOCKING``: a number in a mart would be wrong if this failed (a negative spend, a
  record lost between the landing zone and raw). The refresh does not build what is
  downstream of the failing asset, and ``journey refresh`` exits non-zero.
* ``WARNING``: worth a look, but the numbers stay right (a vendor's broken record sits
  in quarantine, a day with unusually few events, an unknown event type that no
  definition counts). The refresh goes on and reports it.

This package knows DuckDB and Great Expectations, not Dagster: a check takes a DuckDB
connection and returns a ``CheckResult``; ``orchestration/quality/`` wraps them as
Dagster asset checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import duckdb

MAX_EXAMPLES = 5
"""Failing example rows kept per expectation: enough to find the records, small enough
to show in the Dagster UI and a terminal."""


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


@dataclass(frozen=True)
class CheckContext:
    """What a check needs besides the warehouse."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    """The wall clock, injectable so tests pin it ("not in the future" checks)."""
    landing_dir: Any = None
    """The landing zone (a Path) for checks that compare files with the warehouse."""


@dataclass(frozen=True)
class Failure:
    """One broken expectation: what was expected, how many rows broke it, examples."""

    expectation: str
    """The expectation in words, e.g. ``spend >= 0``."""
    unexpected_count: int | None
    """Rows that broke it (None for table-level expectations)."""
    examples: tuple[Mapping[str, Any], ...] = ()
    observed: Any = None
    """The observed value of a table-level expectation (a mean, a share, a count)."""

    def describe(self) -> str:
        if self.unexpected_count is not None:
            return f"{self.expectation}: {self.unexpected_count:,} row(s) break it"
        return f"{self.expectation}: observed {_short(self.observed)}"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one asset."""

    passed: bool
    rows_checked: int
    summary: str
    """One line in plain words: what was checked and what was found."""
    failures: tuple[Failure, ...] = ()
    expectations_evaluated: int = 0
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """Extra numbers worth showing (counts by reason, the batch validated, ...)."""


@dataclass(frozen=True)
class CheckSpec:
    """A named rule on one asset and its severity."""

    name: str
    asset: tuple[str, ...]
    """The asset key path it guards, e.g. ``("raw", "google_ads", "ad_stats")``."""
    severity: Severity
    rule: str
    """The rule as a sentence a BI user understands; the check's description."""

    @property
    def asset_path(self) -> str:
        return "/".join(self.asset)

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKING


@dataclass(frozen=True)
class Suite:
    """Checks on one asset that share one read of the warehouse.

    ``evaluate`` returns one ``CheckResult`` per spec name; reading once per asset
    keeps a refresh from scanning a large table once per rule.
    """

    name: str
    asset: tuple[str, ...]
    specs: tuple[CheckSpec, ...]
    evaluate: Callable[[duckdb.DuckDBPyConnection, CheckContext], Mapping[str, CheckResult]]

    def run(self, conn: duckdb.DuckDBPyConnection, context: CheckContext) -> dict[str, CheckResult]:
        results = dict(self.evaluate(conn, context))
        missing = {spec.name for spec in self.specs} - set(results)
        if missing:
            raise RuntimeError(f"suite {self.name} returned no result for {sorted(missing)}")
        return results


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
