"""What an incremental dbt build leaves out (orchestration/dbt/selection.py), on a small
hand-made manifest:

    raw.web__events ---> stg_web (incremental) ---> v_web (view) ---+
                                                                     +--> int_joined --> fct_joined
    raw.crm__lead -----> stg_crm (table) ---------------------------+
                                   +--> mart_crm (table, marts)
    seed channels -------------------+
    dim_calendar (table, marts, no parent)
"""

from __future__ import annotations

from orchestration.dbt.selection import LEFT_OUT_MARTS_TAG, left_out, left_out_marts


def _source(source: str, name: str, schema: str = "raw") -> tuple[str, dict]:
    uid = f"source.p.{source}.{name}"
    return uid, {
        "resource_type": "source",
        "schema": schema,
        "name": name,
        "identifier": f"{source}__{name}",
    }


def _node(kind: str, name: str, parents: list[str], materialized: str, folder: str) -> tuple:
    uid = f"{kind}.p.{name}"
    return uid, {
        "resource_type": kind,
        "name": name,
        "fqn": ["p", folder, name],
        "config": {"materialized": materialized},
        "depends_on": {"nodes": parents},
    }


MANIFEST = {
    "sources": dict([_source("web", "events"), _source("crm", "lead")]),
    "nodes": dict(
        [
            _node("model", "stg_web", ["source.p.web.events"], "incremental", "staging"),
            _node("model", "v_web", ["model.p.stg_web"], "view", "intermediate"),
            _node("model", "stg_crm", ["source.p.crm.lead"], "table", "staging"),
            _node("seed", "channels", [], "seed", "seeds"),
            _node(
                "model", "int_joined", ["model.p.v_web", "model.p.stg_crm"], "table", "intermediate"
            ),
            _node("model", "fct_joined", ["model.p.int_joined"], "table", "marts"),
            _node("model", "mart_crm", ["model.p.stg_crm", "seed.p.channels"], "table", "marts"),
            _node("model", "dim_calendar", [], "table", "marts"),
            _node("test", "not_null_stg_web_id", ["model.p.stg_web"], "test", "staging"),
        ]
    ),
}


def test_new_web_events_build_what_they_reach_through_a_view_and_nothing_else() -> None:
    left = left_out(MANIFEST, [("web", "events")])
    assert left.building == ("fct_joined", "int_joined", "stg_web")
    assert left.models == ("dim_calendar", "mart_crm", "stg_crm")
    assert left.marts == ("dim_calendar", "mart_crm")
    assert left.views == ("v_web",)
    assert left.seeds == ("channels",)
    assert left.exclusions == (
        "dim_calendar",
        "mart_crm",
        "stg_crm",
        "resource_type:seed",
        "config.materialized:view",
    )
    assert left.unique_ids == {
        "model.p.dim_calendar",
        "model.p.mart_crm",
        "model.p.stg_crm",
        "model.p.v_web",
        "seed.p.channels",
    }


def test_new_crm_leads_rebuild_both_marts_downstream_but_not_the_web_staging() -> None:
    left = left_out(MANIFEST, [("crm", "lead")])
    assert left.building == ("fct_joined", "int_joined", "mart_crm", "stg_crm")
    assert left.models == ("dim_calendar", "stg_web")
    assert left.marts == ("dim_calendar",)


def test_every_source_changed_leaves_out_only_seeds_views_and_models_without_sources() -> None:
    left = left_out(MANIFEST, [("crm", "lead"), ("web", "events")])
    assert left.models == ("dim_calendar",)
    assert len(left.building) == 5
    assert left.summary(2) == (
        "building 5 table and incremental model(s): those downstream of the 2 raw table(s) "
        "with new records and the marts with a suite; left out, unchanged since the last "
        "published build: 1 model(s) (1 mart(s): dim_calendar), 1 view(s) and 1 seed(s)"
    )


def test_a_raw_table_no_source_reads_and_a_source_outside_raw_change_nothing() -> None:
    manifest = {
        **MANIFEST,
        "sources": {**MANIFEST["sources"], **dict([_source("web", "pages", schema="other")])},
    }
    left = left_out(manifest, [("ads", "stats"), ("web", "pages")])
    assert left.building == ()
    assert len(left.models) == 6


def test_the_left_out_marts_travel_as_a_run_tag() -> None:
    assert left_out_marts({LEFT_OUT_MARTS_TAG: "dim_calendar,mart_crm"}) == {
        "dim_calendar",
        "mart_crm",
    }
    assert left_out_marts({}) == set()


def test_a_mart_named_always_built_is_built_though_no_change_reaches_it() -> None:
    """The marts with a Great Expectations suite: Dagster runs a suite only on a mart
    the run materialized."""
    left = left_out(MANIFEST, [("web", "events")], always_build={"mart_crm"})
    assert left.building == ("fct_joined", "int_joined", "mart_crm", "stg_web")
    assert left.models == ("dim_calendar", "stg_crm")
    assert left.marts == ("dim_calendar",)


def test_a_mart_that_is_a_view_is_left_out_as_a_mart() -> None:
    """Its name travels in the run tag, so publication does not hold it back as a mart
    dbt failed to build."""
    uid, node = _node("model", "mart_web", ["model.p.stg_web"], "view", "marts")
    manifest = {**MANIFEST, "nodes": {**MANIFEST["nodes"], uid: node}}
    left = left_out(manifest, [("web", "events")])
    assert left.views == ("mart_web", "v_web")
    assert left.marts == ("dim_calendar", "mart_crm", "mart_web")
