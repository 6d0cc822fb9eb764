"""Shared loading machinery: files, ledger, transactions, validation, statistics.

One file is one unit of work. For every file of a raw table, in file-name order:

1. hash its bytes (sha256). If the ledger already has this path with this content,
   an earlier load handled it: report it skipped and write nothing (so a re-run
   changes nothing). If the ledger holds the content for the same raw table under
   another name, write a ``skipped_same_content`` ledger row and do not read it;
2. otherwise, inside one transaction, let the source's file loader frame the
   records (position, raw text, vendor values as text), validate them in SQL
   (:func:`load_frames`), insert the good ones into the raw table, the bad ones into
   ``raw._quarantine``, and write the ledger row, then commit. A crash or an error
   rolls all of it back, so a ledger row never describes a half-loaded file;
3. a file that cannot be read at all raises :class:`UnreadableFile` in its loader;
   the transaction is rolled back and the file is recorded as one quarantined record
   (position null, raw text = the first bytes of the file) with ledger status
   ``unreadable``: records_read = 1, records_quarantined = 1. Counting the file as one
   record keeps ``read = loaded + duplicate + quarantined`` true for every ledger row
   and makes an unreadable file visible in every record count.

A record of an erased person (an identifier on the erasure list, ``ingestion/erasure.py``)
is neither loaded nor quarantined: it is counted as erased and gets a row in
``raw._erased`` (file, position, matching hash), so per file
``read = loaded + duplicate + quarantined + erased``.

Raw values are text; a value is kept only after it has been checked to parse as its
:class:`Kind` (one SQL definition of "parses", :func:`check_sql`, mirrored for the few
Python-side checks by :func:`parses_as`).

The machinery is split by concern:

* :mod:`ingestion.core.results`: file statuses, load statistics, record counts,
  :class:`UnreadableFile`;
* :mod:`ingestion.core.fields`: value kinds, the parse rules, field declarations and
  quarantine reasons;
* :mod:`ingestion.core.records`: framing JSON records (:class:`RecordBuffer`, ...);
* :mod:`ingestion.core.csv_records`: framing CSV records;
* :mod:`ingestion.core.staging`: the per-file context and the staging SQL;
* :mod:`ingestion.core.batches`: validating, deduplicating and inserting framed
  records (:func:`load_frames`);
* :mod:`ingestion.core.files`: listing and hashing landing files;
* :mod:`ingestion.core.ledger`: the file ledger and the pending files;
* :mod:`ingestion.core.loading`: the file loop (:func:`load_table`);
* :mod:`ingestion.core.layer`: the raw layer's DDL.

This package re-exports the names the loaders, orchestration and quality checks use.
"""

from ingestion.core.batches import load_frames
from ingestion.core.csv_records import csv_records_of, iter_csv_records, wrong_field_count
from ingestion.core.fields import (
    Check,
    Field,
    Kind,
    check_sql,
    does_not_parse,
    missing_field,
    parses_as,
)
from ingestion.core.files import list_files, sha256_of
from ingestion.core.layer import ensure_raw_layer
from ingestion.core.ledger import PendingFile, pending_files
from ingestion.core.loading import FileLoader, load_table, new_load_id, utc_naive
from ingestion.core.records import (
    RecordBuffer,
    dig,
    json_type_name,
    read_json_document,
    to_json_text,
    to_text,
)
from ingestion.core.results import (
    STATUS_LOADED,
    STATUS_SKIPPED,
    STATUS_UNREADABLE,
    FileLoadStats,
    RecordCounts,
    SourceLoadResult,
    TableLoadStats,
    UnreadableFile,
)
from ingestion.core.staging import FileContext, json_stage_sql

__all__ = [
    "STATUS_LOADED",
    "STATUS_SKIPPED",
    "STATUS_UNREADABLE",
    "Check",
    "Field",
    "FileContext",
    "FileLoadStats",
    "FileLoader",
    "Kind",
    "PendingFile",
    "RecordBuffer",
    "RecordCounts",
    "SourceLoadResult",
    "TableLoadStats",
    "UnreadableFile",
    "check_sql",
    "dig",
    "does_not_parse",
    "ensure_raw_layer",
    "csv_records_of",
    "iter_csv_records",
    "json_stage_sql",
    "json_type_name",
    "list_files",
    "load_frames",
    "load_table",
    "missing_field",
    "new_load_id",
    "parses_as",
    "pending_files",
    "read_json_document",
    "sha256_of",
    "to_json_text",
    "to_text",
    "utc_naive",
    "wrong_field_count",
]
