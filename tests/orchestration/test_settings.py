from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT, Settings


def test_defaults_are_under_the_project_root() -> None:
    settings = Settings.from_env({})
    assert settings.landing_dir == PROJECT_ROOT / "data" / "landing"
    assert settings.warehouse == PROJECT_ROOT / "data" / "warehouse.duckdb"
    assert settings.dagster_home == PROJECT_ROOT / ".dagster_home"


def test_explicit_values_win_and_are_made_absolute(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env(
        {"JOURNEY_LANDING_DIR": "zone", "JOURNEY_WAREHOUSE": "/x/w.duckdb", "DAGSTER_HOME": "dh"}
    )
    assert settings.landing_dir == tmp_path / "zone"
    assert settings.warehouse == Path("/x/w.duckdb")
    assert settings.dagster_home == tmp_path / "dh"
    assert settings.as_env()["JOURNEY_WAREHOUSE"] == "/x/w.duckdb"


def test_the_engine_is_duckdb_unless_spark_is_asked_for(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    default = Settings.from_env({"JOURNEY_WAREHOUSE": "/x/w.duckdb"})
    assert default.engine == "duckdb"
    # Spark's raw Parquet and tables live beside the warehouse unless set
    assert default.spark_raw_dir == Path("/x/spark/raw")
    assert default.spark_warehouse_dir == Path("/x/spark/warehouse")
    spark = Settings.from_env(
        {"JOURNEY_ENGINE": " Spark ", "JOURNEY_SPARK_RAW_DIR": "raw", "JOURNEY_WAREHOUSE": "w"}
    )
    assert spark.engine == "spark"
    assert spark.spark_raw_dir == tmp_path / "raw"
    assert spark.as_env()["JOURNEY_ENGINE"] == "spark"
    assert spark.as_env()["JOURNEY_SPARK_RAW_DIR"] == str(tmp_path / "raw")


def test_an_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(
        ValueError, match="JOURNEY_ENGINE='postgres' is not an engine; use one of duckdb, spark"
    ):
        Settings.from_env({"JOURNEY_ENGINE": "postgres"})
