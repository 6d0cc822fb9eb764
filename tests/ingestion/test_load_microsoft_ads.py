"""Microsoft Advertising AdPerformanceReport downloads (docs/landing-contract.md)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HEADER_BLOCK = (
    '"Report Name: Ad performance"\r\n'
    '"Report Time: 3/1/2026,3/3/2026"\r\n'
    '"Time Zone: (GMT-08:00) Pacific Time (US & Canada); Tijuana"\r\n'
    '"Last Completed Available Day: 3/3/2026 11:00:00 PM (GMT-08:00) Pacific Time"\r\n'
    '"Report Aggregation: Daily"\r\n'
    '"Report Filter: "\r\n'
    '"Potential Incomplete Data: false"\r\n'
    '"Rows: {rows}"\r\n'
    "\r\n"
)
COLUMNS = (
    '"TimePeriod","AccountId","AccountName","CampaignId","CampaignName","AdGroupId",'
    '"AdGroupName","AdId","CurrencyCode","Impressions","Clicks","Spend","Conversions"\r\n'
)
FOOTER = '\r\n"©2026 Microsoft Corporation. All rights reserved. "\r\n'


def _row(day: str, ad: str, impressions: str, clicks: str, spend: str) -> str:
    return (
        f'"{day}","150001","Acme US","7001","Brand","8001","Brand exact","{ad}","USD",'
        f'"{impressions}","{clicks}","{spend}","1"\r\n'
    )


def _report(rows: list[str], *, declared: int | None = None, bom: bool = True) -> bytes:
    text = HEADER_BLOCK.format(rows=len(rows) if declared is None else declared)
    text += COLUMNS + "".join(rows) + FOOTER
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def _zip(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def _landing(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "landing" / "ads" / "microsoft_ads"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return tmp_path / "landing"


def test_a_report_loads_its_rows_and_skips_header_block_and_footer(wh, tmp_path):
    landing = _landing(
        tmp_path,
        {
            "2026-03-03.csv": _report(
                [
                    _row("3/1/2026", "9001", "1000", "40", "52.10"),
                    _row("3/2/2026", "9001", "900", "45", "60.00"),
                    _row("12/31/2025", "9002", "10", "1", "0.25"),
                ]
            )
        },
    )
    result = wh.load(landing, "microsoft_ads")
    assert wh.rows(
        "select time_period, account_id, campaign_id, ad_group_id, ad_id, currency_code, "
        "impressions, clicks, spend, conversions, _source_position "
        "from raw.microsoft_ads__ad_performance order by _source_position"
    ) == [
        ("2026-03-01", "150001", "7001", "8001", "9001", "USD", "1000", "40", "52.10", "1", 11),
        ("2026-03-02", "150001", "7001", "8001", "9001", "USD", "900", "45", "60.00", "1", 12),
        ("2025-12-31", "150001", "7001", "8001", "9002", "USD", "10", "1", "0.25", "1", 13),
    ]
    # the row as written, M/D/YYYY and all, stays in _record
    (record,) = wh.rows(
        "select _record from raw.microsoft_ads__ad_performance where _source_position = 11"
    )
    assert '"TimePeriod":"3/1/2026"' in record[0]
    assert '"AccountName":"Acme US"' in record[0]
    assert wh.ledger("microsoft_ads") == [
        ("ads/microsoft_ads/2026-03-03.csv", "loaded", 3, 3, 0, 0)
    ]
    assert result.tables["ad_performance"].records_loaded == 3


def test_a_zip_loads_like_its_csv_and_a_restated_day_is_kept_as_a_version(wh, tmp_path):
    first = _report([_row("3/1/2026", "9001", "1000", "40", "52.10")], bom=False)
    later = _report([_row("3/1/2026", "9001", "1100", "41", "53.00")])
    landing = _landing(
        tmp_path,
        {
            "2026-03-01.zip": _zip("AdPerformanceReport_1.csv", first),
            "2026-03-02.zip": _zip("AdPerformanceReport_2.csv", later),
        },
    )
    wh.load(landing, "microsoft_ads")
    assert wh.rows(
        "select _source_file, impressions, spend from raw.microsoft_ads__ad_performance "
        "order by _source_file"
    ) == [
        ("ads/microsoft_ads/2026-03-01.zip", "1000", "52.10"),
        ("ads/microsoft_ads/2026-03-02.zip", "1100", "53.00"),
    ]


def test_bad_rows_are_quarantined_and_the_rest_of_the_file_loads(wh, tmp_path):
    landing = _landing(
        tmp_path,
        {
            "2026-03-03.csv": _report(
                [
                    _row("3/1/2026", "9001", "1000", "40", "52.10"),
                    _row("3/1/2026", "", "1000", "40", "1.00"),  # no AdId
                    _row("3/1/2026", "9003", "1,000", "40", "1.00"),  # thousands separator
                    _row("2/30/2026", "9004", "10", "1", "1.00"),  # no such day
                    _row("3/1/2026", "9005", "10", "20", "1.00"),  # clicks above impressions
                    _row("3/1/2026", "9006", "10", "1", "-1.00"),  # negative spend
                    '"3/1/2026","150001"\r\n',  # cut short
                ]
            )
        },
    )
    wh.load(landing, "microsoft_ads")
    assert wh.reasons("microsoft_ads") == [
        ("ads/microsoft_ads/2026-03-03.csv", 12, "missing required field AdId"),
        (
            "ads/microsoft_ads/2026-03-03.csv",
            13,
            "Impressions '1,000' does not parse as an integer",
        ),
        (
            "ads/microsoft_ads/2026-03-03.csv",
            14,
            "TimePeriod '2/30/2026' does not parse as a date (YYYY-MM-DD)",
        ),
        (
            "ads/microsoft_ads/2026-03-03.csv",
            15,
            "Clicks '20' is more than Impressions '10' that contains it",
        ),
        ("ads/microsoft_ads/2026-03-03.csv", 16, "Spend '-1.00' is negative"),
        ("ads/microsoft_ads/2026-03-03.csv", 17, "CSV row has 2 fields, header has 13"),
    ]
    assert wh.ledger("microsoft_ads") == [
        ("ads/microsoft_ads/2026-03-03.csv", "loaded", 7, 1, 0, 6)
    ]


def test_unusable_files_are_quarantined_whole_with_the_reason(wh, tmp_path):
    good = _report([_row("3/1/2026", "9001", "1000", "40", "52.10")])
    landing = _landing(
        tmp_path,
        {
            "a_cut_off.csv": _report([_row("3/1/2026", "9001", "1000", "40", "52.10")], declared=2),
            "b_no_header.csv": b'"Report Name: x"\r\n\r\n"1","2"\r\n',
            "c_two_files.zip": _two_member_zip(good),
            "d_broken.zip": b"PK\x03\x04 not really a zip",
            "e_empty.csv": b"",
        },
    )
    wh.load(landing, "microsoft_ads")
    assert [(f, p, r) for f, p, r in wh.reasons("microsoft_ads")] == [
        (
            "ads/microsoft_ads/a_cut_off.csv",
            None,
            "the report header says Rows: 2, the file has 1 rows (a cut-off download?)",
        ),
        (
            "ads/microsoft_ads/b_no_header.csv",
            None,
            "no column header naming TimePeriod (is this an AdPerformanceReport CSV?)",
        ),
        (
            "ads/microsoft_ads/c_two_files.zip",
            None,
            "the zip holds a.csv, b.csv, expected exactly one .csv",
        ),
        ("ads/microsoft_ads/d_broken.zip", None, "broken zip: File is not a zip file"),
        ("ads/microsoft_ads/e_empty.csv", None, "file is empty"),
    ]
    assert wh.rows("select count(*) from raw.microsoft_ads__ad_performance") == [(0,)]


def _two_member_zip(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.csv", data)
        archive.writestr("b.csv", data)
    return out.getvalue()
