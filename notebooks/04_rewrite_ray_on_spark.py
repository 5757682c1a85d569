# Databricks notebook source
# MAGIC %md
# MAGIC # 04 · Rewrite (Ray on Spark)
# MAGIC Starts a Ray cluster on this Spark cluster's workers (`ray.util.spark.setup_ray_cluster`), then calls the
# MAGIC library: Spark computes the work set (`curated` minus what `aligned` already has for this model + prompt
# MAGIC version), Ray Data actors rewrite it with the alignment worker on the GPUs, guardrails judge every output,
# MAGIC and each slice of `rewrite.slice_docs` documents is MERGEd into `aligned` before the next one starts.
# MAGIC Rerunning the notebook (or a job killed mid-way) only does what is missing.
# MAGIC
# MAGIC Cluster: dedicated access mode, a GPU worker type (e.g. 8 A100 per node), Databricks Runtime 18 LTS ML
# MAGIC (its own Spark, Ray and torch are kept: install the wheel without extras, docs/databricks.md). The worker
# MAGIC model is a folder on a Volume (fine-tuned by `train-worker`) or an HF id reachable from the cluster.

# COMMAND ----------

from native_align.notebook import notebook_context, settings_widgets

settings_widgets(dbutils)  # noqa: F821
dbutils.widgets.text("model", "/Volumes/main/native_align/models/worker")  # noqa: F821
dbutils.widgets.text("ray_workers", "2")  # noqa: F821
dbutils.widgets.text("gpus_per_node", "1")  # noqa: F821
dbutils.widgets.text("limit", "")  # noqa: F821
dbutils.widgets.dropdown("engine", "transformers", ["transformers", "vllm", "openai"])  # noqa: F821

# COMMAND ----------

import os

from ray.util.spark import setup_ray_cluster, shutdown_ray_cluster

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
w = dbutils.widgets  # noqa: F821
workers = int(w.get("ray_workers"))
gpus = int(w.get("gpus_per_node"))
# One Ray worker node per Spark worker; the driver (head) gets no GPU work.
address, _ = setup_ray_cluster(max_worker_nodes=workers, min_worker_nodes=workers, num_gpus_worker_node=gpus,
                               collect_log_to_path="/dbfs/tmp/native_align/ray_logs")
print("Ray cluster:", address)

# COMMAND ----------

from native_align.pipeline import run_stage

overrides = [
    f"rewrite.engine={w.get('engine')}",
    f"rewrite.transformers.model={w.get('model')}",
    f"rewrite.vllm.model={w.get('model')}",
    f"rewrite.ray.address={address}",
    f"rewrite.ray.actors={workers * gpus}",
    "rewrite.ray.num_gpus_per_actor=1",
    "rewrite.transformers.device=cuda",
]
if w.get("limit").strip():
    overrides.append(f"rewrite.limit={int(w.get('limit'))}")
ctx = notebook_context(spark, dbutils, overrides)  # noqa: F821  (the notebook's session)
from native_align.spark import apply_settings

apply_settings(ctx.spark, ctx.settings.spark)  # the profile's Spark settings (shuffle partitions) here
counts = run_stage(ctx, "rewrite")  # slice by slice (rewrite.slice_docs), each MERGEd before the next
print(counts)

# COMMAND ----------

display(ctx.tables.read("aligned").groupBy("model", "prompt_version", "status").count())  # noqa: F821

# COMMAND ----------

shutdown_ray_cluster()
