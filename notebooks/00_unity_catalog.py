# Databricks notebook source
# MAGIC %md
# MAGIC # 00 · Unity Catalog: schema, volumes and the run's config
# MAGIC What the other notebooks and the bundle's job (`databricks.yml`) need before the first stage: the schema that
# MAGIC holds the Delta tables (`tables.catalog_prefix`), managed volumes for staging, checkpoints, training pairs,
# MAGIC worker models, the report and the export, and `config/run.yaml` on a volume: the catalog's paths and the raw
# MAGIC corpus as `ingest.sources` (written once: edit it there; a rerun keeps it). Every statement is `IF NOT EXISTS`:
# MAGIC rerunning changes nothing that exists.
# MAGIC
# MAGIC Needs: a dedicated (single user) cluster on Databricks Runtime 18 LTS; `USE CATALOG` and `CREATE SCHEMA` on the
# MAGIC catalog (or an existing schema with `CREATE VOLUME` and `CREATE TABLE`); an external location that lets you
# MAGIC `READ FILES` from the corpus URI. docs/databricks.md lists the grants.

# COMMAND ----------

dbutils.widgets.text("catalog", "main")  # noqa: F821
dbutils.widgets.text("schema", "native_align")  # noqa: F821
dbutils.widgets.text("source", "s3://my-bucket/arabic-corpus/")  # noqa: F821
FORMATS = ["parquet", "jsonl", "csv", "text", "warc", "wet", "auto"]
dbutils.widgets.dropdown("source_format", "parquet", FORMATS)  # noqa: F821
dbutils.widgets.text("text_field", "text")  # noqa: F821
dbutils.widgets.text("id_field", "id")  # noqa: F821
dbutils.widgets.text("config_path", "")  # noqa: F821  (empty: /Volumes/<catalog>/<schema>/config/run.yaml)

# COMMAND ----------

import re

w = dbutils.widgets  # noqa: F821
catalog, schema = w.get("catalog").strip(), w.get("schema").strip()
for name in (catalog, schema):
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"catalog and schema must be plain identifiers, got {name!r}")
VOLUMES = ("config", "staging", "checkpoints", "pairs", "models", "report", "export")
statements = [f"CREATE SCHEMA IF NOT EXISTS `{catalog}`.`{schema}` "
              "COMMENT 'native-align: Delta tables of the pipeline'"]
statements += [f"CREATE VOLUME IF NOT EXISTS `{catalog}`.`{schema}`.`{v}`" for v in VOLUMES]
for sql in statements:
    spark.sql(sql)  # noqa: F821
print("\n".join(statements))

# COMMAND ----------

import yaml

root = f"/Volumes/{catalog}/{schema}"
run_config = {
    "tables": {"mode": "catalog", "catalog_prefix": f"{catalog}.{schema}", "staging_root": f"{root}/staging",
               "checkpoint_dir": f"{root}/checkpoints"},
    "ingest": {"sources": [{"name": "corpus", "path": w.get("source").strip(), "format": w.get("source_format"),
                            "text_field": w.get("text_field").strip(), "id_field": w.get("id_field").strip() or None}]},
    "train": {"pairs_dir": f"{root}/pairs", "output_dir": f"{root}/models/worker"},
    "rewrite": {"transformers": {"model": f"{root}/models/worker"}},
    "report": {"output_dir": f"{root}/report"},
    "export": {"output_dir": f"{root}/export"},
}
import os  # noqa: E402

config_path = w.get("config_path").strip() or f"{root}/config/run.yaml"
if os.path.exists(config_path):
    print(f"{config_path} exists: kept as it is")
else:
    with open(config_path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(run_config, fh, allow_unicode=True, sort_keys=False)

from native_align.settings import load_settings  # noqa: E402

settings = load_settings("databricks", config_path)  # the file must validate before any stage reads it
print(f"{config_path}: tables {settings.tables.catalog_prefix}, source {settings.ingest.sources[0].path}")
