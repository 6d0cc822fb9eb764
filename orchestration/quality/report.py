"""Check results in plain words, for the terminal (``journey refresh`` / ``check``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from orchestration.quality.checks import BLOCKING_TAG, CheckOutcome

_SUMMARY_WIDTH = 110
_NAME_WIDTH = 56
"""dbt names generic tests after every argument; long ones are cut in the table."""


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class CheckInfo:
    """What the code location says about a check: its severity and its rule."""

    blocking: bool
    rule: str


def check_catalog(defs: dg.Definitions) -> dict[dg.AssetCheckKey, CheckInfo]:
    """Severity and rule of every check the definitions declare.

    Our own suites mark their severity in the spec's metadata (they are not
    Dagster-``blocking``, see ``orchestration.quality.checks``); dbt tests are blocking
    when their severity is ``error``.
    """
    graph = defs.resolve_asset_graph()
    catalog = {}
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        blocking = (spec.metadata or {}).get(BLOCKING_TAG, spec.blocking)
        blocking = getattr(blocking, "value", blocking)
        rule = (spec.description or "").removeprefix("Blocking: ").removeprefix("Warning: ")
        catalog[key] = CheckInfo(blocking=bool(blocking), rule=rule or key.name)
    return catalog


def _key(outcome: CheckOutcome) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(outcome.asset_key, outcome.check_name)


def is_blocking(outcome: CheckOutcome, catalog: dict[dg.AssetCheckKey, CheckInfo]) -> bool:
    info = catalog.get(_key(outcome))
    return info.blocking if info else outcome.blocking


def explain_failures(
    outcomes: Sequence[CheckOutcome], catalog: dict[dg.AssetCheckKey, CheckInfo]
) -> list[str]:
    """One paragraph per failed check: what rule broke, on which data, what was found.
    Blocking failures first."""
    failed = [o for o in outcomes if not o.passed]
    failed.sort(key=lambda o: (not is_blocking(o, catalog), o.asset_path, o.check_name))
    lines = []
    for outcome in failed:
        info = catalog.get(_key(outcome))
        severity = "BLOCKING" if is_blocking(outcome, catalog) else "warning"
        lines.append(f"  [{severity}] {outcome.asset_path} / {outcome.check_name}")
        if info and info.rule:
            lines.append(f"      rule:  {info.rule}")
        found = outcome.summary
        if not found and outcome.failing_rows is not None:
            found = f"{outcome.failing_rows:,} row(s) break the rule"
        if found:
            lines.append(f"      found: {found}")
    return lines


def results_table(
    outcomes: Sequence[CheckOutcome], catalog: dict[dg.AssetCheckKey, CheckInfo]
) -> str:
    """A table of every evaluated check: asset, check, severity, result, what was found."""
    rows = sorted(outcomes, key=lambda o: (o.asset_path, o.check_name))
    asset_w = max([len("asset"), *(len(o.asset_path) for o in rows)])
    check_w = min(_NAME_WIDTH, max([len("check"), *(len(o.check_name) for o in rows)]))
    header = f"{'asset':<{asset_w}}  {'check':<{check_w}}  {'severity':<8}  {'result':<6}  found"
    lines = [header, "-" * len(header)]
    for o in rows:
        severity = "blocking" if is_blocking(o, catalog) else "warning"
        result = "pass" if o.passed else "FAIL"
        found = o.summary or (
            f"{o.failing_rows:,} failing row(s)" if o.failing_rows is not None else ""
        )
        found = _cut(found, _SUMMARY_WIDTH)
        name = _cut(o.check_name, check_w)
        lines.append(
            f"{o.asset_path:<{asset_w}}  {name:<{check_w}}  {severity:<8}  {result:<6}  {found}"
        )
    passed = sum(o.passed for o in rows)
    blocking_failed = sum(not o.passed and is_blocking(o, catalog) for o in rows)
    warnings = sum(not o.passed and not is_blocking(o, catalog) for o in rows)
    lines.append(
        f"{len(rows)} checks: {passed} passed, {blocking_failed} blocking failure(s), "
        f"{warnings} warning(s)"
    )
    return "\n".join(lines)
