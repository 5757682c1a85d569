"""Declared schema of the `seed` table (docs/architecture.md lists the shared columns)."""

from __future__ import annotations

from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

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
