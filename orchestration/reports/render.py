"""The refresh report: one static HTML page built from the marts, no Dagster here.

The page is self-contained so it reads from a file share, a mail attachment or a CI
artifact without a server: the stylesheet inlined, charts drawn as inline SVG, no
script, no web font, no external link. Every number comes from the marts as they are
(definitions §6) or from the semantic layer's metrics over them; the report only sums a
mart over its months (and the open pipeline over its stages) and divides those sums (a
period's CPL is its spend over its leads), it defines no metric of its own. Every chart
names the metric it shows.

This module wires the parts together:

- ``queries.py`` reads the marts of the published file into plain dataclasses,
- ``metric_queries.py`` asks the semantic layer (``MetricsEngine``, one per render,
  three queries) for the sales metrics by month, the targets by quarter and the open
  pipeline by stage,
- ``sections.py``, ``pivots.py`` and ``sales_sections.py`` shape them per section and
  draw the charts (``charts.py``), each a figure captioned with its metrics
  (``views.py``),
- the Jinja2 templates of ``templates/`` lay out the page: ``report.html`` on the
  layout ``base.html`` with the stylesheet ``report.css``, one template per section
  under ``sections/``, shared macros in ``macros.html``,
- ``files.py`` writes the page.

Autoescaping is on: every piece of text taken from the warehouse is HTML-escaped once,
by the template engine. Only the chart SVG (escaped by ``charts.py`` as it is drawn) and
the rendered sections are marked safe, explicitly, in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from orchestration.reports.files import LATEST_NAME, report_filename, write_report
from orchestration.reports.formats import DASH, FILTERS, utc
from orchestration.reports.metric_queries import METRIC_MARTS, read_metrics
from orchestration.reports.queries import (
    EMAIL_MART,
    FUNNEL_MART,
    MARTS_SCHEMA,
    REPORT_MARTS,
    ROI_MART,
    SALES_MART,
    read_report_data,
)
from orchestration.reports.sections import build_sections, summary
from orchestration.reports.views import SectionView

__all__ = [
    "DEFAULT_CURRENCY",
    "DEFAULT_TITLE",
    "EMAIL_MART",
    "FUNNEL_MART",
    "LATEST_NAME",
    "MARTS_SCHEMA",
    "METRIC_MARTS",
    "REPORT_MARTS",
    "ROI_MART",
    "SALES_MART",
    "Report",
    "Section",
    "build_report",
    "render_report",
    "report_filename",
    "write_report",
]

DEFAULT_TITLE = "Marketing and sales report"
DEFAULT_CURRENCY = "USD"


def _environment() -> Environment:
    """Templates shipped in the package (``templates/``), autoescaped, with the formats
    of ``formats.py`` as filters; an undefined name is an error, not an empty string."""
    env = Environment(
        loader=PackageLoader("orchestration.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(DASH=DASH, schema=MARTS_SCHEMA)
    return env


_ENV = _environment()


@dataclass
class Section:
    """One part of the report: its anchor, its heading, its HTML and how many rows it
    was built from (mart rows, or the metrics' rows for a section drawn from the
    semantic layer; 0 means it says "nothing to show")."""

    key: str
    title: str
    body: str
    rows: int
    sources: tuple[str, ...]
    from_metrics: bool = False


@dataclass
class Report:
    html: str
    sections: list[Section] = field(default_factory=list)
    metrics_queries: int = 0
    """How many queries the semantic layer answered (one engine per render)."""
    metrics_seconds: float = 0.0
    metrics_unavailable: str | None = None
    """Why the semantic layer could not answer, when it could not."""

    @property
    def rows_per_section(self) -> dict[str, int]:
        return {section.key: section.rows for section in self.sections}


def _render_section(view: SectionView, currency: str) -> Section:
    if view.context is None:
        html = _ENV.get_template("sections/empty.html").render(
            sources=view.sources, note=view.empty_note
        )
    else:
        html = _ENV.get_template(view.template).render(currency=currency, **view.context)
    # The template escaped what it inserted: the page inserts the section as it is.
    return Section(view.key, view.title, Markup(html), view.rows, view.sources, view.from_metrics)


def build_report(
    conn: duckdb.DuckDBPyConnection,
    *,
    generated_at: datetime,
    title: str = DEFAULT_TITLE,
    currency: str = DEFAULT_CURRENCY,
    published: Path | None = None,
) -> Report:
    """Render the report and say what went into it (sections and rows read).

    The semantic layer answers from ``published`` (default: the file ``conn`` reads),
    attached read-only beside ``conn``.
    """
    data = read_report_data(conn)
    metrics = read_metrics(conn, published)
    sections = [_render_section(view, currency) for view in build_sections(data, metrics, currency)]
    html = _ENV.get_template("report.html").render(
        title=title,
        currency=currency,
        generated_at=utc(generated_at),
        sections=sections,
        held_back=data.held_back,
        summary=summary(data.sales),
    )
    return Report(
        html=html,
        sections=sections,
        metrics_queries=metrics.queries,
        metrics_seconds=metrics.seconds,
        metrics_unavailable=metrics.unavailable,
    )


def render_report(
    conn: duckdb.DuckDBPyConnection,
    *,
    generated_at: datetime,
    title: str = DEFAULT_TITLE,
    currency: str = DEFAULT_CURRENCY,
    published: Path | None = None,
) -> str:
    """One self-contained HTML page from the marts of ``conn`` (read-only use).

    Sections: revenue and won deals against target by month; average deal size, sales
    cycle and churn by month; open pipeline by stage; leads, MQLs and new customers
    against target by month, and every target by quarter; the funnel with its
    conversion rates; channel ROI under each attribution model; spend / CPL / CAC by
    month; and the email campaigns. A mart that is missing or empty shows "no data
    yet".
    """
    return build_report(
        conn, generated_at=generated_at, title=title, currency=currency, published=published
    ).html
