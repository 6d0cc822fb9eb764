"""Files no loader reads are named, never skipped without a word (issue 12)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ingestion.landing_zone import by_folder, describe, unclaimed_files
from orchestration.ingestion.assets import every_landing_file_has_a_loader
from orchestration.resources import WarehouseResource
from orchestration.summary import render_summary, unclaimed_lines


def _touch(root: Path, relative: str, text: str = "x") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _landing(root: Path) -> Path:
    landing = root / "landing"
    # Read by a loader: its folder and one of its patterns.
    _touch(landing, "ads/google_ads/2026-11-01.json", "[]")
    _touch(landing, "ads/linkedin_ads/analytics/2026-11-01.json", "{}")
    _touch(landing, "web/segment/2026-11-01.jsonl.gz")
    _touch(landing, "crm/salesforce/Lead/2026-11-01.csv")
    # Hidden: a drop still being written; not read, not counted.
    _touch(landing, "ads/google_ads/.2026-11-02.json.part")
    _touch(landing, ".staging/whatever.json")
    # No loader reads these.
    _touch(landing, "ads/tiktok_ads/report_2026-11-01.csv", "abcd")
    _touch(landing, "ads/tiktok_ads/report_2026-11-02.zip")
    _touch(landing, "ads/google_ads/2026-11-01.json.gz")  # pattern is *.json
    _touch(landing, "ads/google_ads/old/2026-10-01.json")  # a subfolder
    _touch(landing, "ads/linkedin_ads/stray.json")  # LinkedIn reads its three subfolders
    _touch(landing, "crm/salesforce/Task/2026-11-01.csv")  # an object no loader knows
    _touch(landing, "README.txt")
    return landing


def test_every_file_no_loader_reads_is_named_with_its_folder(tmp_path: Path) -> None:
    files = unclaimed_files(_landing(tmp_path))
    assert [f.path for f in files] == [
        "README.txt",
        "ads/google_ads/2026-11-01.json.gz",
        "ads/google_ads/old/2026-10-01.json",
        "ads/linkedin_ads/stray.json",
        "ads/tiktok_ads/report_2026-11-01.csv",
        "ads/tiktok_ads/report_2026-11-02.zip",
        "crm/salesforce/Task/2026-11-01.csv",
    ]
    assert files[4].size_bytes == 4
    assert by_folder(files) == {
        ".": 1,
        "ads/google_ads": 1,
        "ads/google_ads/old": 1,
        "ads/linkedin_ads": 1,
        "ads/tiktok_ads": 2,
        "crm/salesforce/Task": 1,
    }
    assert describe(files, limit=2) == (
        "7 file(s) no loader reads: ./ (1), ads/google_ads/ (1) and 4 more folders"
    )


def test_a_missing_or_fully_read_landing_zone_has_none(tmp_path: Path) -> None:
    assert unclaimed_files(tmp_path / "nowhere") == []
    _touch(tmp_path / "ok", "finance/fx/eurofxref-hist.csv")
    assert unclaimed_files(tmp_path / "ok") == []
    assert unclaimed_lines(tmp_path / "ok") == []


def test_the_summary_names_the_folders(tmp_path: Path) -> None:
    landing = _landing(tmp_path)
    lines = unclaimed_lines(landing)
    assert lines[0].startswith("WARNING landing files no loader reads: 7 ")
    assert "  ads/tiktok_ads/  2 file(s)" in lines
    # Also without a warehouse yet the summary says what is missing, nothing more.
    assert "No warehouse" in render_summary(tmp_path / "none.duckdb", None, landing)


def test_the_warning_check_fails_with_the_files_and_passes_when_all_are_read(
    tmp_path: Path,
) -> None:
    landing = _landing(tmp_path)
    resource = WarehouseResource(
        warehouse_path=str(tmp_path / "w.duckdb"), landing_dir=str(landing)
    )
    result = every_landing_file_has_a_loader(warehouse=resource)
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["unclaimed_files"].value == 7
    assert result.metadata["by_folder"].value["ads/tiktok_ads"] == 2
    assert "ads/tiktok_ads/ (2)" in result.description

    for path in sorted(landing.rglob("*"), reverse=True):
        if path.is_file() and path.name in {
            "README.txt",
            "stray.json",
            "2026-10-01.json",
            "2026-11-01.json.gz",
        }:
            path.unlink()
    for folder in ("ads/tiktok_ads", "crm/salesforce/Task"):
        for path in (landing / folder).iterdir():
            path.unlink()
    result = every_landing_file_has_a_loader(warehouse=resource)
    assert result.passed
    assert result.metadata["unclaimed_files"].value == 0
