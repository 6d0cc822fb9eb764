"""The code location loads, and its lineage is one connected graph."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from ingestion import SOURCES
from ingestion.registry import RAW_TABLES


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="module")
def asset_graph(defs: dg.Definitions):
    return defs.resolve_asset_graph()


def test_definitions_load(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("refresh_warehouse") is not None


def test_one_raw_asset_per_registry_table(asset_graph) -> None:
    raw_keys = {k for k in asset_graph.get_all_asset_keys() if k.path[0] == "raw"}
    assert raw_keys == {dg.AssetKey(list(t.asset_key_path)) for t in RAW_TABLES}


def test_raw_assets_are_materializable_and_grouped_by_family(asset_graph) -> None:
    for table in RAW_TABLES:
        node = asset_graph.get(dg.AssetKey(list(table.asset_key_path)))
        assert node.is_materializable
        assert node.group_name == "raw"
    families = {
        asset_graph.get(dg.AssetKey(list(t.asset_key_path))).assets_def.node_def.name
        for t in RAW_TABLES
    }
    assert families == {f"load_{s}" for s in SOURCES}


def test_lineage_runs_from_landing_through_raw_to_staging(asset_graph) -> None:
    """Every staging model reads exactly the raw asset it is named for, and every raw
    asset reads its landing folder: a dbt source that failed to map onto the raw key
    would show up here as a dangling `<source>/<table>` key."""
    for table in RAW_TABLES:
        raw_key = dg.AssetKey(list(table.asset_key_path))
        assert asset_graph.get(raw_key).parent_keys == {
            dg.AssetKey(["landing", table.source, table.object])
        }
        children = asset_graph.get(raw_key).child_keys
        assert children, f"no dbt model reads {raw_key.to_user_string()}"
        assert all(c.path[-1].startswith(f"stg_{table.source}__") for c in children)

    dangling = {
        k
        for k in asset_graph.get_all_asset_keys()
        if not asset_graph.get(k).is_materializable and k.path[0] not in ("landing",)
    }
    assert dangling == set()


def test_dbt_models_are_grouped_by_layer(asset_graph) -> None:
    groups = {
        asset_graph.get(k).group_name
        for k in asset_graph.get_all_asset_keys()
        if k.path[-1].startswith("stg_")
    }
    assert groups == {"staging"}


SNAPSHOT = Path(__file__).with_name("asset_graph.snapshot")


def _render_graph(asset_graph) -> str:
    lines = []
    for key in sorted(asset_graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        parents = sorted(p.to_user_string() for p in asset_graph.get(key).parent_keys)
        lines.append(f"{key.to_user_string()} <- {', '.join(parents) or '(none)'}")
    return "\n".join(lines) + "\n"


def test_asset_graph_matches_the_reviewed_snapshot(asset_graph) -> None:
    """Every asset key and its parents, so a lineage change shows up in review.

    After an intended change: `UPDATE_SNAPSHOTS=1 pytest tests/orchestration` and
    commit the new snapshot with the change.
    """
    rendered = _render_graph(asset_graph)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(rendered)
    assert rendered == SNAPSHOT.read_text(), (
        "the asset graph changed; if intended, regenerate with UPDATE_SNAPSHOTS=1"
    )


CHECKS_SNAPSHOT = Path(__file__).with_name("asset_checks.snapshot")


def test_asset_checks_match_the_reviewed_snapshot(defs: dg.Definitions) -> None:
    """Every check with its severity, so a check that disappears or turns from blocking
    into a warning shows up in review. Regenerate like the asset graph snapshot."""
    from orchestration.quality.report import check_catalog

    catalog = check_catalog(defs)
    rendered = "".join(
        f"{'/'.join(key.asset_key.path)} / {key.name}: "
        f"{'blocking' if catalog[key].blocking else 'warning'}\n"
        for key in sorted(catalog, key=lambda k: ("/".join(k.asset_key.path), k.name))
    )
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        CHECKS_SNAPSHOT.write_text(rendered)
    assert rendered == CHECKS_SNAPSHOT.read_text(), (
        "the asset checks changed; if intended, regenerate with UPDATE_SNAPSHOTS=1"
    )


def test_every_check_has_a_rule_in_words(defs: dg.Definitions) -> None:
    from orchestration.quality.report import check_catalog

    missing = [
        key.to_user_string()
        for key, info in check_catalog(defs).items()
        if info.rule == key.name and not key.name.startswith(_GENERIC_TEST_PREFIXES)
    ]
    assert missing == []


_GENERIC_TEST_PREFIXES = (
    "not_null_",
    "unique_",
    "accepted_values_",
    "accepted_range_",
    "relationships_",
    "expression_is_true_",
    "dbt_utils_",
    "source_",
)


def test_quality_suite_severities_reach_dagster(defs: dg.Definitions) -> None:
    """Blocking rules are ERROR-severity checks, and none is Dagster-blocking: a
    failure holds back only what it guards (the dbt step excludes what is downstream of
    a raw table, dbt skips what is built from a tested model, the publication holds
    back the marts a failure guards), never a whole step."""
    graph = defs.resolve_asset_graph()
    raw_key = dg.AssetCheckKey(dg.AssetKey(["raw", "google_ads", "ad_stats"]), "values_in_range")
    mart_key = dg.AssetCheckKey(
        dg.AssetKey(["marts", "mart_channel_roi"]), "channel_in_seed_list_mart_channel_roi_channel"
    )
    assert graph.get_check_spec(raw_key).blocking is False
    assert graph.get_check_spec(mart_key).blocking is False
    dbt_key = dg.AssetCheckKey(
        dg.AssetKey(["intermediate", "int_opportunities_converted"]), "fx_rate_available_for_deals"
    )
    assert graph.get_check_spec(dbt_key).blocking is False
    from orchestration.quality.report import check_catalog

    catalog = check_catalog(defs)
    assert catalog[raw_key].blocking is True
    assert catalog[mart_key].blocking is True
    assert catalog[dbt_key].blocking is True
    quarantine = dg.AssetCheckKey(raw_key.asset_key, "no_records_quarantined")
    assert catalog[quarantine].blocking is False


def test_blocked_raw_tables_become_dbt_exclusions() -> None:
    from orchestration.quality.checks import CheckOutcome, blocked_dbt_exclusions

    def outcome(path: list[str], name: str, blocking: bool) -> CheckOutcome:
        return CheckOutcome(dg.AssetKey(path), name, False, blocking, "found something")

    blocked = blocked_dbt_exclusions(
        [
            outcome(["raw", "google_ads", "ad_stats"], "values_in_range", True),
            outcome(["raw", "google_ads", "ad_stats"], "currency_codes_are_iso_4217", True),
            outcome(["raw", "segment", "events"], "no_records_quarantined", False),
            outcome(["marts", "mart_channel_roi"], "channel_in_seed_list", True),
        ]
    )
    assert list(blocked) == ["source:google_ads.ad_stats+"]
    assert [f.check_name for f in blocked["source:google_ads.ad_stats+"]] == [
        "values_in_range",
        "currency_codes_are_iso_4217",
    ]


def test_the_landing_zone_check_runs_with_every_refresh_and_check(defs: dg.Definitions) -> None:
    """The landing zone is an external asset: its check is selected explicitly."""
    from orchestration.jobs import LANDING_ZONE_KEY, check_job, refresh_job

    key = dg.AssetCheckKey(LANDING_ZONE_KEY, "every_landing_file_has_a_loader")
    graph = defs.resolve_asset_graph()
    assert key in refresh_job.selection.resolve_checks(graph)
    assert key in check_job.selection.resolve_checks(graph)
