"""Segment JSONL loader: lines, gzip, quirks, bad lines, duplicates."""

from __future__ import annotations

import gzip

DAY5 = "web/segment/2026-01-05.jsonl"
DAY6 = "web/segment/2026-01-06.jsonl.gz"


def test_segment_page_with_context_flattened(wh, landing):
    wh.load(landing, "segment")
    got = wh.rows(
        "select message_id, type, anonymous_id, user_id, event, name, timestamp, "
        "original_timestamp, sent_at, received_at, context_page_url, context_page_path, "
        "context_page_referrer, context_page_search, context_page_title, "
        "context_campaign_source, context_campaign_medium, context_campaign_name, "
        "context_campaign_term, context_campaign_content, context_ip, context_user_agent, "
        "context_group_id, properties, traits, _source_file, _source_position, _load_id, "
        "_loaded_at from raw.segment__events where message_id = 'm-1'"
    )
    assert got == [
        ("m-1", "page", "anon-1", None, None, "Pricing", "2026-01-05T10:00:00.123Z",
         "2026-01-05T10:00:00.100Z", "2026-01-05T10:00:00.200Z", "2026-01-05T10:00:01.000Z",
         "https://example.com/pricing?gclid=Cj0abc&utm_source=google", "/pricing",
         "https://www.google.com/", "?gclid=Cj0abc&utm_source=google", "Pricing",
         "google", "cpc", "brand", "journey", "ad-1", "198.51.100.1", "Mozilla/5.0", None,
         '{"plan":"pro","price":49.5}', None, DAY5, 1, "load-1", wh.now),
    ]  # fmt: skip


def test_segment_record_is_the_line_as_written(wh, landing):
    wh.load(landing, "segment")
    first_line = (landing / DAY5).read_text().splitlines()[0]
    assert wh.rows("select _record from raw.segment__events where message_id = 'm-1'") == [
        (first_line,)
    ]


def test_segment_offsets_server_side_pages_and_identify(wh, landing):
    wh.load(landing, "segment")
    got = wh.rows(
        "select message_id, type, anonymous_id, user_id, event, timestamp, context_page_url, "
        "context_group_id, properties, traits, _source_file, _source_position "
        "from raw.segment__events where message_id <> 'm-1' order by _source_file, "
        "_source_position"
    )
    assert got == [
        # a +02:00 offset is accepted and kept as written
        ("m-2", "track", None, "user-9", "Form Submitted", "2026-01-05T12:00:00+02:00", None,
         "acct-1", '{"email":"ana@example.com","form_id":"demo-form"}', None, DAY5, 2),
        # a server-side page: no context.page, the page fields stay in properties
        ("m-7", "page", "anon-4", None, None, "2026-01-05T10:05:00-05:00", None, None,
         '{"url":"https://example.com/?fbclid=IwAR1","path":"/","referrer":"",'
         '"search":"?fbclid=IwAR1","title":"Home"}', None, DAY5, 8),
        ("m-8", "identify", "anon-1", "user-1", None, "2026-01-05T10:06:00.000Z", None, None,
         None, '{"email":"ana@example.com","company":{"name":"Acme","employees":120}}',
         DAY5, 9),
        # from the gzipped file; its first line repeats m-2 and is a duplicate
        ("m-9", "track", "anon-1", None, "Demo Requested", "2026-01-06T09:30:00.000Z", None,
         None, '{"email":"ana@example.com","form_id":"demo"}', None, DAY6, 2),
    ]  # fmt: skip


def test_segment_bad_lines_quarantined_with_line_numbers(wh, landing):
    wh.load(landing, "segment")
    got = wh.quarantine("segment")
    assert got[-1] == (
        "web/segment/2026-01-07.jsonl.gz",
        None,
        "this is not gzip\n",
        "file is not gzip-compressed although its name ends in .gz",
    )
    assert got[0][:3] == (DAY5, 3, '{"type":"track","messageId":"m-3","anonymousId":"anon-1",')
    assert got[0][3].startswith("invalid JSON: ")
    assert [(p, reason) for _, p, _, reason in got[1:-1]] == [
        (5, "missing required field messageId"),
        (6, "neither anonymousId nor userId"),
        (7, "timestamp 'yesterday' does not parse as an ISO-8601 timestamp"),
    ]
    assert got[3][2] == (
        '{"type":"page","messageId":"m-6","anonymousId":"anon-3","timestamp":"yesterday"}'
    )


def test_segment_ledger_counts_blank_lines_are_not_records(wh, landing):
    result = wh.load(landing, "segment")
    # 10 lines of which one is blank: 9 records; m-1 again on line 10 is a duplicate
    assert wh.ledger("segment") == [
        (DAY5, "loaded", 9, 4, 1, 4),
        (DAY6, "loaded", 2, 1, 1, 0),
        ("web/segment/2026-01-07.jsonl.gz", "unreadable", 1, 0, 0, 1),
    ]
    stats = result.tables["events"]
    assert (stats.files_seen, stats.files_loaded, stats.files_unreadable) == (3, 2, 1)
    assert wh.rows("select name from raw.segment__events where message_id = 'm-1'") == [
        ("Pricing",)
    ]


def _segment_landing(tmp_path, files: dict[str, bytes]):
    landing = tmp_path / "landing"
    folder = landing / "web" / "segment"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return landing


def test_segment_unreadable_files(wh, tmp_path):
    good = b'{"type":"page","messageId":"a","anonymousId":"x","timestamp":"2026-01-01T00:00:00Z"}\n'
    landing = _segment_landing(
        tmp_path,
        {
            "a_empty.jsonl": b"",
            "b_truncated.jsonl.gz": gzip.compress(good * 50)[:-12],
            "c_gzip_named_plain.jsonl": gzip.compress(good),
            "d_not_json.jsonl": b"id,name\n1,ana\n",
            "e_blank_only.jsonl": b"\n \n",
            "f_good.jsonl": good,
        },
    )
    result = wh.load(landing, "segment")
    got = wh.reasons("segment")
    assert [(f, p) for f, p, _ in got] == [
        ("web/segment/a_empty.jsonl", None),
        ("web/segment/b_truncated.jsonl.gz", None),
        ("web/segment/c_gzip_named_plain.jsonl", None),
        ("web/segment/d_not_json.jsonl", None),
        ("web/segment/e_blank_only.jsonl", None),
    ]
    assert [reason for _, _, reason in got] == [
        "file is empty",
        "broken gzip: Compressed file ended before the end-of-stream marker was reached",
        "file is gzip-compressed although its name does not end in .gz",
        "not JSON: no line of the file is valid JSON",
        "file is empty (no lines)",
    ]
    stats = result.tables["events"]
    assert (stats.files_unreadable, stats.files_loaded, stats.records_loaded) == (5, 1, 1)
    assert wh.rows("select count(*) from raw.segment__events") == [(1,)]


def test_segment_non_utf8_line_and_crlf(wh, tmp_path):
    landing = _segment_landing(
        tmp_path,
        {
            "a.jsonl": b'{"messageId":"a","userId":"u","timestamp":"2026-01-01T00:00:00Z",'
            b'"type":"page"}\r\n'
            b'{"messageId":"b","userId":"\xff","timestamp":"2026-01-01T00:00:00Z",'
            b'"type":"page"}\r\n'
            b'{"messageId":"c","userId":"\xc3\xa9","timestamp":"2026-01-01T00:00:00+0100",'
            b'"type":"page"}\r\n'
        },
    )
    wh.load(landing, "segment")
    assert wh.rows("select message_id, user_id, timestamp from raw.segment__events") == [
        ("a", "u", "2026-01-01T00:00:00Z"),
        ("c", "é", "2026-01-01T00:00:00+0100"),
    ]
    assert wh.reasons("segment") == [
        ("web/segment/a.jsonl", 2, "line is not valid UTF-8 (byte 28)"),
    ]


def test_segment_large_file_in_several_chunks(wh, tmp_path, monkeypatch):
    """Chunks are cut inside a file; duplicates are still found across chunks."""
    from ingestion.web import segment

    monkeypatch.setattr(segment, "CHUNK_LINES", 3)
    lines = [
        f'{{"type":"page","messageId":"m{i % 7}","anonymousId":"x",'
        f'"timestamp":"2026-01-01T00:00:0{i % 10}Z"}}'
        for i in range(20)
    ]
    lines[11] = "not json"
    landing = _segment_landing(tmp_path, {"a.jsonl": ("\n".join(lines) + "\n").encode()})
    wh.load(landing, "segment")
    assert wh.ledger("segment") == [("web/segment/a.jsonl", "loaded", 20, 7, 12, 1)]
    assert wh.rows("select message_id, _source_position from raw.segment__events order by 2") == [
        (f"m{i}", i + 1) for i in range(7)
    ]
    assert wh.reasons("segment")[0][:2] == ("web/segment/a.jsonl", 12)
