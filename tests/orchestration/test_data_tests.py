"""A new day's dbt data tests run on the warehouse after dbt's build
(``orchestration/dbt/data_tests.py``): judged as dbt judges them, their compiled SQL kept
from a build that ran them all, under a key of everything it was compiled from."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.build_state import BuildPlan
from orchestration.dbt.assets import BuildOutcome, _runnable, rebuilt_every_model, refresh_test_ids
from orchestration.dbt.data_tests import (
    KEEP_STORED,
    DataTest,
    compiled_tests_key,
    data_tests_of_run,
    judge,
    load_compiled_tests,
    run_data_tests,
    save_compiled_tests,
    summary,
)
from orchestration.dbt.project import dbt_manifest


@pytest.fixture
def conn():
    connection = duckdb.connect()
    # three deals: deal 2 twice (once without an amount)
    connection.execute(
        "create table deals as select * from "
        "(values (1, 10), (2, null), (2, 5)) as t(deal_id, amount)"
    )
    yield connection
    connection.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_each_test_is_judged_as_dbt_judges_it(conn, workers: int) -> None:
    tests = [
        # one row without an amount: an error-severity test fails
        DataTest("test.p.not_null_amount.1", "select * from deals where amount is null"),
        # deal 2 twice: a warn-severity test warns
        DataTest(
            "test.p.unique_deal_id.2",
            "select deal_id from deals group by deal_id having count(*) > 1",
            severity="warn",
        ),
        # nothing above 100: passes with 0 failures
        DataTest("test.p.amount_below_100", "select * from deals where amount > 100"),
        # error_if '> 1' with 1 failing row: dbt warns (warn_if '!= 0' holds), not fails
        DataTest("test.p.thresholds", "select * from deals where amount is null", error_if="> 1"),
        # fail_calc sums the amounts of the rows found: 10 + 5 = 15 -> fails
        DataTest(
            "test.p.amounts",
            "select amount from deals where amount is not null",
            fail_calc="coalesce(sum(amount), 0)",
        ),
        # limit 1: dbt counts at most one of the three rows
        DataTest("test.p.limited", "select * from deals", limit=1),
        # dbt needs an integer count: sum() over no rows is null, a text is no count
        DataTest(
            "test.p.null_count",
            "select amount from deals where amount > 100",
            fail_calc="sum(amount)",
        ),
        DataTest("test.p.text_count", "select * from deals", fail_calc="'many'"),
        # a table that does not exist: an error; the test after it still runs
        DataTest("test.p.broken", "select * from no_such_table"),
        DataTest("test.p.after_the_broken_one", "select * from deals where deal_id = 3"),
    ]
    seen: list = []
    # two workers: two cursors of the one database, one thread each
    connections = [conn] + [conn.cursor() for _ in range(workers - 1)]
    outcomes = run_data_tests(connections, tests, on_outcome=seen.append)
    # in the order given, whatever order they ended in
    assert [(o.name, o.status, o.failures) for o in outcomes] == [
        ("not_null_amount", "fail", 1),
        ("unique_deal_id", "warn", 1),
        ("amount_below_100", "pass", 0),
        ("thresholds", "warn", 1),
        ("amounts", "fail", 15),
        ("limited", "fail", 1),
        ("null_count", "error", None),
        ("text_count", "error", None),
        ("broken", "error", None),
        ("after_the_broken_one", "pass", 0),
    ]
    assert "failures=None" in outcomes[6].message
    assert "no_such_table" in outcomes[8].message
    assert [o.blocking_failure for o in outcomes] == [
        True,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
        True,
        False,
    ]
    # each handed on as it is known (one worker: in the order given)
    if workers == 1:
        assert seen == outcomes
    else:
        assert sorted(seen, key=lambda o: o.unique_id) == sorted(
            outcomes, key=lambda o: o.unique_id
        )
    line = summary(outcomes, 1.25)
    assert line.startswith("10 dbt data tests run on the warehouse in 1.2 s")
    assert "(2 pass, 2 warn, 3 fail, 3 error)" in line
    # a test that passes reports 0 failing rows, as in dbt's run results, whatever its
    # fail_calc counted below error_if and warn_if
    lenient = DataTest("test.p.lenient", "select * from deals", warn_if="> 5", error_if="> 5")
    assert run_data_tests(conn, [lenient])[0].failures == 0


def test_a_run_stops_between_tests_when_asked(conn) -> None:
    tests = [DataTest(f"test.p.t{n}", "select * from deals where false") for n in range(3)]
    seen: list = []
    outcomes = run_data_tests(conn, tests, on_outcome=seen.append, stop=lambda: len(seen) == 2)
    assert [o.name for o in outcomes] == ["t0", "t1"]
    # two workers: neither takes a test once told to stop
    assert run_data_tests([conn, conn.cursor()], tests, stop=lambda: True) == []


def test_dbts_status_rule() -> None:
    assert judge("ERROR", True, True) == "fail"
    assert judge("warn", True, True) == "warn"
    assert judge("error", True, False) == "warn"
    assert judge("error", None, None) == "pass"


def _run_results(*results: dict, which: str = "build") -> dict:
    return {"args": {"which": which}, "results": list(results)}


def _manifest() -> dict:
    node = {
        "config": {
            "severity": "ERROR",
            "fail_calc": "count(*)",
            "warn_if": "!= 0",
            "error_if": "!= 0",
            "limit": None,
        }
    }
    warn = {"config": {**node["config"], "severity": "warn", "limit": 5}}
    return {"nodes": {"test.p.a": node, "test.p.b": warn, "model.p.m": {"config": {}}}}


def test_the_tests_of_a_build_that_ran_them_all_are_kept_with_their_config() -> None:
    run = _run_results(
        {"unique_id": "model.p.m", "status": "success", "compiled_code": "select 1"},
        {"unique_id": "test.p.a", "status": "pass", "compiled_code": "select 1 where false"},
        {"unique_id": "test.p.b", "status": "fail", "compiled_code": "select 2"},
    )
    tests = data_tests_of_run(run, _manifest(), {"test.p.a", "test.p.b"})
    assert tests == [
        DataTest("test.p.a", "select 1 where false", "error", "count(*)", "!= 0", "!= 0", None),
        DataTest("test.p.b", "select 2", "warn", "count(*)", "!= 0", "!= 0", 5),
    ]
    # not every test the refresh runs: nothing kept
    assert data_tests_of_run(run, _manifest(), {"test.p.a", "test.p.b", "test.p.c"}) is None
    # a test dbt skipped (below a failed model) has no compiled SQL: nothing kept
    skipped = _run_results(
        {"unique_id": "test.p.a", "status": "pass", "compiled_code": "select 1"},
        {"unique_id": "test.p.b", "status": "skipped", "compiled_code": None},
    )
    assert data_tests_of_run(skipped, _manifest(), {"test.p.a", "test.p.b"}) is None
    # a `dbt run` ran no test
    assert data_tests_of_run(_run_results(which="run"), _manifest(), set()) is None


def test_kept_tests_are_read_back_only_under_their_key(tmp_path: Path) -> None:
    tests = [DataTest("test.p.a", "select 1", limit=3)]
    store = tmp_path / "store"
    path = save_compiled_tests(store, "k" * 64, tests)
    assert path is not None and path.parent == store
    assert load_compiled_tests(store, "k" * 64) == tests
    assert load_compiled_tests(store, "j" * 64) is None
    # a file whose key differs beyond the name's 32 characters is another key's
    assert load_compiled_tests(store, "k" * 32 + "x" * 32) is None
    path.write_text("{not json")
    assert load_compiled_tests(store, "k" * 64) is None
    assert json.loads(save_compiled_tests(store, "k" * 64, tests).read_text())["key"] == "k" * 64


def test_only_the_newest_kept_files_stay(tmp_path: Path) -> None:
    store = tmp_path / "store"
    for number in range(KEEP_STORED + 3):
        path = save_compiled_tests(store, f"{number:02d}" * 32, [DataTest("test.p.a", "select 1")])
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
    save_compiled_tests(store, "f" * 64, [DataTest("test.p.a", "select 1")])
    kept = sorted(p.name for p in store.glob("*.json"))
    assert len(kept) == KEEP_STORED
    assert "00" * 16 + ".json" not in kept and "f" * 32 + ".json" in kept


def test_an_unwritable_store_keeps_the_tests_in_dbt(tmp_path: Path) -> None:
    blocked = tmp_path / "a_file"
    blocked.write_text("")
    assert save_compiled_tests(blocked / "store", "k" * 64, []) is None


def test_the_key_changes_with_everything_the_sql_is_compiled_from(tmp_path: Path) -> None:
    profile = tmp_path / "profiles.yml"
    profile.write_text("journey: {}\n")
    base = {
        "definitions_sha256": "abc",
        "profiles_yml": profile,
        "database": "warehouse",
        "engine": "duckdb",
        "dbt_version": "1.11.2",
    }
    key = compiled_tests_key(**base)
    assert key == compiled_tests_key(**base)
    for field, other in [
        ("definitions_sha256", "abd"),
        ("database", "bench"),
        ("engine", "spark"),
        ("dbt_version", "1.11.3"),
    ]:
        assert compiled_tests_key(**{**base, field: other}) != key, field
    # a packages file, absent or present, is part of it
    packages = tmp_path / "packages.yml"
    assert compiled_tests_key(**base, project_files=[packages]) != key
    without = compiled_tests_key(**base, project_files=[packages])
    packages.write_text("packages: []\n")
    assert compiled_tests_key(**base, project_files=[packages]) != without
    profile.write_text("journey: {target: dev}\n")
    assert compiled_tests_key(**base) != key


def test_the_tests_of_a_model_dbt_did_not_build_do_not_run() -> None:
    manifest = dbt_manifest()
    ids = refresh_test_ids(manifest)
    assert not any("engine_contract" in manifest["nodes"][i]["tags"] for i in ids)
    on_journey = sorted(
        i
        for i in ids
        if manifest["nodes"][i]["depends_on"]["nodes"]
        == ["model.journey_warehouse.fct_customer_journey"]
    )
    assert on_journey
    tests = [DataTest(i, "select 1") for i in on_journey]
    built = _run_results(
        {"unique_id": "model.journey_warehouse.fct_customer_journey", "status": "success"}
    )
    assert _runnable(tests, built) == tests
    skipped = _run_results(
        {"unique_id": "model.journey_warehouse.fct_customer_journey", "status": "skipped"}
    )
    assert _runnable(tests, skipped) == []
    # run results that could not be read say nothing: every test runs
    assert _runnable(tests, {}) == tests
    # a model the build left out as unchanged (orchestration/dbt/selection.py) is tested
    other = _run_results({"unique_id": "model.journey_warehouse.dim_dates", "status": "success"})
    assert _runnable(tests, other) == []
    unchanged = {"model.journey_warehouse.fct_customer_journey"}
    assert _runnable(tests, other, unchanged) == tests


def test_the_rebuild_mark_goes_once_a_full_build_rebuilt_every_model() -> None:
    full = BuildPlan(True, "rebuild", full_refresh=True)
    built = BuildOutcome(crashed=False)
    assert rebuilt_every_model(full, built, partial=False, blocked={})
    # (whatever its tests found); not when a model was left as it was
    day = BuildPlan(False, "a new day", changed_tables=(("segment", "events"),))
    assert not rebuilt_every_model(day, built, partial=False, blocked={})
    assert not rebuilt_every_model(full, built, partial=True, blocked={})
    assert not rebuilt_every_model(full, built, partial=False, blocked={"source:a.b+": []})
    skipped = BuildOutcome(crashed=False, skipped=("fct_customer_journey",))
    assert not rebuilt_every_model(full, skipped, partial=False, blocked={})
    failed = BuildOutcome(crashed=False, model_errors=("dim_persons",))
    assert not rebuilt_every_model(full, failed, partial=False, blocked={})
