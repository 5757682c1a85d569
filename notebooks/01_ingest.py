# Databricks notebook source
# MAGIC %md
# MAGIC # 01 · Ingest
# MAGIC Reads the raw corpora listed in `ingest.sources` into the `documents` table; malformed records go to
# MAGIC `quarantine` with a named reason. Re-running adds nothing new. Settings: `conf/<profile>.yaml`, an optional
# MAGIC YAML file, and `section.key=value` overrides (one per line).

# COMMAND ----------

dbutils.widgets.text("profile", "databricks", "profile")
dbutils.widgets.text("config", "", "config file (optional)")
dbutils.widgets.text("overrides", "", "overrides, one section.key=value per line")

# COMMAND ----------

from native_align.config import load_settings
from native_align.context import Context
from native_align.pipeline import run_stage
from native_align.runs import reconcile

settings = load_settings(
    dbutils.widgets.get("profile"),
    dbutils.widgets.get("config") or None,
    [line.strip() for line in dbutils.widgets.get("overrides").splitlines() if line.strip()],
)
ctx = Context.create(settings, spark=spark)
counts = run_stage(ctx, "ingest")
counts

# COMMAND ----------

print(reconcile(ctx).render())
display(ctx.tables.read("quarantine").groupBy("source", "reason").count().orderBy("source", "reason"))
