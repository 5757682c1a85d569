"""Declared schema of the `seed_pairs` table: one row per (document, expert model, prompt version)."""

from __future__ import annotations

from pyspark.sql.types import (ArrayType, DoubleType, IntegerType, LongType, StringType, StructField, StructType,
                               TimestampType)

# status: ok (usable pair) | rejected (expert output failed guardrails) | failed (no usable reply after the
# attempts; reasons says why) | skipped_budget (never sent: the run's budget cap was reached).
PAIR_STATUSES = ("ok", "rejected", "failed", "skipped_budget")

SEED_PAIRS_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("content_hash", StringType(), True),
    StructField("model", StringType(), False),
    StructField("prompt_version", StringType(), False),
    StructField("original", StringType(), True),
    StructField("rewrite", StringType(), True),
    StructField("status", StringType(), False),
    StructField("reasons", ArrayType(StringType()), True),
    StructField("prompt_tokens", LongType(), True),
    StructField("completion_tokens", LongType(), True),
    StructField("cost_usd", DoubleType(), True),
    StructField("attempts", IntegerType(), True),     # cumulative HTTP attempts over all runs
    StructField("finish_reason", StringType(), True),
    StructField("annotated_at", TimestampType(), True),
    StructField("run_id", StringType(), True),
])

PAIR_KEYS = ["doc_id", "model", "prompt_version"]
