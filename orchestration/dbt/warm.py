"""A dbt process started at the beginning of a refresh, ready when the dbt step runs.

Every ``dbt build`` pays, before its first model, ~2 s to import dbt and its adapter and
~1.5-2 s to load the project (partial parsing), on one core, while the refresh waits:
~3.5 s of a new day's ~50 s at medium scale, and the same at every scale. The refresh
does not need to wait for it. ``journey refresh`` starts this module as a server
process as soon as it knows it has work (:class:`WarmDbt`); it imports dbt and parses
the project on the second core while the refresh imports its definitions, loads the
landing files and runs the raw checks, then waits on a Unix socket.

dagster-dbt still runs dbt the way it always does: as a subprocess whose output it
reads, here the ``journey-dbt`` launcher (:func:`launcher`; the resource's
``dbt_executable``). The launcher hands the server its arguments, working directory,
environment and its own standard input, output and error (``SCM_RIGHTS``); the server
runs ``dbtRunner(manifest=<the parsed project>).invoke(arguments)`` writing to those,
so dagster-dbt reads the same JSON lines as from dbt itself, and the launcher exits
with dbt's exit code (0 success, 1 a node failed, 2 dbt could not run).

For a build of every model (``compile_tests``: the first refresh, ``--full``, a changed
project) the server also compiles every data test after its parse
(:func:`_compile_tests`, :data:`TESTS_FILE`), so that the dbt step runs them on the
warehouse after the build (``orchestration/dbt/data_tests.py``) instead of as dbt nodes;
the step reads them with :func:`compiled_tests`.

The launcher runs dbt itself, as before (``os.execv`` of the ``dbt`` beside this
Python), whenever the server cannot be used as is: no server (a run launched from the
Dagster UI or a schedule, or a second dbt command: the server serves one and exits), an
argument that changes what is parsed (``--target``, ``--vars``, ``--profile``, a
project or profiles folder, any command other than build/run/test/seed), a different
project folder, a ``JOURNEY_*`` variable (the warehouse path names every relation) that
differs from the server's, or a server that failed to parse (dbt itself then reports
why). Stopping the launcher (dagster-dbt terminates it when the step ends early) kills
the server, which stops dbt and releases the warehouse as killing dbt itself does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

WAREHOUSE_ENV = "JOURNEY_WAREHOUSE"
"""The warehouse path the profile reads (``dbt_project/profiles.yml``)."""
SOCKET_ENV = "JOURNEY_WARM_DBT"
"""The server's socket, for the launcher (set by :class:`WarmDbt` while it runs)."""
PID_ENV = "JOURNEY_WARM_DBT_PID"
"""The server's process id: the launcher kills it when it is stopped."""
DISABLE_ENV = "JOURNEY_WARM_DBT_DISABLED"
"""Set to 1 to have ``journey refresh`` start no server (dbt starts in the dbt step)."""
SERVED_COMMANDS = {"build", "run", "test", "seed"}
PARSE_FLAGS = {
    "--target",
    "-t",
    "--vars",
    "--profile",
    "--project-dir",
    "--profiles-dir",
    "--target-path",
    "--no-partial-parse",
}
"""Arguments that change what dbt parses: with any of them dbt runs itself."""
STATUS_FILE = "status.json"
RUN_RESULTS_FILE = "run_results.json"
TESTS_FILE = "compiled_tests.json"
"""The data tests compiled by a server started with ``compile_tests`` (a full build's,
run on the warehouse after dbt built the models: ``orchestration/dbt/assets.py``)."""
OWNERS_FILE = "owners"
"""The refresh's and the server's process ids, for :func:`sweep_orphans`."""
FOLDER_PREFIX = "journey-dbt-"
UNOWNED_GRACE_SECONDS = 600.0
"""A folder without :data:`OWNERS_FILE` (one being created, or from a release before it)
is left this long before it counts as orphaned."""
PARENT_POLL_SECONDS = 5.0
"""How often a waiting server checks that the refresh that started it still runs."""
READY_TIMEOUT = 300.0
"""Seconds a launcher waits for the server to finish parsing before running dbt itself."""


def supported() -> bool:
    """File descriptors pass over Unix sockets (``socket.send_fds``): POSIX only."""
    return os.name == "posix" and hasattr(socket, "send_fds")


def real_dbt() -> str:
    """The dbt installed beside this Python (else ``dbt`` on PATH)."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else shutil.which("dbt") or "dbt"


PARSE_ENV = ("DBT_TARGET", "DBT_PROFILE", "DBT_ENGINE_TARGET", "DBT_ENGINE_PROFILE")
"""dbt's own variables that change what it parses (dbt 1.11 reads each also as
``DBT_ENGINE_*``, which wins), compared like ``JOURNEY_*``."""


def _parse_env(env: Mapping[str, str]) -> dict[str, str]:
    """The variables the parse depends on: ``JOURNEY_*`` (the profile's warehouse path
    is the database every relation names) and :data:`PARSE_ENV`."""
    return {
        key: value
        for key, value in env.items()
        if (key.startswith("JOURNEY_") or key in PARSE_ENV) and key not in (SOCKET_ENV, PID_ENV)
    }


def why_not_served_args(args: Sequence[str]) -> str | None:
    """Why these arguments need a dbt of their own (None: the server may run them)."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in SERVED_COMMANDS:
        return f"command {command!r}"
    flags = {a.split("=", 1)[0] for a in args if a.startswith("-")}
    if flags & PARSE_FLAGS:
        return f"argument(s) {sorted(flags & PARSE_FLAGS)} change what dbt parses"
    return None


def why_not_served(
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: str,
    parsed_env: Mapping[str, str],
    project_dir: str,
) -> str | None:
    """Why the server must not run this dbt command (None: it may)."""
    reason = why_not_served_args(args)
    if reason is not None:
        return reason
    for key in (
        "DBT_PROJECT_DIR",
        "DBT_PROFILES_DIR",
        "DBT_ENGINE_PROJECT_DIR",
        "DBT_ENGINE_PROFILES_DIR",
    ):
        if key in env and Path(env[key]).resolve() != Path(project_dir).resolve():
            return f"{key} is {env[key]}, not {project_dir}"
    if Path(cwd).resolve() != Path(project_dir).resolve():
        return f"working directory {cwd}, not {project_dir}"
    if _parse_env(env) != _parse_env(parsed_env):
        changed = sorted(set(_parse_env(env).items()) ^ set(_parse_env(parsed_env).items()))
        return f"variables differ from the parse: {sorted({k for k, _ in changed})}"
    return None


# --- the server ----------------------------------------------------------------------


def serve(
    socket_path: str,
    listening_fd: int,
    project_dir: str,
    parent: int,
    compile_tests: bool = False,
) -> int:
    """Import dbt, parse the project (and with ``compile_tests`` compile the data tests
    of a build of every model, :func:`_compile_tests`), then run the one dbt command a
    launcher sends.

    The socket (``listening_fd``, bound and listening before this process started) is
    there from the start, so a launcher that comes while dbt is still being imported or
    parsed waits for it instead of starting a second dbt; it is told ``ready`` (or why
    not) first, and only then hands over its streams."""
    started = time.monotonic()
    status_path = Path(socket_path).with_name(STATUS_FILE)
    parsed_env = dict(os.environ)
    server = socket.socket(fileno=listening_fd)
    os.chdir(project_dir)
    status: dict[str, object] = {}
    manifest = None
    # parse into a folder of its own (its manifest.json must not replace the one the
    # code location reads), from the project's partial-parse file
    parse_target = Path(socket_path).with_name("target")
    try:
        from dbt.cli.main import dbtRunner

        imported = time.monotonic()
        parse_target.mkdir(exist_ok=True)
        saved = Path(project_dir) / "target" / "partial_parse.msgpack"
        if saved.exists():
            shutil.copy(saved, parse_target / saved.name)
        parsed = dbtRunner().invoke(
            [
                "parse",
                "--project-dir",
                project_dir,
                "--profiles-dir",
                project_dir,
                "--target-path",
                str(parse_target),
                "--quiet",
                # no dbt.log in the project folder (a read-only install must parse too)
                "--log-level-file",
                "none",
            ]
        )
        if parsed.success and parsed.result is not None:
            manifest = parsed.result
        status = {
            "import_seconds": round(imported - started, 2),
            "parse_seconds": round(time.monotonic() - imported, 2),
        }
    except Exception as error:  # noqa: BLE001 - the launcher runs dbt, which says why
        status = {"error": repr(error)}
    status["parsed"] = manifest is not None
    if compile_tests and manifest is not None:
        status.update(_in_background(_compile_tests, manifest, project_dir, parse_target))
    _write_status(status_path, status)
    connection = _accept_while_parent_lives(server, parent)
    server.close()
    if connection is None:
        # the refresh was killed and will not remove the folder (its parse, ~7 MB)
        shutil.rmtree(Path(socket_path).parent, ignore_errors=True)
        return 0
    with contextlib.suppress(OSError):
        os.unlink(socket_path)
    if manifest is None:
        _send(connection, {"fallback": "the project did not parse"})
        return 0
    _send(connection, {"ready": True})
    message, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
    if not message:
        return 0  # the launcher went away before it asked
    while not message.endswith(b"\n"):
        chunk = connection.recv(1 << 16)
        if not chunk:
            break
        message += chunk
    request = json.loads(message)
    reason = why_not_served(
        request["args"], request["env"], request["cwd"], parsed_env, project_dir
    )
    if reason is not None or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        _send(connection, {"fallback": reason or "no standard streams"})
        _write_status(status_path, {**status, "served": False, "fallback": reason})
        return 0
    sys.stdout.flush()
    sys.stderr.flush()
    for target_fd, fd in enumerate(fds):
        os.dup2(fd, target_fd)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    # The build starts from the parse done here and writes no partial-parse file of
    # its own: this one goes to the build's target folder, which the dbt step keeps as
    # the project's (keep_partial_parse), so the next refresh's parse is partial too.
    fresh = parse_target / "partial_parse.msgpack"
    # dagster-dbt's folder for this command (dbt resolves it from the project's folder)
    build_target = request["env"].get("DBT_TARGET_PATH")
    build_dir = Path(project_dir) / build_target if build_target else None
    if fresh.exists() and build_dir is not None:
        with contextlib.suppress(OSError):
            build_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy(fresh, build_dir / fresh.name)
    sys.argv = ["dbt", *request["args"]]  # run_results.json's invocation_command
    args, results_path = _without_parse_artifacts(request["args"], build_dir)
    started_run = time.monotonic()
    try:
        result = dbtRunner(manifest=manifest).invoke(args)
        code = 2 if result.exception is not None else 0 if result.success else 1
        if results_path is not None and hasattr(result.result, "write"):
            result.result.write(str(results_path))
    except BaseException as error:  # noqa: BLE001 - reported as dbt's exit code 2
        print(f"dbt failed in the prepared process: {error!r}", file=sys.stderr)
        code = 2
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    _close_warehouse()
    _write_status(
        status_path,
        {**status, "served": True, "run_seconds": round(time.monotonic() - started_run, 2)},
    )
    _send(connection, {"exit": code})
    if os.getppid() != parent:  # the refresh was killed while dbt ran
        shutil.rmtree(Path(socket_path).parent, ignore_errors=True)
    # end at once: the launcher exits when this process is gone
    os._exit(0)


def _without_parse_artifacts(
    args: Sequence[str], build_dir: Path | None
) -> tuple[list[str], Path | None]:
    """The command's arguments for a served build that writes no second copy of the
    parse, and where its run results go (None: dbt writes its artifacts itself).

    A dbt command writes the project's graph (``graph.gpickle``) before its first node
    and its manifest (``manifest.json``, ~4 MB at 68 models and 571 tests) after its
    last, both on the path of the build: ``write_manifest`` of this project alone takes
    0.21-0.35 s here. The server's parse wrote the same manifest into the server's own
    folder, and nothing reads the build's copy (the dbt step reads
    ``run_results.json``; the code location its manifest from install time). So a
    served command runs with ``--no-write-json`` and the server writes its run results
    as dbt would (``RunExecutionResult.write``, the same file and content; dbt's own
    ``args`` in it then record ``write_json: false``). Only when dagster-dbt names the
    target folder (``DBT_TARGET_PATH``) and the command does not choose about artifacts
    itself. (A step stopped early kills the launcher and with it the server, which
    then writes nothing, as before.)"""
    if build_dir is None or {"--write-json", "--no-write-json"} & set(args):
        return list(args), None
    return [*args, "--no-write-json"], build_dir / RUN_RESULTS_FILE


COMPILE_NICENESS = 10
"""How much lower the compile's CPU priority is than the refresh's: it runs while the
refresh loads, which at scale keeps both cores busy, and should take only what the loads
leave (the build that follows runs at the server's own priority)."""


def _in_background(work: Callable[..., dict[str, object]], *args: Any) -> dict[str, object]:
    """``work(*args)`` in a thread whose CPU priority is :data:`COMPILE_NICENESS` lower
    (Linux's priority is per thread, and the threads it starts inherit it); the other
    threads of this process, the build's among them, keep theirs."""
    outcome: dict[str, object] = {}

    def run() -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), COMPILE_NICENESS)
        outcome.update(work(*args))

    thread = threading.Thread(target=run, name="journey-compile-tests")
    thread.start()
    thread.join()
    return outcome


def _compile_tests(manifest: Any, project_dir: str, target: Path) -> dict[str, object]:
    """Compile the data tests of a build of every model into :data:`TESTS_FILE`
    (``data_tests.DataTest``'s fields), while the refresh loads: ``dbt compile`` needs
    no connection to the warehouse for them (``--no-populate-cache``,
    ``--no-introspect``), which the refresh holds. What the status records:
    ``tests_compiled`` (how many) and ``compile_seconds``, or ``tests_error``."""
    from dbt.cli.main import dbtRunner

    from orchestration.dbt.data_tests import ENGINE_CONTRACT_TAG, DataTest

    started = time.monotonic()
    # The profile's path for this command only: a scratch file of the warehouse's name
    # (dbt-duckdb names the database after it, and every relation in the SQL names the
    # database). dbt opens no connection to compile these tests; if a later dbt did, it
    # would open this scratch file, never the warehouse the refresh is writing.
    warehouse = os.environ.get(WAREHOUSE_ENV)
    if warehouse:
        scratch = target / "compile-only"
        scratch.mkdir(exist_ok=True)
        os.environ[WAREHOUSE_ENV] = str(scratch / Path(warehouse).name)
    try:
        compiled = dbtRunner(manifest=manifest).invoke(
            [
                "compile",
                # the data tests of a refresh's build of every model (refresh_test_ids)
                "--select",
                "resource_type:test",
                "--exclude",
                f"tag:{ENGINE_CONTRACT_TAG}",
                "--no-populate-cache",
                "--no-introspect",
                "--project-dir",
                project_dir,
                "--profiles-dir",
                project_dir,
                "--target-path",
                str(target),
                "--quiet",
                "--log-level-file",
                "none",
            ]
        )
        if not compiled.success or compiled.result is None:
            return {"tests_error": repr(compiled.exception or "dbt compile failed")}
        tests = [
            DataTest.from_config(node.unique_id, node.compiled_code, node.config.to_dict())
            for node in (result.node for result in compiled.result.results)
            if node.resource_type == "test" and node.compiled_code
        ]
        staged = target.parent / f".{TESTS_FILE}"
        staged.write_text(json.dumps({"tests": [dataclasses.asdict(t) for t in tests]}))
        os.replace(staged, target.parent / TESTS_FILE)
    except Exception as error:  # noqa: BLE001 - the tests then run in dbt, as before
        return {"tests_error": repr(error)}
    finally:
        if warehouse:
            os.environ[WAREHOUSE_ENV] = warehouse
    return {"tests_compiled": len(tests), "compile_seconds": round(time.monotonic() - started, 2)}


def _close_warehouse() -> None:
    """Close the database dbt-duckdb keeps open for the process (a dbt process closes
    it when it exits; this one must before it answers, or the dbt step could not open
    the warehouse right after)."""
    with contextlib.suppress(Exception):
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        env = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if env is not None:
            env.close()


def _accept_while_parent_lives(server: socket.socket, parent: int) -> socket.socket | None:
    """The launcher's connection; None once the refresh that started this process
    (``parent``) is gone (killed: this process would otherwise wait for a launcher
    forever)."""
    if os.getppid() != parent:
        return None
    server.settimeout(PARENT_POLL_SECONDS)
    while True:
        try:
            connection, _ = server.accept()
        except TimeoutError:
            if os.getppid() != parent:
                return None
            continue
        connection.settimeout(None)
        return connection


def _send(connection: socket.socket, message: Mapping[str, object]) -> None:
    connection.sendall(json.dumps(message).encode() + b"\n")


def _receive(connection: socket.socket) -> dict | None:
    """One message (a JSON line), or None at the end of the stream."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(1 << 16)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


def _write_status(path: Path, status: Mapping[str, object]) -> None:
    with contextlib.suppress(OSError):
        path.write_text(json.dumps(status))


# --- the launcher --------------------------------------------------------------------


def launcher() -> None:
    """``journey-dbt``: dbt's command line, run by the prepared server when there is
    one that may run it, else by dbt itself."""
    args = sys.argv[1:]
    socket_path = os.environ.get(SOCKET_ENV)
    if socket_path and supported() and why_not_served_args(args) is None:
        code = _run_served(socket_path, args)
        if code is not None:
            sys.exit(code)
        # the step reports how dbt started from the status: this command is dbt's own
        # (the server wrote why, if it was the one that said no)
        status_path = Path(socket_path).with_name(STATUS_FILE)
        status = _read_status(status_path)
        if status.get("served") is not False:
            _write_status(
                status_path,
                {**status, "served": False, "fallback": "no prepared process could run it"},
            )
    dbt = real_dbt()
    os.execv(dbt, [dbt, *args])


def _run_served(socket_path: str, args: list[str]) -> int | None:
    """dbt's exit code from the server, or None when dbt must run itself."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(socket_path)
        client.settimeout(READY_TIMEOUT)
        ready = _receive(client)  # waits while the server still imports and parses
    except OSError:
        return None  # no server (used, never started, too slow, or gone)
    if ready is None or not ready.get("ready"):
        return None
    client.settimeout(None)
    server_pid = int(os.environ.get(PID_ENV) or 0)

    def stop(signum: int, _frame: object) -> None:
        # dbt runs in the server: stopping it stops dbt; the socket ends when the
        # server's files close, the warehouse's among them, so wait for that before
        # the dbt step (which waits for this process) goes on to open the warehouse
        if server_pid:
            with contextlib.suppress(OSError):
                os.kill(server_pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                client.settimeout(30)
                while client.recv(1 << 16):
                    pass
        os._exit(128 + signum)

    request = {"args": args, "cwd": os.getcwd(), "env": dict(os.environ)}
    try:
        socket.send_fds(client, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    except OSError:
        return None  # a standard stream closed (EBADF): dbt runs itself, the server ends
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    answer = _receive(client)
    if answer is None:
        # the server ended while it had dbt's command: dbt may have run part of it
        print("dbt's prepared process ended without an exit code", file=sys.stderr)
        return 2
    if "fallback" in answer:
        return None
    with contextlib.suppress(OSError):
        while client.recv(1 << 16):  # the server ends right after it answers
            pass
    return int(answer["exit"])


# --- the refresh's side --------------------------------------------------------------


class WarmDbt:
    """Start the server for one refresh (a context manager): sets :data:`SOCKET_ENV`
    and :data:`PID_ENV` for the dbt step's launcher; on exit the server is stopped if
    still there and its folder removed. Starts nothing where it cannot help (not POSIX,
    ``JOURNEY_WARM_DBT_DISABLED=1``)."""

    def __init__(
        self, project_dir: Path, env: Mapping[str, str], *, compile_tests: bool = False
    ) -> None:
        self.project_dir = Path(project_dir)
        self.env = dict(env)
        self.compile_tests = compile_tests
        self.process: subprocess.Popen | None = None
        self.folder: Path | None = None

    def __enter__(self) -> WarmDbt:
        if not supported() or os.environ.get(DISABLE_ENV) == "1":
            return self
        sweep_orphans()
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        owners = self.folder / OWNERS_FILE
        owners.write_text(f"{os.getpid()}\n")
        socket_path = self.folder / "dbt.sock"
        env = {**os.environ, **self.env}
        env.pop(SOCKET_ENV, None)
        env.pop(PID_ENV, None)
        # listening before the server starts: a launcher never finds no socket while
        # the server is still starting
        listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listening.bind(str(socket_path))
            listening.listen(1)
            command = [sys.executable, "-m", "orchestration.dbt.warm", str(socket_path)]
            command += [str(listening.fileno()), str(self.project_dir), str(os.getpid())]
            if self.compile_tests:
                command.append("tests")
            self.process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=[listening.fileno()],
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
            raise
        finally:
            listening.close()
        owners.write_text(f"{os.getpid()}\n{self.process.pid}\n")
        os.environ[SOCKET_ENV] = str(socket_path)
        os.environ[PID_ENV] = str(self.process.pid)
        return self

    def __exit__(self, *exc: object) -> None:
        os.environ.pop(SOCKET_ENV, None)
        os.environ.pop(PID_ENV, None)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def sweep_orphans(temp_dir: Path | None = None) -> list[Path]:
    """Remove the folders of prepared processes whose refresh and server are both gone
    (a refresh whose whole process group was killed with SIGKILL leaves its folder: the
    socket and the parse, ~7 MB). Called by every refresh that prepares one; returns
    the folders removed. A folder is kept while any process it names runs (a reused
    process id keeps a folder a little longer, never removes a live one's)."""
    removed = []
    root = Path(temp_dir or tempfile.gettempdir())
    for folder in root.glob(f"{FOLDER_PREFIX}*"):
        try:
            if not folder.is_dir() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            owners = folder / OWNERS_FILE
            pids = [int(word) for word in owners.read_text().split()] if owners.exists() else []
            if pids and any(_running(pid) for pid in pids):
                continue
            if not pids and time.time() - folder.stat().st_mtime < UNOWNED_GRACE_SECONDS:
                continue  # being created (the file is written right after the folder)
        except (OSError, ValueError):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def served_status() -> dict[str, object]:
    """What this process's server reported (import and parse seconds, whether it ran
    the dbt command, why not): read by the dbt step after dbt ran; empty without one."""
    socket_path = os.environ.get(SOCKET_ENV)
    if not socket_path:
        return {}
    return _read_status(Path(socket_path).with_name(STATUS_FILE))


def _read_status(path: Path) -> dict[str, object]:
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return status if isinstance(status, dict) else {}


def describe(status: Mapping[str, object]) -> str | None:
    """One log line on how dbt started, or None without a server."""
    if not status:
        return None
    if status.get("served"):
        compiled = (
            f", {status['tests_compiled']} data tests compiled in {status.get('compile_seconds')} s"
            if isinstance(status.get("tests_compiled"), int)
            else ""
        )
        return (
            "dbt ran in the process prepared at the start of the refresh (dbt imported in "
            f"{status.get('import_seconds')} s and the project parsed in "
            f"{status.get('parse_seconds')} s{compiled} while the refresh loaded)"
        )
    why = status.get("fallback") or status.get("error") or "it was not ready"
    return f"dbt started in the dbt step: the prepared process could not run it ({why})"


def compiled_tests(timeout: float = READY_TIMEOUT) -> list[dict[str, Any]] | None:
    """The data tests this process's server compiled (:func:`_compile_tests`), waiting
    until it has written its status (after its parse and compile) or is gone; None
    without a server, or when it compiled none."""
    socket_path = os.environ.get(SOCKET_ENV)
    if not socket_path:
        return None
    folder = Path(socket_path).parent
    server_pid = int(os.environ.get(PID_ENV) or 0)
    deadline = time.monotonic() + timeout
    status = _read_status(folder / STATUS_FILE)
    while not status and time.monotonic() < deadline and _running(server_pid):
        time.sleep(0.1)
        status = _read_status(folder / STATUS_FILE)
    if not isinstance(status.get("tests_compiled"), int):
        return None
    try:
        payload = json.loads((folder / TESTS_FILE).read_text())
    except (OSError, ValueError):
        return None
    tests = payload.get("tests") if isinstance(payload, dict) else None
    return tests if isinstance(tests, list) else None


if __name__ == "__main__":
    sys.exit(
        serve(
            sys.argv[1],
            int(sys.argv[2]),
            sys.argv[3],
            int(sys.argv[4]),
            compile_tests=sys.argv[5:6] == ["tests"],
        )
    )
