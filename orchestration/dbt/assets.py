"""dbt models, seeds and tests as Dagster assets and asset checks."""

import contextlib
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets
from packaging import version

from orchestration.build_state import (
    BUILT,
    REBUILD,
    BuildPlan,
    forget_mark,
    plan_build,
    read_mark,
    record_mark,
)
from orchestration.dbt import warm
from orchestration.dbt.data_tests import (
    ENGINE_CONTRACT_TAG,
    STORE_FOLDER,
    TEST_WORKERS,
    TESTS_IN_DBT_ENV,
    DataTest,
    TestOutcome,
    compiled_tests_key,
    data_tests_of_run,
    load_compiled_tests,
    run_data_tests,
    save_compiled_tests,
    summary,
)
from orchestration.dbt.project import TRANSLATOR, dbt_manifest, dbt_project
from orchestration.dbt.selection import LEFT_OUT_MARTS_TAG, LeftOut, left_out
from orchestration.jobs import DBT_BUILT_TAG, DBT_MODEL_ERRORS_TAG, FULL_REFRESH_TAG
from orchestration.quality.checks import blocked_dbt_exclusions, failed_checks
from orchestration.reclaim import built_tables, reclaim_deleted_rows
from orchestration.resources import WarehouseResource
from orchestration.spark import remove_hive_session_folders, spark_target, spark_unavailable
from orchestration.spark.marts_import import import_marts, mart_names
from orchestration.spark.raw_export import export_raw
from quality.marts import mart_suites


def _dbt_executable() -> str:
    """The dbt installed beside this Python, so runs work without the venv on PATH:
    through the ``journey-dbt`` launcher, which runs it in the process ``journey
    refresh`` prepared when there is one (``orchestration/dbt/warm.py``) and execs that
    dbt otherwise."""
    launcher = Path(sys.executable).with_name("journey-dbt")
    if launcher.exists() and warm.supported():
        return str(launcher)
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


class JourneyDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without two start-up costs it pays on every run:

    * the ``dbt --version`` child process that learns dbt's version (2-3 s of importing
      dbt): when the dbt it runs is the one installed beside this Python (itself or
      through the ``journey-dbt`` launcher), the installed dbt-core's version is that
      version;
    * a dbt adapter loaded into this process (~1 s: dbt's imports, the profile and
      project read again), which dagster-dbt uses only for
      ``.fetch_row_counts()``/``.fetch_column_metadata()`` on the event stream. Nothing
      here calls those (they would open the warehouse while dbt writes it); the row
      counts readers see come from the publication.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) in {
            Path(sys.executable).with_name("dbt"),
            Path(sys.executable).with_name("journey-dbt"),
        }:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def _check_unique_id(event: Any) -> str | None:
    """The dbt test behind a check result dagster-dbt yielded, if ``event`` is one."""
    if not isinstance(event, dg.AssetCheckResult | dg.AssetCheckEvaluation):
        return None
    value = (event.metadata or {}).get("unique_id")
    return getattr(value, "text", value)


def recovered_check_results(
    run_results: dict[str, Any],
    reported: set[str],
    manifest: dict[str, Any],
    check_keys: set[dg.AssetCheckKey],
) -> list[dg.AssetCheckResult]:
    """The results of dbt tests that ran (``run_results.json``) but reached Dagster as no
    check result, rebuilt as dagster-dbt builds them (pass passes; warn fails with
    severity WARN; fail and error fail with severity ERROR).

    dagster-dbt reads each result from a JSON line of dbt's output; a line another
    writer to the same stream garbled (Spark's console progress bar, printed in front
    of it) is logged as text and its result lost. A lost failure would let the marts it
    guards be published: here it is counted from dbt's own record instead."""
    from dagster_dbt.asset_utils import get_asset_check_key_for_test

    recovered = []
    for result in run_results.get("results", []):
        unique_id, status = result["unique_id"], result["status"]
        if not unique_id.startswith("test.") or unique_id in reported:
            continue
        if status not in ("pass", "warn", "fail", "error"):
            continue  # skipped: dagster-dbt reports no result for it either
        key = get_asset_check_key_for_test(manifest, TRANSLATOR, unique_id, project=None)
        if key is None or key not in check_keys:
            continue
        recovered.append(
            dbt_test_check_result(
                key,
                unique_id,
                status,
                result.get("failures"),
                {"recovered_from": "run_results.json"},
            )
        )
    return recovered


def dbt_test_check_result(
    key: dg.AssetCheckKey,
    unique_id: str,
    status: str,
    failures: int | None,
    extra: dict[str, Any] | None = None,
) -> dg.AssetCheckResult:
    """A dbt test's result as dagster-dbt reports it: pass passes; warn fails with
    severity WARN; fail and error fail with severity ERROR."""
    metadata: dict[str, Any] = {"unique_id": unique_id, "status": status, **(extra or {})}
    if failures is not None:
        metadata["dagster_dbt/failed_row_count"] = failures
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=status == "pass",
        severity=dg.AssetCheckSeverity.WARN if status == "warn" else dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


def _stream(
    dbt: DbtCliResource, args: list[str], context: dg.AssetExecutionContext
) -> Generator[Any, None, Any]:
    """Run dbt, yield its events, return the invocation. If the step dies while dbt
    still runs (an error reading its events, an interrupt), dbt would keep the
    warehouse's write lock: it is stopped. A test result whose line dagster-dbt could
    not read is taken from ``run_results.json`` (:func:`recovered_check_results`)."""
    # No dbt log file (dbt.log in the invocation's folder): at dbt's default, debug,
    # its lines (each query's text, every connection's open and close) were ~15 MB a new
    # day at medium scale and ~10% of dbt's CPU to format; at info it repeated, as a
    # second JSON line per event, what dbt prints and the run's log
    # (DAGSTER_HOME/logs/refresh-*.log) keeps: ~2 s of dbt's CPU a new day. The SQL each
    # node ran stays in the folder's compiled/ and run/; DBT_LOG_LEVEL_FILE=debug brings
    # the file back.
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    reported: set[str] = set()
    try:
        for event in invocation.stream():
            unique_id = _check_unique_id(event)
            if unique_id:
                reported.add(unique_id)
            yield event
    finally:
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=60)
    started = warm.describe(warm.served_status())
    if started:
        context.log.info(started)
    run_results = Path(invocation.target_path) / "run_results.json"
    if run_results.exists():
        recovered = recovered_check_results(
            json.loads(run_results.read_text()),
            reported,
            dbt_manifest(),
            set(context.selected_asset_check_keys),
        )
        if recovered:
            context.log.warning(
                f"{len(recovered)} dbt test result(s) did not reach Dagster from dbt's "
                "output (a garbled log line); taken from run_results.json: "
                + ", ".join(r.check_name for r in recovered)
            )
        yield from recovered
    project = dbt_project()
    project_target = project.project_dir / project.target_path
    if invocation.is_successful():
        keep_partial_parse(invocation.target_path, project_target)
    prune_invocation_folders(project_target)
    remove_project_copy(Path(invocation.project_dir), Path(project.project_dir))
    return invocation


def remove_project_copy(used: Path, project_dir: Path) -> None:
    """Remove the copy of the dbt project dagster-dbt ran in, if it made one.

    For a selection of many nodes (``journey check`` selects every test) dagster-dbt
    copies the whole project folder, target/ included, into a new temporary folder to
    write a selectors.yml there, and never removes it: hundreds of MB in /tmp per run.
    Only a folder directly in the system's temporary directory, other than the
    project's own, is removed.
    """
    try:
        if used.resolve() == project_dir.resolve():
            return
        if used.parent.resolve() != Path(tempfile.gettempdir()).resolve():
            return
        if not (used / "dbt_project.yml").exists():
            return
    except OSError:
        return
    shutil.rmtree(used, ignore_errors=True)


KEEP_INVOCATION_FOLDERS = 10
"""dbt invocation folders (``target/journey_dbt-*``: compiled SQL, run results, dbt's
log) kept for debugging; older ones are removed."""
_RECENT_SECONDS = 3600


def prune_invocation_folders(project_target: Path, keep: int = KEEP_INVOCATION_FOLDERS) -> None:
    """Remove all but the ``keep`` newest invocation folders dagster-dbt leaves in the
    project's target folder (each holds the compiled SQL and dbt's log of one run: tens
    of MB at medium scale, so a daily refresh would grow the install without end). A
    folder touched in the last hour stays whatever its rank: another invocation may
    still be writing it."""
    try:
        folders = [p for p in project_target.glob("journey_dbt-*") if p.is_dir()]
        folders.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        now = time.time()
        for folder in folders[keep:]:
            if now - folder.stat().st_mtime > _RECENT_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
    except OSError:  # a folder removed meanwhile: housekeeping never fails the step
        return


def keep_partial_parse(invocation_target: Path, project_target: Path) -> None:
    """Make this invocation's parse the one the next invocation starts from.

    dagster-dbt copies ``target/partial_parse.msgpack`` into each invocation's own
    target folder, so dbt re-parses only changed files. dbt discards it whole when the
    profile differs from the parse's (another warehouse path or DuckDB setting than
    ``make manifest`` used: every benchmark and test warehouse) and parses the project
    again, 5-10 s on every refresh. Handing the newest parse back keeps the next
    refresh of the same warehouse on a partial parse. dbt checks the saved parse
    against the project's files, vars, env vars and profile before using it, so a
    stale one costs a re-parse, never a wrong build; the manifest Dagster reads
    (``target/manifest.json``, built at install time) is not touched.
    """
    parsed = invocation_target / "partial_parse.msgpack"
    if not parsed.exists():
        return
    kept = project_target / "partial_parse.msgpack"
    staged = kept.with_name(f".partial_parse.{os.getpid()}.msgpack")
    try:
        staged.write_bytes(parsed.read_bytes())
        os.replace(staged, kept)
    except OSError:
        # a read-only install: every refresh parses in full, which is slower, not wrong
        staged.unlink(missing_ok=True)


@dataclass(frozen=True)
class BuildOutcome:
    """What ``dbt build`` did, from its run results."""

    crashed: bool
    """dbt exited with an error before or outside the nodes (exit code 2)."""
    model_errors: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def build_outcome(invocation: Any) -> BuildOutcome:
    """Read a finished dbt invocation: exit code 0 (all passed) or 1 (a node failed: a
    test, or a model that did not build) is a build; anything else is a crash."""
    code = invocation.process.wait(timeout=60)
    if code not in (0, 1):
        return BuildOutcome(crashed=True)
    try:
        results = invocation.get_artifact("run_results.json").get("results", [])
    except (OSError, ValueError):
        return BuildOutcome(crashed=code != 0)
    models = [r for r in results if str(r.get("unique_id", "")).startswith("model.")]
    return BuildOutcome(
        crashed=False,
        model_errors=tuple(
            r["unique_id"].rsplit(".", 1)[-1] for r in models if r.get("status") == "error"
        ),
        skipped=tuple(
            r["unique_id"].rsplit(".", 1)[-1] for r in models if r.get("status") == "skipped"
        ),
    )


def rebuilt_every_model(
    plan: BuildPlan, outcome: BuildOutcome, *, partial: bool, blocked: Mapping[str, Any]
) -> bool:
    """A build from all of raw in which dbt built every model: none left out (a run of
    some models, a failed raw check), none failed, none skipped below a failed test.
    Whatever its tests found, no table is left from a build on rows a test rejected, so
    the ``rebuild`` mark has done its work."""
    return (
        plan.full_refresh
        and not partial
        and not blocked
        and not outcome.crashed
        and not outcome.model_errors
        and not outcome.skipped
    )


def _test_only(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Only checks are selected: dagster-dbt narrows ``dbt build`` to their tests."""
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
    with warehouse.writer_lock(context.log):
        invocation = yield from _stream(dbt, ["build", *_engine_args(warehouse)], context)
    _tidy_spark_session(context, warehouse)
    if not invocation.is_successful():
        error = invocation.get_error()
        raise dg.Failure(
            description=f"dbt reported errors running the tests{f': {error}' if error else ''}"
        )


def _engine_args(warehouse: WarehouseResource) -> list[str]:
    """``--target spark`` (or ``spark_thrift``) under ``JOURNEY_ENGINE=spark``, after
    checking that this machine can run it; nothing on DuckDB."""
    if warehouse.settings().engine != "spark":
        return []
    target = spark_target()
    problem = spark_unavailable(target)
    if problem:
        raise dg.Failure(description=problem)
    return ["--target", target]


def _tidy_spark_session(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """After dbt ran on Spark in its own process: remove the empty folder its Hive
    session left (:func:`orchestration.spark.remove_hive_session_folders`)."""
    settings = warehouse.settings()
    if settings.engine != "spark" or settings.spark_warehouse_dir is None:
        return
    removed = remove_hive_session_folders(settings.spark_warehouse_dir)
    if removed:
        context.log.debug(f"removed {removed} empty Hive session folder(s)")


_WARN_ERROR_FLAGS = ("DBT_WARN_ERROR", "DBT_WARN_ERROR_OPTIONS")

_COMPILING_PACKAGES = ("dbt-core", "dbt-adapters", "dbt-duckdb")
"""Whose macros a generic test's SQL is compiled with (not_null, unique, ...)."""


def refresh_test_ids(manifest: Mapping[str, Any]) -> set[str]:
    """The data tests a refresh's build of every model runs: all but the engine
    contract's."""
    return {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if unique_id.startswith("test.") and ENGINE_CONTRACT_TAG not in node.get("tags", [])
    }


def _tests_store() -> Path:
    project = dbt_project()
    return Path(project.project_dir) / project.target_path / STORE_FOLDER


def _tests_key(warehouse: WarehouseResource, plan: BuildPlan) -> str:
    settings = warehouse.settings()
    project = dbt_project()
    return compiled_tests_key(
        definitions_sha256=plan.definitions_sha256,
        profiles_yml=Path(project.profiles_dir) / "profiles.yml",
        database=settings.warehouse.stem,
        engine=settings.engine,
        dbt_version=" ".join(f"{name}=={_version(name)}" for name in _COMPILING_PACKAGES),
        project_files=[
            Path(project.project_dir) / name for name in ("packages.yml", "package-lock.yml")
        ],
    )


def _version(package: str) -> str:
    try:
        return installed_version(package)
    except PackageNotFoundError:
        return "-"


def _tests_to_run_here(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    plan: BuildPlan,
    blocked: Mapping[str, Any],
    *,
    rebuild_pending: bool,
) -> list[DataTest] | None:
    """The data tests to run after dbt's build of models and seeds, or None to leave
    them in ``dbt build``.

    An incremental build runs the tests kept from an earlier build (their compiled SQL,
    for this project and warehouse). A full rebuild runs the tests the dbt process
    prepared at the start of ``journey refresh`` compiled while the refresh loaded
    (``warm.compiled_tests``), except the rebuild that repairs a build a blocking test
    failed after (``rebuild_pending``: dbt itself must skip what is below a test that
    still fails, see ``data_tests.py``). The tests stay in dbt for a run of some models
    only, models left out below a failed raw check, Spark, no such SQL,
    ``JOURNEY_DATA_TESTS_IN_DBT=1``, or dbt's warnings-as-errors flags (dbt's own test
    runner applies them)."""
    if blocked or context.is_subset:
        return None
    if warehouse.settings().engine != "duckdb" or os.environ.get(TESTS_IN_DBT_ENV) == "1":
        return None
    if any(os.environ.get(flag) for flag in _WARN_ERROR_FLAGS):
        return None
    if not plan.full_refresh:
        return load_compiled_tests(_tests_store(), _tests_key(warehouse, plan))
    if rebuild_pending:
        return None
    compiled = warm.compiled_tests()
    if not compiled:
        return None
    try:
        tests = [DataTest(**test) for test in compiled]
    except TypeError:
        return None
    if {test.unique_id for test in tests} != refresh_test_ids(dbt_manifest()):
        # compiled from another version of the project than the code location's
        return None
    context.log.info(
        f"the {len(tests)} data tests compiled while the refresh loaded run on the "
        "warehouse after dbt builds the models"
    )
    return tests


def _keep_tests_of(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    plan: BuildPlan,
    run_results: Mapping[str, Any],
) -> None:
    """After a build of every model with its tests in dbt: keep the tests' compiled SQL
    for the next day's build (when every test ran)."""
    manifest = dbt_manifest()
    tests = data_tests_of_run(run_results, manifest, refresh_test_ids(manifest))
    if tests is None:
        return
    if save_compiled_tests(_tests_store(), _tests_key(warehouse, plan), tests):
        context.log.debug(f"kept the compiled SQL of {len(tests)} data tests for the next build")


def _runnable(
    tests: Sequence[DataTest],
    run_results: Mapping[str, Any],
    unchanged: Collection[str] = frozenset(),
) -> list[DataTest]:
    """The tests whose models and seeds dbt built in this invocation or left out as
    unchanged (``unchanged``, unique_ids: ``selection.py``): as in ``dbt build``, a test
    of a model that failed or was skipped does not run (nor one the manifest does not
    know, which the key's project fingerprint rules out)."""
    nodes = dbt_manifest()["nodes"]
    if not run_results.get("results"):
        # no run results to read (dbt exited before writing them): every test runs, on
        # the tables as they are, rather than none
        return [test for test in tests if test.unique_id in nodes]
    built = {r["unique_id"] for r in run_results["results"] if r.get("status") == "success"}
    built |= set(unchanged)
    buildable = ("model.", "seed.", "snapshot.")
    return [
        test
        for test in tests
        if test.unique_id in nodes
        and all(
            dep in built or not dep.startswith(buildable)
            for dep in nodes[test.unique_id]["depends_on"]["nodes"]
        )
    ]


def _check_results_for(
    context: dg.AssetExecutionContext,
) -> Callable[[TestOutcome], dg.AssetCheckResult | None]:
    """A test's outcome as the asset check dagster-dbt would have reported for it
    (None for a test whose check this run did not select)."""
    from dagster_dbt.asset_utils import (
        get_asset_check_key_for_test,
        get_checks_on_sources_upstream_of_selected_assets,
    )

    manifest = dbt_manifest()
    allowed = {
        *context.selected_asset_check_keys,
        *get_checks_on_sources_upstream_of_selected_assets(
            assets_def=context.assets_def, selected_asset_keys=context.selected_asset_keys
        ),
    }

    def result(outcome: TestOutcome) -> dg.AssetCheckResult | None:
        key = get_asset_check_key_for_test(manifest, TRANSLATOR, outcome.unique_id, project=None)
        if key is None or key not in allowed:
            return None
        extra: dict[str, Any] = {
            "ran_on": "the warehouse, after dbt built the models",
            "execution_duration": round(outcome.seconds, 4),
        }
        if outcome.message:
            extra["error"] = outcome.message
        return dbt_test_check_result(
            key, outcome.unique_id, outcome.status, outcome.failures, extra
        )

    return result


def _run_results(invocation: Any) -> dict[str, Any]:
    try:
        return invocation.get_artifact("run_results.json")
    except (OSError, ValueError):
        return {}


def _run_tests_here(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    tests: Sequence[DataTest],
    run_results: Mapping[str, Any],
    *,
    unchanged: Collection[str] = frozenset(),
) -> Generator[dg.AssetCheckResult, None, list[TestOutcome]]:
    """Run the kept data tests of the models dbt built (``data_tests.py``), yield each
    result as its check, log a summary and each failure, and return the outcomes.

    The queries run in worker threads (DuckDB works without Python's lock), two at a
    time on two cursors of one connection (``TEST_WORKERS``), while this one stores each
    finished test's check event in Dagster's event log: the two overlap, as Dagster's
    storage of dbt's events overlapped dbt's run."""
    runnable = _runnable(tests, run_results, unchanged)
    if len(runnable) < len(tests):
        context.log.warning(
            f"{len(tests) - len(runnable)} data test(s) not run: a model they test was not "
            "built (see dbt's errors above)"
        )
    finished: queue.SimpleQueue[TestOutcome | None] = queue.SimpleQueue()
    problem: list[BaseException] = []
    stop = threading.Event()
    connection: list[duckdb.DuckDBPyConnection] = []

    def work() -> None:
        try:
            with warehouse.connect() as conn:
                cursors = [conn.cursor() for _ in range(TEST_WORKERS - 1)]
                connection.extend([conn, *cursors])
                try:
                    run_data_tests(connection, runnable, on_outcome=finished.put, stop=stop.is_set)
                finally:
                    for cursor in cursors:
                        cursor.close()
        except BaseException as error:  # raised again in the step's thread below
            problem.append(error)
        finally:
            finished.put(None)

    started = time.perf_counter()
    worker = threading.Thread(target=work, name="journey-data-tests", daemon=True)
    worker.start()
    outcomes: list[TestOutcome] = []
    try:
        check_result = _check_results_for(context)
        while (outcome := finished.get()) is not None:
            outcomes.append(outcome)
            result = check_result(outcome)
            if result is not None:
                yield result
    finally:
        # the step ended early (an interrupt, an error storing a result): the worker
        # stops and closes its connection before the writer lock is let go
        if worker.is_alive():
            stop.set()
            for conn in connection:
                # a cursor the worker closed as it ended is past interrupting
                with contextlib.suppress(duckdb.ConnectionException):
                    conn.interrupt()
            worker.join()
    if problem:
        raise problem[0]
    context.log.info(summary(outcomes, time.perf_counter() - started))
    for outcome in outcomes:
        if outcome.status == "pass":
            continue
        found = outcome.message or f"{outcome.failures} failing row(s)"
        log = context.log.warning if outcome.status == "warn" else context.log.error
        log(f"data test {outcome.name}: {outcome.status.upper()} ({found})")
    return outcomes


def _export_raw_for_spark(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    settings = warehouse.settings()
    assert settings.spark_raw_dir is not None
    started = time.perf_counter()
    with warehouse.connect() as conn:
        exported = export_raw(conn, settings.spark_raw_dir)
    written = [e for e in exported if e.written]
    context.log.info(
        f"raw for Spark: {len(written)} of {len(exported)} tables written to "
        f"{settings.spark_raw_dir} ({sum(e.rows for e in written):,} rows, "
        f"{time.perf_counter() - started:.1f} s); the others were unchanged"
    )


def _import_spark_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    settings = warehouse.settings()
    assert settings.spark_warehouse_dir is not None
    started = time.perf_counter()
    with warehouse.connect() as conn:
        imported = import_marts(conn, settings.spark_warehouse_dir, mart_names(dbt_manifest()))
    context.log.info(
        f"Spark's marts read back into the warehouse: {len(imported)} marts, "
        f"{sum(i.rows for i in imported):,} rows, {time.perf_counter() - started:.1f} s"
    )


def build_dbt_definitions() -> dg.Definitions:
    project = dbt_project()

    @dbt_assets(
        manifest=dbt_manifest(),
        project=project,
        dagster_dbt_translator=TRANSLATOR,
        name="journey_dbt",
        pool="warehouse_writer",
        # dbt_project/tests/engine_contract/: the macros' answers on literal cases, a
        # test of the SQL on this engine, not of the data; `make test` runs them
        exclude=f"tag:{ENGINE_CONTRACT_TAG}",
    )
    def journey_dbt(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        """Seeds, staging, intermediate and mart models, with their dbt tests as checks.

        Runs when the refresh has something to build (``orchestration/build_state.py``):
        raw records that arrived since the last published build, a changed dbt project,
        a new warehouse or a run tagged ``journey/full_refresh=true``. With nothing to
        build it yields nothing, so nothing downstream (checks, publication, report)
        runs. The incremental models rebuild only what new records touched, or all of
        raw (``--full-refresh``) for a full run or a changed dbt project. dbt's unit
        tests are not run here: they test the SQL, not the data, and run in CI
        (``make test``). A build runs ``dbt build`` for models and seeds only and the
        data tests on the warehouse after it (``orchestration/dbt/data_tests.py``): the
        same checks, without dbt's work around each test node, when it has their
        compiled SQL (kept from an earlier build for an incremental one, compiled by the
        prepared dbt process for a full one); else they run in dbt, which keeps their
        SQL. An incremental build whose tests run on the warehouse leaves out the seeds,
        the views and the models no new record reaches (``selection.py``); their tests
        run all the same.

        Models downstream of a raw table whose blocking quality check failed earlier in
        this run are left out (they keep their last good build), and dbt skips what is
        built from a model whose blocking test failed (with the tests run after the
        build, what is built from it has been built: the dbt step records
        ``build_state.REBUILD`` and the next refresh rebuilds every model from all of
        raw until one rebuilt every model). Neither fails the step: the
        failures are the checks' results, and the `publish_marts` run that follows holds
        back the marts they guard (``orchestration/serving/holds.py``) while the others
        are published fresh. The step fails only when dbt could not run at all. A build
        marks the run ``journey/dbt_built`` (and counts the models that failed to build
        in ``journey/dbt_model_errors``); only a build without any failure records the
        ``built`` mark the publication turns into ``published``.
        """
        warehouse.export_warehouse_env()
        if not context.selected_asset_keys:
            # `journey check`: the dbt tests alone, on the models as they are
            yield from _test_only(context, dbt, warehouse)
            return
        full = context.run.tags.get(FULL_REFRESH_TAG) == "true"
        blocked = blocked_dbt_exclusions(failed_checks(context.instance, context.run_id))
        with warehouse.writer_lock(context.log):
            with warehouse.connect() as conn:
                plan = plan_build(conn, full=full)
                rebuild_pending = read_mark(conn, REBUILD) is not None
            if plan.nothing_to_build:
                context.log.info(f"nothing to build: {plan.reason}")
                return
            args = ["build", "--exclude-resource-type", "unit_test", *_engine_args(warehouse)]
            tests_here = _tests_to_run_here(
                context, warehouse, plan, blocked, rebuild_pending=rebuild_pending
            )
            left = LeftOut()
            if tests_here is not None:
                # dbt builds the models and seeds; their data tests run below
                args += ["--exclude-resource-type", "test"]
                if not plan.build_all:
                    # only what the new records reach (selection.py); the tests run on
                    # every model, built this time or not
                    left = left_out(
                        dbt_manifest(),
                        plan.changed_tables,
                        always_build={suite.asset[-1] for suite in mart_suites()},
                    )
                    if left.exclusions:
                        args += ["--exclude", " ".join(left.exclusions)]
                    # written every time (empty when none): a re-execution of this run
                    # starts with its parent's tags
                    context.instance.add_run_tags(
                        context.run_id, {LEFT_OUT_MARTS_TAG: ",".join(left.marts)}
                    )
                    context.log.info(left.summary(len(plan.changed_tables)))
            spark = warehouse.settings().engine == "spark"
            if spark:
                _export_raw_for_spark(context, warehouse)
            if plan.full_refresh:
                context.log.info("full refresh: incremental models are rebuilt from all of raw")
                args.append("--full-refresh")
            context.log.info(f"building: {plan.reason}")
            # A test runs only when all its parents are built in this invocation: a
            # reconciliation reading staging and a mart must not run on a stale mart
            # when only staging is materialized.
            os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
            if blocked:
                # one value: dagster-dbt takes one value per --exclude flag from the args
                args += ["--exclude", " ".join(blocked)]
                for selector, failures in blocked.items():
                    reasons = "; ".join(f"{f.check_name}: {f.summary}" for f in failures)
                    context.log.error(f"not building {selector} (blocking check failed: {reasons})")
            invocation = yield from _stream(dbt, args, context)
            _tidy_spark_session(context, warehouse)
            outcome = build_outcome(invocation)
            if outcome.crashed:
                # dbt itself failed (a project that does not parse or compile, no
                # connection): it built nothing this run can vouch for
                error = invocation.get_error()
                raise dg.Failure(
                    description=f"dbt build could not run{f': {error}' if error else ''}"
                )
            if spark:
                _import_spark_marts(context, warehouse)
            run_results = _run_results(invocation)
            failed_tests: list[TestOutcome] = []
            if tests_here is not None:
                outcomes = yield from _run_tests_here(
                    context, warehouse, tests_here, run_results, unchanged=left.unique_ids
                )
                failed_tests = [o for o in outcomes if o.blocking_failure]
                if plan.full_refresh:
                    # compiled for this build: kept for the next day's
                    save_compiled_tests(_tests_store(), _tests_key(warehouse, plan), tests_here)
            elif not context.is_subset and not blocked and not spark:
                _keep_tests_of(context, warehouse, plan, run_results)
            context.instance.add_run_tags(
                context.run_id,
                {DBT_BUILT_TAG: "true", DBT_MODEL_ERRORS_TAG: str(len(outcome.model_errors))},
            )
            if outcome.model_errors:
                context.log.error(
                    f"dbt could not build {', '.join(outcome.model_errors)}; what is built "
                    "from them was skipped and keeps its last build"
                )
            if outcome.skipped:
                context.log.warning(
                    f"dbt skipped {len(outcome.skipped)} model(s) below a failed blocking test "
                    "or a failed model; the marts among them are held back at publication"
                )
            if blocked:
                context.log.error(
                    "models downstream of "
                    + ", ".join(s.removesuffix("+") for s in blocked)
                    + " were not rebuilt because a blocking quality check failed on them"
                )
            if failed_tests:
                context.log.error(
                    f"{len(failed_tests)} blocking data test(s) failed after the models "
                    "below them were built: "
                    + ", ".join(o.name for o in failed_tests)
                    + ". The marts they guard are held back at publication, and the next "
                    "refresh rebuilds every model from all of raw (tests in dbt)"
                )
            with warehouse.connect() as conn:
                if failed_tests:
                    record_mark(conn, REBUILD, plan.mark(context.run_id))
                elif invocation.is_successful() and not blocked:
                    record_mark(conn, BUILT, plan.mark(context.run_id, partial=context.is_subset))
                if not failed_tests and rebuilt_every_model(
                    plan, outcome, partial=context.is_subset, blocked=blocked
                ):
                    # nothing is left that was built on rows a failed test rejected
                    forget_mark(conn, REBUILD)
                # the rows incremental models replaced, once they add up (reclaim.py):
                # housekeeping, which never fails a build (a table it cannot rewrite
                # stays as it was, and is tried again after the next build)
                try:
                    reclaimed = reclaim_deleted_rows(conn, built_tables(dbt_manifest()))
                except duckdb.Error as error:
                    context.log.warning(f"deleted rows not reclaimed this time: {error}")
                else:
                    if reclaimed.tables:
                        context.log.info(reclaimed.summary())

    return dg.Definitions(
        assets=[journey_dbt],
        resources={
            "dbt": JourneyDbtCliResource(project_dir=project, dbt_executable=_dbt_executable())
        },
    )
