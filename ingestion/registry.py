"""The raw layer's table registry: one entry per source object.

This module is the single source of truth for what lands in schema ``raw``:
table names, the vendor fields kept as columns, the record key and how a repeated
key is treated. The loaders (``ingestion/<family>/``), the dbt sources
(``dbt_project/models/staging/<source>/_<source>__sources.yml``) and the Dagster
raw asset keys (``raw/<source>/<object>``) are all named from it.

Raw columns hold vendor values as the vendor wrote them (text), after the loader has
checked that they parse; staging casts them. Nested values (lists, objects) are kept
as JSON text. Every raw table also has:

* ``_record``: the whole vendor record as JSON text (unknown fields included);
* ``_source_file``: the file's path relative to the landing directory;
* ``_source_position``: line number for JSONL and CSV (the header is line 1), the
  1-based ordinal of the record within the file for JSON documents;
* ``_load_id``: the id of the load that wrote the row;
* ``_loaded_at``: UTC timestamp of that load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ingestion.rules import (
    Between,
    NonNegative,
    NotAbove,
    PlausibleDate,
    Positive,
    ValueRule,
)

RAW_SCHEMA = "raw"
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_record", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_source_position", "BIGINT"),
    ("_load_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
)


class RepeatRule(StrEnum):
    """What the contract says about a record key that was seen before."""

    DROP_DUPLICATE = "drop_duplicate"
    """First copy stays; later copies are counted as duplicates and not loaded."""
    LATER_WINS = "later_wins"
    """Every version is loaded to raw; staging keeps the latest (file-name order,
    then position in the file)."""
    LATEST_MODSTAMP_WINS = "latest_modstamp_wins"
    """Every version is loaded to raw; staging keeps the latest ``SystemModstamp``
    and removes records whose latest version has ``IsDeleted = true``."""


@dataclass(frozen=True)
class RawTable:
    """One raw table: a vendor object as it lands."""

    source: str
    """dbt source name and the middle part of the asset key, e.g. ``google_ads``."""
    object: str
    """dbt source table name and the last part of the asset key, e.g. ``ad_stats``."""
    landing_path: str
    """Folder under the landing directory holding this object's files."""
    file_globs: tuple[str, ...]
    columns: tuple[str, ...]
    """Vendor fields kept as VARCHAR columns, in order."""
    key: tuple[str, ...]
    repeat_rule: RepeatRule
    description: str
    value_rules: tuple[ValueRule, ...] = ()
    """What cannot be true of one record (``ingestion/rules.py``): a record breaking
    one is quarantined at load with the rule and its values."""
    person_identifiers: tuple[tuple[str, str], ...] = ()
    """Which values of a record identify a person (an erasure removes the record):
    (identifier type, SQL expression over the raw columns and ``_record``), the types
    and values as identity resolution has them (``int_identifiers_resolved``): emails
    normalized like the dbt macro ``normalize_email``. Empty for tables holding no
    person's records (ads, accounts, opportunities, users, FX)."""

    @property
    def table_name(self) -> str:
        return f"{self.source}__{self.object}"

    @property
    def qualified_name(self) -> str:
        return f"{RAW_SCHEMA}.{self.table_name}"

    @property
    def asset_key_path(self) -> tuple[str, str, str]:
        return (RAW_SCHEMA, self.source, self.object)

    def create_sql(self) -> str:
        cols = [f'"{c}" VARCHAR' for c in self.columns]
        cols += [f"{name} {ddl_type}" for name, ddl_type in LINEAGE_COLUMNS]
        return (
            f"create table if not exists {self.qualified_name} (\n    "
            + ",\n    ".join(cols)
            + "\n)"
        )


_SF_CREATED = PlausibleDate("created_date", "timestamp")
"""A Salesforce record is not created a year after its export. No earliest date: an
org migrating history may set CreatedDate to any past date ("Set Audit Fields upon
Record Creation"), so an old one is possible."""

_SF_COMMON_TAIL = ("created_date", "system_modstamp", "is_deleted")


def normalized_email_sql(expr: str) -> str:
    """SQL twin of the dbt macro ``normalize_email``: lower(trim(email)), '' is none."""
    return f"nullif(lower(trim({expr})), '')"


def _json_text_sql(column: str, path: str) -> str:
    """A string at ``path`` of a JSON text column, null when the text is not JSON (a
    quarantined record's ``_record`` may be anything)."""
    return f"case when json_valid({column}) then json_extract_string({column}, '{path}') end"


_SEGMENT_IDENTIFIERS = (
    ("anonymous_id", "nullif(\"anonymous_id\", '')"),
    ("user_id", "nullif(\"user_id\", '')"),
    ("email", normalized_email_sql(_json_text_sql('"traits"', "$.email"))),
    ("email", normalized_email_sql(_json_text_sql('"properties"', "$.email"))),
    ("email", normalized_email_sql(_json_text_sql("_record", "$.context.traits.email"))),
)

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        source="google_ads",
        object="ad_stats",
        landing_path="ads/google_ads",
        file_globs=("*.json",),
        columns=(
            "segments_date",
            "customer_id",
            "customer_currency_code",
            "customer_time_zone",
            "campaign_id",
            "campaign_name",
            "ad_group_id",
            "ad_group_name",
            "ad_id",
            "metrics_impressions",
            "metrics_clicks",
            "metrics_cost_micros",
            "metrics_conversions",
            "metrics_conversions_value",
        ),
        key=("customer_id", "ad_group_id", "ad_id", "segments_date"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("segments_date", "date", date(2000, 10, 23), "Google AdWords launched"),
            NonNegative("metrics_impressions"),
            NonNegative("metrics_clicks"),
            NonNegative("metrics_cost_micros"),
            NonNegative("metrics_conversions"),
            NonNegative("metrics_conversions_value"),
            NotAbove("metrics_clicks", "metrics_impressions"),
        ),
        description="Google Ads searchStream results: one row per ad and day.",
    ),
    RawTable(
        source="meta_ads",
        object="insights",
        landing_path="ads/meta_ads",
        file_globs=("*.json",),
        columns=(
            "date_start",
            "date_stop",
            "account_id",
            "account_currency",
            "campaign_id",
            "campaign_name",
            "adset_id",
            "adset_name",
            "ad_id",
            "ad_name",
            "impressions",
            "clicks",
            "inline_link_clicks",
            "reach",
            "spend",
            "actions",
        ),
        key=("account_id", "ad_id", "date_start"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("date_start", "date", date(2004, 2, 4), "Facebook launched"),
            NonNegative("impressions"),
            NonNegative("clicks"),
            NonNegative("inline_link_clicks"),
            NonNegative("reach"),
            NonNegative("spend"),
            NotAbove("clicks", "impressions"),
            NotAbove("inline_link_clicks", "clicks"),
            NotAbove("reach", "impressions"),
        ),
        description="Meta Marketing API Insights rows (level=ad, daily).",
    ),
    RawTable(
        source="linkedin_ads",
        object="ad_analytics",
        landing_path="ads/linkedin_ads/analytics",
        file_globs=("*.json",),
        columns=(
            "date_start",
            "date_end",
            "creative_urn",
            "impressions",
            "clicks",
            "external_website_conversions",
            "cost_in_local_currency",
            "cost_in_usd",
        ),
        key=("creative_urn", "date_start"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("date_start", "date", date(2003, 5, 5), "LinkedIn launched"),
            NonNegative("impressions"),
            NonNegative("clicks"),
            NonNegative("external_website_conversions"),
            NonNegative("cost_in_local_currency"),
            NonNegative("cost_in_usd"),
            NotAbove("clicks", "impressions"),
        ),
        description=(
            "LinkedIn adAnalytics elements (pivot=CREATIVE, DAILY). date_start/date_end "
            "are the dateRange {year, month, day} objects written as YYYY-MM-DD."
        ),
    ),
    RawTable(
        source="linkedin_ads",
        object="campaigns",
        landing_path="ads/linkedin_ads/campaigns",
        file_globs=("*.json",),
        columns=(
            "id",
            "name",
            "account",
            "campaign_group",
            "status",
            "daily_budget_amount",
            "daily_budget_currency_code",
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(NonNegative("daily_budget_amount"),),
        description="LinkedIn adCampaigns elements (campaign metadata).",
    ),
    RawTable(
        source="linkedin_ads",
        object="creatives",
        landing_path="ads/linkedin_ads/creatives",
        file_globs=("*.json",),
        columns=("id", "campaign"),
        key=("id",),
        repeat_rule=RepeatRule.LATER_WINS,
        description="LinkedIn adCreatives elements: creative URN to campaign URN.",
    ),
    RawTable(
        source="sendgrid",
        object="events",
        landing_path="email/sendgrid",
        file_globs=("*.json",),
        columns=(
            "sg_event_id",
            "sg_message_id",
            "email",
            "timestamp",
            "event",
            "category",
            "url",
            "useragent",
            "ip",
            "sg_machine_open",
            "reason",
            "status",
            "type",
            "attempt",
            "singlesend_id",
            "singlesend_name",
            "send_at",
            "template_id",
        ),
        key=("sg_event_id",),
        repeat_rule=RepeatRule.DROP_DUPLICATE,
        value_rules=(PlausibleDate("timestamp", "unix", date(2009, 7, 1), "SendGrid was founded"),),
        description="SendGrid Event Webhook events, one row per delivered event id.",
        person_identifiers=(("email", normalized_email_sql('"email"')),),
    ),
    RawTable(
        source="segment",
        object="events",
        landing_path="web/segment",
        file_globs=("*.jsonl", "*.jsonl.gz"),
        columns=(
            "message_id",
            "type",
            "anonymous_id",
            "user_id",
            "event",
            "name",
            "timestamp",
            "original_timestamp",
            "sent_at",
            "received_at",
            "context_page_url",
            "context_page_path",
            "context_page_referrer",
            "context_page_search",
            "context_page_title",
            "context_campaign_source",
            "context_campaign_medium",
            "context_campaign_name",
            "context_campaign_term",
            "context_campaign_content",
            "context_ip",
            "context_user_agent",
            "context_group_id",
            "properties",
            "traits",
        ),
        key=("message_id",),
        repeat_rule=RepeatRule.DROP_DUPLICATE,
        value_rules=(
            PlausibleDate("timestamp", "timestamp", date(2011, 1, 1), "Segment was founded"),
        ),
        description=(
            "Segment page, track and identify events. properties and traits are JSON "
            "text; page fields missing from context.page are read from properties in "
            "staging."
        ),
        person_identifiers=_SEGMENT_IDENTIFIERS,
    ),
    RawTable(
        source="salesforce",
        object="lead",
        landing_path="crm/salesforce/Lead",
        file_globs=("*.csv",),
        columns=(
            "id",
            "email",
            "first_name",
            "last_name",
            "company",
            "title",
            "lead_source",
            "status",
            "is_converted",
            "converted_date",
            "converted_contact_id",
            "converted_account_id",
            "converted_opportunity_id",
            "owner_id",
            *_SF_COMMON_TAIL,
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(_SF_CREATED,),
        description="Salesforce Lead (Bulk API 2.0 CSV).",
        person_identifiers=(
            ("lead_id", "nullif(\"id\", '')"),
            ("email", normalized_email_sql('"email"')),
        ),
    ),
    RawTable(
        source="salesforce",
        object="lead_history",
        landing_path="crm/salesforce/LeadHistory",
        file_globs=("*.csv",),
        columns=("id", "lead_id", "field", "old_value", "new_value", "created_date", "is_deleted"),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(_SF_CREATED,),
        description=(
            "Salesforce LeadHistory. It has no SystemModstamp: the latest version is "
            "the last in file order."
        ),
        person_identifiers=(("lead_id", "nullif(\"lead_id\", '')"),),
    ),
    RawTable(
        source="salesforce",
        object="contact",
        landing_path="crm/salesforce/Contact",
        file_globs=("*.csv",),
        columns=(
            "id",
            "account_id",
            "email",
            "first_name",
            "last_name",
            "title",
            "lead_source",
            "owner_id",
            *_SF_COMMON_TAIL,
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(_SF_CREATED,),
        description="Salesforce Contact.",
        person_identifiers=(
            ("contact_id", "nullif(\"id\", '')"),
            ("email", normalized_email_sql('"email"')),
        ),
    ),
    RawTable(
        source="salesforce",
        object="account",
        landing_path="crm/salesforce/Account",
        file_globs=("*.csv",),
        columns=(
            "id",
            "name",
            "industry",
            "number_of_employees",
            "billing_country",
            "type",
            "owner_id",
            *_SF_COMMON_TAIL,
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(_SF_CREATED, NonNegative("number_of_employees")),
        description="Salesforce Account.",
    ),
    RawTable(
        source="salesforce",
        object="opportunity",
        landing_path="crm/salesforce/Opportunity",
        file_globs=("*.csv",),
        columns=(
            "id",
            "account_id",
            "name",
            "stage_name",
            "amount",
            "currency_iso_code",
            "probability",
            "close_date",
            "is_closed",
            "is_won",
            "type",
            "lead_source",
            "campaign_id",
            "forecast_category",
            "owner_id",
            *_SF_COMMON_TAIL,
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(
            _SF_CREATED,
            NonNegative("amount"),
            Between("probability", 0, 100),
        ),
        description=(
            "Salesforce Opportunity. currency_iso_code is null when the export has no "
            "CurrencyIsoCode column (single-currency org: the corporate_currency var)."
        ),
    ),
    RawTable(
        source="salesforce",
        object="opportunity_history",
        landing_path="crm/salesforce/OpportunityHistory",
        file_globs=("*.csv",),
        columns=(
            "id",
            "opportunity_id",
            "stage_name",
            "amount",
            "close_date",
            "probability",
            "created_date",
            "is_deleted",
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(
            _SF_CREATED,
            NonNegative("amount"),
            Between("probability", 0, 100),
        ),
        description=(
            "Salesforce OpportunityHistory. No SystemModstamp: the latest version is "
            "the last in file order."
        ),
    ),
    RawTable(
        source="salesforce",
        object="opportunity_contact_role",
        landing_path="crm/salesforce/OpportunityContactRole",
        file_globs=("*.csv",),
        columns=(
            "id",
            "opportunity_id",
            "contact_id",
            "role",
            "is_primary",
            *_SF_COMMON_TAIL,
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(_SF_CREATED,),
        description="Salesforce OpportunityContactRole.",
        person_identifiers=(("contact_id", "nullif(\"contact_id\", '')"),),
    ),
    RawTable(
        source="salesforce",
        object="user",
        landing_path="crm/salesforce/User",
        file_globs=("*.csv",),
        columns=(
            "id",
            "name",
            "email",
            "is_active",
            "user_role_id",
            "manager_id",
            "created_date",
            "system_modstamp",
        ),
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        value_rules=(_SF_CREATED,),
        description="Salesforce User (sales reps and owners). Users are never deleted.",
    ),
    RawTable(
        source="fx",
        object="ecb_rates",
        landing_path="finance/fx",
        file_globs=("*.csv",),
        columns=("rate_date", "currency_code", "rate"),
        key=("rate_date", "currency_code"),
        repeat_rule=RepeatRule.LATER_WINS,
        value_rules=(
            PlausibleDate("rate_date", "date", date(1999, 1, 4), "the ECB's euro rates began"),
            Positive("rate"),
        ),
        description=(
            "ECB euro reference rates, unpivoted: one row per date and currency "
            "(units of the currency per 1 EUR). 'N/A' cells are not loaded. "
            "_source_position is the CSV line of the date's row."
        ),
    ),
)

#: Salesforce CSV header (API name) -> raw column, for every object.
SALESFORCE_FIELD_NAMES: dict[str, str] = {
    "Id": "id",
    "Email": "email",
    "FirstName": "first_name",
    "LastName": "last_name",
    "Company": "company",
    "Title": "title",
    "LeadSource": "lead_source",
    "Status": "status",
    "IsConverted": "is_converted",
    "ConvertedDate": "converted_date",
    "ConvertedContactId": "converted_contact_id",
    "ConvertedAccountId": "converted_account_id",
    "ConvertedOpportunityId": "converted_opportunity_id",
    "OwnerId": "owner_id",
    "CreatedDate": "created_date",
    "SystemModstamp": "system_modstamp",
    "IsDeleted": "is_deleted",
    "LeadId": "lead_id",
    "Field": "field",
    "OldValue": "old_value",
    "NewValue": "new_value",
    "AccountId": "account_id",
    "Name": "name",
    "Industry": "industry",
    "NumberOfEmployees": "number_of_employees",
    "BillingCountry": "billing_country",
    "Type": "type",
    "StageName": "stage_name",
    "Amount": "amount",
    "CurrencyIsoCode": "currency_iso_code",
    "Probability": "probability",
    "CloseDate": "close_date",
    "IsClosed": "is_closed",
    "IsWon": "is_won",
    "CampaignId": "campaign_id",
    "ForecastCategory": "forecast_category",
    "OpportunityId": "opportunity_id",
    "ContactId": "contact_id",
    "Role": "role",
    "IsPrimary": "is_primary",
    "IsActive": "is_active",
    "UserRoleId": "user_role_id",
    "ManagerId": "manager_id",
}

SALESFORCE_OBJECT_FOLDERS: dict[str, str] = {
    "Lead": "lead",
    "LeadHistory": "lead_history",
    "Contact": "contact",
    "Account": "account",
    "Opportunity": "opportunity",
    "OpportunityHistory": "opportunity_history",
    "OpportunityContactRole": "opportunity_contact_role",
    "User": "user",
}

QUARANTINE_TABLE = f"{RAW_SCHEMA}._quarantine"
LEDGER_TABLE = f"{RAW_SCHEMA}._file_ledger"

QUARANTINE_DDL = f"""
create table if not exists {QUARANTINE_TABLE} (
    source varchar not null,
    object varchar not null,
    source_file varchar not null,
    source_position bigint,
    raw_text varchar,
    reason varchar not null,
    load_id varchar not null,
    quarantined_at timestamp not null
)
"""

LEDGER_DDL = f"""
create table if not exists {LEDGER_TABLE} (
    source varchar not null,
    object varchar not null,
    source_file varchar not null,
    content_sha256 varchar not null,
    size_bytes bigint not null,
    status varchar not null,
    records_read bigint not null,
    records_loaded bigint not null,
    records_duplicate bigint not null,
    records_quarantined bigint not null,
    detail varchar,
    load_id varchar not null,
    loaded_at timestamp not null
)
"""
"""Per-file ledger. ``status`` is ``loaded`` (records_read = loaded + duplicate +
quarantined), ``unreadable`` (the whole file quarantined as one record) or
``skipped_same_content`` (a file whose bytes were already loaded under this or
another name; nothing read)."""


ERASURES_TABLE = f"{RAW_SCHEMA}._erasures"
ERASED_TABLE = f"{RAW_SCHEMA}._erased"

ERASURES_DDL = f"""
create table if not exists {ERASURES_TABLE} (
    identifier_sha256 varchar not null,
    identifier_type varchar not null,
    erasure_id varchar not null,
    erased_at timestamp not null
)
"""
"""The erasure list mirrored from its file (``ingestion/erasure.py``): one row per
identifier of an erased person, as sha256 of ``<identifier_type>:<value>``; never the
value itself."""

ERASED_DDL = f"""
create table if not exists {ERASED_TABLE} (
    source varchar not null,
    object varchar not null,
    source_file varchar not null,
    source_position bigint,
    identifier_sha256 varchar not null,
    erased_from varchar not null,
    load_id varchar,
    erased_at timestamp not null
)
"""
"""One row per landing record of an erased person: where it was (file, position) and
which identifier matched, nothing of its content. ``erased_from`` is ``load`` (never
loaded: counted beside loaded, duplicate and quarantined), ``raw`` (deleted from the
raw table) or ``quarantine`` (deleted from ``raw._quarantine``)."""

FILE_STATS_TABLE = f"{RAW_SCHEMA}._file_stats"

FILE_STATS_DDL = f"""
create table if not exists {FILE_STATS_TABLE} (
    source_file varchar not null,
    size_bytes bigint not null,
    modified_ns bigint not null,
    content_sha256 varchar not null
)
"""
"""The content hash of each landing file the loaders have hashed, with the size and
modification time it had then. A file whose size and modification time are unchanged
is not read again to learn its hash (landing files are immutable: a correction
arrives as a new file), so a refresh that finds nothing new reads no file content.
A cache, not a record: deleting its rows only costs a re-hash."""

ERASED_AT_LOAD = "load"
ERASED_FROM_RAW = "raw"
ERASED_FROM_QUARANTINE = "quarantine"


def raw_table(source: str, object_: str) -> RawTable:
    """The registry entry for ``raw/<source>/<object>``."""
    for table in RAW_TABLES:
        if table.source == source and table.object == object_:
            return table
    raise KeyError(f"no raw table raw/{source}/{object_}")


def tables_of(source: str) -> tuple[RawTable, ...]:
    """All raw tables of one source (e.g. the three LinkedIn objects)."""
    found = tuple(t for t in RAW_TABLES if t.source == source)
    if not found:
        raise KeyError(f"unknown source {source!r}")
    return found


def create_raw_layer(conn) -> None:  # noqa: ANN001 - a duckdb connection
    """Create schema ``raw`` with every raw table, the quarantine, the ledger, the
    erasure tables and the file-hash cache."""
    conn.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table in RAW_TABLES:
        conn.execute(table.create_sql())
    conn.execute(QUARANTINE_DDL)
    conn.execute(LEDGER_DDL)
    conn.execute(ERASURES_DDL)
    conn.execute(ERASED_DDL)
    conn.execute(FILE_STATS_DDL)
