"""``journey metrics`` output: an aligned table, CSV or JSON records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from orchestration.metrics.engine import MetricsResult


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _cell(value: object) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        if value == 0:
            return "0"
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def render(result: MetricsResult, form: str) -> str:
    """The result as ``table`` (right-aligned numbers, blanks for null), ``csv`` or
    ``json`` (a list of records, nulls as null)."""
    if form == "json":
        records = [
            {name: _plain(value) for name, value in zip(result.columns, row, strict=True)}
            for row in result.rows
        ]
        return json.dumps(records, indent=2) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(["" if v is None else _plain(v) for v in row])
        return out.getvalue()
    cells = [[_cell(v) for v in row] for row in result.rows]
    widths = [
        max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(result.columns)
    ]
    numeric = [
        any(isinstance(_plain(row[i]), int | float) for row in result.rows)
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    lines = [line(list(result.columns)), line(["-" * w for w in widths])]
    lines += [line(row) for row in cells]
    lines.append(f"({len(result.rows)} rows, {result.seconds:.2f} s)")
    return "\n".join(lines) + "\n"
