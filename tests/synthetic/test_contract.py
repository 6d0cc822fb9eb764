"""Every file parses per the landing contract, except the injected broken records
and the one unreadable file, which are exactly the ones the summary lists; the
summary's counts are the counts read back from the files."""

from __future__ import annotations

import re
from collections import Counter

from ingestion.registry import RepeatRule
from synthetic.ids import SF_PREFIX, is_valid_sf_id
from synthetic.summary import RULES, TABLES

from .contract import SF_OBJECTS


def test_broken_records_are_exactly_the_listed_ones(demo, demo_landing):
    summary, _ = demo
    listed = {(b.table, b.file, b.position) for b in summary.broken_records}
    found = {(t, f, pos) for t, items in demo_landing.broken.items() for f, pos in items}
    assert found == listed
    assert len(listed) == summary.total_broken == 18


def test_exactly_one_unreadable_file(demo, demo_landing):
    summary, root = demo
    assert demo_landing.unreadable == summary.unreadable_files
    assert len(summary.unreadable_files) == 1
    assert summary.unreadable_files[0].endswith(".jsonl.gz")
    assert not (root / summary.unreadable_files[0]).read_bytes().startswith(b"\x1f\x8b")


def test_record_counts_match_the_files(demo, demo_landing):
    summary, _ = demo
    for table in TABLES:
        assert demo_landing.read.get(table, 0) == summary.records[table], table
        assert len(demo_landing.broken.get(table, [])) == summary.broken[table], table


def test_duplicates_and_restatements_match_the_files(demo, demo_landing):
    summary, _ = demo
    for table in TABLES:
        seen: set = set()
        repeats = 0
        for rec in sorted(demo_landing.records.get(table, []), key=lambda r: (r.file, r.position)):
            repeats += rec.key in seen
            seen.add(rec.key)
        if RULES[table] == RepeatRule.DROP_DUPLICATE:
            assert repeats == summary.duplicates[table], table
            assert summary.loaded(table) == len(seen)
        else:
            assert repeats == summary.restatements[table], table
    assert summary.duplicates["segment/events"] > 0
    assert summary.duplicates["sendgrid/events"] > 0
    for t in (
        "google_ads/ad_stats",
        "meta_ads/insights",
        "linkedin_ads/ad_analytics",
        "salesforce/lead",
    ):
        assert summary.restatements[t] > 0


def test_files_per_folder(demo):
    summary, root = demo
    counted = Counter(p.parent.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert dict(counted) == summary.files
    assert summary.total_files <= 480 + summary.files.get("ads/microsoft_ads", 0)
    assert summary.files["ads/google_ads"] == len(summary.drops_written) == 39


def test_segment_quirks(demo_landing):
    events = [r.data for r in demo_landing.records["segment/events"]]
    assert {e["type"] for e in events} == {"page", "track", "identify"}
    offsets = [e for e in events if re.search(r"[+-]\d\d:\d\d$", e["originalTimestamp"])]
    assert offsets and any(re.search(r"[+-]\d\d:\d\d$", e["timestamp"]) for e in events)
    assert sum(e["timestamp"].endswith("Z") for e in events) > 0.9 * len(events)
    server_pages = [e for e in events if e["type"] == "page" and "page" not in e.get("context", {})]
    assert server_pages and all("url" in e["properties"] for e in server_pages)
    assert any("utm_source=" in e["properties"]["url"] for e in server_pages)
    tracks = Counter(e["event"] for e in events if e["type"] == "track")
    for name in ("Form Submitted", "Signed Up", "Demo Requested"):
        assert tracks[name] > 0
    forms = [e for e in events if e.get("event") in ("Form Submitted", "Demo Requested")]
    assert all(e["properties"]["email"] and e["properties"]["form_id"] for e in forms)
    assert any(
        e["context"]["page"]["path"].startswith("/pricing")
        for e in events
        if "page" in e.get("context", {})
    )
    referrers = {e["context"]["page"]["referrer"] for e in events if "page" in e.get("context", {})}
    for host in ("https://www.google.com/", "https://www.google.co.uk/"):
        assert host in referrers
    assert any(r.startswith("https://t.co/") for r in referrers)
    assert any(r.startswith("https://lnkd.in/") for r in referrers)
    assert any(r.startswith("https://www.acmecloud.example/") for r in referrers)
    assert all(
        k in events[0] for k in ("channel", "integrations", "messageId", "receivedAt", "sentAt")
    )


def test_vendor_number_formats(demo_landing):
    g = [r.data for r in demo_landing.records["google_ads/ad_stats"]]
    assert all(
        isinstance(r["campaign"]["id"], str) and isinstance(r["metrics"]["impressions"], str)
        for r in g
    )
    assert any("clicks" not in r["metrics"] for r in g), "zero metrics are omitted"
    assert any(isinstance(r["metrics"].get("conversions"), float) for r in g)
    m = [r.data for r in demo_landing.records["meta_ads/insights"]]
    assert all(isinstance(r["spend"], str) and isinstance(r["impressions"], str) for r in m)
    kinds = {a["action_type"] for r in m for a in r.get("actions", [])}
    assert {"lead", "offsite_conversion.fb_pixel_lead", "omni_complete_registration"} <= kinds
    li = [r.data for r in demo_landing.records["linkedin_ads/ad_analytics"]]
    assert any(len(r["costInUsd"].split(".")[-1]) > 10 for r in li), "long decimal tails"
    camps = [r.data for r in demo_landing.records["linkedin_ads/campaigns"]]
    assert all(isinstance(c["id"], int) and c["dailyBudget"]["currencyCode"] for c in camps)
    sg = [r.data for r in demo_landing.records["sendgrid/events"]]
    assert {"processed", "delivered", "open", "click", "bounce", "unsubscribe"} <= {
        e["event"] for e in sg
    }
    assert {e["type"] for e in sg if e["event"] == "bounce"} == {"bounce", "blocked"}
    assert any(isinstance(e["category"], list) for e in sg) and any(
        isinstance(e["category"], str) for e in sg
    )
    assert any(e.get("sg_machine_open") is True for e in sg)
    assert all(isinstance(e["send_at"], str) for e in sg if "singlesend_id" in e)


def test_salesforce_ids_and_formats(demo, demo_landing):
    _, root = demo
    for obj, table in SF_OBJECTS.items():
        for rec in demo_landing.records[table]:
            assert is_valid_sf_id(rec.data["Id"]) and rec.data["Id"].startswith(SF_PREFIX[obj]), rec
    opp = [r.data for r in demo_landing.records["salesforce/opportunity"]]
    assert {o["CurrencyIsoCode"] for o in opp} == {"USD", "EUR", "GBP"}
    assert any(o["Amount"] == "" for o in opp)
    assert {o["Type"] for o in opp} == {"New Customer", "Existing Customer - Upgrade", "Renewal"}
    assert any(o["Type"] == "Renewal" and o["StageName"] == "Closed Lost" for o in opp)
    text = "".join(p.read_text() for p in (root / "crm/salesforce/Lead").iterdir())
    assert re.search(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000"', text)
    assert re.search(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"', text)
    assert any(r.data["IsDeleted"] == "true" for r in demo_landing.records["salesforce/lead"])
    statuses = {
        r.data["NewValue"]
        for r in demo_landing.records["salesforce/lead_history"]
        if r.data["Field"] == "Status"
    }
    assert statuses == {
        "Marketing Qualified",
        "Working - Contacted",
        "Sales Qualified",
        "Closed - Converted",
        "Closed - Not Converted",
    }


def test_fx_file(demo_landing):
    rates = demo_landing.records["fx/ecb_rates"]
    assert {r.key[1] for r in rates} >= {"USD", "GBP", "JPY"}
    assert "BGN" not in {r.key[1] for r in rates if r.key[0].year == 2026}
    usd = [r.data["rate"] for r in rates if r.key[1] == "USD"]
    assert min(usd) > 0.9 and max(usd) < 1.5
