"""Exact dedup by content_hash (the hash of the normalized text, so diacritics, tatweel and alef forms do not
split copies): every copy gets an edge to its group's smallest doc_id, and only that representative goes on to
MinHash, which saves the signature work for all other copies.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F


def exact_key(docs: DataFrame) -> DataFrame:
    """Adds ``exact_key``: content_hash, or a hash of the raw text where an upstream row lacks one."""
    return docs.withColumn("exact_key", F.coalesce(F.col("content_hash"), F.sha2(F.coalesce("text", F.lit("")), 256)))


def exact_groups(docs: DataFrame) -> DataFrame:
    """(doc_id, rep_id): rep_id is the smallest doc_id sharing the document's exact key (itself when unique).

    A window minimum: one shuffle of (doc_id, key), where a groupBy and a join back would take two."""
    by_key = Window.partitionBy("exact_key")
    return (exact_key(docs).select("doc_id", "exact_key")
            .select("doc_id", F.min("doc_id").over(by_key).alias("rep_id")))


def exact_edges(groups: DataFrame) -> DataFrame:
    """Star edges (rep_id, doc_id) of every exact copy to its representative."""
    return (groups.where(F.col("doc_id") != F.col("rep_id"))
            .select(F.col("rep_id").alias("src"), F.col("doc_id").alias("dst")))


def representatives(docs: DataFrame, groups: DataFrame) -> DataFrame:
    """The documents that represent their exact group (the input of fuzzy dedup)."""
    reps = groups.where(F.col("doc_id") == F.col("rep_id")).select("doc_id")
    return docs.join(reps, "doc_id", "left_semi")
