"""The local session get_spark builds: Delta configured, sized for one machine, and reused once it exists."""

from native_align.config import SparkConfig
from native_align.spark import get_spark


def test_local_session_has_delta_and_local_sizes(spark, tmp_path):
    conf = spark.conf
    assert conf.get("spark.sql.extensions") == "io.delta.sql.DeltaSparkSessionExtension"
    assert conf.get("spark.sql.shuffle.partitions") == "4"  # from the SparkConfig in conftest
    assert conf.get("spark.databricks.delta.snapshotPartitions") == "2"  # not Delta's cluster-sized 50
    spark.range(3).write.format("delta").save(str(tmp_path / "t"))
    assert spark.read.format("delta").load(str(tmp_path / "t")).count() == 3
    # An existing session is returned as it is, whatever the config asks for.
    assert get_spark(SparkConfig(master="local[1]", shuffle_partitions=99)) is spark
