"""Shared test set-up: the dbt manifest exists before anything imports the definitions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> Path:
    """`make test` builds the manifest; a bare `pytest` run builds it here if it is
    missing or older than the dbt project."""
    from orchestration.dbt.project import changed_since

    manifest = DBT_DIR / "target" / "manifest.json"
    if not manifest.exists() or changed_since(manifest):
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", ".", "--project-dir", "."],
            cwd=DBT_DIR,
            check=True,
        )
    return manifest
