"""End to end, as a user runs it: `journey generate`, then `journey refresh` twice.

Expected numbers come from the generator's own account of what it wrote (records,
injected broken records, duplicate deliveries), which its tests check against the
files; here they must come out of the warehouse unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.registry import RAW_TABLES
from ingestion.synthetic import GenerationSummary, generate

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


@dataclass
class Refresh:
    returncode: int
    stdout: str
    stderr: str


def _journey(env: dict[str, str], *args: str) -> Refresh:
    done = subprocess.run(
        [JOURNEY, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return Refresh(done.returncode, done.stdout, done.stderr)


def _counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'staging')"
        ).fetchall()
        return {
            f"{s}.{t}": conn.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
            for s, t in tables
        }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(root / "landing"),
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    summary = generate(root / "landing", scale="demo", seed=42)
    first = _journey(env, "refresh")
    after_first = _counts(root / "warehouse.duckdb") if first.returncode == 0 else {}
    second = _journey(env, "refresh")
    return summary, env, root, first, after_first, second


def test_refresh_succeeds_and_prints_a_summary(demo) -> None:
    _, _, root, first, _, _ = demo
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "refresh succeeded" in first.stdout
    assert f"warehouse file: {root / 'warehouse.duckdb'}" in first.stdout
    assert "built raw/segment/events" in first.stdout
    # dbt's own log goes to the run log, not the terminal
    assert "Running with dbt=" not in first.stdout


def test_every_raw_table_holds_what_the_generator_wrote(demo) -> None:
    summary: GenerationSummary = demo[0]
    counts = demo[4]
    for table in RAW_TABLES:
        key = f"{table.source}/{table.object}"
        assert counts[f"raw.{table.table_name}"] == summary.loaded(key), key


def test_every_bad_record_is_quarantined_with_a_reason(demo) -> None:
    summary: GenerationSummary = demo[0]
    root = demo[2]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        by_table = dict(
            conn.execute(
                "select source || '/' || object, count(*) from raw._quarantine "
                "where source_position is not null group by 1"
            ).fetchall()
        )
        whole_files = {
            row[0]
            for row in conn.execute(
                "select source_file from raw._quarantine where source_position is null"
            ).fetchall()
        }
        (empty_reasons,) = conn.execute(
            "select count(*) from raw._quarantine where coalesce(reason, '') = ''"
        ).fetchone()
    assert by_table == {t: n for t, n in summary.broken.items() if n}
    assert whole_files == set(summary.unreadable_files)
    assert empty_reasons == 0


def test_the_ledger_adds_up_for_every_file(demo) -> None:
    summary: GenerationSummary = demo[0]
    root = demo[2]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        files, bad = conn.execute(
            """
            select
                count(*),
                count(*) filter (
                    where records_read
                        <> records_loaded + records_duplicate + records_quarantined
                )
            from raw._file_ledger
            """
        ).fetchone()
        duplicates = dict(
            conn.execute(
                "select source || '/' || object, sum(records_duplicate) from raw._file_ledger "
                "group by 1 having sum(records_duplicate) > 0"
            ).fetchall()
        )
    assert files == summary.total_files
    assert bad == 0
    assert duplicates == {t: n for t, n in summary.duplicates.items() if n}


def test_a_second_refresh_changes_nothing(demo) -> None:
    _, _, root, _, after_first, second = demo
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert _counts(root / "warehouse.duckdb") == after_first
    assert "built raw/segment/events: 0 rows loaded, 0 duplicates, 0 quarantined" in (second.stdout)


def test_generate_if_empty_leaves_a_filled_landing_zone_alone(demo) -> None:
    _, env, _, _, _, _ = demo
    run = _journey(env, "generate", "--if-empty")
    assert run.returncode == 0
    assert "already has files: not generating" in run.stdout


def test_a_failing_step_makes_refresh_exit_non_zero(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_directory"
    blocker.write_text("a file where the warehouse folder should be")
    env = {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(tmp_path / "landing"),
        "JOURNEY_WAREHOUSE": str(blocker / "warehouse.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    run = _journey(env, "refresh")
    assert run.returncode == 1
    assert "refresh FAILED" in run.stderr
    assert "load_" in run.stderr
