"""What the derived layers were last built and published from: the refresh's memory.

A refresh does the work its new files call for. To know that work, the warehouse
remembers, in ``raw._refresh_state``, the newest file-ledger row with loaded records
that the last published build covered, and a fingerprint of the dbt project it ran.
From that mark:

* no pending landing file, no raw record after the mark and the same dbt project:
  nothing to do (``journey refresh`` then exits at once, without starting a run; a
  scheduled run's dbt step builds nothing, so nothing downstream runs);
* raw tables with records after the mark: the dbt step builds (its incremental models
  rebuild only what the new records touched), and the raw checks of those tables'
  sources run again;
* no mark (a new warehouse, one built before this existed, or one a `journey forget`
  erased rows from) or a changed dbt project (a new definition, seed or model): every
  model is built, and every raw check runs, with the incremental models rebuilt from
  all of raw (``--full-refresh``): a changed variable, seed or model changes rows that
  no new record touches, and without a mark nothing says what built them. A run of
  some models only (the landing-files sensor's) records such a build under the old
  fingerprint, so the next full run still rebuilds what it left out.
* a ``rebuild`` mark (a new day's blocking dbt test failed after the models below it
  were built, ``orchestration/dbt/data_tests.py``): every model, from all of raw, until
  such a build rebuilt every model (none skipped below a test that still fails).

The mark moves in two steps: the dbt step records ``built`` when its build succeeded
(every test passed, nothing left out), and the publish step turns it into
``published`` once every mart it built passed its checks and was published fresh. A
refresh that fails anywhere in between, or whose publication held a mart back, leaves
``published`` where it was, so the next refresh builds again (and holds back again if
the data is still wrong): nothing is ever marked done that readers have not got.

No Dagster here: the CLI reads this before deciding to start a run at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ingestion.registry import LEDGER_TABLE, RAW_SCHEMA
from orchestration.settings import DBT_PROJECT_DIR, Settings

STATE_TABLE = f"{RAW_SCHEMA}._refresh_state"
BUILT = "built"
PUBLISHED = "published"
REBUILD = "rebuild"
"""Recorded when a blocking dbt test failed after the models below it were built (the
new day's tests run after dbt's build, ``orchestration/dbt/data_tests.py``): those
models built on rows the test rejected, so every build from then on rebuilds all of raw
(``--full-refresh``, tests in dbt) until one rebuilt every model (dbt skipped none below
a failed test, none failed, none was left out), which removes the mark."""

STATE_DDL = f"""
create table if not exists {STATE_TABLE} (
    name varchar not null,
    ledger_through timestamp,
    definitions_sha256 varchar not null,
    run_id varchar not null,
    recorded_at timestamp not null
)
"""
"""One row per mark (``built``, ``published``): the newest ``loaded_at`` of a ledger row
with loaded records that the build covered (null: the raw layer held no record), the
dbt project's fingerprint, the run and when it was recorded."""

_DEFINITION_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots")
_DEFINITION_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".py"}


def definitions_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """sha256 over the dbt project's SQL, YAML, seeds and ``dbt_project.yml``: what a
    build computes with. Documentation is left out, since it changes no number: the
    ``.md`` files, and every ``description`` in the YAML files other than
    ``dbt_project.yml`` (which is read whole). Under ``JOURNEY_ENGINE=spark`` the
    engine is part of it too: switching engines builds everything once on the new one."""
    engine = Settings.from_env().engine
    files = [project_dir / "dbt_project.yml"]
    for folder in _DEFINITION_FOLDERS:
        base = project_dir / folder
        if base.is_dir():
            files += [p for p in base.rglob("*") if p.suffix in _DEFINITION_SUFFIXES]
    stats = []
    for path in sorted(files):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        stats.append((path, stat.st_mtime_ns, stat.st_size))
    # A refresh asks once per step; parsing the YAML takes ~0.1 s, reading the files'
    # sizes and times ~1 ms: the same files as last time give the same fingerprint.
    key = (engine, tuple(stats))
    cached = _FINGERPRINTS.get(project_dir)
    if cached is not None and cached[0] == key:
        return cached[1]
    digest = hashlib.sha256()
    if engine != "duckdb":
        digest.update(f"engine={engine}\0".encode())
    for path, _, _ in stats:
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(_definition_bytes(path) + b"\0")
    _FINGERPRINTS[project_dir] = (key, digest.hexdigest())
    return digest.hexdigest()


_FINGERPRINTS: dict[Path, tuple[tuple, str]] = {}
"""Per project folder: the files' (path, mtime, size) and the fingerprint they gave."""


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _definition_bytes(path: Path) -> bytes:
    """A file as the fingerprint reads it: a properties YAML without its descriptions
    (canonical JSON of the rest, so a re-wrapped description changes nothing either);
    every other file, or a YAML file that does not parse (dbt will say why), as is."""
    raw = path.read_bytes()
    if path.suffix not in {".yml", ".yaml"} or path.name == "dbt_project.yml":
        return raw
    try:
        data = yaml.load(raw, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return raw
    return json.dumps(_without_descriptions(data), sort_keys=True, default=str).encode()


def _without_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_without_descriptions(v) for v in node]
    return node


@dataclass(frozen=True)
class BuildMark:
    ledger_through: datetime | None
    definitions_sha256: str
    run_id: str
    recorded_at: datetime


def _has_table(conn: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables "
            "where table_catalog = current_database() and table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def read_mark(conn: duckdb.DuckDBPyConnection, name: str = PUBLISHED) -> BuildMark | None:
    if not _has_table(conn, STATE_TABLE):
        return None
    row = conn.execute(
        f"select ledger_through, definitions_sha256, run_id, recorded_at from {STATE_TABLE} "
        "where name = ? order by recorded_at desc limit 1",
        [name],
    ).fetchone()
    return BuildMark(*row) if row else None


def record_mark(conn: duckdb.DuckDBPyConnection, name: str, mark: BuildMark) -> None:
    """Replace the mark ``name`` (one transaction)."""
    conn.execute(f"create schema if not exists {RAW_SCHEMA}")
    conn.execute(STATE_DDL)
    conn.execute("begin transaction")
    try:
        conn.execute(f"delete from {STATE_TABLE} where name = ?", [name])
        conn.execute(
            f"insert into {STATE_TABLE} values (?, ?, ?, ?, ?)",
            [name, mark.ledger_through, mark.definitions_sha256, mark.run_id, mark.recorded_at],
        )
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise


def promote_built(conn: duckdb.DuckDBPyConnection, run_id: str) -> BuildMark | None:
    """After a publish: the ``built`` mark of this run becomes ``published``."""
    built = read_mark(conn, BUILT)
    if built is None or built.run_id != run_id:
        return None
    record_mark(conn, PUBLISHED, built)
    return built


def forget_mark(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    """Remove the mark ``name``, if it is there."""
    if _has_table(conn, STATE_TABLE):
        conn.execute(f"delete from {STATE_TABLE} where name = ?", [name])


def forget_marks(conn: duckdb.DuckDBPyConnection) -> None:
    """Raw rows were deleted (an erasure): the next refresh builds every model."""
    if _has_table(conn, STATE_TABLE):
        conn.execute(f"delete from {STATE_TABLE}")


def ledger_through(conn: duckdb.DuckDBPyConnection) -> datetime | None:
    """The newest ``loaded_at`` of a ledger row that loaded records."""
    if not _has_table(conn, LEDGER_TABLE):
        return None
    return conn.execute(
        f"select max(loaded_at) from {LEDGER_TABLE} where records_loaded > 0"
    ).fetchone()[0]


def tables_changed_since(
    conn: duckdb.DuckDBPyConnection, since: datetime | None
) -> list[tuple[str, str]]:
    """(source, object) of the raw tables with loaded records after ``since``."""
    if not _has_table(conn, LEDGER_TABLE):
        return []
    return [
        (source, object_)
        for source, object_ in conn.execute(
            f"select distinct source, object from {LEDGER_TABLE} "
            "where records_loaded > 0 and (cast(? as timestamp) is null or loaded_at > ?) "
            "order by source, object",
            [since, since],
        ).fetchall()
    ]


@dataclass(frozen=True)
class BuildPlan:
    """What the dbt step builds in this refresh."""

    build_all: bool
    """Every model (a new warehouse, a changed dbt project, or ``--full``)."""
    reason: str
    changed_tables: tuple[tuple[str, str], ...] = ()
    """With ``build_all`` False: the raw tables with records the last published build
    did not cover (their sources' raw checks run again)."""
    full_refresh: bool = False
    """Incremental models are rebuilt from all of raw (``dbt build --full-refresh``):
    ``--full``, a dbt project that changed since the published build (a new definition,
    seed row or variable changes rows the new records never touch), or no published
    build at all."""
    ledger_through: datetime | None = None
    definitions_sha256: str = ""
    published: BuildMark | None = field(default=None, compare=False)

    @property
    def nothing_to_build(self) -> bool:
        return not self.build_all and not self.changed_tables

    def mark(self, run_id: str, *, partial: bool = False) -> BuildMark:
        """The mark a successful build of this plan records. A ``partial`` build (a run
        of some models only, as the landing-files sensor starts) covers no more of the
        ledger than the published build did (none if nothing was published): it built
        the models below some raw tables only, and the ledger may hold records of others
        (a file another run loaded before failing), which the next whole build must
        still find as changed (an incremental build leaves out every model no changed
        table reaches, ``orchestration/dbt/selection.py``). A partial build of a plan
        that had to build everything also keeps the published fingerprint: the models
        it left out were not built with this project, so the next full run must still
        rebuild everything."""
        recorded_at = datetime.now(UTC).replace(tzinfo=None)
        definitions = self.definitions_sha256
        through = self.ledger_through
        if partial:
            through = self.published.ledger_through if self.published else None
            if self.build_all:
                definitions = self.published.definitions_sha256 if self.published else ""
        return BuildMark(through, definitions, run_id, recorded_at)


def plan_build(
    conn: duckdb.DuckDBPyConnection, *, full: bool = False, project_dir: Path = DBT_PROJECT_DIR
) -> BuildPlan:
    """Decide what the dbt step builds, from the published mark and the ledger."""
    definitions = definitions_fingerprint(project_dir)
    through = ledger_through(conn)
    published = read_mark(conn, PUBLISHED)
    common = {"ledger_through": through, "definitions_sha256": definitions}
    if full:
        return BuildPlan(
            True, "a full rebuild was asked for", full_refresh=True, published=published, **common
        )
    if published is None:
        # Also a full refresh: nothing says which project built the incremental models
        # here (a warehouse from before the mark existed, or one an erasure without its
        # rebuild left with the erased rows in incremental tables); on a new warehouse
        # it costs nothing, the tables do not exist yet.
        return BuildPlan(
            True,
            "no build of this warehouse has been published yet",
            full_refresh=True,
            published=None,
            **common,
        )
    rebuild = read_mark(conn, REBUILD)
    if rebuild is not None:
        return BuildPlan(
            True,
            f"a blocking dbt test failed in run {rebuild.run_id} after the models below it "
            "were built on the rows it rejected",
            full_refresh=True,
            published=published,
            **common,
        )
    if published.definitions_sha256 != definitions:
        return BuildPlan(
            True,
            "the dbt project (models, macros, seeds or vars) changed since the last "
            "published build",
            full_refresh=True,
            published=published,
            **common,
        )
    changed = tuple(tables_changed_since(conn, published.ledger_through))
    reason = (
        f"{len(changed)} raw table(s) received records since the last published build"
        if changed
        else "no raw table received records since the last published build"
    )
    return BuildPlan(False, reason, changed_tables=changed, published=published, **common)
