"""ECB euro foreign exchange reference rates (``finance/fx/*.csv``).

The CSV as the ECB publishes it: ``Date,USD,JPY,...,`` (often a trailing comma, i.e.
an empty last header, possibly spaces after the commas), one row per business day,
each value the units of the currency per 1 EUR. A row is one record for the ledger;
it is unpivoted into one raw row per (rate_date, currency_code, rate). rate_date is
``YYYY-MM-DD`` (the history file's format; the daily file's ``07 January 2026`` is
rewritten to it, as written it stays in ``_record``); rates are kept as written
(spaces trimmed). ``N/A`` or empty cells carry no rate and are skipped (not an
error). A row whose date or any rate does not parse or cannot be true (a rate of zero
or below, a date before the ECB's euro rates began or a year after the load:
``RawTable.value_rules``), or whose field count differs from the header, is
quarantined whole. Every version is loaded; staging keeps the latest (later wins).
"""

from __future__ import annotations

from datetime import date, datetime

import orjson
import pandas as pd

from ingestion.core import (
    FileContext,
    RecordCounts,
    UnreadableFile,
    does_not_parse,
    iter_csv_records,
    missing_field,
    parses_as,
    wrong_field_count,
)
from ingestion.rules import PlausibleDate, Positive
from ingestion.tables import Field, Kind, RawTable, RepeatRule

TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="fx",
        object="ecb_rates",
        landing_path="finance/fx",
        file_globs=("*.csv",),
        fields=(
            Field("rate_date", "Date", Kind.DATE, required=True),
            Field("currency_code", "the currency column", required=True),
            Field("rate", "the rate", Kind.DECIMAL, required=True),
        ),
        key=("rate_date", "currency_code"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("rate_date", "date", date(1999, 1, 4), "the ECB's euro rates began"),
            Positive("rate"),
        ),
        currency_columns=("currency_code",),
        one_file_at_a_time=True,
        description=(
            "ECB euro reference rates, unpivoted: one row per date and currency "
            "(units of the currency per 1 EUR). 'N/A' cells are not loaded. "
            "_source_position is the CSV line of the date's row."
        ),
    ),
)

NO_RATE = {"", "N/A"}
ECB_DAILY_DATE = "%d %B %Y"
"""The daily file (eurofxref.csv) writes dates as ``07 January 2026``."""


def _iso_date(text: str) -> str | None:
    """The row's date as ``YYYY-MM-DD``, or None when it does not parse."""
    if parses_as(Kind.DATE, text):
        return text
    try:
        return datetime.strptime(text, ECB_DAILY_DATE).date().isoformat()
    except ValueError:
        return None


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one ECB rates file."""
    records = iter_csv_records(ctx.path)
    header_record = next(records, None)
    if header_record is None:
        raise UnreadableFile("file is empty")
    if header_record.fields is None:
        raise UnreadableFile(f"the header cannot be read: {header_record.error}")
    header = [name.strip() for name in header_record.fields]
    while header and header[-1] == "":
        header.pop()  # the trailing comma
    if not header or header[0].lower() != "date":
        raise UnreadableFile(
            f"expected an ECB header Date,USD,JPY,... (got {header_record.raw_text[:200]!r})"
        )
    if "" in header[1:]:
        raise UnreadableFile("the header has an empty currency name")
    currencies = header[1:]
    header_fields = len(header_record.fields)

    counts = RecordCounts()
    cells: dict[str, list] = {"_pos": [], "_record": [], "rate_date": [], "currency_code": []}
    rates: list[str] = []
    quarantine: list[tuple[int, str, str]] = []
    load_day = ctx.loaded_at.date()
    for record in records:
        counts.read += 1
        reason, values = _check_row(record.fields, record.error, header, header_fields)
        if reason is None:
            reason = _impossible(ctx, header, values, load_day)
        if reason is not None:
            quarantine.append((record.line, record.raw_text, reason))
            continue
        counts.loaded += 1
        record_json = orjson.dumps(dict(zip(header, record.fields, strict=False))).decode()
        for currency, rate in zip(currencies, values[1:], strict=True):
            if rate in NO_RATE:
                continue
            cells["_pos"].append(record.line)
            cells["_record"].append(record_json)
            cells["rate_date"].append(values[0])
            cells["currency_code"].append(currency)
            rates.append(rate)
    counts.quarantined = ctx.insert_quarantine(quarantine)
    frame = pd.DataFrame({**cells, "rate": rates})
    ctx.insert_raw_frame(frame)
    return counts


def _impossible(
    ctx: FileContext, header: list[str], values: list[str], load_day: date
) -> str | None:
    """The first value rule (``RawTable.value_rules``: a plausible date, a rate above
    zero) a parsed row breaks; a row is one record, so it is quarantined whole."""
    for currency, rate in zip(header[1:], values[1:], strict=True):
        if rate in NO_RATE:
            continue
        cells = {"rate_date": values[0], "currency_code": currency, "rate": rate}
        labels = {"rate_date": header[0], "currency_code": currency, "rate": f"{currency} rate"}
        for rule in ctx.table.value_rules:
            reason = rule.python_reason(cells, labels, load_day)
            if reason is not None:
                return reason
    return None


def _check_row(
    fields: list[str] | None, error: str | None, header: list[str], header_fields: int
) -> tuple[str | None, list[str]]:
    """(reason, stripped values): reason is None for a good row."""
    if fields is None:
        return error or "CSV error", []
    values = [value.strip() for value in fields]
    if len(values) > len(header) and all(v == "" for v in values[len(header) :]):
        values = values[: len(header)]  # trailing comma(s)
    if len(values) != len(header):
        return wrong_field_count(len(fields), header_fields), []
    if values[0] == "":
        return missing_field(header[0]), []
    iso_date = _iso_date(values[0])
    if iso_date is None:
        return does_not_parse(header[0], Kind.DATE, values[0]), []
    for currency, rate in zip(header[1:], values[1:], strict=True):
        if rate not in NO_RATE and not parses_as(Kind.DECIMAL, rate):
            return does_not_parse(f"{currency} rate", Kind.DECIMAL, rate), []
    return None, [iso_date, *values[1:]]
