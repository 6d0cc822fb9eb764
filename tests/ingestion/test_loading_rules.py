"""Rules every loader shares: exactly once, ledger arithmetic, duplicates, transactions,
empty sources, validation kinds."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta, timezone

import duckdb
import pytest

from ingestion import SOURCES, load_source, registry
from ingestion.core import Kind, check_sql, parses_as
from ingestion.registry import LEDGER_TABLE, QUARANTINE_TABLE, RAW_TABLES

ALL_TABLES = [t.qualified_name for t in RAW_TABLES] + [QUARANTINE_TABLE, LEDGER_TABLE]


def _counts(wh) -> dict[str, int]:
    return {t: wh.rows(f"select count(*) from {t}")[0][0] for t in ALL_TABLES}


def test_loading_the_same_landing_zone_twice_changes_nothing(wh, landing):
    first = wh.load_all(landing, load_id="load-1")
    before = _counts(wh)
    ledger_before = wh.rows(f"select * from {LEDGER_TABLE} order by all")
    second = wh.load_all(landing, load_id="load-2")
    assert _counts(wh) == before
    assert wh.rows(f"select * from {LEDGER_TABLE} order by all") == ledger_before
    assert wh.rows("select count(*) from raw.segment__events where _load_id = 'load-2'") == [(0,)]
    for source in SOURCES:
        for name, stats in second[source].tables.items():
            assert stats.files_seen == first[source].tables[name].files_seen
            assert stats.files_skipped == stats.files_seen
            assert stats.records_read == 0
            assert all(not f.ledger_written for f in stats.files)


def test_ledger_adds_up_and_matches_the_tables(wh, landing):
    results = wh.load_all(landing)
    bad = wh.rows(
        f"select source_file from {LEDGER_TABLE} "
        "where records_read <> records_loaded + records_duplicate + records_quarantined"
    )
    assert bad == []
    for table in RAW_TABLES:
        loaded, quarantined = wh.rows(
            f"select coalesce(sum(records_loaded), 0), coalesce(sum(records_quarantined), 0) "
            f"from {LEDGER_TABLE} where source = ? and object = ?",
            [table.source, table.object],
        )[0]
        stats = results[table.source].tables[table.object]
        assert (stats.records_loaded, stats.records_quarantined) == (loaded, quarantined)
        in_quarantine = wh.rows(
            f"select count(*) from {QUARANTINE_TABLE} where source = ? and object = ?",
            [table.source, table.object],
        )[0][0]
        assert in_quarantine == quarantined
        if table.source != "fx":  # an FX record is a CSV line holding many rates
            assert wh.rows(f"select count(*) from {table.qualified_name}")[0][0] == loaded
    for result in results.values():
        for stats in result.tables.values():
            for f in stats.files:
                assert f.records_read == (
                    f.records_loaded + f.records_duplicate + f.records_quarantined
                )


def test_same_file_under_another_name_is_skipped_once(wh, landing):
    wh.load(landing, "google_ads")
    shutil.copy(
        landing / "ads/google_ads/2026-01-01_stream.json",
        landing / "ads/google_ads/2026-01-09_copy.json",
    )
    result = wh.load(landing, "google_ads", load_id="load-2")
    copy = [f for f in result.tables["ad_stats"].files if f.path.endswith("_copy.json")][0]
    assert copy.status == "skipped_same_content"
    assert copy.detail == "same content as ads/google_ads/2026-01-01_stream.json, already loaded"
    assert wh.rows("select count(*) from raw.google_ads__ad_stats") == [(3,)]
    wh.load(landing, "google_ads", load_id="load-3")
    assert wh.rows(
        f"select status, load_id from {LEDGER_TABLE} where source_file like '%_copy.json'"
    ) == [("skipped_same_content", "load-2")]


def test_an_unreadable_copy_is_skipped_too(wh, landing):
    shutil.copy(
        landing / "web/segment/2026-01-07.jsonl.gz", landing / "web/segment/2026-01-08.jsonl.gz"
    )
    wh.load(landing, "segment")
    assert wh.ledger("segment")[-1] == (
        "web/segment/2026-01-08.jsonl.gz",
        "skipped_same_content",
        0,
        0,
        0,
        0,
    )


def test_duplicates_across_loads_and_file_name_order(wh, tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "web" / "segment"
    folder.mkdir(parents=True)

    def event(message_id: str, name: str) -> str:
        return json.dumps(
            {"type": "page", "messageId": message_id, "anonymousId": "a", "name": name,
             "timestamp": "2026-01-01T00:00:00Z"}
        )  # fmt: skip

    # written first, but later in file-name order
    (folder / "b.jsonl").write_text(event("k1", "from b") + "\n" + event("k2", "from b") + "\n")
    (folder / "a.jsonl").write_text(event("k1", "from a") + "\n")
    (folder / ".c.jsonl").write_text(event("k3", "hidden: still being written") + "\n")
    wh.load(landing, "segment")
    (folder / "c.jsonl").write_text(event("k2", "from c") + "\n" + event("k4", "from c") + "\n")
    wh.load(landing, "segment", load_id="load-2")
    assert wh.rows("select message_id, name from raw.segment__events order by 1") == [
        ("k1", "from a"),
        ("k2", "from b"),
        ("k4", "from c"),
    ]
    assert wh.ledger("segment") == [
        ("web/segment/a.jsonl", "loaded", 1, 1, 0, 0),
        ("web/segment/b.jsonl", "loaded", 2, 1, 1, 0),
        ("web/segment/c.jsonl", "loaded", 2, 1, 1, 0),
    ]


def test_a_quarantined_first_copy_does_not_make_the_good_copy_a_duplicate(wh, tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "email" / "sendgrid"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text(
        '[{"sg_event_id": "e1", "email": "a@x.io", "event": "open", "timestamp": "soon"},'
        ' {"sg_event_id": "e1", "email": "a@x.io", "event": "open", "timestamp": 1767225600}]'
    )
    wh.load(landing, "sendgrid")
    assert wh.rows("select sg_event_id, timestamp, _source_position from raw.sendgrid__events") == [
        ("e1", "1767225600", 2)
    ]
    assert wh.ledger("sendgrid") == [("email/sendgrid/a.json", "loaded", 2, 1, 0, 1)]


def test_missing_or_empty_source_folder_gives_empty_tables(wh, tmp_path):
    landing = tmp_path / "landing"
    (landing / "email" / "sendgrid").mkdir(parents=True)  # empty folder
    for source in SOURCES:
        result = wh.load(landing, source)
        for stats in result.tables.values():
            assert stats.counts() == {
                "files_seen": 0,
                "files_loaded": 0,
                "files_skipped": 0,
                "files_unreadable": 0,
                "records_read": 0,
                "records_loaded": 0,
                "records_duplicate": 0,
                "records_quarantined": 0,
            }
    assert set(_counts(wh).values()) == {0}
    columns = wh.rows(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'segment__events' order by ordinal_position"
    )
    assert [c for (c,) in columns][-5:] == [
        "_record",
        "_source_file",
        "_source_position",
        "_load_id",
        "_loaded_at",
    ]


def test_a_crash_mid_file_leaves_nothing_behind(wh, landing, monkeypatch):
    def crash(ctx):
        ctx.conn.execute(
            f"insert into {ctx.table.qualified_name} (message_id, _source_file) values ('half', ?)",
            [ctx.source_file],
        )
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(registry._LOADERS, ("segment", "events"), crash)
    with pytest.raises(RuntimeError, match="disk on fire"):
        wh.load(landing, "segment")
    assert wh.rows("select count(*) from raw.segment__events") == [(0,)]
    assert wh.rows(f"select count(*) from {LEDGER_TABLE}") == [(0,)]
    monkeypatch.undo()
    result = wh.load(landing, "segment")
    assert result.tables["events"].files_loaded == 2
    assert wh.rows("select count(*) from raw.segment__events") == [(5,)]


def test_now_is_stored_as_naive_utc_and_load_id_defaults(conn, tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "email" / "sendgrid"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text(
        '[{"sg_event_id": "e1", "email": "a@x.io", "event": "open", "timestamp": 1767261600}]'
    )
    now = datetime(2026, 1, 7, 8, 0, tzinfo=timezone(timedelta(hours=2)))
    result = load_source(conn, landing, "sendgrid", now=now)
    assert result.loaded_at == datetime(2026, 1, 7, 6, 0)
    assert result.load_id.startswith("20260107T060000-")
    assert conn.execute("select _loaded_at, _load_id from raw.sendgrid__events").fetchall() == [
        (datetime(2026, 1, 7, 6, 0), result.load_id)
    ]
    default = load_source(conn, landing, "meta_ads")
    assert abs(default.loaded_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)


def test_summary_and_dict(wh, landing):
    result = wh.load(landing, "sendgrid")
    assert result.summary() == (
        "raw.sendgrid__events: files 3 seen, 2 loaded, 1 skipped (same content), "
        "0 unreadable; records 8 read, 4 loaded, 2 duplicate, 2 quarantined"
    )
    as_dict = json.loads(json.dumps(result.to_dict()))
    assert as_dict["totals"]["records_loaded"] == 4
    assert as_dict["tables"]["events"]["files"][0]["path"] == "email/sendgrid/2026-01-01T10.json"


def test_unknown_source_is_a_programming_error(wh, tmp_path):
    with pytest.raises(ValueError, match="unknown source"):
        wh.load(tmp_path, "hubspot")


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (Kind.INTEGER, ["0", "1230000", "-5", "+7", "9223372036854775807"],
         ["", "12.5", "1e5", " 1", "1,000", "9223372036854775808", "abc"]),
        (Kind.DECIMAL, ["0", "35.27", "99.99999999999996", "-1.5", ".5", "5.", "1e-4", "2E3"],
         ["", "abc", "12,50", "nan", "inf", "Infinity", "1.2.3", "1e999"]),
        (Kind.DATE, ["2026-01-01", "2024-02-29"],
         ["2026-02-30", "2026-1-1", "20260101", "2026-01-01T00:00:00Z", "yesterday"]),
        (Kind.UNIX_SECONDS, ["0", "1767261600"], ["-1", "1767261600.5", "yesterday", ""]),
        (Kind.BOOLEAN, ["true", "false", "TRUE"], ["yes", "1", "", "t"]),
    ],
)  # fmt: skip
def test_sql_and_python_agree_on_what_parses(kind, good, bad):
    conn = duckdb.connect()
    expr = check_sql(kind, "v")
    for value in good + bad:
        in_sql = conn.execute(f"select coalesce({expr}, false) from (select ? as v)", [value])
        assert in_sql.fetchone()[0] is (value in good), (kind, value)
        assert parses_as(kind, value) is (value in good), (kind, value)


def test_what_parses_as_a_timestamp():
    conn = duckdb.connect()
    expr = check_sql(Kind.TIMESTAMP, "v")
    good = [
        "2026-01-05T10:00:00.123Z",
        "2026-01-05T12:00:00+02:00",
        "2026-11-01T10:00:00.000+0000",
        "2026-01-05T10:05:00-05:00",
        "2026-01-05T10:05:00",
        "2026-01-05 10:05:00Z",
    ]
    bad = ["yesterday", "2026-01-05", "2026-02-30T00:00:00Z", "infinity", "2026-01-05T25:00:00Z"]
    for value in good + bad:
        got = conn.execute(f"select coalesce({expr}, false) from (select ? as v)", [value])
        assert got.fetchone()[0] is (value in good), value


def test_a_partly_broken_file_loads_its_good_records(wh, landing):
    wh.load(landing, "salesforce")
    opportunity = "crm/salesforce/Opportunity/2026-01-01T000000.csv"
    loaded = wh.rows(
        "select _source_position from raw.salesforce__opportunity where _source_file = ? "
        "order by 1",
        [opportunity],
    )
    quarantined = wh.rows(
        f"select source_position, reason from {QUARANTINE_TABLE} where source_file = ? order by 1",
        [opportunity],
    )
    # lines 2, 3 and 5-6 are good; every other record is quarantined with a reason
    assert [p for (p,) in loaded] == [2, 3, 5]
    assert [p for p, _ in quarantined] == [4, 7, 8, 9]
    assert all(reason for _, reason in quarantined)
