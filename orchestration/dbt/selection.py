"""What an incremental build leaves out: the nodes no new record can change.

An incremental refresh (``build_state.plan_build``: the same dbt project as the last
published build, some raw tables with records it did not cover) rebuilds only what the
new records reach. The rest of the project is, row for row, what the last published
build made of it, so ``dbt build`` leaves it out (``--exclude``):

* **seeds**: their CSV files are part of the project's fingerprint, so an unchanged
  project has the same seed rows in the warehouse already;
* **views**: a view stores its SQL, not rows, and that SQL is the project's (same
  fingerprint): it shows the new records through its upstream tables without being
  created again;
* **table and incremental models with no changed raw table upstream** (through any
  path of models, views and seeds): every input is as the last published build left
  it, and no model reads the clock or the run (definitions come from the project;
  ``docs/extending.md`` makes it the rule for new models), so a rebuild would write
  the same rows.

Every data test still runs (on the warehouse, after the build), on the models left out
too: a rule over a whole table holds for every publication, built this time or not.
A mart with a Great Expectations suite (``quality/marts.py``) is always built: Dagster
runs a mart's suite only after the run materialized the mart, and every check runs on
every refresh.

A mart left out is published as it is in the warehouse, which is its last published
build: the publication's hold rule counts it as current, not as one dbt failed to
build (``orchestration/serving/assets.py``).

No Dagster and no DuckDB here: it reads the dbt manifest only, so it is tested on its
own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ingestion.registry import RAW_SCHEMA
from orchestration.dbt.graph import upstream_nodes

LEFT_OUT_MARTS_TAG = "journey/dbt_left_out_marts"
"""Run tag of a refresh whose dbt step chose what to leave out: the marts left out as
unchanged, comma separated, empty when none (read by the publication's hold rule)."""

_BUILT_MATERIALIZATIONS = ("table", "incremental")


@dataclass(frozen=True)
class LeftOut:
    """The nodes an incremental ``dbt build`` leaves out."""

    models: tuple[str, ...] = ()
    """Table and incremental models with no changed raw table upstream (names)."""
    views: tuple[str, ...] = ()
    """View models (names)."""
    seeds: tuple[str, ...] = ()
    """Seeds (names)."""
    marts: tuple[str, ...] = ()
    """The marts among ``models`` and ``views`` (names)."""
    unique_ids: frozenset[str] = frozenset()
    """Every node above, by its manifest unique_id (a data test of one still runs)."""
    building: tuple[str, ...] = ()
    """The table and incremental models that are built (names): those a changed raw
    table reaches, and those always built."""

    @property
    def exclusions(self) -> tuple[str, ...]:
        """dbt selectors for ``--exclude``: each node by its name, seeds and views by
        kind (a new seed or view of the project changes the fingerprint, a full build)."""
        selectors = list(self.models)
        if self.seeds:
            selectors.append("resource_type:seed")
        if self.views:
            selectors.append("config.materialized:view")
        return tuple(selectors)

    def summary(self, changed_tables: int) -> str:
        """One line for the dbt step's log."""
        return (
            f"building {len(self.building)} table and incremental model(s): those "
            f"downstream of the {changed_tables} raw table(s) with new records and the "
            f"marts with a suite; left out, unchanged since the last published build: "
            f"{len(self.models)} model(s)"
            + (f" ({len(self.marts)} mart(s): {', '.join(self.marts)})" if self.marts else "")
            + f", {len(self.views)} view(s) and {len(self.seeds)} seed(s)"
        )


def left_out(
    manifest: Mapping[str, Any],
    changed_tables: Iterable[tuple[str, str]],
    *,
    always_build: Collection[str] = (),
    marts_folder: str = "marts",
) -> LeftOut:
    """The nodes of ``manifest`` that the raw tables ``changed_tables`` ((source, object)
    with new records) cannot change, but for the models named in ``always_build`` (the
    marts with a suite). A raw table no dbt source reads changes nothing."""
    changed = {f"{source}__{object_}" for source, object_ in changed_tables}
    changed_sources = {
        uid
        for uid, source in manifest.get("sources", {}).items()
        if source.get("schema") == RAW_SCHEMA
        and (source.get("identifier") or source.get("name")) in changed
    }
    buildable = {
        uid: node
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") in ("model", "seed", "snapshot")
    }
    upstream = upstream_nodes(manifest)

    models: list[str] = []
    marts: list[str] = []
    views: list[str] = []
    seeds: list[str] = []
    building: list[str] = []
    ids: set[str] = set()
    for uid, node in sorted(buildable.items()):
        name = node["name"]
        kind = node["resource_type"]
        materialized = (node.get("config") or {}).get("materialized")
        is_mart = kind == "model" and node.get("fqn", [])[1:2] == [marts_folder]
        if kind == "seed":
            seeds.append(name)
        elif kind == "model" and materialized == "view":
            views.append(name)
            if is_mart:
                marts.append(name)
        elif kind == "model" and materialized in _BUILT_MATERIALIZATIONS:
            if name in always_build or upstream(uid) & changed_sources:
                building.append(name)
                continue
            models.append(name)
            if is_mart:
                marts.append(name)
        else:
            # snapshots, ephemeral and other materializations: built as dbt would
            continue
        ids.add(uid)
    return LeftOut(
        models=tuple(models),
        views=tuple(views),
        seeds=tuple(seeds),
        marts=tuple(marts),
        unique_ids=frozenset(ids),
        building=tuple(building),
    )


def left_out_marts(tags: Mapping[str, str]) -> set[str]:
    """The marts a refresh run's dbt step left out as unchanged (``LEFT_OUT_MARTS_TAG``)."""
    value = tags.get(LEFT_OUT_MARTS_TAG, "")
    return {name for name in value.split(",") if name}
