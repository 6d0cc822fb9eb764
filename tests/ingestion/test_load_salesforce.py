"""Salesforce Bulk API 2.0 CSV loader."""

from __future__ import annotations

import orjson

OPP = "crm/salesforce/Opportunity/2026-01-01T000000.csv"


def test_salesforce_opportunity_values(wh, landing):
    result = wh.load(landing, "salesforce")
    got = wh.rows(
        "select id, account_id, name, stage_name, amount, currency_iso_code, probability, "
        "close_date, is_closed, is_won, type, lead_source, campaign_id, forecast_category, "
        "owner_id, created_date, system_modstamp, is_deleted, _source_file, _source_position "
        "from raw.salesforce__opportunity order by _source_position",
    )
    assert got == [
        # no CurrencyIsoCode column in this export: currency_iso_code is null
        ("006000000000001AAA", "001000000000001AAA", "Acme - New Business", "Prospecting",
         "12000.50", None, "10", "2026-03-31", "false", "false", "New Customer", "Web",
         "701000000000001AAA", "Pipeline", "005000000000001AAA", "2026-11-01T10:00:00.000Z",
         "2026-11-01T10:00:00.000+0000", "false", OPP, 2),
        # quoted comma; empty values are null
        ("006000000000002AAA", "001000000000002AAA", "Globex, Inc. - Renewal", "Closed Won",
         "8000", None, "100", "2026-02-15", "true", "true", "Renewal", None, None, "Closed",
         "005000000000001AAA", "2026-10-01T09:00:00.000Z", "2026-11-02T08:30:00.000Z",
         "false", OPP, 3),
        # a quoted value over two lines, with doubled quotes: position = first line
        ("006000000000004AAA", "001000000000001AAA", 'Acme - "Phase 2"\nexpansion',
         "Qualification", "5000", None, "20", "2026-06-30", "false", "false",
         "Existing Customer - Upgrade", "Partner", None, "Pipeline", "005000000000002AAA",
         "2026-11-03T10:00:00.000Z", "2026-11-03T10:00:00.000Z", "false", OPP, 5),
    ]  # fmt: skip
    assert set(result.tables) == {
        "lead",
        "lead_history",
        "contact",
        "account",
        "opportunity",
        "opportunity_history",
        "opportunity_contact_role",
        "user",
    }


def test_salesforce_unknown_columns_only_in_record(wh, landing):
    wh.load(landing, "salesforce")
    (record,) = wh.rows(
        "select _record from raw.salesforce__opportunity where id = '006000000000002AAA'"
    )[0]
    parsed = orjson.loads(record)
    assert parsed["Region__c"] == "AMER"
    assert parsed["LeadSource"] is None
    assert "CurrencyIsoCode" not in parsed


def test_salesforce_bad_rows(wh, landing):
    wh.load(landing, "salesforce")
    got = wh.quarantine("salesforce")
    assert got[0] == (
        OPP,
        4,
        '"006000000000003AAA","001000000000003AAA","Short row","Prospecting","100"',
        "CSV row has 5 fields, header has 18",
    )
    assert [(p, reason) for _, p, _, reason in got[1:]] == [
        (7, "CreatedDate '2026-11-01 nope' does not parse as an ISO-8601 timestamp"),
        (8, "missing required field Id"),
        (9, "IsClosed 'no' does not parse as a boolean (true/false)"),
    ]
    # the raw text of a bad CSV row is the row as written, not JSON
    assert got[1][2].startswith('"006000000000005AAA","001000000000001AAA","Bad date"')
    assert wh.ledger("salesforce") == [
        ("crm/salesforce/Lead/2026-01-01T000000.csv", "loaded", 2, 2, 0, 0),
        (OPP, "loaded", 7, 3, 0, 4),
    ]


def test_salesforce_lead_booleans_dates_and_offsets(wh, landing):
    wh.load(landing, "salesforce")
    assert wh.rows(
        "select id, status, is_converted, converted_date, converted_opportunity_id, "
        "created_date, system_modstamp, is_deleted from raw.salesforce__lead order by id"
    ) == [
        ("00Q000000000001AAA", "Marketing Qualified", "false", None, None,
         "2026-01-05T10:10:00.000Z", "2026-01-06T08:00:00.000Z", "false"),
        ("00Q000000000002AAA", "Closed - Converted", "true", "2026-01-07", "006000000000002AAA",
         "2026-01-02T10:10:00.000+0000", "2026-01-07T08:00:00.000+0000", "true"),
    ]  # fmt: skip


def test_salesforce_header_without_id_or_empty_file_is_unreadable(wh, tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "crm" / "salesforce" / "Account"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text('"Name","Industry"\n"Acme","Tech"\n')
    (folder / "b.csv").write_text("")
    (folder / "c.csv").write_text('"Id","Name","CurrencyIsoCode"\n')  # header only: no records
    result = wh.load(landing, "salesforce")
    assert wh.reasons("salesforce") == [
        (
            "crm/salesforce/Account/a.csv",
            None,
            'the header has no Id column (header: \'"Name","Industry"\')',
        ),
        ("crm/salesforce/Account/b.csv", None, "file is empty"),
    ]
    assert wh.ledger("salesforce") == [
        ("crm/salesforce/Account/a.csv", "unreadable", 1, 0, 0, 1),
        ("crm/salesforce/Account/b.csv", "unreadable", 1, 0, 0, 1),
        ("crm/salesforce/Account/c.csv", "loaded", 0, 0, 0, 0),
    ]
    assert result.tables["lead"].files_seen == 0


def test_salesforce_utf8_bom_and_crlf(wh, tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "crm" / "salesforce" / "User"
    folder.mkdir(parents=True)
    (folder / "u.csv").write_bytes(
        b'\xef\xbb\xbf"Id","Name","IsActive","CreatedDate","SystemModstamp"\r\n'
        b'"005000000000001AAA","Jos\xc3\xa9 Rep","true","2026-01-01T00:00:00.000Z",'
        b'"2026-01-01T00:00:00.000Z"\r\n'
    )
    wh.load(landing, "salesforce")
    assert wh.rows("select id, name, is_active, _source_position from raw.salesforce__user") == [
        ("005000000000001AAA", "José Rep", "true", 2)
    ]
