"""The whole project builds on an empty raw layer, and keeps its conventions.

One ``dbt build`` (the session fixture ``empty_build``) on a warehouse whose raw tables
exist but hold nothing, as for a company that uses none of the vendors yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ingestion.registry import LINEAGE_COLUMNS, RAW_TABLES

DBT_PROJECT_YML = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


def _nodes(manifest: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == resource_type]


def _warehouse_columns(dbt_harness, warehouse: Path, schema: str) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for table, column in dbt_harness.query(
        warehouse,
        "select table_name, column_name from information_schema.columns"
        f" where table_schema = '{schema}' order by table_name, ordinal_position",
    ):
        columns.setdefault(table, []).append(column)
    return columns


def test_every_staging_model_builds_empty(dbt_harness, empty_build) -> None:
    warehouse = empty_build["warehouse"]
    tables = _warehouse_columns(dbt_harness, warehouse, "staging")
    staging_models = {
        node["name"]
        for node in empty_build["manifest"]["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "staging"
    }
    # one per raw table, and the ad platforms' shared-shape views (docs/extending.md)
    assert set(tables) == staging_models
    assert len(tables) >= len(RAW_TABLES)
    for table in tables:
        assert dbt_harness.query(warehouse, f"select count(*) from staging.{table}") == [(0,)]


def test_empty_seed_keeps_its_column_types(dbt_harness, empty_build) -> None:
    warehouse = empty_build["warehouse"]
    types = dbt_harness.query(
        warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'seeds' and table_name = 'acquisition_costs'"
        " order by ordinal_position",
    )
    assert types == [
        ("cost_month", "DATE"),
        ("cost_category", "VARCHAR"),
        ("amount", "DECIMAL(18,2)"),
        ("currency_code", "VARCHAR"),
        ("description", "VARCHAR"),
    ]
    assert dbt_harness.query(warehouse, "select count(*) from seeds.acquisition_costs") == [(0,)]


def test_every_raw_table_is_a_source_with_its_asset_key(empty_build) -> None:
    sources = {
        (s["source_name"], s["name"]): s for s in empty_build["manifest"]["sources"].values()
    }
    assert set(sources) == {(t.source, t.object) for t in RAW_TABLES}
    for table in RAW_TABLES:
        source = sources[(table.source, table.object)]
        assert source["schema"] == "raw"
        assert source["identifier"] == table.table_name
        assert source["meta"]["dagster"]["asset_key"] == list(table.asset_key_path)
        assert source["loaded_at_field"] == "_loaded_at"
        assert source["description"]
        # Every column the source documents is one the loader module declares.
        declared = {*table.columns, *(name for name, _ in LINEAGE_COLUMNS)}
        assert set(source["columns"]) <= declared, table.qualified_name


def test_each_raw_table_feeds_exactly_one_staging_model(empty_build) -> None:
    manifest = empty_build["manifest"]
    readers: dict[str, list[str]] = {}
    for model in _nodes(manifest, "model"):
        for parent in model["depends_on"]["nodes"]:
            if parent.startswith("source."):
                readers.setdefault(parent, []).append(model["name"])
    for table in RAW_TABLES:
        unique_id = f"source.journey_warehouse.{table.source}.{table.object}"
        models = readers.get(unique_id, [])
        assert len(models) == 1, (unique_id, models)
        assert models[0].startswith(f"stg_{table.source}__")
    assert all(name.startswith("stg_") for names in readers.values() for name in names)


def test_every_model_and_column_is_documented(dbt_harness, empty_build) -> None:
    built: dict[str, list[str]] = {}
    for schema in ("staging", "intermediate", "marts"):
        built.update(_warehouse_columns(dbt_harness, empty_build["warehouse"], schema))
    for model in _nodes(empty_build["manifest"], "model"):
        assert model["description"].strip(), model["name"]
        documented = model["columns"]
        assert list(documented) == built[model["name"]], model["name"]
        undescribed = [c for c, props in documented.items() if not props["description"].strip()]
        assert not undescribed, (model["name"], undescribed)


def test_the_engine_contract_holds_on_duckdb(dbt_harness, empty_build) -> None:
    """Each test in dbt_project/tests/engine_contract/ runs in the build and returns no
    row: every dispatched macro gives, on DuckDB, the answers worked out by hand for its
    edge cases (tests/spark/test_thrift_server.py runs the same tests on Spark)."""
    contract = sorted(
        p.stem for p in (DBT_PROJECT_YML.parent / "tests" / "engine_contract").glob("*.sql")
    )
    assert len(contract) >= 15
    results = dbt_harness.run_results(empty_build["warehouse"].parent)
    outcome = {name: (results[name]["status"], results[name]["failures"]) for name in contract}
    assert outcome == dict.fromkeys(contract, ("pass", 0))


def test_every_seed_column_is_documented(dbt_harness, empty_build) -> None:
    built = _warehouse_columns(dbt_harness, empty_build["warehouse"], "seeds")
    for seed in _nodes(empty_build["manifest"], "seed"):
        assert seed["description"].strip(), seed["name"]
        assert list(seed["columns"]) == built[seed["name"]], seed["name"]
        assert all(c["description"].strip() for c in seed["columns"].values()), seed["name"]


def test_every_staging_model_has_a_tested_primary_key(empty_build) -> None:
    manifest = empty_build["manifest"]
    tested: dict[str, dict[str, set[str]]] = {}
    for test in _nodes(manifest, "test"):
        meta = test.get("test_metadata") or {}
        column = test.get("column_name")
        if meta.get("name") in ("unique", "not_null") and column:
            model = test["attached_node"]
            tested.setdefault(model, {}).setdefault(column, set()).add(meta["name"])
    for model in _nodes(manifest, "model"):
        if model["fqn"][1] != "staging":
            continue
        columns = tested.get(model["unique_id"], {})
        assert any(kinds == {"unique", "not_null"} for kinds in columns.values()), model["name"]


def test_channel_rules_run_in_the_glossary_order(dbt_harness, empty_build) -> None:
    channels = dbt_harness.query(
        empty_build["warehouse"],
        "select channel from seeds.channel_rules group by channel order by min(priority)",
    )
    assert [c for (c,) in channels] == [
        "Paid Search",
        "Paid Social",
        "Email",
        "Display",
        "Organic Search",
        "Organic Social",
        "Referral",
        "Direct",
        "Other",
    ]


def test_configurable_defaults_match_the_glossary(dbt_harness, empty_build) -> None:
    variables = yaml.safe_load(DBT_PROJECT_YML.read_text())["vars"]
    assert variables == {
        "reporting_currency": "USD",
        "corporate_currency": "USD",
        "reporting_timezone": "UTC",
        "session_timeout_minutes": 30,
        "site_domains": [],
        "engagement_window_days": 30,
        "mql_score_threshold": 50,
        "attribution_lookback_days": 90,
        "time_decay_half_life_days": 7,
        "position_based_first_weight": 0.4,
        "position_based_last_weight": 0.4,
        "identity_resolution_max_rounds": 20,
        "ad_platforms": ["google_ads", "meta_ads", "linkedin_ads", "microsoft_ads"],
    }
    points = dbt_harness.query(
        empty_build["warehouse"],
        "select engagement_rule, points from seeds.engagement_points order by engagement_rule",
    )
    assert dict(points) == {
        "web_session": 3,
        "pricing_page_view": 10,
        "email_open": 1,
        "email_click": 5,
        "form_submitted": 20,
        "signed_up": 20,
        "demo_requested": 50,
    }
