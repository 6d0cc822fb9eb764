"""The dbt data tests of a refresh's build, run on the warehouse from this process
instead of by dbt.

Why: in ``dbt build`` every data test is a dbt node, and dbt's work around a node
(rendering, its events, the compiled and run SQL written to files, BEGIN/ROLLBACK) costs
~24 ms a test, while most of our tests' queries take 1-10 ms. At medium scale a new day's
dbt step was ~9 s shorter with the 555 tests' queries run here after dbt built the models
and seeds (docs/performance-history.md).

How:

* The SQL: a ``dbt build`` that ran every data test (a rebuild that repairs a failed
  test's build, or a run without the prepared dbt process) leaves each test's compiled
  SQL in its ``run_results.json``; the full builds of ``journey refresh`` (the first
  refresh, ``--full``, a changed dbt project) get it from the dbt process prepared at
  the refresh's start, which compiles every data test while the refresh loads
  (``orchestration/dbt/warm.py``, ``compiled_tests``). :func:`save_compiled_tests`
  keeps that SQL, with each test's severity and thresholds, in
  ``target/journey_data_tests/``, under a key made of everything the SQL was compiled
  from (:func:`compiled_tests_key`: the dbt project's fingerprint, the profile, dbt's
  version, the engine and the database name, the warehouse file's stem, which every
  relation in the SQL names; warehouses of the same name share the SQL, as they would
  share dbt's compilation).
* A build that has the SQL (a new day's incremental build with the kept SQL, a full
  build with the freshly compiled one; on DuckDB) runs ``dbt build`` for models and
  seeds only, then :func:`run_data_tests` runs each test here, wrapped as dbt's test
  materialization wraps it (``fail_calc``, ``warn_if``, ``error_if``, ``limit``) and
  judged as dbt judges it (a failure of an error-severity test fails, of a
  warn-severity test warns). The results reach Dagster as the same asset checks with
  the same severities.
* No SQL for this key, a run of some models only, a raw check that left models out,
  or the repair rebuild after a failed test: the tests stay in dbt, as before.

What differs from ``dbt build``: dbt skips the models below a failed error-severity test,
here they are built before the tests run (and their own tests run too: more results on
a day that is held back anyway, never fewer). Readers never see them: the publication holds
back every mart downstream of a failed blocking test's model
(``orchestration/serving/holds.py``, rule 1). The warehouse's incremental models have
built on the rows the test rejected, so the dbt step records
:data:`orchestration.build_state.REBUILD` and the next refresh rebuilds every model from
all of raw, with the tests in dbt again, until such a build rebuilt every model (dbt
then skips what is below a test that still fails, and the mark stays).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

STORE_FOLDER = "journey_data_tests"
"""Under the dbt project's target folder: one JSON file per key."""
KEEP_STORED = 10
"""Kept files (one per warehouse and project version); older ones are removed."""
_FORMAT = 1

ENGINE_CONTRACT_TAG = "engine_contract"
"""The tag of ``dbt_project/tests/engine_contract/``: tests of the dispatched macros on
literal cases. They check the SQL on an engine, not the data, so a refresh leaves them
out; ``make test`` runs them on DuckDB and on Spark."""

TESTS_IN_DBT_ENV = "JOURNEY_DATA_TESTS_IN_DBT"
"""Set to 1 to keep the data tests in ``dbt build`` instead of running them on the
warehouse after it (this module)."""

TEST_WORKERS = 2
"""Tests run at once, each on its own cursor of the warehouse (:func:`run_data_tests`).
Most tests' queries take a few milliseconds, much of it single-threaded work (parsing,
planning, Python) that a second query overlaps: the 555 tests of a medium warehouse
took 4.7-5.4 s one at a time, 4.1-4.2 s two at a time and 4.2-4.5 s three at a time
(each twice, alternating, alone on the machine); in a new day's refresh 5.7-8.1 s two
at a time against 6.3-9.7 s one at a time. At small scale, where every query is tiny,
two at a time gains nothing (a first refresh's tests 2.0-2.4 s against 1.9-2.0 s) but
loses little (README, Performance)."""

RAN_STATUSES = ("pass", "warn", "fail", "error")
"""The statuses of a test that ran; dbt's others (``skipped``) mean it did not."""


@dataclass(frozen=True)
class DataTest:
    """One dbt data test as this module runs it."""

    unique_id: str
    sql: str
    """The test's compiled SQL: the rows that break the rule."""
    severity: str = "error"
    fail_calc: str = "count(*)"
    warn_if: str = "!= 0"
    error_if: str = "!= 0"
    limit: int | None = None

    @classmethod
    def from_config(cls, unique_id: str, sql: str, config: Mapping[str, Any]) -> DataTest:
        """The test with its compiled SQL and its node's config (severity, thresholds;
        dbt's defaults where the config leaves them out)."""
        return cls(
            unique_id=unique_id,
            sql=sql,
            severity=str(config.get("severity") or "error").lower(),
            fail_calc=config.get("fail_calc") or "count(*)",
            warn_if=config.get("warn_if") or "!= 0",
            error_if=config.get("error_if") or "!= 0",
            limit=config.get("limit"),
        )

    def query(self) -> str:
        """The test's SQL wrapped as dbt's test materialization wraps it: one row with
        the failure count and whether it warns or errors."""
        limit = f"\nlimit {int(self.limit)}" if self.limit is not None else ""
        return (
            f"select\n  {self.fail_calc} as failures,\n"
            f"  {self.fail_calc} {self.warn_if} as should_warn,\n"
            f"  {self.fail_calc} {self.error_if} as should_error\n"
            f"from (\n{self.sql}\n{limit}\n) dbt_internal_test"
        )


@dataclass(frozen=True)
class TestOutcome:
    """What one test found, with dbt's status for it."""

    __test__ = False  # not a pytest class

    unique_id: str
    status: str
    """``pass``, ``warn`` (a warn-severity test found rows, or an error-severity one
    found fewer than its ``error_if``), ``fail`` (an error-severity test found rows) or
    ``error`` (its SQL failed)."""
    failures: int | None
    seconds: float
    message: str | None = None

    @property
    def name(self) -> str:
        """The test's name (``test.<project>.<name>[.<hash>]``)."""
        parts = self.unique_id.split(".")
        return parts[2] if len(parts) > 2 else self.unique_id

    @property
    def blocking_failure(self) -> bool:
        """dbt would have skipped the models below this test."""
        return self.status in ("fail", "error")


def judge(severity: str, should_warn: Any, should_error: Any) -> str:
    """dbt's status for a test's result row (dbt-core's test runner): an error-severity
    test whose ``error_if`` holds fails; otherwise one whose ``warn_if`` holds warns."""
    if should_error and severity.lower() == "error":
        return "fail"
    if should_warn:
        return "warn"
    return "pass"


def run_data_tests(
    connections: duckdb.DuckDBPyConnection | Sequence[duckdb.DuckDBPyConnection],
    tests: Sequence[DataTest],
    on_outcome: Callable[[TestOutcome], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[TestOutcome]:
    """Run every test, taking them in the order given, handing each outcome to
    ``on_outcome`` as it is known, until ``stop()`` says to. A test whose SQL fails is
    an ``error`` outcome with DuckDB's message; the others still run.

    ``connections``: one worker thread per connection (several: cursors of one
    database, :data:`TEST_WORKERS`), each taking the next test when its last one ended;
    ``on_outcome`` is called from those threads as tests end (with one connection, in
    the order given). The list returned is in the order given either way."""
    if isinstance(connections, duckdb.DuckDBPyConnection):
        connections = [connections]
    pending = iter(enumerate(tests))
    taking = threading.Lock()
    found: dict[int, TestOutcome] = {}
    problems: list[BaseException] = []

    def work(conn: duckdb.DuckDBPyConnection) -> None:
        try:
            while not problems and not (stop is not None and stop()):
                with taking:
                    position, test = next(pending, (-1, None))
                if test is None:
                    return
                outcome = _run_one(conn, test)
                found[position] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
        except BaseException as error:  # raised again in the calling thread
            problems.append(error)

    workers = [
        threading.Thread(target=work, args=(conn,), name=f"journey-data-test-{n}", daemon=True)
        for n, conn in enumerate(connections)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if problems:
        raise problems[0]
    return [found[position] for position in sorted(found)]


def _run_one(conn: duckdb.DuckDBPyConnection, test: DataTest) -> TestOutcome:
    started = time.perf_counter()
    try:
        rows = conn.execute(test.query()).fetchall()
    except Exception as error:  # noqa: BLE001 - dbt too makes it this test's error
        return TestOutcome(test.unique_id, "error", None, time.perf_counter() - started, str(error))
    seconds = time.perf_counter() - started
    if len(rows) != 1:
        message = f"the test's query returned {len(rows)} rows, not one"
        return TestOutcome(test.unique_id, "error", None, seconds, message)
    failures, should_warn, should_error = rows[0]
    if not isinstance(failures, int) or should_warn is None or should_error is None:
        # dbt validates the row (failures an integer, both flags booleans): a null,
        # e.g. a sum() fail_calc over no rows, is the test's error there too
        message = (
            f"the test's query gave failures={failures!r}, should_warn={should_warn!r}, "
            f"should_error={should_error!r}; dbt needs an integer and two booleans"
        )
        return TestOutcome(test.unique_id, "error", None, seconds, message)
    status = judge(test.severity, should_warn, should_error)
    # as dbt's run results: the count of a test that passed is 0
    return TestOutcome(test.unique_id, status, 0 if status == "pass" else failures, seconds)


def summary(outcomes: Sequence[TestOutcome], seconds: float) -> str:
    """One line for the log: how many ran, what they found, the slowest."""
    counts = {status: 0 for status in RAN_STATUSES}
    for outcome in outcomes:
        counts[outcome.status] += 1
    found = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    slowest = sorted(outcomes, key=lambda o: o.seconds, reverse=True)[:3]
    slow = ", ".join(f"{o.name} {o.seconds:.2f} s" for o in slowest)
    return (
        f"{len(outcomes)} dbt data tests run on the warehouse in {seconds:.1f} s "
        f"({found or 'none'}); slowest: {slow or '-'}"
    )


def compiled_tests_key(
    *,
    definitions_sha256: str,
    profiles_yml: Path,
    database: str,
    engine: str,
    dbt_version: str,
    target: str | None = None,
    project_files: Sequence[Path] = (),
) -> str:
    """Everything a test's compiled SQL depends on: the project (models, macros, tests,
    vars), its package files (``project_files``: ``packages.yml``, the lock), the
    profile, the versions of dbt and of the packages whose macros compile a generic
    test (``dbt_version``: dbt-core, dbt-adapters, dbt-duckdb), the engine and target,
    and the database name (dbt-duckdb's is the warehouse file's stem), which every
    relation in the SQL names."""
    digest = hashlib.sha256()
    for part in (
        f"format={_FORMAT}",
        definitions_sha256,
        _file_digest(profiles_yml),
        *(f"{path.name}={_file_digest(path)}" for path in project_files),
        database,
        engine,
        dbt_version,
        target or os.environ.get("DBT_TARGET", ""),
    ):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "-"


def data_tests_of_run(
    run_results: Mapping[str, Any], manifest: Mapping[str, Any], expected: Iterable[str]
) -> list[DataTest] | None:
    """The data tests of a ``dbt build`` with their compiled SQL, in the order dbt ran
    them; None unless every ``expected`` test ran (a skipped one has no compiled SQL)."""
    if run_results.get("args", {}).get("which") not in ("build", "test"):
        return None
    ran: dict[str, DataTest] = {}
    for result in run_results.get("results", []):
        unique_id = str(result.get("unique_id", ""))
        if not unique_id.startswith("test."):
            continue
        code = result.get("compiled_code")
        node = manifest["nodes"].get(unique_id)
        if result.get("status") not in RAN_STATUSES or not code or node is None:
            return None
        ran[unique_id] = DataTest.from_config(unique_id, code, node.get("config", {}))
    if not ran or set(expected) != set(ran):
        return None
    return list(ran.values())


def _stored(store: Path, key: str) -> Path:
    """The file of ``key`` (its first 32 characters; the file says the whole key)."""
    return store / f"{key[:32]}.json"


def save_compiled_tests(store: Path, key: str, tests: Sequence[DataTest]) -> Path | None:
    """Keep ``tests`` under ``key`` (written whole, then renamed into place); the oldest
    files beyond :data:`KEEP_STORED` go. A folder that cannot be written keeps the tests
    in dbt, which is slower, not wrong: None."""
    path = _stored(store, key)
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        store.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "tests": [asdict(t) for t in tests]}
        staged.write_text(json.dumps(payload))
        os.replace(staged, path)
        kept = sorted(store.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP_STORED:]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError):
            staged.unlink(missing_ok=True)
        return None
    return path


def load_compiled_tests(store: Path, key: str) -> list[DataTest] | None:
    """The tests kept under ``key``, or None (none kept, another key, unreadable)."""
    path = _stored(store, key)
    try:
        payload = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("key") != key:
        return None
    try:
        return [DataTest(**t) for t in payload["tests"]]
    except (KeyError, TypeError):
        return None
