"""Small hand-made tables (the columns of docs/architecture.md) whose statistics are counted by hand below.

Texts are repetitions of the 4-letter word "كلمة", so a text of n words has 5n - 1 characters.

    doc  source  words  lang  keep  reject_reasons             cluster           curated  aligned (selected)
    d01  news    3      ar    yes                              c1 (3) survivor   yes      ok      (m2; older m1 rejected)
    d02  news    3      ar    yes                              c1      dup       -
    d03  news    3      ar    yes                              c1      dup       -
    d04  news    2      ar    yes                              c2 (2) survivor   yes      ok
    d05  news    2      ar    yes                              c2      dup       -
    d06  news    4      ar    yes                                                yes      rejected [too_short, numbers_missing]
    d07  forum   5      arz   yes                                                yes      error [engine_error]
    d08  forum   1      ar    no    [too_short]
    d09  forum   "hello world" en no [not_arabic, too_short]
    d10  forum   6      ar    no    [gopher_repetition]
    + quarantine: one news record, one forum record

Hand counts: ingested 12 docs (10 + 2 quarantined), 147 chars, 31 words; curated-kept 7 docs, 103 chars, 22
words; deduped 4 docs, 66 chars, 14 words; seed (d01, d04) 23 chars, 5 words; aligned-ok rewrites of d01 (2 words,
9 chars) and d04 (3 words, 14 chars): 2 docs, 23 chars, 5 words. Reconciliation: 12 = 4 + 3 + 3 + 2.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql.types import (ArrayType, BooleanType, DoubleType, LongType, StringType, StructField,
                               StructType)

from native_align.pii.schema import PII_SCHEMA
from native_align.rewrite.schema import ALIGNED_SCHEMA
from native_align.runs import RUNS_SCHEMA

W = "كلمة"


def words(n: int) -> str:
    return " ".join([W] * n)


DOCS = [  # doc_id, source, text, lang, keep, reasons
    ("d01", "news", words(3), "ar", True, []),
    ("d02", "news", words(3), "ar", True, []),
    ("d03", "news", words(3), "ar", True, []),
    ("d04", "news", words(2), "ar", True, []),
    ("d05", "news", words(2), "ar", True, []),
    ("d06", "news", words(4), "ar", True, []),
    ("d07", "forum", words(5), "arz", True, []),
    ("d08", "forum", words(1), "ar", False, ["too_short"]),
    ("d09", "forum", "hello world", "en", False, ["not_arabic", "too_short"]),
    ("d10", "forum", words(6), "ar", False, ["gopher_repetition"]),
]
CURATED_IDS = ["d01", "d04", "d06", "d07"]

DOCUMENTS_SCHEMA = StructType([
    StructField("doc_id", StringType(), False), StructField("source", StringType(), False),
    StructField("url", StringType(), True), StructField("title", StringType(), True),
    StructField("date", StringType(), True), StructField("text", StringType(), False),
    StructField("content_hash", StringType(), False), StructField("n_chars", LongType(), False),
])
QUARANTINE_SCHEMA = StructType([
    StructField("record_key", StringType(), False), StructField("source", StringType(), False),
    StructField("reason", StringType(), True), StructField("error", StringType(), True),
])
SIGNALS_SCHEMA = StructType([
    StructField("doc_id", StringType(), False), StructField("source", StringType(), False),
    StructField("lang", StringType(), True), StructField("lang_score", DoubleType(), True),
    StructField("is_arabic", BooleanType(), True), StructField("keep", BooleanType(), False),
    StructField("reject_reasons", ArrayType(StringType()), True),
])
DUPLICATES_SCHEMA = StructType([
    StructField("doc_id", StringType(), False), StructField("cluster_id", StringType(), False),
    StructField("cluster_size", LongType(), False), StructField("method", StringType(), False),
    StructField("is_survivor", BooleanType(), False), StructField("duplicate_of", StringType(), True),
])
CURATED_SCHEMA = StructType([
    StructField("doc_id", StringType(), False), StructField("source", StringType(), True),
    StructField("url", StringType(), True), StructField("title", StringType(), True),
    StructField("date", StringType(), True), StructField("text", StringType(), True),
    StructField("content_hash", StringType(), True), StructField("n_chars", LongType(), True),
    StructField("lang", StringType(), True),
])
SEED_SCHEMA = StructType([
    StructField("doc_id", StringType(), False), StructField("content_hash", StringType(), True),
    StructField("text", StringType(), True), StructField("source", StringType(), True),
    StructField("strategy", StringType(), True),
])

T0 = dt.datetime(2026, 1, 1, 12, 0, 0)


def aligned_rows() -> list[tuple]:
    """(doc_id, model, prompt_version, engine, original, rewrite, status, reasons, pieces, pt, ct, error, created_at, run_id)"""
    text = {d[0]: d[2] for d in DOCS}
    return [
        ("d01", "m1", "v1", "hf", text["d01"], "x", "rejected", ["not_arabic"], 1, 10, 1, None, T0, "r1"),
        ("d01", "m2", "v1", "hf", text["d01"], words(2), "ok", [], 1, 10, 5, None, T0 + dt.timedelta(hours=1), "r2"),
        ("d04", "m2", "v1", "hf", text["d04"], words(3), "ok", [], 1, 10, 5, None, T0 + dt.timedelta(hours=1), "r2"),
        ("d06", "m2", "v1", "hf", text["d06"], W, "rejected", ["too_short", "numbers_missing"], 1, 10, 1, None,
         T0 + dt.timedelta(hours=1), "r2"),
        ("d07", "m2", "v1", "hf", text["d07"], None, "error", ["engine_error"], 1, 0, 0, "boom",
         T0 + dt.timedelta(hours=1), "r2"),
    ]


def write_tables(spark, tables, with_aligned: bool = True) -> None:
    """Write the crafted tables through the project's Tables facade."""
    docs = [(d, s, f"https://example.com/{d}", f"title {d}", "2015-07-21", t, f"h{d}", len(t))
            for d, s, t, *_ in DOCS]
    tables.overwrite("documents", spark.createDataFrame(docs, DOCUMENTS_SCHEMA))
    tables.overwrite("quarantine", spark.createDataFrame(
        [("news|f|7", "news", "not_json", "bad"), ("forum|f|3", "forum", "empty_text", None)], QUARANTINE_SCHEMA))
    tables.overwrite("signals", spark.createDataFrame(
        [(d, s, lang, 0.9, lang in ("ar", "arz"), keep, reasons) for d, s, _, lang, keep, reasons in DOCS],
        SIGNALS_SCHEMA))
    tables.overwrite("duplicates", spark.createDataFrame([
        ("d01", "d01", 3, "fuzzy", True, None), ("d02", "d01", 3, "fuzzy", False, "d01"),
        ("d03", "d01", 3, "fuzzy", False, "d01"),
        ("d04", "d04", 2, "exact", True, None), ("d05", "d04", 2, "exact", False, "d04"),
    ], DUPLICATES_SCHEMA))
    by_id = {d[0]: d for d in DOCS}
    tables.overwrite("curated", spark.createDataFrame(
        [(d, by_id[d][1], f"https://example.com/{d}", f"title {d}", "2015-07-21", by_id[d][2], f"h{d}",
          len(by_id[d][2]), by_id[d][3]) for d in CURATED_IDS], CURATED_SCHEMA))
    pii_counts = {f.name: 0 for f in PII_SCHEMA.fields if f.name.startswith("pii_")}
    tables.overwrite("pii", spark.createDataFrame(  # d04 held a phone number, redacted in curated
        [{"doc_id": "d04", **pii_counts, "pii_phone": 1, "dropped": False, "redacted_at": T0, "run_id": "r2"}],
        PII_SCHEMA))
    tables.overwrite("seed", spark.createDataFrame(
        [(d, f"h{d}", by_id[d][2], by_id[d][1], "random") for d in ("d01", "d04")], SEED_SCHEMA))
    if with_aligned:
        tables.overwrite("aligned", spark.createDataFrame(aligned_rows(), ALIGNED_SCHEMA))
    tables.overwrite("runs", spark.createDataFrame([
        ("r1", "ingest", T0, 1.0, {"documents": 10}),
        ("r2", "ingest", T0 + dt.timedelta(hours=1), 2.0, {"documents": 10, "quarantined": 2}),
        ("r2", "curate", T0 + dt.timedelta(hours=2), 3.0, {"kept": 7, "rejected": 3, "reason.too_short": 2}),
    ], RUNS_SCHEMA))
