"""ECB euro reference rates as the ECB publishes its historical CSV."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .schedule import Drop
from .streams import stream

HEADER = [
    "USD",
    "JPY",
    "BGN",
    "CYP",
    "CZK",
    "DKK",
    "EEK",
    "GBP",
    "HUF",
    "LTL",
    "LVL",
    "MTL",
    "PLN",
    "ROL",
    "RON",
    "SEK",
    "SIT",
    "SKK",
    "CHF",
    "ISK",
    "NOK",
    "HRK",
    "RUB",
    "TRL",
    "TRY",
    "AUD",
    "BRL",
    "CAD",
    "CNY",
    "HKD",
    "IDR",
    "ILS",
    "INR",
    "KRW",
    "MXN",
    "MYR",
    "NZD",
    "PHP",
    "SGD",
    "THB",
    "ZAR",
]
# start value (2024-01-02), decimals; None = discontinued (always N/A)
START = {
    "USD": (1.0956, 4),
    "JPY": (155.52, 2),
    "BGN": (1.9558, 4),
    "CZK": (24.664, 3),
    "DKK": (7.4551, 4),
    "GBP": (0.86518, 5),
    "HUF": (381.93, 2),
    "PLN": (4.3395, 4),
    "RON": (4.9719, 4),
    "SEK": (11.1505, 4),
    "CHF": (0.9301, 4),
    "ISK": (150.5, 1),
    "NOK": (11.2215, 4),
    "TRY": (32.5303, 4),
    "AUD": (1.6136, 4),
    "BRL": (5.3561, 4),
    "CAD": (1.4569, 4),
    "CNY": (7.8040, 4),
    "HKD": (8.5587, 4),
    "IDR": (16952.36, 2),
    "ILS": (3.9620, 4),
    "INR": (91.2140, 4),
    "KRW": (1429.96, 2),
    "MXN": (18.6310, 4),
    "MYR": (5.0419, 4),
    "NZD": (1.7399, 4),
    "PHP": (60.710, 3),
    "SGD": (1.4519, 4),
    "THB": (37.587, 3),
    "ZAR": (20.3145, 4),
}
HISTORY_START = date(2024, 1, 2)
BGN_EURO_ADOPTION = date(2026, 1, 1)
SERIES_END = date(2026, 9, 30)


def _easter(year: int) -> date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def target_holidays(year: int) -> set[date]:
    """TARGET2 closing days: no reference rates."""
    e = _easter(year)
    return {
        date(year, 1, 1),
        e - timedelta(days=2),
        e + timedelta(days=1),
        date(year, 5, 1),
        date(year, 12, 25),
        date(year, 12, 26),
    }


def business_days(start: date, end: date) -> list[date]:
    hol = set().union(*(target_holidays(y) for y in range(start.year, end.year + 1)))
    out, d = [], start
    while d <= end:
        if d.weekday() < 5 and d not in hol:
            out.append(d)
        d += timedelta(days=1)
    return out


class FxSeries:
    """Daily rates (units per EUR) with a few holes, fixed by the seed."""

    def __init__(self, seed: int) -> None:
        rng = stream(seed, "fx")
        self.days = business_days(HISTORY_START, SERIES_END)
        n = len(self.days)
        self.values: dict[str, list[float | None]] = {}
        for cur, (v0, dec) in START.items():
            steps = rng.normal(0, 0.0002 if cur in ("DKK", "BGN") else 0.003, n)
            steps[0] = 0
            series = v0 * np.exp(np.cumsum(steps))
            vals: list[float | None] = [round(float(v), dec) for v in series]
            if cur == "BGN":
                vals = [1.9558 if d < BGN_EURO_ADOPTION else None for d in self.days]
            if cur == "ISK":
                for j in rng.choice(n, size=6, replace=False).tolist():
                    vals[j] = None
            self.values[cur] = vals
        self.decimals = {c: d for c, (_, d) in START.items()}

    def rate_on(self, cur: str, day: date) -> float:
        """Last published rate on or before ``day``."""
        best = None
        for d, v in zip(self.days, self.values[cur], strict=True):
            if d > day:
                break
            if v is not None:
                best = v
        if best is None:
            raise KeyError(f"no {cur} rate on or before {day}")
        return best

    def daily(self, cur: str, start: date, n_days: int) -> list[float]:
        """Rate per calendar day (last known on or before), ``n_days`` from ``start``."""
        out: list[float] = []
        j, last = 0, None
        days, vals = self.days, self.values[cur]
        for k in range(n_days):
            d = start + timedelta(days=k)
            while j < len(days) and days[j] <= d:
                if vals[j] is not None:
                    last = vals[j]
                j += 1
            if last is None:
                raise KeyError(cur)
            out.append(last)
        return out

    def csv(self, before: date) -> str:
        """The file as published the morning of ``before``: every business day before it,
        newest first, header and rows with a trailing comma."""
        lines = ["Date," + ",".join(HEADER) + ","]
        for j in range(len(self.days) - 1, -1, -1):
            d = self.days[j]
            if d >= before:
                continue
            cells = []
            for cur in HEADER:
                v = self.values[cur][j] if cur in self.values else None
                cells.append("N/A" if v is None else f"{v:.{self.decimals[cur]}f}")
            lines.append(f"{d.isoformat()}," + ",".join(cells) + ",")
        return "\n".join(lines) + "\n"

    def cells_before(self, before: date) -> list[tuple[date, str]]:
        return [
            (d, cur)
            for j, d in enumerate(self.days)
            if d < before
            for cur in HEADER
            if cur in self.values and self.values[cur][j] is not None
        ]


def fx_drops(drops: tuple[Drop, ...]) -> list[int]:
    """Drops that carry the FX file: the first one, the first of each calendar month,
    and the last."""
    out = []
    for k, d in enumerate(drops):
        if k == 0 or k == len(drops) - 1 or d.day.month != drops[k - 1].day.month:
            out.append(k)
    return out
