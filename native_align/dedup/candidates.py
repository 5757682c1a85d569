"""LSH buckets -> candidate edges, and optional verification by true Jaccard.

Why not all pairs of a bucket: one boilerplate template can put thousands of documents in one bucket, and all
pairs of k documents is k^2/2 rows. Without verification every candidate is accepted, so a star (each member to
the bucket's smallest doc_id) already connects the bucket: k-1 edges. With verification a star is not enough:
a member that fails against the bucket's minimum may still truly match another member. So buckets up to
``pair_cap`` emit all pairs, and larger buckets emit the pairs of every member with the ``pivots`` smallest
members (O(pivots * k)); a member of a giant bucket that matches none of the pivots is only found through another
band. Recall against exact ground truth is measured by ``native-align eval dedup``.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align.dedup.schema import VERIFIED_SCHEMA
from native_align.dedup.signatures import key_lists


def buckets(band_rows: DataFrame) -> DataFrame:
    """(band, band_hash, members sorted by doc_id) for every bucket with at least two documents."""
    return (band_rows.groupBy("band", "band_hash")
            .agg(F.array_sort(F.collect_list("doc_id")).alias("members"))
            .where(F.size("members") >= 2))


def bucket_edges(bucket_df: DataFrame, pair_cap: int | None, pivots: int) -> DataFrame:
    """Distinct (src, dst) with src < dst; ``pair_cap=None`` means star edges only (one pivot)."""
    k = F.size("members")
    if pair_cap is None:
        n_pivots = F.lit(1)
    else:
        n_pivots = F.when(k <= pair_cap, k - 1).otherwise(F.least(k - 1, F.lit(pivots)))
    pairs = F.flatten(F.transform(
        F.sequence(F.lit(0), n_pivots - 1),
        lambda i: F.transform(F.slice("members", i + 2, k - i - 1),
                              lambda y: F.struct(F.element_at("members", i + 1).alias("src"), y.alias("dst")))))
    # Near-identical documents fall into the same buckets in most bands: expanding each distinct member list
    # once, not once per band, cuts the pair rows before the shuffle of `distinct` (up to bands-fold).
    return (bucket_df.select("members").distinct()
            .select(F.explode(pairs).alias("e"))
            .select("e.src", "e.dst")
            .distinct())


def _jaccards(batch: pa.RecordBatch) -> np.ndarray:
    """Jaccard of every row's two sorted unique verification key sets (s1, s2: ``signatures`` blobs)."""
    lv, lo = key_lists(batch.column("s1"))
    rv, ro = key_lists(batch.column("s2"))
    sims = np.empty(batch.num_rows, dtype=np.float64)
    for i in range(batch.num_rows):
        a, b = lv[lo[i]:lo[i + 1]], rv[ro[i]:ro[i + 1]]
        inter = np.intersect1d(a, b, assume_unique=True).size
        union = a.size + b.size - inter
        sims[i] = inter / union if union else 1.0
    return sims


def _verify_batches(batches: Iterator[pa.RecordBatch], threshold: float, counters=None) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        n1 = batch.column("n1").to_numpy(zero_copy_only=False)
        n2 = batch.column("n2").to_numpy(zero_copy_only=False)
        # Size filter: J <= min/max, so pairs of very different sizes cannot reach the threshold.
        maybe = np.minimum(n1, n2) >= threshold * np.maximum(n1, n2)
        sims = np.zeros(batch.num_rows, dtype=np.float64)
        if maybe.any():
            sims[maybe] = _jaccards(batch.filter(pa.array(maybe)))
        keep = maybe & (sims >= threshold)
        if counters is not None:
            counters["candidate_pairs"].add(batch.num_rows)
            counters["verified_pairs"].add(int(keep.sum()))
        mask = pa.array(keep)
        yield pa.RecordBatch.from_arrays(
            [batch.column("src").filter(mask), batch.column("dst").filter(mask), pa.array(sims[keep], pa.float64())],
            names=VERIFIED_SCHEMA.fieldNames())


def verify_edges(edges: DataFrame, sigs: DataFrame, threshold: float, counters=None) -> DataFrame:
    """Keep the candidate edges whose true Jaccard (on the stored shingle sets) is >= threshold.

    ``sigs`` partitioned by doc_id (as the stage persists it) is joined twice without being shuffled again; only
    the edges move. ``counters`` (Spark accumulators ``candidate_pairs``, ``verified_pairs``) are counted on the
    way instead of by extra jobs."""
    s = sigs.select("doc_id", "n_shingles", "shingles")
    joined = (edges
              .join(s.select(F.col("doc_id").alias("src"), F.col("n_shingles").alias("n1"),
                             F.col("shingles").alias("s1")), "src")
              .join(s.select(F.col("doc_id").alias("dst"), F.col("n_shingles").alias("n2"),
                             F.col("shingles").alias("s2")), "dst"))

    def fn(batches):
        return _verify_batches(batches, threshold, counters)

    return joined.select("src", "dst", "n1", "n2", "s1", "s2").mapInArrow(fn, VERIFIED_SCHEMA)


def _count_batches(batches: Iterator[pa.RecordBatch], counter) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        counter.add(batch.num_rows)
        yield batch


def counted(df: DataFrame, counter) -> DataFrame:
    """``df`` unchanged, its rows added to a Spark accumulator as they pass (no counting job of its own)."""

    def fn(batches):
        return _count_batches(batches, counter)

    return df.mapInArrow(fn, df.schema)
