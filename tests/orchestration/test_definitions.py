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
    assert len(raw_keys) == 16


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
