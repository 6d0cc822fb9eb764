"""Jobs over the asset graph."""

import dagster as dg

REFRESH_JOB_NAME = "refresh_warehouse"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Load every new landing file into raw, then build seeds, staging, intermediate "
        "and marts with their tests. The job `journey refresh` runs, and the one a "
        "schedule runs."
    ),
    tags={"journey/kind": "refresh"},
)


def build_job_definitions() -> dg.Definitions:
    return dg.Definitions(jobs=[refresh_job])
