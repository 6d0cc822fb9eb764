"""Salesforce Bulk API 2.0 query results (``crm/salesforce/<Object>/*.csv``).

A header row of API names, every value double-quoted, empty = null. Header names are
mapped with :data:`SALESFORCE_FIELD_NAMES`; a column the raw table
does not have is kept only in ``_record`` (a JSON object of the whole row, header name
to value, empty as null), and a raw column missing from the header (e.g.
``CurrencyIsoCode`` in a single-currency org) is null. ``Id`` is required, and the
fields each object declares required below (its audit timestamps, the parent ids of
a link or history record); datetimes
(``2026-11-01T10:00:00.000Z`` or ``+0000``), dates (``YYYY-MM-DD``), booleans
(``true``/``false``) and numbers must parse. ``_source_position`` is the line the
record starts on (header = line 1; a quoted value may span lines). Every version is
loaded; staging keeps the latest SystemModstamp and applies IsDeleted.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pandas as pd

from ingestion.core import (
    FileContext,
    RecordBuffer,
    RecordCounts,
    UnreadableFile,
    iter_csv_records,
    load_frames,
    wrong_field_count,
)
from ingestion.rules import Between, NonNegative, PlausibleDate
from ingestion.tables import Field, Kind, RawTable, RepeatRule, normalized_email_sql

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

API_NAMES: dict[str, str] = {column: api for api, column in SALESFORCE_FIELD_NAMES.items()}
"""Raw column -> Salesforce API name."""

_KINDS: dict[str, Kind] = {
    "is_converted": Kind.BOOLEAN,
    "is_deleted": Kind.BOOLEAN,
    "is_closed": Kind.BOOLEAN,
    "is_won": Kind.BOOLEAN,
    "is_primary": Kind.BOOLEAN,
    "is_active": Kind.BOOLEAN,
    "converted_date": Kind.DATE,
    "close_date": Kind.DATE,
    "created_date": Kind.TIMESTAMP,
    "system_modstamp": Kind.TIMESTAMP,
    "number_of_employees": Kind.INTEGER,
    "amount": Kind.DECIMAL,
    "probability": Kind.DECIMAL,
}

CHUNK_RECORDS = 100_000


def _fields(*columns: str, required: tuple[str, ...] = ()) -> tuple[Field, ...]:
    """Raw fields named by column, with their API names and kinds; ``Id`` is always
    required."""
    return tuple(
        Field(
            column,
            API_NAMES[column],
            _KINDS.get(column, Kind.TEXT),
            required=column == "id" or column in required,
        )
        for column in columns
    )


_CREATED = PlausibleDate("created_date", "timestamp")
"""A Salesforce record is not created a year after its export. No earliest date: an
org migrating history may set CreatedDate to any past date ("Set Audit Fields upon
Record Creation"), so an old one is possible."""

_AUDIT = ("created_date", "system_modstamp", "is_deleted")
_AUDITED = ("created_date", "system_modstamp")
"""Every object with a SystemModstamp has both audit timestamps on every record."""


def _object(
    object_: str,
    folder: str,
    fields: tuple[Field, ...],
    description: str,
    **declared: object,
) -> RawTable:
    return RawTable(
        source="salesforce",
        object=object_,
        landing_path=f"crm/salesforce/{folder}",
        file_globs=("*.csv",),
        fields=fields,
        key=("id",),
        repeat_rule=RepeatRule.LATEST_MODSTAMP_WINS,
        description=description,
        **{"value_rules": (_CREATED,), **declared},
    )


TABLES: tuple[RawTable, ...] = (
    _object(
        "lead",
        "Lead",
        _fields(
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
            *_AUDIT,
            required=_AUDITED,
        ),
        "Salesforce Lead (Bulk API 2.0 CSV).",
        person_identifiers=(
            ("lead_id", "nullif(\"id\", '')"),
            ("email", normalized_email_sql('"email"')),
        ),
    ),
    _object(
        "lead_history",
        "LeadHistory",
        _fields(
            "id",
            "lead_id",
            "field",
            "old_value",
            "new_value",
            "created_date",
            "is_deleted",
            required=("lead_id", "field", "created_date"),
        ),
        "Salesforce LeadHistory. It has no SystemModstamp: the latest version is the last "
        "in file order.",
        person_identifiers=(("lead_id", "nullif(\"lead_id\", '')"),),
    ),
    _object(
        "contact",
        "Contact",
        _fields(
            "id",
            "account_id",
            "email",
            "first_name",
            "last_name",
            "title",
            "lead_source",
            "owner_id",
            *_AUDIT,
            required=_AUDITED,
        ),
        "Salesforce Contact.",
        person_identifiers=(
            ("contact_id", "nullif(\"id\", '')"),
            ("email", normalized_email_sql('"email"')),
        ),
    ),
    _object(
        "account",
        "Account",
        _fields(
            "id",
            "name",
            "industry",
            "number_of_employees",
            "billing_country",
            "type",
            "owner_id",
            *_AUDIT,
            required=_AUDITED,
        ),
        "Salesforce Account.",
        value_rules=(_CREATED, NonNegative("number_of_employees")),
    ),
    _object(
        "opportunity",
        "Opportunity",
        _fields(
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
            *_AUDIT,
            required=("stage_name", "close_date", *_AUDITED),
        ),
        "Salesforce Opportunity. currency_iso_code is null when the export has no "
        "CurrencyIsoCode column (single-currency org: the corporate_currency var).",
        value_rules=(_CREATED, NonNegative("amount"), Between("probability", 0, 100)),
        currency_columns=("currency_iso_code",),
        planned_dates=("close_date",),
    ),
    _object(
        "opportunity_history",
        "OpportunityHistory",
        _fields(
            "id",
            "opportunity_id",
            "stage_name",
            "amount",
            "close_date",
            "probability",
            "created_date",
            "is_deleted",
            required=("opportunity_id", "created_date"),
        ),
        "Salesforce OpportunityHistory. No SystemModstamp: the latest version is the last "
        "in file order.",
        value_rules=(_CREATED, NonNegative("amount"), Between("probability", 0, 100)),
        planned_dates=("close_date",),
    ),
    _object(
        "opportunity_contact_role",
        "OpportunityContactRole",
        _fields(
            "id",
            "opportunity_id",
            "contact_id",
            "role",
            "is_primary",
            *_AUDIT,
            required=("opportunity_id", "contact_id", *_AUDITED),
        ),
        "Salesforce OpportunityContactRole.",
        person_identifiers=(("contact_id", "nullif(\"contact_id\", '')"),),
    ),
    _object(
        "user",
        "User",
        _fields(
            "id",
            "name",
            "email",
            "is_active",
            "user_role_id",
            "manager_id",
            "created_date",
            "system_modstamp",
            required=_AUDITED,
        ),
        "Salesforce User (sales reps and owners). Users are never deleted.",
    ),
)


def _frames(ctx: FileContext) -> Iterator[pd.DataFrame]:
    records = iter_csv_records(ctx.path)
    header_record = next(records, None)
    if header_record is None:
        raise UnreadableFile("file is empty")
    header = header_record.fields
    if header is None:
        raise UnreadableFile(f"the header cannot be read: {header_record.error}")
    header = [name.strip() for name in header]
    if "Id" not in header:
        raise UnreadableFile(
            f"the header has no Id column (header: {header_record.raw_text[:200]!r})"
        )
    columns = set(ctx.table.columns)
    mapping = [
        (index, SALESFORCE_FIELD_NAMES[name])
        for index, name in enumerate(header)
        if SALESFORCE_FIELD_NAMES.get(name) in columns
    ]
    buffer = RecordBuffer(ctx.table.columns)
    for record in records:
        row = record.fields
        if row is None:
            buffer.add(record.line, None, reason=record.error, raw_text=record.raw_text)
        elif len(row) != len(header):
            reason = wrong_field_count(len(row), len(header))
            buffer.add(record.line, None, reason=reason, raw_text=record.raw_text)
        else:
            values = [value if value != "" else None for value in row]
            record_json = orjson.dumps(dict(zip(header, values, strict=True))).decode()
            buffer.add(
                record.line,
                record_json,
                {column: values[index] for index, column in mapping},
                raw_text=record.raw_text,
            )
        if len(buffer) >= CHUNK_RECORDS:
            yield buffer.frame()
            buffer = RecordBuffer(ctx.table.columns)
    if len(buffer):
        yield buffer.frame()


def load_file(ctx: FileContext) -> RecordCounts:
    """Load one Bulk API 2.0 result file of the table's object."""
    return load_frames(ctx, ctx.table.fields, _frames(ctx))
