"""SendGrid: newsletter subscriptions, single sends and the Event Webhook's events."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import numpy as np

from . import config as C
from . import pools
from .ids import b64_tokens, hex_ids
from .people import Population
from .world import World

EVENTS = (
    "processed",
    "dropped",
    "delivered",
    "deferred",
    "bounce",
    "open",
    "click",
    "spamreport",
    "unsubscribe",
    "group_unsubscribe",
)
PROCESSED, DROPPED, DELIVERED, DEFERRED, BOUNCE, OPEN, CLICK, SPAM, UNSUB, GROUP_UNSUB = range(10)
WELCOME_TEMPLATE = "d-5f1e0c2b9a7d4c3e8b6a1f0e2d3c4b5a"
ASM_GROUP_ID = 21457
LINK_CONTENT = "newsletter-link"


@dataclass
class EmailEvents:
    person: np.ndarray
    t: np.ndarray  # ms
    event: np.ndarray
    send: np.ndarray  # single send index, -1 transactional
    message: np.ndarray  # message index (one per recipient and send)
    flag: np.ndarray  # bounce: 1 = blocked; open: 1 = machine open; deferred: attempt
    link: np.ndarray  # click: index into the send's link_paths

    def __len__(self) -> int:
        return len(self.t)


@dataclass
class EmailResult:
    events: EmailEvents
    click_person: np.ndarray
    click_t: np.ndarray
    click_send: np.ndarray
    click_link: np.ndarray
    subscribed: np.ndarray  # bool per person: ever on the list


def simulate_email(
    rng: np.random.Generator,
    pop: Population,
    world: World,
    lead_t: np.ndarray,
    crm_created: np.ndarray,
) -> EmailResult:
    """Every single send goes to the persons subscribed at its send time; unsubscribes
    and hard bounces stop later sends (a hard-bounced address is ``dropped``)."""
    n = pop.n
    inf = np.iinfo(np.int64).max
    sub_from = np.full(n, inf, dtype=np.int64)
    pre = (pop.kind == C.KIND_SUBSCRIBER) | (
        (pop.kind == C.KIND_CUSTOMER) & (rng.random(n) < C.CUSTOMER_NEWSLETTER_RATE)
    )
    sub_from[pre] = C.WINDOW_START_MS - C.DAY_MS
    web_opt = (lead_t < inf) & pop.newsletter_opt_in & ~pre
    sub_from[web_opt] = lead_t[web_opt] + rng.integers(60_000, 300_000, int(web_opt.sum()))
    crm_opt = (crm_created < inf) & (rng.random(n) < C.CRM_ONLY_NEWSLETTER_RATE)
    sub_from[crm_opt] = crm_created[crm_opt] + rng.integers(
        C.DAY_MS, 4 * C.DAY_MS, int(crm_opt.sum())
    )
    unsub_at = np.full(n, inf, dtype=np.int64)
    bounced_at = np.full(n, inf, dtype=np.int64)

    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("person", "t", "event", "send", "message", "flag", "link")
    }
    clicks: dict[str, list[np.ndarray]] = {k: [] for k in ("person", "t", "send", "link")}
    next_msg = 0

    def emit(person, t, event, send, message, flag=None, link=None):
        m = len(person)
        cols["person"].append(person)
        cols["t"].append(t.astype(np.int64))
        cols["event"].append(np.full(m, event, dtype=np.int8))
        cols["send"].append(np.full(m, send, dtype=np.int64))
        cols["message"].append(message)
        cols["flag"].append(np.zeros(m, dtype=np.int8) if flag is None else flag.astype(np.int8))
        cols["link"].append(np.zeros(m, dtype=np.int8) if link is None else link.astype(np.int8))

    is_customer = pop.kind == C.KIND_CUSTOMER
    for si, send in enumerate(world.sends):
        T = send.send_at_ms
        aud = rng.random(n)
        if T >= C.HORIZON_MS:
            continue
        elig = (sub_from <= T) & (unsub_at > T) & (aud < send.audience_share)
        if send.customers_only:
            elig &= is_customer
        R = np.flatnonzero(elig)
        msg = next_msg + np.arange(len(R))
        next_msg += len(R)
        t_proc = T + rng.integers(0, 15 * C.MINUTE_MS, len(R))
        drop = bounced_at[R] <= T
        emit(R[drop], t_proc[drop], DROPPED, si, msg[drop])
        R, msg, t_proc = R[~drop], msg[~drop], t_proc[~drop]
        emit(R, t_proc, PROCESSED, si, msg)
        r = rng.random(len(R))
        bounce = r < 0.015
        deferred = (r >= 0.015) & (r < 0.035)
        t_del = (
            t_proc
            + rng.integers(1000, 60_000, len(R))
            + deferred * rng.integers(5 * C.MINUTE_MS, 2 * C.HOUR_MS, len(R))
        )
        emit(
            R[deferred],
            t_proc[deferred] + rng.integers(1000, 30_000, int(deferred.sum())),
            DEFERRED,
            si,
            msg[deferred],
            flag=np.ones(int(deferred.sum())),
        )
        blocked = rng.random(len(R)) < 0.3
        emit(R[bounce], t_del[bounce], BOUNCE, si, msg[bounce], flag=blocked[bounce])
        hard = bounce & ~blocked
        bounced_at[R[hard]] = t_del[hard]
        ok = ~bounce
        D, md, td = R[ok], msg[ok], t_del[ok]
        emit(D, td, DELIVERED, si, md)
        mach = pop.machine_opener[D]
        emit(
            D[mach],
            td[mach] + rng.integers(20_000, 10 * C.MINUTE_MS, int(mach.sum())),
            OPEN,
            si,
            md[mach],
            flag=np.ones(int(mach.sum())),
        )
        eng = pop.engagement[D]
        human = rng.random(len(D)) < eng * 0.85
        t_open = td + np.exp(rng.normal(np.log(3 * C.HOUR_MS), 1.2, len(D))).astype(np.int64)
        emit(D[human], t_open[human], OPEN, si, md[human])
        again = human & (rng.random(len(D)) < 0.3)
        emit(
            D[again],
            t_open[again] + rng.exponential(C.DAY_MS, len(D)).astype(np.int64)[again],
            OPEN,
            si,
            md[again],
        )
        click = human & (rng.random(len(D)) < 0.08 + 0.25 * eng)
        link = rng.integers(0, len(send.link_paths), len(D))
        t_click = t_open + rng.integers(5000, 120_000, len(D))
        emit(D[click], t_click[click], CLICK, si, md[click], link=link[click])
        clicks["person"].append(D[click])
        clicks["t"].append(t_click[click])
        clicks["send"].append(np.full(int(click.sum()), si, dtype=np.int64))
        clicks["link"].append(link[click])
        click2 = click & (rng.random(len(D)) < 0.2)
        emit(
            D[click2],
            t_click[click2] + rng.integers(30_000, 300_000, int(click2.sum())),
            CLICK,
            si,
            md[click2],
            link=(link[click2] + 1) % len(send.link_paths),
        )
        ru = rng.random(len(D))
        t_unsub = np.where(human, t_open, td) + rng.integers(30_000, 3 * C.HOUR_MS, len(D))
        for ev, lo, hi in ((UNSUB, 0.0, 0.004), (GROUP_UNSUB, 0.004, 0.005), (SPAM, 0.005, 0.0056)):
            m = (ru >= lo) & (ru < hi)
            emit(D[m], t_unsub[m], ev, si, md[m])
            unsub_at[D[m]] = np.minimum(unsub_at[D[m]], t_unsub[m])

    # transactional welcome email after a trial sign-up (no single send)
    W = np.flatnonzero(pop.signup & (lead_t < inf))
    msg = next_msg + np.arange(len(W))
    t_proc = lead_t[W] + rng.integers(20_000, 60_000, len(W))
    emit(W, t_proc, PROCESSED, -1, msg)
    t_del = t_proc + rng.integers(2000, 10_000, len(W))
    emit(W, t_del, DELIVERED, -1, msg)
    o = rng.random(len(W)) < 0.6
    emit(W[o], t_del[o] + rng.integers(60_000, 3 * C.HOUR_MS, int(o.sum())), OPEN, -1, msg[o])

    ev = EmailEvents(
        *(np.concatenate(cols[k]) if cols[k] else np.zeros(0, dtype=np.int64) for k in cols)
    )
    keep = ev.t < C.HORIZON_MS
    ev = EmailEvents(*(getattr(ev, f)[keep] for f in EmailEvents.__dataclass_fields__))
    cp = np.concatenate(clicks["person"]) if clicks["person"] else np.zeros(0, dtype=np.int64)
    ct = np.concatenate(clicks["t"]) if clicks["t"] else np.zeros(0, dtype=np.int64)
    cs = np.concatenate(clicks["send"]) if clicks["send"] else np.zeros(0, dtype=np.int64)
    cl = np.concatenate(clicks["link"]) if clicks["link"] else np.zeros(0, dtype=np.int64)
    ck = ct < C.HORIZON_MS
    return EmailResult(ev, cp[ck], ct[ck], cs[ck], cl[ck], sub_from < inf)


def click_url(world: World, send: int, link: int) -> str:
    s = world.sends[send]
    return (
        f"{pools.SITE}{s.link_paths[link]}?utm_source=sendgrid&utm_medium=email"
        f"&utm_campaign={quote(s.name, safe='')}&utm_content={LINK_CONTENT}"
    )


class EmailFormatter:
    """Renders SendGrid webhook events as JSON object text."""

    def __init__(
        self, rng: np.random.Generator, pop: Population, world: World, ev: EmailEvents
    ) -> None:
        self.pop, self.world, self.ev = pop, world, ev
        n_msg = int(ev.message.max()) + 1 if len(ev) else 0
        self.msg_ids = [
            f"{a}.filterdrecv-{b[:10]}-{b[10:14]}-{i % 97}.0"
            for i, (a, b) in enumerate(
                zip(b64_tokens(rng, n_msg, 15), hex_ids(rng, n_msg, 7), strict=True)
            )
        ]
        self.event_ids = b64_tokens(rng, len(ev), 24)
        self.mail_ua = rng.integers(0, len(pools.MAIL_USER_AGENTS), len(ev))
        self.apple_ip = rng.integers(0, 65536, len(ev))
        self.send_parts = []
        for s in world.sends:
            cat = (
                "[" + ",".join(f'"{c}"' for c in s.category) + "]"
                if isinstance(s.category, list)
                else f'"{s.category}"'
            )
            program = "newsletter" if s.name.startswith("Newsletter") else "campaign"
            self.send_parts.append(
                f'"category":{cat},"marketing_program":"{program}","mc_stats":"singlesend","phase_id":"send",'
                f'"send_at":"{s.send_at_ms // 1000}","singlesend_id":"{s.id}",'
                f'"singlesend_name":"{s.name}",'
                f'"template_id":"{s.template_id}"'
            )

    def render(self, i: int, *, drop_id: bool = False, bad_timestamp: bool = False) -> str:
        ev, pop = self.ev, self.pop
        p = int(ev.person[i])
        e = int(ev.event[i])
        send = int(ev.send[i])
        ts = '"not-a-timestamp"' if bad_timestamp else str(int(ev.t[i]) // 1000)
        parts = [f'"email":"{pop.email_esp[p]}"', f'"event":"{EVENTS[e]}"']
        if not drop_id:
            parts.append(f'"sg_event_id":"{self.event_ids[i]}"')
        parts.append(f'"sg_message_id":"{self.msg_ids[int(ev.message[i])]}"')
        parts.append(f'"timestamp":{ts}')
        if send >= 0:
            parts.append(self.send_parts[send])
        else:
            parts.append(
                f'"category":"welcome","template_id":"{WELCOME_TEMPLATE}","user_id":"{pop.user_id[p]}"'
            )
        flag = int(ev.flag[i])
        if e == OPEN:
            if flag:
                parts.append(
                    f'"ip":"17.58.{self.apple_ip[i] >> 8}.{self.apple_ip[i] & 255}",'
                    '"sg_content_type":"html",'
                    '"sg_machine_open":true,"useragent":"Mozilla/5.0"'
                )
            else:
                parts.append(
                    f'"ip":"{pop.ip_str(p)}","sg_content_type":"html","sg_machine_open":false,'
                    f'"useragent":"{pools.MAIL_USER_AGENTS[self.mail_ua[i]]}"'
                )
        elif e == CLICK:
            parts.append(
                f'"ip":"{pop.ip_str(p)}","url":"{click_url(self.world, send, int(ev.link[i]))}",'
                f'"url_offset":{{"index":{int(ev.link[i])},"type":"html"}},'
                f'"useragent":"{pools.USER_AGENTS[pop.ua[p]][0]}"'
            )
        elif e == BOUNCE:
            if flag:
                parts.append(
                    '"bounce_classification":"Content",'
                    '"reason":"550 5.7.1 Message rejected due to content '
                    'policy","status":"5.7.1","type":"blocked"'
                )
            else:
                parts.append(
                    '"bounce_classification":"Invalid Address",'
                    '"reason":"550 5.1.1 The email account that '
                    'you tried to reach does not exist.","status":"5.1.1","type":"bounce"'
                )
        elif e == DEFERRED:
            parts.append(
                f'"attempt":"{flag}","response":"451 4.7.1 Temporarily deferred, try again later"'
            )
        elif e == DROPPED:
            parts.append('"reason":"Bounced Address","status":"5.0.0"')
        elif e == GROUP_UNSUB:
            parts.append(f'"asm_group_id":{ASM_GROUP_ID}')
        elif e == DELIVERED:
            parts.append('"response":"250 2.0.0 OK","tls":1')
        return "{" + ",".join(parts) + "}"
