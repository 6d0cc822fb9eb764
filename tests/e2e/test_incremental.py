"""Incremental refreshes give the same warehouse as a full build.

The demo world arrives in three parts, as it would in production: the drops up to
2026-06-30, then those up to 2026-08-31, then the rest (to 2026-09-30), with a
`journey refresh` after each. The drops carry late web events, ad days restated weeks
later and CRM records changed months after they were created, and later drops link
anonymous browsers to people seen before. The warehouse that took the three
incremental refreshes must equal, table for table and row for row, one rebuilt from the
whole landing zone by `journey refresh --full`. (A refresh with no new file changes
no row: tests/e2e/test_refresh_demo.py.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from synthetic import generate

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))

DROPS = (date(2026, 6, 30), date(2026, 8, 31), None)


def _env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(root / "landing"),
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "JOURNEY_SERVING": str(root / "serving.duckdb"),
        "JOURNEY_REPORT_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def _refresh(root: Path, *args: str) -> str:
    done = subprocess.run(
        [JOURNEY, "refresh", *args],
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("incremental")
    outputs = []
    for until in DROPS:
        generate(root / "landing", scale="demo", seed=42, until=until)
        outputs.append(_refresh(root))
    incremental = root / "incremental.duckdb"
    shutil.copyfile(root / "warehouse.duckdb", incremental)
    outputs.append(_refresh(root, "--full"))
    return root, incremental, outputs


def test_three_incremental_refreshes_equal_a_full_rebuild(built, differences) -> None:
    root, incremental, outputs = built
    assert [out.splitlines()[0].endswith("(incremental)") for out in outputs[:3]] == [True] * 3
    assert outputs[3].splitlines()[0].endswith("(full rebuild)")
    with duckdb.connect(str(incremental), read_only=True) as conn:
        # the comparison is not vacuous: the journey and the marts have rows
        journey = conn.execute("select count(*) from marts.fct_customer_journey").fetchone()[0]
        won = conn.execute("select sum(won_deals) from marts.mart_sales_monthly").fetchone()[0]
    assert journey > 10_000
    assert won > 0
    assert differences(incremental, root / "warehouse.duckdb") == {}


def test_a_changed_dbt_project_rebuilds_the_incremental_models_from_all_of_raw(
    built, tmp_path, differences
) -> None:
    """A changed variable or seed changes rows no new record touches, so the refresh
    after a project change runs ``dbt build --full-refresh`` without being asked: a row
    only a full rebuild restores comes back."""
    root, _, _ = built
    shutil.copytree(root / "landing", tmp_path / "landing")
    shutil.copyfile(root / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copyfile(root / "warehouse.duckdb", tmp_path / "expected.duckdb")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        # as if the last published build had run another version of the dbt project
        conn.execute("update raw._refresh_state set definitions_sha256 = 'an older project'")
        # and a session from before it, which an incremental build would not revisit
        browser = conn.execute(
            "select browser_id from intermediate.int_web_sessions_aggregated "
            "order by session_id limit 1"
        ).fetchone()[0]
        removed = conn.execute(
            "delete from intermediate.int_web_sessions_aggregated where browser_id = ?",
            [browser],
        ).fetchone()[0]
    assert removed > 0
    out = _refresh(tmp_path)
    assert (
        "(full rebuild: the dbt project (models, macros, seeds or vars) changed"
        in (out.splitlines()[0])
    )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        (restored,) = conn.execute(
            "select count(*) from intermediate.int_web_sessions_aggregated where browser_id = ?",
            [browser],
        ).fetchone()
    assert restored == removed
    assert differences(tmp_path / "warehouse.duckdb", tmp_path / "expected.duckdb") == {}
