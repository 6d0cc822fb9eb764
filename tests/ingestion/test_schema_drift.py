"""Schema drift, in every landing format: a vendor adds a field, or stops sending one.

The contract: "Unknown extra fields are kept (in a JSON column or as extra columns),
never an error", and a record missing a required field is quarantined with a reason
that names it while the rest of its file loads. The per-loader tests show unknown
fields in ``_record`` on the hand-written fixtures; here every format gets the same
drift, written by the test: a new top-level and a new nested field (a new column for
the CSV formats), every required field missing in turn, and the new field arriving
only in a later file of a source already loaded.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from ingestion.registry import RAW_TABLES

Record = dict[str, Any]


@dataclass(frozen=True)
class Format:
    """One landing format: how to write a file of records, and its drift."""

    name: str
    source: str
    table: str
    folder: str
    suffix: str
    record: Callable[[int], Record]
    """A good record whose key is unique for ``n``."""
    write: Callable[[list[Record]], bytes]
    new_fields: dict[str, Any]
    """Dotted path -> value added to a record by the vendor's new version."""
    required: dict[str, str]
    """Field label in the reason -> the dotted path removed (or emptied) to lose it."""

    def file_name(self, name: str) -> str:
        return f"{self.folder}/{name}{self.suffix}"


def _set(record: Record, path: str, value: Any) -> Record:
    out = copy.deepcopy(record)
    node = out
    *parents, last = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return out


def _drop(record: Record, path: str) -> Record:
    out = copy.deepcopy(record)
    node = out
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    del node[last]
    return out


def _json(doc: Any) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


def _jsonl(records: list[Record]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def _csv(records: list[Record], *, quote_all: bool, trailing_comma: bool = False) -> bytes:
    """A header of every record's fields (in first-seen order), empty where absent."""
    header: list[str] = []
    for record in records:
        header += [k for k in record if k not in header]
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(out, quoting=quoting, lineterminator="\n")
    writer.writerow([*header, ""] if trailing_comma else header)
    for record in records:
        row = [record.get(k, "") for k in header]
        writer.writerow([*row, ""] if trailing_comma else row)
    return out.getvalue().encode()


def _google(n: int) -> Record:
    return {
        "customer": {"id": "1234567890", "currencyCode": "USD", "timeZone": "America/New_York"},
        "campaign": {"id": "111", "name": "Brand - Search"},
        "adGroup": {"id": "222", "name": "Brand exact"},
        "adGroupAd": {"ad": {"id": str(300 + n)}},
        "segments": {"date": "2026-01-01"},
        "metrics": {"impressions": "100", "clicks": "7", "costMicros": "1230000"},
    }


def _meta(n: int) -> Record:
    return {
        "date_start": "2026-01-01",
        "date_stop": "2026-01-01",
        "account_id": "4455",
        "account_currency": "EUR",
        "campaign_id": "23850000000000001",
        "ad_id": str(600 + n),
        "impressions": "10",
        "clicks": "1",
        "spend": "1.50",
        "actions": [{"action_type": "lead", "value": "1"}],
    }


def _linkedin_analytics(n: int) -> Record:
    day = {"year": 2026, "month": 1, "day": 1}
    return {
        "dateRange": {"start": day, "end": day},
        "pivotValues": [f"urn:li:sponsoredCreative:{700 + n}"],
        "impressions": 40,
        "clicks": 2,
        "externalWebsiteConversions": 0,
        "costInLocalCurrency": "3.2",
        "costInUsd": "4.0",
    }


def _linkedin_campaign(n: int) -> Record:
    return {
        "id": 800 + n,
        "name": "Demand gen",
        "account": "urn:li:sponsoredAccount:5",
        "campaignGroup": "urn:li:sponsoredCampaignGroup:6",
        "status": "ACTIVE",
        "dailyBudget": {"amount": "50", "currencyCode": "GBP"},
    }


def _linkedin_creative(n: int) -> Record:
    return {"id": f"urn:li:sponsoredCreative:{700 + n}", "campaign": "urn:li:sponsoredCampaign:801"}


def _sendgrid(n: int) -> Record:
    return {
        "email": f"person{n}@example.com",
        "timestamp": 1767261600 + n,
        "event": "delivered",
        "sg_event_id": f"ev-{n}",
        "sg_message_id": "msg-1",
        "category": ["newsletter"],
    }


def _segment(n: int) -> Record:
    return {
        "type": "track",
        "event": "Signed Up",
        "messageId": f"m-{n}",
        "anonymousId": "anon-1",
        "timestamp": "2026-01-01T10:00:00.000Z",
        "properties": {"email": f"person{n}@example.com"},
        "context": {"page": {"url": "https://example.com/signup"}, "ip": "192.0.2.1"},
    }


def _salesforce_lead(n: int) -> Record:
    return {
        "Id": f"00Q{n:015d}",
        "Email": f"person{n}@example.com",
        "LastName": "Doe",
        "Company": "Acme",
        "Status": "Open - Not Contacted",
        "IsConverted": "false",
        "CreatedDate": "2026-01-01T10:00:00.000Z",
        "SystemModstamp": "2026-01-01T10:00:00.000Z",
        "IsDeleted": "false",
    }


def _fx(n: int) -> Record:
    return {"Date": f"2026-01-{n:02d}", "USD": "1.0400", "JPY": "N/A", "BGN": "1.9558"}


FORMATS = [
    Format(
        "google_ads",
        "google_ads",
        "raw.google_ads__ad_stats",
        "ads/google_ads",
        ".json",
        _google,
        lambda rs: _json([{"results": rs, "fieldMask": "segments.date", "requestId": "r-1"}]),
        {"metrics.videoViews": "12", "adGroupAd.ad.finalUrls": ["https://x.example"]},
        {
            "segments.date": "segments.date",
            "customer.id": "customer.id",
            "customer.currencyCode": "customer.currencyCode",
            "campaign.id": "campaign.id",
            "adGroup.id": "adGroup.id",
            "adGroupAd.ad.id": "adGroupAd.ad.id",
        },
    ),
    Format(
        "meta_ads",
        "meta_ads",
        "raw.meta_ads__insights",
        "ads/meta_ads",
        ".json",
        _meta,
        lambda rs: _json({"data": rs, "paging": {"cursors": {"before": "a", "after": "b"}}}),
        {"video_play_actions": [{"action_type": "video_view", "value": "3"}], "frequency": "1.2"},
        {
            "date_start": "date_start",
            "account_id": "account_id",
            "account_currency": "account_currency",
            "campaign_id": "campaign_id",
            "ad_id": "ad_id",
        },
    ),
    Format(
        "linkedin_analytics",
        "linkedin_ads",
        "raw.linkedin_ads__ad_analytics",
        "ads/linkedin_ads/analytics",
        ".json",
        _linkedin_analytics,
        lambda rs: _json({"paging": {"start": 0, "count": 10}, "elements": rs}),
        {"videoViews": 5, "dateRange.timeZone": "UTC"},
        {"dateRange.start": "dateRange.start", "pivotValues[0]": "pivotValues"},
    ),
    Format(
        "linkedin_campaigns",
        "linkedin_ads",
        "raw.linkedin_ads__campaigns",
        "ads/linkedin_ads/campaigns",
        ".json",
        _linkedin_campaign,
        lambda rs: _json({"paging": {"start": 0, "count": 10}, "elements": rs}),
        {"objectiveType": "LEAD_GENERATION", "dailyBudget.pacing": "STANDARD"},
        {"id": "id", "account": "account"},
    ),
    Format(
        "linkedin_creatives",
        "linkedin_ads",
        "raw.linkedin_ads__creatives",
        "ads/linkedin_ads/creatives",
        ".json",
        _linkedin_creative,
        lambda rs: _json({"paging": {"start": 0, "count": 10}, "elements": rs}),
        {"intendedStatus": "ACTIVE", "content.reference": "urn:li:share:9"},
        {"id": "id", "campaign": "campaign"},
    ),
    Format(
        "sendgrid",
        "sendgrid",
        "raw.sendgrid__events",
        "email/sendgrid",
        ".json",
        _sendgrid,
        _json,
        {"marketing_campaign_split_id": 17, "asm.group_id": 3},
        {
            "sg_event_id": "sg_event_id",
            "email": "email",
            "timestamp": "timestamp",
            "event": "event",
        },
    ),
    Format(
        "segment",
        "segment",
        "raw.segment__events",
        "web/segment",
        ".jsonl",
        _segment,
        _jsonl,
        {"context.locale": "en-GB", "experimentVariant": "B"},
        {"messageId": "messageId", "type": "type", "timestamp": "timestamp"},
    ),
    Format(
        "salesforce",
        "salesforce",
        "raw.salesforce__lead",
        "crm/salesforce/Lead",
        ".csv",
        _salesforce_lead,
        lambda rs: _csv(rs, quote_all=True),
        {"Region__c": "EMEA", "Rating": "Hot"},
        {"Id": "Id", "CreatedDate": "CreatedDate", "SystemModstamp": "SystemModstamp"},
    ),
    Format(
        "fx",
        "fx",
        "raw.fx__ecb_rates",
        "finance/fx",
        ".csv",
        _fx,
        lambda rs: _csv(rs, quote_all=False, trailing_comma=True),
        {"ZAR": "19.5"},  # a currency the bank starts publishing
        {"Date": "Date"},
    ),
]
FORMAT_IDS = [f.name for f in FORMATS]


def _lose(fmt: Format, record: Record, path: str) -> Record:
    """The record without the field: CSV formats keep the column, with no value."""
    if fmt.suffix == ".csv":
        return {**record, path: ""}
    return _drop(record, path)


def _with_new_fields(fmt: Format, record: Record) -> Record:
    for path, value in fmt.new_fields.items():
        record = _set(record, path, value)
    return record


def _write(landing: Path, fmt: Format, name: str, records: list[Record]) -> str:
    relative = fmt.file_name(name)
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fmt.write(records))
    return relative


def _loaded_records(wh, fmt: Format, source_file: str) -> list[tuple[int, Record]]:
    """(position, parsed _record) of the file's loaded records (an FX record is one row
    per currency in raw, one record here)."""
    rows = wh.rows(
        f"select distinct _source_position, _record from {fmt.table} where _source_file = ? "
        "order by 1",
        [source_file],
    )
    return [(position, orjson.loads(record)) for position, record in rows]


def _get(record: Record, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value[part]
    return value


def _ledger(wh, fmt: Format) -> list[tuple]:
    table = fmt.table.removeprefix("raw.")
    return wh.rows(
        "select source_file, status, records_read, records_loaded, records_duplicate, "
        "records_quarantined, load_id from raw._file_ledger "
        "where source || '__' || object = ? order by source_file",
        [table],
    )


def _quarantined(wh, fmt: Format) -> list[tuple]:
    table = fmt.table.removeprefix("raw.")
    return wh.rows(
        "select source_file, source_position, raw_text, reason from raw._quarantine "
        "where source || '__' || object = ? order by source_file, source_position",
        [table],
    )


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_a_new_field_is_kept_and_does_not_fail_the_load(wh, tmp_path, fmt: Format):
    landing = tmp_path / "landing"
    drifted = _with_new_fields(fmt, fmt.record(2))
    source_file = _write(landing, fmt, "2026-01-01", [fmt.record(1), drifted, fmt.record(3)])

    wh.load(landing, fmt.source)

    assert _ledger(wh, fmt) == [(source_file, "loaded", 3, 3, 0, 0, "load-1")]
    assert _quarantined(wh, fmt) == []
    records = _loaded_records(wh, fmt, source_file)
    assert [position for position, _ in records] == (
        [2, 3, 4] if fmt.suffix == ".csv" else [1, 2, 3]  # a CSV's header is line 1
    )
    kept = records[1][1]
    for path, value in fmt.new_fields.items():
        assert _get(kept, path) == value, path
    # the fields the warehouse knows still land in their columns
    if fmt.suffix != ".csv":
        assert kept == drifted
    if fmt.suffix != ".csv":  # in a CSV the new column is in every row (empty)
        for _, other in (records[0], records[2]):
            assert other in (fmt.record(1), fmt.record(3))


def test_a_new_fx_currency_loads_as_rates(wh, tmp_path):
    """In the ECB's CSV a new column is a new currency: its rates load like the others."""
    fmt = next(f for f in FORMATS if f.name == "fx")
    landing = tmp_path / "landing"
    _write(landing, fmt, "eurofxref-hist", [fmt.record(2), _with_new_fields(fmt, fmt.record(3))])
    wh.load(landing, "fx")
    assert wh.rows("select rate_date, currency_code, rate from raw.fx__ecb_rates order by all") == [
        ("2026-01-02", "BGN", "1.9558"),
        ("2026-01-02", "USD", "1.0400"),
        ("2026-01-03", "BGN", "1.9558"),
        ("2026-01-03", "USD", "1.0400"),
        ("2026-01-03", "ZAR", "19.5"),
    ]


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_a_missing_required_field_quarantines_only_that_record(wh, tmp_path, fmt: Format):
    landing = tmp_path / "landing"
    missing = list(fmt.required.items())
    # a good record, then one record per required field without it, then a good one
    records = [fmt.record(1)]
    records += [_lose(fmt, fmt.record(10 + i), path) for i, (_, path) in enumerate(missing)]
    records.append(fmt.record(2))
    source_file = _write(landing, fmt, "2026-01-01", records)

    wh.load(landing, fmt.source)

    first = 2 if fmt.suffix == ".csv" else 1  # the position of the first record
    bad_positions = [first + 1 + i for i in range(len(missing))]
    got = _quarantined(wh, fmt)
    assert [(f, p, reason) for f, p, _, reason in got] == [
        (source_file, position, f"missing required field {label}")
        for position, (label, _) in zip(bad_positions, missing, strict=True)
    ]
    # the quarantine keeps the record itself, to fix it at the vendor
    for (_, _, raw_text, _), record in zip(got, records[1:-1], strict=True):
        if fmt.suffix == ".csv":
            assert all(value in raw_text for value in record.values())
        else:
            assert orjson.loads(raw_text) == record
    loaded = [position for position, _ in _loaded_records(wh, fmt, source_file)]
    assert loaded == [first, first + len(records) - 1]
    n = len(records)
    assert _ledger(wh, fmt) == [(source_file, "loaded", n, 2, 0, n - 2, "load-1")]


@pytest.mark.parametrize("fmt", FORMATS, ids=FORMAT_IDS)
def test_a_new_field_in_a_later_file_of_a_loaded_source(wh, tmp_path, fmt: Format):
    """Drift over time: the vendor's new version starts with a later drop."""
    landing = tmp_path / "landing"
    before = _write(landing, fmt, "2026-01-01", [fmt.record(1), fmt.record(2)])
    wh.load(landing, fmt.source, load_id="load-1")
    first_rows = wh.rows(f"select * from {fmt.table} order by all")

    after = _write(
        landing,
        fmt,
        "2026-01-08",
        [_with_new_fields(fmt, fmt.record(3)), _with_new_fields(fmt, fmt.record(4))],
    )
    wh.load(landing, fmt.source, load_id="load-2")

    assert _ledger(wh, fmt) == [
        (before, "loaded", 2, 2, 0, 0, "load-1"),
        (after, "loaded", 2, 2, 0, 0, "load-2"),
    ]
    assert _quarantined(wh, fmt) == []
    # the first file's rows are as they were; the later file's keep the new fields
    assert (
        wh.rows(f"select * from {fmt.table} where _source_file = ? order by all", [before])
        == first_rows
    )
    for _, record in _loaded_records(wh, fmt, after):
        for path, value in fmt.new_fields.items():
            assert _get(record, path) == value, path


def test_salesforce_columns_in_another_order_with_a_new_one(wh, tmp_path):
    """A Bulk API query's columns come in the order of its SELECT: a later export may
    order them differently and add a field; values are matched by header name."""
    fmt = next(f for f in FORMATS if f.name == "salesforce")
    landing = tmp_path / "landing"
    lead = fmt.record(1)
    _write(landing, fmt, "2026-01-01", [lead])
    wh.load(landing, "salesforce", load_id="load-1")

    restated = {**lead, "SystemModstamp": "2026-01-02T10:00:00.000Z"}
    reordered = {"Rating": "Hot", **dict(reversed(list(restated.items())))}
    later = _write(landing, fmt, "2026-01-08", [reordered])
    assert (landing / later).read_text().startswith('"Rating","IsDeleted","SystemModstamp",')
    wh.load(landing, "salesforce", load_id="load-2")

    columns = (
        "id, email, last_name, company, status, is_converted, created_date, "
        "system_modstamp, is_deleted, first_name, title"
    )
    got = wh.rows(f"select {columns} from raw.salesforce__lead order by system_modstamp")
    assert got == [
        (lead["Id"], lead["Email"], "Doe", "Acme", "Open - Not Contacted", "false",
         "2026-01-01T10:00:00.000Z", "2026-01-01T10:00:00.000Z", "false", None, None),
        (lead["Id"], lead["Email"], "Doe", "Acme", "Open - Not Contacted", "false",
         "2026-01-01T10:00:00.000Z", "2026-01-02T10:00:00.000Z", "false", None, None),
    ]  # fmt: skip
    ((record,),) = wh.rows(
        "select _record from raw.salesforce__lead where _source_file = ?", [later]
    )
    assert orjson.loads(record) == reordered
    assert _quarantined(wh, fmt) == []


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.source != "fx"], ids=lambda f: f.name)
def test_the_required_fields_tried_are_the_ones_the_loader_declares(fmt: Format) -> None:
    """The missing-field test above loses each field the declaration marks required
    (the ECB loader melts its rows itself and says so in its own reasons)."""
    table = next(t for t in RAW_TABLES if t.qualified_name == fmt.table)
    assert set(fmt.required) == {f.label for f in table.fields if f.required}
