"""Running the dbt project on Apache Spark (``JOURNEY_ENGINE=spark``, README "Running
on Spark"): raw exported as Parquet for Spark to read (:mod:`.raw_export`), the models
built by dbt-spark, and Spark's marts read back into the warehouse (:mod:`.marts_import`)
for the checks and the publication."""

from __future__ import annotations

import importlib.util
import shutil

SPARK_TARGET = "spark"
"""The output of dbt_project/profiles.yml that builds on Spark."""


def spark_unavailable() -> str | None:
    """Why this machine cannot run dbt on Spark, or ``None`` when it can."""
    if importlib.util.find_spec("dbt.adapters.spark") is None:
        return (
            "JOURNEY_ENGINE=spark needs dbt-spark and pyspark: pip install -c "
            "constraints.txt -e '.[spark]' (make test installs them)"
        )
    if importlib.util.find_spec("pyspark") is None:
        return "JOURNEY_ENGINE=spark in session mode needs pyspark: pip install -e '.[spark]'"
    if shutil.which("java") is None:
        return (
            "JOURNEY_ENGINE=spark needs Java (a JRE 17) on PATH for Spark: on Debian, "
            "apt-get install openjdk-17-jre-headless"
        )
    return None
