"""Runtime settings, read once from environment variables.

Nothing in the project reads ``os.environ`` at import time: code asks for
``Settings.from_env()`` when it runs, so tests (and the Dagster UI) can point the
same code at another landing zone or warehouse without reloading modules.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding pyproject.toml and dbt_project/)."""

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

ENV_LANDING_DIR = "JOURNEY_LANDING_DIR"
ENV_WAREHOUSE = "JOURNEY_WAREHOUSE"
ENV_DAGSTER_HOME = "DAGSTER_HOME"

DEFAULT_LANDING_DIR = "data/landing"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_DAGSTER_HOME = ".dagster_home"


def _resolve(value: str | None, default: str) -> Path:
    """An explicit value is taken relative to the working directory, as a shell user
    expects; a default is taken relative to the project root, so ``journey`` finds
    the same warehouse wherever it is started from."""
    if value:
        return Path(value).expanduser().resolve()
    return (PROJECT_ROOT / default).resolve()


@dataclass(frozen=True)
class Settings:
    """Where the landing zone, the warehouse file and Dagster's home are."""

    landing_dir: Path
    warehouse: Path
    dagster_home: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            landing_dir=_resolve(env.get(ENV_LANDING_DIR), DEFAULT_LANDING_DIR),
            warehouse=_resolve(env.get(ENV_WAREHOUSE), DEFAULT_WAREHOUSE),
            dagster_home=_resolve(env.get(ENV_DAGSTER_HOME), DEFAULT_DAGSTER_HOME),
        )

    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, absolute, for child processes
        (dbt reads ``JOURNEY_WAREHOUSE`` in its profile)."""
        return {
            ENV_LANDING_DIR: str(self.landing_dir),
            ENV_WAREHOUSE: str(self.warehouse),
            ENV_DAGSTER_HOME: str(self.dagster_home),
        }
