"""What a refresh builds, decided from the published mark and the file ledger
(``orchestration/build_state.py``)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import duckdb
import pytest

from ingestion.core import ensure_raw_layer
from orchestration.build_state import (
    BUILT,
    PUBLISHED,
    REBUILD,
    definitions_fingerprint,
    forget_mark,
    forget_marks,
    plan_build,
    promote_built,
    read_mark,
    record_mark,
)
from orchestration.settings import DBT_PROJECT_DIR

T1 = datetime(2026, 3, 1, 6, 0)
T2 = datetime(2026, 3, 2, 6, 0)


@pytest.fixture
def conn(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_layer(connection)
    yield connection
    connection.close()


def _ledger(conn, source, object_, file, loaded, at, status="loaded"):
    conn.execute(
        "insert into raw._file_ledger values (?, ?, ?, ?, 10, ?, ?, ?, 0, 0, null, 'l', ?)",
        [source, object_, file, f"sha-{file}", status, loaded, loaded, at],
    )


@pytest.fixture
def project(tmp_path):
    """A copy of the dbt project's definition files, to change one."""
    root = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR,
        root,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
    )
    return root


def test_a_warehouse_never_published_builds_everything(conn, project):
    _ledger(conn, "google_ads", "ad_stats", "ads/google_ads/a.json", 5, T1)
    plan = plan_build(conn, project_dir=project)
    assert (plan.build_all, plan.changed_tables, plan.ledger_through) == (True, (), T1)
    assert "no build of this warehouse has been published" in plan.reason
    assert plan.full_refresh


def test_the_tables_that_received_records_since_the_publication_are_named(conn, project):
    _ledger(conn, "google_ads", "ad_stats", "ads/google_ads/a.json", 5, T1)
    _ledger(conn, "segment", "events", "web/segment/a.jsonl", 7, T1)
    record_mark(conn, BUILT, plan_build(conn, project_dir=project).mark("run-1"))
    assert promote_built(conn, "run-1") is not None
    assert plan_build(conn, project_dir=project).nothing_to_build
    # a day later: segment and a salesforce object got records, meta only a file whose
    # records were all quarantined or duplicates, google ads nothing
    _ledger(conn, "segment", "events", "web/segment/b.jsonl", 3, T2)
    _ledger(conn, "salesforce", "lead", "crm/salesforce/Lead/b.csv", 1, T2)
    _ledger(conn, "meta_ads", "insights", "ads/meta_ads/b.json", 0, T2)
    plan = plan_build(conn, project_dir=project)
    assert not plan.build_all and not plan.nothing_to_build
    assert plan.changed_tables == (("salesforce", "lead"), ("segment", "events"))
    assert plan.ledger_through == T2
    assert "2 raw table(s) received records" in plan.reason
    assert not plan.full_refresh


def test_a_build_that_was_not_published_is_selected_again(conn, project):
    _ledger(conn, "segment", "events", "web/segment/a.jsonl", 7, T1)
    record_mark(conn, BUILT, plan_build(conn, project_dir=project).mark("run-1"))
    promote_built(conn, "run-1")
    _ledger(conn, "segment", "events", "web/segment/b.jsonl", 3, T2)
    # run-2 built, then a blocking mart check failed: nothing was published
    record_mark(conn, BUILT, plan_build(conn, project_dir=project).mark("run-2"))
    assert plan_build(conn, project_dir=project).changed_tables == (("segment", "events"),)
    # another run's publish does not promote run-2's build
    assert promote_built(conn, "run-3") is None
    assert read_mark(conn, PUBLISHED).run_id == "run-1"


def test_a_changed_dbt_project_or_full_or_an_erasure_builds_everything(conn, project):
    _ledger(conn, "segment", "events", "web/segment/a.jsonl", 7, T1)
    record_mark(conn, BUILT, plan_build(conn, project_dir=project).mark("run-1"))
    promote_built(conn, "run-1")
    assert plan_build(conn, project_dir=project).nothing_to_build
    full = plan_build(conn, full=True, project_dir=project)
    assert (full.build_all, full.full_refresh) == (True, True)
    before = definitions_fingerprint(project)
    # a README or doc block changes no number; a seed row does
    (project / "models" / "notes.md").write_text("{% docs x %}words{% enddocs %}")
    assert definitions_fingerprint(project) == before
    seed = next((project / "seeds").rglob("*.csv"))
    seed.write_text(seed.read_text() + "\n")
    plan = plan_build(conn, project_dir=project)
    assert plan.build_all and "dbt project" in plan.reason
    # a changed project rebuilds the incremental models from all of raw as well
    assert plan.full_refresh
    forget_marks(conn)
    # no mark (here: an erasure without its rebuild, after the project changed): nothing
    # says which project built the incremental tables, so they are rebuilt in full too
    plan = plan_build(conn, project_dir=project)
    assert (plan.build_all, plan.full_refresh) == (True, True)
    assert read_mark(conn, PUBLISHED) is None


def test_a_partial_build_after_a_project_change_leaves_the_old_fingerprint(conn, project):
    """The landing-files sensor builds only what is downstream of the sources with new
    files: after a project change the models it left out were not rebuilt, so its mark
    keeps the published fingerprint and the next full run rebuilds everything. Nor does
    its mark cover more of the ledger than the published one: the next whole build still
    sees every raw table with records since as changed."""
    _ledger(conn, "segment", "events", "web/segment/a.jsonl", 7, T1)
    record_mark(conn, BUILT, plan_build(conn, project_dir=project).mark("run-1"))
    promote_built(conn, "run-1")
    published = read_mark(conn, PUBLISHED).definitions_sha256
    seed = next((project / "seeds").rglob("*.csv"))
    seed.write_text(seed.read_text() + "\n")
    _ledger(conn, "segment", "events", "web/segment/b.jsonl", 3, T2)
    plan = plan_build(conn, project_dir=project)
    assert plan.full_refresh and plan.definitions_sha256 != published
    record_mark(conn, BUILT, plan.mark("run-2", partial=True))
    promote_built(conn, "run-2")
    assert read_mark(conn, PUBLISHED).definitions_sha256 == published
    assert read_mark(conn, PUBLISHED).ledger_through == T1
    after = plan_build(conn, project_dir=project)
    assert after.full_refresh and "dbt project" in after.reason
    # a whole run records the new project; a partial one with new records only (no
    # project change) records it too
    record_mark(conn, BUILT, after.mark("run-3"))
    promote_built(conn, "run-3")
    assert plan_build(conn, project_dir=project).nothing_to_build
    _ledger(conn, "segment", "events", "web/segment/c.jsonl", 2, T2.replace(hour=7))
    partial = plan_build(conn, project_dir=project)
    assert not partial.build_all and partial.changed_tables == (("segment", "events"),)
    partial_mark = partial.mark("run-4", partial=True)
    assert partial_mark.definitions_sha256 == partial.definitions_sha256
    assert partial_mark.ledger_through == T2 == partial.published.ledger_through
    assert partial.mark("run-4").ledger_through == T2.replace(hour=7)
    # nothing was ever published: a partial build records no fingerprint nor ledger
    forget_marks(conn)
    nothing = plan_build(conn, project_dir=project).mark("run-5", partial=True)
    assert (nothing.definitions_sha256, nothing.ledger_through) == ("", None)


def test_marks_keep_their_values(conn):
    mark = plan_build(conn).mark("run-9")
    record_mark(conn, BUILT, mark)
    record_mark(conn, BUILT, mark)
    assert conn.execute("select count(*) from raw._refresh_state").fetchone() == (1,)
    got = read_mark(conn, BUILT)
    assert (got.ledger_through, got.run_id, got.definitions_sha256) == (
        None,
        "run-9",
        definitions_fingerprint(),
    )
    assert got.recorded_at <= datetime.now(UTC).replace(tzinfo=None)


def test_descriptions_are_documentation_not_definitions(project):
    """A reworded description (the docs on every model and column) changes no number and
    must not cost a full rebuild; a changed test, config or column list does."""
    properties = project / "models" / "marts" / "marketing" / "_marketing__models.yml"
    text = properties.read_text()
    before = definitions_fingerprint(project)
    # a folded description reworded and re-wrapped, and a one-line one reworded
    folded = "without a single send (transactional email) belong to no campaign and are left"
    one_line = "description: The single send's latest name (int_campaigns_unioned)."
    assert folded in text and one_line in text
    reworded = text.replace(
        folded, "without a single send (transactional email)\n      are in no campaign and are left"
    ).replace(one_line, "description: The newest name of the single send.")
    properties.write_text(reworded)
    assert definitions_fingerprint(project) == before
    properties.write_text(text.replace("- not_null", "- unique", 1))
    assert definitions_fingerprint(project) != before


def test_a_failed_data_test_after_the_build_rebuilds_everything_until_a_build_passes(conn, project):
    """A new day's data tests run after dbt built the models (orchestration/dbt/
    data_tests.py): when a blocking one fails, the models below it were built on the
    rows it rejected, so the dbt step records REBUILD and every later plan rebuilds all
    of raw until a build passes and removes the mark."""
    _ledger(conn, "segment", "events", "web/segment/a.jsonl", 7, T1)
    record_mark(conn, BUILT, plan_build(conn, project_dir=project).mark("run-1"))
    promote_built(conn, "run-1")
    _ledger(conn, "segment", "events", "web/segment/b.jsonl", 3, T2)
    day = plan_build(conn, project_dir=project)
    assert (day.build_all, day.full_refresh) == (False, False)
    record_mark(conn, REBUILD, day.mark("run-2"))
    plan = plan_build(conn, project_dir=project)
    assert (plan.build_all, plan.full_refresh) == (True, True)
    assert "run-2" in plan.reason and "blocking dbt test failed" in plan.reason
    # the published mark did not move: readers still have run-1's build
    assert read_mark(conn, PUBLISHED).run_id == "run-1"
    # a full build that passed: the mark goes, the next new day is incremental again
    forget_mark(conn, REBUILD)
    record_mark(conn, BUILT, plan.mark("run-3"))
    promote_built(conn, "run-3")
    _ledger(conn, "segment", "events", "web/segment/c.jsonl", 2, datetime(2026, 3, 3, 6))
    after = plan_build(conn, project_dir=project)
    assert (after.build_all, after.full_refresh) == (False, False)
    assert after.changed_tables == (("segment", "events"),)
