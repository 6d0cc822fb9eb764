"""Jobs over the asset graph."""

import dagster as dg

WRITER_TAGS = {"journey/writes_warehouse": "true"}
"""Runs that open the warehouse: the instance's run queue lets one at a time proceed
(``tag_concurrency_limits`` in the dagster.yaml that ``journey`` writes)."""

FULL_REFRESH_TAG = "journey/full_refresh"
"""A run tagged ``journey/full_refresh=true`` rebuilds every incremental dbt model from
all of raw (``dbt build --full-refresh``): `journey refresh --full`, or the tag set on a
run launched from the UI. A refresh does the same by itself when the dbt project
(a model, macro, seed or variable in ``dbt_project.yml``) changed since the last
published build (``orchestration/build_state.py``); a value passed with ``--vars`` is
not part of the project and needs this tag."""

REFRESH_JOB_NAME = "refresh_warehouse"
PUBLISH_JOB_NAME = "publish_marts"
CHECK_JOB_NAME = "check_warehouse"

PUBLISHES_RUN_TAG = "journey/publishes_run"
"""On a `publish_marts` run: the id of the `refresh_warehouse` run whose build and check
outcomes it publishes (which marts are fresh, which are held back)."""
DBT_BUILT_TAG = "journey/dbt_built"
"""Added to a `refresh_warehouse` run by its dbt step when it ran a build: only such a
run has marts to publish."""

DBT_MODEL_ERRORS_TAG = "journey/dbt_model_errors"
"""Added with ``journey/dbt_built``: how many models dbt could not build (SQL errors)."""

PUBLICATION_GROUPS = ("serving", "reports")
"""The asset groups a `publish_marts` run materializes: the published file and the
report read from it."""

PUBLISHED_FILE_KEY = dg.AssetKey(["serving", "published_marts"])
"""The published file's asset (``orchestration.serving.assets``): its check runs only
with its publication."""

LANDING_ZONE_KEY = dg.AssetKey(["landing", "zone"])
"""The landing directory as a whole (``orchestration.ingestion.assets``)."""
LANDING_ZONE_CHECKS = dg.AssetSelection.checks_for_assets(LANDING_ZONE_KEY)
"""Its check (every file has a loader): the landing zone is an external asset, so
selecting every asset does not select its check."""

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=(dg.AssetSelection.all() - dg.AssetSelection.groups(*PUBLICATION_GROUPS))
    | LANDING_ZONE_CHECKS,
    description=(
        "Load every new landing file into raw, then build seeds, staging, intermediate "
        "and marts with their tests and quality suites. The job `journey refresh` runs, "
        "and the one the schedule and the landing sensor run; `publish_marts` follows it."
    ),
    tags={**WRITER_TAGS, "journey/kind": "refresh"},
)

publish_job = dg.define_asset_job(
    name=PUBLISH_JOB_NAME,
    selection=dg.AssetSelection.groups(*PUBLICATION_GROUPS),
    description=(
        "Publish the marts of the last refresh to the file BI tools read, each fresh or, "
        "when a blocking rule guarding it failed in that refresh, as its last good build "
        "(orchestration/serving/holds.py); then write the report from that file. Runs "
        "after every `refresh_warehouse` run that built (tag journey/publishes_run)."
    ),
    tags={**WRITER_TAGS, "journey/kind": "publish"},
)


check_job = dg.define_asset_job(
    name=CHECK_JOB_NAME,
    selection=dg.AssetSelection.all_asset_checks()
    - dg.AssetSelection.checks_for_assets(PUBLISHED_FILE_KEY),
    description=(
        "Run every data-quality check (the quality suites and the dbt tests) against the "
        "warehouse as it is, without loading or rebuilding anything. `journey check`. "
        "(The published file's check runs with its publication.)"
    ),
    tags={**WRITER_TAGS, "journey/kind": "check"},
)


def build_job_definitions() -> dg.Definitions:
    return dg.Definitions(jobs=[refresh_job, publish_job, check_job])
