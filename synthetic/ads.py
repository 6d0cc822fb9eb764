"""Ad platforms: daily statistics derived from the paid sessions the web side saw,
and the files each platform's API returns (Google Ads searchStream, Meta Insights,
LinkedIn adAnalytics / adCampaigns / adCreatives). Microsoft Advertising has its own
module, ``microsoft_ads``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from . import broken
from . import config as C
from .fx import FxSeries
from .ids import b64_tokens
from .output import BrokenRecord, Tally, write_bytes
from .schedule import Drop
from .streams import stream
from .world import GOOGLE, LINKEDIN, META, World

GOOGLE_FIELD_MASK = (
    "segments.date,customer.id,customer.currencyCode,customer.timeZone,campaign.id,campaign.name,"
    "adGroup.id,adGroup.name,adGroupAd.ad.id,metrics.impressions,metrics.clicks,metrics.costMicros,"
    "metrics.conversions,metrics.conversionsValue"
)
GOOGLE_BATCH = 250
"""Results per searchStream batch (the API sends up to 10,000; smaller here so that
every file has several batches)."""
CONVERSION_VALUE = 120.0


@dataclass
class DailyStats:
    """Final (fully settled) statistics per [ad, day]; day 0 = WINDOW_START."""

    impressions: np.ndarray
    clicks: np.ndarray
    link_clicks: np.ndarray
    landing_views: np.ndarray
    reach: np.ndarray
    spend: np.ndarray  # account currency
    leads: np.ndarray
    signups: np.ndarray


def daily_stats(
    world: World, pi: int, sessions: np.ndarray, leads: np.ndarray, signups: np.ndarray, seed: int
) -> DailyStats:
    plat = world.platforms[pi]
    rng = stream(seed, plat.key, "daily_stats")
    n_ads, n = len(plat.ads), C.N_DAYS
    sess, lead, sign = sessions[:, :n], leads[:, :n], signups[:, :n]
    active = np.zeros((n_ads, n), dtype=bool)
    for a, ad in enumerate(plat.ads):
        c = plat.campaigns[ad.campaign]
        active[a, c.start_day : min(c.end_day, n - 1) + 1] = True
    active |= sess > 0
    ctr = np.array([ad.ctr for ad in plat.ads])[:, None]
    price = np.array([ad.price for ad in plat.ads])[:, None]
    link = sess + rng.poisson(sess * 0.25 + active * 0.05)
    clicks = link + (rng.poisson(link * 0.3) if pi != GOOGLE else 0)
    noise = np.exp(rng.normal(0, 0.2, (n_ads, n)))
    imp = np.where(active, np.maximum(np.round((clicks + 0.4) / ctr * noise), clicks), 0).astype(
        np.int64
    )
    if pi == META:
        spend = np.round(imp / 1000 * price * np.exp(rng.normal(0, 0.1, (n_ads, n))), 2)
    else:
        spend = np.round(clicks * price * np.exp(rng.normal(0, 0.15, (n_ads, n))), 2)
    reach = np.minimum(imp, np.round(imp / rng.uniform(1.05, 1.6, (n_ads, n)))).astype(np.int64)
    return DailyStats(
        imp,
        clicks.astype(np.int64),
        link.astype(np.int64),
        sess.astype(np.int64),
        reach,
        spend,
        lead,
        sign,
    )


def day_ranges(drops: tuple[Drop, ...], seed: int, platform: str) -> list[tuple[int, int]]:
    """(first, last) day index in each of ``platform``'s drops: new days through the day
    before the drop, plus 2 or 3 days of the previous drop restated (the platform's own
    draw per drop)."""
    out = []
    prev_last = -1
    for k, d in enumerate(drops):
        last = (d.day - C.WINDOW_START).days - 1
        r = int(stream(seed, platform, "restated_days", k).integers(2, 4))
        first = 0 if k == 0 else max(0, prev_last + 1 - r)
        out.append((first, last))
        prev_last = last
    return out


def _reported(stats: DailyStats, drop: Drop, first: int, last: int, rng: np.random.Generator):
    """Rows (ad, day) of a drop with the values as reported then: days up to 3 days old
    are still settling (a little lower than final)."""
    n_ads = stats.impressions.shape[0]
    days = np.arange(first, last + 1)
    age = (drop.day - C.WINDOW_START).days - days
    u = rng.random((n_ads, len(days)))
    settling = np.where(age <= 3, (4 - age) / 3, 0.0)[None, :]
    f = 1 - u * 0.08 * settling
    fc = 1 - u * 0.3 * settling
    sl = np.s_[:, first : last + 1]
    imp = np.floor(stats.impressions[sl] * f).astype(np.int64)
    clicks = np.minimum(np.floor(stats.clicks[sl] * f), imp).astype(np.int64)
    link = np.minimum(np.floor(stats.link_clicks[sl] * f), clicks).astype(np.int64)
    return {
        "days": days,
        "impressions": imp,
        "clicks": clicks,
        "link_clicks": link,
        "landing_views": np.minimum(stats.landing_views[sl], link),
        "reach": np.minimum(np.floor(stats.reach[sl] * f), imp).astype(np.int64),
        "spend": np.round(stats.spend[sl] * f, 2),
        "leads": np.floor(stats.leads[sl] * fc).astype(np.int64),
        "signups": np.floor(stats.signups[sl] * fc).astype(np.int64),
    }


def _iso(day: int) -> str:
    return (C.WINDOW_START + timedelta(days=int(day))).isoformat()


def write_ads(
    world: World,
    stats: list[DailyStats | None],
    fx: FxSeries,
    drops: tuple[Drop, ...],
    n_written: int,
    landing: Path,
    seed: int,
    tally: Tally,
) -> dict[str, dict[str, float]]:
    """Write the files of Google Ads, Meta and LinkedIn (``stats``: theirs, by platform
    index; ``None`` for a platform not written); return settled totals per platform as
    the warehouse should see them after later-wins (last written value per key)."""
    eur_usd = fx.daily("USD", C.WINDOW_START, C.N_DAYS)
    eur_gbp = fx.daily("GBP", C.WINDOW_START, C.N_DAYS)
    totals: dict[str, dict[str, float]] = {}
    for pi in (GOOGLE, META, LINKEDIN):
        plat = world.platforms[pi]
        if stats[pi] is None:
            continue
        final: dict[tuple[int, int], tuple[int, int, float]] = {}
        seen: set[tuple[int, int]] = set()
        ranges = day_ranges(drops, seed, plat.key)
        rng_ids = stream(seed, plat.key, "request_ids")
        for k in range(len(drops)):
            rng = stream(seed, plat.key, "reported", k)
            request_ids = b64_tokens(rng_ids, 64, 15)
            if k >= n_written:
                continue
            first, last = ranges[k]
            rep = _reported(stats[pi], drops[k], first, last, rng)
            rows = []
            for a in range(len(plat.ads)):
                for j, day in enumerate(rep["days"].tolist()):
                    if rep["impressions"][a, j] > 0:
                        rows.append((a, day, j))
            plan = [
                kind
                for kd, kind in broken.planned(f"{plat.key}/{_object(pi)}", len(drops))
                if kd == k
            ]
            if pi == GOOGLE:
                rel, bad = _write_google(
                    world, plat, rep, rows, drops[k], landing, request_ids, plan
                )
            elif pi == META:
                rel, bad = _write_meta(plat, rep, rows, drops[k], landing, plan)
            else:
                rel, bad = _write_linkedin(
                    plat, rep, rows, drops[k], landing, plan, eur_usd, eur_gbp
                )
            table = f"{plat.key}/{_object(pi)}"
            tally.add_file(rel)
            tally.records[table] += len(rows) + len(bad)
            for pos, kind in bad:
                tally.broken.append(BrokenRecord(table, rel, pos, broken.REASONS[kind]))
            for a, day, j in rows:
                key = (a, day)
                if key in seen:
                    tally.restatements[table] += 1
                seen.add(key)
                final[key] = (
                    int(rep["impressions"][a, j]),
                    int(rep["clicks"][a, j]),
                    float(rep["spend"][a, j]),
                )
        totals[plat.key] = {
            "currency": plat.currency,
            "impressions": sum(v[0] for v in final.values()),
            "clicks": sum(v[1] for v in final.values()),
            "spend": round(sum(v[2] for v in final.values()), 2),
        }
        if pi == LINKEDIN:
            _write_linkedin_meta(plat, drops, n_written, landing, tally)
    return totals


def _object(pi: int) -> str:
    return ("ad_stats", "insights", "ad_analytics")[pi]


def _write_google(world, plat, rep, rows, drop: Drop, landing: Path, request_ids, plan):
    cust = plat.account_id
    results: list[str] = []
    bad: list[tuple[str, str]] = []
    for a, day, j in rows:
        ad = plat.ads[a]
        camp = plat.campaigns[ad.campaign]
        metrics = []
        clicks = int(rep["clicks"][a, j])
        conv = float(rep["leads"][a, j] + rep["signups"][a, j])
        if clicks:
            metrics.append(f'"clicks":"{clicks}"')
        if conv:
            metrics.append(f'"conversions":{conv},"conversionsValue":{conv * CONVERSION_VALUE}')
        micros = int(round(float(rep["spend"][a, j]) * 100)) * 10_000
        if micros:
            metrics.append(f'"costMicros":"{micros}"')
        metrics.append(f'"impressions":"{int(rep["impressions"][a, j])}"')
        results.append(_google_result(cust, plat, camp, ad, day, ",".join(metrics)))
    for n, kind in enumerate(plan):
        src = rows[n % len(rows)] if rows else (0, (drop.day - C.WINDOW_START).days - 1, 0)
        ad = plat.ads[src[0]]
        cost = ("12O3456", "n/a")[n % 2]
        text = _google_result(
            cust,
            plat,
            plat.campaigns[ad.campaign],
            ad,
            src[1],
            f'"clicks":"1","costMicros":"{cost}","impressions":"40"',
        )
        pos = len(results) // 2
        results.insert(pos, text)
        bad.append((text, kind))
    bad = _positions(results, bad)
    batches = []
    for b in range(0, max(len(results), 1), GOOGLE_BATCH):
        chunk = results[b : b + GOOGLE_BATCH]
        batches.append(
            '{"results":['
            + ",".join(chunk)
            + f'],"fieldMask":"{GOOGLE_FIELD_MASK}",'
            + f'"requestId":"{request_ids[b // GOOGLE_BATCH % 64]}"}}'
        )
    rel = f"ads/google_ads/{drop.file_name('google_ads_search_stream.json')}"
    write_bytes(landing / rel, ("[" + ",\n".join(batches) + "]\n").encode())
    return rel, bad


def _positions(items: list[str], inserted: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """1-based positions of the inserted (text, kind) items after all insertions."""
    marks = {id(text): kind for text, kind in inserted}
    return [(i + 1, marks[id(x)]) for i, x in enumerate(items) if id(x) in marks]


def _google_result(cust, plat, camp, ad, day, metrics: str) -> str:
    return (
        f'{{"customer":{{"resourceName":"customers/{cust}","id":"{cust}","currencyCode":"{plat.currency}",'
        f'"timeZone":"{plat.time_zone}"}},"campaign":{{"resourceName":"customers/{cust}/campaigns/{camp.id}",'
        f'"id":"{camp.id}","name":"{camp.name}"}},"adGroup":{{"resourceName":"customers/{cust}/adGroups/'
        f'{ad.group_id}","id":"{ad.group_id}","name":"{ad.group_name}"}},"adGroupAd":{{"resourceName":'
        f'"customers/{cust}/adGroupAds/{ad.group_id}~{ad.id}","ad":{{"resourceName":"customers/{cust}/ads/'
        f'{ad.id}","id":"{ad.id}"}}}},"metrics":{{{metrics}}},"segments":{{"date":"{_iso(day)}"}}}}'
    )


def _write_meta(plat, rep, rows, drop: Drop, landing: Path, plan):
    items: list[str] = []
    bad: list[tuple[str, str]] = []
    for a, day, j in rows:
        items.append(_meta_row(plat, rep, a, day, j))
    for n, kind in enumerate(plan):
        a, day, j = rows[n % len(rows)] if rows else (0, 0, 0)
        text = _meta_row(plat, rep, a, day, j)
        if kind == "missing_date_start":
            text = text.replace(f'"date_start":"{_iso(day)}",', "")
        else:
            text = text.replace(f'"spend":"{float(rep["spend"][a, j]):.2f}"', '"spend":"1.234,56"')
        pos = len(items) // 2
        items.insert(pos, text)
        bad.append((text, kind))
    bad = _positions(items, bad)
    body = (
        '{"data":['
        + ",\n".join(items)
        + '],"paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"}}}\n'
    )
    rel = f"ads/meta_ads/{drop.file_name('meta_insights_ad_daily.json')}"
    write_bytes(landing / rel, body.encode())
    return rel, bad


def _meta_row(plat, rep, a: int, day: int, j: int) -> str:
    ad = plat.ads[a]
    camp = plat.campaigns[ad.campaign]
    imp = int(rep["impressions"][a, j])
    clicks = int(rep["clicks"][a, j])
    spend = float(rep["spend"][a, j])
    actions = []
    link = int(rep["link_clicks"][a, j])
    if link:
        actions.append(("link_click", link))
    lpv = int(rep["landing_views"][a, j])
    if lpv:
        actions.append(("landing_page_view", lpv))
    leads = int(rep["leads"][a, j])
    if leads:
        actions += [
            ("lead", leads),
            ("offsite_conversion.fb_pixel_lead", leads),
            ("onsite_web_lead", leads),
        ]
    sign = int(rep["signups"][a, j])
    if sign:
        actions += [
            ("complete_registration", sign),
            ("offsite_conversion.fb_pixel_complete_registration", sign),
            ("omni_complete_registration", sign),
        ]
    eng = imp // 40
    if eng:
        actions += [("page_engagement", eng + link), ("post_engagement", eng + link)]
    act = ""
    if actions:
        act = (
            ',"actions":['
            + ",".join(f'{{"action_type":"{t}","value":"{v}"}}' for t, v in actions)
            + "]"
        )
    ctr = f"{clicks / imp * 100:.6f}" if imp else "0"
    cpm = f"{spend / imp * 1000:.6f}" if imp else "0"
    return (
        f'{{"date_start":"{_iso(day)}","date_stop":"{_iso(day)}","account_id":"{plat.account_id}",'
        f'"account_currency":"{plat.currency}","campaign_id":"{camp.id}","campaign_name":"{camp.name}",'
        f'"adset_id":"{ad.group_id}","adset_name":"{ad.group_name}","ad_id":"{ad.id}","ad_name":"{ad.name}",'
        f'"impressions":"{imp}","clicks":"{clicks}","inline_link_clicks":"{link}",'
        f'"reach":"{int(rep["reach"][a, j])}","spend":"{spend:.2f}",'
        f'"ctr":"{ctr}","cpm":"{cpm}"{act}}}'
    )


def _date_range(day: int) -> str:
    d = C.WINDOW_START + timedelta(days=int(day))
    one = f'{{"day":{d.day},"month":{d.month},"year":{d.year}}}'
    return f'"dateRange":{{"end":{one},"start":{one}}}'


def _write_linkedin(plat, rep, rows, drop: Drop, landing: Path, plan, eur_usd, eur_gbp):
    items: list[str] = []
    bad: list[tuple[str, str]] = []
    for a, day, j in rows:
        items.append(_li_element(plat, rep, a, day, j, eur_usd, eur_gbp))
    for n, kind in enumerate(plan):
        a, day, j = rows[n % len(rows)] if rows else (0, 0, 0)
        text = _li_element(plat, rep, a, day, j, eur_usd, eur_gbp)
        if kind == "missing_pivot":
            text = text.replace(f',"pivotValues":["urn:li:sponsoredCreative:{plat.ads[a].id}"]', "")
        else:
            text = (
                text.split('"costInUsd":"', 1)[0]
                + '"costInUsd":"12.5.3"'
                + text.split('"costInUsd":"', 1)[1].split('"', 1)[1]
            )
        pos = len(items) // 2
        items.insert(pos, text)
        bad.append((text, kind))
    bad = _positions(items, bad)
    body = (
        '{"paging":{"start":0,"count":'
        + str(len(items))
        + ',"links":[]},"elements":['
        + ",\n".join(items)
        + "]}\n"
    )
    rel = f"ads/linkedin_ads/analytics/{drop.file_name('linkedin_ad_analytics.json')}"
    write_bytes(landing / rel, body.encode())
    return rel, bad


def _li_element(plat, rep, a: int, day: int, j: int, eur_usd, eur_gbp) -> str:
    spend = float(rep["spend"][a, j])
    # the platform sums fractional costs in floating point: long decimal tails
    local = spend * 0.3 + spend * 0.3 + spend * 0.4
    usd = local * (eur_usd[day] / eur_gbp[day])
    local_s, usd_s = (repr(local), repr(usd)) if spend else ("0", "0")
    return (
        f'{{"costInLocalCurrency":"{local_s}","costInUsd":"{usd_s}",{_date_range(day)},'
        f'"externalWebsiteConversions":{int(rep["leads"][a, j] + rep["signups"][a, j])},'
        f'"clicks":{int(rep["clicks"][a, j])},"impressions":{int(rep["impressions"][a, j])},'
        f'"landingPageClicks":{int(rep["link_clicks"][a, j])},'
        f'"pivotValues":["urn:li:sponsoredCreative:{plat.ads[a].id}"]}}'
    )


def _li_status(c, drop: Drop) -> str | None:
    if c.created_ms >= drop.cutoff_ms:
        return None
    day = (drop.day - C.WINDOW_START).days
    if day <= c.start_day:
        return "DRAFT" if day < c.start_day else "ACTIVE"
    return "ACTIVE" if day <= c.end_day + 1 else "COMPLETED"


def _write_linkedin_meta(plat, drops, n_written, landing: Path, tally: Tally) -> None:
    prev = None
    seen_c: set[str] = set()
    seen_cr: set[str] = set()
    for k in range(n_written):
        drop = drops[k]
        statuses = [(c, _li_status(c, drop)) for c in plat.campaigns]
        state = tuple((c.id, s) for c, s in statuses if s)
        if state == prev:
            continue
        prev = state
        camps, crs = [], []
        for j, (c, s) in enumerate(statuses):
            if not s:
                continue
            camps.append(
                f'{{"account":"urn:li:sponsoredAccount:{plat.account_id}","campaignGroup":'
                f'"urn:li:sponsoredCampaignGroup:{c.group_id}","costType":"CPM","dailyBudget":{{"amount":'
                f'"{c.daily_budget:.0f}","currencyCode":"{plat.currency}"}},"id":{c.id},"name":"{c.name}",'
                f'"objectiveType":"WEBSITE_CONVERSION",'
                f'"runSchedule":{{"start":{c.created_ms + 86_400_000}}},'
                f'"status":"{s}","type":"SPONSORED_UPDATES"}}'
            )
            for ad in plat.ads:
                if ad.campaign == j:
                    intended = "ACTIVE" if s in ("ACTIVE", "DRAFT") else "PAUSED"
                    crs.append(
                        f'{{"campaign":"urn:li:sponsoredCampaign:{c.id}","createdAt":{c.created_ms},'
                        f'"id":"urn:li:sponsoredCreative:{ad.id}","intendedStatus":"{intended}",'
                        f'"isServing":{"true" if s == "ACTIVE" else "false"},'
                        f'"lastModifiedAt":{c.created_ms}}}'
                    )
        live_campaigns = [c.id for c, s in statuses if s]
        live_creatives = [ad.id for ad in plat.ads if statuses[ad.campaign][1]]
        for folder, table, items, seen, ids in (
            ("campaigns", "linkedin_ads/campaigns", camps, seen_c, live_campaigns),
            ("creatives", "linkedin_ads/creatives", crs, seen_cr, live_creatives),
        ):
            rel = f"ads/linkedin_ads/{folder}/{drop.file_name(f'linkedin_ad_{folder}.json')}"
            body = (
                '{"elements":['
                + ",\n".join(items)
                + f'],"paging":{{"count":100,"links":[],"start":0,"total":{len(items)}}}}}\n'
            )
            write_bytes(landing / rel, body.encode())
            tally.add_file(rel)
            tally.records[table] += len(items)
            for i in ids:
                if i in seen:
                    tally.restatements[table] += 1
                seen.add(i)
