"""dbt prepared at the start of a refresh (orchestration/dbt/warm.py): the launcher
runs the dbt step's command in the prepared process when it may, and dbt itself
otherwise, with the same output and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt import warm
from orchestration.settings import DBT_PROJECT_DIR

LAUNCHER = Path(sys.executable).with_name("journey-dbt")
PROJECT = str(DBT_PROJECT_DIR)

pytestmark = pytest.mark.skipif(not warm.supported(), reason="needs Unix sockets")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["build", "--select", "fqn:*", "--full-refresh"], None),
        (["run", "--select", "dim_dates"], None),
        (["--version"], "command None"),
        (["ls", "--select", "dim_dates"], "command 'ls'"),
        (["build", "--target", "spark"], "argument(s) ['--target'] change what dbt parses"),
        (["build", "--vars={a: 1}"], "argument(s) ['--vars'] change what dbt parses"),
    ],
)
def test_which_commands_the_prepared_process_may_run(args, reason) -> None:
    assert warm.why_not_served_args(args) == reason


def test_a_variable_the_parse_read_must_not_have_changed(tmp_path: Path) -> None:
    parsed = {"JOURNEY_WAREHOUSE": "/data/a.duckdb", "HOME": "/root"}
    same = {**parsed, "HOME": "/elsewhere", "DBT_TARGET_PATH": str(tmp_path)}
    assert warm.why_not_served(["build"], same, PROJECT, parsed, PROJECT) is None
    moved = {**parsed, "JOURNEY_WAREHOUSE": "/data/b.duckdb"}
    assert "JOURNEY_WAREHOUSE" in warm.why_not_served(["build"], moved, PROJECT, parsed, PROJECT)
    other_target = {**parsed, "DBT_TARGET": "spark"}
    assert "DBT_TARGET" in warm.why_not_served(["build"], other_target, PROJECT, parsed, PROJECT)
    assert "working directory" in warm.why_not_served(
        ["build"], parsed, str(tmp_path), parsed, PROJECT
    )
    assert "DBT_PROJECT_DIR" in warm.why_not_served(
        ["build"], {**parsed, "DBT_PROJECT_DIR": str(tmp_path)}, PROJECT, parsed, PROJECT
    )


def _journey_dbt(args: list[str], env: dict[str, str], target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LAUNCHER), *args],
        cwd=PROJECT,
        env={
            **env,
            "DBT_TARGET_PATH": str(target),
            "DBT_LOG_PATH": str(target),
            "DBT_LOG_FORMAT": "json",
            "DBT_PROJECT_DIR": PROJECT,
            "DBT_PROFILES_DIR": PROJECT,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )


def _days(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute("select count(*) from marts.dim_dates").fetchone()[0]


CALENDAR_DAYS = (date(2035, 12, 31) - date(2015, 1, 1)).days + 1  # dim_dates' bounds


@pytest.fixture
def refresh_env(tmp_path: Path, monkeypatch) -> tuple[Path, dict[str, str]]:
    """An empty warehouse in ``tmp_path`` exported as a refresh exports its settings
    (what the prepared process parses with), and no ``JOURNEY_WARM_DBT_DISABLED``."""
    warehouse = tmp_path / "warehouse.duckdb"
    settings_env = {"JOURNEY_WAREHOUSE": str(warehouse), "JOURNEY_ENGINE": "duckdb"}
    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(warm.DISABLE_ENV, raising=False)
    return warehouse, settings_env


def test_the_prepared_process_runs_one_command_then_dbt_runs_itself(
    tmp_path: Path, refresh_env
) -> None:
    warehouse, settings_env = refresh_env
    with warm.WarmDbt(DBT_PROJECT_DIR, settings_env) as prepared:
        socket_path = os.environ[warm.SOCKET_ENV]
        # the folder names its refresh and server, for a later refresh's sweep
        owners = (prepared.folder / warm.OWNERS_FILE).read_text().split()
        assert owners == [str(os.getpid()), str(prepared.process.pid)]
        first = _journey_dbt(["run", "--select", "dim_dates"], dict(os.environ), tmp_path / "t1")
        status = warm.served_status()
        assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
        # dbt's structured log lines reached the launcher's output, as from dbt itself
        events = [json.loads(line) for line in first.stdout.splitlines() if line.startswith("{")]
        assert any(e["info"]["name"] == "LogModelResult" for e in events)
        assert status["served"] is True and status["parsed"] is True
        assert _days(warehouse) == CALENDAR_DAYS
        assert (tmp_path / "t1" / "run_results.json").exists()
        # the server served once and is gone: the next command is dbt's own
        assert not Path(socket_path).exists()
        second = _journey_dbt(["run", "--select", "dim_dates"], dict(os.environ), tmp_path / "t2")
        assert second.returncode == 0, second.stdout[-2000:]
        assert (tmp_path / "t2" / "run_results.json").exists()
        assert warm.served_status()["served"] is False
        # the served build left the fresh parse for the dbt step to keep
        assert (tmp_path / "t1" / "partial_parse.msgpack").exists()
        # and dbt's run results name the command as dbt would
        results = json.loads((tmp_path / "t1" / "run_results.json").read_text())
        assert results["args"]["invocation_command"] == "dbt run --select dim_dates"
        statuses = {r["unique_id"]: r["status"] for r in results["results"]}
        assert statuses["model.journey_warehouse.dim_dates"] == "success"
        # the served command wrote no second copy of the parse (the server has it);
        # dbt itself writes the manifest as ever
        assert not (tmp_path / "t1" / "manifest.json").exists()
        assert (tmp_path / "t2" / "manifest.json").exists()
    assert warm.SOCKET_ENV not in os.environ


def test_a_command_for_another_warehouse_is_left_to_dbt(tmp_path: Path, monkeypatch) -> None:
    parsed_for = {"JOURNEY_WAREHOUSE": str(tmp_path / "a.duckdb"), "JOURNEY_ENGINE": "duckdb"}
    monkeypatch.delenv(warm.DISABLE_ENV, raising=False)
    with warm.WarmDbt(DBT_PROJECT_DIR, parsed_for):
        env = {**os.environ, "JOURNEY_WAREHOUSE": str(tmp_path / "b.duckdb")}
        done = _journey_dbt(["run", "--select", "dim_dates"], env, tmp_path / "t")
        status = warm.served_status()
    assert done.returncode == 0, done.stdout[-2000:]
    assert status["served"] is False and "JOURNEY_WAREHOUSE" in status["fallback"]
    # dbt itself built it, in the warehouse the command named
    assert _days(tmp_path / "b.duckdb") == CALENDAR_DAYS
    assert not (tmp_path / "a.duckdb").exists()


def test_a_failing_command_keeps_dbts_exit_code(tmp_path: Path, refresh_env) -> None:
    """A model that fails is dbt's exit code 1, through the prepared process too."""
    _, settings_env = refresh_env
    with warm.WarmDbt(DBT_PROJECT_DIR, settings_env):
        # staging reads raw, which an empty warehouse does not have
        done = _journey_dbt(
            ["run", "--select", "stg_fx__ecb_rates"], dict(os.environ), tmp_path / "t"
        )
        status = warm.served_status()
    assert status["served"] is True
    assert done.returncode == 1, done.stdout[-2000:]


def test_without_a_prepared_process_the_launcher_is_dbt() -> None:
    env = {**os.environ, warm.SOCKET_ENV: "/nonexistent/dbt.sock"}
    done = subprocess.run(
        [str(LAUNCHER), "--version"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0
    assert "Core" in done.stdout


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_prepared_process_whose_refresh_was_killed_ends(tmp_path: Path) -> None:
    """A refresh killed (kill -9) before its dbt step leaves no process waiting and
    no folder behind."""
    parent = (
        "import os, sys\n"
        "from orchestration.dbt import warm\n"
        "from orchestration.settings import DBT_PROJECT_DIR\n"
        f"w = warm.WarmDbt(DBT_PROJECT_DIR, {{'JOURNEY_WAREHOUSE': '{tmp_path}/w.duckdb'}})\n"
        "w.__enter__()\n"
        "print(w.process.pid, w.folder, flush=True)\n"
        "os._exit(9)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != warm.DISABLE_ENV}
    done = subprocess.run(
        [sys.executable, "-c", parent], env=env, capture_output=True, text=True, timeout=60
    )
    pid, folder = done.stdout.split()
    server = int(pid)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _alive(server):
        time.sleep(0.5)
    assert not _alive(server)
    assert not Path(folder).exists()  # nor its folder (the socket, its parse)


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its parent."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_launcher_without_standard_input_still_runs_dbt(tmp_path: Path, refresh_env) -> None:
    """A refresh started with its standard input closed (cron with ``<&-``): the
    command still runs (in the prepared process, or by dbt itself when a stream cannot
    be handed over), never a failed step."""
    warehouse, settings_env = refresh_env
    with warm.WarmDbt(DBT_PROJECT_DIR, settings_env):
        done = subprocess.run(
            [str(LAUNCHER), "run", "--select", "dim_dates"],
            cwd=PROJECT,
            env={**os.environ, "DBT_TARGET_PATH": str(tmp_path / "t")},
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=lambda: os.close(0),  # noqa: PLW1509 - the child's stdin only
        )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert _days(warehouse) == CALENDAR_DAYS


def test_folders_left_by_killed_refreshes_are_swept(tmp_path: Path) -> None:
    """A refresh whose whole process group was killed leaves its folder; the next
    refresh removes it, and only it: a folder naming a live process stays, and so does
    one still being created (no process ids yet, younger than the grace period)."""
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)  # this process has ended (and was reaped by run())

    def folder(name: str, owners: str | None) -> Path:
        path = tmp_path / f"{warm.FOLDER_PREFIX}{name}"
        (path / "target").mkdir(parents=True)
        (path / "target" / "partial_parse.msgpack").write_bytes(b"x" * 1024)
        if owners is not None:
            (path / warm.OWNERS_FILE).write_text(owners)
        return path

    orphan = folder("orphan", f"{dead_pid}\n{dead_pid}\n")
    live = folder("live", f"{dead_pid}\n{os.getpid()}\n")  # its server still runs
    creating = folder("creating", None)
    stale = folder("stale", None)
    old = time.time() - warm.UNOWNED_GRACE_SECONDS - 60
    os.utime(stale, (old, old))
    unrelated = tmp_path / "journey-other"
    unrelated.mkdir()

    assert sorted(warm.sweep_orphans(tmp_path)) == sorted([orphan, stale])
    assert not orphan.exists() and not stale.exists()
    assert live.exists() and creating.exists() and unrelated.exists()


def test_a_full_builds_data_tests_are_compiled_while_the_refresh_holds_the_warehouse(
    tmp_path: Path, refresh_env
) -> None:
    """With ``compile_tests`` (a build of every model) the prepared process compiles
    every data test of the refresh's build without opening the warehouse, which the
    refresh has open for writing meanwhile (DuckDB lets one process write)."""
    from orchestration.dbt.assets import refresh_test_ids
    from orchestration.dbt.project import dbt_manifest

    warehouse, settings_env = refresh_env
    expected = refresh_test_ids(dbt_manifest())
    with (
        duckdb.connect(str(warehouse)) as writer,  # the refresh's loads
        warm.WarmDbt(DBT_PROJECT_DIR, settings_env, compile_tests=True) as prepared,
    ):
        writer.execute("create table loading as select 1 as row")
        tests = warm.compiled_tests()
        status = warm.served_status()
        scratch = prepared.folder / "target" / "compile-only"
        opened = sorted(p.name for p in scratch.iterdir()) if scratch.exists() else []
    assert status["tests_compiled"] == len(expected) > 500, status
    assert {t["unique_id"] for t in tests} == expected
    by_id = {t["unique_id"]: t for t in tests}
    unique = next(i for i in expected if ".unique_stg_segment__events_event_id." in i)
    # the SQL names the relations as the build will create them (the database is the
    # warehouse file's stem), with dbt's default test config
    assert '"warehouse"."staging"."stg_segment__events"' in by_id[unique]["sql"]
    assert (by_id[unique]["severity"], by_id[unique]["fail_calc"]) == ("error", "count(*)")
    assert opened == []  # dbt opened no database, not even the scratch one
