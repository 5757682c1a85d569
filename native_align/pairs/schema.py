"""Declared schema of the `noise_pairs` table: the `seed_pairs` columns, plus what the noise model did.

A pair is a chunk of a curated document (``rewrite``: the clean target) and its noisy copy (``original``), so its
key is ``pair_id`` (``<doc_id>#<chunk index>``); ``doc_id`` still names the document (export-pairs splits train and
validation by it, so chunks of one document never straddle the split).
"""

from __future__ import annotations

from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

from native_align.annotate.schema import SEED_PAIRS_SCHEMA

NOISE_MODEL = "noise"  # the `model` column of every noise pair ("who wrote the pair")
ORIGIN = "noise"
KEYS = ["pair_id"]

EXTRA_FIELDS = [
    StructField("pair_id", StringType(), False),
    StructField("chunk_index", IntegerType(), False),
    StructField("origin", StringType(), False),          # noise (expert pairs live in seed_pairs)
    StructField("split", StringType(), False),           # train | heldout (held-out documents: evaluation only)
    StructField("templates", StringType(), False),       # clean | train | heldout: the template pool drawn from
    StructField("families", ArrayType(StringType()), True),
    StructField("injections", StringType(), True),       # JSON list: family, template_id, held_out, text, kind...
    StructField("noise_seed", StringType(), True),
]

NOISE_PAIRS_SCHEMA = StructType(list(SEED_PAIRS_SCHEMA.fields) + EXTRA_FIELDS)
