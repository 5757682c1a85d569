# Databricks notebook source
# MAGIC %md
# MAGIC # 01 · Ingest
# MAGIC Reads the raw corpora listed in `ingest.sources` into the `documents` table; malformed records go to
# MAGIC `quarantine` with a named reason. Re-running adds nothing new. Settings: `conf/<profile>.yaml`, an optional
# MAGIC YAML file, and `section.key=value` overrides (one per line).

# COMMAND ----------

from native_align.notebook import notebook_context, settings_widgets

settings_widgets(dbutils)  # noqa: F821

# COMMAND ----------

from native_align.pipeline import run_pipeline
from native_align.spark import apply_settings

ctx = notebook_context(spark, dbutils)  # noqa: F821
apply_settings(ctx.spark, ctx.settings.spark)  # the profile's Spark settings (shuffle partitions) here
run_pipeline(ctx, ["ingest"])  # prints the counts and the checked reconciliation

# COMMAND ----------

display(ctx.tables.read("quarantine").groupBy("source", "reason").count().orderBy("source", "reason"))  # noqa: F821
