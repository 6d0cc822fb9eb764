"""Running the dbt project on Apache Spark (``JOURNEY_ENGINE=spark``, README "Running
on Spark"): raw exported as Parquet for Spark to read (:mod:`.raw_export`), the models
built by dbt-spark, and Spark's marts read back into the warehouse (:mod:`.marts_import`)
for the checks and the publication."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

SPARK_TARGET = "spark"
"""The output of dbt_project/profiles.yml that builds on Spark in the dbt process."""
SPARK_THRIFT_TARGET = "spark_thrift"
"""The output that builds through a Spark Thrift server (``JOURNEY_SPARK_METHOD=thrift``)."""
ENV_SPARK_METHOD = "JOURNEY_SPARK_METHOD"


def spark_target() -> str:
    """The dbt target for ``JOURNEY_SPARK_METHOD``: ``session`` (default) or ``thrift``."""
    method = (os.environ.get(ENV_SPARK_METHOD) or "session").strip().lower()
    if method not in ("session", "thrift"):
        raise ValueError(f"{ENV_SPARK_METHOD}={method!r}: use session or thrift")
    return SPARK_THRIFT_TARGET if method == "thrift" else SPARK_TARGET


def spark_unavailable(target: str = SPARK_TARGET) -> str | None:
    """Why this machine cannot run dbt on Spark (through ``target``), or ``None`` when
    it can. A Thrift server runs elsewhere: then only dbt-spark and PyHive are needed."""
    if importlib.util.find_spec("dbt.adapters.spark") is None:
        return (
            "JOURNEY_ENGINE=spark needs dbt-spark and pyspark: pip install -c "
            "constraints.txt -e '.[spark]' (make test installs them)"
        )
    if target == SPARK_THRIFT_TARGET:
        return None
    if importlib.util.find_spec("pyspark") is None:
        return "JOURNEY_ENGINE=spark in session mode needs pyspark: pip install -e '.[spark]'"
    if shutil.which("java") is None:
        return (
            "JOURNEY_ENGINE=spark needs Java (a JRE 17) on PATH for Spark: on Debian, "
            "apt-get install openjdk-17-jre-headless"
        )
    return None


HIVE_RESOURCES_FOLDER = "hive_resources"
"""The folder of Spark's warehouse directory that holds Hive's per-session folders for
downloaded resources (``hive.downloaded.resources.dir`` in dbt_project/profiles.yml).
Hive's default is ``<java.io.tmpdir>/<session id>_resources``; Spark never closes the
Hive session of a dbt invocation, so each one left an empty folder in /tmp."""


def remove_hive_session_folders(spark_warehouse_dir: Path) -> int:
    """Remove the empty per-session folders Hive left in ``hive_resources`` of Spark's
    warehouse directory after a dbt invocation on Spark; return how many were removed.

    Only empty folders named ``*_resources`` go: a folder with something in it (a
    resource a session downloaded) stays. Housekeeping: never raises."""
    folder = spark_warehouse_dir / HIVE_RESOURCES_FOLDER
    removed = 0
    try:
        sessions = [p for p in folder.iterdir() if p.is_dir() and p.name.endswith("_resources")]
    except OSError:  # no folder yet (no Spark session ran), or unreadable
        return 0
    for session in sessions:
        try:
            session.rmdir()  # only succeeds on an empty folder
        except OSError:
            continue
        removed += 1
    return removed
