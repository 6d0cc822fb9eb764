"""One population across sources: the same people, ids and campaigns everywhere."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest


def norm(email: str) -> str:
    return email.strip().lower()


def latest(records) -> dict[str, dict]:
    """Salesforce state after the contract's rule: latest SystemModstamp wins (for
    history objects the last in file order), deleted records removed."""
    best: dict[str, dict] = {}
    for r in sorted(records, key=lambda r: (r.file, r.position)):
        cur = best.get(r.key[0])
        stamp = r.data.get("SystemModstamp")
        if cur is None or stamp is None or _ts(stamp) >= _ts(cur["SystemModstamp"]):
            best[r.key[0]] = r.data
    return {k: v for k, v in best.items() if v.get("IsDeleted") != "true"}


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("+0000", "+00:00"))


@pytest.fixture(scope="module")
def web(demo_landing):
    events = {}
    for r in demo_landing.records["segment/events"]:
        events.setdefault(r.key, r.data)  # duplicates: the first copy stays
    return list(events.values())


def page_url(e: dict) -> str | None:
    return (e.get("context", {}).get("page") or {}).get("url") or (e.get("properties") or {}).get(
        "url"
    )


def test_every_lead_email_is_known_where_the_design_says(demo_landing, web):
    seg = {norm(e["traits"]["email"]) for e in web if e["type"] == "identify"}
    seg |= {
        norm(e["properties"]["email"])
        for e in web
        if e["type"] == "track" and "email" in e["properties"]
    }
    esp = {norm(r.data["email"]) for r in demo_landing.records["sendgrid/events"]}
    leads = latest(demo_landing.records["salesforce/lead"]).values()
    assert len(leads) > 300
    for lead in leads:
        email = norm(lead["Email"])
        if lead["LeadSource"] == "Web":
            assert email in seg, lead
        else:  # CRM-only leads (events, lists, partners, phone) never visit the site
            assert email not in seg, lead
        assert email in seg or email in esp or lead["LeadSource"] != "Web"
    assert any(lead["Email"] != norm(lead["Email"]) for lead in leads), "case/space variants"
    assert any(lead["LeadSource"] != "Web" and norm(lead["Email"]) in esp for lead in leads)


def test_paid_click_ids_carry_the_platforms_campaigns(demo_landing, web):
    google = {
        (r.data["campaign"]["name"].strip().lower(), r.data["campaign"]["id"])
        for r in demo_landing.records["google_ads/ad_stats"]
    }
    meta = {
        (r.data["campaign_name"].strip().lower(), r.data["campaign_id"])
        for r in demo_landing.records["meta_ads/insights"]
    }
    li = {
        (r.data["name"].strip().lower(), str(r.data["id"]))
        for r in demo_landing.records["linkedin_ads/campaigns"]
    }
    seen = Counter()
    for e in web:
        url = page_url(e)
        if not url:
            continue
        q = parse_qs(urlsplit(url).query)
        for param, campaigns in (("gclid", google), ("fbclid", meta), ("li_fat_id", li)):
            if param in q:
                seen[param] += 1
                value = q["utm_campaign"][0].strip().lower()
                assert any(value in pair for pair in campaigns), (param, value)
    assert min(seen.values()) > 100 and len(seen) == 3


def test_email_links_carry_the_single_send(demo_landing, web):
    sends = {
        r.data["singlesend_name"]
        for r in demo_landing.records["sendgrid/events"]
        if "singlesend_name" in r.data
    }
    clicks = [r.data for r in demo_landing.records["sendgrid/events"] if r.data["event"] == "click"]
    for c in clicks:
        assert parse_qs(urlsplit(c["url"]).query)["utm_campaign"] == [c["singlesend_name"]]
    email_landings = [e for e in web if (page_url(e) or "").find("utm_medium=email") > 0]
    assert email_landings
    for e in email_landings:
        q = parse_qs(urlsplit(page_url(e)).query)
        assert q["utm_source"] == ["sendgrid"] and q["utm_campaign"][0] in sends
    clicked = {c["url"] for c in clicks}
    assert sum(page_url(e) in clicked for e in email_landings) == len(email_landings)


def test_salesforce_references_resolve(demo_landing):
    get = lambda t: latest(demo_landing.records[f"salesforce/{t}"])  # noqa: E731
    leads, contacts, accounts, opps = (
        get("lead"),
        get("contact"),
        get("account"),
        get("opportunity"),
    )
    ocr, users = get("opportunity_contact_role"), get("user")
    for c in contacts.values():
        assert c["AccountId"] in accounts and c["OwnerId"] in users
    converted = [lead for lead in leads.values() if lead["IsConverted"] == "true"]
    assert converted
    for lead in converted:
        assert lead["Status"] == "Closed - Converted" and lead["ConvertedDate"]
        assert lead["ConvertedContactId"] in contacts and lead["ConvertedAccountId"] in accounts
        assert norm(contacts[lead["ConvertedContactId"]]["Email"]) == norm(lead["Email"])
        assert not lead["ConvertedOpportunityId"] or lead["ConvertedOpportunityId"] in opps
    assert any(not lead["ConvertedOpportunityId"] for lead in converted)
    for o in opps.values():
        assert o["AccountId"] in accounts and o["OwnerId"] in users
        assert (o["IsClosed"] == "true") == o["StageName"].startswith("Closed")
        assert (o["IsWon"] == "true") == (o["StageName"] == "Closed Won")
    for r in ocr.values():
        assert r["OpportunityId"] in opps and r["ContactId"] in contacts
    with_roles = {r["OpportunityId"] for r in ocr.values()}
    assert any(o not in with_roles for o in opps), "some opportunities have no contact role"
    for lead in leads.values():
        assert lead["OwnerId"] in users
    history = latest(demo_landing.records["salesforce/lead_history"])
    assert all(
        h["LeadId"] in leads
        or h["LeadId"] not in {r.key[0] for r in demo_landing.records["salesforce/lead"]}
        for h in history.values()
    )


def test_funnel_rates_are_b2b_saas_like(demo, demo_landing):
    summary, _ = demo
    leads = latest(demo_landing.records["salesforce/lead"])
    history = latest(demo_landing.records["salesforce/lead_history"]).values()
    reached = defaultdict(set)
    for h in history:
        if h["Field"] == "Status" and h["LeadId"] in leads:
            reached[h["NewValue"]].add(h["LeadId"])
    n_leads = len(leads)
    mql, sql = (
        reached["Marketing Qualified"],
        reached["Working - Contacted"] | reached["Sales Qualified"],
    )
    assert 0.18 <= n_leads / summary.persons <= 0.32
    assert 0.28 <= len(mql) / n_leads <= 0.45
    assert 0.35 <= len(sql) / len(mql) <= 0.65
    opps = latest(demo_landing.records["salesforce/opportunity"]).values()
    new = [
        o
        for o in opps
        if o["Type"] == "New Customer" and o["IsClosed"] == "true" and o["CloseDate"] >= "2026"
    ]
    won = sum(o["IsWon"] == "true" for o in new)
    assert 0.1 <= won / len(new) <= 0.45


def test_the_crm_history_loses_deals_every_month(demo_landing):
    """The deals created before the window: one won New Customer deal per pre-window
    customer account (110 customer contacts, 2.5 to a company: 44) and
    round(44 * 0.35 / 0.65) = 24 lost ones (HISTORY_NEW_BUSINESS_WIN_RATE 65%), shared
    out over the 16 months 2024-10 .. 2026-01, at least one to each. So every month from
    the first closed deal through the window's first month has a lost deal, and the
    history's new-business win rate is in the 55-75% band (25-45% lost)."""
    opps = latest(demo_landing.records["salesforce/opportunity"]).values()
    new_before = Counter(
        o["IsWon"] + "/" + o["IsClosed"]
        for o in opps
        if o["Type"] == "New Customer" and o["CreatedDate"] < "2026"
    )
    assert new_before == {"true/true": 44, "false/true": 24}
    closed = defaultdict(Counter)
    for o in opps:
        if o["IsClosed"] == "true":
            closed[o["CloseDate"][:7]][o["IsWon"]] += 1
    months = sorted(m for m in closed if m < "2026-02")
    assert len(months) == 16 and months[0] == "2024-10"
    assert [m for m in months if not closed[m]["false"]] == []
    history = [
        o
        for o in opps
        if o["Type"] == "New Customer" and o["IsClosed"] == "true" and o["CloseDate"] < "2026"
    ]
    won = sum(o["IsWon"] == "true" for o in history)
    assert 0.55 <= won / len(history) <= 0.75, (won, len(history))


def test_ad_clicks_follow_the_sessions_with_click_ids(demo_landing, web):
    def later_wins(table, value):
        final = {}
        for r in sorted(demo_landing.records[table], key=lambda r: (r.file, r.position)):
            final[r.key] = value(r.data)
        return final

    g = later_wins("google_ads/ad_stats", lambda d: (d["_m"]["impressions"], d["_m"]["clicks"]))
    m = later_wins(
        "meta_ads/insights", lambda d: (int(d["impressions"]), int(d["inline_link_clicks"]))
    )
    li = later_wins(
        "linkedin_ads/ad_analytics", lambda d: (d["impressions"], d["landingPageClicks"])
    )
    for final in (g, m, li):
        assert all(imp >= clicks for imp, clicks in final.values())
    sessions = Counter()
    for e in web:
        q = parse_qs(urlsplit(page_url(e) or "").query)
        for param in ("gclid", "fbclid", "li_fat_id"):
            if param in q:
                sessions[(param, q[param][0])] += 1
    per_platform = Counter(p for p, _ in sessions)
    for param, final in (("gclid", g), ("fbclid", m), ("li_fat_id", li)):
        clicks = sum(c for _, c in final.values())
        assert 0.95 <= clicks / per_platform[param] <= 1.6, (param, clicks, per_platform[param])


def test_restated_ad_days_change_slightly(demo_landing):
    versions = defaultdict(list)
    for r in sorted(
        demo_landing.records["google_ads/ad_stats"], key=lambda r: (r.file, r.position)
    ):
        versions[r.key].append((r.file, r.data["_m"]["impressions"]))
    restated = [v for v in versions.values() if len({f for f, _ in v}) > 1]
    assert restated
    changed = [v for v in restated if v[0][1] != v[-1][1]]
    assert changed and all(v[-1][1] >= v[0][1] for v in changed)


def test_sessions_are_separable(web):
    """Within a browser, events are minutes apart and sessions over 30 minutes apart."""
    by_browser = defaultdict(list)
    for e in web:
        if e["type"] != "identify":
            by_browser[e.get("anonymousId") or e["userId"]].append(_ts(e["timestamp"]).timestamp())
    gaps = [
        b - a
        for times in by_browser.values()
        for a, b in zip(sorted(times), sorted(times)[1:], strict=False)
    ]
    assert gaps and not [g for g in gaps if 21 * 60 < g < 30.5 * 60]
    assert sum(g > 1800 for g in gaps) > 1000
