"""Persons of one chunk and their web sessions (vectorised with numpy).

A chunk is an independent slice of the population with its own companies, its own
named random streams (``streams.stream(seed, <name>, ..., chunk)``) and its own CRM
records, so chunks can be simulated in any order or in parallel and the output only
depends on (scale, seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import numpy as np

from . import config as C
from . import pools
from .ids import b64_tokens, hex_ids, uuid4s
from .streams import stream
from .world import GOOGLE, LINKEDIN, META, MICROSOFT, N_DAY_SLOTS, World

# session channels (as simulated, i.e. what the visitor actually did)
CH_DIRECT, CH_ORGANIC, CH_SOCIAL, CH_REFERRAL = 0, 1, 2, 3
CH_GOOGLE, CH_META, CH_LINKEDIN, CH_BING, CH_DISPLAY, CH_EMAIL = 4, 5, 6, 7, 8, 9
CHANNEL_NAMES = (
    "direct",
    "organic",
    "social",
    "referral",
    "google_ads",
    "meta_ads",
    "linkedin_ads",
    "microsoft_ads",
    "display",
    "email",
)
"""Stream names of the channels' own draws (landing pages)."""
PAID_PLATFORM = {CH_GOOGLE: GOOGLE, CH_META: META, CH_LINKEDIN: LINKEDIN, CH_BING: MICROSOFT}
FIRST_SESSION_MIX = (0.18, 0.25, 0.06, 0.07, 0.22, 0.10, 0.08, 0.02, 0.02)
RETURN_SESSION_MIX = (0.36, 0.25, 0.05, 0.05, 0.14, 0.05, 0.05, 0.02, 0.03)
CUSTOMER_SESSION_MIX = (0.70, 0.20, 0.02, 0.03, 0.05, 0.0, 0.0, 0.0, 0.0)

# event slot types
EV_PAGE, EV_LOGIN_IDENTIFY, EV_TRACK, EV_LEAD_TRACK, EV_LEAD_IDENTIFY = 0, 1, 2, 3, 4

FORM_IDS = tuple(f for f, _ in pools.FORMS)
LEAD_FORMS = tuple(name for name, _ in C.LEAD_FORM_MIX)


def _weighted(rng: np.random.Generator, pairs, n: int) -> np.ndarray:
    w = np.array([p[1] for p in pairs], dtype=float)
    return rng.choice(len(pairs), size=n, p=w / w.sum())


def day_weights() -> np.ndarray:
    """Traffic by UTC day: growing through the year, weekends at 45%."""
    d = np.arange(N_DAY_SLOTS)
    weekday = (C.WINDOW_START.weekday() + d) % 7
    w = (1.0 + 0.6 * d / N_DAY_SLOTS) * np.where(weekday >= 5, 0.45, 1.0)
    return w / w.sum()


def sample_times(rng: np.random.Generator, tz_group: np.ndarray, day_w: np.ndarray) -> np.ndarray:
    """Unix ms: a day by ``day_w`` and a time of day around office hours of the person's
    region (``tz_group`` 0 Americas: ~17:00 UTC, 1 Europe: ~12:00 UTC)."""
    n = len(tz_group)
    day = rng.choice(len(day_w), size=n, p=day_w)
    centre = np.where(tz_group == 1, 12.0, 17.5)
    hours = np.where(rng.random(n) < 0.85, rng.normal(centre, 2.6), rng.uniform(0, 24, n)) % 24
    return C.WINDOW_START_MS + day * C.DAY_MS + (hours * C.HOUR_MS).astype(np.int64)


def segmented_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting for each group of ``counts`` consecutive items."""
    if len(values) == 0:
        return values.copy()
    c = np.cumsum(values)
    starts = np.cumsum(counts) - counts
    excl = c - values
    base = excl[np.minimum(starts, len(values) - 1)]
    return c - np.repeat(base, counts)


def company_identity(global_index: int) -> tuple[str, str]:
    """Name and email domain of company ``global_index``: a bijection onto the pools'
    combinations (numbered beyond them), so companies of different chunks never share
    a domain and hence persons never share an email."""
    a, b, c = len(pools.COMPANY_PREFIXES), len(pools.COMPANY_CORES), len(pools.COMPANY_SUFFIXES)
    combos = a * b * c
    round_, k = divmod(global_index, combos)
    k = (k * 7919 + 104_729) % combos  # coprime multiplier: a fixed shuffle
    i, rest = divmod(k, b * c)
    j, s = divmod(rest, c)
    prefix, core, suffix = (
        pools.COMPANY_PREFIXES[i],
        pools.COMPANY_CORES[j],
        pools.COMPANY_SUFFIXES[s],
    )
    name = f"{prefix}{core} {suffix}"
    tld = pools.COMPANY_TLDS[(i + j + s) % len(pools.COMPANY_TLDS)]
    host = f"{prefix}{core}".lower()
    if round_:
        name += f" {round_ + 1}"
        host += str(round_ + 1)
    if (i + s) % 3 == 0:
        host += suffix.lower()
    return name, host + tld


@dataclass
class Sessions:
    """Flat session table (one row per session)."""

    person: np.ndarray
    start: np.ndarray
    channel: np.ndarray
    campaign: np.ndarray  # campaign index on the session's platform, or -1
    ad: np.ndarray  # ad index on the platform, or -1
    send: np.ndarray  # single send index (email sessions), or -1
    n_pages: np.ndarray
    login: np.ndarray  # bool: starts with a login identify
    extra_track: np.ndarray  # bool
    lead: np.ndarray  # bool: the lead-form session
    server: np.ndarray  # bool: tracked server-side (no context.page)
    device: np.ndarray  # 0 or 1

    def take(self, idx: np.ndarray) -> Sessions:
        return Sessions(*(getattr(self, f)[idx] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(parts: list[Sessions]) -> Sessions:
        return Sessions(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in Sessions.__dataclass_fields__)
        )

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Events:
    """Flat event table, grouped by session in session order."""

    session: np.ndarray
    kind: np.ndarray
    offset: np.ndarray  # ms after session start
    page_ordinal: np.ndarray  # for page events; for others the current page's ordinal
    path: np.ndarray  # page index into pools.PAGES (current page)
    last_page: np.ndarray  # index (in this table) of the current page's event
    duration: np.ndarray  # per session: offset of the last event


class Population:
    """The persons of one chunk."""

    def __init__(self, rng: np.random.Generator, p0: int, n: int) -> None:
        self.p0, self.n = p0, n
        kind = rng.choice(len(C.KIND_SHARES), size=n, p=np.array(C.KIND_SHARES))
        self.kind = kind
        self.first = rng.integers(0, len(pools.FIRST_NAMES), n)
        self.last = rng.integers(0, len(pools.LAST_NAMES), n)
        self.title = rng.integers(0, len(pools.TITLES), n)

        # companies: the first ones are the pre-window customers
        n_comp = max(2, n // 5)
        n_cust = int((kind == C.KIND_CUSTOMER).sum())
        n_cust_comp = min(n_comp - 1, max(1, round(n_cust / 2.5)))
        self.n_companies, self.n_customer_companies = n_comp, n_cust_comp
        cw = np.array([c[1] for c in pools.COUNTRIES])
        self.comp_country = rng.choice(len(pools.COUNTRIES), size=n_comp, p=cw / cw.sum())
        self.comp_industry = rng.integers(0, len(pools.INDUSTRIES), n_comp)
        self.comp_employees = np.round(np.exp(rng.normal(5.3, 1.3, n_comp))).astype(np.int64) + 5
        self.comp_name, self.comp_domain = zip(
            *(company_identity(p0 + j) for j in range(n_comp)), strict=True
        )
        size_w = np.exp(rng.normal(0, 1.0, n_comp))
        company = rng.choice(n_comp, size=n, p=size_w / size_w.sum())
        cust_idx = np.flatnonzero(kind == C.KIND_CUSTOMER)
        company[cust_idx] = np.concatenate(
            [
                np.arange(min(n_cust_comp, len(cust_idx))),
                rng.integers(0, n_cust_comp, max(0, len(cust_idx) - n_cust_comp)),
            ]
        )[: len(cust_idx)]
        self.company = company
        self.tz_group = np.array([pools.COUNTRIES[c][3] for c in self.comp_country])[company]

        self.web = np.isin(kind, (C.KIND_ANON, C.KIND_WEB_LEAD, C.KIND_SUBSCRIBER)) | (
            (kind == C.KIND_CUSTOMER) & (rng.random(n) < C.CUSTOMER_WEB_RATE)
        )
        self.will_lead = (kind == C.KIND_WEB_LEAD) | (
            (kind == C.KIND_SUBSCRIBER) & (rng.random(n) < C.SUBSCRIBER_LEAD_RATE)
        )
        form_p = np.array([p for _, p in C.LEAD_FORM_MIX])
        self.lead_form = np.where(self.will_lead, rng.choice(len(form_p), size=n, p=form_p), -1)
        self.form_id = rng.choice(len(FORM_IDS), size=n, p=np.array(pools.FORM_WEIGHTS))
        self.signup = self.lead_form == LEAD_FORMS.index("Signed Up")
        self.newsletter_opt_in = rng.random(n) < C.WEB_LEAD_NEWSLETTER_OPT_IN
        self.personal = rng.random(n) < C.PERSONAL_EMAIL_RATE
        self.email = self._emails()
        # how the email is typed on the website (mostly lower case) and in the CRM
        r = rng.random(n)
        self.email_web = [
            e if r[i] > 0.05 else _title_case_email(e) for i, e in enumerate(self.email)
        ]
        variant_rate = np.where(kind == C.KIND_CRM_ONLY, 0.3, C.SF_EMAIL_VARIANT_RATE)
        vr, vk = rng.random(n), rng.integers(0, 4, n)
        self.email_crm = [
            _email_variant(e, int(vk[i])) if vr[i] < variant_rate[i] else e
            for i, e in enumerate(self.email)
        ]
        self.email_esp = [
            e.upper() if (kind[i] == C.KIND_CRM_ONLY and vr[i] < 0.05) else e
            for i, e in enumerate(self.email)
        ]
        self.anon = [uuid4s(rng, n), uuid4s(rng, n)]
        self.user_id = [f"usr_{h}" for h in hex_ids(rng, n, 8)]
        self.ua = _weighted(rng, pools.USER_AGENTS, n)
        self.ua2 = _weighted(rng, pools.USER_AGENTS, n)
        self.ip = rng.integers(0, 2**32, n, dtype=np.int64)
        self.clock_skew = np.where(
            rng.random(n) < 0.03, rng.normal(0, 20 * C.MINUTE_MS, n), rng.normal(0, 2000, n)
        ).astype(np.int64)
        self.local_offset_ts = (rng.random(n) < 0.15) & (self.tz_group == 1)
        """Browsers that send originalTimestamp/sentAt with a +01:00/+02:00 offset."""
        self.engagement = rng.beta(1.3, 2.6, n)
        self.machine_opener = rng.random(n) < 0.3

    def _emails(self) -> list[str]:
        seen: set[str] = set()
        out = []
        for i in range(self.n):
            first = pools.ascii_fold(pools.FIRST_NAMES[self.first[i]])
            last = pools.ascii_fold(pools.LAST_NAMES[self.last[i]])
            if self.personal[i]:
                domain = pools.PERSONAL_DOMAINS[(self.p0 + i) % len(pools.PERSONAL_DOMAINS)]
                out.append(f"{first}.{last}{self.p0 + i}@{domain}")
                continue
            domain = self.comp_domain[self.company[i]]
            style = (self.p0 + i) % 5
            local = (
                f"{first}.{last}",
                f"{first[0]}{last}",
                f"{first}",
                f"{first}_{last}",
                f"{first}.{last}",
            )[style]
            cand, k = f"{local}@{domain}", 1
            while cand in seen:
                k += 1
                cand = f"{local}{k}@{domain}"
            seen.add(cand)
            out.append(cand)
        return out

    def full_name(self, i: int) -> tuple[str, str]:
        return pools.FIRST_NAMES[self.first[i]], pools.LAST_NAMES[self.last[i]]

    def ip_str(self, i: int, salt: int = 0) -> str:
        v = int(self.ip[i]) ^ (salt * 2654435761 & 0xFF)
        return f"{(v >> 24) % 223 + 1}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}"


def _title_case_email(e: str) -> str:
    local, domain = e.split("@", 1)
    return (
        ".".join(p[:1].upper() + p[1:] for p in local.split("."))
        + "@"
        + domain[:1].upper()
        + domain[1:]
    )


def _email_variant(e: str, k: int) -> str:
    if k == 0:
        return _title_case_email(e)
    if k == 1:
        return e + " "
    if k == 2:
        return "  " + e.upper()
    return " " + _title_case_email(e)


def plan_sessions(
    rng: np.random.Generator, pop: Population, world: World
) -> tuple[Sessions, np.ndarray, Events]:
    """Non-email web sessions of every web person, in time order per person.

    Returns the session table, ``lead_ordinal`` per person (-1: no lead session) and the
    sessions' events (whose durations space the sessions)."""
    n = pop.n
    web, lead = pop.web, pop.will_lead
    n_before = np.where(lead, rng.geometric(0.45, n) - 1, 0)
    n_after = np.where(lead, rng.geometric(0.3, n) - 1, 0)
    base = np.select(
        [pop.kind == C.KIND_ANON, pop.kind == C.KIND_SUBSCRIBER, pop.kind == C.KIND_CUSTOMER],
        [rng.geometric(0.3, n), rng.geometric(0.5, n) - 1, rng.geometric(0.12, n)],
        rng.geometric(0.3, n),
    )
    n_sess = np.where(lead, n_before + 1 + n_after, base)
    n_sess = np.minimum(np.where(web, n_sess, 0), 30)
    lead_ord = np.where(lead & web, n_before, -1)

    total = int(n_sess.sum())
    person = np.repeat(np.arange(n), n_sess)
    ordinal = np.arange(total) - np.repeat(np.cumsum(n_sess) - n_sess, n_sess)
    is_lead = ordinal == lead_ord[person]
    after_lead = (lead_ord[person] >= 0) & (ordinal > lead_ord[person])

    two_dev = pop.signup & (n_after >= 1) & (rng.random(n) < C.SECOND_DEVICE_RATE)
    device = (two_dev[person] & after_lead & (rng.random(total) < 0.5)).astype(np.int8)
    dev1_before = segmented_cumsum(device.astype(np.int64), n_sess) - device
    login = ((pop.kind[person] == C.KIND_CUSTOMER) & (ordinal == 0)) | (
        (device == 1) & (dev1_before == 0)
    )

    # channels: acquisition mix for the first session, return mix later
    mix_first = np.array(FIRST_SESSION_MIX)
    mix_ret = np.array(RETURN_SESSION_MIX)
    mix_cust = np.array(CUSTOMER_SESSION_MIX)
    u = rng.random(total)
    ch_first = np.searchsorted(np.cumsum(mix_first / mix_first.sum()), u)
    ch_ret = np.searchsorted(np.cumsum(mix_ret / mix_ret.sum()), u)
    ch_cust = np.searchsorted(np.cumsum(mix_cust / mix_cust.sum()), u)
    channel = np.where(ordinal == 0, ch_first, ch_ret)
    channel = np.where(pop.kind[person] == C.KIND_CUSTOMER, ch_cust, channel).astype(np.int8)

    n_pages = 1 + np.minimum(rng.poisson(2.4, total), 12)
    n_pages = np.where(is_lead, np.maximum(n_pages, 2), n_pages)
    extra = (rng.random(total) < 0.15) & ~is_lead
    server = (rng.random(total) < 0.07) & ~is_lead & ~login & ~extra & (channel != CH_EMAIL)
    sessions = Sessions(
        person=person,
        start=np.zeros(total, dtype=np.int64),
        channel=channel,
        campaign=np.full(total, -1, dtype=np.int64),
        ad=np.full(total, -1, dtype=np.int64),
        send=np.full(total, -1, dtype=np.int64),
        n_pages=n_pages,
        login=login,
        extra_track=extra,
        lead=is_lead,
        server=server,
        device=device,
    )
    ev = build_events(rng, sessions, pop)
    # start times: first visit + (previous duration + inactivity gap)
    first = sample_times(rng, pop.tz_group, day_weights())
    gap_days = np.select(
        [pop.kind[person] == C.KIND_CUSTOMER, after_lead, lead_ord[person] >= 0],
        [10.0, 8.0, 3.0],
        6.0,
    )
    gap = 35 * C.MINUTE_MS + np.where(
        rng.random(total) < 0.25,
        rng.exponential(4 * C.HOUR_MS, total),
        rng.exponential(1.0, total) * gap_days * C.DAY_MS,
    ).astype(np.int64)
    step = np.where(ordinal == 0, 0, gap + np.roll(ev.duration, 1))
    sessions.start = first[person] + segmented_cumsum(step, n_sess)
    return sessions, lead_ord, ev


def assign_campaigns(seed: int, chunk: int, s: Sessions, world: World) -> None:
    """Paid sessions get a campaign running that (UTC) day and one of its ads (each
    platform from its own stream)."""
    day = np.clip((s.start - C.WINDOW_START_MS) // C.DAY_MS, 0, N_DAY_SLOTS - 1)
    for ch, pi in PAID_PLATFORM.items():
        idx = np.flatnonzero(s.channel == ch)
        if len(idx) == 0:
            continue
        plat = world.platforms[pi]
        rng = stream(seed, plat.key, "sessions", chunk)
        w = plat.campaign_weights()
        cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
        cum[:, -1] = 1.0
        u = rng.random(len(idx))
        camp = (u[:, None] > cum[day[idx]]).sum(axis=1)
        s.campaign[idx] = camp
        ads_by_c = [plat.ads_of(j) for j in range(len(plat.campaigns))]
        pick = rng.random(len(idx))
        s.ad[idx] = [
            ads_by_c[c][int(p * len(ads_by_c[c]))]
            for c, p in zip(camp.tolist(), pick.tolist(), strict=True)
        ]


def build_events(rng: np.random.Generator, s: Sessions, pop: Population) -> Events:
    """Event slots of every session: landing page, optional login identify, optional
    extra track, further pages, then (lead session) the lead track and its identify."""
    login = s.login.astype(np.int64)
    extra = s.extra_track.astype(np.int64)
    lead = s.lead.astype(np.int64)
    n_ev = s.n_pages + login + extra + 2 * lead
    total = int(n_ev.sum())
    sess = np.repeat(np.arange(len(s)), n_ev)
    o = np.arange(total) - np.repeat(np.cumsum(n_ev) - n_ev, n_ev)
    li, xi, npg = login[sess], extra[sess], s.n_pages[sess]
    k = o - 1 - li
    k3 = k - xi
    kind = np.select(
        [o == 0, (li == 1) & (o == 1), (xi == 1) & (k == 0), k3 < npg - 1, k3 == npg - 1],
        [EV_PAGE, EV_LOGIN_IDENTIFY, EV_TRACK, EV_PAGE, EV_LEAD_TRACK],
        EV_LEAD_IDENTIFY,
    ).astype(np.int8)
    is_page = kind == EV_PAGE
    page_ord = np.where(o == 0, 0, k3 + 1)

    gap = np.select(
        [
            o == 0,
            kind == EV_PAGE,
            kind == EV_LOGIN_IDENTIFY,
            kind == EV_TRACK,
            kind == EV_LEAD_TRACK,
        ],
        [
            np.zeros(total),
            np.minimum(15_000 + rng.exponential(100_000, total), 20 * C.MINUTE_MS),
            rng.uniform(800, 3000, total),
            rng.uniform(3000, 40_000, total),
            rng.uniform(20_000, 180_000, total),
        ],
        rng.uniform(150, 900, total),
    ).astype(np.int64)
    offset = segmented_cumsum(gap, n_ev)
    last_page = np.maximum.accumulate(np.where(is_page, np.arange(total), -1))
    page_ord = page_ord[last_page]

    # page paths: landing by channel (set later by the caller), browsing pages, form page
    bw = np.array([p[2] for p in pools.PAGES], dtype=float)
    path = rng.choice(len(pools.PAGES), size=total, p=bw / bw.sum())
    form_page = _form_page_index(pop, s.person[sess])
    is_form_page = is_page & s.lead[sess].astype(bool) & (page_ord == npg - 1)
    path = np.where(is_form_page, form_page, path)
    path = path[last_page]
    ends = np.cumsum(n_ev) - 1
    duration = offset[ends] if total else np.zeros(0, dtype=np.int64)
    return Events(sess, kind, offset, page_ord, path, last_page, duration)


def _form_page_index(pop: Population, person: np.ndarray) -> np.ndarray:
    form_paths = np.array([pools.PAGE_INDEX[p] for _, p in pools.FORMS])
    lead_paths = np.array([-1, pools.PAGE_INDEX["/signup"], pools.PAGE_INDEX["/demo"]])
    lf = pop.lead_form[person]
    return np.where(lf == 0, form_paths[pop.form_id[person]], lead_paths[np.maximum(lf, 0)])


def landing_pages(seed: int, chunk: int, s: Sessions, world: World) -> np.ndarray:
    """Landing page index of each session, by channel (each channel's draws from its
    own stream) and campaign."""
    n = len(s)
    out = np.empty(n, dtype=np.int64)
    tables = {
        CH_DIRECT: pools.DIRECT_LANDINGS,
        CH_ORGANIC: pools.ORGANIC_LANDINGS,
        CH_SOCIAL: pools.SOCIAL_LANDINGS,
        CH_REFERRAL: pools.REFERRAL_LANDINGS,
        CH_EMAIL: pools.EMAIL_LANDINGS,
        CH_DISPLAY: (("/lp/abm-analytics", 1), ("/lp/marketing-attribution", 1)),
    }
    for ch, table in tables.items():
        idx = np.flatnonzero(s.channel == ch)
        rng = stream(seed, "landing_pages", CHANNEL_NAMES[ch], chunk)
        choice = _weighted(rng, table, len(idx))
        out[idx] = np.array(
            [pools.PAGE_INDEX[table[c][0]] for c in choice.tolist()], dtype=np.int64
        )
    for ch, pi in PAID_PLATFORM.items():
        idx = np.flatnonzero(s.channel == ch)
        plat = world.platforms[pi]
        lp = np.array([pools.PAGE_INDEX[c.landing_path] for c in plat.campaigns])
        out[idx] = lp[s.campaign[idx]]
    return out


def session_sources(
    seed: int, chunk: int, s: Sessions, world: World
) -> tuple[list[str], list[str], list[str]]:
    """Per session: the landing URL's query string (``""`` or ``?utm_...``), the
    referrer, and the context.campaign JSON fragment (``""`` when no UTM). Shared
    draws come from the ``sessions/sources`` stream, each click id from its
    platform's own stream."""
    n = len(s)
    rng = stream(seed, "sessions", "sources", chunk)
    u = rng.random(n)
    search_ref = _weighted(rng, pools.SEARCH_REFERRERS, n).tolist()
    social_ref = _weighted(rng, pools.SOCIAL_REFERRERS, n).tolist()
    referral_ref = _weighted(rng, pools.REFERRAL_REFERRERS, n).tolist()
    terms = rng.integers(0, len(pools.SEARCH_TERMS), n).tolist()
    tco = b64_tokens(rng, n, 6)
    gclid = b64_tokens(stream(seed, "google_ads", "click_ids", chunk), n, 66)
    fbclid = b64_tokens(stream(seed, "meta_ads", "click_ids", chunk), n, 45)
    li = uuid4s(stream(seed, "linkedin_ads", "click_ids", chunk), n)
    ms = hex_ids(stream(seed, "microsoft_ads", "click_ids", chunk), n)
    searches, referrers, campaigns = [], [], []
    sends = world.sends
    ch_l, camp_l, ad_l, send_l, u_l = (
        s.channel.tolist(),
        s.campaign.tolist(),
        s.ad.tolist(),
        s.send.tolist(),
        u.tolist(),
    )
    for i in range(n):
        ch = ch_l[i]
        utm: tuple[str, str, str, str, str] | None = None
        click = ""
        ref = ""
        if ch == CH_ORGANIC:
            ref = pools.SEARCH_REFERRERS[search_ref[i]][0]
        elif ch == CH_SOCIAL:
            ref = pools.SOCIAL_REFERRERS[social_ref[i]][0]
            if ref in ("https://t.co/", "https://lnkd.in/"):
                ref += tco[i]
            if u_l[i] < 0.3:
                src = "linkedin" if "lnkd" in ref or "linkedin" in ref else "twitter"
                utm = (src, "social", "benchmark-report-organic", "", "")
        elif ch == CH_REFERRAL:
            ref = pools.REFERRAL_REFERRERS[referral_ref[i]][0]
        elif ch == CH_GOOGLE:
            plat = world.platforms[GOOGLE]
            c, a = plat.campaigns[camp_l[i]], plat.ads[ad_l[i]]
            utm = ("google", "cpc", c.utm_campaign, pools.SEARCH_TERMS[terms[i]], a.id)
            click = f"&gclid={gclid[i]}"
            ref = "https://www.google.com/" if u_l[i] < 0.8 else "https://www.google.co.uk/"
        elif ch == CH_META:
            plat = world.platforms[META]
            c, a = plat.campaigns[camp_l[i]], plat.ads[ad_l[i]]
            src = "facebook" if u_l[i] < 0.75 else "instagram"
            utm = (src, "paid_social", c.utm_campaign, "", a.name)
            click = f"&fbclid=IwAR{fbclid[i]}"
            ref = "https://l.facebook.com/" if src == "facebook" else "https://l.instagram.com/"
        elif ch == CH_LINKEDIN:
            plat = world.platforms[LINKEDIN]
            c, a = plat.campaigns[camp_l[i]], plat.ads[ad_l[i]]
            utm = ("linkedin", "paid_social", c.utm_campaign, "", a.id)
            click = f"&li_fat_id={li[i]}"
            ref = "https://www.linkedin.com/"
        elif ch == CH_BING:
            plat = world.platforms[MICROSOFT]
            c, a = plat.campaigns[camp_l[i]], plat.ads[ad_l[i]]
            utm = ("bing", "cpc", c.utm_campaign, pools.SEARCH_TERMS[terms[i]], a.id)
            click = f"&msclkid={ms[i]}"
            ref = "https://www.bing.com/"
        elif ch == CH_DISPLAY:
            utm = ("rollworks", "display", "abm-retargeting-2026", "", "banner-300x250")
        elif ch == CH_EMAIL:
            utm = ("sendgrid", "email", sends[send_l[i]].name, "", "newsletter-link")
            ref = "https://mail.google.com/" if u_l[i] < 0.1 else ""
        if utm is None:
            searches.append("")
            campaigns.append("")
        else:
            src, med, name, term, content = utm
            q = f"?utm_source={src}&utm_medium={med}&utm_campaign={quote(name, safe='')}"
            frag = f'"campaign":{{"medium":"{med}","name":"{name}","source":"{src}"'
            if term:
                q += f"&utm_term={quote(term, safe='')}"
                frag += f',"term":"{term}"'
            if content:
                q += f"&utm_content={quote(content, safe='')}"
                frag += f',"content":"{content}"'
            searches.append(q + click)
            campaigns.append(frag + "},")
        referrers.append(ref)
    return searches, referrers, campaigns
