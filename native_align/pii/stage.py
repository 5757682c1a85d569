"""``native-align redact``: personal data out of `curated` before anything is rewritten or exported.

    curated --(mapInArrow: pii.arrow.redact_batches, per-kind policy)--> curated (text with typed placeholders)
                                                                       + `pii` (per document: counts, dropped)

Runs right after dedup, which rebuilds `curated` from `documents` on every run, so the gold table every later
stage reads (seed, pairs, rewrite, report, export) never holds what the policy redacts. Documents with a kind
whose policy is ``drop`` leave `curated` and are recorded in `pii` with ``dropped`` (the reconciliation counts
them). `pii` is merged by doc_id and only gains rows for documents that held something, so a rerun over text that is
already redacted (it finds nothing) keeps the counts of the run that redacted it.
"""

from __future__ import annotations

import logging
from functools import partial

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, IntegerType, StructField, StructType

from native_align import faults
from native_align.context import Context
from native_align.pii.arrow import redact_batches
from native_align.pii.config import PiiConfig
from native_align.pii.kinds import KINDS
from native_align.pii.redact import Policy
from native_align.pii.schema import COUNT_PREFIX, PII_SCHEMA

log = logging.getLogger(__name__)

COUNT_COLUMNS = [f"{COUNT_PREFIX}{kind}" for kind in KINDS]
DROP_COLUMN = f"{COUNT_PREFIX}drop"


def redact_frame(df: DataFrame, cfg: PiiConfig) -> DataFrame:
    """``df`` (with a ``text`` column) with ``text`` redacted, plus one count column per kind and ``pii_drop``."""
    policy = Policy.from_config(cfg)
    schema = StructType(list(df.schema.fields) + [StructField(c, IntegerType(), False) for c in COUNT_COLUMNS]
                        + [StructField(DROP_COLUMN, BooleanType(), False)])
    return df.mapInArrow(partial(redact_batches, column="text", policy=policy, prefix=COUNT_PREFIX), schema)


def run(ctx: Context) -> dict[str, int]:
    """Redact `curated` in place and merge the documents that held personal data into `pii`."""
    cfg = ctx.settings.pii
    t = ctx.tables
    if not cfg.enabled:
        log.info("redact: disabled (pii.enabled=false): curated keeps its text as it is")
        return {"pii_disabled": 1}
    if not t.exists("curated"):
        raise FileNotFoundError("redact needs the `curated` table: run ingest, curate and dedup first")
    curated = t.read("curated")
    columns = curated.columns
    # Materialized once: the new `curated`, the `pii` rows and the counts all come from the same redaction.
    redacted = redact_frame(curated, cfg).localCheckpoint()
    hits = redacted.where(sum(F.col(c) for c in COUNT_COLUMNS) > 0)
    rows = hits.select("doc_id", *COUNT_COLUMNS, F.col(DROP_COLUMN).alias("dropped"),
                       F.current_timestamp().alias("redacted_at"), F.lit(ctx.run_id).alias("run_id"))
    t.ensure("pii", PII_SCHEMA)
    t.upsert("pii", rows.select(*[F.col(f.name).cast(f.dataType) for f in PII_SCHEMA.fields]), ["doc_id"])
    faults.checkpoint("redact:after_pii")
    t.overwrite("curated", redacted.where(~F.col(DROP_COLUMN)).select(*columns))
    totals = redacted.agg(F.count(F.lit(1)).alias("docs"),
                          F.sum((sum(F.col(c) for c in COUNT_COLUMNS) > 0).cast("long")).alias("with_pii"),
                          F.sum(F.col(DROP_COLUMN).cast("long")).alias("dropped"),
                          *[F.sum(c).alias(c) for c in COUNT_COLUMNS]).first()
    counts = {"documents": int(totals["docs"]), "documents_with_pii": int(totals["with_pii"] or 0),
              "dropped": int(totals["dropped"] or 0)}
    counts.update({f"redacted.{kind}": int(totals[f"{COUNT_PREFIX}{kind}"] or 0) for kind in KINDS})
    log.info("redact: %s", counts)
    return counts
