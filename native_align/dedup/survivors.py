"""One deterministic survivor per cluster, and the `duplicates` table.

The survivor is the first member under the configured sort keys (best quality, longest, earliest, smallest id),
with doc_id as the last key, so two runs over the same input always keep the same document.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from native_align.dedup.schema import DUPLICATES_SCHEMA

_KEYS = {
    "quality": lambda: F.col("quality_score").desc_nulls_last(),
    "longest": lambda: F.col("n_chars").desc_nulls_last(),
    "earliest": lambda: F.col("date").asc_nulls_last(),
    "smallest_id": lambda: F.col("doc_id").asc(),
}


def survivor_order(keys: list[str]) -> list[Column]:
    """Sort columns for a survivor policy; doc_id always last (the deterministic tie-break)."""
    unknown = [k for k in keys if k not in _KEYS]
    if unknown:
        raise ValueError(f"unknown survivor keys {unknown}; known: {sorted(_KEYS)}")
    return [_KEYS[k]() for k in keys] + [F.col("doc_id").asc()]


def duplicates_table(components: DataFrame, docs: DataFrame, keys: list[str]) -> DataFrame:
    """components (doc_id, cluster_id) + docs (doc_id, content_hash, quality_score, n_chars, date) -> DUPLICATES_SCHEMA.

    ``method`` is per document: "exact" when it has the survivor's content_hash (for the survivor: when the whole
    cluster shares one content_hash), else "fuzzy".
    """
    members = components.join(docs.select("doc_id", "content_hash", "quality_score", "n_chars", "date"), "doc_id")
    by_cluster = Window.partitionBy("cluster_id")
    ordered = by_cluster.orderBy(*survivor_order(keys))
    ranked = (members
              .withColumn("rank", F.row_number().over(ordered))
              .withColumn("survivor_id", F.first("doc_id").over(ordered))
              .withColumn("survivor_hash", F.first("content_hash").over(ordered))
              .withColumn("cluster_size", F.count(F.lit(1)).over(by_cluster))
              # One content_hash in the cluster <=> min == max: O(1) per row, where a collected set would copy
              # the cluster's hashes into every row (quadratic for a giant cluster).
              .withColumn("one_hash", F.min("content_hash").over(by_cluster)
                          == F.max("content_hash").over(by_cluster)))
    out = (ranked.where(F.col("cluster_size") >= 2)
           .select(
               "doc_id", "cluster_id", F.col("cluster_size").cast("long").alias("cluster_size"),
               F.when(F.col("rank") == 1, F.when(F.col("one_hash"), "exact").otherwise("fuzzy"))
                .when(F.col("content_hash") == F.col("survivor_hash"), "exact").otherwise("fuzzy").alias("method"),
               (F.col("rank") == 1).alias("is_survivor"),
               F.when(F.col("rank") == 1, F.lit(None).cast("string")).otherwise(F.col("survivor_id"))
                .alias("duplicate_of")))
    return out.select(*[F.col(f.name).cast(f.dataType) for f in DUPLICATES_SCHEMA.fields])
