"""What every stage runner receives: settings, the Spark session, the tables, and the run's id."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field, replace

from pyspark.sql import SparkSession

from native_align.settings import Settings
from native_align.spark import get_spark
from native_align.tables import Tables

log = logging.getLogger("native_align")


def new_run_id() -> str:
    """Identifies one invocation in the `runs` table (never used to derive document ids)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


@dataclass
class Context:
    settings: Settings
    spark: SparkSession
    tables: Tables
    run_id: str = field(default_factory=new_run_id)

    @classmethod
    def create(cls, settings: Settings, spark: SparkSession | None = None) -> "Context":
        spark = spark or get_spark(settings.spark)
        return cls(settings=settings, spark=spark, tables=Tables(spark, settings.tables))

    def new_run(self) -> "Context":
        """The same settings, session and tables under a fresh run id: one more invocation (stages count what
        their run committed, by run id, so running a stage again must not reuse the id)."""
        return replace(self, run_id=new_run_id())
