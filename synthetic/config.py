"""Fixed parameters of the simulated world: window, scales, drop times and funnel rates.

Everything that decides *what happens* in the world lives here, so that the README's
numbers and the code's numbers are the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

WINDOW_START = date(2026, 1, 1)
"""First simulated day (UTC)."""
WINDOW_END = date(2026, 9, 30)
"""Last drop date. The world's activity stops at this day's drop time (06:00 UTC)."""
DROP_HOUR_UTC = 6
"""Every drop is stamped and cut off at 06:00 UTC of its date."""

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS


def ms_of(day: date, hour: int = 0) -> int:
    """Unix milliseconds of ``day`` at ``hour``:00 UTC."""
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp() * 1000)


WINDOW_START_MS = ms_of(WINDOW_START)
HORIZON_MS = ms_of(WINDOW_END, DROP_HOUR_UTC)
"""Nothing in the world happens at or after this instant (the last drop's cutoff)."""
N_DAYS = (WINDOW_END - WINDOW_START).days
"""Whole days with ad statistics: WINDOW_START .. WINDOW_END - 1 (the last drop carries
the day before its date)."""


@dataclass(frozen=True)
class Scale:
    """Size of a world. ``chunks`` splits persons into independent groups simulated in
    parallel; it is part of the scale (never derived from the machine) so output only
    depends on (scale, seed)."""

    name: str
    persons: int
    chunks: int


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 400, 1),
    "demo": Scale("demo", 2_000, 1),
    "small": Scale("small", 20_000, 2),
    "medium": Scale("medium", 200_000, 8),
    "large": Scale("large", 2_000_000, 80),
}

# --- person mix (shares of all persons) --------------------------------------------------
KIND_ANON = 0
"""Web visitor who never identifies."""
KIND_WEB_LEAD = 1
"""Web visitor who will submit a lead form (if the world lasts long enough)."""
KIND_SUBSCRIBER = 2
"""Newsletter subscriber from before the window; visits mostly through email clicks."""
KIND_CRM_ONLY = 3
"""Lead created in the CRM only (trade show, purchased list, partner, phone)."""
KIND_CUSTOMER = 4
"""Contact at an account that was already a customer before the window."""
KIND_NAMES = ("web_anonymous", "web_lead", "subscriber", "crm_only", "customer_contact")
KIND_SHARES = (0.62, 0.16, 0.08, 0.08, 0.06)

SUBSCRIBER_LEAD_RATE = 0.25
"""Share of pre-window subscribers who also fill a lead form on the site."""
CUSTOMER_WEB_RATE = 0.6
"""Share of customer contacts who use the website (logged in, with a userId)."""
LEAD_FORM_MIX = (("Form Submitted", 0.55), ("Signed Up", 0.25), ("Demo Requested", 0.20))
WEB_LEAD_NEWSLETTER_OPT_IN = 0.5
CRM_ONLY_NEWSLETTER_RATE = 0.4
CUSTOMER_NEWSLETTER_RATE = 0.7
PERSONAL_EMAIL_RATE = 0.12
SECOND_DEVICE_RATE = 0.3
"""Share of signed-up persons with later sessions who also use a second browser."""

# --- CRM funnel rates ---------------------------------------------------------------------
MQL_RATE_BY_SOURCE = {
    "Demo Requested": 0.85,
    "Signed Up": 0.40,
    "Form Submitted": 0.22,
    "Trade Show": 0.30,
    "Purchased List": 0.08,
    "Partner Referral": 0.50,
    "Phone Inquiry": 0.60,
}
SQL_RATE = 0.50
"""Share of MQLs that sales accepts (status Working - Contacted, then Sales Qualified)."""
CONVERT_RATE = 0.85
"""Share of SQL leads converted to a Contact (the rest: Closed - Not Converted)."""
CONVERT_WITH_OPPORTUNITY = 0.90
NON_MQL_CLOSE_RATE = 0.40
"""Share of leads never qualified that are closed (Closed - Not Converted)."""
MQL_STALL_CLOSE_RATE = 0.30
DUPLICATE_LEAD_RATE = 0.02
"""Web leads who submit a second form creating a duplicate Lead, deleted days later."""
NEW_BUSINESS_WIN_RATE = 0.27
HISTORY_NEW_BUSINESS_WIN_RATE = 0.65
"""Share of the New Customer deals closed before the window that were won: the
pre-window customers' deals, plus about one lost deal for every two of them. Higher
than the window's NEW_BUSINESS_WIN_RATE on purpose: the monthly win rate the marts
show is over all deal types, and most of the window's closed deals are renewals (85%
won). At 65% it runs from 69% before the window to 53% in it (demo, seed 42); at the
window's 27% the history would sit at about 31% and the rate would jump up."""
HISTORY_CLOSES_FROM = date(2024, 10, 1)
"""First month with a closed deal in the CRM history (the first pre-window customers
sign 30-60 days after their accounts are created, from 2024-09-02)."""
HISTORY_LOST_UNTIL = date(2026, 2, 1)
"""Lost history deals close before this day: through the window's first month, for
the deals still open when the window starts (the window's own leads need weeks to
reach a decision, so without them January would have no lost deal)."""
UPGRADE_WIN_RATE = 0.50
RENEWAL_WIN_RATE = 0.85
UPGRADE_RATE = 0.20
"""Share of existing customer accounts with an upsell opportunity in the window."""
NULL_AMOUNT_RATE = 0.03
OPPORTUNITY_WITHOUT_ROLE_RATE = 0.15
DUPLICATE_OPPORTUNITY_RATE = 0.02
LEAD_TOUCH_UPDATE_RATE = 0.25
"""Leads edited once without a status change (a new SystemModstamp, same status)."""
SF_EMAIL_VARIANT_RATE = 0.08
"""Web leads whose CRM email differs in case or surrounding spaces."""
SF_EXPORT_OVERLAP_MS = HOUR_MS
"""Incremental Salesforce exports re-read the last hour of the previous one."""

# --- duplicates and retries ----------------------------------------------------------------
SEGMENT_RETRY_RATE = 0.004
SENDGRID_REDELIVERY_RATE = 0.003
