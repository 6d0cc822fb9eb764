"""What a generation wrote, and what a correct loader must therefore report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingestion.registry import RAW_TABLES, RepeatRule

from .output import BrokenRecord

TABLES = tuple(f"{t.source}/{t.object}" for t in RAW_TABLES)
"""The declared raw tables (``ingestion.registry``), in registry order."""
PLANNED_RULES = {"microsoft_ads/ad_performance": RepeatRule.LATER_WINS}
"""Tables the generator can write before their raw table is declared (the loader
lands later), with the repeat rule the contract gives them."""
RULES = {**PLANNED_RULES, **{f"{t.source}/{t.object}": t.repeat_rule for t in RAW_TABLES}}


def declared_sources() -> frozenset[str]:
    """Sources with at least one raw table declared in ``ingestion.registry``."""
    return frozenset(t.source for t in RAW_TABLES)


@dataclass
class GenerationSummary:
    """Counts per raw table (``source/object`` as in ``ingestion.registry``) and per
    landing folder. The tables are the declared ones, plus
    ``microsoft_ads/ad_performance`` when Microsoft files were written without a
    declared table (``generate(..., ad_platforms=...)``).

    For every table: ``records`` = records in readable files (what a loader reads:
    CSV rows without the header, JSONL lines, JSON records; FX: rate cells that are not
    ``N/A``), of which ``broken`` are quarantine-worthy. Of the rest:

    * drop-duplicate tables (Segment, SendGrid): ``duplicates`` = copies of a key
      already written earlier (file-name order, then position); loaded = records -
      broken - duplicates.
    * later-wins / latest-modstamp tables (ads, Salesforce, FX): every record loads;
      ``restatements`` = records whose key was written before (ad restatements,
      Salesforce updates and overlap re-exports, repeated metadata and FX history).

    ``unreadable_files`` are whole files a loader must quarantine (not counted in
    ``records``). ``world`` holds simulated facts for the full window, independent
    of ``until``.
    """

    landing_dir: Path = field(compare=False)
    scale: str
    seed: int
    until: date
    drop_every_days: int
    drops_written: list[str]
    drops_total: int
    persons: int
    files: dict[str, int]
    records: dict[str, int]
    broken: dict[str, int]
    duplicates: dict[str, int]
    restatements: dict[str, int]
    deletions: dict[str, int]
    unreadable_files: list[str]
    broken_records: list[BrokenRecord]
    ad_totals: dict[str, dict[str, float]]
    world: dict[str, int]
    elapsed_seconds: float = field(default=0.0, compare=False)

    @property
    def total_files(self) -> int:
        return sum(self.files.values())

    @property
    def total_broken(self) -> int:
        return sum(self.broken.values())

    def loaded(self, table: str) -> int:
        """Records a correct loader loads into the raw table."""
        n = self.records.get(table, 0) - self.broken.get(table, 0)
        if RULES[table] == RepeatRule.DROP_DUPLICATE:
            n -= self.duplicates.get(table, 0)
        return n

    def to_table(self) -> str:
        lines = [
            f"journey generate: scale={self.scale} seed={self.seed} until={self.until} "
            f"drop_every_days={self.drop_every_days}",
            f"landing: {self.landing_dir}",
            f"drops written: {len(self.drops_written)} of {self.drops_total}"
            + (
                f" ({self.drops_written[0]} .. {self.drops_written[-1]})"
                if self.drops_written
                else ""
            ),
            f"persons: {self.persons:,}   files: {self.total_files:,}   "
            f"broken records: {self.total_broken}   unreadable files: {len(self.unreadable_files)}"
            + (f"   ({self.elapsed_seconds:.1f}s)" if self.elapsed_seconds else ""),
            "",
            f"{'folder':<42}{'files':>8}",
        ]
        for folder in sorted(self.files):
            lines.append(f"{folder:<42}{self.files[folder]:>8,}")
        lines += [
            "",
            f"{'raw table':<38}{'records':>12}{'broken':>8}{'dupes':>8}"
            f"{'restated':>10}{'deleted':>9}",
        ]
        for t in self.records:
            lines.append(
                f"{t:<38}{self.records.get(t, 0):>12,}{self.broken.get(t, 0):>8,}"
                f"{self.duplicates.get(t, 0):>8,}"
                f"{self.restatements.get(t, 0):>10,}{self.deletions.get(t, 0):>9,}"
            )
        if self.ad_totals:
            lines += [
                "",
                f"{'ad platform':<16}{'currency':>9}{'impressions':>14}{'clicks':>10}{'spend':>14}",
            ]
            for k, v in self.ad_totals.items():
                lines.append(
                    f"{k:<16}{v['currency']:>9}{int(v['impressions']):>14,}{int(v['clicks']):>10,}{v['spend']:>14,.2f}"
                )
        if self.world:
            lines += [
                "",
                "world (full window): " + ", ".join(f"{k}={v:,}" for k, v in self.world.items()),
            ]
        if self.unreadable_files:
            lines += ["", "unreadable: " + ", ".join(self.unreadable_files)]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_table()
