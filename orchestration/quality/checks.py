"""Data-quality suites as Dagster asset checks.

The suites live in the ``quality`` package (DuckDB + Great Expectations, no Dagster);
this module turns their specs into ``AssetCheckSpec``s and their results into
``AssetCheckResult``s with metadata (expectations evaluated, failures, failing
example rows), and decides what a blocking failure stops.

Severity: a blocking rule reports ``AssetCheckSeverity.ERROR``, a warning ``WARN``.
No check is Dagster-``blocking``: Dagster would then skip or fail whole steps (every
model, or every publication) for one vendor's bad file. A failure instead holds back
only what it guards: checks on the raw layer run inside the raw assets' load step
(right after the load, so they are known before dbt starts), and the dbt step leaves
out only the models downstream of a raw table whose blocking check failed
(``blocked_dbt_exclusions``); dbt tests with severity ``error`` skip what is built from
their model inside ``dbt build``; the mart suites run one step per mart after dbt. The
publication then holds back the marts a failure guards
(``orchestration/serving/holds.py``), and ``journey refresh`` exits non-zero.
"""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg
import duckdb

from orchestration.dbt.project import BLOCKING_METADATA
from orchestration.resources import WarehouseResource
from quality.marts import mart_suites
from quality.model import CheckContext, CheckResult, CheckSpec, Suite

BLOCKING_TAG = BLOCKING_METADATA
MAX_EXAMPLE_ROWS = 5


def asset_check_spec(spec: CheckSpec, *, dagster_blocking: bool) -> dg.AssetCheckSpec:
    severity = "Blocking" if spec.blocking else "Warning"
    return dg.AssetCheckSpec(
        name=spec.name,
        asset=dg.AssetKey(list(spec.asset)),
        description=f"{severity}: {spec.rule}",
        blocking=dagster_blocking and spec.blocking,
        metadata={BLOCKING_TAG: spec.blocking},
    )


def asset_check_result(spec: CheckSpec, result: CheckResult) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = {
        "rows_checked": result.rows_checked,
        "expectations_evaluated": result.expectations_evaluated,
        "failed_expectations": len(result.failures),
        "summary": result.summary,
        BLOCKING_TAG: spec.blocking,
    }
    if result.failures:
        metadata["failures"] = dg.MetadataValue.md(_failures_markdown(result))
    for key, value in result.metadata.items():
        metadata[key] = dg.MetadataValue.json(value) if isinstance(value, Mapping) else value
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(spec.asset)),
        check_name=spec.name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR if spec.blocking else dg.AssetCheckSeverity.WARN,
        description=result.summary,
        metadata=metadata,
    )


def _failures_markdown(result: CheckResult) -> str:
    lines = []
    for failure in result.failures:
        lines.append(f"**{failure.describe()}**")
        for example in failure.examples[:MAX_EXAMPLE_ROWS]:
            lines.append(f"- `{json.dumps(example, default=str)}`")
    return "\n".join(lines)


def run_suites(
    conn: duckdb.DuckDBPyConnection,
    suites: Sequence[Suite],
    context: CheckContext,
    selected: set[dg.AssetCheckKey] | None = None,
    log: Any = None,
) -> Iterator[dg.AssetCheckResult]:
    """Run the suites (only those with a selected check, if a selection is given) and
    yield a result per selected check. A suite that raises yields failed results for
    its checks with the error, instead of losing the other suites' results."""
    for suite in suites:
        wanted = [spec for spec in suite.specs if selected is None or _check_key(spec) in selected]
        if not wanted:
            continue
        try:
            results = suite.run(conn, context)
        except Exception as exc:  # noqa: BLE001 - reported as a failed check
            if log is not None:
                log.error(f"suite {suite.name} could not run: {exc!r}")
            results = {
                spec.name: CheckResult(
                    passed=False,
                    rows_checked=0,
                    summary=f"the check could not run: {type(exc).__name__}: {exc}",
                )
                for spec in suite.specs
            }
        for spec in wanted:
            yield asset_check_result(spec, results[spec.name])


def _check_key(spec: CheckSpec) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey(list(spec.asset)), spec.name)


@dataclass(frozen=True)
class CheckOutcome:
    """One check evaluation of a run, as the CLI and the dbt step need it."""

    asset_key: dg.AssetKey
    check_name: str
    passed: bool
    blocking: bool
    summary: str | None
    failing_rows: int | None = None

    @property
    def asset_path(self) -> str:
        return "/".join(self.asset_key.path)


def check_outcomes(instance: dg.DagsterInstance, run_id: str) -> list[CheckOutcome]:
    """The last evaluation of every check a run evaluated, in reporting order."""
    from dagster._core.events import DagsterEventType

    found: dict[tuple[str, str], CheckOutcome] = {}
    records = instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    for record in records:
        evaluation = record.dagster_event.event_specific_data  # AssetCheckEvaluation
        metadata = {k: getattr(v, "value", v) for k, v in (evaluation.metadata or {}).items()}
        key = (evaluation.asset_key.to_user_string(), evaluation.check_name)
        found.pop(key, None)
        failing = metadata.get("dagster_dbt/failed_row_count")
        found[key] = CheckOutcome(
            asset_key=evaluation.asset_key,
            check_name=evaluation.check_name,
            passed=evaluation.passed,
            blocking=evaluation.severity == dg.AssetCheckSeverity.ERROR,
            summary=metadata.get("summary") or evaluation.description,
            failing_rows=int(failing) if failing is not None else None,
        )
    return list(found.values())


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[CheckOutcome]:
    return [outcome for outcome in check_outcomes(instance, run_id) if not outcome.passed]


def blocked_dbt_exclusions(failures: Iterable[CheckOutcome]) -> dict[str, list[CheckOutcome]]:
    """dbt ``--exclude`` selectors for the descendants of raw tables whose blocking
    check failed: ``source:<source>.<object>+``."""
    blocked: dict[str, list[CheckOutcome]] = {}
    for failure in failures:
        path = failure.asset_key.path
        if failure.blocking and len(path) == 3 and path[0] == "raw":
            blocked.setdefault(f"source:{path[1]}.{path[2]}+", []).append(failure)
    return blocked


def build_quality_definitions() -> dg.Definitions:
    """The mart suites as asset checks that run after dbt has built the marts: one
    check step per mart, so a mart dbt did not rebuild (held back) skips only its own
    suite.

    (The raw layer's suites are checks of the load steps, see
    ``orchestration.ingestion.assets``.) They are not Dagster-``blocking``: a failed
    blocking suite holds back its mart (and the mart's publication group) when the
    `publish_marts` run that follows publishes the others
    (``orchestration/serving/holds.py``).
    """
    return dg.Definitions(asset_checks=[_mart_suite_check(suite) for suite in mart_suites()])


def _mart_suite_check(suite: Suite) -> dg.AssetChecksDefinition:
    mart = suite.asset[-1]

    @dg.multi_asset_check(
        name=f"{mart}_quality_suite",
        specs=[asset_check_spec(spec, dagster_blocking=False) for spec in suite.specs],
        description=f"Great Expectations suite on {mart}: {suite.name}.",
        can_subset=True,
    )
    def mart_quality_suite(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        settings = warehouse.settings()
        check_context = CheckContext(landing_dir=settings.landing_dir)
        # Read-only: the mart is built; nothing here writes.
        with (
            warehouse.writer_lock(context.log),
            duckdb.connect(str(settings.warehouse), read_only=True) as conn,
        ):
            yield from run_suites(
                conn,
                [suite],
                check_context,
                selected=set(context.selected_asset_check_keys),
                log=context.log,
            )

    return mart_quality_suite
