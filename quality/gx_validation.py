"""Run an expectation suite with Great Expectations on a pandas DataFrame.

Great Expectations' SQL datasource does not work on DuckDB, so every suite runs on the
pandas route: a check pulls, with DuckDB, only the columns (or the aggregates) its
expectations need, and hands that frame to Great Expectations. The suites themselves
are data (``Expect``): readable in review, versioned with the code, and built into
Great Expectations objects only when they run (importing Great Expectations takes
seconds, which the Dagster code location should not pay at load).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

import pandas as pd

from quality.model import MAX_EXAMPLES, Failure

DEFERRED_MODULES = ("scipy.stats",)
"""Modules Great Expectations imports that no expectation used here needs."""


@cache
def great_expectations() -> ModuleType:
    """Import Great Expectations, leaving ``scipy.stats`` unloaded until it is used.

    Importing Great Expectations imports every expectation it ships, and three of them
    (the KL-divergence and the two Kolmogorov-Smirnov expectations, none of which a
    suite here uses) import ``scipy.stats`` at module level: ~0.8 s of the ~2.1 s the
    import takes, paid by every refresh that runs a raw check. Each deferred module is
    registered as a lazy module (the standard library's ``importlib.util.LazyLoader``):
    its code runs the first time one of its attributes is read, so an expectation that
    needs it still gets the real module, only later. A module something imported
    before stays as it is.
    """
    for name in DEFERRED_MODULES:
        _defer_import(name)
    import great_expectations as gx

    return gx


def _defer_import(name: str) -> None:
    if name in sys.modules:
        return
    parent_name, _, child = name.rpartition(".")
    try:
        parent = importlib.import_module(parent_name)
        spec = importlib.util.find_spec(name)
    except ImportError:  # not installed: Great Expectations' own import says so
        return
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    # `from scipy import stats` reads the package's attribute; without it the package's
    # own __getattr__ imports the submodule through the import system, which touches
    # the lazy module and loads it at once
    setattr(parent, child, module)


@dataclass(frozen=True)
class Expect:
    """One expectation: its Great Expectations class name, arguments, and the rule in
    words (``spend >= 0``) that failures are reported with."""

    words: str
    type: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    only_where_present: str | None = None
    """Apply only to rows where this column is not null."""
    only_where_absent: str | None = None
    """Apply only to rows where this column is null."""

    @property
    def columns(self) -> list[str]:
        """The frame columns the expectation reads (for its failing examples)."""
        named = [self.kwargs.get(k) for k in ("column", "column_A", "column_B")]
        return [c for c in named if isinstance(c, str)]

    def build(self, index: int) -> Any:
        """The Great Expectations object, tagged with its position in the suite (ids
        are only assigned to saved suites, and these suites are never saved)."""
        gx = great_expectations()
        from great_expectations.expectations.row_conditions import Column

        kwargs = dict(self.kwargs)
        if self.only_where_present:
            kwargs["row_condition"] = Column(self.only_where_present).is_not_null()
        elif self.only_where_absent:
            kwargs["row_condition"] = Column(self.only_where_absent).is_null()
        return getattr(gx.expectations, self.type)(**kwargs, meta={_INDEX: index})


_INDEX = "journey_expectation_index"


@dataclass(frozen=True)
class SuiteOutcome:
    evaluated: int
    failures: tuple[Failure, ...]

    @property
    def success(self) -> bool:
        return not self.failures


@cache
def _batch_definition() -> Any:
    """One ephemeral Great Expectations context per process, with one pandas
    datasource whose whole-dataframe batch definition every suite reuses."""
    gx = great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # A pandas batch under GX's threshold (1e9 bytes of shallow memory: every frame
    # here) is fingerprinted with an md5 of pandas' hash of every value, a batch marker
    # nothing here reads: 0.5-0.65 s of the 2.9-3.6 s the SendGrid raw suite took on a
    # 200,000-row frame (medium's first load); 2.3 s of py-spy samples of a small first
    # refresh. A threshold of 0 skips it; the verdicts do not use it
    # (test_gx_validation.py).
    if isinstance(getattr(pandas_execution_engine, "HASH_THRESHOLD", None), float | int):
        pandas_execution_engine.HASH_THRESHOLD = 0

    context = gx.get_context(mode="ephemeral")
    # Progress bars would interleave with the refresh's own progress lines.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("journey_frames").add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def validate_frame(
    frame: pd.DataFrame, suite_name: str, expectations: Sequence[Expect]
) -> SuiteOutcome:
    """Validate ``frame`` against the expectations; failures carry up to
    ``MAX_EXAMPLES`` failing rows of ``frame`` as examples."""
    return validate_frame_groups(frame, suite_name, {suite_name: expectations})[suite_name]


def validate_frame_groups(
    frame: pd.DataFrame, suite_name: str, groups: Mapping[str, Sequence[Expect]]
) -> dict[str, SuiteOutcome]:
    """Validate ``frame`` against several groups of expectations (the checks of one
    raw table) in one Great Expectations validation, one outcome per group.

    Each validation builds a batch of the frame (two or three times, no longer hashing
    it: ``_batch_definition``), a validator and a graph of
    the metrics its expectations need; the checks of a table share the frame, so they
    share those too. That work grows with the rows: a first load's raw checks at small
    scale took ~14 s instead of ~20 s, a day's small batches about the same as before.
    Every expectation is tagged with its position, so each result goes back to its
    group as if the group had been validated alone. Great Expectations keeps one of
    several equal expectations in a suite (the same type and arguments, whatever their
    words), so equal expectations are evaluated once and their result goes to each group
    that has one.

    Two passes: every expectation is first evaluated for its verdict alone (result
    format ``BOOLEAN_ONLY``: the metrics that decide success, none of the lists of
    unexpected values and rows), and only the ones that failed are evaluated again with
    ``COMPLETE`` results for their counts, observed values and failing rows. The
    verdict does not depend on the result format; the lists cost as much as the verdict
    again on every expectation, and nearly every expectation passes on nearly every
    refresh (the raw suites on a demo warehouse: 3.2-4.5 s -> 1.6-1.8 s; a medium new
    day's raw checks 8.4 s -> 6.7 s)."""
    gx = great_expectations()

    # per set of equal expectations: the groups' expectations in it, the first of them
    # as a Great Expectations object tagged with the set's index, and what GX compares
    members: list[list[tuple[str, Expect]]] = []
    built: list[Any] = []
    compared: list[tuple[str, dict]] = []
    for group, expects in groups.items():
        for expect in expects:
            expectation = expect.build(len(members))
            key = _compared(expectation)
            index = next((i for i, seen in enumerate(compared) if seen == key), None)
            if index is None:
                index = len(members)
                built.append(expectation)
                compared.append(key)
                members.append([])
            members[index].append((group, expect))
    evaluated = dict.fromkeys(groups, 0)
    failures: dict[str, list[Failure]] = {group: [] for group in groups}
    if members:
        batch_definition = _batch_definition()  # creates the context suites need
        frame = frame.reset_index(drop=True)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        suite = gx.ExpectationSuite(name=suite_name)
        for expectation in built:
            suite.add_expectation(expectation)
        verdicts = batch.validate(
            suite,
            result_format={"result_format": "BOOLEAN_ONLY"},
        )
        failed = []
        judged = set()
        for result in verdicts.results:
            index = int(result.expectation_config.meta[_INDEX])
            judged.add(index)
            for group, _ in members[index]:
                evaluated[group] += 1
            if not result.success:
                failed.append(index)
        if len(judged) != len(members):
            # a verdict lost would read as a check that holds
            missing = [members[i][0][1].words for i in range(len(members)) if i not in judged]
            raise RuntimeError(f"{suite_name}: Great Expectations gave no verdict on {missing}")
        if failed:
            again = gx.ExpectationSuite(name=suite_name)
            for index in sorted(failed):
                again.add_expectation(members[index][0][1].build(index))
            details = batch.validate(
                again,
                result_format={
                    "result_format": "COMPLETE",
                    "partial_unexpected_count": MAX_EXAMPLES,
                },
            )
            by_index = {int(r.expectation_config.meta[_INDEX]): r for r in details.results}
            for index in sorted(failed):
                for group, expect in members[index]:
                    failures[group].append(_failure(frame, expect, by_index.get(index)))
    return {
        group: SuiteOutcome(evaluated=evaluated[group], failures=tuple(failures[group]))
        for group in groups
    }


_NOT_COMPARED = {"id", "rendered_content", "notes", "meta"}
"""What Great Expectations leaves out when it tells whether a suite already has an
expectation (``ExpectationSuite._expectations_are_equalish``)."""


def _compared(expectation: Any) -> tuple[str, dict]:
    """What Great Expectations compares to keep one of two equal expectations in a suite:
    the type and the fields once validated (``min_value`` 0 and 0.0, a default given or
    not), compared with ``==`` as it does."""
    return expectation.expectation_type, expectation.dict(exclude=_NOT_COMPARED)


def _raised(result: Any) -> dict[str, Any] | None:
    """The exception an expectation raised, if it raised one: Great Expectations puts
    it at the top of ``exception_info`` or, for a metric that failed (a column the frame
    lacks), under that metric's id."""
    info = result.exception_info or {}
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    return next((c for c in candidates if c.get("raised_exception")), None)


def _failure(frame: pd.DataFrame, expect: Expect, result: Any) -> Failure:
    if result is None or result.success:
        # failed for its verdict, then gave no complete result that fails (never seen)
        return Failure(
            expectation=expect.words,
            unexpected_count=None,
            observed="failed; its complete result could not be computed",
        )
    raised = _raised(result)
    if raised is not None:
        return Failure(
            expectation=expect.words,
            unexpected_count=None,
            observed=f"could not evaluate: {raised.get('exception_message')}",
        )
    outcome = result.result or {}
    indexes = list(outcome.get("unexpected_index_list") or [])[:MAX_EXAMPLES]
    shown = _example_columns(frame, expect)
    return Failure(
        expectation=expect.words,
        unexpected_count=outcome.get("unexpected_count"),
        examples=tuple(_row(frame[shown], i) for i in indexes if isinstance(i, int)),
        observed=outcome.get("observed_value"),
    )


LINEAGE_COLUMNS = ("_source_file", "_source_position")
NARROW_FRAME_COLUMNS = 6


def _example_columns(frame: pd.DataFrame, expect: Expect) -> list[str]:
    """The columns a reader needs to find a failing row: the ones the expectation
    reads, the raw text they came from (``spend`` for ``spend__value``), any key
    columns the frame marks with a leading ``key_``, and the landing lineage. A
    narrow frame (an aggregate) is shown whole."""
    if len(frame.columns) <= NARROW_FRAME_COLUMNS:
        return list(frame.columns)
    wanted: list[str] = []
    for column in expect.columns:
        base = column.removesuffix("__value").removesuffix("__epoch_s")
        wanted += [base, column]
    wanted += [c for c in frame.columns if str(c).startswith("key_")]
    wanted += list(LINEAGE_COLUMNS)
    present = [c for c in dict.fromkeys(wanted) if c in frame.columns]
    return present or list(frame.columns)


def _row(frame: pd.DataFrame, index: int) -> dict[str, Any]:
    row = frame.iloc[index]
    return {str(k): _plain(v) for k, v in row.items()}


def _plain(value: Any) -> Any:
    """A JSON-friendly value for metadata and terminal output."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if pd.isna(value) if not isinstance(value, (list, dict, str)) else False:
        return None
    return value if isinstance(value, (int, float, bool, str)) else str(value)
