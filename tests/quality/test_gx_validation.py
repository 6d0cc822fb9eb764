"""validate_frame_groups: a verdict for every expectation, details for the failed ones.

The frame is four ad rows worked by hand: spend 10, -5, 0, null; clicks 3, 4, 9, 1 with
impressions 100, 2, 50, 10. Rules: spend >= 0 (breaks on row 1; the null is not
judged), clicks <= impressions (breaks on row 1: 4 > 2), clicks not null (holds; two
groups have it, and Great Expectations keeps one of two equal expectations in a suite),
a second spend rule written with -0.0 for 0 (equal for Great Expectations, not in print),
and a rule on a column the frame lacks (cannot be evaluated).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from quality.gx_validation import Expect, validate_frame_groups

FRAME = pd.DataFrame(
    {
        "key_ad_id": ["a1", "a2", "a3", "a4"],
        "spend": [10.0, -5.0, 0.0, None],
        "clicks": [3, 4, 9, 1],
        "impressions": [100, 2, 50, 10],
    }
)

SPEND = Expect("spend >= 0", "ExpectColumnValuesToBeBetween", {"column": "spend", "min_value": 0})
CLICKS_BELOW = Expect(
    "clicks <= impressions",
    "ExpectColumnPairValuesAToBeGreaterThanB",
    {"column_A": "impressions", "column_B": "clicks", "or_equal": True},
)
SPEND_AGAIN = Expect(
    "spend is not negative", "ExpectColumnValuesToBeBetween", {"column": "spend", "min_value": -0.0}
)
CLICKS_PRESENT = Expect("clicks present", "ExpectColumnValuesToNotBeNull", {"column": "clicks"})
MISSING = Expect("cost present", "ExpectColumnValuesToNotBeNull", {"column": "cost"})


def test_every_group_gets_its_verdicts_and_only_failures_carry_details():
    outcomes = validate_frame_groups(
        FRAME,
        "ads",
        {
            "values": [SPEND, CLICKS_PRESENT],
            "pairs": [CLICKS_BELOW],
            "clean": [CLICKS_PRESENT],
            "schema": [MISSING],
            "again": [SPEND_AGAIN],
        },
    )

    assert {name: o.evaluated for name, o in outcomes.items()} == {
        "values": 2,
        "pairs": 1,
        "clean": 1,
        "schema": 1,
        "again": 1,
    }
    assert outcomes["clean"].success

    [spend] = outcomes["values"].failures
    assert (spend.expectation, spend.unexpected_count) == ("spend >= 0", 1)
    assert [e["key_ad_id"] for e in spend.examples] == ["a2"]
    assert spend.examples[0]["spend"] == -5.0

    [again] = outcomes["again"].failures
    assert (again.expectation, again.unexpected_count) == ("spend is not negative", 1)
    assert [e["key_ad_id"] for e in again.examples] == ["a2"]

    [pair] = outcomes["pairs"].failures
    assert (pair.expectation, pair.unexpected_count) == ("clicks <= impressions", 1)
    assert [(e["clicks"], e["impressions"]) for e in pair.examples] == [(4, 2)]

    [missing] = outcomes["schema"].failures
    assert missing.unexpected_count is None
    assert str(missing.observed).startswith("could not evaluate")
    assert '"cost"' in str(missing.observed)


def test_a_batch_is_not_fingerprinted(monkeypatch):
    """Great Expectations would hash every value of a frame under its size threshold for
    a batch marker nothing reads (0.5-0.65 s of a 200,000-row raw suite): the verdicts
    come without it."""
    from great_expectations.execution_engine import pandas_execution_engine

    def refuse(_frame):
        raise AssertionError("the frame was hashed for a batch fingerprint")

    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", refuse)
    outcomes = validate_frame_groups(FRAME, "ads", {"values": [SPEND, CLICKS_PRESENT]})

    [spend] = outcomes["values"].failures
    assert (spend.expectation, spend.unexpected_count) == ("spend >= 0", 1)
    assert outcomes["values"].evaluated == 2


def test_scipy_stats_is_loaded_only_when_used():
    """A fresh interpreter validates the hand-worked frame (spend >= 0 breaks on one row)
    without running scipy.stats' code; reading an attribute of scipy.stats afterwards
    loads the real module (the standard normal's CDF at 0 is 0.5)."""
    script = """
import sys
from tests.quality.test_gx_validation import FRAME, SPEND
from quality.gx_validation import validate_frame
outcome = validate_frame(FRAME, "spend", [SPEND])
print(len(outcome.failures), outcome.failures[0].unexpected_count)
print("scipy.stats._stats_py" in sys.modules)
from scipy import stats
print(stats.norm.cdf(0.0), "scipy.stats._stats_py" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.split("\n")[:3] == ["1 1", "False", "0.5 True"]
