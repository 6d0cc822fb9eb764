"""Salesforce: leads, their status history and conversion, accounts, contacts,
opportunities with stage history and contact roles, users as owners.

Each record is a list of timed changes; folding them gives its versions (one per
``SystemModstamp``). An incremental export at a drop holds every record whose latest
version before the cutoff was stamped after the previous cutoff (minus an overlap).
"""

from __future__ import annotations

import copy
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from . import config as C
from . import pools
from .ids import sf_id
from .people import LEAD_FORMS, Population
from .streams import stream
from .world import World, active_users


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIELDS: dict[str, tuple[str, ...]] = {
    "Lead": _names(
        "Id Email FirstName LastName Company Title LeadSource Status IsConverted "
        "ConvertedDate ConvertedContactId ConvertedAccountId ConvertedOpportunityId "
        "OwnerId CreatedDate SystemModstamp IsDeleted Country"
    ),
    "LeadHistory": _names("Id LeadId Field OldValue NewValue CreatedDate IsDeleted"),
    "Contact": _names(
        "Id AccountId Email FirstName LastName Title LeadSource OwnerId CreatedDate "
        "SystemModstamp IsDeleted"
    ),
    "Account": _names(
        "Id Name Industry NumberOfEmployees BillingCountry Type OwnerId CreatedDate "
        "SystemModstamp IsDeleted"
    ),
    "Opportunity": _names(
        "Id AccountId Name StageName Amount CurrencyIsoCode Probability CloseDate "
        "IsClosed IsWon Type LeadSource CampaignId ForecastCategory OwnerId CreatedDate "
        "SystemModstamp IsDeleted"
    ),
    "OpportunityHistory": _names(
        "Id OpportunityId StageName Amount CloseDate Probability CreatedDate IsDeleted"
    ),
    "OpportunityContactRole": _names(
        "Id OpportunityId ContactId Role IsPrimary CreatedDate SystemModstamp IsDeleted"
    ),
    "User": _names("Id Name Email IsActive UserRoleId ManagerId CreatedDate SystemModstamp"),
}
OBJECTS = tuple(FIELDS)
DATETIME_FIELDS = frozenset({"CreatedDate", "SystemModstamp"})
HISTORY_OBJECTS = frozenset({"LeadHistory", "OpportunityHistory"})

STAGES = (
    ("Prospecting", 10, "Pipeline"),
    ("Qualification", 10, "Pipeline"),
    ("Needs Analysis", 20, "Pipeline"),
    ("Value Proposition", 50, "Pipeline"),
    ("Id. Decision Makers", 60, "BestCase"),
    ("Perception Analysis", 70, "BestCase"),
    ("Proposal/Price Quote", 75, "Forecast"),
    ("Negotiation/Review", 90, "Forecast"),
)
STAGE_INFO = {s: (p, f) for s, p, f in STAGES} | {
    "Closed Won": (100, "Closed"),
    "Closed Lost": (0, "Omitted"),
}
CRM_ONLY_SOURCES = (
    ("Trade Show", 0.4),
    ("Purchased List", 0.25),
    ("Partner Referral", 0.2),
    ("Phone Inquiry", 0.15),
)
TRADE_SHOWS = (date(2026, 3, 20), date(2026, 6, 12), date(2026, 9, 18))
LIST_IMPORTS = (date(2026, 2, 5), date(2026, 7, 8))
ROLES = ("Decision Maker", "Economic Buyer", "Technical Buyer", "Influencer", "Evaluator")
INF = np.iinfo(np.int64).max


def fmt_datetime(ms: int, plus0000: bool) -> str:
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
        f".{ms % 1000:03d}{'+0000' if plus0000 else 'Z'}"
    )


def date_of(ms: int) -> str:
    t = time.gmtime(ms // 1000)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"


@dataclass
class Record:
    sobject: str
    id: str
    changes: list[tuple[int, dict]] = field(default_factory=list)

    def versions(self) -> list[tuple[int, dict]]:
        """Fold the timed changes into full rows, one per distinct time."""
        out: list[tuple[int, dict]] = []
        state: dict = {}
        for t, ch in sorted(self.changes, key=lambda c: c[0]):
            state = {**state, **ch}
            row = {**state, "SystemModstamp": t}
            if out and out[-1][0] == t:
                out[-1] = (t, row)
            else:
                out.append((t, row))
        return out


class Crm:
    """All Salesforce records of one chunk."""

    def __init__(self, chunk: int, world: World, rng: np.random.Generator) -> None:
        self.world, self.rng = world, rng
        self.base = 1_000_000 + chunk * 10_000_000
        self.counters = {o: 0 for o in OBJECTS}
        self.records: dict[str, list[Record]] = {o: [] for o in OBJECTS}
        self.stats = {
            k: 0
            for k in (
                "leads",
                "mqls",
                "sqls",
                "converted",
                "opportunities",
                "won",
                "lost",
                "accounts",
                "contacts",
                "deleted_records",
            )
        }

    def drawing_from(self, rng: np.random.Generator) -> Crm:
        """The same records, ids and counts, with draws from ``rng``: a part of the CRM
        simulated with a stream of its own shifts no draw of the rest."""
        view = copy.copy(self)
        view.rng = rng
        return view

    def new(self, sobject: str) -> Record:
        self.counters[sobject] += 1
        rec = Record(sobject, sf_id(sobject, self.base + self.counters[sobject] * 7 + 3))
        self.records[sobject].append(rec)
        return rec

    def owner(self, kind: str, t: int) -> str:
        users = (
            active_users(self.world, kind, t) or [u for u in self.world.users if u.kind == kind][:1]
        )
        return users[int(self.rng.integers(0, len(users)))].id

    def history(self, sobject: str, t: int, row: dict) -> Record:
        rec = self.new(sobject)
        rec.changes.append((t, {**row, "Id": rec.id, "CreatedDate": t, "IsDeleted": False}))
        return rec

    def delete(self, recs: list[Record], t: int) -> None:
        for rec in recs:
            if t < C.HORIZON_MS:
                rec.changes.append((t, {"IsDeleted": True}))
                self.stats["deleted_records"] += 1


@dataclass
class LeadPlan:
    person: int
    created: int
    source: str
    form: str
    status_times: list[tuple[int, str]]
    converted_at: int = INF
    record: Record | None = None


def crm_only_leads(rng: np.random.Generator, pop: Population) -> tuple[np.ndarray, list[str]]:
    """Creation time and LeadSource of every CRM-only person's Lead: trade-show and
    list imports arrive in bursts a few days after the event, partners and phone calls
    at any time."""
    n = pop.n
    created = np.full(n, INF, dtype=np.int64)
    sources = [""] * n
    idx = np.flatnonzero(pop.kind == C.KIND_CRM_ONLY)
    w = np.array([s[1] for s in CRM_ONLY_SOURCES])
    src = rng.choice(len(CRM_ONLY_SOURCES), size=len(idx), p=w / w.sum())
    event = rng.integers(0, 100, len(idx))
    jitter = rng.integers(0, 15 * C.MINUTE_MS, len(idx))
    uniform = C.WINDOW_START_MS + rng.integers(0, C.HORIZON_MS - C.WINDOW_START_MS, len(idx))
    for k, p in enumerate(idx.tolist()):
        name = CRM_ONLY_SOURCES[src[k]][0]
        sources[p] = name
        if name == "Trade Show":
            d = TRADE_SHOWS[event[k] % len(TRADE_SHOWS)] + timedelta(days=3)
            created[p] = C.ms_of(d, 14) + jitter[k]
        elif name == "Purchased List":
            d = LIST_IMPORTS[event[k] % len(LIST_IMPORTS)]
            created[p] = C.ms_of(d, 10) + jitter[k]
        else:
            created[p] = uniform[k]
    created[created >= C.HORIZON_MS] = INF
    return created, sources


def simulate_crm(
    crm: Crm,
    pop: Population,
    lead_t: np.ndarray,
    crm_created: np.ndarray,
    crm_sources: list[str],
    history_rng: np.random.Generator,
) -> None:
    """The chunk's CRM: the pre-window customers, every Lead's life and conversion,
    then the deals lost before the window (drawn from ``history_rng``, after
    everything else, so the rest of the CRM is the same with or without them)."""
    rng = crm.rng
    accounts: dict[int, dict] = {}
    _existing_customers(crm, pop, accounts)

    plans: list[LeadPlan] = []
    web = np.flatnonzero(lead_t < INF)
    sync = rng.integers(2 * C.MINUTE_MS, 30 * C.MINUTE_MS, len(web))
    late = rng.random(len(web)) < 0.05
    for k, p in enumerate(web.tolist()):
        created = (
            int(lead_t[p])
            + int(sync[k])
            + (int(rng.integers(C.DAY_MS, 2 * C.DAY_MS)) if late[k] else 0)
        )
        form = LEAD_FORMS[pop.lead_form[p]]
        plans.append(LeadPlan(p, created, "Web", form, []))
    for p in np.flatnonzero(crm_created < INF).tolist():
        plans.append(LeadPlan(p, int(crm_created[p]), crm_sources[p], crm_sources[p], []))
    plans = [pl for pl in plans if pl.created < C.HORIZON_MS]
    plans.sort(key=lambda pl: (pl.created, pl.person))
    for pl in plans:
        _lead_lifecycle(crm, pop, pl)
    for pl in sorted(
        (pl for pl in plans if pl.converted_at < C.HORIZON_MS),
        key=lambda pl: (pl.converted_at, pl.person),
    ):
        _convert(crm, pop, pl, accounts)
    n_customers = len({int(c) for c in pop.company[pop.kind == C.KIND_CUSTOMER]})
    _lost_history_deals(crm.drawing_from(history_rng), pop, accounts, n_customers)


def _lead_row(pop: Population, p: int, rec: Record, created: int, source: str, owner: str) -> dict:
    first, last = pop.full_name(p)
    comp = pop.company[p]
    return {
        "Id": rec.id,
        "Email": pop.email_crm[p],
        "FirstName": first,
        "LastName": last,
        "Company": pop.comp_name[comp],
        "Title": pools.TITLES[pop.title[p]],
        "LeadSource": source,
        "Status": "Open - Not Contacted",
        "IsConverted": False,
        "ConvertedDate": None,
        "ConvertedContactId": None,
        "ConvertedAccountId": None,
        "ConvertedOpportunityId": None,
        "OwnerId": owner,
        "CreatedDate": created,
        "IsDeleted": False,
        "Country": pools.COUNTRIES[pop.comp_country[comp]][0],
    }


def _lead_lifecycle(crm: Crm, pop: Population, pl: LeadPlan) -> None:
    rng = crm.rng
    p, t0 = pl.person, pl.created
    rec = crm.new("Lead")
    pl.record = rec
    owner = crm.owner("sdr", t0)
    rec.changes.append((t0, _lead_row(pop, p, rec, t0, pl.source, owner)))
    crm.history(
        "LeadHistory",
        t0,
        {"LeadId": rec.id, "Field": "created", "OldValue": None, "NewValue": None},
    )
    crm.stats["leads"] += 1
    status = "Open - Not Contacted"

    def change(t: int, new: str) -> bool:
        nonlocal status
        if t >= C.HORIZON_MS:
            return False
        rec.changes.append((t, {"Status": new}))
        crm.history(
            "LeadHistory",
            t,
            {"LeadId": rec.id, "Field": "Status", "OldValue": status, "NewValue": new},
        )
        pl.status_times.append((t, new))
        status = new
        return True

    def after(t: int, mean_days: float, min_hours: float = 1.0) -> int:
        return t + int(min_hours * C.HOUR_MS + rng.exponential(mean_days * C.DAY_MS))

    r = rng.random(6)
    if r[0] < C.MQL_RATE_BY_SOURCE[pl.form]:
        t = (
            t0 + int(rng.uniform(1, 8) * C.HOUR_MS)
            if pl.form == "Demo Requested"
            else after(t0, 6, 2)
        )
        if change(t, "Marketing Qualified"):
            crm.stats["mqls"] += 1
            if r[1] < C.SQL_RATE:
                t = after(t, 3)
                if change(t, "Working - Contacted"):
                    crm.stats["sqls"] += 1
                    t = after(t, 4)
                    if change(t, "Sales Qualified"):
                        if r[2] < C.CONVERT_RATE:
                            pl.converted_at = after(t, 6)
                        else:
                            change(after(t, 10), "Closed - Not Converted")
            elif r[3] < C.MQL_STALL_CLOSE_RATE:
                change(after(t, 14, 14 * 24), "Closed - Not Converted")
    elif r[4] < C.NON_MQL_CLOSE_RATE:
        change(after(t0, 20, 20 * 24), "Closed - Not Converted")
    if r[5] < 0.10:
        t = after(t0, 5)
        if t < C.HORIZON_MS and t < pl.converted_at:
            new_owner = crm.owner("sdr", t)
            if new_owner != owner:
                rec.changes.append((t, {"OwnerId": new_owner}))
                crm.history(
                    "LeadHistory",
                    t,
                    {"LeadId": rec.id, "Field": "Owner", "OldValue": owner, "NewValue": new_owner},
                )
    if rng.random() < C.LEAD_TOUCH_UPDATE_RATE:
        t = after(t0, 10)
        if t < C.HORIZON_MS:
            title = pools.TITLES[pop.title[p]] or "Marketing Manager"
            rec.changes.append((t, {"Title": title}))
    if pl.source == "Web" and rng.random() < C.DUPLICATE_LEAD_RATE:
        t = after(t0, 4, 24)
        if t < C.HORIZON_MS:
            dup = crm.new("Lead")
            dup.changes.append((t, _lead_row(pop, p, dup, t, "Web", crm.owner("sdr", t))))
            h = crm.history(
                "LeadHistory",
                t,
                {"LeadId": dup.id, "Field": "created", "OldValue": None, "NewValue": None},
            )
            crm.delete([dup, h], after(t, 2, 12))


def _new_account(crm: Crm, pop: Population, comp: int, t: int, type_: str) -> dict:
    rec = crm.new("Account")
    owner = crm.owner("ae", t)
    rec.changes.append(
        (
            t,
            {
                "Id": rec.id,
                "Name": pop.comp_name[comp],
                "Industry": pools.INDUSTRIES[pop.comp_industry[comp]],
                "NumberOfEmployees": int(pop.comp_employees[comp]),
                "BillingCountry": pools.COUNTRIES[pop.comp_country[comp]][0],
                "Type": type_,
                "OwnerId": owner,
                "CreatedDate": t,
                "IsDeleted": False,
            },
        )
    )
    crm.stats["accounts"] += 1
    acc = {
        "rec": rec,
        "owner": owner,
        "won_at": INF,
        "contacts": [],
        "customer": type_ != "Prospect",
    }
    _reassign_on_leave(crm, rec, owner, t, INF)
    return acc


def _reassign_on_leave(crm: Crm, rec: Record, owner: str, t_from: int, t_until: int) -> str:
    """If the owner leaves while the record is open, a colleague takes it over."""
    for u in crm.world.users:
        if (
            u.id == owner
            and u.deactivated_ms
            and t_from < u.deactivated_ms < min(t_until, C.HORIZON_MS)
        ):
            new = crm.owner(u.kind, u.deactivated_ms)
            rec.changes.append((u.deactivated_ms, {"OwnerId": new}))
            return new
    return owner


def _new_contact(crm: Crm, pop: Population, p: int, acc: dict, t: int, source: str) -> Record:
    rec = crm.new("Contact")
    first, last = pop.full_name(p)
    rec.changes.append(
        (
            t,
            {
                "Id": rec.id,
                "AccountId": acc["rec"].id,
                "Email": pop.email_crm[p],
                "FirstName": first,
                "LastName": last,
                "Title": pools.TITLES[pop.title[p]],
                "LeadSource": source,
                "OwnerId": acc["owner"],
                "CreatedDate": t,
                "IsDeleted": False,
            },
        )
    )
    acc["contacts"].append((t, rec))
    crm.stats["contacts"] += 1
    return rec


def _amount(rng: np.random.Generator, kind: str) -> float:
    base = {"New Customer": 30_000, "Existing Customer - Upgrade": 12_000, "Renewal": 30_000}[kind]
    return float(round(np.exp(rng.normal(np.log(base), 0.55)) / 100) * 100)


def _existing_customers(crm: Crm, pop: Population, accounts: dict[int, dict]) -> None:
    rng = crm.rng
    members: dict[int, list[int]] = {}
    for p in np.flatnonzero(pop.kind == C.KIND_CUSTOMER).tolist():
        members.setdefault(int(pop.company[p]), []).append(p)
    lo, hi = C.ms_of(date(2024, 9, 2)), C.ms_of(date(2025, 7, 31))
    for comp in sorted(members):
        t_acc = int(rng.integers(lo, hi))
        acc = _new_account(crm, pop, comp, t_acc, "Customer - Direct")
        accounts[comp] = acc
        contacts = [
            _new_contact(
                crm, pop, p, acc, t_acc + int(rng.integers(C.HOUR_MS, 60 * C.DAY_MS)), "Web"
            )
            for p in members[comp]
        ]
        currency = pools.COUNTRIES[pop.comp_country[comp]][2]
        amount = _amount(rng, "New Customer")
        t_open = t_acc + int(rng.integers(C.HOUR_MS, 2 * C.DAY_MS))
        close = t_open + int(rng.integers(30, 60)) * C.DAY_MS
        _opportunity(
            crm, acc, t_open, "New Customer", amount, currency, "Web", contacts[:1], "won", close
        )
        due = close + 365 * C.DAY_MS
        _opportunity(
            crm,
            acc,
            due - 60 * C.DAY_MS,
            "Renewal",
            round(amount * rng.uniform(1.0, 1.12) / 100) * 100.0,
            currency,
            "Existing Customer",
            contacts[:1] if rng.random() < 0.7 else [],
            "won" if rng.random() < C.RENEWAL_WIN_RATE else "lost",
            due + int(rng.integers(-10, 11)) * C.DAY_MS,
        )
        if rng.random() < C.UPGRADE_RATE:
            t = C.WINDOW_START_MS + int(rng.integers(0, C.HORIZON_MS - C.WINDOW_START_MS))
            _opportunity(
                crm,
                acc,
                t,
                "Existing Customer - Upgrade",
                _amount(rng, "Existing Customer - Upgrade"),
                currency,
                "Existing Customer",
                contacts[-1:],
                "won" if rng.random() < C.UPGRADE_WIN_RATE else "lost",
                None,
            )


def _lost_history_deals(
    crm: Crm, pop: Population, accounts: dict[int, dict], n_customers: int
) -> None:
    """New Customer deals lost before the window, at prospects that never came back.

    The pre-window customers are the history's won deals; without lost ones the
    history would show a 100% win rate. For ``n_customers`` won deals there are
    ``n_customers * (1 - w) / w`` lost ones (``w`` = HISTORY_NEW_BUSINESS_WIN_RATE),
    shared out over the calendar months from HISTORY_CLOSES_FROM until
    HISTORY_LOST_UNTIL: one to each month, the rest to months drawn at random, each
    closing at a random time of its month. So with at least as many lost deals as
    months, every month has one (at demo: 24 deals over 16 months).

    Each goes to a company with no account by the window's end (no customer, no
    converted lead), as a Prospect account with one Contact, an anonymous web visitor
    of that company: no web identify or email ever names them, so the window's leads,
    MQLs and their attribution are unchanged. The deal is created 20-60 days before it
    closes, and always before the window."""
    rng = crm.rng
    n_lost = round(
        n_customers * (1 - C.HISTORY_NEW_BUSINESS_WIN_RATE) / C.HISTORY_NEW_BUSINESS_WIN_RATE
    )
    anonymous: dict[int, list[int]] = {}
    for p in np.flatnonzero(pop.kind == C.KIND_ANON).tolist():
        comp = int(pop.company[p])
        if comp not in accounts:
            anonymous.setdefault(comp, []).append(p)
    companies = sorted(anonymous)
    n_lost = min(n_lost, len(companies))
    if n_lost == 0:
        return
    months = [C.HISTORY_CLOSES_FROM]
    while months[-1] < C.HISTORY_LOST_UNTIL:
        m = months[-1]
        months.append(date(m.year + m.month // 12, m.month % 12 + 1, 1))
    n_months = len(months) - 1
    if n_lost >= n_months:
        per_month = 1 + rng.multinomial(n_lost - n_months, np.full(n_months, 1 / n_months))
    else:  # a world too small to lose a deal every month (tiny)
        per_month = np.bincount(
            rng.choice(n_months, size=n_lost, replace=False), minlength=n_months
        )
    month_of_deal = np.repeat(np.arange(n_months), per_month)
    chosen = rng.choice(len(companies), size=n_lost, replace=False)
    for i, j in zip(month_of_deal.tolist(), chosen.tolist(), strict=True):
        comp = companies[j]
        lo, hi = C.ms_of(months[i]), C.ms_of(months[i + 1])
        close = lo + int(rng.integers(0, hi - lo))
        t0 = min(
            close - int(rng.uniform(20, 60) * C.DAY_MS),
            C.WINDOW_START_MS - int(rng.uniform(1, 20) * C.DAY_MS),
        )
        members = anonymous[comp]
        p = members[int(rng.integers(0, len(members)))]
        t_acc = t0 - int(rng.integers(5000, 2 * C.DAY_MS))
        acc = accounts[comp] = _new_account(crm, pop, comp, t_acc, "Prospect")
        contact = _new_contact(crm, pop, p, acc, t_acc + int(rng.integers(1000, 3000)), "Web")
        roles = [] if rng.random() < C.OPPORTUNITY_WITHOUT_ROLE_RATE else [contact]
        _opportunity(
            crm,
            acc,
            t0,
            "New Customer",
            _amount(rng, "New Customer"),
            pools.COUNTRIES[pop.comp_country[comp]][2],
            "Web",
            roles,
            "lost",
            close,
        )


def _convert(crm: Crm, pop: Population, pl: LeadPlan, accounts: dict[int, dict]) -> None:
    rng = crm.rng
    p, t = pl.person, pl.converted_at
    comp = int(pop.company[p])
    acc = accounts.get(comp)
    if acc is None:
        acc = accounts[comp] = _new_account(crm, pop, comp, t, "Prospect")
    contact = _new_contact(crm, pop, p, acc, t + int(rng.integers(1000, 3000)), pl.source)
    opp_id = None
    if rng.random() < C.CONVERT_WITH_OPPORTUNITY:
        kind = (
            "Existing Customer - Upgrade"
            if acc["won_at"] < t or acc["customer"]
            else "New Customer"
        )
        currency = pools.COUNTRIES[pop.comp_country[comp]][2]
        win = C.NEW_BUSINESS_WIN_RATE if kind == "New Customer" else C.UPGRADE_WIN_RATE
        roles = [] if rng.random() < C.OPPORTUNITY_WITHOUT_ROLE_RATE else [contact]
        others = [c for tc, c in acc["contacts"] if c is not contact and tc < t]
        if roles and others and rng.random() < 0.2:
            roles.append(others[int(rng.integers(0, len(others)))])
        opp = _opportunity(
            crm,
            acc,
            t + int(rng.integers(2000, 5000)),
            kind,
            _amount(rng, kind),
            currency,
            pl.source,
            roles,
            "won" if rng.random() < win else "lost",
            None,
        )
        opp_id = opp.id
    lead = pl.record
    assert lead is not None
    lead.changes.append(
        (
            t,
            {
                "Status": "Closed - Converted",
                "IsConverted": True,
                "ConvertedDate": date_of(t),
                "ConvertedContactId": contact.id,
                "ConvertedAccountId": acc["rec"].id,
                "ConvertedOpportunityId": opp_id,
            },
        )
    )
    old = pl.status_times[-1][1] if pl.status_times else "Open - Not Contacted"
    crm.history(
        "LeadHistory",
        t,
        {"LeadId": lead.id, "Field": "Status", "OldValue": old, "NewValue": "Closed - Converted"},
    )
    crm.history(
        "LeadHistory",
        t,
        {"LeadId": lead.id, "Field": "leadConverted", "OldValue": None, "NewValue": None},
    )
    crm.stats["converted"] += 1


def _opportunity(
    crm: Crm,
    acc: dict,
    t0: int,
    kind: str,
    amount: float,
    currency: str,
    lead_source: str,
    roles: list[Record],
    outcome: str,
    close_at: int | None,
) -> Record:
    """One opportunity's whole life: stages, amount and close-date changes, history rows,
    contact roles; won deals make the account a customer."""
    rng = crm.rng
    rec = crm.new("Opportunity")
    owner = crm.owner("ae", t0)
    names = [s for s, _, _ in STAGES]
    if kind == "Renewal":
        path = ["Prospecting", "Proposal/Price Quote", "Negotiation/Review"]
    else:
        path = [names[0]] + [s for s in names[1:] if rng.random() < 0.8]
        if outcome == "lost":
            path = path[: int(rng.integers(1, len(path) + 1))]
    path.append("Closed Won" if outcome == "won" else "Closed Lost")
    times = [t0]
    if close_at is not None:
        step = (close_at - t0) / (len(path) - 1)
        times += [
            int(t0 + step * (k + 1) - rng.integers(0, int(step * 0.3) + 1))
            for k in range(len(path) - 2)
        ]
        times.append(close_at)
    else:
        dwell = 9.0 if kind == "New Customer" else 6.0
        for _ in path[1:]:
            times.append(times[-1] + C.DAY_MS + int(rng.exponential(dwell * C.DAY_MS)))
    expected = (
        t0 + (75 if kind == "New Customer" else 45) * C.DAY_MS if close_at is None else close_at
    )
    null_amount = rng.random() < C.NULL_AMOUNT_RATE
    amt: float | None = (
        None if (null_amount or (kind == "New Customer" and rng.random() < 0.2)) else amount
    )
    rec.changes.append(
        (
            t0,
            {
                "Id": rec.id,
                "AccountId": acc["rec"].id,
                "Name": f"{acc['rec'].changes[0][1]['Name']} - "
                + {
                    "New Customer": "New Business",
                    "Renewal": "Renewal",
                    "Existing Customer - Upgrade": "Upgrade",
                }[kind]
                + f" {date_of(t0)[:7]}",
                "StageName": path[0],
                "Amount": amt,
                "CurrencyIsoCode": currency,
                "Probability": STAGE_INFO[path[0]][0],
                "CloseDate": date_of(expected),
                "IsClosed": False,
                "IsWon": False,
                "Type": kind,
                "LeadSource": lead_source,
                "CampaignId": crm.world.salesforce_campaign_ids[int(rng.integers(0, 3))]
                if rng.random() < 0.3
                else None,
                "ForecastCategory": STAGE_INFO[path[0]][1],
                "OwnerId": owner,
                "CreatedDate": t0,
                "IsDeleted": False,
            },
        )
    )
    state = {
        "StageName": path[0],
        "Amount": amt,
        "CloseDate": date_of(expected),
        "Probability": STAGE_INFO[path[0]][0],
    }
    if t0 < C.HORIZON_MS:
        crm.stats["opportunities"] += 1
    crm.history("OpportunityHistory", t0, {"OpportunityId": rec.id, **state})
    for t_role, contact in enumerate(roles):
        ocr = crm.new("OpportunityContactRole")
        t = t0 + 5000 + (t_role * int(rng.integers(1, 20)) * C.DAY_MS)
        if t < C.HORIZON_MS:
            ocr.changes.append(
                (
                    t,
                    {
                        "Id": ocr.id,
                        "OpportunityId": rec.id,
                        "ContactId": contact.id,
                        "Role": ROLES[0]
                        if t_role == 0
                        else ROLES[1 + int(rng.integers(0, len(ROLES) - 1))],
                        "IsPrimary": t_role == 0,
                        "CreatedDate": t,
                        "IsDeleted": False,
                    },
                )
            )
            if rng.random() < 0.02:
                crm.delete([ocr], t + int(rng.integers(1, 10)) * C.DAY_MS)
    closed_at = INF
    for stage, t in zip(path[1:], times[1:], strict=True):
        if t >= C.HORIZON_MS:
            break
        ch: dict = {
            "StageName": stage,
            "Probability": STAGE_INFO[stage][0],
            "ForecastCategory": STAGE_INFO[stage][1],
        }
        if (
            state["Amount"] is None
            and not null_amount
            and stage in ("Needs Analysis", "Value Proposition", "Closed Won", "Closed Lost")
        ):
            ch["Amount"] = amount
        if stage == "Proposal/Price Quote" and state.get("Amount") is not None:
            ch["Amount"] = float(round(state["Amount"] * rng.uniform(0.85, 1.1) / 100) * 100)
        if stage in ("Closed Won", "Closed Lost"):
            ch.update({"IsClosed": True, "IsWon": stage == "Closed Won", "CloseDate": date_of(t)})
            closed_at = t
        elif t > expected - 7 * C.DAY_MS:
            expected += 30 * C.DAY_MS
            ch["CloseDate"] = date_of(expected)
        rec.changes.append((t, ch))
        state.update({k: v for k, v in ch.items() if k in state})
        crm.history("OpportunityHistory", t, {"OpportunityId": rec.id, **state})
    if closed_at < INF:
        if path[-1] == "Closed Won":
            crm.stats["won"] += int(closed_at >= C.WINDOW_START_MS)
            if acc["won_at"] > closed_at:
                acc["won_at"] = closed_at
            if not acc["customer"]:
                acc["customer"] = True
                acc["rec"].changes.append((closed_at, {"Type": "Customer - Direct"}))
        else:
            crm.stats["lost"] += int(closed_at >= C.WINDOW_START_MS)
    if rng.random() < 0.3:
        t = t0 + int(rng.exponential(10 * C.DAY_MS))
        if t < min(closed_at, C.HORIZON_MS):
            rec.changes.append(
                (t, {})
            )  # an edit of a field not exported (NextStep): new SystemModstamp
    _reassign_on_leave(crm, rec, owner, t0, closed_at)
    if kind == "New Customer" and rng.random() < C.DUPLICATE_OPPORTUNITY_RATE:
        t = t0 + C.DAY_MS + int(rng.integers(0, 6 * C.HOUR_MS))
        if t < C.HORIZON_MS:
            dup = crm.new("Opportunity")
            row = dict(rec.changes[0][1])
            row.update({"Id": dup.id, "CreatedDate": t, "Amount": None, "CampaignId": None})
            dup.changes.append((t, row))
            h = crm.history(
                "OpportunityHistory",
                t,
                {
                    "OpportunityId": dup.id,
                    "StageName": path[0],
                    "Amount": None,
                    "CloseDate": row["CloseDate"],
                    "Probability": STAGE_INFO[path[0]][0],
                },
            )
            crm.delete([dup, h], t + int(rng.integers(1, 4)) * C.DAY_MS)
    return rec


def users_crm(world: World) -> Crm:
    """The User records (global, written by the main process)."""
    crm = Crm(-1, world, stream(world.seed, "salesforce", "users"))  # draws nothing
    crm.records["User"] = []
    for u in world.users:
        rec = Record("User", u.id)
        rec.changes.append(
            (
                u.created_ms,
                {
                    "Id": u.id,
                    "Name": u.name,
                    "Email": u.email,
                    "IsActive": True,
                    "UserRoleId": u.role_id,
                    "ManagerId": u.manager_id or None,
                    "CreatedDate": u.created_ms,
                },
            )
        )
        if u.deactivated_ms:
            rec.changes.append((u.deactivated_ms, {"IsActive": False}))
        crm.records["User"].append(rec)
    return crm


# --- export --------------------------------------------------------------------------------


def _cell(value, name: str, plus0000: bool) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if name in DATETIME_FIELDS:
        return fmt_datetime(int(value), plus0000)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def csv_line(values: list[str]) -> str:
    return '"' + '","'.join(v.replace('"', '""') for v in values) + '"\n'


def header_line(sobject: str) -> str:
    return csv_line(list(FIELDS[sobject]))


def uses_plus0000(drop_index: int) -> bool:
    """Every fourth drop's exports write datetimes with ``+0000`` instead of ``Z``."""
    return drop_index % 4 == 3


@dataclass
class ExportCounts:
    rows: dict[tuple[str, int], int] = field(default_factory=dict)
    restatements: dict[str, int] = field(default_factory=dict)
    deletions: dict[str, int] = field(default_factory=dict)


def export_rows(records: dict[str, list[Record]], cutoffs: list[int], n_written: int):
    """Yield (sobject, drop index, row values, row) for every exported row, in drop order.

    Drop k exports, for each record, its latest version stamped before cutoff k if that
    stamp is at or after cutoff k-1 minus the overlap: a version first ships in the drop
    after its stamp, and once more in the next drop if it was stamped within the overlap
    before that drop's previous cutoff and is still the latest."""
    per_drop: dict[tuple[str, int], list[tuple[str, dict]]] = {}
    n_drops = len(cutoffs)
    for sobject, recs in records.items():
        for rec in recs:
            versions = rec.versions()
            ks = [bisect_right(cutoffs, stamp) for stamp, _ in versions] + [n_drops]
            for j, (stamp, row) in enumerate(versions):
                k, k_next = ks[j], ks[j + 1]
                if k >= k_next or k >= n_written:
                    continue  # superseded before any cutoff, or not shipped yet
                per_drop.setdefault((sobject, k), []).append((rec.id, row))
                if (
                    k + 1 < k_next
                    and k + 1 < n_written
                    and stamp >= cutoffs[k] - C.SF_EXPORT_OVERLAP_MS
                ):
                    per_drop.setdefault((sobject, k + 1), []).append((rec.id, row))
    for key in sorted(per_drop, key=lambda x: (x[1], OBJECTS.index(x[0]))):
        sobject, k = key
        plus = uses_plus0000(k)
        fields = FIELDS[sobject]
        for _rid, row in sorted(per_drop[key], key=lambda r: r[0]):
            yield sobject, k, [_cell(row.get(f), f, plus) for f in fields], row
