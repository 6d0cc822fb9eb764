"""Number and text formats of the report: thousands separators, percentages with one
decimal, money rounded half up, a dash for a missing value, everything escapable.

The templates use the ``fmt_*`` functions as Jinja filters of the same name
(:data:`FILTERS`, registered by ``render.py``); they return plain text, which the
template engine escapes. ``esc`` is for the SVG that ``charts.py`` writes by hand.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

DASH = "–"
"""Shown for a missing value (a ratio with nothing to divide by, a month without target)."""


def esc(value: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(value), quote=True)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: object) -> str:
    """A count with thousands separators (fractional credits are rounded)."""
    return fmt_num(value, 0)


def fmt_num(value: object, decimals: int = 1) -> str:
    """A number with thousands separators and fixed decimals, rounded half up as people
    round money by hand (1,234.50 -> 1,235), never to "-0"."""
    if is_missing(value):
        return DASH
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))  # type: ignore[arg-type]
    if not number.is_finite():
        return str(value)
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:,.{decimals}f}"


def fmt_money(value: object, decimals: int = 0) -> str:
    """A reporting-currency amount; the currency is named in the column header."""
    return fmt_num(value, decimals)


def fmt_pct(value: object) -> str:
    """A ratio as a percentage with one decimal: 0.8333 -> 83.3%."""
    return DASH if is_missing(value) else f"{fmt_num(float(value) * 100, 1)}%"  # type: ignore[arg-type]


def fmt_ratio(value: object) -> str:
    """A return multiple: 2.5 -> 2.50×."""
    return DASH if is_missing(value) else f"{fmt_num(value, 2)}×"


def fmt_month(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%Y-%m")
    return DASH if value is None else str(value)


def fmt_text(value: object) -> str:
    """Text as it is, a dash for none."""
    return DASH if value is None else str(value)


def fmt_date(value: object) -> str:
    """The day of a timestamp: 2026-01-15; anything else as text."""
    return value.strftime("%Y-%m-%d") if isinstance(value, datetime) else fmt_text(value)


def utc(moment: datetime) -> datetime:
    """An aware time in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def fmt_datetime(value: datetime) -> str:
    """A timestamp to the minute: 2026-03-01 06:00 (the zone is said beside it)."""
    return value.strftime("%Y-%m-%d %H:%M")


def compact(value: float) -> str:
    """Axis labels: 1,500 -> 1.5k, 2,000,000 -> 2M."""
    size = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{value / limit:,.1f}".rstrip("0").rstrip(".") + suffix
    if size >= 10 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def to_float(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def safe_div(numerator: object, denominator: object) -> float | None:
    """A ratio of two sums, null with a zero denominator (definitions §5)."""
    top, bottom = to_float(numerator), to_float(denominator)
    if top is None or not bottom:
        return None
    return top / bottom


FILTERS: dict[str, Callable[..., str]] = {
    "fmt_int": fmt_int,
    "fmt_num": fmt_num,
    "fmt_money": fmt_money,
    "fmt_pct": fmt_pct,
    "fmt_ratio": fmt_ratio,
    "fmt_month": fmt_month,
    "fmt_text": fmt_text,
    "fmt_date": fmt_date,
    "fmt_datetime": fmt_datetime,
}
"""The formats above as Jinja filters, by the name the templates use."""
