# Databricks notebook source
# MAGIC %md
# MAGIC # 02 · Curate
# MAGIC Language ID and quality signals for every row of `documents` into the `signals` table (keep + reasons),
# MAGIC then the reconciliation: ingested = kept + rejected + duplicates + quarantined.

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
counts = run_stage(ctx, "curate")
counts

# COMMAND ----------

recon = reconcile(ctx)
print(recon.render())
recon.check()
