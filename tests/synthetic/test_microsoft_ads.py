"""Microsoft Advertising AdPerformanceReport files: written only for a declared raw table
or when forced on, from the platform's own streams (no other file changes), laid out
as docs/landing-contract.md describes, and consistent with the msclkid sessions."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from ingestion.registry import RAW_TABLES
from synthetic import default_ad_platforms, generate
from synthetic.schedule import drop_schedule

from .contract import (
    MS_COLUMNS,
    MS_FOOTER,
    mdy_date,
    microsoft_csv_bytes,
    parse_microsoft_report,
    parse_ts,
    read_landing,
    tree_digest,
)

TABLE = "microsoft_ads/ad_performance"
FOLDER = "ads/microsoft_ads"
WITHOUT = ("google_ads", "meta_ads", "linkedin_ads")
WITH = (*WITHOUT, "microsoft_ads")
TZ = "(GMT-08:00) Pacific Time (US & Canada); Tijuana"
PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """tiny, seed 7, generated twice: Microsoft off and forced on."""
    root = tmp_path_factory.mktemp("microsoft")
    off = generate(root / "off", "tiny", seed=7, ad_platforms=WITHOUT)
    on = generate(root / "on", "tiny", seed=7, ad_platforms=WITH)
    return off, on


@pytest.fixture(scope="module")
def on_landing(pair):
    return read_landing(pair[1].landing_dir)


def _ms_files(summary) -> list:
    folder = summary.landing_dir / FOLDER
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def test_microsoft_files_change_no_other_file(pair):
    off, on = pair
    a, b = tree_digest(off.landing_dir), tree_digest(on.landing_dir)
    outside = {k: v for k, v in b.items() if not k.startswith(f"{FOLDER}/")}
    assert outside == a, "every file outside ads/microsoft_ads is byte-identical"
    assert not any(k.startswith(f"{FOLDER}/") for k in a)
    assert len(b) - len(a) == len(off.drops_written) == 39
    assert {k: v for k, v in on.files.items() if k != FOLDER} == off.files
    for field in ("records", "broken", "duplicates", "restatements", "deletions"):
        theirs = {t: n for t, n in getattr(on, field).items() if t != TABLE}
        ours = {t: n for t, n in getattr(off, field).items() if t != TABLE}
        assert theirs == ours, field
        assert not getattr(off, field).get(TABLE), field
    assert {k: v for k, v in on.ad_totals.items() if k != "microsoft_ads"} == off.ad_totals
    assert on.records[TABLE] > 0
    assert on.world == off.world


def test_the_default_follows_the_registry(tiny):
    summary, root = tiny
    declared = {t.source for t in RAW_TABLES}
    assert default_ad_platforms() == {p for p in WITH if p in declared}
    assert ("microsoft_ads" in declared) == (FOLDER in summary.files)
    assert ("microsoft_ads" in declared) == (root / FOLDER).exists()
    with pytest.raises(ValueError, match="unknown ad platform"):
        generate(root / "never", "tiny", seed=7, ad_platforms=("bing_ads",))


def test_one_report_per_drop_zipped_or_not(pair):
    _, on = pair
    files = _ms_files(on)
    drops = drop_schedule(7)
    assert [f.name for f in files] == [
        f"{d.stamp}_microsoft_ads_ad_performance.{'zip' if d.index % 2 else 'csv'}" for d in drops
    ]
    assert on.files[FOLDER] == len(files) == 39
    boms = Counter(parse_microsoft_report(microsoft_csv_bytes(f)).bom for f in files)
    assert boms[True] > 0 and boms[False] > 0, "the byte-order mark is optional"


def test_every_report_is_laid_out_as_the_contract_says(pair):
    _, on = pair
    prev_last = None
    for drop, f in zip(drop_schedule(7), _ms_files(on), strict=True):
        report = parse_microsoft_report(microsoft_csv_bytes(f))
        first_s, last_s = report.meta["Report Time"].split(",")
        first, last = mdy_date(first_s), mdy_date(last_s)
        assert last == drop.day - timedelta(days=1)
        if prev_last is None:
            assert first == date(2026, 1, 1)
        else:
            assert (prev_last - first).days + 1 in (2, 3), "2 or 3 days restated"
        prev_last = last
        assert report.meta == {
            "Report Name": "Ad performance",
            "Report Time": f"{first_s},{last_s}",
            "Time Zone": TZ,
            "Last Completed Available Day": f"{last_s} 11:00:00 PM {TZ}",
            "Report Aggregation": "Daily",
            "Report Filter": "",
            "Potential Incomplete Data": "false",
            "Rows": str(len(report.rows)),
        }
        assert report.rows
        for _, r in report.rows:
            assert first <= mdy_date(r["TimePeriod"]) <= last
            assert r["CurrencyCode"] == "USD" and r["AccountName"]
            for k in ("AccountId", "CampaignId", "AdGroupId", "AdId"):
                assert re.fullmatch(r"[1-9]\d*", r[k]), (k, r[k])
            imp, clicks, conv = (int(r[k]) for k in ("Impressions", "Clicks", "Conversions"))
            assert re.fullmatch(r"\d+\.\d\d", r["Spend"]), r["Spend"]
            spend = float(r["Spend"])
            assert imp > 0 and imp >= clicks >= conv >= 0 and spend >= 0
            assert (spend == 0) == (clicks == 0)
            if clicks:
                assert 0.05 <= spend / clicks <= 12, r


def test_the_layout_of_one_file(pair):
    """The first drop's download, byte by byte where the contract fixes the bytes."""
    _, on = pair
    f = _ms_files(on)[0]
    assert f.name == "20260108T060000_microsoft_ads_ad_performance.csv"
    data = f.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    body = lines[10:-3]
    assert lines[:10] == [
        '"Report Name: Ad performance"',
        '"Report Time: 1/1/2026,1/7/2026"',
        f'"Time Zone: {TZ}"',
        f'"Last Completed Available Day: 1/7/2026 11:00:00 PM {TZ}"',
        '"Report Aggregation: Daily"',
        '"Report Filter: "',
        '"Potential Incomplete Data: false"',
        f'"Rows: {len(body)}"',
        "",
        '"' + '","'.join(MS_COLUMNS) + '"',
    ]
    assert lines[-3:] == ["", f'"{MS_FOOTER}"', ""]
    assert data.endswith(b'\r\n\r\n"\xc2\xa92026 Microsoft Corporation. All rights reserved. "\r\n')
    row = re.compile(
        r'^"1/[1-7]/2026","\d+","Acme Cloud","\d+","[^"]+","\d+","[^"]+","\d+","USD",'
        r'"\d+","\d+","\d+\.\d\d","\d+"$'
    )
    assert body and all(row.match(x) for x in body), body[:3]


def test_summary_counts_and_totals_match_the_files(pair, on_landing):
    _, on = pair
    records = sorted(on_landing.records[TABLE], key=lambda r: (r.file, r.position))
    assert on_landing.read[TABLE] == on.records[TABLE] == len(records)
    assert not on_landing.broken.get(TABLE) and on.broken[TABLE] == 0
    final, repeats = {}, 0
    for r in records:
        repeats += r.key in final
        final[r.key] = r.data["_m"]
    assert repeats == on.restatements[TABLE] > 0
    assert on.loaded(TABLE) == len(records), "later wins: every version loads"
    totals = on.ad_totals["microsoft_ads"]
    assert totals["currency"] == "USD"
    assert totals["impressions"] == sum(m["Impressions"] for m in final.values())
    assert totals["clicks"] == sum(m["Clicks"] for m in final.values())
    assert totals["spend"] == pytest.approx(sum(m["Spend"] for m in final.values()), abs=0.005)
    assert len({r.key[0] for r in records}) == 1, "one account"


def test_msclkid_sessions_carry_the_campaigns_and_fit_in_the_clicks(on_landing):
    ads = {}  # AdId -> CampaignName
    clicks: Counter = Counter()
    final = {}
    for r in sorted(on_landing.records[TABLE], key=lambda r: (r.file, r.position)):
        ads[r.data["AdId"]] = r.data["CampaignName"]
        final[(r.data["AdId"], r.key[2])] = r.data["_m"]["Clicks"]
    clicks.update(final)
    first_seen: dict[str, tuple] = {}
    seen_ids: set = set()
    for r in on_landing.records["segment/events"]:
        e = r.data
        if e["messageId"] in seen_ids:
            continue
        seen_ids.add(e["messageId"])
        url = (e.get("context", {}).get("page") or {}).get("url") or (
            e.get("properties") or {}
        ).get("url")
        q = parse_qs(urlsplit(url or "").query)
        if "msclkid" not in q:
            continue
        assert q["utm_source"] == ["bing"] and q["utm_medium"] == ["cpc"], url
        ad, campaign = q["utm_content"][0], q["utm_campaign"][0]
        assert ads[ad] == campaign, (ad, campaign)
        t = parse_ts(e["timestamp"])
        click = q["msclkid"][0]
        if click not in first_seen or t < first_seen[click][0]:
            first_seen[click] = (t, ad)
    sessions = Counter((ad, t.astimezone(PACIFIC).date()) for t, ad in first_seen.values())
    assert sum(sessions.values()) > 10
    short = {k: (n, clicks[k]) for k, n in sessions.items() if clicks[k] < n}
    assert not short, "clicks per ad and day >= its msclkid sessions"
    assert sum(final.values()) >= sum(sessions.values())
    by_campaign = defaultdict(int)
    for (ad, _), n in sessions.items():
        by_campaign[ads[ad]] += n
    assert len(by_campaign) == 3, by_campaign


def test_until_writes_the_same_microsoft_files(pair, tmp_path):
    _, on = pair
    part = generate(tmp_path / "part", "tiny", seed=7, until=date(2026, 4, 1), ad_platforms=WITH)
    full = tree_digest(on.landing_dir)
    prefix = {k: v for k, v in tree_digest(tmp_path / "part").items() if k.startswith(FOLDER)}
    assert len(prefix) == len(part.drops_written) > 2
    assert all(full[k] == v for k, v in prefix.items()), "zip and csv bytes are fixed"
