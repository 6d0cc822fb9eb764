from pathlib import Path

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
