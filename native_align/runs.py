"""The `runs` table and the reconciliation every run prints: no row is ever lost.

    ingested = kept + rejected + duplicates + quarantined

where *ingested* counts every raw record seen (documents + quarantine), *rejected* are documents curate turned
down (with reasons), *duplicates* are non-survivors of dedup (with their cluster), and *kept* is the curated
table (or, before dedup has run, the documents curate kept).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pyspark.sql import functions as F
from pyspark.sql.types import (DoubleType, LongType, MapType, StringType, StructField, StructType,
                               TimestampType)

RUNS_SCHEMA = StructType([
    StructField("run_id", StringType(), False),
    StructField("stage", StringType(), False),
    StructField("recorded_at", TimestampType(), False),
    StructField("seconds", DoubleType(), True),
    StructField("counts", MapType(StringType(), LongType()), True),
])


class ReconciliationError(AssertionError):
    """The counts of the tables do not add up: some rows were lost or double counted."""


def record_stage(ctx, stage: str, counts: dict, seconds: float) -> None:
    """Append one row per stage execution to the `runs` table."""
    clean = {str(k): int(v) for k, v in (counts or {}).items() if isinstance(v, (int, bool)) or hasattr(v, "__int__")}
    row = (ctx.run_id, stage, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), float(seconds), clean)
    ctx.tables.append("runs", ctx.spark.createDataFrame([row], RUNS_SCHEMA))


@dataclass
class Reconciliation:
    ingested: int = 0
    quarantined: int = 0
    documents: int = 0
    curated_docs: int | None = None  # rows in `signals`
    rejected: int | None = None
    kept_by_curate: int | None = None
    duplicates: int | None = None
    # Documents the PII policy dropped from `curated` (a kind whose policy is `drop`); 0 with the default policy.
    pii_dropped: int = 0
    kept: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        rows = [("ingested (records seen)", self.ingested), ("quarantined", self.quarantined),
                ("documents", self.documents)]
        if self.rejected is not None:
            rows += [("rejected by curate", self.rejected), ("kept by curate", self.kept_by_curate)]
        if self.duplicates is not None:
            rows += [("duplicates removed", self.duplicates)]
            if self.pii_dropped:
                rows += [("dropped for personal data", self.pii_dropped)]
            rows += [("kept (curated)", self.kept)]
        width = max(len(r[0]) for r in rows)
        lines = ["reconciliation", "-" * (width + 14)]
        lines += [f"{name:<{width}}  {value:>12,}" for name, value in rows]
        if self.rejected is not None:
            kept = self.kept if self.kept is not None else self.kept_by_curate
            dups = self.duplicates or 0
            pii = f"{self.pii_dropped:,} dropped for personal data + " if self.pii_dropped else ""
            lines.append(f"check: {self.ingested:,} = {kept:,} kept + {self.rejected:,} rejected + {dups:,} "
                         f"duplicates + {pii}{self.quarantined:,} quarantined -> {'OK' if self.ok else 'MISMATCH'}")
        for problem in self.problems:
            lines.append(f"PROBLEM: {problem}")
        return "\n".join(lines)

    def check(self) -> None:
        if self.problems:
            raise ReconciliationError("; ".join(self.problems))


def _check_ingest_history(t, r: Reconciliation) -> None:
    """Ingest only ever inserts: the rows its recorded runs added must all still be in the tables.

    Without this, a row deleted from `documents` would go unnoticed (ingested is counted from the tables).
    Only runs recorded through ``pipeline.run_stage`` are in `runs`; without any, there is nothing to compare.
    """
    if not t.exists("runs"):
        return
    added = (t.read("runs").where(F.col("stage") == "ingest")
             .agg(F.sum(F.col("counts")["documents_added"]).alias("docs"),
                  F.sum(F.col("counts")["quarantined_added"]).alias("quar"),
                  F.count(F.lit(1)).alias("n")).first())
    if not added or not added["n"]:
        return
    for table, have, want in (("documents", r.documents, added["docs"]), ("quarantine", r.quarantined, added["quar"])):
        if want is not None and have != want:
            r.problems.append(f"{table} has {have:,} rows but recorded ingest runs added {int(want):,}")


def reconcile(ctx) -> Reconciliation:
    """Count every table that exists and check the conservation invariant."""
    t = ctx.tables
    r = Reconciliation()
    r.quarantined = t.read("quarantine").count() if t.exists("quarantine") else 0
    r.documents = t.read("documents").count() if t.exists("documents") else 0
    r.ingested = r.documents + r.quarantined
    _check_ingest_history(t, r)
    if not t.exists("signals"):
        return r
    sig = t.read("signals").groupBy("keep").count().collect()
    by_keep = {row["keep"]: row["count"] for row in sig}
    r.kept_by_curate = int(by_keep.get(True, 0))
    r.rejected = int(by_keep.get(False, 0))
    r.curated_docs = r.kept_by_curate + r.rejected
    if r.curated_docs != r.documents:
        r.problems.append(f"signals has {r.curated_docs:,} rows but documents has {r.documents:,}")
    if t.exists("curated") and t.exists("duplicates"):
        curated = t.read("curated")
        r.kept = curated.count()
        r.duplicates = t.read("duplicates").where(~F.col("is_survivor")).count()
        if t.exists("pii"):  # dropped by the PII policy: recorded in `pii`, no longer in `curated`
            dropped = t.read("pii").where(F.col("dropped")).select("doc_id")
            r.pii_dropped = dropped.join(curated.select("doc_id"), "doc_id", "left_anti").count()
        if r.kept + r.duplicates + r.pii_dropped != r.kept_by_curate:
            r.problems.append(f"curated ({r.kept:,}) + duplicates ({r.duplicates:,}) + dropped for personal data "
                              f"({r.pii_dropped:,}) != kept by curate ({r.kept_by_curate:,})")
    kept = r.kept if r.kept is not None else r.kept_by_curate
    if kept + r.rejected + (r.duplicates or 0) + r.pii_dropped + r.quarantined != r.ingested:
        r.problems.append("ingested != kept + rejected + duplicates + dropped for personal data + quarantined")
    return r
