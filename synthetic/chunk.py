"""One chunk of persons, end to end: simulate, then write its web and email files and
its Salesforce rows (to a scratch folder; the main process joins chunks per file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from . import broken, crm, email, people
from . import config as C
from .ids import hex_ids, uuid4s
from .output import BrokenRecord, Tally, gzip_bytes, write_bytes
from .people import CH_EMAIL, EV_LEAD_IDENTIFY, EV_LEAD_TRACK, Events, Sessions
from .schedule import Drop
from .segment import SegmentEvents, iso_z
from .streams import stream
from .world import N_DAY_SLOTS, World

SEGMENT_DIR = "web/segment"
SENDGRID_DIR = "email/sendgrid"
TZ_SHIFTS = {
    "UTC": ((0, 0),),
    "America/New_York": ((C.ms_of(date(2026, 3, 8), 7), -4), (C.ms_of(date(2026, 11, 1), 6), -5)),
    "Europe/Amsterdam": ((C.ms_of(date(2026, 3, 29), 1), 2), (C.ms_of(date(2026, 10, 25), 1), 1)),
    "America/Los_Angeles": (
        (C.ms_of(date(2026, 3, 8), 10), -7),
        (C.ms_of(date(2026, 11, 1), 9), -8),
    ),
}
TZ_BASE = {"UTC": 0, "America/New_York": -5, "Europe/Amsterdam": 1, "America/Los_Angeles": -8}


@dataclass
class ChunkTask:
    seed: int
    chunk: int
    p0: int
    n: int
    world: World
    drops: tuple[Drop, ...]
    n_written: int
    landing: str
    scratch: str


@dataclass
class ChunkResult:
    tally: Tally
    ad_sessions: list[np.ndarray]
    ad_leads: list[np.ndarray]
    ad_signups: list[np.ndarray]
    sf_parts: dict[tuple[str, int], int]
    stats: dict[str, int] = field(default_factory=dict)


def local_day(t: np.ndarray, tz: str) -> np.ndarray:
    """Day index (0 = WINDOW_START) of UTC ms ``t`` in an ad account's time zone."""
    hours = np.full(len(t), TZ_BASE[tz], dtype=np.int64)
    if tz != "UTC":
        (dst_on, h_on), (dst_off, h_off) = TZ_SHIFTS[tz]
        hours = np.where((t >= dst_on) & (t < dst_off), h_on, h_off)
    return (t + hours * C.HOUR_MS - C.WINDOW_START_MS) // C.DAY_MS


def run_chunk(task: ChunkTask) -> ChunkResult:
    world, seed, ck = task.world, task.seed, task.chunk
    # every draw from a stream named for what it simulates (streams.py)
    pop = people.Population(stream(seed, "people", ck), task.p0, task.n)
    planned, _, ev_p = people.plan_sessions(stream(seed, "sessions", ck), pop, world)
    people.assign_campaigns(seed, ck, planned, world)

    # lead time: the lead-form track of the lead session
    t_ev = planned.start[ev_p.session] + ev_p.offset
    inf = np.iinfo(np.int64).max
    lead_t = np.full(pop.n, inf, dtype=np.int64)
    li = np.flatnonzero((ev_p.kind == EV_LEAD_TRACK) & (t_ev < C.HORIZON_MS))
    lead_t[planned.person[ev_p.session[li]]] = t_ev[li]

    crm_created, crm_sources = crm.crm_only_leads(stream(seed, "crm_only_leads", ck), pop)
    mail = email.simulate_email(
        stream(seed, "sendgrid", "events", ck), pop, world, lead_t, crm_created
    )

    # email clicks open sessions for people who browse the site
    web_click = pop.web[mail.click_person]
    cp, ct, cs, cl = (
        a[web_click] for a in (mail.click_person, mail.click_t, mail.click_send, mail.click_link)
    )
    m = len(cp)
    rng = stream(seed, "sessions", "email_clicks", ck)
    clicks = Sessions(
        person=cp,
        start=ct + rng.integers(1500, 4000, m),
        channel=np.full(m, CH_EMAIL, dtype=np.int8),
        campaign=cl.astype(np.int64),  # email sessions: the clicked link's index
        ad=np.full(m, -1, dtype=np.int64),
        send=cs,
        n_pages=1 + np.minimum(rng.poisson(1.5, m), 8),
        login=np.zeros(m, dtype=bool),
        extra_track=rng.random(m) < 0.1,
        lead=np.zeros(m, dtype=bool),
        server=np.zeros(m, dtype=bool),
        device=np.zeros(m, dtype=np.int8),
    )
    ev_c = people.build_events(rng, clicks, pop)
    sessions, ev = _merge(planned, ev_p, clicks, ev_c)
    landing = people.landing_pages(seed, ck, sessions, world)
    is_click = sessions.channel == CH_EMAIL
    landing[is_click] = [
        people.pools.PAGE_INDEX[world.sends[s].link_paths[li]]
        for s, li in zip(
            sessions.send[is_click].tolist(), sessions.campaign[is_click].tolist(), strict=True
        )
    ]
    on_landing = ev.page_ordinal == 0
    ev.path = np.where(on_landing, landing[ev.session], ev.path)
    searches, referrers, campaigns = people.session_sources(seed, ck, sessions, world)
    for k in np.flatnonzero(is_click).tolist():  # the email's link, exactly as clicked
        url = email.click_url(world, int(sessions.send[k]), int(sessions.campaign[k]))
        searches[k] = "?" + url.split("?", 1)[1]

    # ad platform aggregates
    ad_sessions, ad_leads, ad_signups = [], [], []
    t_start = sessions.start
    for ch, pi in people.PAID_PLATFORM.items():
        plat = world.platforms[pi]
        sel = np.flatnonzero((sessions.channel == ch) & (t_start < C.HORIZON_MS))
        day = local_day(t_start[sel], plat.time_zone)
        ok = (day >= 0) & (day < N_DAY_SLOTS)
        cells = sessions.ad[sel][ok] * N_DAY_SLOTS + day[ok]
        size = len(plat.ads) * N_DAY_SLOTS
        ad_sessions.append(np.bincount(cells, minlength=size).reshape(len(plat.ads), N_DAY_SLOTS))
        who = sessions.person[sel][ok]
        leads = sessions.lead[sel][ok] & (lead_t[who] < inf)
        sign = leads & pop.signup[who]
        shape = (len(plat.ads), N_DAY_SLOTS)
        ad_leads.append(np.bincount(cells[leads & ~sign], minlength=size).reshape(shape))
        ad_signups.append(np.bincount(cells[sign], minlength=size).reshape(shape))

    tally = Tally()
    rng_w = stream(seed, "segment", ck)
    seg = _segment_events(rng_w, pop, sessions, ev, searches, referrers, campaigns)
    _write_segment(task, seg, rng_w, tally)
    _write_sendgrid(task, stream(seed, "sendgrid", "webhook", ck), pop, mail.events, tally)

    c = crm.Crm(ck, world, stream(seed, "salesforce", ck))
    crm.simulate_crm(
        c, pop, lead_t, crm_created, crm_sources, stream(seed, "salesforce", "history", ck)
    )
    sf_parts = _write_salesforce(task, c, tally)

    visitors = np.zeros(pop.n, dtype=bool)
    visitors[sessions.person[sessions.start < C.HORIZON_MS]] = True
    identified = np.zeros(pop.n, dtype=bool)
    ident_ev = np.flatnonzero((ev.kind == EV_LEAD_IDENTIFY) & (seg.t < C.HORIZON_MS))
    identified[seg.person[ident_ev]] = True
    stats = {
        "persons": pop.n,
        **{f"persons_{name}": int((pop.kind == k).sum()) for k, name in enumerate(C.KIND_NAMES)},
        "web_visitors": int(visitors.sum()),
        "web_sessions": int((sessions.start < C.HORIZON_MS).sum()),
        "web_form_leads": int((lead_t < inf).sum()),
        "newsletter_subscribers": int(mail.subscribed.sum()),
        **{f"crm_{k}": v for k, v in c.stats.items()},
    }
    return ChunkResult(tally, ad_sessions, ad_leads, ad_signups, sf_parts, stats)


def _merge(
    planned: Sessions, ev_p: Events, clicks: Sessions, ev_c: Events
) -> tuple[Sessions, Events]:
    """Add email-click sessions, dropping any that would run into another session of
    the same person (less than 31 minutes apart): sessions stay separable."""
    ends_p = planned.start + ev_p.duration
    ends_c = clicks.start + ev_c.duration
    person = np.concatenate([planned.person, clicks.person])
    start = np.concatenate([planned.start, clicks.start])
    end = np.concatenate([ends_p, ends_c])
    is_click = np.concatenate([np.zeros(len(planned), bool), np.ones(len(clicks), bool)])
    order = np.lexsort((start, person))
    keep = np.ones(len(order), dtype=bool)
    gap = 31 * C.MINUTE_MS
    last_person, last_end, last_pos = -1, 0, -1
    p_l, s_l, e_l, c_l = (
        person[order].tolist(),
        start[order].tolist(),
        end[order].tolist(),
        is_click[order].tolist(),
    )
    for pos in range(len(order)):
        if p_l[pos] == last_person and s_l[pos] < last_end + gap:
            if c_l[pos]:
                keep[pos] = False
                continue
            keep[last_pos] = False  # the earlier one was an email click
        last_person, last_end, last_pos = (
            p_l[pos],
            max(e_l[pos], last_end if p_l[pos] == last_person else 0),
            pos,
        )
    kept = order[keep]
    kept_click = kept[kept >= len(planned)] - len(planned)
    kept_click.sort()
    clicks_kept = clicks.take(kept_click)
    sel_ev = np.isin(ev_c.session, kept_click)
    remap = np.full(len(clicks), -1, dtype=np.int64)
    remap[kept_click] = np.arange(len(kept_click))
    n_p = len(planned)
    n_ev_p = len(ev_p.kind)
    ev_sel_idx = np.flatnonzero(sel_ev)
    new_pos = np.full(len(ev_c.kind), -1, dtype=np.int64)
    new_pos[ev_sel_idx] = n_ev_p + np.arange(len(ev_sel_idx))
    ev = Events(
        session=np.concatenate([ev_p.session, n_p + remap[ev_c.session[sel_ev]]]),
        kind=np.concatenate([ev_p.kind, ev_c.kind[sel_ev]]),
        offset=np.concatenate([ev_p.offset, ev_c.offset[sel_ev]]),
        page_ordinal=np.concatenate([ev_p.page_ordinal, ev_c.page_ordinal[sel_ev]]),
        path=np.concatenate([ev_p.path, ev_c.path[sel_ev]]),
        last_page=np.concatenate([ev_p.last_page, new_pos[ev_c.last_page[sel_ev]]]),
        duration=np.concatenate([ev_p.duration, ev_c.duration[kept_click]]),
    )
    return Sessions.concat([planned, clicks_kept]), ev


def _segment_events(rng, pop, sessions, ev, searches, referrers, campaigns) -> SegmentEvents:
    n = len(ev.kind)
    server = sessions.server[ev.session]
    client_ids = hex_ids(rng, n)
    server_ids = uuid4s(rng, int(server.sum()))
    it = iter(server_ids)
    mids = [
        next(it) if s else f"ajs-next-{h}" for s, h in zip(server.tolist(), client_ids, strict=True)
    ]
    return SegmentEvents(rng, pop, sessions, ev, searches, referrers, campaigns, mids)


def _write_segment(
    task: ChunkTask, seg: SegmentEvents, rng: np.random.Generator, tally: Tally
) -> None:
    cutoffs = np.array([d.cutoff_ms for d in task.drops])
    n = len(seg.t)
    alive = seg.rat < C.HORIZON_MS
    retry = alive & (rng.random(n) < C.SEGMENT_RETRY_RATE)
    retry_idx = np.flatnonzero(retry)
    retry_rat = seg.rat[retry_idx] + rng.integers(5000, 30 * C.HOUR_MS, len(retry_idx))
    ok = retry_rat < C.HORIZON_MS
    retry_idx, retry_rat = retry_idx[ok], retry_rat[ok]
    orig_idx = np.flatnonzero(alive)
    all_idx = np.concatenate([orig_idx, retry_idx])
    all_rat = np.concatenate([seg.rat[orig_idx], retry_rat])
    is_retry = np.concatenate([np.zeros(len(orig_idx), bool), np.ones(len(retry_idx), bool)])
    drop = np.searchsorted(cutoffs, all_rat, side="right")
    order = np.lexsort((is_retry, all_rat, drop))
    bounds = np.searchsorted(drop[order], np.arange(len(task.drops) + 1))
    plan = broken.planned("segment/events", len(task.drops)) if task.chunk == 0 else []
    for k in range(task.n_written):
        sel = order[bounds[k] : bounds[k + 1]]
        lines = seg.render(all_idx[sel], all_rat[sel]) if len(sel) else []
        flags: list[str | None] = [None] * len(lines)
        for kd, kind in plan:
            if kd != k:
                continue
            pos = len(lines) // 2
            rng_b = stream(task.seed, "segment", "broken", task.chunk, k, len(flags))
            lines.insert(pos, _broken_segment_line(kind, lines, rng_b, task.drops[k]))
            flags.insert(pos, kind)
        if not lines:
            continue
        gz = task.drops[k].index % 5 != 2
        name = f"segment_{task.chunk:03d}.jsonl" + (".gz" if gz else "")
        rel = f"{SEGMENT_DIR}/{task.drops[k].file_name(name)}"
        data = ("\n".join(lines) + "\n").encode("utf-8")
        write_bytes(Path(task.landing) / rel, gzip_bytes(data) if gz else data)
        tally.add_file(rel)
        tally.records["segment/events"] += len(lines)
        tally.duplicates["segment/events"] += int(is_retry[sel].sum())
        for pos, kind in enumerate(flags):
            if kind:
                tally.broken.append(
                    BrokenRecord("segment/events", rel, pos + 1, broken.REASONS[kind])
                )


def _broken_segment_line(kind: str, lines: list[str], rng: np.random.Generator, drop: Drop) -> str:
    mid = uuid4s(rng, 1)[0]
    t = iso_z(np.array([drop.cutoff_ms - 3 * C.HOUR_MS]))[0]
    if kind == "broken_json":
        base = lines[0] if lines else f'{{"messageId":"{mid}","type":"page","timestamp":"{t}"}}'
        return base[: int(len(base) * 0.6)]
    if kind == "no_identity":
        return (
            f'{{"channel":"server","context":{{"library":{{"name":"analytics-python","version":"2.3.3"}}}},'
            f'"event":"Invoice Paid","integrations":{{}},"messageId":"{mid}",'
            f'"originalTimestamp":"{t}",'
            f'"properties":{{"amount":1200,"currency":"USD"}},"receivedAt":"{t}","sentAt":"{t}",'
            f'"timestamp":"{t}","type":"track","userId":null}}'
        )
    bad = "2026-02-30T25:61:00.000Z" if drop.index % 2 else "yesterday at noon"
    return (
        f'{{"anonymousId":"{uuid4s(rng, 1)[0]}","channel":"client",'
        '"context":{"page":{"path":"/","referrer":"",'
        f'"search":"","title":"Acme Cloud","url":"https://www.acmecloud.example/"}}}},"integrations":{{}},'
        f'"messageId":"{mid}","originalTimestamp":"{bad}","properties":{{}},"receivedAt":"{t}","sentAt":"{bad}",'
        f'"timestamp":"{bad}","type":"page","userId":null}}'
    )


def _write_sendgrid(
    task: ChunkTask, rng: np.random.Generator, pop, ev: email.EmailEvents, tally: Tally
) -> None:
    fmt = email.EmailFormatter(rng, pop, task.world, ev)
    cutoffs = np.array([d.cutoff_ms for d in task.drops])
    n = len(ev)
    deliver = ev.t + rng.integers(1000, 60_000, n)
    alive = deliver < C.HORIZON_MS
    orig = np.flatnonzero(alive)
    red = orig[rng.random(len(orig)) < C.SENDGRID_REDELIVERY_RATE]
    red_t = deliver[red] + np.where(
        rng.random(len(red)) < 0.5, 0, rng.integers(30_000, 3 * C.HOUR_MS, len(red))
    )
    ok = red_t < C.HORIZON_MS
    red, red_t = red[ok], red_t[ok]
    idx = np.concatenate([orig, red])
    t = np.concatenate([deliver[orig], red_t])
    is_dup = np.concatenate([np.zeros(len(orig), bool), np.ones(len(red), bool)])
    drop = np.searchsorted(cutoffs, t, side="right")
    order = np.lexsort((is_dup, t, drop))
    bounds = np.searchsorted(drop[order], np.arange(len(task.drops) + 1))
    plan = broken.planned("sendgrid/events", len(task.drops)) if task.chunk == 0 else []
    fresh_ids = iter(fmt.event_ids[::-1])
    for k in range(task.n_written):
        sel = order[bounds[k] : bounds[k + 1]]
        items = [fmt.render(int(i)) for i in idx[sel].tolist()]
        flags: list[str | None] = [None] * len(items)
        for kd, kind in plan:
            if kd != k:
                continue
            src = int(idx[sel][0]) if len(sel) else 0
            pos = len(items) // 2
            if kind == "missing_sg_event_id":
                text = fmt.render(src, drop_id=True)
            else:
                text = fmt.render(src, bad_timestamp=True).replace(
                    fmt.event_ids[src], "bad" + next(fresh_ids)[3:]
                )
            items.insert(pos, text)
            flags.insert(pos, kind)
        if not items:
            continue
        rel = f"{SENDGRID_DIR}/{task.drops[k].file_name(f'sendgrid_webhook_{task.chunk:03d}.json')}"
        write_bytes(Path(task.landing) / rel, ("[" + ",\n".join(items) + "]\n").encode("utf-8"))
        tally.add_file(rel)
        tally.records["sendgrid/events"] += len(items)
        tally.duplicates["sendgrid/events"] += int(is_dup[sel].sum())
        for pos, kind in enumerate(flags):
            if kind:
                tally.broken.append(
                    BrokenRecord("sendgrid/events", rel, pos + 1, broken.REASONS[kind])
                )


SF_TABLE = {
    "Lead": "salesforce/lead",
    "LeadHistory": "salesforce/lead_history",
    "Contact": "salesforce/contact",
    "Account": "salesforce/account",
    "Opportunity": "salesforce/opportunity",
    "OpportunityHistory": "salesforce/opportunity_history",
    "OpportunityContactRole": "salesforce/opportunity_contact_role",
    "User": "salesforce/user",
}


def sf_file(drop: Drop, sobject: str) -> str:
    return f"crm/salesforce/{sobject}/{drop.file_name(f'{sobject}.csv')}"


def write_sf_parts(
    records: dict[str, list[crm.Record]],
    drops: tuple[Drop, ...],
    n_written: int,
    scratch: Path,
    part: int,
    tally: Tally,
    inject: bool,
) -> dict[tuple[str, int], int]:
    """Rows of each (object, drop) go to ``scratch/<object>/<drop>_<part>.csv`` (no
    header); counts of rows, repeats (restatements) and deletions go to ``tally``."""
    cutoffs = [d.cutoff_ms for d in drops]
    buffers: dict[tuple[str, int], list[str]] = {}
    seen: set[str] = set()
    for sobject, k, values, row in crm.export_rows(records, cutoffs, n_written):
        table = SF_TABLE[sobject]
        buffers.setdefault((sobject, k), []).append(crm.csv_line(values))
        tally.records[table] += 1
        if row["Id"] in seen:
            tally.restatements[table] += 1
        seen.add(row["Id"])
        if row.get("IsDeleted"):
            tally.deletions[table] += 1
    if inject:
        for sobject, table in (
            ("Lead", "salesforce/lead"),
            ("Opportunity", "salesforce/opportunity"),
        ):
            for kd, kind in broken.planned(table, len(drops)):
                if kd >= n_written:
                    continue
                lines = buffers.setdefault((sobject, kd), [])
                lines.append(_broken_sf_line(sobject, kind, drops[kd], len(lines)))
                tally.records[table] += 1
                tally.broken.append(
                    BrokenRecord(
                        table, sf_file(drops[kd], sobject), len(lines) + 1, broken.REASONS[kind]
                    )
                )
    counts = {}
    for (sobject, k), lines in buffers.items():
        path = scratch / sobject / f"{k:05d}_{part:05d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines), encoding="utf-8")
        counts[(sobject, k)] = len(lines)
    return counts


def _broken_sf_line(sobject: str, kind: str, drop: Drop, n: int) -> str:
    from .ids import sf_id

    fields = crm.FIELDS[sobject]
    t = crm.fmt_datetime(drop.cutoff_ms - 5 * C.HOUR_MS, False)
    row = dict.fromkeys(fields, "")
    rid = sf_id(sobject, 900_000_000 + drop.index * 10 + n % 10)
    row.update({"Id": rid, "CreatedDate": t, "SystemModstamp": t, "IsDeleted": "false"})
    if sobject == "Lead":
        row.update(
            {
                "Email": "import.error@example.org",
                "LastName": "Import",
                "Company": "Unknown",
                "Status": "Open - Not Contacted",
                "IsConverted": "false",
                "LeadSource": "Other",
            }
        )
        if kind == "bad_datetime":
            row["CreatedDate"] = "2026-02-30T10:00:00.000Z"
        values = [row[f] for f in fields]
        if kind == "wrong_field_count":
            values = values[:-2]
        return crm.csv_line(values)
    row.update(
        {
            "Name": "Broken Export Row",
            "StageName": "Prospecting",
            "IsClosed": "false",
            "IsWon": "false",
            "SystemModstamp": "14/03/2026 09:12:44",
        }
    )
    return crm.csv_line([row[f] for f in fields])


def _write_salesforce(task: ChunkTask, c: crm.Crm, tally: Tally) -> dict[tuple[str, int], int]:
    records = {k: v for k, v in c.records.items() if k != "User"}
    return write_sf_parts(
        records, task.drops, task.n_written, Path(task.scratch), task.chunk, tally, task.chunk == 0
    )
