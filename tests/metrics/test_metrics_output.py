"""`journey metrics` without a warehouse: its output formats and its errors."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.metrics.engine import (
    MetricsEngine,
    MetricsError,
    MetricsResult,
    group_by_name,
    metric_labels,
    metric_names,
)
from orchestration.metrics.output import render

RESULT = MetricsResult(
    columns=("metric_time__month", "won_revenue", "won_deals"),
    rows=(
        (dt.datetime(2026, 1, 1), Decimal("257399.110000"), 5),
        (dt.datetime(2026, 2, 1), None, 0),
        (dt.datetime(2026, 3, 1), Decimal("0.000000"), 0),
    ),
    sql="select 1",
    seconds=0.5,
)


def test_table_aligns_numbers_and_leaves_nulls_blank() -> None:
    lines = render(RESULT, "table").splitlines()
    assert lines[0].split() == ["metric_time__month", "won_revenue", "won_deals"]
    assert lines[2].split() == ["2026-01-01", "257,399.11", "5"]
    assert lines[3].split() == ["2026-02-01", "0"]
    assert lines[4].split() == ["2026-03-01", "0", "0"]  # money 0 is 0, not 0.0000
    assert lines[-1] == "(3 rows, 0.50 s)"


def test_csv_and_json_keep_values_and_nulls() -> None:
    assert render(RESULT, "csv").splitlines() == [
        "metric_time__month,won_revenue,won_deals",
        "2026-01-01,257399.11,5",
        "2026-02-01,,0",
        "2026-03-01,0.0,0",
    ]
    assert json.loads(render(RESULT, "json")) == [
        {"metric_time__month": "2026-01-01", "won_revenue": 257399.11, "won_deals": 5},
        {"metric_time__month": "2026-02-01", "won_revenue": None, "won_deals": 0},
        {"metric_time__month": "2026-03-01", "won_revenue": 0.0, "won_deals": 0},
    ]


def test_group_by_names() -> None:
    assert group_by_name("month") == "metric_time__month"
    assert group_by_name("first_touch_channel") == "person__first_touch_channel"
    assert group_by_name("opportunity__stage_name") == "opportunity__stage_name"


def test_every_metric_has_a_label_and_a_description() -> None:
    labels = metric_labels()
    assert {"won_revenue", "cac", "lead_to_customer_conversion", "cost_per_mql"} <= set(
        metric_names()
    )
    assert all(label and description for label, description in labels.values())


def test_no_published_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MetricsError, match="run `journey refresh` first"):
        MetricsEngine(tmp_path / "serving.duckdb")
