"""Declared schemas of the `seed` and `seed_pairs` tables (docs/architecture.md lists the shared columns)."""

from __future__ import annotations

from pyspark.sql.types import (ArrayType, DoubleType, IntegerType, LongType, StringType, StructField, StructType,
                               TimestampType)

SEED_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("content_hash", StringType(), True),
    StructField("text", StringType(), True),
    StructField("source", StringType(), True),
    StructField("strategy", StringType(), False),     # random | stratified | perplexity-high|low|spread
    StructField("perplexity", DoubleType(), True),    # only for perplexity sampling (null otherwise)
    StructField("stratum", StringType(), True),       # source value, ppl quantile bin "q1".., or "all"
    StructField("sample_key", LongType(), False),     # xxhash64(seed, doc_id): the deterministic order
    StructField("run_id", StringType(), True),
])

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
