"""A refresh killed with ``kill -9`` at any point leaves the warehouse readable, and the
next refresh completes correctly: no duplicates, nothing lost.

One landing zone, two warehouses:

* the reference: the whole landing zone, one clean ``journey refresh`` (run in the
  background while the crashes happen);
* the crashed one: a first refresh of the early drops (so a good publication exists),
  then the later drops arrive and three refreshes in a row are killed (SIGKILL to the
  whole process group, so dbt dies with journey as in a real crash):

  1. mid-load: while the Salesforce files of the new drops load (some files of the
     new drops are in, some not);
  2. mid-dbt: once dbt has built a good part of the models;
  3. mid-publish: while the new serving file is being written (the report of that
     run may be written already);

  then a last refresh must succeed and the warehouse must equal the reference.

After every kill: no process of the refresh is left, the writer lock is free, the
warehouse opens read-only and reads, and the published file is still a whole, good
publication (the last good one, unless the swap had already happened).

The comparisons are about outcomes (raw content, ledger, every dbt relation's content,
the landing reconciliation), so they hold however the dbt models are materialized.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.registry import RAW_TABLES
from synthetic import generate

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))
SEED = 42
FIRST_DROPS_UNTIL = date(2026, 3, 31)
"""The first refresh sees the drops up to here; the rest arrive before the crashes."""
REFRESH_TIMEOUT = 900.0
DBT_MODELS_BEFORE_KILL = 15
"""Kill 2 waits until dbt has built this many relations (of ~55)."""
LOAD_KILL_DELAY = 0.8
"""Kill 1 comes this long after the Salesforce load step starts (its files take a few
seconds to load)."""

NOT_COMPARED = {"_load_id", "_loaded_at"}
"""Columns that say when a row was loaded, not what it holds: they differ between two
warehouses loaded at different times."""
BUILT_SCHEMAS = ("seeds", "staging", "intermediate", "marts")
FLOATING = {"DOUBLE", "FLOAT", "REAL"}
LOAD_RECORDS = frozenset({"_file_ledger", "_quarantine"})
BOOKKEEPING = frozenset({"_file_stats", "_refresh_state"})
"""The loaders' hash cache (files' modification times) and the refresh state (which run
built and published): they say when, not what, and differ between two warehouses."""


# --------------------------------------------------------------------------------------
# running and killing `journey refresh`


@dataclass
class Site:
    """One warehouse with its landing zone, Dagster home, serving file and reports."""

    root: Path

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.root / "serving" / "published.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "JOURNEY_LANDING_DIR": str(self.landing),
            "JOURNEY_WAREHOUSE": str(self.warehouse),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
            "JOURNEY_SERVING": str(self.serving),
            "JOURNEY_REPORT_DIR": str(self.reports),
            "PYTHONUNBUFFERED": "1",
        }


@dataclass
class Refresh:
    """One `journey refresh`: its output, exit code (None when killed), and when."""

    lines: list[str] = field(default_factory=list)
    returncode: int | None = None
    killed: bool = False
    kill_note: str = ""

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


class RunningRefresh:
    """`journey refresh` in its own process group, its stdout read line by line."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.proc = subprocess.Popen(
            [JOURNEY, "refresh"],
            env=site.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self.pgid = self.proc.pid  # start_new_session: the leader's pid is the group id
        self.result = Refresh()
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def next_line(self, deadline: float) -> str | None:
        """The next output line; None at the end of the output. Fails past deadline."""
        while True:
            try:
                line = self._lines.get(timeout=0.05)
            except queue.Empty:
                if time.monotonic() > deadline:
                    self.kill("timeout")
                    raise AssertionError(
                        "refresh timed out:\n" + "\n".join(self.result.lines[-40:])
                    ) from None
                continue
            if line is not None:
                self.result.lines.append(line)
            return line

    def finish(self, timeout: float = REFRESH_TIMEOUT) -> Refresh:
        deadline = time.monotonic() + timeout
        while self.next_line(deadline) is not None:
            pass
        self.result.returncode = self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        return self.result

    def kill(self, note: str) -> Refresh:
        """SIGKILL the whole process group (journey, dbt and anything they started)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, signal.SIGKILL)
        self.proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _live_members(self.pgid):
            assert time.monotonic() < deadline, f"processes survived SIGKILL: {_live_members}"
            time.sleep(0.1)
        self._reader.join(timeout=10)
        while True:  # the lines printed before the kill
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.result.lines.append(line)
        self.result.killed = True
        self.result.kill_note = note
        return self.result


def _stat_fields(stat_file: Path) -> list[str] | None:
    """A /proc stat file's fields after ``pid (comm)``: state, ppid, pgrp, ... (comm may
    hold spaces and parentheses); None when the task is gone."""
    try:
        stat = stat_file.read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def _live_members(pgid: int) -> list[int]:
    """Pids of the process group that are still alive. A process is dead once every
    thread of it is a zombie or gone: a killed process whose main thread has exited
    shows as a zombie while its other threads (DuckDB's, in the middle of a write) are
    still exiting, and until the last of them has, the process keeps its open files and
    so the warehouse's lock (a snapshot taken then found the lock held)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry / "stat")
        if fields is None or int(fields[2]) != pgid:
            continue
        try:
            tasks = list((entry / "task").iterdir())
        except OSError:
            continue  # gone meanwhile
        states = [f[0] for task in tasks if (f := _stat_fields(task / "stat")) is not None]
        if any(state not in ("Z", "X") for state in states):
            alive.append(int(entry.name))
    return alive


def refresh(site: Site) -> Refresh:
    return RunningRefresh(site).finish()


def refresh_killed_when(
    site: Site, trigger: Callable[[str, RunningRefresh], str | None], what: str
) -> Refresh:
    """Run a refresh and SIGKILL it when ``trigger`` (called with every output line)
    returns a note; fail if the refresh ends before that."""
    running = RunningRefresh(site)
    deadline = time.monotonic() + REFRESH_TIMEOUT
    while (line := running.next_line(deadline)) is not None:
        note = trigger(line, running)
        if note is not None:
            return running.kill(note)
    running.finish()
    raise AssertionError(
        f"the refresh ended (exit {running.result.returncode}) before it could be killed "
        f"{what}:\n{running.result.output[-4000:]}"
    )


def kill_mid_load(line: str, _running: RunningRefresh) -> str | None:
    if line.endswith("start  load_salesforce"):
        time.sleep(LOAD_KILL_DELAY)
        return f"{LOAD_KILL_DELAY}s into load_salesforce"
    return None


def kill_mid_dbt() -> Callable[[str, RunningRefresh], str | None]:
    state = {"in_dbt": False, "built": 0}

    def trigger(line: str, _running: RunningRefresh) -> str | None:
        if line.endswith("start  journey_dbt"):
            state["in_dbt"] = True
        elif state["in_dbt"] and "  built " in line:
            state["built"] += 1
            if state["built"] >= DBT_MODELS_BEFORE_KILL:
                return f"after dbt built {state['built']} relations"
        return None

    return trigger


def kill_mid_publish(line: str, running: RunningRefresh) -> str | None:
    """Kill while the new serving file is being written: when its temporary file
    appears (or shortly after the publish step starts, if it is too quick to see)."""
    if not line.endswith("start  serving__published_marts"):
        return None
    folder = running.site.serving.parent
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        if any(folder.glob(f".{running.site.serving.name}.*.tmp*")):
            return "while the serving file's temporary copy was being written"
        time.sleep(0.002)
    return "0.3s into the publish step (no temporary file seen)"


# --------------------------------------------------------------------------------------
# what a warehouse holds


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _load_time_column(name: str) -> bool:
    """``_loaded_at``, ``_load_id`` and lineage like ``_segment_loaded_through``."""
    return name in NOT_COMPARED or (name.startswith("_") and "loaded" in name)


def relation_fingerprints(
    conn: duckdb.DuckDBPyConnection, schemas: tuple[str, ...], skip: frozenset[str] = frozenset()
) -> dict:
    """(schema, relation) -> (row count, order-free hash of the rows' exact columns, sums
    of each floating-point column), load-time columns left out. Floating-point values
    are compared as sums with a tolerance (:func:`same_fingerprints`): their last bits
    depend on the order a sum was added in, and any rounding has boundaries."""
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in conn.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        f"where table_schema in ({', '.join('?' for _ in schemas)}) "
        "order by table_schema, table_name, ordinal_position",
        list(schemas),
    ).fetchall():
        columns.setdefault((schema, table), []).append((column, data_type))
    prints = {}
    for (schema, table), cols in sorted(columns.items()):
        if table in skip:
            continue
        kept = [(c, t) for c, t in cols if not _load_time_column(c)]
        exact = [_quote(c) for c, t in kept if t not in FLOATING]
        floating = [_quote(c) for c, t in kept if t in FLOATING]
        sums = [f"sum(abs({c})), sum({c}), count({c})" for c in floating]
        row = conn.execute(
            f"select count(*), coalesce(sum(hash({', '.join(exact)})), 0)"
            f"{''.join(', ' + s for s in sums)} from {_quote(schema)}.{_quote(table)}"
        ).fetchone()
        prints[(schema, table)] = (row[0], row[1], tuple(row[2:]))
    return prints


def same_fingerprints(actual: dict, expected: dict) -> dict:
    """The relations whose fingerprints differ (floating sums within 1e-9 relative)."""
    different = {}
    for key in expected.keys() | actual.keys():
        a, e = actual.get(key), expected.get(key)
        if (
            a is None
            or e is None
            or a[:2] != e[:2]
            or len(a[2]) != len(e[2])
            or not all(
                (x is None and y is None)
                or (
                    x is not None
                    and y is not None
                    and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6)
                )
                for x, y in zip(a[2], e[2], strict=True)
            )
        ):
            different[key] = (a, e)
    return different


def ledger_rows(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute(
        "select source, object, source_file, content_sha256, status, records_read, "
        "records_loaded, records_duplicate, records_quarantined from raw._file_ledger "
        "order by all"
    ).fetchall()


def quarantine_rows(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute(
        "select source, object, source_file, source_position, raw_text, reason "
        "from raw._quarantine order by all"
    ).fetchall()


def duplicate_raw_records(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Raw rows written twice for the same landing record, per table (an FX record is a
    date's row, unpivoted into one raw row per currency)."""
    found = {}
    for table in RAW_TABLES:
        key = "_source_file, _source_position"
        if table.qualified_name == "raw.fx__ecb_rates":
            key += ", currency_code"
        (extra,) = conn.execute(
            f"select count(*) - count(distinct ({key})) from {table.qualified_name}"
        ).fetchone()
        if extra:
            found[table.qualified_name] = extra
    return found


def landing_reconciliation(conn: duckdb.DuckDBPyConnection, landing: Path) -> dict[str, str]:
    """The ``landing_records_accounted_for`` check of every raw table: failures only."""
    from quality.landing import LANDING_RECORDS_ACCOUNTED_FOR, landing_suites
    from quality.model import CheckContext

    failures = {}
    for suite in landing_suites():
        result = suite.run(conn, CheckContext(landing_dir=landing))[LANDING_RECORDS_ACCOUNTED_FOR]
        if not result.passed or "not loaded yet" in result.summary:
            failures[suite.name] = result.summary
    return failures


@dataclass
class Snapshot:
    """What a warehouse and its serving file look like at one moment."""

    relations: set[tuple[str, str]]
    raw_counts: dict[str, int]
    ledger_files: int
    duplicates: dict[str, int]
    publication: tuple[str, dict[str, int]] | None
    """(run id, rows per mart) of the published file, None when there is none."""
    publication_consistent: bool
    leftovers: list[str]
    """Temporary files in the serving and report folders."""
    dbt_leftovers: list[str]
    """Relations a dbt materialization builds on the side (``__dbt_tmp``, ``__dbt_backup``)."""
    writer_lock_free: bool


def read_publication(serving: Path) -> tuple[tuple[str, dict[str, int]] | None, bool]:
    if not serving.exists():
        return None, True
    with duckdb.connect(str(serving), read_only=True) as conn:
        rows = conn.execute(
            "select table_name, row_count, run_id from marts._publication"
        ).fetchall()
        published = {name: count for name, count, _ in rows}
        actual = {
            name: conn.execute(f"select count(*) from marts.{_quote(name)}").fetchone()[0]
            for name in published
        }
        (run_ids,) = conn.execute("select list(distinct run_id) from marts._publication").fetchone()
    return (run_ids[0], published), actual == published and len(run_ids) == 1


def snapshot(site: Site) -> Snapshot:
    """Open everything as a reader would (read-only), and look for what a killed run
    could leave behind."""
    with duckdb.connect(str(site.warehouse), read_only=True) as conn:
        relations = set(
            conn.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        )
        raw_counts = {
            t.qualified_name: conn.execute(f"select count(*) from {t.qualified_name}").fetchone()[0]
            for t in RAW_TABLES
        }
        (ledger_files,) = conn.execute("select count(*) from raw._file_ledger").fetchone()
        duplicates = duplicate_raw_records(conn)
    publication, consistent = read_publication(site.serving)
    leftovers = sorted(
        p.name
        for folder in (site.serving.parent, site.reports)
        if folder.exists()
        for p in folder.iterdir()
        if p.name.endswith(".tmp") or ".tmp." in p.name
    )
    lock = site.warehouse.with_name(f"{site.warehouse.name}.writer.lock")
    free = True
    if lock.exists():
        with open(lock, "a+") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            except BlockingIOError:
                free = False
    return Snapshot(
        relations=relations,
        raw_counts=raw_counts,
        ledger_files=ledger_files,
        duplicates=duplicates,
        publication=publication,
        publication_consistent=consistent,
        leftovers=leftovers,
        dbt_leftovers=sorted(
            f"{schema}.{name}"
            for schema, name in relations
            if "__dbt_tmp" in name or "__dbt_backup" in name
        ),
        writer_lock_free=free,
    )


# --------------------------------------------------------------------------------------
# the scenario


@dataclass
class Crash:
    name: str
    refresh: Refresh
    after: Snapshot


@dataclass
class Scenario:
    reference: Site
    crashed: Site
    reference_refresh: Refresh
    first_refresh: Refresh
    after_first: Snapshot
    crashes: list[Crash]
    last_refresh: Refresh
    landing_files: int
    seconds: dict[str, float]


def _landing_files(landing: Path) -> list[Path]:
    return sorted(p.relative_to(landing) for p in landing.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, demo_build) -> Scenario:
    started = time.monotonic()
    seconds: dict[str, float] = {}
    # The reference is the session's shared clean refresh of the whole demo landing
    # zone (tests/conftest.py, seed 42), copied here; its published file moves to this
    # module's serving path.
    assert SEED == 42
    reference = Site(demo_build.copy_to(tmp_path_factory.mktemp("reference")))
    reference.serving.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(reference.root / "serving.duckdb", reference.serving)
    reference_refresh = Refresh(
        lines=(demo_build.stdout + demo_build.stderr).splitlines(),
        returncode=demo_build.returncode,
    )
    crashed = Site(tmp_path_factory.mktemp("crashed"))
    everything = _landing_files(reference.landing)

    # The first drops, byte for byte the files the whole landing zone has.
    early = crashed.root / "early"
    generate(early, scale="demo", seed=SEED, until=FIRST_DROPS_UNTIL)
    for relative in _landing_files(early):
        target = crashed.landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reference.landing / relative, target)
    shutil.rmtree(early)
    first = refresh(crashed)
    assert first.returncode == 0, first.output[-4000:]
    after_first = snapshot(crashed)
    seconds["first refresh"] = time.monotonic() - started

    # The later drops arrive; three refreshes in a row are killed, each at another point.
    shutil.copytree(reference.landing, crashed.landing, dirs_exist_ok=True)
    crashes = []
    for name, trigger in (
        ("mid-load", kill_mid_load),
        ("mid-dbt", kill_mid_dbt()),
        ("mid-publish", kill_mid_publish),
    ):
        t0 = time.monotonic()
        killed = refresh_killed_when(crashed, trigger, name)
        crashes.append(Crash(name, killed, snapshot(crashed)))
        seconds[name] = time.monotonic() - t0

    t0 = time.monotonic()
    last = refresh(crashed)
    seconds["last refresh"] = time.monotonic() - t0
    seconds["total"] = time.monotonic() - started
    print(f"\ncrash recovery timings: { {k: round(v) for k, v in seconds.items()} }")
    for crash in crashes:
        print(
            f"killed {crash.name} ({crash.refresh.kill_note}): ledger files "
            f"{crash.after.ledger_files}/{len(everything)}, temporary files "
            f"{crash.after.leftovers}, dbt side relations {crash.after.dbt_leftovers}"
        )
    return Scenario(
        reference=reference,
        crashed=crashed,
        reference_refresh=reference_refresh,
        first_refresh=first,
        after_first=after_first,
        crashes=crashes,
        last_refresh=last,
        landing_files=len(everything),
        seconds=seconds,
    )


# --------------------------------------------------------------------------------------
# after each kill


def test_every_kill_landed_where_it_was_meant_to(scenario: Scenario) -> None:
    load, dbt, publish = scenario.crashes
    # mid-load: the new drops' files were loading, some in, some not
    assert "start  load_salesforce" in load.refresh.output
    assert "start  journey_dbt" not in load.refresh.output
    assert scenario.after_first.ledger_files < load.after.ledger_files < scenario.landing_files
    # mid-dbt: the loads had finished; dbt was killed part-way
    assert "start  journey_dbt" in dbt.refresh.output
    assert "done   journey_dbt" not in dbt.refresh.output
    # mid-publish: everything before the publish step succeeded in that run
    assert "start  serving__published_marts" in publish.refresh.output
    assert "done   serving__published_marts" not in publish.refresh.output
    for crash in scenario.crashes:
        assert "FAILED" not in crash.refresh.output, (crash.name, crash.refresh.output[-3000:])


@pytest.mark.parametrize("crash", ["mid-load", "mid-dbt", "mid-publish"])
def test_after_a_kill_the_warehouse_opens_and_nothing_is_doubled(
    scenario: Scenario, crash: str
) -> None:
    (after,) = [c.after for c in scenario.crashes if c.name == crash]
    # snapshot() opened the warehouse read-only and read every raw table
    assert after.duplicates == {}
    assert after.writer_lock_free
    # raw only grows: what an earlier refresh loaded is still there
    for table, rows in scenario.after_first.raw_counts.items():
        assert after.raw_counts[table] >= rows, table


@pytest.mark.parametrize("crash", ["mid-load", "mid-dbt", "mid-publish"])
def test_after_a_kill_the_published_file_is_a_whole_good_publication(
    scenario: Scenario, crash: str
) -> None:
    (killed,) = [c for c in scenario.crashes if c.name == crash]
    first = scenario.after_first.publication
    assert first is not None
    assert killed.after.publication is not None
    assert killed.after.publication_consistent
    swapped = killed.after.publication != first
    # The only run that may have swapped in a new file is the one killed in its publish
    # step, after its rename; a kill while the copy was written leaves the old file.
    if crash != "mid-publish" or "temporary copy" in killed.refresh.kill_note:
        assert not swapped, killed.refresh.kill_note


# --------------------------------------------------------------------------------------
# after the last refresh


def test_the_next_refresh_succeeds(scenario: Scenario) -> None:
    assert scenario.reference_refresh.returncode == 0, scenario.reference_refresh.output[-4000:]
    last = scenario.last_refresh
    assert last.returncode == 0, last.output[-4000:]
    assert "refresh succeeded" in last.output
    final = snapshot(scenario.crashed)
    assert final.leftovers == []
    assert final.writer_lock_free
    assert final.publication is not None and final.publication_consistent
    assert final.publication != scenario.after_first.publication


def test_raw_equals_the_reference_without_duplicates(scenario: Scenario) -> None:
    with (
        duckdb.connect(str(scenario.reference.warehouse), read_only=True) as ref,
        duckdb.connect(str(scenario.crashed.warehouse), read_only=True) as crashed,
    ):
        assert duplicate_raw_records(crashed) == {}
        # the ledger and the quarantine say when and by which load: compared below
        expected = relation_fingerprints(ref, ("raw",), skip=LOAD_RECORDS | BOOKKEEPING)
        actual = relation_fingerprints(crashed, ("raw",), skip=LOAD_RECORDS | BOOKKEEPING)
        assert same_fingerprints(actual, expected) == {}


def test_ledger_and_quarantine_equal_the_reference(scenario: Scenario) -> None:
    with (
        duckdb.connect(str(scenario.reference.warehouse), read_only=True) as ref,
        duckdb.connect(str(scenario.crashed.warehouse), read_only=True) as crashed,
    ):
        ledger = ledger_rows(crashed)
        assert len(ledger) == scenario.landing_files
        assert len({(row[0], row[1], row[2]) for row in ledger}) == len(ledger)
        assert ledger == ledger_rows(ref)
        assert quarantine_rows(crashed) == quarantine_rows(ref)


def test_landing_records_are_accounted_for(scenario: Scenario) -> None:
    with duckdb.connect(str(scenario.crashed.warehouse), read_only=True) as conn:
        assert landing_reconciliation(conn, scenario.crashed.landing) == {}


def test_every_dbt_relation_equals_the_reference(scenario: Scenario) -> None:
    with (
        duckdb.connect(str(scenario.reference.warehouse), read_only=True) as ref,
        duckdb.connect(str(scenario.crashed.warehouse), read_only=True) as crashed,
    ):
        final = snapshot(scenario.crashed)
        assert final.dbt_leftovers == []
        assert final.relations == snapshot(scenario.reference).relations
        expected = relation_fingerprints(ref, BUILT_SCHEMAS)
        actual = relation_fingerprints(crashed, BUILT_SCHEMAS)
        assert same_fingerprints(actual, expected) == {}


def test_the_published_marts_equal_the_reference(scenario: Scenario) -> None:
    with (
        duckdb.connect(str(scenario.reference.serving), read_only=True) as ref,
        duckdb.connect(str(scenario.crashed.serving), read_only=True) as crashed,
    ):
        expected = relation_fingerprints(ref, ("marts",))
        expected.pop(("marts", "_publication"))
        actual = relation_fingerprints(crashed, ("marts",))
        actual.pop(("marts", "_publication"))
        assert same_fingerprints(actual, expected) == {}


def test_no_killed_run_holds_the_writer_queue(scenario: Scenario) -> None:
    """A killed run must not stay STARTED in DAGSTER_HOME: its journey/writes_warehouse
    tag (queue limit 1) would keep every later scheduled, sensor or UI refresh queued."""
    from dagster import DagsterInstance
    from dagster._core.storage.dagster_run import ACTIVE_RUN_STATUSES, RunsFilter

    from orchestration.jobs import WRITER_TAGS

    home = scenario.crashed.root / "dagster_home"
    with DagsterInstance.from_config(str(home)) as instance:
        active = instance.get_run_records(
            filters=RunsFilter(statuses=ACTIVE_RUN_STATUSES, tags=WRITER_TAGS)
        )
    assert [r.dagster_run.run_id for r in active] == []
    assert "its process died" in scenario.last_refresh.output
