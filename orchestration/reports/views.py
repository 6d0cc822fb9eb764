"""What a section hands its template: the section itself (:class:`SectionView`) and its
charts as figures, each with a caption naming the metric it shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from orchestration.reports.queries import MARTS_SCHEMA


@dataclass(frozen=True)
class SectionView:
    """One section before it is rendered; ``context`` is ``None`` when it has no rows,
    and ``empty_note`` then says why when "no data yet in <its marts>" would not."""

    key: str
    title: str
    rows: int
    sources: tuple[str, ...]
    context: dict[str, Any] | None
    from_metrics: bool = False
    """Drawn from the semantic layer's metrics (over ``sources``), not the marts' rows."""
    empty_note: str | None = None

    @property
    def template(self) -> str:
        return f"sections/{self.key}.html"


@dataclass(frozen=True)
class Figure:
    """A chart and its caption (``macros.html`` ``figure``): the SVG is drawn by
    ``charts.py``, which escapes every text it writes; the caption is plain text."""

    svg: Markup
    caption: str


def svg(chart: str) -> Markup:
    """Chart SVG for a template, unescaped: charts.py escapes every text it draws."""
    return Markup(chart)


def metric_ref(name: str, labels: Mapping[str, str]) -> str:
    """``avg_deal_size (Average deal size)``; the bare name when its label is unknown
    (no semantic manifest)."""
    label = labels.get(name)
    return f"{name} ({label})" if label else name


def caption(names: Sequence[str], labels: Mapping[str, str], note: str = "") -> str:
    """``metric: avg_deal_size (Average deal size)``, ``metrics: a (A), b (B)``, then
    the note after a semicolon; empty without metrics."""
    if not names:
        return ""
    text = ("metric: " if len(names) == 1 else "metrics: ") + ", ".join(
        metric_ref(name, labels) for name in names
    )
    return f"{text}; {note}" if note else text


def no_data_note(marts: Sequence[str]) -> str:
    """What the empty-section box says after "Nothing to show:" for these marts."""
    return "no data yet in " + " and ".join(f"{MARTS_SCHEMA}.{mart}" for mart in marts)
