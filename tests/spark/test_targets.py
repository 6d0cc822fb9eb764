"""Which dbt target JOURNEY_SPARK_METHOD picks, and what each needs on this machine."""

from __future__ import annotations

import pytest

from orchestration import spark


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
