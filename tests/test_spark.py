"""The session get_spark builds or finds, the config's Spark settings on a running session, and table locations
given as paths or URIs."""

from __future__ import annotations

import logging

import pytest
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

from native_align.config import SparkConfig, TablesConfig
from native_align.spark import apply_settings, get_spark, requested_conf
from native_align.tables import Tables


KV = StructType([StructField("k", StringType()), StructField("v", IntegerType())])


@pytest.fixture
def restore_conf(spark):
    """Put back the session-wide SQL conf a test changes (the session is shared by the whole run)."""
    keys = ("spark.sql.shuffle.partitions", "spark.databricks.delta.snapshotPartitions")
    before = {k: spark.conf.get(k) for k in keys}
    yield
    for key, value in before.items():
        spark.conf.set(key, value)


def test_local_session_has_delta_and_local_sizes(spark, tmp_path):
    conf = spark.conf
    assert conf.get("spark.sql.extensions") == "io.delta.sql.DeltaSparkSessionExtension"
    assert conf.get("spark.sql.shuffle.partitions") == "4"  # from the SparkConfig in conftest
    assert conf.get("spark.databricks.delta.snapshotPartitions") == "2"  # not Delta's cluster-sized 50
    spark.range(3).write.format("delta").save(str(tmp_path / "t"))
    assert spark.read.format("delta").load(str(tmp_path / "t")).count() == 3


def test_a_running_session_gets_the_configs_runtime_settings(spark, restore_conf, caplog):
    """What a Databricks notebook or a spark-submit job gets: SQL confs set, static ones named in a warning."""
    cfg = SparkConfig.model_validate({"master": "local[1]", "shuffle_partitions": 99, "driver_memory": "3g",
                                      "conf": {"spark.databricks.delta.snapshotPartitions": "3"}})
    with caplog.at_level(logging.WARNING, logger="native_align.spark"):
        changed = apply_settings(spark, cfg)
    assert changed == {"spark.sql.shuffle.partitions": "99", "spark.databricks.delta.snapshotPartitions": "3"}
    assert spark.conf.get("spark.sql.shuffle.partitions") == "99"
    assert spark.conf.get("spark.databricks.delta.snapshotPartitions") == "3"
    # driver memory is fixed once the JVM runs: a warning that names it, and the session keeps its own
    assert spark.conf.get("spark.driver.memory") == "2g"
    warned = [r.getMessage() for r in caplog.records]
    assert any("spark.driver.memory=3g" in m and "not applied" in m for m in warned), warned
    assert not any("shuffle" in m for m in warned)


def test_a_session_built_here_is_reused_as_it_was_built(spark, restore_conf):
    assert get_spark(SparkConfig.model_validate({"shuffle_partitions": 99})) is spark  # never a second session
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"  # tests share it across configs


def test_only_settings_the_config_names_are_applied(spark, restore_conf):
    assert requested_conf(SparkConfig()) == {}  # defaults are no request: Databricks keeps its own values
    assert apply_settings(spark, SparkConfig()) == {}
    cfg = SparkConfig.model_validate({"shuffle_partitions": 7})
    assert requested_conf(cfg) == {"spark.sql.shuffle.partitions": "7"}
    assert apply_settings(spark, cfg) == {"spark.sql.shuffle.partitions": "7"}
    assert apply_settings(spark, cfg) == {}  # already so: nothing to change
    assert spark.range(20).repartition("id").rdd.getNumPartitions() in (1, 7)  # AQE may coalesce; never 4


@pytest.mark.parametrize("root, expect", [
    ("s3a://bucket/na/tables", "s3a://bucket/na/tables/documents"),
    ("s3a://bucket/na/tables/", "s3a://bucket/na/tables/documents"),
    ("abfss://c@acct.dfs.core.windows.net/t", "abfss://c@acct.dfs.core.windows.net/t/documents"),
    ("dbfs:/Volumes/main/na/tables", "dbfs:/Volumes/main/na/tables/documents"),
    ("file:///data/tables", "file:/data/tables/documents"),  # Hadoop's qualified form (Delta compares strings)
    ("/data/tables", "/data/tables/documents"),
])
def test_table_locations_keep_uris(spark, root, expect):
    tables = Tables(spark, TablesConfig(root=root, staging_root=root + "/../staging", checkpoint_dir=root))
    assert tables.location("documents") == expect
    assert tables.checkpoint_location() == expect.rsplit("/", 1)[0]


def test_relative_roots_resolve_against_the_cwd(spark, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tables = Tables(spark, TablesConfig(root="work/tables", staging_root="work/staging"))
    assert tables.location("documents") == str(tmp_path / "work" / "tables" / "documents")
    assert tables.staging_path("rewrite/k") == str(tmp_path / "work" / "staging" / "rewrite" / "k")


def test_delta_tables_under_a_file_uri_root(spark, tmp_path):
    root = (tmp_path / "uri_tables").as_uri()
    tables = Tables(spark, TablesConfig(root=root))
    assert not tables.exists("t")
    tables.ensure("t", KV)  # CREATE TABLE ... LOCATION: one spelling of the path
    tables.ensure("t", KV)
    tables.overwrite("t", spark.createDataFrame([("a", 1), ("b", 2)], "k string, v int"))
    tables.upsert("t", spark.createDataFrame([("b", 20), ("c", 3)], "k string, v int"), ["k"])
    tables.insert_new("t", spark.createDataFrame([("a", 99), ("d", 4)], "k string, v int"), ["k"])
    assert tables.exists("t") and tables.version("t") == 3
    assert sorted(tuple(r) for r in tables.read("t").collect()) == [("a", 1), ("b", 20), ("c", 3), ("d", 4)]
    assert (tmp_path / "uri_tables" / "t" / "_delta_log").is_dir()  # on disk where the URI says
