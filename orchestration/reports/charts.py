"""Charts drawn as inline SVG by hand: no plotting library, no script, nothing fetched.

Each function returns one ``<svg>`` element sized by its viewBox, so it scales to the
page width; every mark carries a ``<title>`` tooltip and every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from orchestration.reports.formats import compact, esc, fmt_num

MUTED = "#6b7280"
GRID = "#e5e7eb"
PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444", "#0891b2")
"""Series colours, in the order the report's sections use them."""
INK = "#1f2937"
LEGEND_ROW = 16
"""Height of one legend row: a legend too wide for the chart wraps onto more rows."""


def ramp(count: int, light: str = "#bfdbfe", dark: str = "#1e3a8a") -> list[str]:
    """``count`` colours from ``light`` to ``dark``, for ordered categories (stages)."""

    def rgb(color: str) -> tuple[int, ...]:
        return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))

    start, end = rgb(light), rgb(dark)
    steps = max(count - 1, 1)
    return [
        "#"
        + "".join(f"{round(a + (b - a) * i / steps):02x}" for a, b in zip(start, end, strict=True))
        for i in range(count)
    ]


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str
    labels: Sequence[str] | None = None
    """Text shown beside each value (horizontal bars) and in its tooltip."""


def _nice_scale(value: float, intervals: int = 4) -> tuple[float, float]:
    """A round axis maximum and tick step (steps of 1, 2, 2.5 or 5 × 10^k)."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    return step * math.ceil(value / step - 1e-9), step


def _legend_rows(
    series: Sequence[Series], x: float, right: float
) -> list[list[tuple[float, Series]]]:
    """Legend items placed left to right, wrapping to a new row before ``right``."""
    rows: list[list[tuple[float, Series]]] = [[]]
    start = x
    for item in series:
        span = 24 + 7 * len(item.name)
        if rows[-1] and x + span - 24 > right:
            rows.append([])
            x = start
        rows[-1].append((x, item))
        x += span
    return rows


def _legend(series: Sequence[Series], x: float, y: float, right: float = math.inf) -> list[str]:
    parts = []
    for row, placed in enumerate(_legend_rows(series, x, right)):
        y_row = y + LEGEND_ROW * row
        for x_item, item in placed:
            parts.append(
                f'<rect x="{x_item:.1f}" y="{y_row - 9:.1f}" width="10" height="10" rx="2" '
                f'fill="{item.color}"/>'
                f'<text x="{x_item + 14:.1f}" y="{y_row:.1f}">{esc(item.name)}</text>'
            )
    return parts


def _svg(width: int, height: int, label: str, body: Sequence[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(label)}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def column_chart(
    label: str,
    categories: Sequence[str],
    *,
    bars: Sequence[Series] = (),
    lines: Sequence[Series] = (),
    ticks: Series | None = None,
    stacked: bool = False,
    value_format: Callable[[object], str] = fmt_num,
    axis_format: Callable[[float], str] = compact,
    width: int = 1100,
    height: int = 280,
) -> str:
    """Vertical bars (grouped, or ``stacked`` one on another), lines and target ticks over
    month categories. A ``None`` value draws nothing: no bar, a gap in its line."""
    left, right, bottom = 64, 16, 34
    every = [*bars, *lines, *([ticks] if ticks else [])]
    top = 30 + LEGEND_ROW * (len(_legend_rows(every, left, width - right)) - 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in every for v in s.values if v is not None]
    if stacked:
        values += [sum(max(s.values[i] or 0.0, 0.0) for s in bars) for i in range(len(categories))]
    y_max, y_step = _nice_scale(max(values, default=0.0))
    count = max(len(categories), 1)
    band = plot_w / count

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * max(value, 0.0) / y_max

    body = []
    for i in range(round(y_max / y_step) + 1):
        tick = y_step * i
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{esc(axis_format(tick))}</text>"
        )
    label_every = max(1, math.ceil(count * 70 / plot_w))
    for i, category in enumerate(categories):
        if i % label_every == 0:
            x = left + band * (i + 0.5)
            body.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                f"{esc(category)}</text>"
            )
    if bars and stacked:
        inner = min(band * 0.72, 56.0)
        for i in range(len(categories)):
            base = 0.0
            for series in bars:
                value = series.values[i]
                if value is None or value <= 0:
                    continue
                y, y_base = y_of(base + value), y_of(base)
                body.append(
                    f'<rect x="{left + band * i + (band - inner) / 2:.1f}" y="{y:.1f}" '
                    f'width="{max(inner - 1, 1):.1f}" height="{y_base - y:.1f}" '
                    f'fill="{series.color}">'
                    f"<title>{esc(categories[i])}: {esc(series.name)} "
                    f"{esc(value_format(value))}</title></rect>"
                )
                base += value
    elif bars:
        inner = min(band * 0.72, 56.0 * len(bars))
        bar_w = inner / len(bars)
        for j, series in enumerate(bars):
            for i, value in enumerate(series.values):
                if value is None:
                    continue
                x = left + band * i + (band - inner) / 2 + bar_w * j
                y = y_of(value)
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 1):.1f}" '
                    f'height="{top + plot_h - y:.1f}" fill="{series.color}">'
                    f"<title>{esc(categories[i])}: {esc(series.name)} "
                    f"{esc(value_format(value))}</title></rect>"
                )
    if ticks:
        for i, value in enumerate(ticks.values):
            if value is None:
                continue
            x, y = left + band * i + band * 0.08, y_of(value)
            body.append(
                f'<line x1="{x:.1f}" x2="{x + band * 0.84:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{ticks.color}" stroke-width="3" stroke-linecap="round">'
                f"<title>{esc(categories[i])}: {esc(ticks.name)} "
                f"{esc(value_format(value))}</title></line>"
            )
    for series in lines:
        segment: list[str] = []
        segments = [segment]
        for i, value in enumerate(series.values):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            x, y = left + band * (i + 0.5), y_of(value)
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{series.color}">'
                f"<title>{esc(categories[i])}: {esc(series.name)} "
                f"{esc(value_format(value))}</title></circle>"
            )
        for points in segments:
            if len(points) > 1:
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" '
                    f'stroke="{series.color}" stroke-width="2"/>'
                )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{MUTED}"/>'
    )
    body.extend(_legend(every, left, 14, width - right))
    return _svg(width, height, label, body)


def hbar_chart(
    label: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    value_format: Callable[[object], str] = fmt_num,
    x_max: float | None = None,
    width: int = 1100,
    bar_height: int = 14,
    label_width: int = 170,
) -> str:
    """Horizontal bars, one group per category and one bar per series."""
    right, top, gap = 190, 30 if len(series) > 1 else 8, 12
    group_h = bar_height * len(series) + gap
    height = top + group_h * len(categories) + 8
    plot_w = width - label_width - right
    values = [v for s in series for v in s.values if v is not None]
    scale_max = x_max if x_max is not None else _nice_scale(max(values, default=0.0))[0]
    body = []
    for i, category in enumerate(categories):
        y0 = top + group_h * i
        body.append(
            f'<text x="{label_width - 8}" y="{y0 + group_h / 2:.1f}" text-anchor="end" '
            f'class="cat">{esc(category)}</text>'
        )
        for j, item in enumerate(series):
            value = item.values[i]
            y = y0 + bar_height * j
            text = item.labels[i] if item.labels else value_format(value)
            bar = 0.0 if value is None else plot_w * max(value, 0.0) / scale_max
            body.append(
                f'<rect x="{label_width}" y="{y:.1f}" width="{max(bar, 1):.1f}" '
                f'height="{bar_height - 2}" fill="{item.color}">'
                f"<title>{esc(category)}, {esc(item.name)}: {esc(text)}</title></rect>"
                f'<text x="{label_width + bar + 6:.1f}" y="{y + bar_height - 4:.1f}">'
                f"{esc(text)}</text>"
            )
    body.append(
        f'<line x1="{label_width}" x2="{label_width}" y1="{top - 4}" y2="{height - 4}" '
        f'stroke="{MUTED}"/>'
    )
    if len(series) > 1:
        body.extend(_legend(series, label_width, 14))
    return _svg(width, height, label, body)
