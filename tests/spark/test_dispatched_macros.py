"""Every engine-specific macro of the dbt project has its Spark spelling: a macro with a
``duckdb__`` implementation has a ``spark__`` one beside it, unless its ``default__``
is portable SQL that Spark runs as it is (it then must not be the
``not_implemented_for_adapter`` stub); and every macro with an engine's own spelling is
called by a test of the engine contract (``dbt_project/tests/engine_contract/``, run on
DuckDB and on Spark), or is a whole-model macro the row-for-row comparison of the two
engines' marts proves."""

from __future__ import annotations

import re
from pathlib import Path

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MACROS = DBT_DIR / "macros"
CONTRACT = DBT_DIR / "tests" / "engine_contract"
PROVEN_BY_THE_MARTS = {
    # whole models or loads, not a value from values: test_spark_matches_duckdb.py
    # compares what they build, row for row
    "connected_components": "identity resolution (dim_persons, the journey fact)",
    "load_csv_rows": "the seeds every mart joins",
    "remove_tombstones": "the incremental models' deleted keys",
}
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


def uncontracted(macros: dict[str, str], contract_sql: str) -> list[str]:
    """Macros with an engine's own spelling that no engine contract test calls (through
    themselves or, for a type macro, through a caller) and that are not whole-model
    macros."""
    engine_specific = sorted(
        {n.split("__", 1)[1] for n in macros if n.startswith(("duckdb__", "spark__"))}
    )
    called = set(re.findall(r"(\w+)\(", contract_sql))
    # a macro counts as called when a contract test calls it or calls a macro using it
    for name in list(called):
        body = macros.get(name, "")
        called |= set(re.findall(r"(\w+)\(", body))
    return [n for n in engine_specific if n not in called and n not in PROVEN_BY_THE_MARTS]


def test_every_engine_specific_macro_has_contract_cases() -> None:
    contract_sql = "\n".join(p.read_text() for p in sorted(CONTRACT.glob("*.sql")))
    assert uncontracted(_macros(), contract_sql) == []


def test_the_contract_check_sees_a_macro_without_cases() -> None:
    contract_sql = "\n".join(
        p.read_text() for p in sorted(CONTRACT.glob("*.sql")) if "urn_to_id" not in p.name
    )
    assert uncontracted(_macros(), contract_sql) == ["urn_to_id"]
