# Databricks notebook source
# MAGIC %md
# MAGIC # 03 · Dedup
# MAGIC Exact dedup by `content_hash`, MinHash LSH over word 5-grams of the normalized Arabic text, optional
# MAGIC true-Jaccard verification, connected components (large-star / small-star, checkpointed) and one
# MAGIC deterministic survivor per cluster; then boilerplate lines are stripped. Writes `duplicates` and `curated`
# MAGIC (overwrite: dedup is global over the corpus). The notebook only sets parameters and calls the library
# MAGIC (`native_align.dedup`).

# COMMAND ----------

from native_align.notebook import notebook_context, settings_widgets

settings_widgets(dbutils)  # noqa: F821
dbutils.widgets.text("threshold", "0.8")  # noqa: F821
dbutils.widgets.dropdown("verify", "true", ["true", "false"])  # noqa: F821
dbutils.widgets.dropdown("survivor", "quality", ["quality", "longest", "earliest", "smallest_id"])  # noqa: F821
dbutils.widgets.text("boilerplate_min_docs", "20")  # noqa: F821

# COMMAND ----------

w = dbutils.widgets  # noqa: F821
ctx = notebook_context(spark, dbutils, [  # noqa: F821
    f"dedup.threshold={w.get('threshold')}",
    f"dedup.verify={w.get('verify')}",
    f"dedup.survivor={w.get('survivor')}",
    f"dedup.boilerplate_min_docs={w.get('boilerplate_min_docs')}",
])  # dedup.checkpoint comes from the profile (databricks: reliable, under tables.checkpoint_dir)

from native_align.spark import apply_settings  # noqa: E402

apply_settings(ctx.spark, ctx.settings.spark)  # the profile's Spark settings (shuffle partitions) here

# COMMAND ----------

from native_align.pipeline import run_pipeline

run_pipeline(ctx, ["dedup"])  # prints the counts and the checked reconciliation

# COMMAND ----------

display(ctx.tables.read("duplicates").groupBy("method", "is_survivor").count())  # noqa: F821
