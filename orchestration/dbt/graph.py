"""The dbt project's graph as the manifest gives it, for the code that reasons about
what is built from what: the incremental build's selection (``selection.py``) and the
publication's hold rule (``orchestration/serving/holds.py``). No Dagster, no DuckDB: it
reads a manifest mapping only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def upstream_nodes(manifest: Mapping[str, Any]) -> Callable[[str], frozenset[str]]:
    """For a manifest node or source (unique_id): itself and every model, seed, snapshot
    and source it is built from, through any path (remembered per node)."""
    nodes = {**manifest.get("sources", {}), **manifest.get("nodes", {})}
    parents = {
        uid: tuple(node.get("depends_on", {}).get("nodes", ()))
        for uid, node in nodes.items()
        if node.get("resource_type") in {"model", "seed", "snapshot", "source"}
    }
    found: dict[str, frozenset[str]] = {}

    def upstream(uid: str) -> frozenset[str]:
        if uid not in found:
            ancestors = {uid}
            for parent in parents.get(uid, ()):
                if parent in parents:
                    ancestors |= upstream(parent)
            found[uid] = frozenset(ancestors)
        return found[uid]

    return upstream
