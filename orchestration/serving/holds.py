"""Which marts a refresh holds back from the published file, and why.

A blocking failure holds back only the marts it guards (issue 11): every other mart is
published fresh. The rule, applied by ``plan_holds``:

1. A failed blocking check on an asset holds back every mart built from that asset
   (the asset itself when it is a mart, and every mart downstream of it in the dbt
   graph). A raw check guards the marts downstream of its raw table, a dbt test the
   marts downstream of the model it is attached to (its ``meta.dagster.ref``), a mart
   suite its own mart.
2. A mart the run should have rebuilt but did not (dbt skipped it below a failed test,
   left it out below a failed raw check, or its SQL failed) is held back: its table in
   the warehouse is not this run's build.
3. Marts that must agree with each other form a **publication group** (dbt model meta
   ``publication_group``; a mart without one is a group of its own). When one mart of
   a group is held back, the whole group is: readers never see revenue in
   ``mart_sales_monthly`` that ``mart_channel_roi`` does not show.

No Dagster and no DuckDB here: the graph comes from the dbt manifest (``mart_graph``)
and the failures from the run, so the rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orchestration.dbt.graph import upstream_nodes

PUBLICATION_GROUP_META = "publication_group"
NOT_REBUILT = "not rebuilt in this refresh (dbt skipped it or its build failed; see the log)"


@dataclass(frozen=True)
class MartNode:
    """A mart as the hold rule needs it."""

    name: str
    group: str
    upstream: frozenset[str]
    """Asset paths (``raw/salesforce/opportunity``, ``intermediate/int_x``,
    ``marts/fct_y``) the mart is built from, its own included."""


@dataclass(frozen=True)
class FailedRule:
    """A blocking check that failed in the run, on the asset it guards."""

    asset: str
    """The checked asset's path, ``/``-joined as in ``mart_graph``."""
    rule: str
    """The check's name."""

    def __str__(self) -> str:
        return f"{self.asset} / {self.rule}"


def plan_holds(
    marts: Iterable[MartNode],
    failed: Iterable[FailedRule],
    not_rebuilt: Iterable[str] = (),
) -> dict[str, str]:
    """Mart name -> why it is held back (the rules, in words), for the marts held back;
    every other mart is published fresh."""
    marts = sorted(marts, key=lambda m: m.name)
    failed = sorted(set(failed), key=str)
    not_rebuilt = set(not_rebuilt)
    direct: dict[str, str] = {}
    for mart in marts:
        guarding = [str(f) for f in failed if f.asset in mart.upstream]
        if guarding:
            direct[mart.name] = "; ".join(guarding)
        elif mart.name in not_rebuilt:
            direct[mart.name] = NOT_REBUILT
    held = dict(direct)
    for mart in marts:
        if mart.name in held:
            continue
        partners = sorted(
            other.name for other in marts if other.group == mart.group and other.name in direct
        )
        if partners:
            held[mart.name] = (
                f"held with {', '.join(partners)} (publication group {mart.group}): "
                + direct[partners[0]]
            )
    return held


def mart_graph(
    manifest: Mapping[str, Any], asset_path: Any, *, marts_folder: str = "marts"
) -> list[MartNode]:
    """The marts of a dbt manifest with their publication group and upstream assets.

    ``asset_path(unique_id)`` gives the ``/``-joined asset path of a manifest node or
    source (the Dagster translator's key), so raw tables appear as ``raw/<source>/<table>``.
    """
    upstream = upstream_nodes(manifest)
    result = []
    for uid, node in sorted(manifest["nodes"].items()):
        if node.get("resource_type") != "model" or node.get("fqn", [])[1:2] != [marts_folder]:
            continue
        meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
        result.append(
            MartNode(
                name=node["name"],
                group=str(meta.get(PUBLICATION_GROUP_META) or node["name"]),
                upstream=frozenset(asset_path(u) for u in upstream(uid)),
            )
        )
    return result
