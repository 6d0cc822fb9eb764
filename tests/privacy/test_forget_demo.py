"""End to end on the demo landing zone: `journey refresh`, `journey forget <email>` of a
person with web, email and CRM records, then a new landing file holding the person and
another `journey refresh`.

Expected values are worked out independently of the erasure code: the person's
identifiers come from identity resolution before the erasure, the rows to erase are
the raw rows whose record text names one of them, the landing files are the files
whose text holds one of them quoted (as JSON and the Salesforce CSVs write values).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion.registry import RAW_TABLES
from quality.landing import landing_suites
from quality.model import CheckContext

pytestmark = pytest.mark.slow

JOURNEY = str(Path(sys.executable).with_name("journey"))


def _journey(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [JOURNEY, *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _pick_person(warehouse: Path) -> tuple[str, str, list[tuple[str, str]]]:
    """The person (smallest email) with all five identifier types and SendGrid events:
    web, email and CRM records."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        [(person_id, email)] = conn.execute(
            """
            with ids as (select * from intermediate.int_identifiers_resolved),
            complete as (
                select person_id from ids group by 1
                having count(distinct identifier_type) = 5
            )
            select ids.person_id, min(ids.identifier_value)
            from ids
            join complete using (person_id)
            where ids.identifier_type = 'email'
              and exists (
                  select 1 from raw.sendgrid__events s
                  where lower(trim(s.email)) = ids.identifier_value
              )
            group by 1
            order by 2
            limit 1
            """
        ).fetchall()
        identifiers = conn.execute(
            "select identifier_type, identifier_value from intermediate.int_identifiers_resolved "
            "where person_id = ? order by 1, 2",
            [person_id],
        ).fetchall()
    return person_id, email, identifiers


def _site_env(root: Path) -> dict[str, str]:
    """`journey`'s environment for a copied demo site."""
    return {
        **os.environ,
        "JOURNEY_LANDING_DIR": str(root / "landing"),
        "JOURNEY_WAREHOUSE": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def _text(path: Path) -> str:
    if path.name.endswith(".gz"):
        try:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except (OSError, EOFError):
            return ""
    return path.read_text(encoding="utf-8", errors="replace")


def _files_naming(landing: Path, values: list[str]) -> list[str]:
    quoted = [f'"{v.lower()}"' for v in values]
    return sorted(
        path.relative_to(landing).as_posix()
        for path in landing.rglob("*")
        if path.is_file() and any(q in _text(path).lower() for q in quoted)
    )


def _raw_rows_naming(conn: duckdb.DuckDBPyConnection, values: list[str]) -> dict[str, int]:
    """Rows of the raw tables and the quarantine whose text holds a value, quoted."""
    quoted = [f'"{v.lower()}"' for v in values]
    relations = [(t.qualified_name, "_record") for t in RAW_TABLES]
    found = {}
    for relation, column in [*relations, ("raw._quarantine", "raw_text")]:
        [(n,)] = conn.execute(
            f"select count(*) from {relation} "
            f"where list_bool_or([contains(lower(coalesce({column}, '')), v) for v in ?])",
            [quoted],
        ).fetchall()
        if n:
            found[relation] = n
    return found


def _tables_naming(path: Path, needles: list[str], schemas: tuple[str, ...]) -> dict[str, int]:
    """Rows of every table and view of ``schemas`` whose text (all columns) holds a needle."""
    found = {}
    with duckdb.connect(str(path), read_only=True) as conn:
        names = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?))",
            [list(schemas)],
        ).fetchall()
        for schema, name in names:
            [(n,)] = conn.execute(
                f'select count(*) from "{schema}"."{name}" _t '
                "where list_bool_or([contains(lower(cast(_t as varchar)), v) for v in ?])",
                [[v.lower() for v in needles]],
            ).fetchall()
            if n:
                found[f"{schema}.{name}"] = n
    return found


def _files_holding(folder: Path, needle: str) -> list[str]:
    """Files under ``folder``, the landing zone left out, whose bytes hold ``needle``."""
    landing = folder / "landing"
    return sorted(
        str(p)
        for p in folder.rglob("*")
        if p.is_file()
        and not p.is_relative_to(landing)
        and needle.encode() in p.read_bytes().lower()
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_build):
    # the refreshed demo is the session's shared one (tests/conftest.py), copied here
    root = demo_build.copy_to(tmp_path_factory.mktemp("forget"))
    env = _site_env(root)
    assert demo_build.returncode == 0, demo_build.stdout[-3000:] + demo_build.stderr[-3000:]
    person_id, email, identifiers = _pick_person(root / "warehouse.duckdb")
    values = [v for _, v in identifiers]
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as conn:
        raw_before = _raw_rows_naming(conn, values)
    files_before = _files_naming(root / "landing", values)
    # as a person would type it: capitals and spaces (normalized like the dbt macro)
    forget = _journey(env, "forget", f"  {email.upper()} ")
    return {
        "root": root,
        "env": env,
        "person_id": person_id,
        "email": email,
        "identifiers": identifiers,
        "values": values,
        "raw_before": raw_before,
        "files_before": files_before,
        "forget": forget,
    }


def test_the_person_has_web_email_and_crm_records(demo) -> None:
    kinds = {kind for kind, _ in demo["identifiers"]}
    assert kinds == {"email", "anonymous_id", "user_id", "lead_id", "contact_id"}
    assert {"raw.segment__events", "raw.sendgrid__events", "raw.salesforce__lead"} <= set(
        demo["raw_before"]
    )


def test_forget_succeeds_and_prints_counts_and_files_not_the_email(demo) -> None:
    run = demo["forget"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = run.stdout + run.stderr
    assert "person found in the warehouse" in out
    assert "erased: raw, staging, intermediate, marts and the published file" in out
    for value in demo["values"]:
        assert value.lower() not in out.lower()
    erased = dict(
        (m.group(1), int(m.group(2).replace(",", "")))
        for m in re.finditer(r"^\s+(raw\.\w+)\s+([\d,]+)$", run.stdout, re.MULTILINE)
    )
    assert erased == demo["raw_before"]
    listed = re.search(
        r"landing files holding the person \((\d+)\).*?\n((?:  \S.*\n)+)", run.stdout
    )
    assert listed is not None, run.stdout
    assert sorted(line.strip() for line in listed.group(2).splitlines()) == demo["files_before"]
    assert int(listed.group(1)) == len(demo["files_before"])


def test_nothing_of_the_person_is_left_in_any_layer_or_the_published_file(demo) -> None:
    root = demo["root"]
    email_hash = hashlib.sha256(demo["email"].encode()).hexdigest()
    needles = [*demo["values"], demo["person_id"], email_hash]
    layers = ("raw", "staging", "intermediate", "marts")
    assert _tables_naming(root / "warehouse.duckdb", needles, layers) == {}
    assert _tables_naming(root / "serving.duckdb", needles, ("marts",)) == {}


def test_the_email_is_in_no_file_the_warehouse_writes(demo) -> None:
    root = demo["root"]
    # warehouse and serving files, erasure list and audit log, reports, Dagster's run
    # and event storage and the run logs (dbt's output)
    for needle in {demo["email"], *(v for k, v in demo["identifiers"] if k != "email")}:
        assert _files_holding(root, needle.lower()) == [], needle


def test_the_audit_log_has_the_hash_only(demo) -> None:
    root = demo["root"]
    [line] = (root / "erasures.log").read_text().splitlines()
    record = json.loads(line)
    assert record["email_sha256"] == hashlib.sha256(demo["email"].encode()).hexdigest()
    assert record["person_found"] and record["refresh_succeeded"]
    # identity resolution's identifiers, and any more the person's raw records name
    assert set(record["identifiers"]) == {kind for kind, _ in demo["identifiers"]}
    assert sum(record["identifiers"].values()) >= len(demo["identifiers"])
    assert record["rows_erased"] == demo["raw_before"]
    assert record["landing_files"] == demo["files_before"]
    entries = (root / "erasures.jsonl").read_text().splitlines()
    assert len(entries) == sum(record["identifiers"].values())


def test_a_new_file_holding_the_person_stays_out_after_a_refresh(demo) -> None:
    root, env, values = demo["root"], demo["env"], demo["values"]
    landing = root / "landing"
    source = next(f for f in demo["files_before"] if f.startswith("web/segment/"))
    lines = [line for line in _text(landing / source).splitlines() if line.strip()]
    quoted = [f'"{v.lower()}"' for v in values]
    theirs = [line for line in lines if any(q in line.lower() for q in quoted)]
    other = next(line for line in lines if not any(q in line.lower() for q in quoted))
    again = []
    for line in [*theirs, other]:
        event = json.loads(line)
        event["messageId"] = f"{event['messageId']}-again"  # new content, not duplicates
        again.append(json.dumps(event))
    new_file = landing / "web" / "segment" / "20991231T060000_segment_again.jsonl"
    new_file.write_text("\n".join(again) + "\n")

    run = _journey(env, "refresh")

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert _raw_rows_naming(conn, values) == {}
        assert conn.execute(
            "select count(*) from raw._erased where erased_from = 'load' and source_file = ?",
            ["web/segment/20991231T060000_segment_again.jsonl"],
        ).fetchall() == [(len(theirs),)]
        assert conn.execute(
            "select records_read, records_loaded from raw._file_ledger where source_file = ?",
            ["web/segment/20991231T060000_segment_again.jsonl"],
        ).fetchall() == [(len(theirs) + 1, 1)]
        for suite in landing_suites():
            result = suite.run(conn, CheckContext(landing_dir=landing))
            accounted = result["landing_records_accounted_for"]
            assert accounted.passed, (suite.name, accounted.summary)
    needles = [*values, demo["person_id"]]
    layers = ("raw", "staging", "intermediate", "marts")
    assert _tables_naming(warehouse, needles, layers) == {}
    assert _tables_naming(root / "serving.duckdb", needles, ("marts",)) == {}


# --- an erasure while an unrelated blocking check fails ------------------------------


def _add_won_deal_without_a_rate(landing: Path) -> str:
    """A won opportunity in ARS, an ISO 4217 currency the ECB file has no rate for:
    fx_rate_available fails (no silent 1.0), a blocking failure unrelated to persons."""
    folder = landing / "crm" / "salesforce" / "Opportunity"
    source = sorted(folder.glob("*.csv"))[-1]
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        row = next(reader)
    assert "CurrencyIsoCode" in header
    row.update(
        Id="006ARS00000000AAAA",
        CurrencyIsoCode="ARS",
        StageName="Closed Won",
        IsClosed="true",
        IsWon="true",
        Amount="1000000",
    )
    target = folder / "20991231T060000_Opportunity.csv"
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerow(row)
    return row["Id"]


NEW_SINGLE_SEND = "0e1d2c3b-4a59-4687-9a1b-held0back0test"
NEW_AD_DAY = "2026-09-30"


def _add_single_send(landing: Path) -> dict[str, int]:
    """A new SendGrid single send: the events of the newest webhook post that reads like
    a send (deliveries, and fewer opens and clicks than deliveries, so its rates are
    plausible) again, a week later, under a new single send id. Returns its events per
    type."""
    folder = landing / "email" / "sendgrid"
    for path in sorted(folder.glob("*.json"), reverse=True):
        events = json.loads(path.read_text())
        kinds = [event["event"] for event in events]
        delivered, opened, clicked = (kinds.count(k) for k in ("delivered", "open", "click"))
        if delivered and 0 < clicked <= opened <= delivered:
            break
    else:
        raise AssertionError("no webhook post in the demo reads like a send")
    new = [
        {
            **event,
            "singlesend_id": NEW_SINGLE_SEND,
            "singlesend_name": "Newsletter 2026-10-01: held back test",
            "sg_event_id": f"heldbacktest{i:020d}",
            "timestamp": int(event["timestamp"]) + 7 * 86400,
        }
        for i, event in enumerate(events)
    ]
    (folder / "20261001T060000_sendgrid_webhook_000.json").write_text(json.dumps(new))
    counts: dict[str, int] = {}
    for event in new:
        counts[event["event"]] = counts.get(event["event"], 0) + 1
    return counts


def _add_meta_day(landing: Path) -> int:
    """A good Meta Ads day after the last one: the last day's ad rows again, dated
    NEW_AD_DAY. Returns its impressions."""
    folder = landing / "ads" / "meta_ads"
    document = json.loads(sorted(folder.glob("*.json"))[-1].read_text())
    last = max(row["date_start"] for row in document["data"])
    rows = [
        {**row, "date_start": NEW_AD_DAY, "date_stop": NEW_AD_DAY}
        for row in document["data"]
        if row["date_start"] == last
    ]
    target = folder / "20261001T060000_meta_insights_ad_daily.json"
    target.write_text(json.dumps({"data": rows, "paging": {}}))
    return sum(int(row["impressions"]) for row in rows)


REVENUE_GROUP = {
    "fct_attribution",
    "fct_customer_journey",
    "fct_opportunities",
    "mart_channel_roi",
    "mart_pipeline_by_stage",
    "mart_sales_monthly",
    "mart_sales_owner_monthly",
}


def _published(serving: Path, person_id: str) -> dict[str, object]:
    with duckdb.connect(str(serving), read_only=True) as conn:
        one = lambda sql: conn.execute(sql).fetchone()  # noqa: E731
        return {
            "won_revenue": one("select sum(won_revenue) from marts.mart_sales_monthly")[0],
            "attributed": one("select sum(attributed_revenue) from marts.fct_attribution")[0],
            "single_send": one(
                "select opens, clicks from marts.mart_email_campaigns "
                f"where campaign_id = '{NEW_SINGLE_SEND}'"
            ),
            "ad_day_impressions": one(
                "select sum(impressions) from marts.mart_marketing_daily "
                f"where date = '{NEW_AD_DAY}' and platform = 'meta_ads'"
            )[0],
            "publication": {
                name: (held, held_by, built_by)
                for name, held, held_by, built_by in conn.execute(
                    "select table_name, held_back, held_by, data_run_id from marts._publication"
                ).fetchall()
            },
            "journey_rows": one(
                f"select count(*) from marts.fct_customer_journey where person_id = '{person_id}'"
            )[0],
        }


@pytest.fixture(scope="module")
def forget_while_broken(tmp_path_factory: pytest.TempPathFactory, demo_build):
    """After a good refresh, a day lands with a new single send, a good Meta day and a
    won deal in a currency with no rate; the refresh fails fx_rate_available_for_deals
    and holds back the revenue marts; then the person is forgotten in that state."""
    root = demo_build.copy_to(tmp_path_factory.mktemp("forget-broken"))
    env = _site_env(root)
    assert demo_build.returncode == 0, demo_build.stdout[-3000:] + demo_build.stderr[-3000:]
    person_id, email, identifiers = _pick_person(root / "warehouse.duckdb")
    before = _published(root / "serving.duckdb", person_id)
    single_send = _add_single_send(root / "landing")
    impressions = _add_meta_day(root / "landing")
    _add_won_deal_without_a_rate(root / "landing")
    refresh = _journey(env, "refresh")
    after = _published(root / "serving.duckdb", person_id)
    forget = _journey(env, "forget", email)
    return {
        "root": root,
        "person_id": person_id,
        "email": email,
        "identifiers": identifiers,
        "refresh": refresh,
        "forget": forget,
        "before": before,
        "after": after,
        "single_send": single_send,
        "impressions": impressions,
    }


def test_the_missing_rate_fails_the_refresh(forget_while_broken) -> None:
    refresh = forget_while_broken["refresh"]
    assert refresh.returncode == 1, refresh.stdout[-3000:]
    assert (
        "[BLOCKING] intermediate/int_opportunities_converted / fx_rate_available_for_deals"
        in refresh.stdout
    )
    # fresh: dim_persons, mart_funnel, mart_marketing_daily, mart_email_campaigns,
    # dim_dates; held back: the revenue group (fct_opportunities among them)
    assert "5 fresh, 7 held back" in refresh.stdout
    assert "HELD BACK mart_sales_monthly: last good build" in refresh.stdout


def test_the_missing_rate_holds_back_only_the_revenue_marts(forget_while_broken) -> None:
    before, after = forget_while_broken["before"], forget_while_broken["after"]
    # the new single send and the new Meta day reach BI ...
    assert before["single_send"] is None
    single_send = forget_while_broken["single_send"]
    assert after["single_send"] == (single_send["open"], single_send["click"])
    assert before["ad_day_impressions"] in (None, 0)
    assert after["ad_day_impressions"] == forget_while_broken["impressions"]
    # ... the revenue marts keep their last good totals, built by the first refresh
    assert after["won_revenue"] == before["won_revenue"]
    assert after["attributed"] == before["attributed"]
    publication = after["publication"]
    held = {name for name, (is_held, _, _) in publication.items() if is_held}
    assert held == REVENUE_GROUP
    for name in REVENUE_GROUP:
        _, held_by, built_by = publication[name]
        assert "fx_rate_available_for_deals" in held_by
        assert built_by == before["publication"][name][2]
    for name in set(publication) - REVENUE_GROUP:
        assert publication[name][2] != before["publication"][name][2], name  # rebuilt


def test_forget_completes_while_the_check_fails_and_says_so(forget_while_broken) -> None:
    run = forget_while_broken["forget"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "fx_rate_available" in run.stdout  # the rebuild's failure, as information
    assert "removed where the rebuild could not" in run.stdout
    assert "erased: raw, staging, intermediate, marts and the published file" in run.stdout
    assert "for information: the rebuild failed" in run.stdout
    for _, value in forget_while_broken["identifiers"]:
        assert value.lower() not in (run.stdout + run.stderr).lower()


def test_while_broken_nothing_of_the_person_is_left_in_any_layer_or_file(
    forget_while_broken,
) -> None:
    root = forget_while_broken["root"]
    email_hash = hashlib.sha256(forget_while_broken["email"].encode()).hexdigest()
    values = [v for _, v in forget_while_broken["identifiers"]]
    needles = [*values, forget_while_broken["person_id"], email_hash]
    layers = ("raw", "staging", "intermediate", "marts")
    assert _tables_naming(root / "warehouse.duckdb", needles, layers) == {}
    assert _tables_naming(root / "serving.duckdb", needles, ("marts",)) == {}
    for needle in values:
        assert _files_holding(root, needle.lower()) == [], needle
    [line] = (root / "erasures.log").read_text().splitlines()
    record = json.loads(line)
    assert record["refresh_succeeded"] is False
    assert record["warehouse_compacted"] is True
    # dim_persons was published fresh by the rebuild; the held-back journey still named
    # the person in the published file, and the scrub removed their rows there
    assert "serving.duckdb:marts.dim_persons" not in record["rows_scrubbed"]
    journey_rows = forget_while_broken["after"]["journey_rows"]
    assert journey_rows > 0
    assert record["rows_scrubbed"]["serving.duckdb:marts.fct_customer_journey"] == journey_rows
