"""The event log `journey` configures: Dagster's SQLite files, connections kept open."""

import logging
import os
import sqlite3
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events.log import EventLogEntry

from orchestration import cli
from orchestration.event_storage import KEEP_ENGINES, JourneySqliteEventLogStorage


@dg.op
def count_to_three(context: dg.OpExecutionContext) -> int:
    for n in range(1, 4):
        context.log.info(f"counted {n}")
    return 3


@dg.job
def counting() -> None:
    count_to_three()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def _journey_yaml(home: Path) -> None:
    (home / "dagster.yaml").write_text(cli.dagster_yaml(home))


def test_the_instance_journey_writes_uses_it_on_dagsters_default_folder(home: Path) -> None:
    _journey_yaml(home)
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, JourneySqliteEventLogStorage)
        assert Path(storage._base_dir) == home / "history" / "runs"


def test_events_reach_the_files_another_process_reads(home: Path) -> None:
    _journey_yaml(home)
    with dg.DagsterInstance.get() as instance:
        result = counting.execute_in_process(instance=instance)
        assert result.success
        run_id = result.run_id
        # written while the writer's connection is still open (WAL): plain sqlite sees it
        shard = home / "history" / "runs" / f"{run_id}.db"
        with sqlite3.connect(shard) as reader:
            messages = [
                row[0]
                for row in reader.execute("select event from event_logs order by id").fetchall()
            ]
        assert sum("counted" in m for m in messages) == 3
        # the connection runs with synchronous=NORMAL (1), the files stay in WAL mode
        with instance.event_log_storage.run_connection(run_id) as conn:
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
    # and a new instance (the webserver, the next refresh) reads the run back
    with dg.DagsterInstance.get() as instance:
        logs = instance.all_logs(run_id)
        assert sum("counted" in (r.user_message or "") for r in logs) == 3
        assert instance.get_run_by_id(run_id).is_success


def test_runs_logged_by_dagsters_default_storage_stay_readable(home: Path) -> None:
    # an instance from before journey configured the storage: no event_log_storage key
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        run_id = counting.execute_in_process(instance=instance).run_id
    _journey_yaml(home)
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, JourneySqliteEventLogStorage)
        assert sum("counted" in (r.user_message or "") for r in instance.all_logs(run_id)) == 3


def test_an_instance_opened_by_its_folder_reads_that_folder(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what a test or a tool does with another DAGSTER_HOME set (or none at all)
    _journey_yaml(home)
    with dg.DagsterInstance.get() as instance:
        run_id = counting.execute_in_process(instance=instance).run_id
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "some_other_home"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert Path(instance.event_log_storage._base_dir) == home / "history" / "runs"
        assert instance.get_run_by_id(run_id).is_success
    monkeypatch.delenv("DAGSTER_HOME")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert sum("counted" in (r.user_message or "") for r in instance.all_logs(run_id)) == 3


def test_open_connections_are_bounded_and_closed(home: Path) -> None:
    storage = JourneySqliteEventLogStorage(str(home / "history" / "runs"))
    for n in range(KEEP_ENGINES + 5):
        with storage.run_connection(f"run-{n}") as conn:
            conn.exec_driver_sql("select 1")
    assert len(storage._engines) == KEEP_ENGINES
    # the least recently used files were let go: the newest are kept
    kept = set(storage._engines)
    assert kept == {f"run-{n}" for n in range(5, KEEP_ENGINES + 5)}
    storage.dispose()
    assert not storage._engines


def test_no_pooled_connection_crosses_a_fork(home: Path) -> None:
    storage = JourneySqliteEventLogStorage(str(home / "history" / "runs"))
    with storage.index_connection() as conn:
        conn.exec_driver_sql("select 1")
    parent_engine = storage._engines["index"]
    pid = os.fork()
    if pid == 0:  # the child: must get an engine of its own
        with storage.index_connection() as conn:
            conn.exec_driver_sql("select 1")
        os._exit(0 if storage._engines["index"] is not parent_engine else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    storage.dispose()


def _entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
    )


def test_a_watcher_sees_each_event_while_the_writer_keeps_its_connection(home: Path) -> None:
    # the webserver's live run log: Dagster watches the run's file for modification; with
    # the writer's connection open, a commit in WAL mode writes only <run_id>.db-wal
    writer = JourneySqliteEventLogStorage(str(home / "history" / "runs"))
    reader = JourneySqliteEventLogStorage(str(home / "history" / "runs"))
    writer.store_event(_entry("live", "before the watch"))
    seen: list[str] = []
    reader.watch("live", None, lambda entry, _cursor: seen.append(entry.user_message))
    try:
        for n in range(3):
            writer.store_event(_entry("live", f"event {n}"))
            deadline = time.monotonic() + 10
            while f"event {n}" not in seen and time.monotonic() < deadline:
                time.sleep(0.05)
        assert [m for m in seen if m.startswith("event")] == ["event 0", "event 1", "event 2"]
    finally:
        reader.dispose()
        writer.dispose()


def test_which_tables_the_index_has_is_asked_once_and_answered_as_dagster_does(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = JourneySqliteEventLogStorage(str(home / "history" / "runs"))
    assert storage.has_table("asset_check_executions")
    assert not storage.has_table("no_such_table")
    # the answer is remembered once true: no connection is opened to ask again
    monkeypatch.setattr(storage, "_engine", lambda shard: pytest.fail(f"asked {shard} again"))
    assert storage.supports_asset_checks
    storage.dispose()


@dg.asset(
    check_specs=[
        dg.AssetCheckSpec("rows_present", asset="ledger"),
        dg.AssetCheckSpec("ids_unique", asset="ledger"),
    ]
)
def ledger() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(check_name="rows_present", passed=True),
            dg.AssetCheckResult(check_name="ids_unique", passed=False),
        ]
    )


@dg.asset(deps=[ledger], check_specs=[dg.AssetCheckSpec("totals_match", asset="totals")])
def totals() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        check_results=[dg.AssetCheckResult(check_name="totals_match", passed=True)]
    )


# two planned materializations and three planned checks: Dagster's batch when it creates
# a run of this job
checked = dg.define_asset_job("checked", selection=[ledger, totals])
CHECKED_DEFS = dg.Definitions(assets=[ledger, totals], jobs=[checked])
CHECK_KEYS = [
    dg.AssetCheckKey(dg.AssetKey("ledger"), "rows_present"),
    dg.AssetCheckKey(dg.AssetKey("ledger"), "ids_unique"),
    dg.AssetCheckKey(dg.AssetKey("totals"), "totals_match"),
]


def _run_checked(instance: dg.DagsterInstance) -> str:
    result = CHECKED_DEFS.resolve_job_def("checked").execute_in_process(
        instance=instance, raise_on_error=False
    )
    return result.run_id


def _stored(instance: dg.DagsterInstance, run_id: str) -> tuple[dict[str, int], dict[str, list]]:
    """The run's events by type, and each check's executions (newest first) by status."""
    counts: dict[str, int] = {}
    for record in instance.all_logs(run_id):
        if record.dagster_event is not None:
            kind = record.dagster_event.event_type_value
            counts[kind] = counts.get(kind, 0) + 1
    executions = {
        key.name: [
            r.status.value
            for r in instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        ]
        for key in CHECK_KEYS
    }
    return counts, executions


def _assert_each_planned_event_once(counts: dict[str, int], executions: dict[str, list]) -> None:
    """Two planned materializations and three planned checks in the run's file, and one
    execution per check in the index, completed by its evaluation."""
    assert counts["ASSET_CHECK_EVALUATION_PLANNED"] == 3
    assert counts["ASSET_MATERIALIZATION_PLANNED"] == 2
    assert executions == {
        "rows_present": ["SUCCEEDED"],
        "ids_unique": ["FAILED"],
        "totals_match": ["SUCCEEDED"],
    }


def test_a_batch_is_stored_as_one_event_at_a_time_would_be(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _journey_yaml(home)
    batches: list[int] = []
    original = JourneySqliteEventLogStorage.store_event_batch

    def spy(self, events):  # noqa: ANN001, ANN202
        batches.append(len(events))
        return original(self, events)

    monkeypatch.setattr(JourneySqliteEventLogStorage, "store_event_batch", spy)
    with dg.DagsterInstance.get() as instance:
        monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE", raising=False)
        one_by_one = _stored(instance, _run_checked(instance))
        assert batches == []
        monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", str(cli.EVENT_BATCH_SIZE))
        batched_run = _run_checked(instance)
        assert batches == [5]
        batched = _stored(instance, batched_run)
    # the same events; each check's planned row was the one its evaluation completed
    # (one execution of this run per check, plus the first run's)
    assert batched[0] == one_by_one[0]
    assert one_by_one[0]["ASSET_CHECK_EVALUATION_PLANNED"] == 3
    assert one_by_one[0]["ASSET_MATERIALIZATION_PLANNED"] == 2
    assert batched[1] == {
        "rows_present": ["SUCCEEDED", "SUCCEEDED"],
        "ids_unique": ["FAILED", "FAILED"],
        "totals_match": ["SUCCEEDED", "SUCCEEDED"],
    }


def test_a_batch_that_fails_leaves_nothing_and_dagster_stores_it_event_by_event(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _journey_yaml(home)
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", str(cli.EVENT_BATCH_SIZE))
    original = JourneySqliteEventLogStorage.store_asset_check_event
    calls = {"in_batch": 0}

    def fail_the_second_in_a_batch(self, event, event_id):  # noqa: ANN001, ANN202
        if getattr(self._batch, "connections", None) is not None:
            calls["in_batch"] += 1
            if calls["in_batch"] == 2:
                raise RuntimeError("disk full")
        return original(self, event, event_id)

    monkeypatch.setattr(
        JourneySqliteEventLogStorage, "store_asset_check_event", fail_the_second_in_a_batch
    )
    with dg.DagsterInstance.get() as instance:
        counts, executions = _stored(instance, _run_checked(instance))
    assert "Exception while storing event batch: disk full" in capsys.readouterr().err
    # the first planned check of the batch was rolled back with the rest: each once
    _assert_each_planned_event_once(counts, executions)


def test_a_run_file_that_fails_to_commit_after_the_index_gets_its_events_once(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _journey_yaml(home)
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", str(cli.EVENT_BATCH_SIZE))

    def fail(transaction) -> None:  # noqa: ANN001
        transaction.rollback()
        raise OSError("disk I/O error")

    monkeypatch.setattr(JourneySqliteEventLogStorage, "_commit_run_file", staticmethod(fail))
    with dg.DagsterInstance.get() as instance:
        counts, executions = _stored(instance, _run_checked(instance))
    # written to the run's file one by one, not stored again in the index
    _assert_each_planned_event_once(counts, executions)
