"""The README's "Connecting a BI tool" Python example, tested: SQLAlchemy + duckdb_engine.

A client opens the published file read-only. After a publish, a DuckDB connection that
is still open keeps reading the old file (its inode lives on), and DuckDB shares one
database instance per file path among all connections of a process: a new connection
opened while any other connection to that path is open joins the old file too. So a
client sees a publish only once every connection of its process to the file has closed:

- ``poolclass=NullPool`` (what Superset does): each checkout opens the file afresh and
  the release closes it, so the next query after a publish reads the new file;
- a pooled engine keeps the old file until ``engine.dispose()`` is called with no
  connection checked out (one checked out during the dispose goes back, open, into the
  discarded pool and keeps the old file until that pool is garbage-collected).
  ``pool_pre_ping`` does not help (the old connection is alive), nor does
  ``pool_recycle`` once the pool holds two connections (each reopened connection joins
  the old file through the others).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
import sqlalchemy
from sqlalchemy import text
from sqlalchemy.pool import NullPool, QueuePool

from orchestration.serving.publish import publish

# (month, won_revenue, won_deals): checkable by hand, March has nothing won.
MONTHS = [
    (date(2026, 1, 1), 12000.0, 3),
    (date(2026, 2, 1), 8500.5, 2),
    (date(2026, 3, 1), 0.0, 0),
]
APRIL = (date(2026, 4, 1), 4200.0, 1)
REVENUE = text("select sum(won_revenue) from marts.mart_sales_monthly")
BEFORE, AFTER = 20500.5, 24700.5  # sum of won_revenue before and after April is published


def make_warehouse(path: Path, months: list[tuple[date, float, int]]) -> Path:
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            "create or replace table marts.mart_sales_monthly "
            "(month date, won_revenue double, won_deals bigint)"
        )
        conn.executemany("insert into marts.mart_sales_monthly values (?, ?, ?)", months)
    return path


class Published:
    """A published serving file and a way to publish the next refresh over it."""

    def __init__(self, tmp_path: Path) -> None:
        self.warehouse = make_warehouse(tmp_path / "warehouse.duckdb", MONTHS)
        self.path = tmp_path / "data" / "serving.duckdb"
        publish(self.warehouse, self.path, run_id="run-1")
        self.engines: list[sqlalchemy.Engine] = []

    @property
    def url(self) -> str:
        return f"duckdb:///{self.path.resolve()}?access_mode=read_only"  # duckdb:////abs

    def engine(self, **options: object) -> sqlalchemy.Engine:
        engine = sqlalchemy.create_engine(self.url, **options)
        self.engines.append(engine)
        return engine

    def publish_april(self) -> None:
        make_warehouse(self.warehouse, [*MONTHS, APRIL])
        publish(self.warehouse, self.path, run_id="run-2")


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Published]:
    served = Published(tmp_path)
    yield served
    for engine in served.engines:
        engine.dispose()


def revenue(engine: sqlalchemy.Engine) -> float:
    with engine.connect() as conn:
        return conn.execute(REVENUE).scalar_one()


def test_the_readme_example_reads_the_marts_read_only(published: Published) -> None:
    # The README's example, with the published file's absolute path.
    engine = sqlalchemy.create_engine(
        f"duckdb:///{published.path.resolve()}?access_mode=read_only", poolclass=NullPool
    )
    published.engines.append(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select month, won_revenue, won_deals from marts.mart_sales_monthly order by month"
            )
        ).all()
    assert [tuple(row) for row in rows] == MONTHS

    published_bytes = published.path.read_bytes()
    for write in (
        "delete from marts.mart_sales_monthly",
        "create table marts.x as select 1 as x",
    ):
        with engine.connect() as conn, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
            conn.execute(text(write))
    assert published.path.read_bytes() == published_bytes


def test_a_null_pool_engine_sees_each_publish_at_its_next_query(published: Published) -> None:
    engine = published.engine(poolclass=NullPool)
    assert revenue(engine) == BEFORE
    published.publish_april()
    assert revenue(engine) == AFTER


def test_a_pooled_engine_keeps_the_old_file_until_it_is_disposed(published: Published) -> None:
    engine = published.engine(pool_pre_ping=True)
    assert isinstance(engine.pool, QueuePool)  # duckdb_engine's default for a file
    assert revenue(engine) == BEFORE
    published.publish_april()
    # The pooled connection still has the old file open; the pre-ping succeeds on it.
    assert revenue(engine) == BEFORE
    engine.dispose()  # after each publish, with no connection checked out
    assert revenue(engine) == AFTER


def test_dispose_while_a_connection_is_checked_out_leaves_the_engine_on_the_old_file(
    published: Published,
) -> None:
    engine = published.engine()
    held = engine.connect()
    assert held.execute(REVENUE).scalar_one() == BEFORE
    published.publish_april()
    engine.dispose()
    # A new connection joins the database instance the held connection keeps open,
    assert revenue(engine) == BEFORE
    # and the held one, returned, goes back open into the discarded pool, not closed:
    held.close()
    assert revenue(engine) == BEFORE
    # only once that pool is garbage-collected does a dispose reach the new file.
    gc.collect()
    engine.dispose()
    assert revenue(engine) == AFTER


def test_pool_recycle_does_not_help_once_two_connections_are_pooled(
    published: Published,
) -> None:
    engine = published.engine(pool_recycle=1)
    first, second = engine.connect(), engine.connect()
    assert first.execute(REVENUE).scalar_one() == second.execute(REVENUE).scalar_one() == BEFORE
    first.close()
    second.close()
    published.publish_april()
    time.sleep(1.2)
    # Both are recycled at checkout, each reopened while the other still holds the old file.
    first, second = engine.connect(), engine.connect()
    assert first.execute(REVENUE).scalar_one() == second.execute(REVENUE).scalar_one() == BEFORE
    first.close()
    second.close()
    engine.dispose()
    assert revenue(engine) == AFTER


def test_any_open_connection_in_the_process_keeps_every_engine_on_the_old_file(
    published: Published,
) -> None:
    pooled = published.engine()
    assert revenue(pooled) == BEFORE  # its connection stays open in its pool
    published.publish_april()
    fresh = published.engine(poolclass=NullPool)
    assert revenue(fresh) == BEFORE  # one database instance per path and process
    pooled.dispose()
    assert revenue(fresh) == AFTER


def test_plain_duckdb_cannot_open_the_file_while_duckdb_engine_has_it_open(
    published: Published,
) -> None:
    """duckdb_engine opens the file with its own settings (a custom user agent); DuckDB
    refuses a second connection to the same path with different settings."""
    engine = published.engine()
    with engine.connect() as conn:
        assert conn.execute(REVENUE).scalar_one() == BEFORE
        with pytest.raises(duckdb.ConnectionException, match="different configuration"):
            duckdb.connect(str(published.path.resolve()), read_only=True)
    engine.dispose()
    with duckdb.connect(str(published.path.resolve()), read_only=True) as conn:
        assert conn.execute(str(REVENUE)).fetchone() == (BEFORE,)
