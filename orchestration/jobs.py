"""Jobs over the asset graph."""

import dagster as dg

WRITER_TAGS = {"journey/writes_warehouse": "true"}
"""Runs that open the warehouse: the instance's run queue lets one at a time proceed
(``tag_concurrency_limits`` in the dagster.yaml that ``journey`` writes)."""

FULL_REFRESH_TAG = "journey/full_refresh"
"""A run tagged ``journey/full_refresh=true`` rebuilds every incremental dbt model from
all of raw (``dbt build --full-refresh``): `journey refresh --full`, or the tag set on a
run launched from the UI. Needed after a definition variable changes (the incremental
path only recomputes what new data touches)."""

REFRESH_JOB_NAME = "refresh_warehouse"
CHECK_JOB_NAME = "check_warehouse"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Load every new landing file into raw, then build seeds, staging, intermediate "
        "and marts with their tests. The job `journey refresh` runs, and the one a "
        "schedule runs."
    ),
    tags={**WRITER_TAGS, "journey/kind": "refresh"},
)


check_job = dg.define_asset_job(
    name=CHECK_JOB_NAME,
    selection=dg.AssetSelection.all_asset_checks(),
    description=(
        "Run every data-quality check (the quality suites and the dbt tests) against the "
        "warehouse as it is, without loading or rebuilding anything. `journey check`."
    ),
    tags={**WRITER_TAGS, "journey/kind": "check"},
)


def build_job_definitions() -> dg.Definitions:
    return dg.Definitions(jobs=[refresh_job, check_job])
