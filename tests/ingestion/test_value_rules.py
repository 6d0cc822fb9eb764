"""Record-level value rules at load: a value that parses but cannot be true sends its
record to the quarantine with the rule and the values; the rest of the file loads and
the ledger adds up (read = loaded + duplicates + quarantined)."""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.registry import RAW_TABLES
from ingestion.rules import FAR_FUTURE_DAYS, PlausibleDate

META = "ads/meta_ads"


def _meta_row(ad_id: str, **numbers: str) -> dict[str, object]:
    row = {
        "date_start": "2026-01-05",
        "date_stop": "2026-01-05",
        "account_id": "987654321",
        "account_currency": "EUR",
        "campaign_id": "c1",
        "ad_id": ad_id,
        "impressions": "100",
        "clicks": "10",
        "inline_link_clicks": "8",
        "reach": "90",
        "spend": "12.50",
    }
    row.update(numbers)
    return row


def _write(landing: Path, folder: str, name: str, doc: object) -> None:
    path = landing / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))


def test_one_impossible_ad_row_is_quarantined_and_the_rest_of_its_file_loads(wh, tmp_path):
    landing = tmp_path / "landing"
    rows = [
        _meta_row("a1"),
        _meta_row("a2", inline_link_clicks="1", clicks="0"),
        _meta_row("a3", spend="-3.20"),
        _meta_row("a4", reach="101"),
        _meta_row("a5", clicks="12x", inline_link_clicks="50"),
    ]
    _write(landing, META, "2026-01-05_insights.json", {"data": rows})
    wh.load(landing, "meta_ads")

    assert wh.rows("select ad_id, clicks from raw.meta_ads__insights") == [("a1", "10")]
    file = f"{META}/2026-01-05_insights.json"
    assert wh.reasons("meta_ads") == [
        (file, 2, "inline_link_clicks '1' is more than clicks '0' that contains it"),
        (file, 3, "spend '-3.20' is negative"),
        (file, 4, "reach '101' is more than impressions '100' that contains it"),
        # a value that does not parse is reported as such, before any range rule
        (file, 5, "clicks '12x' does not parse as an integer"),
    ]
    assert wh.ledger("meta_ads") == [(file, "loaded", 5, 1, 0, 4)]


def test_google_ads_negative_cost_and_clicks_above_impressions(wh, tmp_path):
    landing = tmp_path / "landing"

    def result(ad: str, impressions: str, clicks: str, cost: str) -> dict[str, object]:
        return {
            "customer": {"id": "1", "currencyCode": "USD"},
            "campaign": {"id": "11"},
            "adGroup": {"id": "22"},
            "adGroupAd": {"ad": {"id": ad}},
            "metrics": {"impressions": impressions, "clicks": clicks, "costMicros": cost},
            "segments": {"date": "2026-01-05"},
        }

    batch = [
        {
            "results": [
                result("1", "100", "7", "1230000"),
                result("2", "100", "7", "-5"),
                result("3", "5", "7", "10"),
            ]
        }
    ]
    _write(landing, "ads/google_ads", "2026-01-05_stream.json", batch)
    wh.load(landing, "google_ads")
    assert wh.rows("select ad_id from raw.google_ads__ad_stats") == [("1",)]
    assert [r for _, _, r in wh.reasons("google_ads")] == [
        "metrics.costMicros '-5' is negative",
        "metrics.clicks '7' is more than metrics.impressions '5' that contains it",
    ]


def test_an_exchange_rate_of_zero_quarantines_its_day_and_the_other_days_load(wh, tmp_path):
    """An ECB row is one record (a day of many rates): it is quarantined whole, as a
    rate that does not parse is."""
    landing = tmp_path / "landing"
    folder = landing / "finance" / "fx"
    folder.mkdir(parents=True)
    (folder / "eurofxref-hist.csv").write_text(
        "Date,USD,CHF,JPY,\n"
        "2026-01-06,1.0400,0,-163.50,\n"
        "2026-01-05,1.0350,0.9310,163.20,\n"
        "1998-12-31,1.1700,1.6000,N/A,\n"
    )
    wh.load(landing, "fx")
    assert wh.rows(
        "select rate_date, currency_code, rate from raw.fx__ecb_rates order by 1, 2"
    ) == [
        ("2026-01-05", "CHF", "0.9310"),
        ("2026-01-05", "JPY", "163.20"),
        ("2026-01-05", "USD", "1.0350"),
    ]
    assert wh.reasons("fx") == [
        ("finance/fx/eurofxref-hist.csv", 2, "CHF rate '0' is zero or below"),
        (
            "finance/fx/eurofxref-hist.csv",
            4,
            "Date '1998-12-31' is before 1999-01-04, when the ECB's euro rates began",
        ),
    ]
    assert wh.ledger("fx") == [("finance/fx/eurofxref-hist.csv", "loaded", 3, 1, 0, 2)]


def test_a_probability_outside_0_to_100_is_quarantined(wh, landing):
    path = landing / "crm/salesforce/Opportunity/2026-01-01T000000.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index('"Probability"')] = '"120"'
    cells[header.index('"Id"')] = '"006000000000999AAA"'
    path.write_text("\n".join([*lines, ",".join(cells)]) + "\n")
    wh.load(landing, "salesforce")
    reasons = [r for f, _, r in wh.reasons("salesforce") if "Opportunity" in f]
    assert "Probability '120' is outside 0 to 100" in reasons
    assert wh.rows(
        "select count(*) from raw.salesforce__opportunity where id = '006000000000999AAA'"
    ) == [(0,)]


def test_dates_before_the_vendor_existed_or_a_year_after_the_load(wh, tmp_path):
    """The load's day is 2026-01-07 (the fixture clock): 366 days later is 2027-01-08."""
    landing = tmp_path / "landing"
    events = [
        {"sg_event_id": "ok", "email": "a@x.io", "event": "open", "timestamp": 1767225600},
        # 2001-09-09, eight years before SendGrid was founded
        {"sg_event_id": "old", "email": "a@x.io", "event": "open", "timestamp": 1000000000},
        # 2027-01-08 00:00 UTC: the last day allowed
        {"sg_event_id": "edge", "email": "a@x.io", "event": "open", "timestamp": 1799366400},
        # 2027-01-09 00:00 UTC: one day too far
        {"sg_event_id": "far", "email": "a@x.io", "event": "open", "timestamp": 1799452800},
    ]
    _write(landing, "email/sendgrid", "2026-01-07T10.json", events)
    wh.load(landing, "sendgrid")
    assert wh.rows("select sg_event_id from raw.sendgrid__events order by 1") == [
        ("edge",),
        ("ok",),
    ]
    assert [r for _, _, r in wh.reasons("sendgrid")] == [
        "timestamp '1000000000' is before 2009-07-01, when SendGrid was founded",
        f"timestamp '1799452800' is more than {FAR_FUTURE_DAYS} days after the load",
    ]


def test_every_rule_names_columns_of_its_table_and_dates_have_a_known_kind() -> None:
    for table in RAW_TABLES:
        for rule in table.value_rules:
            assert set(rule.columns) <= set(table.columns), (table.table_name, rule)
            if isinstance(rule, PlausibleDate):
                assert rule.kind in ("date", "timestamp", "unix")
