"""Declared schemas of what the report and export produce (the report writes files, not tables)."""

from __future__ import annotations

from pyspark.sql.types import LongType, StringType, StructField, StructType

# Funnel rows, in pipeline order. "ingested" counts documents + quarantined records (characters: documents only).
FUNNEL_STAGES: tuple[str, ...] = ("ingested", "quarantined", "curated-kept", "deduped", "seed", "aligned-ok")

FUNNEL_SCHEMA = StructType([
    StructField("stage", StringType(), False),
    StructField("documents", LongType(), True),
    StructField("characters", LongType(), True),
    StructField("words", LongType(), True),
    StructField("est_tokens", LongType(), True),
    StructField("status", StringType(), False),
])

# One exported training record. `variant` says which text was written: "original" or "aligned".
EXPORT_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("text", StringType(), False),
    StructField("variant", StringType(), False),
    StructField("source", StringType(), True),
    StructField("url", StringType(), True),
    StructField("title", StringType(), True),
    StructField("date", StringType(), True),
])
