"""A real BI tool reads the published file: Apache Superset, through its REST API.

Superset 6.1.0 needs SQLAlchemy < 2, so it lives in its own virtual environment (never
the project's), built from ``superset-requirements.txt`` at
``~/.cache/journey-warehouse/superset-venv``
(or ``$JOURNEY_SUPERSET_VENV``) and reused while that file is unchanged. The test starts
Superset on 127.0.0.1 with a throwaway SQLite metadata database, registers the published
file read-only, runs SQL Lab queries, checks that writes are refused and that a later
publish is seen, and stops the server by its PID.

Superset's venv holds DuckDB 1.4.2, the oldest its ``duckdb`` extra allows, so this is
also the check that a DuckDB 1.x reader opens the file DuckDB 2.0 publishes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.serving.publish import publish

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).resolve().with_name("superset-requirements.txt")
# Outside the clone, so CI's fresh clones reuse it (it is 870 MB and takes ~2 min).
VENV = Path(
    os.environ.get("JOURNEY_SUPERSET_VENV")
    or Path.home() / ".cache" / "journey-warehouse" / "superset-venv"
)
MARKER = ".journey-requirements"
"""File in the venv holding the hash of the requirements it was built from."""

ADMIN = {"username": "admin", "password": secrets.token_urlsafe(12)}

# (month, won_revenue, won_deals): checkable by hand, March has nothing won.
MONTHS = [
    ("2026-01-01", 12000.0, 3),
    ("2026-02-01", 8500.5, 2),
    ("2026-03-01", 0.0, 0),
]
QUERY = "select month, won_revenue, won_deals from marts.mart_sales_monthly order by month"


def log(message: str) -> None:
    print(f"[superset] {message}", file=sys.stderr, flush=True)


def make_warehouse(path: Path, months: list[tuple[str, float, int]]) -> Path:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create or replace table marts.mart_sales_monthly "
            "(month date, won_revenue double, won_deals bigint)"
        )
        conn.executemany("insert into marts.mart_sales_monthly values (?, ?, ?)", months)
    return path


def rows(data: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["month"], r["won_revenue"], r["won_deals"]) for r in data]


# --- Superset's own venv ---------------------------------------------------------------


def _fingerprint() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    return f"{digest} python{sys.version_info.major}.{sys.version_info.minor}\n"


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without the project venv's variables, Superset's venv first on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}
    }
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def _build_venv() -> None:
    shutil.rmtree(VENV, ignore_errors=True)
    python = VENV / "bin" / "python"
    for command in (
        [sys.executable, "-m", "venv", str(VENV)],
        [str(python), "-m", "pip", "install", "--quiet", "--no-input", "-r", str(REQUIREMENTS)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, env=_clean_env())
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            shutil.rmtree(VENV, ignore_errors=True)
            pytest.skip(
                f"cannot build Superset's virtual environment at {VENV} "
                f"(no network to the package registry?): `{' '.join(command[:4])} ...` "
                f"exited {done.returncode}:\n{tail}"
            )
    (VENV / MARKER).write_text(_fingerprint())


@pytest.fixture(scope="session")
def superset_venv() -> Path:
    """Superset's venv, built once and reused while superset-requirements.txt is unchanged."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / f"{VENV.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs must not build it at once
        marker = VENV / MARKER
        started = time.monotonic()
        built = (VENV / "bin" / "superset").exists() and marker.exists()
        if built and marker.read_text() == _fingerprint():
            log(f"venv reused: {VENV}")
            return VENV
        log(f"building venv {VENV} from {REQUIREMENTS.name} (about two minutes cold)")
        _build_venv()
        log(f"venv installed in {time.monotonic() - started:.1f}s")
    return VENV


# --- the server -------------------------------------------------------------------------


@dataclass
class Superset:
    base_url: str
    pid: int
    log_path: Path
    token: str = ""

    def call(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        """One REST call; the status and the JSON body (errors included)."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers=headers,
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return status, {"raw": raw.decode(errors="replace")[:2000]}

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def sql(self, database_id: int, sql: str) -> tuple[int, dict]:
        return self.call(
            "POST",
            "/api/v1/sqllab/execute/",
            {"database_id": database_id, "sql": sql, "schema": "marts", "runAsync": False},
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _superset_cli(venv: Path, env: dict[str, str], log_path: Path, *args: str) -> None:
    with open(log_path, "a") as out:
        out.write(f"\n$ superset {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(
            [str(venv / "bin" / "superset"), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
    if done.returncode != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        pytest.fail(f"`superset {args[0]}` exited {done.returncode}:\n{tail}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def superset(superset_venv: Path, tmp_path: Path) -> Iterator[Superset]:
    """Superset on 127.0.0.1 with a throwaway SQLite metadata database; stopped by PID."""
    home = tmp_path / "superset_home"
    home.mkdir()
    config = tmp_path / "superset_config.py"
    metadata_uri = f"sqlite:///{tmp_path / 'superset.db'}"
    config.write_text(
        "# Throwaway Superset for tests/bi/test_superset.py\n"
        f"SQLALCHEMY_DATABASE_URI = {metadata_uri!r}\n"
        f"SECRET_KEY = {secrets.token_urlsafe(42)!r}\n"
        "WTF_CSRF_ENABLED = False\n"
        "TALISMAN_ENABLED = False\n"
        "RATELIMIT_ENABLED = False\n"
        "SQLLAB_ASYNC_TIME_LIMIT_SEC = 60\n"
        "SQLLAB_TIMEOUT = 60\n"
    )
    env = _clean_env(SUPERSET_CONFIG_PATH=str(config), SUPERSET_HOME=str(home))
    log_path = tmp_path / "superset.log"

    started = time.monotonic()
    _superset_cli(superset_venv, env, log_path, "db", "upgrade")
    _superset_cli(
        superset_venv,
        env,
        log_path,
        "fab",
        "create-admin",
        "--username",
        ADMIN["username"],
        "--password",
        ADMIN["password"],
        "--firstname",
        "Test",
        "--lastname",
        "Admin",
        "--email",
        "admin@example.invalid",
    )
    _superset_cli(superset_venv, env, log_path, "init")  # roles: without it the API is 403
    log(f"metadata database set up in {time.monotonic() - started:.1f}s")

    port = _free_port()
    started = time.monotonic()
    with open(log_path, "a") as out:
        process = subprocess.Popen(
            [
                str(superset_venv / "bin" / "superset"),
                "run",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "--with-threads",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Superset(base_url=f"http://127.0.0.1:{port}", pid=process.pid, log_path=log_path)
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"Superset exited {process.returncode}:\n{server.log_tail()}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{server.base_url}/health", timeout=5) as response,
            ):
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"Superset not healthy after 180s:\n{server.log_tail()}")
            time.sleep(0.5)
        log(f"server (pid {process.pid}) healthy in {time.monotonic() - started:.1f}s")
        yield server
    finally:
        _stop(process)
        log(f"server (pid {process.pid}) stopped, exit code {process.returncode}")


# --- the test ---------------------------------------------------------------------------


def test_superset_reads_the_published_file_read_only(superset: Superset, tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", MONTHS)
    serving = tmp_path / "published" / "serving.duckdb"
    publish(warehouse, serving, run_id="run-1")
    uri = f"duckdb:///{serving.resolve()}?access_mode=read_only"  # duckdb:////abs/path

    status, body = superset.call("POST", "/api/v1/security/login", {**ADMIN, "provider": "db"})
    assert status == 200, body
    superset.token = body["access_token"]

    # As a Superset admin would: read-only file, exposed in SQL Lab, DML not allowed.
    status, body = superset.call(
        "POST",
        "/api/v1/database/",
        {
            "database_name": "journey",
            "sqlalchemy_uri": uri,
            "expose_in_sqllab": True,
            "allow_dml": False,
        },
    )
    assert status == 201, body
    database_id = body["id"]

    started = time.monotonic()
    status, body = superset.sql(database_id, QUERY)
    log(f"first SQL Lab query in {time.monotonic() - started:.2f}s")
    assert status == 200, body
    assert body["status"] == "success"
    assert rows(body["data"]) == MONTHS
    status, body = superset.sql(database_id, "select version() as version")
    assert status == 200, body
    assert body["data"][0]["version"].startswith("v1."), body  # a DuckDB 1.x reader
    status, body = superset.sql(
        database_id,
        "select sum(won_revenue) as revenue, sum(won_deals) as deals from marts.mart_sales_monthly",
    )
    assert status == 200, body
    assert body["data"] == [{"revenue": 20500.5, "deals": 5}]

    # Writes are refused twice over: by Superset (DML not allowed) and, with DML
    # allowed, by DuckDB itself (the file is opened with access_mode=read_only).
    published_bytes = serving.read_bytes()
    status, body = superset.call(
        "POST",
        "/api/v1/database/",
        {
            "database_name": "journey, DML allowed",
            "sqlalchemy_uri": uri,
            "expose_in_sqllab": True,
            "allow_dml": True,
        },
    )
    assert status == 201, body
    dml_database_id = body["id"]
    for write in (
        "delete from marts.mart_sales_monthly",
        "create table marts.x as select 1 as x",
        "update marts.mart_sales_monthly set won_revenue = 0",
    ):
        status, body = superset.sql(database_id, write)
        assert status >= 400, (write, body)
        assert body["errors"][0]["error_type"] == "DML_NOT_ALLOWED_ERROR", body
        status, body = superset.sql(dml_database_id, write)
        assert status >= 400, (write, body)
        assert "read-only" in body["errors"][0]["message"], body
    assert serving.read_bytes() == published_bytes
    with duckdb.connect(str(serving), read_only=True) as conn:
        assert [
            (month.isoformat(), revenue, deals)
            for month, revenue, deals in conn.execute(QUERY).fetchall()
        ] == MONTHS
        assert conn.execute(
            "select count(*) from duckdb_tables() where table_name = 'x'"
        ).fetchone() == (0,)

    # The next publish is seen by the next query: Superset does not pool DuckDB
    # connections (NullPool), so nothing needs recycling on its side.
    april = [*MONTHS, ("2026-04-01", 4200.0, 1)]
    publish(make_warehouse(warehouse, april), serving, run_id="run-2")
    status, body = superset.sql(database_id, QUERY)
    assert status == 200, body
    assert rows(body["data"]) == april
