"""One way to get a SparkSession, wherever we run.

- On Databricks or under ``spark-submit`` a session (or its conf) already exists: we use it, and apply the Spark
  settings the config names (:func:`apply_settings`): shuffle partitions from ``conf/cluster.yaml`` must reach a
  submitted job, where the builder's conf would be ignored by ``getOrCreate``.
- In local mode (a laptop, tests) we build one with Delta configured; Delta's jars come from Maven Central through
  ``configure_spark_with_delta_pip`` and are cached in ``~/.ivy2``, or from ``spark.jars_dir`` when offline.
"""

from __future__ import annotations

import glob
import logging
import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from native_align.config import SparkConfig

log = logging.getLogger(__name__)

IVY_SETTINGS = Path(__file__).resolve().parent / "resources" / "ivysettings.xml"

DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}


def _submitted() -> bool:
    """True under spark-submit / Databricks, where the launcher already decided the conf."""
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION")) or "PYSPARK_GATEWAY_PORT" in os.environ


# Marks a local session get_spark built (see get_spark).
BUILT_HERE = "spark.native_align.local"

# SparkConfig fields that name a Spark conf, and whether a running session can take a new value.
SETTING_KEYS = {"shuffle_partitions": "spark.sql.shuffle.partitions", "driver_memory": "spark.driver.memory",
                "local_dir": "spark.local.dir"}


def requested_conf(cfg: SparkConfig) -> dict[str, str]:
    """The Spark conf the config explicitly names (profile, user file or --set): fields left at their defaults
    are not requests, so an existing session keeps its own values for them."""
    out = {SETTING_KEYS[f]: str(getattr(cfg, f)) for f in SETTING_KEYS
           if f in cfg.model_fields_set and getattr(cfg, f) is not None}
    out.update({k: str(v) for k, v in cfg.conf.items()})
    return out


def apply_settings(spark: SparkSession, cfg: SparkConfig) -> dict[str, str]:
    """Set the requested conf on a running session where Spark allows it; returns what was changed.

    Runtime (SQL and Delta) confs take effect for the next query. Static and core confs (driver memory, local
    dirs, ...) cannot change after start: a differing value is a warning naming how to set it instead."""
    changed: dict[str, str] = {}
    for key, value in requested_conf(cfg).items():
        try:
            current = spark.conf.get(key, None)
        except Exception:  # noqa: BLE001  (a conf the session refuses to read is one it will not set either)
            current = None
        if current == value:
            continue
        try:
            spark.conf.set(key, value)
        except Exception as exc:  # noqa: BLE001  (AnalysisException / Spark Connect errors: the message says why)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            log.warning("spark: %s=%s from the config not applied (the session has %s): %s; set it where the "
                        "session starts (spark-submit --conf, the cluster's Spark config)", key, value, current,
                        first[:200])
            continue
        changed[key] = value
        log.info("spark: %s=%s (was %s)", key, value, current)
    return changed


def get_spark(cfg: SparkConfig | None = None) -> SparkSession:
    """Return the active session (with the config's Spark settings applied), or build a local one with Delta."""
    cfg = cfg or SparkConfig()
    active = SparkSession.getActiveSession()
    if active is not None:
        # A session from elsewhere (Databricks, a notebook, spark-submit) gets the config's settings; one we built
        # ourselves keeps those it was built with (tests share one session across many configs).
        if active.conf.get(BUILT_HERE, "false") != "true":
            apply_settings(active, cfg)
        return active
    if _submitted():
        # spark-submit (or Databricks) passed master, jars and conf; make sure Delta is enabled, then apply ours.
        builder = SparkSession.builder.appName(cfg.app_name)
        for key, value in DELTA_CONF.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        apply_settings(spark, cfg)
        return spark

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Python workers must run the same interpreter (and so see the same packages) as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    builder = (
        SparkSession.builder.master(cfg.master)
        .appName(cfg.app_name)
        .config("spark.driver.memory", cfg.driver_memory)
        .config("spark.sql.shuffle.partitions", str(cfg.shuffle_partitions))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.databricks.delta.schema.autoMerge.enabled", "false")
        # Delta rebuilds a table's state from its log in 50 partitions by default, sized for clusters; in local
        # mode those are 50 tiny tasks on every table read. 2 halves small Delta operations (a curate run over
        # 10 documents: 45 s -> 22 s; 1 or 4 measure the same). spark.conf can still override it.
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.driver.extraJavaOptions", "-Dio.netty.tryReflectionSetAccessible=true")
        .config(BUILT_HERE, "true")
    )
    if cfg.local_dir:
        builder = builder.config("spark.local.dir", cfg.local_dir)
    for key, value in DELTA_CONF.items():
        builder = builder.config(key, value)
    for key, value in cfg.conf.items():
        builder = builder.config(key, value)

    if cfg.jars_dir:
        jars = sorted(glob.glob(os.path.join(cfg.jars_dir, "*.jar")))
        if not jars:
            raise FileNotFoundError(f"spark.jars_dir={cfg.jars_dir} holds no .jar files")
        spark = builder.config("spark.jars", ",".join(jars)).getOrCreate()
    else:
        from delta import configure_spark_with_delta_pip

        builder = builder.config("spark.jars.ivySettings", str(IVY_SETTINGS))
        spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
