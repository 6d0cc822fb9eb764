"""The docs name real files: every repository path in docs/*.md exists, no link leaves
the repository, and the extension guide's worked example (Microsoft Advertising) is
the code it describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
TOP_FOLDERS = (
    "benchmarks",
    "dbt_project",
    "docs",
    "ingestion",
    "orchestration",
    "quality",
    "synthetic",
    "tests",
)
# `ingestion/ads/microsoft_ads.py`, `dbt_project/seeds/ad_platform_channels.csv`, ...
CODE_PATH = re.compile(r"`((?:" + "|".join(TOP_FOLDERS) + r")/[A-Za-z0-9_./-]+)`")


@pytest.fixture(scope="session")
def dbt_manifest() -> None:
    """Reading markdown needs no dbt manifest."""
    return None


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_repository_path_a_doc_names_exists(doc: Path) -> None:
    missing = [
        path
        for path in CODE_PATH.findall(doc.read_text())
        if "<" not in path and "*" not in path and not (ROOT / path.rstrip("/.")).exists()
    ]
    assert missing == [], f"{doc.name} names files that do not exist"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_doc_points_outside_the_repository(doc: Path) -> None:
    assert "../shared" not in doc.read_text()


def test_the_guides_worked_example_is_in_place() -> None:
    """docs/extending.md: a loader module, its staging folder with the two shared-shape
    models, one seed row, one var entry, a generator module and the tests."""
    from ingestion.registry import raw_table

    table = raw_table("microsoft_ads", "ad_performance")
    assert table.landing_path == "ads/microsoft_ads"
    staging = ROOT / "dbt_project" / "models" / "staging" / "microsoft_ads"
    assert {p.name for p in staging.iterdir()} >= {
        "_microsoft_ads__sources.yml",
        "_microsoft_ads__models.yml",
        "stg_microsoft_ads__ad_performance.sql",
        "stg_microsoft_ads__ad_campaigns.sql",
    }
    seed = (ROOT / "dbt_project" / "seeds" / "ad_platform_channels.csv").read_text()
    assert "microsoft_ads,Microsoft Advertising,Paid Search" in seed.splitlines()
    project = (ROOT / "dbt_project" / "dbt_project.yml").read_text()
    assert re.search(r"ad_platforms: \[[^\]]*\bmicrosoft_ads\b", project)
    assert (ROOT / "synthetic" / "microsoft_ads.py").exists()
    assert (ROOT / "tests" / "ingestion" / "test_load_microsoft_ads.py").exists()
    assert (ROOT / "tests" / "synthetic" / "test_microsoft_ads.py").exists()
