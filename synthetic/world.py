"""The shared part of the world: ad accounts and campaigns, email single sends and CRM
users. It is built once from the seed and handed (pickled) to every chunk worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .config import DAY_MS, HOUR_MS, N_DAYS, WINDOW_START, WINDOW_START_MS, ms_of
from .ids import digit_ids, hex_ids, sf_id, uuid4s
from .streams import stream

N_DAY_SLOTS = N_DAYS + 1
"""UTC days that carry web activity: WINDOW_START .. WINDOW_END (morning only)."""

PLATFORMS = ("google_ads", "meta_ads", "linkedin_ads", "microsoft_ads")
"""Ad platforms of the world, in ``World.platforms`` order (each also the ``source`` of
its raw tables in ``ingestion.registry``)."""
GOOGLE, META, LINKEDIN, MICROSOFT = 0, 1, 2, 3


def day_index(d: date) -> int:
    return (d - WINDOW_START).days


@dataclass
class Campaign:
    id: str
    name: str
    start_day: int
    end_day: int
    """Last active day (inclusive, day index)."""
    weight: float
    landing_path: str
    utm_campaign: str
    """What the campaign's tracking template puts into utm_campaign."""
    group_id: str
    group_name: str
    daily_budget: float
    created_ms: int


@dataclass
class Ad:
    id: str
    name: str
    campaign: int
    group_id: str
    group_name: str
    ctr: float
    price: float
    """Google/LinkedIn/Microsoft: cost per click; Meta: cost per 1000 impressions."""


@dataclass
class AdPlatform:
    key: str
    account_id: str
    currency: str
    time_zone: str
    campaigns: list[Campaign]
    ads: list[Ad]
    extra: dict = field(default_factory=dict)

    def campaign_weights(self) -> np.ndarray:
        """[day slot, campaign] traffic weights (0 while a campaign is not running)."""
        w = np.zeros((N_DAY_SLOTS, len(self.campaigns)))
        for j, c in enumerate(self.campaigns):
            w[c.start_day : c.end_day + 1, j] = c.weight
        return w

    def ads_of(self, campaign: int) -> list[int]:
        return [i for i, a in enumerate(self.ads) if a.campaign == campaign]


@dataclass
class SingleSend:
    id: str
    name: str
    send_at_ms: int
    template_id: str
    category: str | list[str]
    audience_share: float
    customers_only: bool
    link_paths: tuple[str, ...]


@dataclass
class SfUser:
    id: str
    name: str
    email: str
    role_id: str
    manager_id: str
    kind: str
    """``sdr`` owns leads, ``ae`` owns accounts and opportunities, ``other`` neither."""
    created_ms: int
    deactivated_ms: int | None


@dataclass
class World:
    seed: int
    platforms: list[AdPlatform]
    sends: list[SingleSend]
    users: list[SfUser]
    salesforce_campaign_ids: list[str]


def _dr(start: str, end: str | None) -> tuple[int, int]:
    s = day_index(date.fromisoformat(start))
    e = day_index(date.fromisoformat(end)) if end else N_DAY_SLOTS - 1
    return s, e


def _google(rng: np.random.Generator) -> AdPlatform:
    specs = [
        # name, start, end, weight, landing, tagging, ad group themes
        (
            "Search - Brand - US",
            "2026-01-01",
            None,
            3.0,
            "/",
            "name",
            ("Brand Exact", "Brand Phrase"),
        ),
        ("Search - Brand - EMEA", "2026-01-01", None, 1.5, "/", "name", ("Brand UK", "Brand DACH")),
        (
            "Search - Generic - Marketing Attribution",
            "2026-01-01",
            None,
            3.0,
            "/lp/marketing-attribution",
            "lower",
            ("Attribution Software", "Multi-touch"),
        ),
        (
            "Search - Competitors - US",
            "2026-01-01",
            "2026-06-30",
            1.5,
            "/lp/marketing-attribution",
            "name",
            ("Competitor A", "Competitor B"),
        ),
        (
            "PMax - Trial Signups",
            "2026-03-02",
            None,
            2.0,
            "/signup",
            "id",
            ("Asset Group 1", "Asset Group 2"),
        ),
        (
            "Search - Generic - Customer Journey Analytics",
            "2026-05-04",
            None,
            2.0,
            "/lp/customer-journey-analytics",
            "id",
            ("Journey Analytics", "Funnel Analytics"),
        ),
    ]
    cids = digit_ids(rng, len(specs), 11)
    gids = digit_ids(rng, 2 * len(specs), 12)
    aids = digit_ids(rng, 4 * len(specs), 12)
    campaigns, ads = [], []
    for j, (name, s, e, w, landing, tag, groups) in enumerate(specs):
        sd, ed = _dr(s, e)
        utm = {"name": name, "lower": name.lower(), "id": cids[j]}[tag]
        campaigns.append(
            Campaign(
                cids[j],
                name,
                sd,
                ed,
                w,
                landing,
                utm,
                "",
                "",
                float(rng.choice([150, 250, 400])),
                WINDOW_START_MS + sd * DAY_MS - 30 * DAY_MS,
            )
        )
        for g in range(2):
            for k in range(2):
                ctr = float(
                    rng.uniform(0.07, 0.12) if "Brand" in name else rng.uniform(0.025, 0.06)
                )
                cpc = float(rng.uniform(1.2, 2.5) if "Brand" in name else rng.uniform(3.5, 8.0))
                ads.append(
                    Ad(
                        aids[4 * j + 2 * g + k],
                        f"RSA {g + 1}.{k + 1}",
                        j,
                        gids[2 * j + g],
                        groups[g],
                        ctr,
                        cpc,
                    )
                )
    return AdPlatform("google_ads", "4817263950", "USD", "America/New_York", campaigns, ads)


def _meta(rng: np.random.Generator) -> AdPlatform:
    specs = [
        (
            "Prospecting - Lookalike - Demo Requests",
            "2026-01-01",
            None,
            2.0,
            "/demo",
            "id",
            ("LAL 1% - Demo", "Interests - Marketing Ops"),
        ),
        (
            "Retargeting - Website Visitors 30d",
            "2026-01-01",
            None,
            1.5,
            "/pricing",
            "id",
            ("Site Visitors 30d", "Pricing Visitors 14d"),
        ),
        (
            "Ebook - B2B Attribution Guide",
            "2026-03-02",
            "2026-07-31",
            2.0,
            "/resources/ebook-b2b-attribution",
            "name",
            ("Marketers US", "Marketers EU"),
        ),
        (
            "Webinar - Attribution 101",
            "2026-04-13",
            "2026-05-20",
            2.5,
            "/webinars/attribution-101",
            "name",
            ("Webinar - Broad", "Webinar - Lookalike"),
        ),
    ]
    cids = digit_ids(rng, len(specs), 18)
    sids = digit_ids(rng, 2 * len(specs), 18)
    aids = digit_ids(rng, 4 * len(specs), 18)
    campaigns, ads = [], []
    for j, (name, s, e, w, landing, tag, sets) in enumerate(specs):
        sd, ed = _dr(s, e)
        utm = name if tag == "name" else cids[j]
        campaigns.append(
            Campaign(
                cids[j],
                name,
                sd,
                ed,
                w,
                landing,
                utm,
                "",
                "",
                float(rng.choice([80, 120, 200])),
                WINDOW_START_MS + sd * DAY_MS - 7 * DAY_MS,
            )
        )
        for g in range(2):
            for k in range(2):
                fmt = ("Carousel", "Single Image", "Video")[int(rng.integers(0, 3))]
                ads.append(
                    Ad(
                        aids[4 * j + 2 * g + k],
                        f"{fmt} {chr(65 + k)} - {sets[g]}",
                        j,
                        sids[2 * j + g],
                        sets[g],
                        float(rng.uniform(0.008, 0.016)),
                        float(rng.uniform(9.0, 18.0)),
                    )
                )
    return AdPlatform(
        "meta_ads", digit_ids(rng, 1, 15)[0], "EUR", "Europe/Amsterdam", campaigns, ads
    )


def _linkedin(rng: np.random.Generator) -> AdPlatform:
    groups = digit_ids(rng, 2, 9)
    group_names = ("Always On", "Content Programs")
    specs = [
        (
            "ABM - Enterprise Accounts - Sponsored Content",
            "2026-01-01",
            None,
            2.0,
            "/lp/abm-analytics",
            "name",
            0,
        ),
        ("Lead Gen - Marketing Ops Titles", "2026-01-01", None, 2.0, "/demo", "name", 0),
        (
            "Thought Leadership - Benchmark Report 2026",
            "2026-02-09",
            "2026-08-31",
            1.5,
            "/resources/benchmark-report-2026",
            "name",
            1,
        ),
        ("Retargeting - Pricing Visitors", "2026-05-04", None, 1.0, "/pricing", "id", 1),
    ]
    cids = digit_ids(rng, len(specs), 9)
    crids = digit_ids(rng, 3 * len(specs), 9)
    campaigns, ads = [], []
    for j, (name, s, e, w, landing, tag, g) in enumerate(specs):
        sd, ed = _dr(s, e)
        utm = name if tag == "name" else cids[j]
        campaigns.append(
            Campaign(
                cids[j],
                name,
                sd,
                ed,
                w,
                landing,
                utm,
                groups[g],
                group_names[g],
                float(rng.choice([100, 150, 250])),
                WINDOW_START_MS + sd * DAY_MS - 3 * DAY_MS + 11 * HOUR_MS,
            )
        )
        for k in range(3):
            ads.append(
                Ad(
                    crids[3 * j + k],
                    f"Creative {k + 1}",
                    j,
                    groups[g],
                    group_names[g],
                    float(rng.uniform(0.004, 0.009)),
                    float(rng.uniform(5.0, 11.0)),
                )
            )
    account = digit_ids(rng, 1, 9)[0]
    return AdPlatform("linkedin_ads", account, "GBP", "UTC", campaigns, ads)


def _microsoft(rng: np.random.Generator) -> AdPlatform:
    """Microsoft Advertising (Bing search): one USD account on Pacific time; its
    tracking template tags utm_campaign with the campaign name."""
    specs = [
        ("Bing - Brand - US", "2026-01-01", None, 3.0, "/", ("Brand Exact", "Brand Phrase")),
        (
            "Bing - Generic - Marketing Attribution",
            "2026-01-01",
            None,
            2.0,
            "/lp/marketing-attribution",
            ("Attribution Software", "Multi-touch Attribution"),
        ),
        (
            "Bing - Generic - Customer Journey Analytics",
            "2026-05-11",
            None,
            1.5,
            "/lp/customer-journey-analytics",
            ("Journey Analytics", "Funnel Analytics"),
        ),
    ]
    account = digit_ids(rng, 1, 9)[0]
    cids = digit_ids(rng, len(specs), 9)
    gids = digit_ids(rng, 2 * len(specs), 13)
    aids = digit_ids(rng, 4 * len(specs), 14)
    campaigns, ads = [], []
    for j, (name, s, e, w, landing, groups) in enumerate(specs):
        sd, ed = _dr(s, e)
        campaigns.append(
            Campaign(
                cids[j],
                name,
                sd,
                ed,
                w,
                landing,
                name,
                "",
                "",
                float(rng.choice([50, 100, 150])),
                WINDOW_START_MS + sd * DAY_MS - 14 * DAY_MS,
            )
        )
        brand = "Brand" in name
        for g in range(2):
            for k in range(2):
                ads.append(
                    Ad(
                        aids[4 * j + 2 * g + k],
                        f"Responsive Search Ad {g + 1}.{k + 1}",
                        j,
                        gids[2 * j + g],
                        groups[g],
                        float(rng.uniform(0.08, 0.14) if brand else rng.uniform(0.03, 0.07)),
                        float(rng.uniform(0.9, 1.8) if brand else rng.uniform(2.8, 6.5)),
                    )
                )
    return AdPlatform(
        "microsoft_ads",
        account,
        "USD",
        "America/Los_Angeles",
        campaigns,
        ads,
        {"account_name": "Acme Cloud"},
    )


NEWSLETTER_TOPICS = (
    "Attribution tips",
    "Funnel benchmarks",
    "UTM hygiene",
    "Identity resolution",
    "CAC payback",
    "Product updates",
    "Customer stories",
    "Board reporting",
    "Pipeline math",
    "Lead scoring",
)


def _sends(rng: np.random.Generator) -> list[SingleSend]:
    sends: list[tuple[str, date, int, str | list[str], float, bool, tuple[str, ...]]] = []
    d = date(2026, 1, 13)
    k = 0
    while d <= date(2026, 9, 29):
        topic = NEWSLETTER_TOPICS[k % len(NEWSLETTER_TOPICS)]
        sends.append(
            (
                f"Newsletter {d.isoformat()}: {topic}",
                d,
                15,
                ["newsletter", "product-updates"],
                1.0,
                False,
                (
                    "/blog/cac-payback-explained",
                    "/blog/identity-resolution-101",
                    "/product/journeys",
                ),
            )
        )
        d += timedelta(days=14)
        k += 1
    sends += [
        (
            "Benchmark Report 2026 - Launch",
            date(2026, 2, 17),
            14,
            "content",
            0.7,
            False,
            ("/resources/benchmark-report-2026",),
        ),
        (
            "Webinar Invite - Attribution 101",
            date(2026, 4, 14),
            16,
            "webinar",
            0.6,
            False,
            ("/webinars/attribution-101",),
        ),
        (
            "Webinar Reminder - Attribution 101",
            date(2026, 4, 28),
            9,
            "webinar",
            0.6,
            False,
            ("/webinars/attribution-101",),
        ),
        (
            "Product Launch - Journey Maps",
            date(2026, 6, 9),
            15,
            ["product", "launch"],
            1.0,
            False,
            ("/product/journeys", "/pricing"),
        ),
        (
            "Customer Event Invite - Journey Summit",
            date(2026, 8, 18),
            14,
            "event",
            1.0,
            True,
            ("/webinars/attribution-101",),
        ),
    ]
    sends.sort(key=lambda s: (s[1], s[0]))
    ids = uuid4s(rng, len(sends))
    templates = hex_ids(rng, len(sends))
    return [
        SingleSend(ids[i], name, ms_of(d, hour), f"d-{templates[i]}", cat, share, cust, links)
        for i, (name, d, hour, cat, share, cust, links) in enumerate(sends)
    ]


def _users() -> list[SfUser]:
    spec = [
        # name, kind, role, manager index, created, deactivated
        ("Dana Whitfield", "other", 0, None, "2023-03-01", None),
        ("Marco Rossi", "other", 1, 0, "2023-05-15", None),
        ("Priya Raman", "other", 2, 0, "2023-06-01", None),
        ("Tom Becker", "sdr", 3, 2, "2024-02-05", None),
        ("Aisha Khan", "sdr", 3, 2, "2024-06-10", None),
        ("Liam O'Neill", "sdr", 3, 2, "2025-01-13", None),
        ("Sofia Lindqvist", "sdr", 3, 2, "2026-04-06", None),
        ("Jack Morrison", "ae", 4, 1, "2023-09-04", None),
        ("Hannah Vogel", "ae", 4, 1, "2024-03-18", None),
        ("Carlos Mendes", "ae", 4, 1, "2024-11-04", "2026-06-12"),
        ("Emily Chen", "ae", 4, 1, "2025-02-03", None),
        ("Marketing Ops Integration", "other", 5, 0, "2023-03-02", None),
    ]
    roles = [sf_id("UserRole", 1000 + i) for i in range(6)]
    ids = [sf_id("User", 5000 + i) for i in range(len(spec))]
    users = []
    for i, (name, kind, role, mgr, created, deact) in enumerate(spec):
        email = (
            "mktops@acmecloud.example"
            if kind == "other" and i == 11
            else (name.lower().replace("'", "").replace(" ", ".") + "@acmecloud.example")
        )
        users.append(
            SfUser(
                ids[i],
                name,
                email,
                roles[role],
                ids[mgr] if mgr is not None else "",
                kind,
                ms_of(date.fromisoformat(created), 9),
                ms_of(date.fromisoformat(deact), 17) if deact else None,
            )
        )
    return users


def build_world(seed: int) -> World:
    """Each platform's accounts and campaigns, and the single sends, from their own
    streams (``stream(seed, <source>, "world")``)."""
    platforms = [
        _google(stream(seed, "google_ads", "world")),
        _meta(stream(seed, "meta_ads", "world")),
        _linkedin(stream(seed, "linkedin_ads", "world")),
        _microsoft(stream(seed, "microsoft_ads", "world")),
    ]
    sends = _sends(stream(seed, "sendgrid", "world"))
    campaigns = [sf_id("Campaign", 7000 + i) for i in range(3)]
    return World(seed, platforms, sends, _users(), campaigns)


def active_users(world: World, kind: str, t_ms: int) -> list[SfUser]:
    """Users of ``kind`` employed at ``t_ms``."""
    return [
        u
        for u in world.users
        if u.kind == kind
        and u.created_ms <= t_ms
        and (u.deactivated_ms is None or t_ms < u.deactivated_ms)
    ]
