"""What a refresh's dbt step costs before dbt builds anything: no ``dbt --version``
child process, and the newest parse handed to the next invocation."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
from packaging import version

from orchestration.dbt import assets
from orchestration.dbt.assets import (
    JourneyDbtCliResource,
    keep_partial_parse,
    prune_invocation_folders,
    remove_project_copy,
)
from orchestration.settings import DBT_PROJECT_DIR


def test_dbt_version_is_read_from_the_installed_package(monkeypatch) -> None:
    def no_child_process(*args, **kwargs):
        raise AssertionError(f"started {args[0]}")

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", no_child_process)
    beside = str(Path(sys.executable).with_name("dbt"))
    resource = JourneyDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=beside)
    assert resource._cli_version == version.parse(installed_version("dbt-core"))
    assert resource._cli_version.major == 1


def test_another_dbt_is_asked_for_its_version(tmp_path: Path, monkeypatch) -> None:
    other = tmp_path / "bin" / "dbt"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    calls = []

    def fake_check_output(argv, *args, **kwargs):
        calls.append(argv)
        return b"Core:\n  - installed: 1.10.3\n"

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", fake_check_output)
    resource = JourneyDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=str(other))
    assert resource._cli_version == version.parse("1.10.3")
    assert calls == [[str(other), "--version"]]


def test_the_newest_parse_replaces_the_kept_one(tmp_path: Path) -> None:
    invocation, project = tmp_path / "target" / "journey_dbt-abc", tmp_path / "target"
    invocation.mkdir(parents=True)
    (project / "partial_parse.msgpack").write_bytes(b"parsed at install")
    (invocation / "partial_parse.msgpack").write_bytes(b"parsed by the last refresh")

    keep_partial_parse(invocation, project)

    assert (project / "partial_parse.msgpack").read_bytes() == b"parsed by the last refresh"
    assert sorted(p.name for p in project.iterdir()) == ["journey_dbt-abc", "partial_parse.msgpack"]


def test_an_invocation_without_a_parse_leaves_the_kept_one(tmp_path: Path) -> None:
    (tmp_path / "partial_parse.msgpack").write_bytes(b"parsed at install")
    (tmp_path / "run").mkdir()
    keep_partial_parse(tmp_path / "run", tmp_path)
    assert (tmp_path / "partial_parse.msgpack").read_bytes() == b"parsed at install"


def test_a_read_only_target_costs_a_parse_not_the_step(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "partial_parse.msgpack").write_bytes(b"new")

    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(assets.os, "replace", refuse)
    keep_partial_parse(tmp_path / "run", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_old_invocation_folders_are_pruned_recent_ones_kept(tmp_path: Path) -> None:
    hour = 3600
    now = time.time()
    ages = {"journey_dbt-a": 5 * hour, "journey_dbt-b": 4 * hour, "journey_dbt-c": 3 * hour}
    ages |= {"journey_dbt-d": 2 * hour, "journey_dbt-e": 60, "journey_dbt-f": 30}
    for name, age in ages.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "dbt.log").write_text("log")
        os.utime(folder, (now - age, now - age))
    (tmp_path / "partial_parse.msgpack").write_bytes(b"kept")
    (tmp_path / "manifest.json").write_text("{}")

    prune_invocation_folders(tmp_path, keep=2)

    # the two newest stay, and so does anything touched in the last hour
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "journey_dbt-e",
        "journey_dbt-f",
        "manifest.json",
        "partial_parse.msgpack",
    ]
    prune_invocation_folders(tmp_path, keep=0)
    assert {"journey_dbt-e", "journey_dbt-f"} <= {p.name for p in tmp_path.iterdir()}


def test_dagster_dbts_copy_of_the_project_is_removed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    copy = tmp_path / "tmpab12cd"
    (copy / "target").mkdir(parents=True)
    (copy / "dbt_project.yml").write_text("name: journey_warehouse\n")
    (copy / "selectors.yml").write_text("selectors: []\n")

    remove_project_copy(copy, DBT_PROJECT_DIR)

    assert not copy.exists()


def test_the_project_itself_and_other_folders_are_never_removed(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    remove_project_copy(DBT_PROJECT_DIR, DBT_PROJECT_DIR)
    assert (DBT_PROJECT_DIR / "dbt_project.yml").exists()
    deeper = tmp_path / "site" / "dbt_project"  # not directly in the temp directory
    deeper.mkdir(parents=True)
    (deeper / "dbt_project.yml").write_text("name: x\n")
    remove_project_copy(deeper, DBT_PROJECT_DIR)
    not_dbt = tmp_path / "tmpzz"  # no dbt_project.yml: not a project copy
    not_dbt.mkdir()
    remove_project_copy(not_dbt, DBT_PROJECT_DIR)
    assert deeper.exists() and not_dbt.exists()


class _Process:
    def __init__(self, code: int) -> None:
        self.code = code

    def wait(self, timeout: float | None = None) -> int:
        return self.code


class _Invocation:
    """The parts of a finished dagster-dbt invocation that build_outcome reads."""

    def __init__(self, code: int, results: list[dict] | None) -> None:
        self.process = _Process(code)
        self.results = results

    def get_artifact(self, name: str) -> dict:
        assert name == "run_results.json"
        if self.results is None:
            raise FileNotFoundError(name)
        return {"results": self.results}


def test_a_failed_test_or_model_is_a_build_and_a_dbt_error_is_a_crash() -> None:
    from orchestration.dbt.assets import build_outcome

    results = [
        {"unique_id": "model.journey_warehouse.stg_a", "status": "success"},
        {"unique_id": "test.journey_warehouse.fx_rate_available_for_deals.1", "status": "fail"},
        {"unique_id": "model.journey_warehouse.mart_sales_monthly", "status": "skipped"},
        {"unique_id": "model.journey_warehouse.int_b", "status": "error"},
    ]
    outcome = build_outcome(_Invocation(1, results))
    assert not outcome.crashed
    assert outcome.model_errors == ("int_b",)
    assert outcome.skipped == ("mart_sales_monthly",)

    assert build_outcome(_Invocation(0, results[:1])) == assets.BuildOutcome(crashed=False)
    assert build_outcome(_Invocation(2, results)).crashed  # dbt's own error
    assert build_outcome(_Invocation(1, None)).crashed  # failed and left no results
    assert not build_outcome(_Invocation(0, None)).crashed


def test_a_test_result_dagster_did_not_read_is_taken_from_run_results() -> None:
    """A result line garbled in dbt's output (Spark's progress bar in front of it) is not
    lost: the check result comes from run_results.json, a failure as a failure."""
    from orchestration.dbt.assets import recovered_check_results
    from orchestration.dbt.project import dbt_manifest
    from orchestration.definitions import defs

    manifest = dbt_manifest()
    tests = {
        node["name"]: unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
    }
    lost = tests["unique_stg_salesforce__leads_lead_id"]
    warned = tests["not_null_stg_salesforce__leads_created_at"]
    read = tests["not_null_stg_salesforce__leads_lead_id"]
    run_results = {
        "results": [
            {"unique_id": lost, "status": "fail", "failures": 3},
            {"unique_id": warned, "status": "warn", "failures": 1},
            {"unique_id": read, "status": "fail", "failures": 2},
            {"unique_id": "model.journey_warehouse.stg_salesforce__leads", "status": "success"},
            {
                "unique_id": tests[
                    "relationships_stg_salesforce__lead_histories_lead_id__lead_id__ref_stg_salesforce__leads_"
                ],
                "status": "skipped",
            },
        ]
    }
    check_keys = set(defs.resolve_asset_graph().asset_check_keys)

    recovered = recovered_check_results(run_results, {read}, manifest, check_keys)

    by_name = {r.check_name: r for r in recovered}
    assert set(by_name) == {
        "unique_stg_salesforce__leads_lead_id",
        "not_null_stg_salesforce__leads_created_at",
    }
    failed = by_name["unique_stg_salesforce__leads_lead_id"]
    assert failed.asset_key == dg.AssetKey(["staging", "stg_salesforce__leads"])
    assert (failed.passed, failed.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert failed.metadata["dagster_dbt/failed_row_count"].value == 3
    warning = by_name["not_null_stg_salesforce__leads_created_at"]
    assert (warning.passed, warning.severity) == (False, dg.AssetCheckSeverity.WARN)
    # nothing to recover when every result was read
    assert recovered_check_results(run_results, {lost, warned, read}, manifest, check_keys) == []
