"""Declared schemas of the dedup stage's intermediate frames and output tables."""

from __future__ import annotations

from pyspark.sql.types import (ArrayType, BinaryType, BooleanType, DoubleType, IntegerType, LongType, StringType,
                               StructField, StructType)

# One row per document that has at least one shingle: its LSH band hashes (one per band, index = band) and,
# when verification is on, its sorted unique 32-bit verification keys (minhash.verification_keys) as one
# little-endian uint32 blob; n_shingles counts those keys.
SIGNATURES_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("n_shingles", IntegerType(), False),
    StructField("bands", ArrayType(LongType(), False), False),
    StructField("shingles", BinaryType(), True),
])

# Undirected edges between documents, always stored with src < dst (doc_id order).
EDGES_SCHEMA = StructType([
    StructField("src", StringType(), False),
    StructField("dst", StringType(), False),
])

# Candidate pairs after verification, with the measured Jaccard (null when verification is off).
VERIFIED_SCHEMA = StructType([
    StructField("src", StringType(), False),
    StructField("dst", StringType(), False),
    StructField("jaccard", DoubleType(), True),
])

# doc -> component: cluster_id is the smallest doc_id of the connected component.
COMPONENTS_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("cluster_id", StringType(), False),
])

# The `duplicates` table: every document in a cluster of size >= 2, survivors included.
DUPLICATES_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("cluster_id", StringType(), False),
    StructField("cluster_size", LongType(), False),
    StructField("method", StringType(), False),  # exact | fuzzy
    StructField("is_survivor", BooleanType(), False),
    StructField("duplicate_of", StringType(), True),  # the survivor's doc_id; null for the survivor
])

# Per document: 0-based positions (in text.split("\n")) of the lines removed as boilerplate.
BOILERPLATE_LINES_SCHEMA = StructType([
    StructField("doc_id", StringType(), False),
    StructField("pos", IntegerType(), False),
    StructField("line_hash", LongType(), False),
])

# The `curated` table (gold): kept by curate, minus non-survivors, boilerplate lines removed.
CURATED_COLUMNS = ["doc_id", "source", "url", "title", "date", "text", "content_hash", "n_chars", "lang",
                   "quality_score", "boilerplate_lines_removed"]
