"""Small files load in groups: one pass of SQL and one transaction for many files.
Whatever the grouping, every row, quarantine row, erased row and ledger row is the
one loading the files one by one gives."""

from __future__ import annotations

import json

import duckdb
import pytest

import ingestion.core as core
import ingestion.core.loading as loading
from ingestion import SOURCES
from ingestion.core import load_table
from ingestion.registry import RAW_TABLES, loader_for, tables_of

from .conftest import NOW

COMPARED = [t.qualified_name for t in RAW_TABLES] + [
    "raw._quarantine",
    "raw._file_ledger",
    "raw._erased",
]


def _load(conn, landing, *, group_files: bool) -> None:
    core.ensure_raw_layer(conn)
    for source in SOURCES:
        for table in tables_of(source):
            grouped = group_files and not table.one_file_at_a_time
            load_table(conn, landing, table, loader_for(table), "load-1", NOW, group_files=grouped)


def _rows(conn) -> dict[str, list[tuple]]:
    return {
        name: conn.execute(f"select * from {name} order by all").fetchall() for name in COMPARED
    }


def _add_segment_files(landing) -> None:
    """Three more small Segment files: a duplicate of an earlier file's event, a file
    with no JSON line at all, and one with a bad line between good ones."""
    folder = landing / "web" / "segment"
    event = {
        "type": "track",
        "messageId": "m-1",
        "anonymousId": "anon-9",
        "event": "Signed Up",
        "timestamp": "2026-01-08T10:00:00Z",
    }
    (folder / "2026-01-08.jsonl").write_text(
        json.dumps(event) + "\n" + json.dumps({**event, "messageId": "m-new-1"}) + "\n"
    )
    (folder / "2026-01-09.jsonl").write_text("this is not json\nnor is this\n")
    (folder / "2026-01-10.jsonl").write_text(
        json.dumps({**event, "messageId": "m-new-2"})
        + "\n{broken\n\n"
        + json.dumps({**event, "messageId": "m-new-2"})
        + "\n"
    )


def test_grouped_and_one_by_one_loads_write_the_same_rows(tmp_path, landing):
    _add_segment_files(landing)
    with duckdb.connect(str(tmp_path / "one.duckdb")) as one:
        _load(one, landing, group_files=False)
        expected = _rows(one)
    with duckdb.connect(str(tmp_path / "grouped.duckdb")) as grouped:
        _load(grouped, landing, group_files=True)
        assert _rows(grouped) == expected
    ledger = {row[2]: row for row in expected["raw._file_ledger"]}
    # (status, read, loaded, duplicate, quarantined) of the three new files
    assert [ledger[f"web/segment/2026-01-{day}.jsonl"][5:10] for day in ("08", "09", "10")] == [
        ("loaded", 2, 1, 1, 0),
        ("unreadable", 1, 0, 0, 1),
        ("loaded", 3, 1, 1, 1),
    ]


def test_a_group_writes_its_rows_in_file_then_position_order(tmp_path, landing):
    """A raw table holds a load's rows in file-name, then position order, for a wide
    table (Segment) and a narrow one of many tiny files (LinkedIn creatives, two
    elements a file: a join to the file names, which this once was, came out of order
    there)."""
    _add_segment_files(landing)
    creatives = landing / "ads" / "linkedin_ads" / "creatives"
    names = [f"2026-02-{day:02d}.json" for day in range(1, 21)] + ["2026-02-21 o'clock.json"]
    for number, name in enumerate(names):
        elements = [
            {
                "id": f"urn:li:sponsoredCreative:{number}-{n}",
                "campaign": "urn:li:sponsoredCampaign:5",
            }
            for n in (1, 2)
        ]
        (creatives / name).write_text(json.dumps({"elements": elements}))
    with duckdb.connect(str(tmp_path / "grouped.duckdb")) as conn:
        _load(conn, landing, group_files=True)
        orders = {
            table: conn.execute(
                f"select _source_file, _source_position from raw.{table} order by rowid"
            ).fetchall()
            for table in ("segment__events", "linkedin_ads__creatives")
        }
    segment, creative_rows = orders["segment__events"], orders["linkedin_ads__creatives"]
    assert segment == sorted(segment)
    # the two new events loaded from the files added above: 01-08 line 2, 01-10 line 1
    assert segment[-2:] == [
        ("web/segment/2026-01-08.jsonl", 2),
        ("web/segment/2026-01-10.jsonl", 1),
    ]
    # (a quote in a file name is kept as it is)
    assert creative_rows[-42:] == [
        (f"ads/linkedin_ads/creatives/{name}", n) for name in names for n in (1, 2)
    ]
    assert creative_rows == sorted(creative_rows)


def test_a_group_is_one_transaction(wh, landing, monkeypatch):
    """A failure after the group's SQL leaves none of its files loaded or in the ledger."""
    original = loading._write_ledger_rows
    written = []

    def fail_after_the_first_row(conn, table, files, load_id, loaded_at):
        files = list(files)
        written.extend(f.path for f in files)
        original(conn, table, files[:1], load_id, loaded_at)
        raise RuntimeError("disk full")

    # the first two files are one group (the third has the first's bytes: skipped); the
    # group's ledger rows are one write, which fails after writing the first file's row
    monkeypatch.setattr(loading, "_write_ledger_rows", fail_after_the_first_row)
    with pytest.raises(RuntimeError, match="disk full"):
        wh.load(landing, "sendgrid")
    assert wh.rows("select count(*) from raw.sendgrid__events") == [(0,)]
    assert wh.rows("select count(*) from raw._file_ledger") == [(0,)]
    assert len(written) == 2
    monkeypatch.undo()
    result = wh.load(landing, "sendgrid")
    assert (result.tables["events"].files_loaded, result.tables["events"].files_skipped) == (2, 1)
    assert wh.rows("select count(*) from raw.sendgrid__events") == wh.rows(
        "select sum(records_loaded) from raw._file_ledger"
    )


def test_a_group_writes_its_ledger_rows_as_one_by_one_writes_give(wh) -> None:
    """The group's ledger rows in one statement: the rows, their order and their types
    are those of one INSERT per file (a null detail stays null, not 'None')."""
    from ingestion.core.ledger import _write_ledger, _write_ledger_rows
    from ingestion.core.results import FileLoadStats

    [table] = [t for t in RAW_TABLES if t.qualified_name == "raw.sendgrid__events"]
    files = [
        FileLoadStats("email/sendgrid/b.json", "loaded", "b" * 64, 120, 3, 2, 1, 0),
        FileLoadStats("email/sendgrid/a.json", "loaded", "a" * 64, 80, 4, 2, 0, 2, 1, "1 erased"),
    ]
    core.ensure_raw_layer(wh.conn)
    _write_ledger_rows(wh.conn, table, files, "load-2", NOW)
    _write_ledger_rows(wh.conn, table, [], "load-2", NOW)  # nothing to write: no row
    grouped = wh.rows("select * from raw._file_ledger order by rowid")
    wh.conn.execute("delete from raw._file_ledger")
    for stats in files:
        _write_ledger(wh.conn, table, stats, "load-2", NOW)
    assert grouped == wh.rows("select * from raw._file_ledger order by rowid")
    assert [row[2:11] for row in grouped] == [
        ("email/sendgrid/b.json", "b" * 64, 120, "loaded", 3, 2, 1, 0, None),
        ("email/sendgrid/a.json", "a" * 64, 80, "loaded", 4, 2, 0, 2, "1 erased"),
    ]
    assert {(row[0], row[1], row[11], row[12]) for row in grouped} == {
        ("sendgrid", "events", "load-2", NOW)
    }


def test_a_group_the_sql_cannot_take_falls_back_to_one_file_at_a_time(
    tmp_path, landing, monkeypatch
):
    with duckdb.connect(str(tmp_path / "one.duckdb")) as one:
        _load(one, landing, group_files=False)
        expected = _rows(one)
    original = loading._load_batch
    calls = {"grouped": 0}

    def refuse_groups(conn, spec, frame, files, load_id, loaded_at, *, drop_unreadable):
        if drop_unreadable:  # the grouped call
            calls["grouped"] += 1
            raise duckdb.ConversionException("Could not convert string 'x' to INT64")
        return original(
            conn, spec, frame, files, load_id, loaded_at, drop_unreadable=drop_unreadable
        )

    # the grouped call is made by the file loop (single files go through load_frames)
    monkeypatch.setattr(loading, "_load_batch", refuse_groups)
    with duckdb.connect(str(tmp_path / "fallback.duckdb")) as fallback:
        _load(fallback, landing, group_files=True)
        assert _rows(fallback) == expected
    assert calls["grouped"] >= 5
