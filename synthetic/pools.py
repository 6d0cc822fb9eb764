"""Word pools: names, companies, the website's pages, browsers and referrers.

No value here may contain a double quote or a backslash: the writers put them into
JSON and CSV text through templates (checked at import).
"""

from __future__ import annotations

import unicodedata

SITE_HOST = "www.acmecloud.example"
SITE = f"https://{SITE_HOST}"
SITE_BARE = "https://acmecloud.example"
"""The site also answers without ``www.``: a few internal referrers use it."""
BRAND = "Acme Cloud"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy "
    "Anthony Betty Mark Sandra Donald Ashley Steven Emily Andrew Kimberly Paul Michelle "
    "Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah George Stephanie Timothy "
    "Rebecca Ronald Laura Jason Helen Edward Sharon Jeffrey Cynthia Ryan Kathleen Jacob Amy "
    "Gary Angela Nicholas Anna Eric Ruth Jonathan Brenda Stephen Pamela Larry Nicole Justin "
    "Katherine Scott Samantha Brandon Christine Benjamin Emma Samuel Olivia Gregory Sophie "
    "Alexander Hannah Patrick Chloe Frank Lucy Raymond Grace Jack Charlotte Dennis Amelia "
    "Jerry Mia Tyler Isla Aaron Freya Lukas Lena Felix Marie Jonas Leonie Maximilian Clara "
    "Paul Julia Elias Anna Noah Lea Louis Camille Hugo Manon Lucas Chloe Arthur Ines Sven "
    "Ingrid Lars Astrid Pieter Femke Daan Sanne Priya Arjun Wei Mei Hiroshi Yuki Mateo "
    "Sofia Diego Lucia Liam Aoife Conor Niamh Oisin Saoirse"
) + (
    "José",
    "Zoë",
    "Jürgen",
    "Chloé",
    "François",
    "Søren",
    "Björn",
    "Renée",
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell "
    "Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson "
    "Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
    "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross "
    "Foster Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch "
    "Richter Klein Wolf Neumann Schwarz Zimmermann Braun Hofmann Hartmann Lange Dubois "
    "Durand Lefebvre Moreau Laurent Simon Michel Bernard Leroy Roux Fontaine Jansen DeVries "
    "Bakker Visser Smit Meijer DeBoer Mulder Bos Vos Larsen Hansen Nielsen Andersson "
    "Johansson Karlsson Nilsson Eriksson Singh Shah Chen Wang Li Zhang Liu Tanaka Suzuki "
    "Sato Murray Byrne Walsh Ryan OConnor Doyle McCarthy Kennedy Lynch Quinn Fitzgerald"
) + (
    "O'Brien",
    "Müller",
    "García",
    "Núñez",
    "Østergaard",
    "Ó Súilleabháin",
)

COMPANY_PREFIXES = _words(
    "Blue Red Green Silver Golden North South East West Bright Clear Swift Bold Prime Iron "
    "Stone River Lake Ocean Summit Peak Valley Cedar Maple Oak Pine Birch Aspen Willow "
    "Falcon Hawk Eagle Raven Fox Wolf Bear Lynx Orca Otter Atlas Apex Nova Vertex Zenith "
    "Orbit Quantum Pixel Vector Signal Beacon Harbor Anchor Compass Meridian Horizon Polar "
    "Solar Lunar Stellar Cobalt Crimson Amber Indigo Jade Onyx Ruby Sapphire Copper Granite "
    "Crystal Velvet Electric Rapid Steady True"
)
COMPANY_CORES = _words(
    "field works line point gate bridge path stack wave forge mark light flow shift spark "
    "leaf stone bay crest ridge view port wind fall tide rock wood brook dale moor glen "
    "haven hollow mesa mill vale wick ford ton by land loop grid cast core base labs cloud "
    "data logic metric sense scale pulse"
)
COMPANY_SUFFIXES = _words(
    "Analytics Logistics Software Systems Health Capital Media Labs Consulting Foods Energy "
    "Robotics Insurance Retail Telecom Security Learning Travel Biotech Partners "
    "Manufacturing Payments Mobility Studios Networks Holdings Solutions Technologies Group "
    "Industries"
)
COMPANY_TLDS = (".com", ".io", ".co", ".de", ".co.uk", ".fr", ".nl", ".com", ".com", ".ai")
INDUSTRIES = (
    "Technology",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Media",
    "Consulting",
    "Telecommunications",
    "Transportation",
)
COUNTRIES = (
    # country, weight, currency, timezone offset group (0 = Americas, 1 = Europe)
    ("United States", 0.42, "USD", 0),
    ("Canada", 0.05, "USD", 0),
    ("United Kingdom", 0.17, "GBP", 1),
    ("Germany", 0.13, "EUR", 1),
    ("France", 0.08, "EUR", 1),
    ("Netherlands", 0.07, "EUR", 1),
    ("Spain", 0.04, "EUR", 1),
    ("Ireland", 0.04, "EUR", 1),
)
TITLES = (
    "Marketing Manager",
    "VP Marketing",
    "Head of Growth",
    "Demand Generation Manager",
    "Marketing Operations Manager",
    "CMO",
    "Director of Marketing",
    "Data Analyst",
    "Head of Data",
    "Revenue Operations Manager",
    "Sales Director",
    "Founder",
    "Product Marketing Manager",
    "Analytics Engineer",
    "",
)
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "gmx.de")

# (path, title, browse weight). Browse weight is the chance of the page as a later page
# in a session.
PAGES = (
    ("/", f"{BRAND} | B2B Marketing Analytics", 10),
    ("/pricing", f"Pricing | {BRAND}", 9),
    ("/pricing/enterprise", f"Enterprise Pricing | {BRAND}", 3),
    ("/product", f"Product | {BRAND}", 6),
    ("/product/attribution", f"Multi-touch Attribution | {BRAND}", 5),
    ("/product/journeys", f"Customer Journeys | {BRAND}", 4),
    ("/product/integrations", f"Integrations | {BRAND}", 4),
    ("/customers", f"Customer Stories | {BRAND}", 3),
    ("/customers/bluepeak-logistics", f"How Bluepeak Logistics Cut CAC by 30% | {BRAND}", 1),
    ("/blog", f"Blog | {BRAND}", 3),
    ("/blog/what-is-multi-touch-attribution", "What Is Multi-Touch Attribution?", 3),
    ("/blog/b2b-funnel-benchmarks-2026", "B2B Funnel Benchmarks 2026", 3),
    ("/blog/utm-naming-conventions", "UTM Naming Conventions That Scale", 2),
    ("/blog/identity-resolution-101", "Identity Resolution 101", 2),
    ("/blog/cac-payback-explained", "CAC Payback, Explained", 2),
    ("/blog/first-touch-vs-last-touch", "First Touch vs Last Touch: Which Model?", 2),
    ("/resources/ebook-b2b-attribution", f"Ebook: The B2B Attribution Guide | {BRAND}", 1),
    ("/resources/benchmark-report-2026", f"Benchmark Report 2026 | {BRAND}", 1),
    ("/webinars/attribution-101", f"Webinar: Attribution 101 | {BRAND}", 1),
    ("/demo", f"Book a Demo | {BRAND}", 1),
    ("/contact", f"Contact Sales | {BRAND}", 1),
    ("/signup", f"Start Your Free Trial | {BRAND}", 1),
    ("/login", f"Log in | {BRAND}", 1),
    ("/lp/marketing-attribution", "Marketing Attribution Software for B2B", 0),
    ("/lp/customer-journey-analytics", "Customer Journey Analytics", 0),
    ("/lp/abm-analytics", "Account-Based Marketing Analytics", 0),
    ("/about", f"About Us | {BRAND}", 1),
    ("/careers", f"Careers | {BRAND}", 1),
    ("/docs/getting-started", "Getting Started - Acme Cloud Docs", 2),
    ("/security", f"Security | {BRAND}", 1),
)
PAGE_INDEX = {p[0]: i for i, p in enumerate(PAGES)}

FORMS = (
    # form_id, page path
    ("ebook-b2b-attribution", "/resources/ebook-b2b-attribution"),
    ("webinar-attribution-101", "/webinars/attribution-101"),
    ("contact-sales", "/contact"),
    ("newsletter-signup", "/blog"),
    ("benchmark-report-2026", "/resources/benchmark-report-2026"),
)
FORM_WEIGHTS = (0.35, 0.15, 0.2, 0.15, 0.15)

ORGANIC_LANDINGS = (
    ("/", 4),
    ("/blog/what-is-multi-touch-attribution", 3),
    ("/blog/b2b-funnel-benchmarks-2026", 2),
    ("/blog/utm-naming-conventions", 2),
    ("/blog/identity-resolution-101", 1),
    ("/pricing", 2),
    ("/product/attribution", 1),
    ("/docs/getting-started", 1),
)
SOCIAL_LANDINGS = (
    ("/blog/b2b-funnel-benchmarks-2026", 3),
    ("/resources/benchmark-report-2026", 2),
    ("/blog/first-touch-vs-last-touch", 2),
    ("/", 1),
)
REFERRAL_LANDINGS = (("/", 3), ("/customers", 1), ("/product/integrations", 2), ("/pricing", 1))
DIRECT_LANDINGS = (("/", 6), ("/pricing", 2), ("/login", 1), ("/product", 1))
EMAIL_LANDINGS = (
    ("/blog/cac-payback-explained", 2),
    ("/blog/identity-resolution-101", 2),
    ("/webinars/attribution-101", 1),
    ("/product/journeys", 1),
    ("/pricing", 1),
)

SEARCH_REFERRERS = (
    ("https://www.google.com/", 55),
    ("https://www.google.co.uk/", 12),
    ("https://www.google.de/", 6),
    ("https://www.bing.com/", 14),
    ("https://duckduckgo.com/", 9),
    ("https://search.yahoo.com/", 4),
)
SOCIAL_REFERRERS = (
    ("https://t.co/", 3),
    ("https://lnkd.in/", 3),
    ("https://www.linkedin.com/", 4),
    ("https://www.facebook.com/", 1),
    ("https://www.reddit.com/r/marketing/", 1),
)
REFERRAL_REFERRERS = (
    ("https://www.g2.com/products/acme-cloud/reviews", 4),
    ("https://www.capterra.com/p/214563/Acme-Cloud/", 3),
    ("https://martech.example.org/best-attribution-tools-2026", 2),
    ("https://news.ycombinator.com/", 1),
    ("https://partners.bluepeak.example/resources", 1),
)

USER_AGENTS = (
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        30,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        30,
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        8,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.1 Safari/605.1.15",
        10,
    ),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 5),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        9,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        5,
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        3,
    ),
)
MAIL_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148",
)

TRACK_EVENTS = (
    # extra (non-lead) track events: name, properties template keys
    ("CTA Clicked", 5),
    ("Video Played", 2),
    ("Pricing Plan Toggled", 2),
    ("Integration Viewed", 1),
)
CTA_NAMES = ("hero-book-demo", "nav-start-trial", "footer-contact", "pricing-talk-to-sales")
SEARCH_TERMS = (
    "marketing attribution software",
    "b2b attribution",
    "customer journey analytics",
    "acme cloud",
    "acme cloud pricing",
    "multi touch attribution tool",
    "",
)


def ascii_fold(value: str) -> str:
    """``Müller`` -> ``muller``: for the local part of email addresses."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _check_no_escapes() -> None:
    groups: list[tuple[str, ...]] = [
        tuple(FIRST_NAMES),
        tuple(LAST_NAMES),
        COMPANY_PREFIXES and tuple(COMPANY_PREFIXES),
        tuple(p[0] + p[1] for p in PAGES),
        tuple(u for u, _ in USER_AGENTS),
        MAIL_USER_AGENTS,
        TITLES,
    ]
    for group in groups:
        for value in group:
            if '"' in value or "\\" in value:
                raise AssertionError(f"pool value needs escaping: {value!r}")


_check_no_escapes()
