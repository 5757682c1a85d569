"""A thin, typed facade over the Delta tables of one run.

Stages never build paths or names themselves: they ask :class:`Tables` for a table by its logical name
(``documents``, ``signals``, ...). In path mode a table is a Delta folder under ``tables.root``, a local path or
any URI Hadoop reads (``s3a://``, ``abfss://``, ``file://``, ``dbfs:/Volumes/...``); on Databricks it is
``<catalog_prefix>.<name>`` in Unity Catalog. Relative paths are resolved against the cwd; URIs go to Spark as
given (``native_align.storage.spark_location``), so ``s3a://bucket/x`` never becomes ``<cwd>/s3a:/bucket/x``.
"""

from __future__ import annotations

from typing import Iterable

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import StructType

from native_align import storage
from native_align.config import TablesConfig


class Tables:
    """Read, write and merge the project's Delta tables by logical name."""

    def __init__(self, spark: SparkSession, cfg: TablesConfig | None = None):
        self.spark = spark
        self.cfg = cfg or TablesConfig()

    # -- naming -----------------------------------------------------------------------------------------------
    def location(self, name: str) -> str:
        """Delta path (path mode) or fully qualified table name (catalog mode)."""
        if self.cfg.mode == "catalog":
            return f"{self.cfg.catalog_prefix}.{name}"
        return storage.join(storage.spark_location(self.cfg.root), name)

    def staging_path(self, name: str) -> str:
        """A folder under ``tables.staging_root`` (Spark writes it; Ray and plain Python read it via storage)."""
        return storage.join(storage.spark_location(self.cfg.staging_root), name)

    def checkpoint_location(self) -> str:
        """``tables.checkpoint_dir`` as Spark's ``setCheckpointDir`` must receive it (reliable checkpoints)."""
        return storage.spark_location(self.cfg.checkpoint_dir)

    # -- reading ----------------------------------------------------------------------------------------------
    def exists(self, name: str) -> bool:
        if self.cfg.mode == "catalog":
            return self.spark.catalog.tableExists(self.location(name))
        return DeltaTable.isDeltaTable(self.spark, self.location(name))

    def read(self, name: str, version: int | None = None) -> DataFrame:
        """The table as a DataFrame; ``version`` reads an older snapshot (Delta time travel)."""
        if not self.exists(name):
            raise FileNotFoundError(f"Delta table '{name}' does not exist yet at {self.location(name)}; "
                                    f"run the stage that writes it first")
        if self.cfg.mode == "catalog":
            reader = self.spark.read
            if version is not None:
                reader = reader.option("versionAsOf", version)
            return reader.table(self.location(name))
        reader = self.spark.read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        return reader.load(self.location(name))

    def read_or_empty(self, name: str, schema: StructType) -> DataFrame:
        return self.read(name) if self.exists(name) else self.spark.createDataFrame([], schema)

    def delta(self, name: str) -> DeltaTable:
        if self.cfg.mode == "catalog":
            return DeltaTable.forName(self.spark, self.location(name))
        return DeltaTable.forPath(self.spark, self.location(name))

    def version(self, name: str) -> int:
        return int(self.delta(name).history(1).select("version").first()[0])

    # -- writing ----------------------------------------------------------------------------------------------
    def ensure(self, name: str, schema: StructType, partition_by: Iterable[str] = ()) -> None:
        """Create an empty table with ``schema`` when it does not exist yet."""
        if self.exists(name):
            return
        builder = DeltaTable.createIfNotExists(self.spark).addColumns(schema)
        builder = builder.tableName(self.location(name)) if self.cfg.mode == "catalog" \
            else builder.location(self.location(name))
        if partition_by:
            builder = builder.partitionedBy(*partition_by)
        builder.execute()

    def _writer(self, df: DataFrame, mode: str):
        return df.write.format("delta").mode(mode)

    def _save(self, writer, name: str) -> None:
        if self.cfg.mode == "catalog":
            writer.saveAsTable(self.location(name))
        else:
            writer.save(self.location(name))

    def overwrite(self, name: str, df: DataFrame) -> None:
        """Replace the table's contents (and schema) with ``df``."""
        self._save(self._writer(df, "overwrite").option("overwriteSchema", "true"), name)

    def append(self, name: str, df: DataFrame) -> None:
        self._save(self._writer(df, "append"), name)

    def insert_new(self, name: str, df: DataFrame, keys: list[str]) -> None:
        """Insert rows whose ``keys`` are not in the table yet: re-running the same input adds nothing."""
        if not self.exists(name):
            self.overwrite(name, df)
            return
        cond = " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)
        (self.delta(name).alias("t").merge(df.alias("s"), cond).whenNotMatchedInsertAll().execute())

    def upsert(self, name: str, df: DataFrame, keys: list[str]) -> None:
        """MERGE ``df`` into the table by ``keys``: update matches, insert the rest."""
        if not self.exists(name):
            self.overwrite(name, df)
            return
        cond = " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)
        (self.delta(name).alias("t").merge(df.alias("s"), cond)
         .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())
