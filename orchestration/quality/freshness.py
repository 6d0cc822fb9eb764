"""Freshness policies: how long each landing folder may go without delivering.

One setting per raw table, in one place: the ``freshness`` of its dbt source
(``dbt_project/models/staging/<source>/_<source>__sources.yml``), where the dbt docs
site and ``dbt source freshness`` read it. The Dagster policy on each landing asset is
derived from the same entry in the dbt manifest (built at install time), so the two
cannot disagree.

A landing asset counts as updated when a refresh finds new files in its folder (the
load step reports a materialization of ``landing/<source>/<object>`` then), and dbt
measures the newest ``_loaded_at`` of the raw table, which a load writes only when it
brought rows: both read "the landing zone has not delivered for N hours".

A dbt source with ``error_after: null`` (only a warning, e.g. campaign metadata that is
exported when it changes) or no freshness at all gets no Dagster policy: Dagster's
time-window policy needs a fail window, and inventing one would turn a warning into a
failure.

Dagster evaluates freshness policies when ``freshness: enabled: true`` is set in
``dagster.yaml`` (``journey`` writes it into a new DAGSTER_HOME) and shows the state
on each landing asset in the UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import dagster as dg

from ingestion.registry import RawTable
from orchestration.dbt.project import dbt_manifest

_PERIODS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class SourceFreshness:
    """A dbt source table's freshness: warn and error windows (None: not set)."""

    warn_after: timedelta | None
    error_after: timedelta | None

    def policy(self) -> dg.FreshnessPolicy | None:
        if self.error_after is None:
            return None
        return dg.FreshnessPolicy.time_window(
            fail_window=self.error_after, warn_window=self.warn_after
        )

    def describe(self) -> str:
        def words(window: timedelta | None) -> str:
            if window is None:
                return "never"
            hours = window.total_seconds() / 3600
            return f"{hours:g} h" if hours < 48 or hours % 24 else f"{hours / 24:g} days"

        return f"warn after {words(self.warn_after)}, error after {words(self.error_after)}"


def _window(rule: Mapping[str, Any] | None) -> timedelta | None:
    if not rule or rule.get("count") is None or rule.get("period") is None:
        return None
    return int(rule["count"]) * _PERIODS[rule["period"]]


def freshness_from_manifest(manifest: Mapping[str, Any]) -> dict[tuple[str, str], SourceFreshness]:
    """(source, table) -> freshness, for every dbt source table in a manifest."""
    found = {}
    for node in manifest.get("sources", {}).values():
        rule = node.get("freshness") or {}
        found[(node["source_name"], node["name"])] = SourceFreshness(
            warn_after=_window(rule.get("warn_after")), error_after=_window(rule.get("error_after"))
        )
    return found


@cache
def source_freshness() -> dict[tuple[str, str], SourceFreshness]:
    """The freshness of every dbt source table, from the project's manifest."""
    return freshness_from_manifest(dbt_manifest())


def table_freshness(table: RawTable) -> SourceFreshness:
    """The freshness of one raw table's dbt source; an error names the file to edit."""
    found = source_freshness().get((table.source, table.object))
    if found is None:
        raise KeyError(
            f"raw table {table.qualified_name} has no dbt source {table.source}.{table.object}: "
            f"declare it in dbt_project/models/staging/{table.source}/"
            f"_{table.source}__sources.yml with its freshness (docs/extending.md)"
        )
    return found


def landing_freshness_policy(table: RawTable) -> dg.FreshnessPolicy | None:
    return table_freshness(table).policy()
