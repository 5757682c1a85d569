"""Moderation before / after the rewrite, per category, scored in Spark by the run's moderation scorer.

The paper's headline figure is lower toxicity after rewriting (a moderation API on four categories). The report
scores the original and the rewrite of every aligned-ok pair (up to ``report.toxicity_max_docs``) with the scorer
``moderation.scorer`` selects (the packaged lexicon by default, the MLMA classifier, or an API), on the executors
(a pandas UDF; the scorer is built once per Python worker), and compares the share of documents flagged per
category. Only per-category counts and a bounded set of examples reach the driver.
"""

from __future__ import annotations

import functools
from typing import Iterator

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import BooleanType, DoubleType, StructField, StructType

from native_align.moderation.base import CATEGORIES
from native_align.moderation.config import ModerationConfig, make_scorer

RESULT_TYPE = StructType([StructField("flagged", BooleanType())]
                         + [StructField(c, DoubleType()) for c in CATEGORIES])


@functools.lru_cache(maxsize=4)
def _scorer(cfg_json: str):
    return make_scorer(ModerationConfig.model_validate_json(cfg_json))


def score_texts(texts: list[str | None], cfg: ModerationConfig) -> pd.DataFrame:
    """flagged + one score column per category (NaN where the scorer cannot score it), one row per text."""
    results = _scorer(cfg.model_dump_json()).score(list(texts))
    return pd.DataFrame([{"flagged": r.flagged, **{c: r.scores.get(c) for c in CATEGORIES}} for r in results],
                        columns=["flagged", *CATEGORIES])


def scored(df: DataFrame, text_col: str, name: str, cfg: ModerationConfig) -> DataFrame:
    """``df`` plus a struct column ``name`` (flagged, one score per category) for ``text_col``."""
    cfg_json = cfg.model_dump_json()

    @pandas_udf(RESULT_TYPE)
    def _score(batches: Iterator[pd.Series]) -> Iterator[pd.DataFrame]:
        conf = ModerationConfig.model_validate_json(cfg_json)
        for texts in batches:
            yield score_texts(texts.tolist(), conf)

    return df.withColumn(name, _score(F.col(text_col)))


def before_after(pairs: DataFrame, cfg: ModerationConfig) -> tuple[pd.DataFrame, DataFrame]:
    """(per-category table: documents flagged before / after, share; the scored frame for examples)."""
    thresholds = _scorer(cfg.model_dump_json()).thresholds
    df = scored(scored(pairs, "original_text", "before", cfg), "rewrite", "after", cfg)
    aggs = [F.count(F.lit(1)).alias("documents"),
            F.sum(F.col("before.flagged").cast("long")).alias("any_before"),
            F.sum(F.col("after.flagged").cast("long")).alias("any_after")]
    for c in CATEGORIES:
        t = float(thresholds.get(c, 0.5))
        aggs += [F.sum((F.col(f"before.{c}") >= t).cast("long")).alias(f"{c}_before"),
                 F.sum((F.col(f"after.{c}") >= t).cast("long")).alias(f"{c}_after"),
                 F.count(F.col(f"before.{c}")).alias(f"{c}_scored")]
    row = df.agg(*aggs).first().asDict()
    n = int(row["documents"] or 0)
    rows = [{"category": "any", "flagged before": int(row["any_before"] or 0),
             "flagged after": int(row["any_after"] or 0)}]
    for c in CATEGORIES:
        if row[f"{c}_scored"]:  # a category the scorer cannot score is left out, never reported as 0
            rows.append({"category": c, "flagged before": int(row[f"{c}_before"] or 0),
                         "flagged after": int(row[f"{c}_after"] or 0)})
    table = pd.DataFrame(rows)
    table["share before"] = table["flagged before"] / max(n, 1)
    table["share after"] = table["flagged after"] / max(n, 1)
    return table, df
