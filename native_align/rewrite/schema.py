"""Declared schemas of the rewrite stage: the work snapshot, what actors write, and the `aligned` table.

The Arrow schema is what Ray actors emit (so every staged Parquet file has identical columns even when a batch is
all errors); the Spark schema is the same columns for the MERGE. ``aligned`` keeps the original beside the rewrite:
``rewrite`` is the model's output (also for ``rejected``, for inspection; null for ``error``), and a consumer takes
``rewrite`` only where ``status = 'ok'``.
"""

from __future__ import annotations

from pyspark.sql.types import (ArrayType, IntegerType, LongType, StringType, StructField, StructType,
                               TimestampType)

KEYS = ["doc_id", "model", "prompt_version"]
STATUSES = ("ok", "rejected", "error")

WORK_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("text", StringType(), True),
])

RESULT_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("model", StringType(), False),
    StructField("prompt_version", StringType(), False),
    StructField("engine", StringType(), True),
    StructField("original_text", StringType(), True),
    StructField("rewrite", StringType(), True),
    StructField("status", StringType(), False),          # ok | rejected | error
    StructField("reasons", ArrayType(StringType()), True),  # guardrail codes, or engine_error / split_error
    StructField("pieces", IntegerType(), True),          # paragraph-bounded pieces the document was rewritten in
    StructField("prompt_tokens", LongType(), True),
    StructField("completion_tokens", LongType(), True),
    StructField("error", StringType(), True),            # the exception / HTTP failure behind status=error
])

ALIGNED_SCHEMA = StructType(RESULT_SCHEMA.fields + [
    StructField("created_at", TimestampType(), True),
    StructField("run_id", StringType(), True),
])


def result_arrow_schema():
    """RESULT_SCHEMA as a pyarrow schema (what each actor batch returns)."""
    import pyarrow as pa

    return pa.schema([
        ("doc_id", pa.string()), ("model", pa.string()), ("prompt_version", pa.string()), ("engine", pa.string()),
        ("original_text", pa.string()), ("rewrite", pa.string()), ("status", pa.string()),
        ("reasons", pa.list_(pa.string())), ("pieces", pa.int32()), ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()), ("error", pa.string()),
    ])
