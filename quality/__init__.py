"""Data-quality suites: Great Expectations on what DuckDB pulls, no Dagster here.

``raw_layer_suites()`` guard the raw layer (per raw table: the vendor fields, and the
reconciliation with the landing zone), ``mart_suites()`` the marts.
"""

from quality.landing import landing_suites
from quality.model import CheckContext, CheckResult, CheckSpec, Severity, Suite
from quality.raw import raw_suites


def raw_layer_suites() -> list[Suite]:
    return [*raw_suites(), *landing_suites()]


__all__ = [
    "CheckContext",
    "CheckResult",
    "CheckSpec",
    "Severity",
    "Suite",
    "raw_layer_suites",
]
