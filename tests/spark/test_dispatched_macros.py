"""Every engine-specific macro of the dbt project has its Spark spelling: a macro with a
``duckdb__`` implementation has a ``spark__`` one beside it, unless its ``default__``
is portable SQL that Spark runs as it is (it then must not be the
``not_implemented_for_adapter`` stub)."""

from __future__ import annotations

import re
from pathlib import Path

MACROS = Path(__file__).resolve().parents[2] / "dbt_project" / "macros"
DEFINITION = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(", re.MULTILINE)


def _macros() -> dict[str, str]:
    """Every macro name with the text of its body."""
    found: dict[str, str] = {}
    for path in sorted(MACROS.rglob("*.sql")):
        text = path.read_text()
        starts = [(m.group(1), m.start()) for m in DEFINITION.finditer(text)]
        for i, (name, start) in enumerate(starts):
            end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
            found[name] = text[start:end]
    return found


STUB = "not_implemented_for_adapter"


def missing_spark(macros: dict[str, str]) -> list[str]:
    """The macros with a DuckDB spelling and neither a Spark one nor a portable default."""
    names = sorted(n.removeprefix("duckdb__") for n in macros if n.startswith("duckdb__"))
    return [
        name
        for name in names
        if f"spark__{name}" not in macros and STUB in macros.get(f"default__{name}", STUB)
    ]


def test_every_duckdb_macro_has_a_spark_spelling() -> None:
    macros = _macros()
    assert sum(n.startswith("duckdb__") for n in macros) >= 15  # the macros are found
    assert missing_spark(macros) == []


def test_the_check_sees_a_missing_spelling() -> None:
    macros = _macros()
    del macros["spark__sha256_hex"]
    assert missing_spark(macros) == ["sha256_hex"]
