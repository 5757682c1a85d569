"""Corpus statistics from the Delta tables, each a ``DataFrame -> DataFrame`` function.

They take the tables' DataFrames (or ``None`` where a stage has not run) and return small Spark frames that the
report collects to pandas. Everything is aggregated inside Spark: the report must stay cheap on a corpus of
millions of documents, and only the final, few-row results ever reach the driver.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType

from native_align.report.schema import FUNNEL_SCHEMA, FUNNEL_STAGES

# Spark's split takes a Java regex; \s misses no-break and other Unicode spaces unless (?U) is set.
_WS = r"(?U)\s+"


def word_count(col: Column) -> Column:
    """Whitespace words of a text column (0 for null or blank text), the basis of every token *estimate*."""
    trimmed = F.trim(F.coalesce(col, F.lit("")))
    return F.when(F.length(trimmed) == 0, F.lit(0)).otherwise(F.size(F.split(trimmed, _WS)))


def text_volume(df: DataFrame, text_col: str = "text") -> DataFrame:
    """One row: documents, characters and whitespace words of ``text_col``."""
    return df.agg(
        F.count(F.lit(1)).alias("documents"),
        F.coalesce(F.sum(F.length(F.col(text_col))), F.lit(0)).cast("long").alias("characters"),
        F.coalesce(F.sum(word_count(F.col(text_col))), F.lit(0)).cast("long").alias("words"),
    )


def funnel(spark: SparkSession, stages: dict[str, DataFrame | None], tokens_per_word: float = 1.0,
           counts_only: dict[str, DataFrame] | None = None) -> DataFrame:
    """Documents, characters and estimated tokens per pipeline stage, in pipeline order.

    ``stages`` maps a stage of :data:`FUNNEL_STAGES` to a frame with a ``text`` column (``None``: the stage has
    not run, its row says so; a frame without ``text`` is counted, its characters left unknown). ``counts_only`` maps
    a stage to frames that add documents but no text (records that never parsed, e.g. the quarantine counted into
    "ingested"): their characters are unknown, not zero.
    Estimated tokens are words x ``tokens_per_word``: an estimate, labelled as one wherever it is shown.
    """
    counts_only = counts_only or {}
    rows = []
    for stage in FUNNEL_STAGES:
        df = stages.get(stage)
        if df is None:
            rows.append((stage, None, None, None, None, "stage not run"))
            continue
        extra = sum(c.count() for c in counts_only.get(stage, []))
        if "text" not in df.columns:  # e.g. the quarantine: records without parsed text
            rows.append((stage, df.count() + extra, None, None, None, "ok"))
            continue
        vol = text_volume(df).first()
        rows.append((stage, int(vol["documents"]) + extra, int(vol["characters"]), int(vol["words"]),
                     int(round(vol["words"] * tokens_per_word)), "ok"))
    return spark.createDataFrame(rows, FUNNEL_SCHEMA)


def reject_reasons(signals: DataFrame) -> DataFrame:
    """reason, documents: how many rejected documents carry each reason (a document may carry several)."""
    return (signals.where(~F.col("keep"))
            .select(F.explode_outer(_as_array(signals, "reject_reasons")).alias("reason"))
            .fillna({"reason": "(no reason recorded)"})
            .groupBy("reason").agg(F.count(F.lit(1)).alias("documents"))
            .orderBy(F.desc("documents"), "reason"))


def language_distribution(signals: DataFrame) -> DataFrame:
    """lang, documents, kept, is_arabic: what fastText said, and how much of it curate kept."""
    return (signals.fillna({"lang": "(none)"})
            .groupBy("lang")
            .agg(F.count(F.lit(1)).alias("documents"),
                 F.sum(F.col("keep").cast("long")).alias("kept"),
                 F.max(F.col("is_arabic").cast("int")).cast("boolean").alias("is_arabic"))
            .orderBy(F.desc("documents"), "lang"))


def cluster_size_histogram(duplicates: DataFrame) -> DataFrame:
    """cluster_size, clusters, documents, removed: how big duplicate clusters are and what dedup removed."""
    per_cluster = (duplicates.groupBy("cluster_id")
                   .agg(F.count(F.lit(1)).alias("members"),
                        F.max("cluster_size").alias("cluster_size"),
                        F.sum((~F.col("is_survivor")).cast("long")).alias("removed")))
    return (per_cluster.groupBy("cluster_size")
            .agg(F.count(F.lit(1)).alias("clusters"), F.sum("members").alias("documents"),
                 F.sum("removed").alias("removed"))
            .orderBy("cluster_size"))


def per_source(documents: DataFrame, signals: DataFrame | None = None, duplicates: DataFrame | None = None,
               curated: DataFrame | None = None, aligned: DataFrame | None = None,
               quarantine: DataFrame | None = None) -> DataFrame:
    """One row per source: ingested, quarantined, rejected, duplicates, curated, aligned_ok.

    Columns of stages that have not run are null (not zero), so the report can tell "none" from "not run".
    """
    base = documents.select("doc_id", "source")
    flags = []
    if signals is not None:
        base = base.join(signals.select("doc_id", F.col("keep").alias("_keep")), "doc_id", "left")
        flags.append(F.sum(F.when(F.col("_keep") == F.lit(False), 1).otherwise(0)).alias("rejected"))
    else:
        flags.append(F.lit(None).cast("long").alias("rejected"))
    if duplicates is not None:
        removed = duplicates.where(~F.col("is_survivor")).select("doc_id", F.lit(1).alias("_dup"))
        base = base.join(removed, "doc_id", "left")
        flags.append(F.sum(F.coalesce(F.col("_dup"), F.lit(0))).alias("duplicates"))
    else:
        flags.append(F.lit(None).cast("long").alias("duplicates"))
    if curated is not None:
        base = base.join(curated.select("doc_id", F.lit(1).alias("_cur")), "doc_id", "left")
        flags.append(F.sum(F.coalesce(F.col("_cur"), F.lit(0))).alias("curated"))
    else:
        flags.append(F.lit(None).cast("long").alias("curated"))
    if aligned is not None:
        ok = aligned.where(F.col("status") == "ok").select("doc_id").distinct().withColumn("_ok", F.lit(1))
        base = base.join(ok, "doc_id", "left")
        flags.append(F.sum(F.coalesce(F.col("_ok"), F.lit(0))).alias("aligned_ok"))
    else:
        flags.append(F.lit(None).cast("long").alias("aligned_ok"))
    out = base.groupBy("source").agg(F.count(F.lit(1)).alias("documents"), *flags)
    if quarantine is not None:
        q = quarantine.groupBy("source").agg(F.count(F.lit(1)).alias("quarantined"))
        out = out.join(q, "source", "full_outer").fillna({"documents": 0, "quarantined": 0})
    else:
        out = out.withColumn("quarantined", F.lit(None).cast("long"))
    out = out.withColumn("ingested", F.col("documents") + F.coalesce(F.col("quarantined"), F.lit(0)))
    return out.select("source", "ingested", "quarantined", "rejected", "duplicates", "curated",
                      "aligned_ok").orderBy(F.desc("ingested"), "source")


def rewrite_status(aligned: DataFrame) -> DataFrame:
    """status, documents (one row per status: ok, rejected, error)."""
    return (aligned.groupBy("status").agg(F.count(F.lit(1)).alias("documents"))
            .orderBy(F.desc("documents"), "status"))


def rewrite_reasons(aligned: DataFrame) -> DataFrame:
    """reason, documents: why rewrites were rejected or failed (a row may carry several reasons)."""
    return (aligned.where(F.col("status") != "ok")
            .select(F.explode_outer(_as_array(aligned, "reasons")).alias("reason"))
            .fillna({"reason": "(no reason recorded)"})
            .groupBy("reason").agg(F.count(F.lit(1)).alias("documents"))
            .orderBy(F.desc("documents"), "reason"))


def length_change(pairs: DataFrame) -> DataFrame:
    """Per-document length of original and rewrite (characters, words) and their ratio."""
    return pairs.select(
        "doc_id",
        F.length("original_text").alias("original_chars"),
        F.length("rewrite").alias("rewrite_chars"),
        word_count(F.col("original_text")).alias("original_words"),
        word_count(F.col("rewrite")).alias("rewrite_words"),
    ).withColumn("char_ratio", F.when(F.col("original_chars") > 0,
                                      F.col("rewrite_chars") / F.col("original_chars")))


def length_summary(lengths: DataFrame) -> DataFrame:
    """One row: documents, total characters before and after, and quantiles of the per-document ratio."""
    q = F.percentile_approx("char_ratio", [0.1, 0.5, 0.9, 0.99], 10000)
    return lengths.agg(
        F.count(F.lit(1)).alias("documents"),
        F.sum("original_chars").cast("long").alias("original_chars"),
        F.sum("rewrite_chars").cast("long").alias("rewrite_chars"),
        F.sum("original_words").cast("long").alias("original_words"),
        F.sum("rewrite_words").cast("long").alias("rewrite_words"),
        q.alias("_q"),
    ).select("*", F.col("_q")[0].alias("ratio_p10"), F.col("_q")[1].alias("ratio_median"),
             F.col("_q")[2].alias("ratio_p90"), F.col("_q")[3].alias("ratio_p99")).drop("_q")


def histogram(df: DataFrame, col: str, lo: float, hi: float, bins: int) -> DataFrame:
    """bin, lo, hi, documents: counts of ``col`` in ``bins`` equal bins over [lo, hi), computed in Spark.

    Values below ``lo`` are counted in the first bin and values at or above ``hi`` in the last (the plot says so);
    nulls and NaN are left out. Empty bins have no row: at most ``bins`` rows ever reach the driver.
    """
    if bins < 1 or not hi > lo:
        raise ValueError(f"histogram needs bins >= 1 and hi > lo (got {bins}, [{lo}, {hi}))")
    width = (hi - lo) / bins
    value = F.col(col).cast("double")
    index = F.least(F.greatest(F.floor((value - F.lit(lo)) / F.lit(width)), F.lit(0)), F.lit(bins - 1)).cast("int")
    return (df.where(value.isNotNull() & ~F.isnan(value))
            .groupBy(index.alias("bin")).agg(F.count(F.lit(1)).alias("documents"))
            .select("bin", (F.lit(lo) + F.col("bin") * F.lit(width)).alias("lo"),
                    (F.lit(lo) + (F.col("bin") + 1) * F.lit(width)).alias("hi"), "documents")
            .orderBy("bin"))


def latest_stage_runs(runs: DataFrame) -> DataFrame:
    """The most recent `runs` row of every stage: stage, run_id, recorded_at, seconds, top-level counts (text)."""
    w = Window.partitionBy("stage").orderBy(F.col("recorded_at").desc())
    latest = runs.withColumn("_rank", F.row_number().over(w)).where(F.col("_rank") == 1)
    # Top-level counts only: keys with a dot are breakdowns (reason.*, quarantined.*) shown in their own sections.
    top = F.filter(F.sort_array(F.map_entries("counts")), lambda e: ~e["key"].contains("."))
    counts_text = F.array_join(F.transform(top, lambda e: F.concat_ws("=", e["key"], e["value"].cast("string"))),
                               ", ")
    return latest.select("stage", "run_id", F.date_format("recorded_at", "yyyy-MM-dd HH:mm:ss").alias("recorded_at"),
                         F.round("seconds", 1).alias("seconds"), counts_text.alias("counts")).orderBy("recorded_at")


def _as_array(df: DataFrame, name: str) -> Column:
    """A reasons column as array<string>, whether the producing stage stored an array or a delimited string."""
    dtype = df.schema[name].dataType
    if isinstance(dtype, ArrayType):
        return F.col(name)
    if isinstance(dtype, StringType):
        parts = F.split(F.coalesce(F.col(name), F.lit("")), r"\s*[;,|]\s*")
        return F.filter(parts, lambda x: F.length(x) > 0)
    return F.array(F.col(name).cast("string"))
