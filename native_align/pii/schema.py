"""Declared schema of the `pii` table: what redaction did to each document that held personal data."""

from __future__ import annotations

from pyspark.sql.types import BooleanType, IntegerType, StringType, StructField, StructType, TimestampType

from native_align.pii.kinds import KINDS

COUNT_PREFIX = "pii_"

PII_SCHEMA = StructType(
    [StructField("doc_id", StringType(), False)]
    + [StructField(f"{COUNT_PREFIX}{kind}", IntegerType(), False) for kind in KINDS]
    + [StructField("dropped", BooleanType(), False),        # a kind whose policy is `drop` was found
       StructField("redacted_at", TimestampType(), True),
       StructField("run_id", StringType(), True)]
)
