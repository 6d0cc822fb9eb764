"""Number and text formats of the report: thousands separators, percentages with one
decimal, money rounded half up, a dash for a missing value, everything escapable."""

from __future__ import annotations

import html
import math
from datetime import date
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
