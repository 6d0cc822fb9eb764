"""The report tests build their own tiny warehouse and never load the dbt project."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest() -> None:
    """Overrides the root fixture: these tests need no dbt manifest, so they neither
    wait for ``dbt parse`` nor write to ``dbt_project/target``."""
    return None
