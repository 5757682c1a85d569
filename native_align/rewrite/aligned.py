"""Reading the `aligned` table: which row of a document counts, for the report and the export alike."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F


def select_aligned(aligned: DataFrame, model: str | None = None, prompt_version: str | None = None) -> DataFrame:
    """One `aligned` row per document: of ``model``/``prompt_version`` when given, else the latest one.

    `aligned` is keyed by (doc_id, model, prompt_version), so a corpus rewritten twice holds two rows per
    document; every statistic and the export must agree on which one counts.
    """
    df = aligned
    if model is not None:
        df = df.where(F.col("model") == model)
    if prompt_version is not None:
        df = df.where(F.col("prompt_version") == prompt_version)
    order = [F.col("created_at").desc_nulls_last(), F.col("model"), F.col("prompt_version")]
    w = Window.partitionBy("doc_id").orderBy(*order)
    return df.withColumn("_rank", F.row_number().over(w)).where(F.col("_rank") == 1).drop("_rank")
