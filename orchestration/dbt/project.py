"""The one cached dbt project and translator for the code location."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from orchestration.settings import DBT_PROJECT_DIR


class ManifestMissingError(RuntimeError):
    """The dbt manifest has not been built (it is built at install time)."""


@cache
def dbt_project() -> DbtProject:
    """The dbt project, with its manifest built at install time (``make manifest``).

    Under ``dagster dev`` the manifest is re-parsed on load so edits show at once;
    everywhere else it is read as built, never rebuilt at import.
    """
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()
    if not project.manifest_path.exists():
        raise ManifestMissingError(
            f"dbt manifest not found at {project.manifest_path}. Build it with "
            "`make manifest` (make run and make test do this for you)."
        )
    stale = changed_since(project.manifest_path)
    if stale:
        raise ManifestMissingError(
            f"the dbt project changed after its manifest was built ({stale} is newer than "
            f"{project.manifest_path}); rebuild it with `make manifest`, or Dagster's "
            "assets would not match what dbt runs."
        )
    return project


@cache
def dbt_manifest() -> Mapping[str, Any]:
    """The manifest, parsed once per process: dagster-dbt's assets and checks, the
    publication graph and the freshness policies all read this one copy."""
    return json.loads(dbt_project().manifest_path.read_text())


def changed_since(manifest: Path) -> Path | None:
    """A dbt project file newer than the manifest, if any (a few hundred stat calls)."""
    built = manifest.stat().st_mtime
    for folder in ("models", "macros", "seeds", "tests", "snapshots"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.suffix in _DBT_SUFFIXES and path.stat().st_mtime > built:
                return path
    project_yml = DBT_PROJECT_DIR / "dbt_project.yml"
    return project_yml if project_yml.stat().st_mtime > built else None


_DBT_SUFFIXES = {".sql", ".yml", ".yaml", ".csv", ".md", ".py"}


BLOCKING_METADATA = "journey/blocking"
"""Check metadata: whether a failure is blocking (``orchestration.quality.checks``)."""


class JourneyDbtTranslator(DagsterDbtTranslator):
    """Maps dbt sources onto the raw ingestion assets and groups models by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(
                ["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]]
            )
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        # fqn is [project, folder, ...]: staging, intermediate or marts.
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2:
            return fqn[1]
        return super().get_group_name(dbt_resource_props)

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """A dbt test as a check that is never Dagster-``blocking``.

        dagster-dbt makes a test of severity ``error`` Dagster-blocking, and Dagster then
        fails the whole dbt step when one fails, which skips every check and publication
        after it, also of the marts the failure does not guard. Blocking stays the
        test's severity, in the check's metadata (``journey/blocking``): the outcome
        counts as a blocking failure, dbt skips what is built from the tested model,
        and the publication holds back the marts it guards (orchestration/serving/holds.py).
        """
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(
            blocking=False, metadata={**(spec.metadata or {}), BLOCKING_METADATA: spec.blocking}
        )


TRANSLATOR = JourneyDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True,
        # Tests on dbt sources guard the raw assets the loaders write.
        enable_source_tests_as_checks=True,
    )
)
