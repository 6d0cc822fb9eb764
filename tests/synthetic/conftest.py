from __future__ import annotations

from pathlib import Path

import pytest

from synthetic import GenerationSummary, generate

from .contract import Landing, read_landing


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> tuple[GenerationSummary, Path]:
    root = tmp_path_factory.mktemp("demo")
    return generate(root, "demo", seed=42), root


@pytest.fixture(scope="session")
def demo_landing(demo) -> Landing:
    return read_landing(demo[1])


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> tuple[GenerationSummary, Path]:
    root = tmp_path_factory.mktemp("tiny")
    return generate(root, "tiny", seed=7), root
