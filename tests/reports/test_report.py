"""The refresh report: numbers worked by hand land in the right cells, every section is
there, an empty mart says "no data yet", the page is self-contained, it is written
atomically, and it renders in a real headless browser."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.reports.assets import (
    MART_ASSET_KEYS,
    REPORT_ASSET_KEY,
    build_report_definitions,
    reporting_currency,
)
from orchestration.reports.render import build_report, render_report, write_report
from orchestration.resources import WarehouseResource
from orchestration.serving.assets import SERVING_ASSET_KEY

GENERATED_AT = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "journey-report-test"
"""Outside pytest's tmp_path on purpose: the screenshot stays for a human to look at."""

# The tiny warehouse, worked by hand.
# Sales: January wins 2 deals for 10,000 against a 12,000 target (attainment 83.3%),
# wins 2 of 3 closed (66.7%), spends 1,500 on ads plus 500 other costs for 30 leads
# (CPL 50.00) and 2 new customers (CAC 2,000 / 2 = 1,000.00). February wins 1 deal for
# 25,000 against 20,000 (125.0%), 1 of 2 closed (50.0%), spends 1,234.50 with no
# leads and no new customer (CPL and CAC: nothing to divide by).
# Funnel: January 10 visitors, 4 leads (40%), 1 of them an MQL (25%); February 20
# visitors, 6 leads (30%), 3 MQLs (50%). All cohorts: Visitor -> Lead 10 of 30 =
# 33.3%, Lead -> MQL 4 of 10 = 40.0%.
# Channel ROI: Paid Search spends 1,000 + 500 = 1,500. Under first touch it gets 4 + 1
# = 5 leads (CPL 300.00) and 5,000 (ROAS 3.33x); under linear 2.5 + 0.5 = 3 leads (CPL
# 500.00) and 2,500 (ROAS 1.67x). Direct (no spend) takes the rest of January's 10,000
# and leads; February's 25,000 deal is Unattributed under both models.
# Email: 980 delivered, 490 unique opens (50.0%), 49 unique clicks (5.0%, click-to-open
# 10.0%); its name carries markup that must be escaped.
CAMPAIGN_NAME = "Spring <b>launch</b> & more"

_SALES = """
create table marts.mart_sales_monthly as
select * from (values
    (date '2026-01-01', 2, 10000.00::decimal(18, 6), 12000.00::decimal(18, 2),
     10000 / 12000, 2 / 3, 2, 1500.00::decimal(18, 6), 500.00::decimal(18, 6), 30,
     1000.00::decimal(18, 6)),
    (date '2026-02-01', 1, 25000.00, 20000.00, 25000 / 20000, 1 / 2, 0, 1234.50, 0.00, 0, null)
) as t(month, won_deals, won_revenue, revenue_target, revenue_attainment, win_rate,
       new_customers, ad_spend, acquisition_costs, leads, cac)
"""
_FUNNEL = """
create table marts.mart_funnel as
select * from (values
    (date '2026-01-01', 'visitor', null, 1, null, 10, null, null),
    (date '2026-01-01', 'lead', 'visitor', 2, 10, 4, 0.4, 3.0),
    (date '2026-01-01', 'mql', 'lead', 3, 4, 1, 0.25, 2.0),
    (date '2026-02-01', 'visitor', null, 1, null, 20, null, null),
    (date '2026-02-01', 'lead', 'visitor', 2, 20, 6, 0.3, 1.0),
    (date '2026-02-01', 'mql', 'lead', 3, 6, 3, 0.5, 4.0)
) as t(cohort_month, stage, previous_stage, stage_number, previous_stage_persons, persons,
       conversion_rate_from_previous, median_days_from_previous)
"""
_ROI = """
create table marts.mart_channel_roi as
select * from (values
    (date '2026-01-01', 'Paid Search', 'first_touch', 1000.00::decimal(18, 6), 4.0, 1.0, 5000.0),
    (date '2026-02-01', 'Paid Search', 'first_touch', 500.00, 1.0, 0.0, 0.0),
    (date '2026-01-01', 'Direct', 'first_touch', 0.00, 6.0, 1.0, 5000.0),
    (date '2026-02-01', 'Unattributed', 'first_touch', 0.00, 0.0, 1.0, 25000.0),
    (date '2026-01-01', 'Paid Search', 'linear', 1000.00, 2.5, 0.5, 2500.0),
    (date '2026-02-01', 'Paid Search', 'linear', 500.00, 0.5, 0.0, 0.0),
    (date '2026-01-01', 'Direct', 'linear', 0.00, 8.0, 1.5, 7500.0),
    (date '2026-02-01', 'Unattributed', 'linear', 0.00, 0.0, 1.0, 25000.0)
) as t(month, channel, model, spend, leads, won_deals, attributed_revenue)
"""
_EMAIL = """
create table marts.mart_email_campaigns as
select * from (values
    ('s1', ?, timestamp '2026-01-15 10:00:00', 1000, 980, 490, 49, 0.5, 0.05, 0.1, 20, 3)
) as t(campaign_id, campaign_name, single_send_at, sends, delivered, unique_opens,
       unique_clicks, open_rate, click_rate, click_to_open, bounces, unsubscribes)
"""
_EMPTY_EMAIL = """
create table marts.mart_email_campaigns (
    campaign_id varchar, campaign_name varchar, single_send_at timestamp, sends bigint,
    delivered bigint, unique_opens bigint, unique_clicks bigint, open_rate double,
    click_rate double, click_to_open double, bounces bigint, unsubscribes bigint
)
"""


def make_warehouse(path: Path, *, with_funnel: bool = True, with_email: bool = True) -> Path:
    conn = duckdb.connect(str(path))
    try:
        conn.execute("create schema marts")
        conn.execute(_SALES)
        if with_funnel:
            conn.execute(_FUNNEL)
        conn.execute(_ROI)
        if with_email:
            conn.execute(_EMAIL, [CAMPAIGN_NAME])
        else:
            conn.execute(_EMPTY_EMAIL)
    finally:
        conn.close()
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return make_warehouse(tmp_path / "warehouse.duckdb")


def render(path: Path) -> str:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return render_report(conn, generated_at=GENERATED_AT, title="Test report")
    finally:
        conn.close()


class _Tables(HTMLParser):
    """The text of every cell of every table, by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def row(table: list[list[str]], first_cell: str) -> list[str]:
    found = [r for r in table if r and r[0] == first_cell]
    assert len(found) == 1, f"one row starting {first_cell!r} expected in {table}"
    return found[0]


def test_every_section_is_present_in_order(warehouse: Path) -> None:
    page = render(warehouse)
    ids = ['id="revenue"', 'id="funnel"', 'id="roi"', 'id="spend"', 'id="email"']
    positions = [page.index(i) for i in ids]
    assert positions == sorted(positions)
    for heading in (
        "Revenue and won deals against target",
        "Funnel and conversion rates",
        "Channel ROI under each attribution model",
        "Spend, cost per lead and customer acquisition cost",
        "Email campaigns",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("<svg") >= 6  # revenue, deals, funnel, ROI, spend, CPL, CAC, email
    assert "no data yet" not in page.lower()
    assert "Generated 2026-03-01 12:00 UTC" in page
    assert "<title>Test report</title>" in page


def test_revenue_against_target_by_month(warehouse: Path) -> None:
    revenue = tables(render(warehouse))["table-revenue"]
    assert revenue[0] == [
        "Month",
        "Won deals",
        "Won revenue (USD)",
        "Revenue target (USD)",
        "Attainment",
        "Win rate",
        "New customers",
    ]
    assert row(revenue, "2026-01") == ["2026-01", "2", "10,000", "12,000", "83.3%", "66.7%", "2"]
    assert row(revenue, "2026-02") == ["2026-02", "1", "25,000", "20,000", "125.0%", "50.0%", "0"]


def test_summary_cards_total_the_months(warehouse: Path) -> None:
    page = render(warehouse)
    summary = page[page.index('id="summary"') : page.index("</header>")]
    assert "2026-01 – 2026-02" in summary
    assert ">35,000<" in summary  # won revenue 10,000 + 25,000
    assert ">3<" in summary  # won deals 2 + 1
    assert ">2,735<" in summary  # ad spend 1,500 + 1,234.50, rounded


def test_funnel_conversion_rates(warehouse: Path) -> None:
    found = tables(render(warehouse))
    funnel = found["table-funnel"]
    assert row(funnel, "Visitor → Lead") == ["Visitor → Lead", "30", "10", "33.3%"]
    assert row(funnel, "Lead → MQL") == ["Lead → MQL", "10", "4", "40.0%"]
    cohorts = found["table-funnel-cohorts"]
    assert cohorts[0] == ["Cohort month", "Visitor → Lead", "Lead → MQL"]
    assert row(cohorts, "2026-02") == ["2026-02", "30.0%", "50.0%"]
    assert row(cohorts, "2026-01") == ["2026-01", "40.0%", "25.0%"]


def test_channel_roi_under_each_model(warehouse: Path) -> None:
    found = tables(render(warehouse))
    revenue = found["table-roi-revenue"]
    assert revenue[0] == ["Channel", "Spend (USD)", "First touch", "Linear"]
    assert revenue[1] == ["Revenue", "ROAS", "Revenue", "ROAS"]
    assert row(revenue, "Paid Search") == [
        "Paid Search", "1,500", "5,000", "3.33×", "2,500", "1.67×"
    ]  # fmt: skip
    assert row(revenue, "Direct") == ["Direct", "0", "5,000", "–", "7,500", "–"]
    assert [r[0] for r in revenue[2:]] == ["Direct", "Paid Search", "Unattributed"]
    leads = found["table-roi-leads"]
    assert row(leads, "Paid Search") == [
        "Paid Search", "1,500", "5.0", "300.00", "1.0", "3.0", "500.00", "0.5"
    ]  # fmt: skip
    assert row(leads, "Direct") == ["Direct", "0", "6.0", "0.00", "1.0", "8.0", "0.00", "1.5"]


def test_spend_cpl_and_cac_by_month(warehouse: Path) -> None:
    spend = tables(render(warehouse))["table-spend"]
    assert row(spend, "2026-01") == ["2026-01", "1,500", "500", "30", "50.00", "2", "1,000.00"]
    assert row(spend, "2026-02") == ["2026-02", "1,235", "0", "0", "–", "0", "–"]


def test_email_campaigns_table_escapes_names(warehouse: Path) -> None:
    page = render(warehouse)
    assert "Spring &lt;b&gt;launch&lt;/b&gt; &amp; more" in page
    assert "<b>launch</b>" not in page
    email = tables(page)["table-email"]
    assert email[1] == [
        CAMPAIGN_NAME, "2026-01-15", "1,000", "980", "490", "50.0%", "49", "5.0%", "10.0%",
        "20", "3",
    ]  # fmt: skip


def test_empty_and_missing_marts_say_no_data_yet(tmp_path: Path) -> None:
    path = make_warehouse(tmp_path / "w.duckdb", with_funnel=False, with_email=False)
    conn = duckdb.connect(str(path), read_only=True)
    try:
        report = build_report(conn, generated_at=GENERATED_AT)
    finally:
        conn.close()
    assert report.rows_per_section == {"revenue": 2, "funnel": 0, "roi": 8, "spend": 2, "email": 0}
    for key in ("funnel", "email"):
        body = report.html[report.html.index(f'id="{key}"') :]
        body = body[: body.index("</section>")]
        assert "no data yet" in body
        assert "<table" not in body


def test_a_warehouse_without_marts_renders_every_section_empty(tmp_path: Path) -> None:
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    page = render(tmp_path / "empty.duckdb")
    assert page.count("no data yet") == 5
    assert 'id="summary"' not in page


def test_the_page_is_self_contained(warehouse: Path) -> None:
    page = render(warehouse).lower()
    assert "http://" not in page
    assert "https://" not in page
    for external in ("<script", "<link", "@import", "<img", "url("):
        assert external not in page


def test_write_report_replaces_latest_atomically(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    first = write_report("<p>one</p>", report_dir, GENERATED_AT)
    assert first == report_dir / "report-20260301T120000.html"
    latest = report_dir / "latest.html"
    assert latest.read_text() == first.read_text() == "<p>one</p>"

    # A reader holding latest.html open keeps reading the old page: the new one is a
    # new file renamed over it, never the old file rewritten in place.
    with latest.open() as reader:
        later = datetime(2026, 3, 1, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
        second = write_report("<p>two</p>", report_dir, later)
        assert reader.read() == "<p>one</p>"
    assert second.name == "report-20260301T123005.html"  # named in UTC
    assert latest.read_text() == "<p>two</p>"
    assert first.read_text() == "<p>one</p>"
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "latest.html",
        "report-20260301T120000.html",
        "report-20260301T123005.html",
    ]  # no temporary file left behind


def test_write_report_sweeps_the_temp_files_of_a_killed_run(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    report_dir.mkdir()
    # what a run killed with kill -9 between mkstemp and os.replace leaves
    (report_dir / ".latest.html.k1ll3d.tmp").write_text("<p>half")
    (report_dir / ".report-20260301T110000.html.x9.tmp").write_text("<p>ha")
    (report_dir / "notes.txt").write_text("not ours")
    write_report("<p>one</p>", report_dir, GENERATED_AT)
    assert sorted(p.name for p in report_dir.iterdir()) == [
        "latest.html",
        "notes.txt",
        "report-20260301T120000.html",
    ]


def test_report_asset_spec() -> None:
    defs = dg.Definitions.merge(
        build_report_definitions(), dg.Definitions(resources={"warehouse": WarehouseResource()})
    )
    graph = defs.resolve_asset_graph()
    node = graph.get(REPORT_ASSET_KEY)
    assert node.group_name == "reports"
    # it reads the published file, whichever marts in it are fresh or held back
    assert set(node.parent_keys) == {SERVING_ASSET_KEY}
    assert set(MART_ASSET_KEYS) == {
        dg.AssetKey(["marts", "mart_sales_monthly"]),
        dg.AssetKey(["marts", "mart_funnel"]),
        dg.AssetKey(["marts", "mart_channel_roi"]),
        dg.AssetKey(["marts", "mart_email_campaigns"]),
    }
    assert "Static HTML report" in (node.description or "")
    assert node.pools in (set(), None)  # it only reads: no writer slot


def test_report_asset_materializes_from_the_published_file(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_dir = tmp_path / "reports"
    monkeypatch.setenv("JOURNEY_REPORT_DIR", str(report_dir))
    # the fixture's file has schema marts, as the published file does
    monkeypatch.setenv("JOURNEY_SERVING", str(warehouse))
    # A second read-only reader (a BI tool) is open the whole time: the report must
    # not need a write lock.
    other_reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = dg.materialize(
            build_report_definitions().assets,
            resources={"warehouse": WarehouseResource(warehouse_path=str(warehouse))},
        )
    finally:
        other_reader.close()
    assert result.success
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    path = Path(metadata["path"].value)
    assert path.parent == report_dir and path.name.startswith("report-")
    assert (report_dir / "latest.html").read_text() == path.read_text()
    assert metadata["rows_per_section"].value == {
        "revenue": 2,
        "funnel": 6,
        "roi": 8,
        "spend": 2,
        "email": 1,
    }
    assert len(metadata["sections"].value) == 5
    assert metadata["empty_sections"].value == []
    assert metadata["currency"].value == "USD"


def test_the_report_names_the_marts_held_back_and_why(warehouse: Path, tmp_path: Path) -> None:
    published = tmp_path / "serving.duckdb"
    shutil.copy(warehouse, published)
    with duckdb.connect(str(published)) as conn:
        conn.execute(
            "create table marts._publication as select *, "
            "timestamp '2026-03-02 06:05' as published_at, 'run-2' as run_id, "
            "case when data_built_at is not null then 'run-1' end as data_run_id "
            "from (values "
            "('mart_funnel', 6, false, null, timestamp '2026-03-02 06:00'), "
            "('mart_sales_monthly', 2, true, "
            "'intermediate/int_opportunities_converted / fx_rate_available_for_deals', "
            "timestamp '2026-03-01 06:00'), "
            "('fct_attribution', null, true, 'held with mart_sales_monthly', null)) "
            "as t(table_name, row_count, held_back, held_by, data_built_at)"
        )
    with duckdb.connect(str(published), read_only=True) as conn:
        html = build_report(conn, generated_at=datetime(2026, 3, 2, 7, tzinfo=UTC)).html

    assert "Held back:" in html
    assert (
        "<strong>mart_sales_monthly</strong>: last good build of 2026-03-01 06:00 UTC; held "
        "back by intermediate/int_opportunities_converted / fx_rate_available_for_deals"
    ) in html
    assert "<strong>fct_attribution</strong>: not published yet" in html
    assert "<strong>mart_funnel</strong>" not in html
    with duckdb.connect(str(warehouse), read_only=True) as conn:  # no _publication
        assert "Held back:" not in build_report(conn, generated_at=datetime(2026, 3, 2)).html


def test_reporting_currency_comes_from_the_dbt_var(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: x\nvars:\n  reporting_currency: EUR\n")
    assert reporting_currency(tmp_path) == "EUR"
    assert reporting_currency(tmp_path / "missing") == "USD"
    assert reporting_currency() == "USD"  # the project's default


# ------------------------------------------------------------------ real browser


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def png_facts(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct (filtered) scanlines of a PNG.

    A page of a single colour gives identical scanlines, so a handful of distinct ones
    at most whatever filters the encoder picked; a rendered report gives hundreds.
    """
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, header = 8, bytearray(), b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunk = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0, "unexpected PNG layout"
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(bytes(idat))
    stride = 1 + width * channels
    assert len(raw) == stride * height
    rows = {raw[i * stride + 1 : (i + 1) * stride] for i in range(height)}
    return width, height, len(rows)


def screenshot(browser: str, page: Path, png: Path, profile: Path) -> None:
    png.unlink(missing_ok=True)
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--hide-scrollbars",
            f"--screenshot={png}",
            "--window-size=1280,2400",
            page.resolve().as_uri(),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )


def test_report_renders_in_a_headless_browser(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    browser = find_browser()
    if browser is None:
        pytest.skip(
            "no headless browser on PATH (looked for " + ", ".join(BROWSERS) + "); "
            "install one with tests/reports/install_chromium.sh"
        )
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = SCREENSHOT_DIR / "report.html"
    png = SCREENSHOT_DIR / "report.png"
    page.write_text(render(warehouse), encoding="utf-8")
    screenshot(browser, page, png, tmp_path / "browser-profile")
    with capsys.disabled():
        print(f"\nreport screenshot: {png}")
    assert png.exists(), f"{browser} wrote no screenshot"
    assert png.stat().st_size > 20_000, f"{png} is only {png.stat().st_size} bytes"
    width, height, distinct_rows = png_facts(png)
    assert (width, height) == (1280, 2400)
    assert distinct_rows > 100, f"{png} looks blank ({distinct_rows} distinct rows)"

    # The control: a blank page of one colour fails the same test.
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body style='background:#fff'></body></html>")
    blank_png = tmp_path / "blank.png"
    screenshot(browser, blank, blank_png, tmp_path / "browser-profile")
    assert png_facts(blank_png)[2] <= 3
    assert os.path.getsize(blank_png) < 20_000
