"""What the warehouse holds, in a few lines a person can read after a refresh."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.landing_zone import by_folder, unclaimed_files
from orchestration.serving.publish import read_publication

LAYERS = ("raw", "seeds", "staging", "intermediate", "marts")


@dataclass(frozen=True)
class TableCount:
    schema: str
    table: str
    rows: int | None
    """None for a view left uncounted (``count_views`` false)."""
    view: bool = False


def table_counts(conn: duckdb.DuckDBPyConnection, *, count_views: bool = True) -> list[TableCount]:
    """Row counts of every table and view in the warehouse's layers.

    A table's count is read from DuckDB's metadata; a view's runs the view's query over
    its tables (the journey's activity streams join the largest ones). With
    ``count_views`` false, views are listed without a count: the closing summary of a
    refresh does not pay for them (about 1 s at medium scale, growing with history).
    """
    names = conn.execute(
        """
        select table_schema, table_name, table_type = 'VIEW'
        from information_schema.tables
        where table_catalog = current_database()
          and table_schema in (select unnest(?))
        order by table_schema, table_name
        """,
        [list(LAYERS)],
    ).fetchall()
    counts = []
    for schema, table, view in names:
        if view and not count_views:
            counts.append(TableCount(schema, table, None, view=True))
            continue
        (rows,) = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
        counts.append(TableCount(schema, table, rows, view=view))
    return counts


def _quarantine_by_object(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    return conn.execute(
        """
        select source || '/' || object, reason, count(*)
        from raw._quarantine
        group by all
        order by 1, 3 desc
        """
    ).fetchall()


def _ledger_totals(conn: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    return conn.execute(
        """
        select
            count(*),
            count(*) filter (where status = 'unreadable'),
            coalesce(sum(records_read), 0),
            coalesce(sum(records_loaded), 0),
            coalesce(sum(records_duplicate), 0),
            coalesce(sum(records_quarantined), 0)
        from raw._file_ledger
        where status <> 'skipped_same_content'
        """
    ).fetchone()


def _erased_totals(conn: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Records of erased persons: (never loaded, removed later from raw or quarantine)."""
    return conn.execute(
        """
        select
            count(*) filter (where erased_from = 'load'),
            count(*) filter (where erased_from <> 'load')
        from raw._erased
        """
    ).fetchone()


def publication_lines(serving: Path | None) -> list[str]:
    """What BI tools read: how many marts the published file holds fresh, and each
    mart held back at an older build with the rule that holds it (``_publication``)."""
    if serving is None or not serving.exists():
        return []
    try:
        conn = duckdb.connect(str(serving), read_only=True)
    except duckdb.Error as error:
        return [f"cannot read the published file {serving}: {error}"]
    with conn:
        marts = read_publication(conn)
    if not marts:
        return []
    held = [mart for mart in marts if mart.held_back]
    published_at = max(mart.published_at for mart in marts)
    lines = [
        f"published marts ({serving}, {published_at:%Y-%m-%d %H:%M} UTC): "
        f"{len(marts) - len(held)} fresh, {len(held)} held back"
    ]
    for mart in held:
        since = (
            f"last good build {mart.data_built_at:%Y-%m-%d %H:%M} UTC (run {mart.data_run_id})"
            if mart.data_built_at is not None
            else "never published: left out of the file"
        )
        lines.append(f"  HELD BACK {mart.table_name}: {since}; held by {mart.held_by}")
    return lines


def unclaimed_lines(landing_dir: Path | None) -> list[str]:
    """Landing files no loader reads, per folder (``ingestion.landing_zone``)."""
    if landing_dir is None:
        return []
    files = unclaimed_files(landing_dir)
    if not files:
        return []
    lines = [
        f"WARNING landing files no loader reads: {len(files):,} (not loaded, quarantined "
        "or in the ledger; see docs/landing-contract.md)"
    ]
    lines.extend(f"  {folder}/  {n:,} file(s)" for folder, n in by_folder(files).items())
    return lines


def render_summary(
    warehouse: Path,
    serving: Path | None = None,
    landing_dir: Path | None = None,
    *,
    count_views: bool = True,
) -> str:
    """The closing summary of ``journey refresh`` (``count_views`` false: views listed
    without a count) and of ``journey summary`` (every table and view counted)."""
    if not warehouse.exists():
        return f"No warehouse at {warehouse} yet: run `journey refresh`."
    lines: list[str] = []
    try:
        conn = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        return f"Cannot read the warehouse {warehouse} for a summary: {error}"
    with conn:
        counts = table_counts(conn, count_views=count_views)
        for layer in LAYERS:
            tables = [c for c in counts if c.schema == layer]
            if not tables:
                continue
            views = sum(c.view for c in tables)
            total = sum(c.rows for c in tables if c.rows is not None)
            kinds = _counted(len(tables) - views, "table") + (
                f", {_counted(views, 'view')}" if views else ""
            )
            lines.append(f"{layer} ({kinds}, {total:,} rows)")
            width = max(len(c.table) for c in tables)
            lines.extend(
                f"  {c.table:<{width}}  {'view' if c.rows is None else f'{c.rows:,}':>12}"
                for c in tables
            )
        if any(c.rows is None for c in counts):
            lines.append(
                "views are listed without a count (counting one runs its query): "
                "`journey summary` counts them"
            )
        if any(c.schema == "raw" and c.table == "_file_ledger" for c in counts):
            files, unreadable, read, loaded, dupes, quarantined = _ledger_totals(conn)
            has_erased = any(c.schema == "raw" and c.table == "_erased" for c in counts)
            at_load, later = _erased_totals(conn) if has_erased else (0, 0)
            lines.append(
                f"landing files loaded: {files:,} ({unreadable} unreadable); records read "
                f"{read:,} = loaded {loaded:,} + duplicates {dupes:,} + quarantined "
                f"{quarantined:,}" + (f" + erased {at_load:,}" if at_load else "")
            )
            if later:
                lines.append(
                    f"erased after loading (journey forget): {later:,} records, removed from "
                    "raw and quarantine (see raw._erased)"
                )
            rows = _quarantine_by_object(conn)
            if rows:
                lines.append("quarantined records (see raw._quarantine):")
                lines.extend(f"  {obj:<36} {n:>6,}  {reason}" for obj, reason, n in rows)
    lines.extend(unclaimed_lines(landing_dir))
    lines.extend(publication_lines(serving))
    lines.append(f"warehouse file: {warehouse}")
    lines.append("Dagster UI: `make dev`, then open http://127.0.0.1:3000")
    return "\n".join(lines)


def _counted(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
