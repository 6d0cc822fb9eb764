"""Segment: renders web events as the JSON lines Segment's warehouse/S3 dumps carry."""

from __future__ import annotations

import numpy as np

from . import config as C
from . import pools
from .people import (
    EV_LEAD_IDENTIFY,
    EV_LEAD_TRACK,
    EV_LOGIN_IDENTIFY,
    EV_PAGE,
    EV_TRACK,
    LEAD_FORMS,
    Events,
    Population,
    Sessions,
)

PAGE_NAMES = {
    "/": "Home",
    "/pricing": "Pricing",
    "/demo": "Demo",
    "/signup": "Sign Up",
    "/blog": "Blog",
}
LIB_CLIENT = '"library":{"name":"analytics.js","version":"npm:next-1.72.0"},"locale":"en-US",'
LIB_SERVER = '"library":{"name":"analytics-node","version":"2.1.2"},'
FORM_NAMES = {
    "ebook-b2b-attribution": "Ebook: The B2B Attribution Guide",
    "webinar-attribution-101": "Webinar: Attribution 101",
    "contact-sales": "Contact Sales",
    "newsletter-signup": "Newsletter",
    "benchmark-report-2026": "Benchmark Report 2026",
}
EXTRA_TRACK_PROPS = (
    ("CTA Clicked", '{"cta":"hero-book-demo","location":"hero"}'),
    ("Video Played", '{"position":0,"video_id":"product-tour-2026"}'),
    ("Pricing Plan Toggled", '{"billing":"annual","plan":"growth"}'),
    ("Integration Viewed", '{"integration":"salesforce"}'),
)


def _cet_offset_ms(t: np.ndarray) -> np.ndarray:
    from datetime import date

    start = C.ms_of(date(2026, 3, 29), 1)
    end = C.ms_of(date(2026, 10, 25), 1)
    return np.where((t >= start) & (t < end), 2 * C.HOUR_MS, C.HOUR_MS)


def iso_z(ms: np.ndarray) -> list[str]:
    """``2026-01-07T10:00:00.123Z`` strings."""
    return [s + "Z" for s in np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms").tolist()]


def iso_local(ms: np.ndarray, with_ms: bool = True) -> list[str]:
    """Central European local time with its offset, e.g. ``2026-05-04T12:00:00.123+02:00``."""
    off = _cet_offset_ms(ms)
    txt = np.datetime_as_string(
        (ms + off).astype("datetime64[ms]"), unit="ms" if with_ms else "s"
    ).tolist()
    return [
        s + ("+02:00" if o == 2 * C.HOUR_MS else "+01:00")
        for s, o in zip(txt, off.tolist(), strict=True)
    ]


class SegmentEvents:
    """All web events of a chunk with what is needed to render any of them."""

    def __init__(
        self,
        rng: np.random.Generator,
        pop: Population,
        s: Sessions,
        ev: Events,
        searches: list[str],
        referrers: list[str],
        campaigns: list[str],
        message_ids: list[str],
    ) -> None:
        self.pop, self.s, self.ev = pop, s, ev
        self.searches, self.referrers, self.campaigns = searches, referrers, campaigns
        n = len(ev.kind)
        sess = ev.session
        self.person = s.person[sess]
        self.device = s.device[sess]
        self.server = s.server[sess]
        t = s.start[sess] + ev.offset
        lat = rng.integers(30, 400, n)
        delay = np.where(
            rng.random(n) < 0.005,
            rng.integers(C.HOUR_MS, 36 * C.HOUR_MS, n),
            rng.integers(10, 800, n),
        )
        skew = pop.clock_skew[self.person]
        self.t = t
        self.ts = np.where(self.server, t, t + lat)
        self.ots = np.where(self.server, t, t + skew)
        self.sat = self.ots + delay
        self.rat = t + delay + lat
        self.local_fmt = pop.local_offset_ts[self.person] & ~self.server
        self.server_offset = self.server & (rng.random(n) < 0.5)
        self.message_ids = message_ids
        self.bare_ref = rng.random(n) < 0.05
        # userId: from the identify that carries it, per browser (person, device)
        uid_from = np.full(2 * pop.n, np.iinfo(np.int64).max, dtype=np.int64)
        carries = (ev.kind == EV_LOGIN_IDENTIFY) | (
            (ev.kind == EV_LEAD_IDENTIFY) & pop.signup[self.person]
        )
        idx = np.flatnonzero(carries)
        np.minimum.at(uid_from, self.person[idx] * 2 + self.device[idx], t[idx])
        self.has_uid = t >= uid_from[self.person * 2 + self.device]

    def page_url(self, i: int) -> str:
        ev = self.ev
        j = ev.last_page[i]
        url = pools.SITE + pools.PAGES[ev.path[j]][0]
        if ev.page_ordinal[j] == 0:
            url += self.searches[ev.session[j]]
        return url

    def page_referrer(self, i: int) -> str:
        ev = self.ev
        j = ev.last_page[i]
        if ev.page_ordinal[j] == 0:
            return self.referrers[ev.session[j]]
        ref = self.page_url(j - 1)
        if self.bare_ref[j]:
            ref = ref.replace(pools.SITE, pools.SITE_BARE, 1)
        return ref

    def render(self, idx: np.ndarray, rat_override: np.ndarray | None = None) -> list[str]:
        """JSON text of events ``idx`` (``rat_override``: receivedAt of retried copies)."""
        ev, pop = self.ev, self.pop
        ts_z = iso_z(self.ts[idx])
        ts_off = iso_local(self.ts[idx], with_ms=False)
        ots_z, ots_l = iso_z(self.ots[idx]), iso_local(self.ots[idx])
        sat_z, sat_l = iso_z(self.sat[idx]), iso_local(self.sat[idx])
        rat_z = iso_z(self.rat[idx] if rat_override is None else rat_override)
        out = []
        for k, i in enumerate(idx.tolist()):
            p = int(self.person[i])
            dev = int(self.device[i])
            kind = int(ev.kind[i])
            sess = int(ev.session[i])
            anon = pop.anon[dev][p]
            uid = f'"{pop.user_id[p]}"' if self.has_uid[i] else "null"
            ua = pools.USER_AGENTS[pop.ua2[p] if dev else pop.ua[p]][0]
            ip = pop.ip_str(p, sess)
            local = self.local_fmt[i]
            ots = ots_l[k] if local else ots_z[k]
            sat = sat_l[k] if local else sat_z[k]
            ts = ts_off[k] if self.server_offset[i] else ts_z[k]
            j = int(ev.last_page[i])
            path, title = pools.PAGES[ev.path[j]][:2]
            url = self.page_url(i)
            ref = self.page_referrer(i)
            search = self.searches[ev.session[j]] if ev.page_ordinal[j] == 0 else ""
            page = (
                f'"path":"{path}","referrer":"{ref}","search":"{search}",'
                f'"title":"{title}","url":"{url}"'
            )
            mid = self.message_ids[i]
            tail = f'"receivedAt":"{rat_z[k]}","sentAt":"{sat}","timestamp":"{ts}"'
            if kind == EV_PAGE and self.server[i]:
                out.append(
                    f'{{"anonymousId":"{anon}","channel":"server","context":{{"ip":"{ip}",{LIB_SERVER}'
                    f'"userAgent":"{ua}"}},"integrations":{{}},"messageId":"{mid}","originalTimestamp":"{ts}",'
                    f'"properties":{{{page}}},{tail},"type":"page","userId":{uid}}}'
                )
                continue
            camp = self.campaigns[sess] if ev.page_ordinal[j] == 0 else ""
            ctx = (
                f'"context":{{{camp}"ip":"{ip}",{LIB_CLIENT}"page":{{{page}}},"userAgent":"{ua}"}}'
            )
            head = f'{{"anonymousId":"{anon}","channel":"client",{ctx}'
            if kind == EV_PAGE:
                name = PAGE_NAMES.get(path)
                nm = f'"name":"{name}",' if name else ""
                out.append(
                    f'{head},"integrations":{{}},"messageId":"{mid}",{nm}"originalTimestamp":"{ots}",'
                    f'"properties":{{{page}}},{tail},"type":"page","userId":{uid},"version":2}}'
                )
            elif kind in (EV_TRACK, EV_LEAD_TRACK):
                event, props = self._track(i, p, kind)
                out.append(
                    f'{head},"event":"{event}","integrations":{{}},"messageId":"{mid}","originalTimestamp":"{ots}",'
                    f'"properties":{props},{tail},"type":"track","userId":{uid},"version":2}}'
                )
            else:
                traits = self._traits(p, kind)
                out.append(
                    f'{head},"integrations":{{}},"messageId":"{mid}","originalTimestamp":"{ots}",{tail},'
                    f'"traits":{traits},"type":"identify","userId":{uid},"version":2}}'
                )
        return out

    def _track(self, i: int, p: int, kind: int) -> tuple[str, str]:
        pop = self.pop
        if kind == EV_TRACK:
            return EXTRA_TRACK_PROPS[int(self.ev.session[i]) % len(EXTRA_TRACK_PROPS)]
        form = LEAD_FORMS[pop.lead_form[p]]
        email = pop.email_web[p]
        if form == "Form Submitted":
            fid = pools.FORMS[pop.form_id[p]][0]
            return form, f'{{"email":"{email}","form_id":"{fid}","form_name":"{FORM_NAMES[fid]}"}}'
        if form == "Demo Requested":
            comp = pop.comp_name[pop.company[p]]
            return form, f'{{"company":"{comp}","email":"{email}","form_id":"demo-request"}}'
        first, last = pop.full_name(p)
        return (
            form,
            f'{{"email":"{email}","first_name":"{first}","last_name":"{last}","plan":"trial","type":"organic"}}',
        )

    def _traits(self, p: int, kind: int) -> str:
        pop = self.pop
        email = pop.email_web[p]
        if kind == EV_LOGIN_IDENTIFY:
            plan = "business" if pop.kind[p] == C.KIND_CUSTOMER else "trial"
            return f'{{"email":"{email}","plan":"{plan}"}}'
        first, last = pop.full_name(p)
        comp = pop.comp_name[pop.company[p]]
        title = pools.TITLES[pop.title[p]]
        t = f',"title":"{title}"' if title else ""
        return (
            f'{{"company":{{"name":"{comp}"}},"email":"{email}",'
            f'"firstName":"{first}","lastName":"{last}"{t}}}'
        )
