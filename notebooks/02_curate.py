# Databricks notebook source
# MAGIC %md
# MAGIC # 02 · Curate
# MAGIC Language ID and quality signals for every row of `documents` into the `signals` table (keep + reasons),
# MAGIC then the reconciliation: ingested = kept + rejected + duplicates + quarantined.

# COMMAND ----------

from native_align.notebook import notebook_context, settings_widgets

settings_widgets(dbutils)  # noqa: F821

# COMMAND ----------

from native_align.pipeline import run_pipeline
from native_align.spark import apply_settings

ctx = notebook_context(spark, dbutils)  # noqa: F821
apply_settings(ctx.spark, ctx.settings.spark)  # the profile's Spark settings (shuffle partitions) here
run_pipeline(ctx, ["curate"])  # prints the counts and the checked reconciliation
