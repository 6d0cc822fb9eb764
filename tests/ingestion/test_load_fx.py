"""ECB reference rates loader: unpivot, N/A cells, trailing commas."""

from __future__ import annotations

import orjson

FX = "finance/fx/eurofxref-hist.csv"


def test_fx_unpivots_and_skips_na(wh, landing):
    wh.load(landing, "fx")
    assert wh.rows(
        "select rate_date, currency_code, rate, _source_position from raw.fx__ecb_rates "
        "order by _source_position, currency_code"
    ) == [
        ("2026-01-06", "BGN", "1.9558", 2),
        ("2026-01-06", "JPY", "163.50", 2),
        ("2026-01-06", "USD", "1.0400", 2),
        ("2026-01-05", "BGN", "1.9558", 3),
        ("2026-01-05", "USD", "1.0350", 3),
        # the last line has no trailing comma: still five fields for five named columns
        ("2026-01-01", "BGN", "1.9558", 5),
        ("2026-01-01", "JPY", "162.0", 5),
        ("2026-01-01", "USD", "1.0300", 5),
    ]
    (record,) = wh.rows("select _record from raw.fx__ecb_rates where _source_position = 3")[0]
    assert orjson.loads(record) == {
        "Date": "2026-01-05",
        "USD": "1.0350",
        "JPY": "N/A",
        "BGN": "1.9558",
        "CYP": "N/A",
    }


def test_fx_a_line_is_one_record(wh, landing):
    wh.load(landing, "fx")
    assert wh.quarantine("fx") == [
        (FX, 4, "2026-01-02,abc,162.00,1.9558,N/A,", "USD rate 'abc' does not parse as a number"),
        (FX, 6, "2025-12-31,1.0290", "CSV row has 2 fields, header has 6"),
    ]
    # five data lines: three loaded (eight rates), two quarantined
    assert wh.ledger("fx") == [(FX, "loaded", 5, 3, 0, 2)]


def test_fx_ecb_daily_file_with_spaces_and_long_dates(wh, tmp_path):
    landing = tmp_path / "landing"
    (landing / "finance" / "fx").mkdir(parents=True)
    (landing / "finance" / "fx" / "eurofxref.csv").write_text(
        "Date, USD, JPY, \n07 January 2026, 1.0400, 163.50, \n31 June 2026, 1.0, 1.0, \n"
    )
    (landing / "finance" / "fx" / "wrong.csv").write_text("Currency,Rate\nUSD,1.04\n")
    wh.load(landing, "fx")
    assert wh.rows("select rate_date, currency_code, rate, _record from raw.fx__ecb_rates") == [
        (
            "2026-01-07",
            "USD",
            "1.0400",
            '{"Date":"07 January 2026","USD":" 1.0400","JPY":" 163.50"}',
        ),
        (
            "2026-01-07",
            "JPY",
            "163.50",
            '{"Date":"07 January 2026","USD":" 1.0400","JPY":" 163.50"}',
        ),
    ]
    assert wh.reasons("fx") == [
        (
            "finance/fx/eurofxref.csv",
            3,
            "Date '31 June 2026' does not parse as a date (YYYY-MM-DD)",
        ),
        (
            "finance/fx/wrong.csv",
            None,
            "expected an ECB header Date,USD,JPY,... (got 'Currency,Rate')",
        ),
    ]
