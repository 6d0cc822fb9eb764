"""The generator is its own top-level package: it may read ``ingestion``'s raw-table
declarations, but nothing in ``ingestion`` imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import ingestion
import synthetic


def test_ingestion_never_imports_synthetic():
    root = Path(ingestion.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(n == "synthetic" or n.startswith("synthetic.") for n in names):
                offenders.append(path.relative_to(root).as_posix())
    assert offenders == []


def test_generator_lives_outside_the_ingestion_package():
    assert Path(synthetic.__file__).parent.name == "synthetic"
    assert Path(synthetic.__file__).parent.parent == Path(ingestion.__file__).parent.parent
    assert not (Path(ingestion.__file__).parent / "synthetic").exists()
