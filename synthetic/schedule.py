"""The drop schedule: when files arrive and what each drop covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .config import DROP_HOUR_UTC, WINDOW_END, WINDOW_START, ms_of


@dataclass(frozen=True)
class Drop:
    """One arrival of files. Web and email events received before ``cutoff_ms`` and
    Salesforce changes before it ship in this drop; ad statistics run to ``day - 1``."""

    index: int
    day: date
    cutoff_ms: int

    @property
    def stamp(self) -> str:
        """File-name prefix, e.g. ``20260108T060000``: name order is arrival order."""
        return f"{self.day:%Y%m%d}T{DROP_HOUR_UTC:02d}0000"

    def file_name(self, rest: str) -> str:
        return f"{self.stamp}_{rest}"


def drop_schedule(drop_every_days: int) -> tuple[Drop, ...]:
    """Drops every ``drop_every_days`` days after WINDOW_START, plus a last one on
    WINDOW_END if the cadence does not land on it. The schedule never depends on
    ``until``: ``until`` only chooses how many of these drops are written."""
    if drop_every_days < 1:
        raise ValueError("drop_every_days must be >= 1")
    days: list[date] = []
    day = WINDOW_START + timedelta(days=drop_every_days)
    while day <= WINDOW_END:
        days.append(day)
        day += timedelta(days=drop_every_days)
    if not days or days[-1] != WINDOW_END:
        days.append(WINDOW_END)
    return tuple(Drop(i, d, ms_of(d, DROP_HOUR_UTC)) for i, d in enumerate(days))
