"""Publishing the marts to the read-only serving file: atomic, old-reader-safe, 1.4 format."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.serving.publish import PUBLICATION_TABLE, PublishError, publish


def make_warehouse(path: Path, won: float) -> Path:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute("create schema if not exists staging")
        conn.execute("create or replace table staging.stg_secret as select 1 as x")
        conn.execute(
            "create or replace table marts.mart_sales_monthly as "
            "select * from (values (date '2026-01-01', ?), (date '2026-02-01', 250.0)) "
            "as t(month, won_revenue)",
            [won],
        )
        conn.execute(
            "create or replace table marts.dim_persons as "
            "select 'p' || i as person_id from range(3) as r(i)"
        )
    return path


def read_marts(path: Path) -> dict[str, object]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return {
            "won": conn.execute("select sum(won_revenue) from marts.mart_sales_monthly").fetchone()[
                0
            ],
            "persons": conn.execute("select count(*) from marts.dim_persons").fetchone()[0],
            "publication": conn.execute(
                f"select table_name, row_count, run_id from marts.{PUBLICATION_TABLE} "
                "order by table_name"
            ).fetchall(),
            "schemas": sorted(
                r[0]
                for r in conn.execute("select distinct schema_name from duckdb_tables()").fetchall()
            ),
        }


def test_publish_copies_every_mart_and_nothing_else(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    serving = tmp_path / "out" / "serving.duckdb"

    result = publish(warehouse, serving, run_id="run-1")

    assert result.tables == {"dim_persons": 3, "mart_sales_monthly": 2}
    marts = read_marts(serving)
    assert marts["won"] == 350.0
    assert marts["persons"] == 3
    assert marts["schemas"] == ["marts"]  # staging stays private
    assert marts["publication"] == [("dim_persons", 3, "run-1"), ("mart_sales_monthly", 2, "run-1")]
    assert [p.name for p in serving.parent.iterdir()] == ["serving.duckdb"]  # no temp file left


def test_published_file_uses_the_duckdb_1_4_storage_format(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    serving = tmp_path / "serving.duckdb"
    publish(warehouse, serving, run_id="run-1")
    with duckdb.connect() as conn:
        conn.execute("attach ? as served (read_only)", [str(serving)])
        (tags,) = conn.execute(
            "select tags from duckdb_databases() where database_name = 'served'"
        ).fetchone()
    assert tags["storage_version"].startswith("v1.4.0")


def test_a_reader_with_the_old_file_open_does_not_block_and_keeps_its_snapshot(
    tmp_path: Path,
) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    serving = tmp_path / "serving.duckdb"
    publish(warehouse, serving, run_id="run-1")
    reader = duckdb.connect(str(serving), read_only=True)
    try:
        make_warehouse(warehouse, won=1000.0)

        publish(warehouse, serving, run_id="run-2")  # not blocked by the reader's lock

        (old,) = reader.execute("select sum(won_revenue) from marts.mart_sales_monthly").fetchone()
        assert old == 350.0
    finally:
        reader.close()
    assert read_marts(serving)["won"] == 1250.0


def test_a_failed_publish_leaves_the_last_good_file(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    serving = tmp_path / "serving.duckdb"
    publish(warehouse, serving, run_id="run-1")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()

    with pytest.raises(PublishError, match="no tables in schema marts"):
        publish(empty, serving, run_id="run-2")

    assert read_marts(serving)["publication"][0][2] == "run-1"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "empty.duckdb",
        "serving.duckdb",
        "warehouse.duckdb",
    ]


def _publication_rows(serving: Path) -> dict[str, tuple]:
    with duckdb.connect(str(serving), read_only=True) as conn:
        return {
            row[0]: row[1:]
            for row in conn.execute(
                "select table_name, row_count, run_id, data_run_id, held_back, held_by, "
                f"data_built_at = published_at from marts.{PUBLICATION_TABLE}"
            ).fetchall()
        }


def test_a_held_back_mart_keeps_its_last_good_build_and_says_why(tmp_path: Path) -> None:
    serving = tmp_path / "serving.duckdb"
    publish(
        make_warehouse(tmp_path / "warehouse.duckdb", won=100.0),
        serving,
        run_id="run-1",
        now=datetime(2026, 12, 1, 6, 0),
    )
    # the next build has new revenue (100 -> 900) and a fourth person
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=900.0)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("insert into marts.dim_persons values ('p3')")

    result = publish(
        warehouse,
        serving,
        run_id="run-2",
        now=datetime(2026, 12, 2, 6, 0),
        held_back={"mart_sales_monthly": "fx_rate_available_for_deals"},
    )

    # revenue as run-1 built it (100 + 250), the persons as run-2 built them
    assert read_marts(serving)["won"] == 350.0
    assert read_marts(serving)["persons"] == 4
    assert result.held_back == {"mart_sales_monthly": "fx_rate_available_for_deals"}
    assert result.missing == []
    rows = _publication_rows(serving)
    assert rows["dim_persons"] == (4, "run-2", "run-2", False, None, True)
    assert rows["mart_sales_monthly"] == (
        2,
        "run-2",
        "run-1",
        True,
        "fx_rate_available_for_deals",
        False,
    )
    with duckdb.connect(str(serving), read_only=True) as conn:
        (built_at,) = conn.execute(
            "select data_built_at from marts._publication where table_name = 'mart_sales_monthly'"
        ).fetchone()
    assert built_at == datetime(2026, 12, 1, 6, 0)

    # held again in the next refresh: still run-1's data, still built on 1 December
    publish(
        warehouse,
        serving,
        run_id="run-3",
        held_back={"mart_sales_monthly": "fx_rate_available_for_deals"},
    )
    assert read_marts(serving)["won"] == 350.0
    assert _publication_rows(serving)["mart_sales_monthly"][:3] == (2, "run-3", "run-1")

    # the rule passes again: the warehouse's build is published
    publish(warehouse, serving, run_id="run-4")
    assert read_marts(serving)["won"] == 1150.0
    assert _publication_rows(serving)["mart_sales_monthly"][2:4] == ("run-4", False)


def test_a_held_back_mart_never_published_before_is_left_out(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    serving = tmp_path / "serving.duckdb"

    result = publish(
        warehouse,
        serving,
        run_id="run-1",
        held_back={"mart_sales_monthly": "won_revenue_reconciles"},
    )

    assert result.tables == {"dim_persons": 3}
    assert result.missing == ["mart_sales_monthly"]
    with duckdb.connect(str(serving), read_only=True) as conn:
        tables = {r[0] for r in conn.execute("select table_name from duckdb_tables()").fetchall()}
    assert tables == {"dim_persons", PUBLICATION_TABLE}
    assert _publication_rows(serving)["mart_sales_monthly"] == (
        None,
        "run-1",
        None,
        True,
        "won_revenue_reconciles",
        None,
    )


def test_a_file_named_like_its_schema_is_refused(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    with pytest.raises(PublishError, match="ambiguous"):
        publish(warehouse, tmp_path / "marts.duckdb", run_id="run-1")


def test_parquet_export_matches_the_published_marts(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    result = publish(
        warehouse, tmp_path / "serving.duckdb", run_id="run-1", export_dir=tmp_path / "parquet"
    )
    assert sorted(p.name for p in result.parquet_files) == [
        "dim_persons.parquet",
        "mart_sales_monthly.parquet",
    ]
    [(won,)] = duckdb.sql(
        f"select sum(won_revenue) from '{tmp_path / 'parquet' / 'mart_sales_monthly.parquet'}'"
    ).fetchall()
    assert won == 350.0


READER = """
import json, sys, time
import duckdb

path, seconds = sys.argv[1], float(sys.argv[2])
stop_at = time.monotonic() + seconds
reads = errors = inconsistent = 0
messages = []
while time.monotonic() < stop_at:
    reads += 1
    try:
        with duckdb.connect(path, read_only=True) as conn:
            won, rows = conn.execute(
                "select sum(won_revenue), count(*) from marts.mart_sales_monthly"
            ).fetchone()
            (published,) = conn.execute(
                "select row_count from marts._publication "
                "where table_name = 'mart_sales_monthly'"
            ).fetchone()
        # Every version published here has 2 months, one of them a February of 250.
        if rows != published or rows != 2 or won < 250.0:
            inconsistent += 1
    except Exception as exc:
        errors += 1
        messages.append(repr(exc))
print(json.dumps({"reads": reads, "errors": errors, "inconsistent": inconsistent,
                  "messages": messages[:3]}))
"""


def test_readers_in_another_process_never_fail_while_publishing(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    serving = tmp_path / "serving.duckdb"
    publish(warehouse, serving, run_id="run-0")
    script = tmp_path / "reader.py"
    script.write_text(READER)
    reader = subprocess.Popen(
        [sys.executable, str(script), str(serving), "8"], stdout=subprocess.PIPE, text=True
    )
    publishes = 0
    deadline = time.monotonic() + 6.0
    while time.monotonic() < deadline:
        make_warehouse(warehouse, won=float(publishes))
        publish(warehouse, serving, run_id=f"run-{publishes + 1}")
        publishes += 1
    out, _ = reader.communicate(timeout=60)
    seen = json.loads(out)
    print(f"{publishes} publishes, {seen}")
    assert publishes >= 5
    assert seen["reads"] >= 20
    assert (seen["errors"], seen["inconsistent"]) == (0, 0), seen["messages"]


def _make_wide_mart(warehouse: Path) -> None:
    # 300,000 distinct 35-character ids fill many storage segments per row group; five
    # channel names fill one
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(
            'create or replace table marts."wide mart" as '
            "select 'id-' || md5(i::varchar) as \"activity id\", "
            "'channel ' || (i % 5) as channel, i as n, "
            "cast(i / 100 as decimal(18, 6)) as amount from range(300000) as r(i)"
        )


def _text_compression(serving: Path) -> dict[str, str]:
    with duckdb.connect(str(serving), read_only=True) as conn:
        return dict(
            conn.execute(
                "select column_name, string_agg(distinct compression, ',') "
                "from pragma_storage_info('marts.\"wide mart\"') "
                "where segment_type = 'VARCHAR' group by column_name"
            ).fetchall()
        )


def _same_table(warehouse: Path, serving: Path, table: str) -> bool:
    """Same column names and types, in order, and the same rows."""
    with duckdb.connect(str(serving), read_only=True) as conn:
        conn.execute("attach ? as source (read_only)", [str(warehouse)])
        types = conn.execute(
            "select database_name, column_name, data_type from duckdb_columns() "
            "where schema_name = 'marts' and table_name = ? order by column_index",
            [table],
        ).fetchall()
        served = [t[1:] for t in types if t[0] != "source"]
        source = [t[1:] for t in types if t[0] == "source"]
        (differences,) = conn.execute(
            f'select count(*) from ((select * from marts."{table}" '
            f'except all select * from source.marts."{table}") union all '
            f'(select * from source.marts."{table}" except all select * from marts."{table}"))'
        ).fetchone()
    return served == source and differences == 0


def test_wide_text_columns_are_published_with_zstd_and_the_rest_as_duckdb_chooses(
    tmp_path: Path,
) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    _make_wide_mart(warehouse)
    serving = tmp_path / "serving.duckdb"

    result = publish(warehouse, serving, run_id="run-1")

    assert result.tables["wide mart"] == 300000
    compression = _text_compression(serving)
    assert compression["activity id"] == "ZSTD"
    assert "ZSTD" not in compression["channel"]
    assert _same_table(warehouse, serving, "wide mart")

    # held back twice: copied from the published file, whose wide column is already
    # zstd (one segment per row group), and it stays zstd
    for run in ("run-2", "run-3"):
        publish(warehouse, serving, run_id=run, held_back={"wide mart": "a rule"})
        assert _text_compression(serving)["activity id"] == "ZSTD"
        assert _same_table(warehouse, serving, "wide mart")


def test_a_collated_text_column_keeps_its_collation(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", won=100.0)
    _make_wide_mart(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute('alter table marts."wide mart" add column code varchar collate nocase')
        conn.execute(
            """update marts."wide mart" set code = case when n < 2 then 'B' else 'b' end"""
        )
    serving = tmp_path / "serving.duckdb"

    publish(warehouse, serving, run_id="run-1")

    with duckdb.connect(str(serving), read_only=True) as conn:
        # nocase: 'B' and 'b' are one value, so every row matches and one value is distinct
        assert conn.execute(
            "select count(*), count(distinct code) from marts.\"wide mart\" where code = 'B'"
        ).fetchone() == (300000, 1)
    assert _same_table(warehouse, serving, "wide mart")
