"""Which dbt target JOURNEY_SPARK_METHOD picks, and what each needs on this machine."""

from __future__ import annotations

import pytest
import yaml

from orchestration import spark
from orchestration.settings import DBT_PROJECT_DIR


def test_the_method_picks_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEY_SPARK_METHOD", raising=False)
    assert spark.spark_target() == "spark"
    monkeypatch.setenv("JOURNEY_SPARK_METHOD", " Thrift ")
    assert spark.spark_target() == "spark_thrift"
    monkeypatch.setenv("JOURNEY_SPARK_METHOD", "odbc")
    with pytest.raises(ValueError, match="JOURNEY_SPARK_METHOD='odbc': use session or thrift"):
        spark.spark_target()


def test_a_session_needs_java_and_a_thrift_server_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spark.shutil, "which", lambda name: None)  # no java on PATH
    assert "needs Java (a JRE 17)" in (spark.spark_unavailable("spark") or "")
    assert spark.spark_unavailable("spark_thrift") is None


def test_only_the_empty_hive_session_folders_are_removed(tmp_path) -> None:
    folder = tmp_path / "warehouse" / spark.HIVE_RESOURCES_FOLDER
    for name in ("a1b2_resources", "c3d4_resources", "e5f6_resources", "notes"):
        (folder / name).mkdir(parents=True)
    (folder / "e5f6_resources" / "udf.jar").write_text("a downloaded resource")
    assert spark.remove_hive_session_folders(tmp_path / "warehouse") == 2
    assert sorted(p.name for p in folder.iterdir()) == ["e5f6_resources", "notes"]
    # no Spark session ran yet: nothing to remove, no error
    assert spark.remove_hive_session_folders(tmp_path / "elsewhere") == 0


def test_the_session_target_keeps_hive_session_folders_under_the_warehouse_dir() -> None:
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    parameters = profile["journey_warehouse"]["outputs"]["spark"]["server_side_parameters"]
    folder = parameters["spark.hadoop.hive.downloaded.resources.dir"]
    # the same folder as Spark's warehouse (the same env var and default), then ours
    assert folder.startswith(parameters["spark.sql.warehouse.dir"])
    assert folder.endswith(f"/{spark.HIVE_RESOURCES_FOLDER}/${{hive.session.id}}_resources")
