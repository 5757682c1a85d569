# Databricks notebook source
# MAGIC %md
# MAGIC # 05 · Seed, expert annotation, worker training
# MAGIC Draws the seed from `curated` (random, per-source, or by perplexity under a reference LM as in the paper's
# MAGIC seed study), has the alignment expert (an OpenAI-compatible endpoint) rewrite it into `seed_pairs`, exports
# MAGIC the pairs as chat / alpaca JSONL on a Volume, and fine-tunes the alignment worker.
# MAGIC
# MAGIC The API key is read from the environment variable named by `expert.api_key_env`: put it in a Databricks
# MAGIC secret and expose it as a cluster environment variable (`OPENAI_API_KEY={{secrets/scope/key}}`), never
# MAGIC in a widget. Reruns are cheap: annotated docs are never requested again; failed ones are retried.

# COMMAND ----------

from native_align.notebook import notebook_context, settings_widgets

settings_widgets(dbutils)  # noqa: F821
dbutils.widgets.dropdown("strategy", "perplexity", ["random", "stratified", "perplexity"])  # noqa: F821
dbutils.widgets.dropdown("ppl_mode", "high", ["high", "low", "spread"])  # noqa: F821
dbutils.widgets.text("size", "2000")  # noqa: F821
dbutils.widgets.text("expert_base_url", "")  # noqa: F821
dbutils.widgets.text("expert_model", "gpt-4o")  # noqa: F821
dbutils.widgets.text("budget_usd", "")  # noqa: F821
dbutils.widgets.text("pairs_dir", "/Volumes/main/native_align/pairs")  # noqa: F821
dbutils.widgets.text("base_model", "")  # noqa: F821  (empty: skip training here)
dbutils.widgets.text("worker_dir", "/Volumes/main/native_align/models/worker")  # noqa: F821

# COMMAND ----------

from native_align.pipeline import run_stage

w = dbutils.widgets  # noqa: F821
overrides = [f"seed.strategy={w.get('strategy')}", f"seed.ppl_mode={w.get('ppl_mode')}",
             f"seed.size={int(w.get('size'))}", f"expert.model={w.get('expert_model')}",
             f"train.pairs_dir={w.get('pairs_dir')}", f"train.output_dir={w.get('worker_dir')}"]
if w.get("expert_base_url").strip():
    overrides.append(f"expert.base_url={w.get('expert_base_url').strip()}")
if w.get("budget_usd").strip():
    overrides.append(f"expert.budget_usd={float(w.get('budget_usd'))}")
if w.get("base_model").strip():
    overrides.append(f"train.base_model={w.get('base_model').strip()}")
ctx = notebook_context(spark, dbutils, overrides)  # noqa: F821  (the notebook's session)
settings = ctx.settings
from native_align.spark import apply_settings

apply_settings(ctx.spark, ctx.settings.spark)  # the profile's Spark settings (shuffle partitions) here

# COMMAND ----------

print(run_stage(ctx, "seed"))
display(ctx.tables.read("seed").groupBy("strategy", "stratum").count())  # noqa: F821

# COMMAND ----------

print(run_stage(ctx, "annotate"))  # {"skipped": 1} when expert_base_url is empty

# COMMAND ----------

if ctx.tables.exists("seed_pairs"):
    pairs = ctx.tables.read("seed_pairs")
    display(pairs.groupBy("model", "prompt_version", "status").agg(  # noqa: F821
        {"cost_usd": "sum", "prompt_tokens": "sum", "completion_tokens": "sum", "doc_id": "count"}))

# COMMAND ----------

from native_align.train.export_pairs import run as export_pairs

if ctx.tables.exists("seed_pairs"):
    print(export_pairs(ctx))

# COMMAND ----------

# MAGIC %md
# MAGIC Training runs on this cluster's driver: a single-node GPU cluster. With `train.distributed: ddp` (the
# MAGIC databricks profile) it relaunches itself under torchrun, one process per GPU; rank 0 saves the worker.

# COMMAND ----------

from native_align.train.trainer import main as train_worker_main

if settings.train.base_model:
    profile, config = w.get("profile"), w.get("config")
    argv = ["--profile", profile, *(["--config", config] if config else []),
            *[x for o in [*overrides, *w.get("overrides").splitlines()] if o.strip() for x in ("--set", o.strip())]]
    assert train_worker_main(argv) == 0
