"""SendGrid Event Webhook loader: text formats, duplicates, re-delivered files."""

from __future__ import annotations

import orjson

T10 = "email/sendgrid/2026-01-01T10.json"
T11 = "email/sendgrid/2026-01-01T11.json"


def test_sendgrid_values_as_text(wh, landing):
    wh.load(landing, "sendgrid")
    got = wh.rows(
        "select sg_event_id, sg_message_id, email, timestamp, event, category, url, "
        "useragent, ip, sg_machine_open, reason, status, type, attempt, singlesend_id, "
        "singlesend_name, send_at, template_id, _source_file, _source_position "
        "from raw.sendgrid__events order by sg_event_id",
    )
    assert got == [
        # category as JSON text: a string stays quoted; send_at as written
        ("ev-1", "msg.1", "ana@example.com", "1767261600", "processed", '"newsletter"', None,
         None, None, None, None, None, None, None, "ss-1", "January Newsletter", "1767261000",
         "d-1", T10, 1),
        # a list category as JSON text, a JSON boolean as 'false'
        ("ev-2", "msg.1", "ana@example.com", "1767262000", "open", '["newsletter","product"]',
         None, "Mozilla/5.0", "203.0.113.7", "false", None, None, None, None, "ss-1", None,
         None, None, T10, 2),
        ("ev-3", "msg.1", "ana@example.com", "1767262100", "click", None,
         "https://example.com/?utm_source=sendgrid", None, None, None, None, None, None, None,
         "ss-1", None, None, None, T10, 3),
        ("ev-4", "msg.4", "dee@example.com", "1767265200", "deferred", None, None, None, None,
         None, None, None, None, "2", None, None, None, None, T11, 2),
    ]  # fmt: skip


def test_sendgrid_custom_args_kept_in_record(wh, landing):
    wh.load(landing, "sendgrid")
    (record,) = wh.rows("select _record from raw.sendgrid__events where sg_event_id = 'ev-1'")[0]
    assert orjson.loads(record)["utm_campaign"] == "jan-news"


def test_sendgrid_duplicates_dropped_first_copy_stays(wh, landing):
    result = wh.load(landing, "sendgrid")
    # ev-2 twice in T10 (the first, sg_machine_open false, stays); ev-3 again in T11
    assert wh.rows(
        "select sg_event_id, sg_machine_open, url, _source_file from raw.sendgrid__events "
        "where sg_event_id in ('ev-2', 'ev-3') order by 1"
    ) == [
        ("ev-2", "false", None, T10),
        ("ev-3", None, "https://example.com/?utm_source=sendgrid", T10),
    ]
    assert wh.ledger("sendgrid") == [
        (T10, "loaded", 6, 3, 1, 2),
        (T11, "loaded", 2, 1, 1, 0),
        ("email/sendgrid/2026-01-01T12_redelivered.json", "skipped_same_content", 0, 0, 0, 0),
    ]
    stats = result.tables["events"]
    assert (stats.files_seen, stats.files_loaded, stats.files_skipped) == (3, 2, 1)
    assert (stats.records_read, stats.records_loaded) == (8, 4)
    assert (stats.records_duplicate, stats.records_quarantined) == (2, 2)


def test_sendgrid_bad_events(wh, landing):
    wh.load(landing, "sendgrid")
    assert wh.reasons("sendgrid") == [
        (T10, 4, "missing required field sg_event_id"),
        (T10, 5, "timestamp 'yesterday' does not parse as unix seconds"),
    ]
    raw_text = wh.quarantine("sendgrid")[1][2]
    assert orjson.loads(raw_text)["sg_event_id"] == "ev-5"
