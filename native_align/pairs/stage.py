"""``native-align pairs``: training pairs without an expert, from curated documents and the noise model.

    curated (quality_score >= pairs.min_quality)
      -> paragraph chunks within the token budget            (pairs/chunks.py)
      -> per chunk: the noisy source, the clean target        (pairs/noise/, seeded by pair id)
      -> `noise_pairs` (overwritten: a pure function of `curated` and the settings)

Documents are split by a hash of their id into training and held-out ones (``pairs.heldout_fraction``). A held-out
document's chunks are the evaluation set of ``native-align eval worker``, a third each left clean (do no harm),
noised with training templates (new documents and seeds) and with held-out templates (rules, not strings). The
chunking and noise run on the executors (``mapInArrow``), so a corpus of any size never passes through the driver.
"""

from __future__ import annotations

import json
import logging
from typing import Iterator

import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import StructType

from native_align.context import Context
from native_align.counts import outcome_counts
from native_align.pairs.chunks import chunk_document
from native_align.pairs.config import PairsConfig
from native_align.pairs.noise.model import NoiseModel, derive_seed, document_split
from native_align.pairs.schema import NOISE_MODEL, NOISE_PAIRS_SCHEMA, ORIGIN
from native_align.text.normalize import content_hash

log = logging.getLogger(__name__)

# What the executors emit; the stage adds the bookkeeping columns (model, status, timestamps, run id) in Spark.
KERNEL_COLUMNS = ("pair_id", "doc_id", "chunk_index", "split", "templates", "original", "rewrite", "content_hash",
                  "families", "injections", "noise_seed")
KERNEL_SCHEMA = StructType([NOISE_PAIRS_SCHEMA[c] for c in KERNEL_COLUMNS])
POOLS = ("clean", "train", "heldout")


def noise_version(cfg: PairsConfig) -> str:
    """``noise-<hash of the settings>``: the `prompt_version` of every pair, so two noise settings never mix."""
    return f"noise-{derive_seed(cfg.model_dump_json()) & 0xFFFFFFFF:08x}"


def template_pool(pair_id: str, split: str) -> str:
    """Training documents draw training templates; held-out ones a third each of clean / train / held-out."""
    return "train" if split == "train" else POOLS[derive_seed("pool", pair_id) % 3]


def pairs_of(doc_id: str, text: str, model: NoiseModel, cfg: PairsConfig) -> Iterator[dict]:
    """Every pair of one document (plain values: what an executor emits)."""
    c = cfg.chunk
    split = document_split(doc_id, cfg.heldout_fraction)
    chunks = chunk_document(text or "", c.max_tokens, c.min_tokens, c.min_words, c.require_sentence_end,
                            chars_per_token=c.chars_per_token)
    for k, chunk in enumerate(chunks):
        pair_id = f"{doc_id}#{k}"
        pool = template_pool(pair_id, split)
        if pool == "clean":
            source, target, families, injections = chunk.strip(), chunk.strip(), [], []
        else:
            pair = model.apply(chunk, pair_id, pool)
            source, target = pair.source, pair.target
            families, injections = list(pair.families), [i.to_dict() for i in pair.injections]
        yield {"pair_id": pair_id, "doc_id": doc_id, "chunk_index": k, "split": split,
               "templates": "clean" if not injections else pool, "original": source, "rewrite": target,
               "content_hash": content_hash(target), "families": families,
               "injections": json.dumps(injections, ensure_ascii=False), "noise_seed": str(cfg.seed)}


def make_pairs(curated: DataFrame, cfg: PairsConfig) -> DataFrame:
    """`curated`-shaped rows (doc_id, text) -> KERNEL_SCHEMA rows, chunked and noised on the executors."""
    cfg = cfg.model_copy()  # a plain picklable snapshot travels to the workers
    arrow_schema = to_arrow_schema(KERNEL_SCHEMA)

    def _run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = NoiseModel(cfg)
        for batch in batches:
            rows = [row for doc_id, text in zip(batch.column("doc_id").to_pylist(), batch.column("text").to_pylist())
                    for row in pairs_of(doc_id, text, model, cfg)]
            if rows:
                yield pa.RecordBatch.from_pylist(rows, schema=arrow_schema)

    return curated.select("doc_id", "text").mapInArrow(_run, KERNEL_SCHEMA)


def cap(pairs: DataFrame, split: str, limit: int | None, seed: int) -> DataFrame:
    """At most ``limit`` pairs of ``split``, the first by hash of (seed, pair id): a stable, spread-out subset."""
    part = pairs.where(F.col("split") == split)
    if limit is None:
        return part
    return part.orderBy(F.xxhash64(F.lit(seed), F.col("pair_id")), "pair_id").limit(limit)


def to_table(pairs: DataFrame, version: str, run_id: str) -> DataFrame:
    """Kernel rows -> NOISE_PAIRS_SCHEMA (the seed_pairs columns filled as for a free, always-ok "expert")."""
    filled = (pairs.withColumn("model", F.lit(NOISE_MODEL)).withColumn("prompt_version", F.lit(version))
              .withColumn("status", F.lit("ok")).withColumn("reasons", F.array().cast("array<string>"))
              .withColumn("prompt_tokens", F.lit(0).cast("long")).withColumn("completion_tokens", F.lit(0).cast("long"))
              .withColumn("cost_usd", F.lit(0.0)).withColumn("attempts", F.lit(0))
              .withColumn("finish_reason", F.lit("stop")).withColumn("annotated_at", F.current_timestamp())
              .withColumn("run_id", F.lit(run_id)).withColumn("origin", F.lit(ORIGIN)))
    return filled.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in NOISE_PAIRS_SCHEMA.fields])


def run(ctx: Context) -> dict[str, int]:
    """Chunk and noise `curated` into `noise_pairs` (overwrite); counts per split, template pool and family."""
    cfg = ctx.settings.pairs
    if not cfg.enabled:
        log.info("pairs: disabled (pairs.enabled=false)")
        return {"pairs_disabled": 1}
    t = ctx.tables
    if not t.exists("curated"):
        raise FileNotFoundError("pairs needs the `curated` table: run ingest, curate and dedup first")
    curated = t.read("curated").where(F.col("quality_score") >= F.lit(cfg.min_quality))
    made = make_pairs(curated, cfg).persist()
    try:
        chosen = cap(made, "train", cfg.max_pairs, cfg.seed).unionByName(
            cap(made, "heldout", cfg.max_heldout_pairs, cfg.seed))
        t.overwrite("noise_pairs", to_table(chosen, noise_version(cfg), ctx.run_id))
    finally:
        made.unpersist()
    written = t.read("noise_pairs")
    counts = {"documents": curated.count(), "pairs": written.count()}
    counts.update({f"split.{k}": v for k, v in outcome_counts(written, "split").items()})
    counts.update({f"templates.{k}": v for k, v in
                   outcome_counts(written.where(F.col("split") == "heldout"), "templates").items()})
    counts.update(outcome_counts(written.select(F.lit("x").alias("x"), "families"), "x", "families",
                                 reason_prefix="family."))
    counts.pop("x", None)
    log.info("pairs: %s (version %s)", counts, noise_version(cfg))
    return counts
