"""Seed sampling strategies as ``DataFrame -> DataFrame`` transformations.

Reproducibility: every strategy orders documents by ``sample_key = xxhash64(seed, doc_id)`` (ties by doc_id),
never by ``rand()``: the same seed on the same corpus picks the same documents, on any number of partitions,
and a document's chance of selection does not depend on where it sits in the input.

- random: the ``size`` smallest keys.
- stratified: ``size`` shared among strata (``stratify_by``, default source) by largest remainder, proportional to
  stratum size or equal; within a stratum the smallest keys.
- perplexity: a hash-random candidate pool (the ``candidate_pool`` smallest keys) is scored by a reference LM
  (:mod:`native_align.lm.perplexity`), then the highest, the lowest, or an equal share of each quantile bin.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StructField, StructType

from native_align.seed.schema import SEED_SCHEMA

Scorer = Callable[[Sequence[str]], Sequence[float]]


def with_sample_key(df: DataFrame, seed: int) -> DataFrame:
    """Adds ``sample_key``: a deterministic pseudo-random order that depends only on (seed, doc_id)."""
    return df.withColumn("sample_key", F.xxhash64(F.lit(str(seed)), F.col("doc_id")))


def eligible(df: DataFrame, min_chars: int, max_chars: int) -> DataFrame:
    """Documents the expert can polish in one request: non-empty text within the length bounds."""
    n = F.length("text")
    return df.where(F.col("text").isNotNull() & (n >= F.lit(min_chars)) & (n <= F.lit(max_chars)))


def _ordered(df: DataFrame) -> DataFrame:
    return df.orderBy("sample_key", "doc_id")


def to_seed_schema(df: DataFrame, strategy: str, run_id: str | None = None) -> DataFrame:
    """Project onto SEED_SCHEMA (missing optional columns become nulls)."""
    cols = set(df.columns)
    out = df
    if "perplexity" not in cols:
        out = out.withColumn("perplexity", F.lit(None).cast(DoubleType()))
    if "stratum" not in cols:
        out = out.withColumn("stratum", F.lit("all"))
    out = out.withColumn("strategy", F.lit(strategy)).withColumn("run_id", F.lit(run_id))
    return out.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in SEED_SCHEMA.fields])


def sample_random(df: DataFrame, size: int, seed: int) -> DataFrame:
    """The ``size`` documents with the smallest sample keys."""
    return _ordered(with_sample_key(df, seed)).limit(size).withColumn("stratum", F.lit("all"))


def allocate(counts: dict[str, int], size: int, mode: str = "proportional") -> dict[str, int]:
    """Share ``size`` among strata (largest remainder, ties by stratum name), never more than a stratum holds.

    Leftovers from strata that are too small go to the others, so the total is min(size, sum(counts)).
    """
    size = min(size, sum(counts.values()))
    alloc = {k: 0 for k in counts}
    remaining = size
    open_ = {k for k, c in counts.items() if c > 0}
    while remaining > 0 and open_:
        total = sum(counts[k] - alloc[k] for k in open_) if mode == "proportional" else len(open_)
        shares = {}
        for k in open_:
            weight = (counts[k] - alloc[k]) if mode == "proportional" else 1
            shares[k] = remaining * weight / total
        base = {k: min(int(math.floor(shares[k])), counts[k] - alloc[k]) for k in open_}
        given = sum(base.values())
        order = sorted(open_, key=lambda k: (-(shares[k] - math.floor(shares[k])), str(k)))
        for k in order:
            if given >= remaining:
                break
            if base[k] < counts[k] - alloc[k]:
                base[k] += 1
                given += 1
        if given == 0:
            break
        for k in open_:
            alloc[k] += base[k]
        remaining -= given
        open_ = {k for k in open_ if alloc[k] < counts[k]}
    return alloc


def sample_stratified(df: DataFrame, size: int, seed: int, by: str = "source",
                      mode: str = "proportional") -> DataFrame:
    """``size`` documents shared among the values of ``by``; within a stratum, the smallest sample keys."""
    keyed = with_sample_key(df, seed).withColumn("stratum", F.coalesce(F.col(by).cast("string"), F.lit("<null>")))
    counts = {r["stratum"]: int(r["count"]) for r in keyed.groupBy("stratum").count().collect()}
    alloc = allocate(counts, size, mode)
    spark = df.sparkSession
    quota = spark.createDataFrame(sorted(alloc.items()), "stratum string, quota long")
    w = Window.partitionBy("stratum").orderBy("sample_key", "doc_id")
    ranked = keyed.withColumn("_rank", F.row_number().over(w)).join(F.broadcast(quota), "stratum")
    return _ordered(ranked.where(F.col("_rank") <= F.col("quota")).drop("_rank", "quota"))


def candidate_pool(df: DataFrame, pool: int, seed: int) -> DataFrame:
    """A hash-random pool of ``pool`` documents: the only ones that get a (costly) perplexity."""
    return _ordered(with_sample_key(df, seed)).limit(pool)


def score_perplexity(pool: DataFrame, scorer: Scorer) -> DataFrame:
    """Adds ``perplexity`` to a (small) pool by scoring its texts on the driver with ``scorer``.

    The pool is bounded by config, and the reference LM is loaded once per process: scoring on the driver avoids
    loading a 270M-parameter model in every Python worker.
    """
    rows = pool.collect()
    scores = list(scorer([r["text"] for r in rows])) if rows else []
    if len(scores) != len(rows):
        raise ValueError(f"scorer returned {len(scores)} scores for {len(rows)} texts")
    schema = StructType(pool.schema.fields + [StructField("perplexity", DoubleType(), True)])
    data = [tuple(r) + (None if s is None or math.isnan(s) else float(s),) for r, s in zip(rows, scores)]
    return pool.sparkSession.createDataFrame(data, schema)


def select_by_perplexity(scored: DataFrame, size: int, mode: str = "high", quantiles: int = 4) -> DataFrame:
    """From a scored pool: the ``size`` highest/lowest perplexities, or an equal share of each quantile bin.

    Documents without a perplexity (too short to score) are never selected. Ties break by sample key.
    """
    valid = scored.where(F.col("perplexity").isNotNull() & ~F.isnan("perplexity"))
    if mode == "high":
        return valid.orderBy(F.desc("perplexity"), "sample_key", "doc_id").limit(size) \
            .withColumn("stratum", F.lit("high"))
    if mode == "low":
        return valid.orderBy(F.asc("perplexity"), "sample_key", "doc_id").limit(size) \
            .withColumn("stratum", F.lit("low"))
    if mode != "spread":
        raise ValueError(f"unknown perplexity mode {mode!r}: high, low or spread")
    # Bins by rank (ntile), which is exact and deterministic, unlike approxQuantile.
    binned = valid.withColumn("_bin", F.ntile(quantiles).over(Window.orderBy("perplexity", "sample_key", "doc_id")))
    binned = binned.withColumn("stratum", F.concat(F.lit("q"), F.col("_bin").cast("string")))
    counts = {r["stratum"]: int(r["count"]) for r in binned.groupBy("stratum").count().collect()}
    alloc = allocate(counts, size, "equal")
    quota = scored.sparkSession.createDataFrame(sorted(alloc.items()), "stratum string, quota long")
    w = Window.partitionBy("stratum").orderBy("sample_key", "doc_id")
    ranked = binned.withColumn("_rank", F.row_number().over(w)).join(F.broadcast(quota), "stratum")
    return ranked.where(F.col("_rank") <= F.col("quota")).drop("_rank", "quota", "_bin") \
        .orderBy("perplexity", "sample_key")


def sample_perplexity(df: DataFrame, size: int, seed: int, scorer: Scorer, mode: str = "high",
                      pool: int = 2000, quantiles: int = 4) -> DataFrame:
    """Pool, score, select: the paper's high-/low-perplexity seed (or a spread over quantiles)."""
    scored = score_perplexity(candidate_pool(df, pool, seed), scorer)
    return select_by_perplexity(scored, size, mode, quantiles)


def empty_seed(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([], SEED_SCHEMA)
