"""A refresh that finds nothing new reads no file: the loaders remember each file's
hash with its size and modification time (``raw._file_stats``), and
``pending_landing_files`` names exactly the files a load would read or record."""

from __future__ import annotations

import os
import shutil

import pytest

import ingestion.core.ledger as ledger
from ingestion import SOURCES, pending_landing_files
from ingestion.registry import FILE_STATS_TABLE


@pytest.fixture
def hashed(monkeypatch):
    """The files sha256_of reads, in order."""
    seen: list[str] = []
    original = ledger.sha256_of

    def counting(path):
        seen.append(path.name)
        return original(path)

    monkeypatch.setattr(ledger, "sha256_of", counting)
    return seen


def _files(landing):
    return sorted(p for p in landing.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_a_new_warehouse_has_every_landing_file_pending(conn, landing):
    pending = pending_landing_files(conn, landing)
    assert sorted(p.path for p in pending) == sorted(
        p.relative_to(landing).as_posix() for p in _files(landing)
    )
    assert {(p.source, p.object) for p in pending if p.path.startswith("crm/")} == {
        ("salesforce", "lead"),
        ("salesforce", "opportunity"),
    }


def test_a_second_load_and_the_pending_check_read_no_file(wh, landing, hashed):
    wh.load_all(landing, load_id="load-1")
    files = _files(landing)
    # every file was hashed once, and remembered with its size and modification time
    assert sorted(hashed) == sorted(p.name for p in files)
    assert wh.rows(f"select count(*) from {FILE_STATS_TABLE}") == [(len(files),)]
    hashed.clear()
    assert pending_landing_files(wh.conn, landing) == []
    second = wh.load_all(landing, load_id="load-2")
    assert hashed == []
    assert all(
        f.status == "skipped_same_content" and not f.ledger_written
        for result in second.values()
        for stats in result.tables.values()
        for f in stats.files
    )


def test_new_and_changed_files_are_pending_and_hashed_again(wh, landing, hashed):
    wh.load_all(landing, load_id="load-1")
    hashed.clear()
    sendgrid = landing / "email" / "sendgrid"
    # a new name: pending (the same bytes as a loaded file: the load records it skipped)
    shutil.copy(sendgrid / "2026-01-01T10.json", sendgrid / "2026-01-02T10.json")
    # a file rewritten in place with other bytes (the contract forbids it; a changed size
    # or modification time is noticed all the same and the file is hashed again)
    meta = landing / "ads" / "meta_ads" / "2026-01-01_insights.json"
    meta.write_text(meta.read_text().replace('"data"', '"data" ', 1))
    pending = pending_landing_files(wh.conn, landing)
    assert [(p.source, p.path) for p in pending] == [
        ("meta_ads", "ads/meta_ads/2026-01-01_insights.json"),
        ("sendgrid", "email/sendgrid/2026-01-02T10.json"),
    ]
    assert sorted(hashed) == ["2026-01-01_insights.json", "2026-01-02T10.json"]


def test_a_touched_file_with_the_same_bytes_is_not_pending(wh, landing, hashed):
    wh.load_all(landing, load_id="load-1")
    hashed.clear()
    fx = landing / "finance" / "fx" / "eurofxref-hist.csv"
    info = fx.stat()
    os.utime(fx, ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))
    assert pending_landing_files(wh.conn, landing, ["fx"]) == []
    assert hashed == ["eurofxref-hist.csv"]
    # the new modification time is remembered by the next load
    wh.load(landing, "fx", load_id="load-2")
    hashed.clear()
    assert pending_landing_files(wh.conn, landing, SOURCES) == []
    assert hashed == []
