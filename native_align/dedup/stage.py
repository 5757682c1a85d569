"""The dedup stage: documents kept by curate -> `duplicates` (every member of every cluster) and `curated` (gold).

Dedup is global: a document's duplicates can be anywhere in the corpus, so each run reads every kept document
and *overwrites* both tables (an incremental run would need the old signatures and clusters to be merged; at
our sizes a full run is simpler and always consistent). Invariant checked by ``runs.reconcile``:
curated + non-survivors = kept by curate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align import faults
from native_align.context import Context
from native_align.dedup.boilerplate import boilerplate_positions, line_hashes, min_docs_for, strip_boilerplate
from native_align.dedup.candidates import bucket_edges, counted, verify_edges
from native_align.dedup.components import connected_components
from native_align.dedup.config import DedupConfig
from native_align.dedup.exact import exact_edges, exact_groups, representatives
from native_align.dedup.minhash import LshParams
from native_align.dedup.schema import CURATED_COLUMNS, DUPLICATES_SCHEMA, EDGES_SCHEMA
from native_align.dedup.signatures import band_rows, compute_signatures
from native_align.dedup.survivors import duplicates_table

log = logging.getLogger(__name__)


@dataclass
class DedupResult:
    """A frame (duplicates, or edges), the figures counted on the way and the frames cached to compute it, released
    by :meth:`release` once the frame is written.

    The figures come from Spark accumulators filled by the passes that do the work (no job only counts), so
    :attr:`stats` is complete once the frame's jobs have run (``find_duplicates`` runs the components eagerly);
    a retried task can count twice: they are diagnostics, not the reconciliation figures."""

    duplicates: DataFrame
    counters: dict = field(default_factory=dict)
    cached: list[DataFrame] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, int]:
        return {name: int(acc.value) for name, acc in self.counters.items()}

    def release(self) -> None:
        for df in self.cached:
            df.unpersist()


def input_documents(documents: DataFrame, signals: DataFrame) -> DataFrame:
    """Documents that curate kept, with the signals dedup needs (lang, quality_score)."""
    kept = signals.where(F.col("keep")).select("doc_id", "lang", "quality_score")
    return documents.join(kept, "doc_id")


def fuzzy_edges(reps: DataFrame, cfg: DedupConfig, counters: dict) -> tuple[DataFrame, list[DataFrame]]:
    """MinHash LSH candidates among exact-group representatives, verified by true Jaccard when configured.

    Returns the edges (``src``, ``dst``) and the frames cached on the way (the caller releases them once the
    edges are consumed). Shuffles: signatures by doc_id once (so both verification joins reuse it), band rows to
    buckets, distinct candidates, and the candidates twice (to each end's verification keys)."""
    params = LshParams.from_config(cfg)
    log.info("dedup: MinHash %d perms, %d bands x %d rows (P(candidate | J=%.2f) = %.3f), %s %d-grams",
             params.num_perm, params.bands, params.rows, cfg.threshold,
             params.candidate_probability(cfg.threshold), params.shingle, params.ngram)
    sc = reps.sparkSession.sparkContext
    for name in ("signatures", "candidate_pairs") + (("verified_pairs",) if cfg.verify else ()):
        counters[name] = sc.accumulator(0)
    sigs = compute_signatures(reps, params, keep_shingles=cfg.verify, counter=counters["signatures"])
    if cfg.verify:
        sigs = sigs.repartition("doc_id")
    sigs = sigs.persist(StorageLevel.MEMORY_AND_DISK)
    cand = bucket_edges(band_rows(sigs), cfg.bucket_pair_cap if cfg.verify else None, cfg.bucket_pivots)
    if not cfg.verify:
        return counted(cand, counters["candidate_pairs"]), [sigs]
    verified = verify_edges(cand, sigs, cfg.threshold, counters).persist(StorageLevel.MEMORY_AND_DISK)
    return verified.select("src", "dst"), [sigs, verified]


def find_duplicates(docs: DataFrame, cfg: DedupConfig, checkpoint: str | None = None) -> DedupResult:
    """Kept documents -> DUPLICATES_SCHEMA rows for every document in a cluster of size >= 2."""
    result = DedupResult(duplicates=docs.sparkSession.createDataFrame([], DUPLICATES_SCHEMA))
    if not cfg.enabled:
        return result
    groups = exact_groups(docs).persist(StorageLevel.MEMORY_AND_DISK)
    result.cached.append(groups)
    edges = exact_edges(groups)
    if cfg.fuzzy:
        fuzzy, cached = fuzzy_edges(representatives(docs, groups), cfg, result.counters)
        result.cached.extend(cached)
        edges = edges.unionByName(fuzzy)
    components = connected_components(edges.select(*EDGES_SCHEMA.fieldNames()), cfg.max_iterations,
                                      checkpoint or cfg.checkpoint, cfg.local_max_edges)
    result.duplicates = duplicates_table(components, docs, cfg.survivor)
    return result


def build_curated(docs: DataFrame, duplicates: DataFrame, cfg: DedupConfig) -> tuple[DataFrame, int | None]:
    """Kept documents minus non-survivors, boilerplate lines removed, in the `curated` columns; plus the number of
    documents a line must appear in to count as boilerplate (None when boilerplate removal is off)."""
    removed = duplicates.where(~F.col("is_survivor")).select("doc_id")
    kept = docs.join(removed, "doc_id", "left_anti")
    min_docs = None
    if cfg.boilerplate:
        min_docs = min_docs_for(kept.count(), cfg.boilerplate_min_docs, cfg.boilerplate_min_fraction)
        kept = strip_boilerplate(kept, boilerplate_positions(line_hashes(kept, cfg.boilerplate_min_words),
                                                             min_docs))
    else:
        kept = kept.withColumn("boilerplate_lines_removed", F.lit(0))
    curated = (kept.withColumn("n_chars", F.length("text").cast("long"))
               .withColumn("boilerplate_lines_removed", F.col("boilerplate_lines_removed").cast("int"))
               .select(*CURATED_COLUMNS))
    return curated, min_docs


def run(ctx: Context) -> dict[str, int]:
    """Read documents ⨝ signals (keep), write `duplicates` and `curated` (overwrite), return counts."""
    cfg = ctx.settings.dedup
    if cfg.checkpoint == "reliable":
        ctx.spark.sparkContext.setCheckpointDir(ctx.settings.tables.checkpoint_dir)
    docs = input_documents(ctx.tables.read("documents"), ctx.tables.read("signals")) \
        .persist(StorageLevel.MEMORY_AND_DISK)
    stats: dict[str, int] = {"input_docs": docs.count()}
    result = find_duplicates(docs, cfg)
    try:
        faults.checkpoint("dedup:before_commit")
        ctx.tables.overwrite("duplicates", result.duplicates)
        stats.update(result.stats)
        dups = ctx.tables.read("duplicates")
        summary = dups.agg(F.count(F.lit(1)).alias("in_clusters"),
                           F.sum(F.col("is_survivor").cast("long")).alias("clusters"),
                           F.sum((~F.col("is_survivor") & (F.col("method") == "exact")).cast("long")).alias("ex"),
                           F.sum((~F.col("is_survivor") & (F.col("method") == "fuzzy")).cast("long")).alias("fz"),
                           F.max("cluster_size").alias("largest")).first()
        stats.update({"docs_in_clusters": int(summary["in_clusters"] or 0), "clusters": int(summary["clusters"] or 0),
                      "exact_duplicates": int(summary["ex"] or 0), "fuzzy_duplicates": int(summary["fz"] or 0),
                      "largest_cluster": int(summary["largest"] or 0)})
        stats["duplicates_removed"] = stats["exact_duplicates"] + stats["fuzzy_duplicates"]
        curated, min_docs = build_curated(docs, dups, cfg)
        if min_docs is not None:
            stats["boilerplate_min_docs"] = min_docs
        faults.checkpoint("dedup:after_duplicates")
        ctx.tables.overwrite("curated", curated)
        written = ctx.tables.read("curated").agg(
            F.count(F.lit(1)).alias("n"), F.sum("boilerplate_lines_removed").alias("lines"),
            F.sum((F.col("boilerplate_lines_removed") > 0).cast("long")).alias("docs")).first()
        stats.update({"curated": int(written["n"]), "boilerplate_lines_removed": int(written["lines"] or 0),
                      "boilerplate_docs": int(written["docs"] or 0)})
    finally:
        result.release()
        docs.unpersist()
    log.info("dedup: %s", stats)
    return stats
