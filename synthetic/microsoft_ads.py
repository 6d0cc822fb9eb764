"""Microsoft Advertising: ``AdPerformanceReport`` downloads (daily aggregation, CSV
with the report header and footer left in), derived from the msclkid sessions the web
side saw, from the platform's own streams (``microsoft_ads/...``).

One file per drop, covering the days since the previous drop plus 2 or 3 restated days
(like the other platforms). Every other drop arrives as the API delivers it, a
``.zip`` holding the one ``.csv``; the others already unzipped. Rows have impressions;
clicks are at least the msclkid sessions of that ad and day, impressions at least the
clicks, spend = clicks x the ad's cost per click of the day.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from . import config as C
from .ads import day_ranges
from .output import Tally, write_bytes
from .schedule import Drop
from .streams import stream
from .world import MICROSOFT, World

PLATFORM = "microsoft_ads"
TABLE = "microsoft_ads/ad_performance"
"""``source/object`` of the raw table a loader will write (key AccountId, AdId,
TimePeriod; later wins)."""
FOLDER = "ads/microsoft_ads"
COLUMNS = (
    "TimePeriod",
    "AccountId",
    "AccountName",
    "CampaignId",
    "CampaignName",
    "AdGroupId",
    "AdGroupName",
    "AdId",
    "CurrencyCode",
    "Impressions",
    "Clicks",
    "Spend",
    "Conversions",
)
TIME_ZONE = "(GMT-08:00) Pacific Time (US & Canada); Tijuana"
FOOTER = "©2026 Microsoft Corporation. All rights reserved. "
BOM = "\ufeff"


@dataclass
class MicrosoftStats:
    """Final (settled) statistics per [ad, day]; day 0 = WINDOW_START (Pacific time)."""

    impressions: np.ndarray
    clicks: np.ndarray
    sessions: np.ndarray
    cpc: np.ndarray  # USD per click, whole cents
    conversions: np.ndarray


def daily_stats(
    world: World, sessions: np.ndarray, leads: np.ndarray, signups: np.ndarray, seed: int
) -> MicrosoftStats:
    rng = stream(seed, PLATFORM, "daily_stats")
    plat = world.platforms[MICROSOFT]
    n_ads, n = len(plat.ads), C.N_DAYS
    sess = sessions[:, :n].astype(np.int64)
    active = np.zeros((n_ads, n), dtype=bool)
    for a, ad in enumerate(plat.ads):
        c = plat.campaigns[ad.campaign]
        active[a, c.start_day : min(c.end_day, n - 1) + 1] = True
    active |= sess > 0
    ctr = np.array([ad.ctr for ad in plat.ads])[:, None]
    price = np.array([ad.price for ad in plat.ads])[:, None]
    clicks = sess + rng.poisson(sess * 0.25 + active * 0.02)
    noise = np.exp(rng.normal(0, 0.2, (n_ads, n)))
    imp = np.where(active, np.maximum(np.round((clicks + 0.4) / ctr * noise), clicks), 0)
    cpc = np.maximum(np.round(price * np.exp(rng.normal(0, 0.15, (n_ads, n))), 2), 0.05)
    return MicrosoftStats(
        imp.astype(np.int64),
        clicks.astype(np.int64),
        sess,
        cpc,
        (leads[:, :n] + signups[:, :n]).astype(np.int64),
    )


def _reported(stats: MicrosoftStats, drop: Drop, first: int, last: int, rng: np.random.Generator):
    """Values of days ``first..last`` as reported in ``drop``: days up to 3 days old are
    still settling (a little lower than final), never below the sessions seen."""
    n_ads = stats.impressions.shape[0]
    days = np.arange(first, last + 1)
    age = (drop.day - C.WINDOW_START).days - days
    u = rng.random((n_ads, len(days)))
    settling = np.where(age <= 3, (4 - age) / 3, 0.0)[None, :]
    f = 1 - u * 0.08 * settling
    fc = 1 - u * 0.3 * settling
    sl = np.s_[:, first : last + 1]
    clicks = np.maximum(np.floor(stats.clicks[sl] * f), stats.sessions[sl]).astype(np.int64)
    imp = np.maximum(np.floor(stats.impressions[sl] * f), clicks).astype(np.int64)
    return {
        "days": days,
        "impressions": imp,
        "clicks": clicks,
        "spend": np.round(clicks * stats.cpc[sl], 2),
        "conversions": np.floor(stats.conversions[sl] * fc).astype(np.int64),
    }


def mdy(d: date) -> str:
    """``3/1/2026``: the report's date format (no zero padding)."""
    return f"{d.month}/{d.day}/{d.year}"


def _day(i: int) -> date:
    return C.WINDOW_START + timedelta(days=int(i))


def file_stem(drop: Drop) -> str:
    return drop.file_name("microsoft_ads_ad_performance")


def zipped(drop: Drop) -> bool:
    """Every other drop comes zipped, as the Reporting API delivers it."""
    return drop.index % 2 == 1


def with_bom(drop: Drop) -> bool:
    """Zipped downloads begin with a byte-order mark; of the unzipped files, every
    other one too (the rest were saved again without it)."""
    return zipped(drop) or drop.index % 4 == 0


def report_text(rows: list[tuple[str, ...]], first: date, last: date, bom: bool) -> str:
    """The whole CSV download: metadata block, blank line, header and rows, blank
    line, footer; every value quoted, CRLF line ends."""

    def line(values) -> str:
        return '"' + '","'.join(v.replace('"', '""') for v in values) + '"'

    meta = [
        "Report Name: Ad performance",
        f"Report Time: {mdy(first)},{mdy(last)}",
        f"Time Zone: {TIME_ZONE}",
        f"Last Completed Available Day: {mdy(last)} 11:00:00 PM {TIME_ZONE}",
        "Report Aggregation: Daily",
        "Report Filter: ",
        "Potential Incomplete Data: false",
        f"Rows: {len(rows)}",
    ]
    lines = [line([m]) for m in meta] + ["", line(COLUMNS)]
    lines += [line(r) for r in rows]
    lines += ["", line([FOOTER])]
    return (BOM if bom else "") + "\r\n".join(lines) + "\r\n"


def zip_bytes(name: str, data: bytes, drop: Drop) -> bytes:
    """A zip archive holding ``name``: fixed timestamp and attributes (deterministic)."""
    info = zipfile.ZipInfo(name, date_time=(drop.day.year, drop.day.month, drop.day.day, 6, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0
    info.external_attr = 0
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(info, data)
    return buf.getvalue()


def write_microsoft(
    world: World,
    stats: MicrosoftStats,
    drops: tuple[Drop, ...],
    n_written: int,
    landing: Path,
    seed: int,
    tally: Tally,
) -> dict[str, float | str]:
    """Write one report per drop; return the settled totals after later-wins."""
    plat = world.platforms[MICROSOFT]
    account_name = plat.extra["account_name"]
    ranges = day_ranges(drops, seed, PLATFORM)
    final: dict[tuple[int, int], tuple[int, int, float]] = {}
    for k in range(n_written):
        drop = drops[k]
        first, last = ranges[k]
        rep = _reported(stats, drop, first, last, stream(seed, PLATFORM, "reported", k))
        rows: list[tuple[str, ...]] = []
        for j, day in enumerate(rep["days"].tolist()):
            for a, ad in enumerate(plat.ads):
                imp = int(rep["impressions"][a, j])
                if imp <= 0:
                    continue
                camp = plat.campaigns[ad.campaign]
                clicks, spend = int(rep["clicks"][a, j]), float(rep["spend"][a, j])
                rows.append(
                    (
                        mdy(_day(day)),
                        plat.account_id,
                        account_name,
                        camp.id,
                        camp.name,
                        ad.group_id,
                        ad.group_name,
                        ad.id,
                        plat.currency,
                        str(imp),
                        str(clicks),
                        f"{spend:.2f}",
                        str(int(rep["conversions"][a, j])),
                    )
                )
                key = (a, day)
                if key in final:
                    tally.restatements[TABLE] += 1
                final[key] = (imp, clicks, spend)
        data = report_text(rows, _day(first), _day(last), with_bom(drop)).encode("utf-8")
        stem = file_stem(drop)
        if zipped(drop):
            rel = f"{FOLDER}/{stem}.zip"
            data = zip_bytes(f"{stem}.csv", data, drop)
        else:
            rel = f"{FOLDER}/{stem}.csv"
        write_bytes(landing / rel, data)
        tally.add_file(rel)
        tally.records[TABLE] += len(rows)
    return {
        "currency": plat.currency,
        "impressions": sum(v[0] for v in final.values()),
        "clicks": sum(v[1] for v in final.values()),
        "spend": round(sum(v[2] for v in final.values()), 2),
    }
