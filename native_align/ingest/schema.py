"""Declared schemas of the ingest stage: the staged raw records and the two tables it writes."""

from __future__ import annotations

from pyspark.sql.types import (LongType, MapType, StringType, StructField, StructType, TimestampType)

# What every reader returns: one row per raw record, good or bad, before validation.
RAW_SCHEMA = StructType([
    StructField("file_uri", StringType(), False),       # as Spark reports it (_metadata.file_path)
    StructField("position", LongType(), False),         # 0-based line / row index in the file; -1 = whole file
    StructField("record_id", StringType(), True),       # the source's own id (id_field), if any
    StructField("url", StringType(), True),
    StructField("title", StringType(), True),
    StructField("date", StringType(), True),
    StructField("text", StringType(), True),
    StructField("text_type", StringType(), True),       # STRING, or the JSON/Parquet type found, or NULL if absent
    StructField("metadata", MapType(StringType(), StringType()), True),
    StructField("reason", StringType(), True),          # set by the reader for unparseable records
    StructField("error", StringType(), True),
    StructField("raw", StringType(), True),             # the raw payload, kept only for bad records
])

# Staged, validated records of one source: RAW + where it came from + the final verdict.
RECORDS_SCHEMA = StructType([
    StructField("source", StringType(), False),
    StructField("source_file", StringType(), False),    # path relative to the source root
    *[f for f in RAW_SCHEMA.fields if f.name != "file_uri"],
    StructField("record_key", StringType(), False),     # source|file|position
    StructField("doc_id", StringType(), False),
])

DOCUMENTS_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("source", StringType(), False),
    StructField("source_file", StringType(), False),
    StructField("record_index", LongType(), False),
    StructField("source_record_id", StringType(), True),
    StructField("url", StringType(), True),
    StructField("title", StringType(), True),
    StructField("date", StringType(), True),
    StructField("text", StringType(), False),
    StructField("content_hash", StringType(), False),
    StructField("n_chars", LongType(), False),
    StructField("metadata", MapType(StringType(), StringType()), True),
    StructField("ingested_at", TimestampType(), False),
    StructField("run_id", StringType(), False),
])

QUARANTINE_SCHEMA = StructType([
    StructField("record_key", StringType(), False),
    StructField("source", StringType(), False),
    StructField("source_file", StringType(), False),
    StructField("position", LongType(), False),
    StructField("reason", StringType(), False),
    StructField("error", StringType(), True),
    StructField("raw_excerpt", StringType(), True),
    StructField("quarantined_at", TimestampType(), False),
    StructField("run_id", StringType(), False),
])

# The ingest ledger: what each source file yielded when it was read (one row per file, upserted). The
# reconciliation checks `documents` + `quarantine` against it per file, so a deleted row is found; `size` lets a
# rerun skip files it has read whole already (an incremental batch reads only the new files).
LEDGER_SCHEMA = StructType([
    StructField("source", StringType(), False),
    StructField("source_file", StringType(), False),
    StructField("size", LongType(), False),             # bytes, when it was read
    StructField("records", LongType(), False),          # documents + quarantined (blank lines are not records)
    StructField("documents", LongType(), False),
    StructField("quarantined", LongType(), False),
    StructField("blank_lines", LongType(), False),
    StructField("ingested_at", TimestampType(), False),
    StructField("run_id", StringType(), False),
])

# Named, stable quarantine reasons (tests and reports match on these strings).
INVALID_JSON = "invalid_json"
NOT_AN_OBJECT = "not_an_object"
INVALID_UTF8 = "invalid_utf8"
MISSING_TEXT = "missing_text"
EMPTY_TEXT = "empty_text"
NON_STRING_TEXT = "non_string_text"
TEXT_TOO_LARGE = "text_too_large"
RECORD_TOO_LARGE = "record_too_large"
MALFORMED_CSV = "malformed_csv"
DUPLICATE_RECORD_ID = "duplicate_record_id"
UNREADABLE_FILE = "unreadable_file"
UNSUPPORTED_FILE = "unsupported_file"
EMPTY_FILE = "empty_file"            # a file that holds no record at all (0 bytes, an empty .gz, a header-only CSV)
TRUNCATED_FILE = "truncated_file"    # a compressed file cut short: its complete records are kept, the cut is this
# Not a record at all: blank JSONL lines are counted, never written anywhere.
BLANK_LINE = "blank_line"
# Not a record either: one row per WARC/WET file carrying what its reader counted (records, skipped by type,
# URL-filtered by rule) in `metadata`; read by the stage's conservation check, never written to a table.
WEB_FILE_COUNTS = "web_file_counts"
NOT_RECORDS = (BLANK_LINE, WEB_FILE_COUNTS)

REASONS = (INVALID_JSON, NOT_AN_OBJECT, INVALID_UTF8, MISSING_TEXT, EMPTY_TEXT, NON_STRING_TEXT, TEXT_TOO_LARGE,
           RECORD_TOO_LARGE, MALFORMED_CSV, DUPLICATE_RECORD_ID, UNREADABLE_FILE, UNSUPPORTED_FILE, EMPTY_FILE,
           TRUNCATED_FILE)
