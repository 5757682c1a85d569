"""The `runs` table and the reconciliation every run prints: no row is ever lost, and nothing seen is unaccounted.

    ingested = kept + rejected + duplicates + dropped for personal data + quarantined + pending

*ingested* counts every raw record (documents + quarantine), *rejected* the documents curate turned down, *duplicates*
the non-survivors of dedup, *kept* the curated documents curate kept, and *pending* the documents a stage has not
seen yet (an incremental batch ingested after curate or dedup last ran): pending is a state, never a mismatch.

The checks compare tables with tables, never with the `runs` history (a run that dies after its commit and before
its bookkeeping must not wedge every later command):

- **ingest**: per source file, the rows of `documents` and `quarantine` against the ledger `ingest_files`, which
  holds what each file yielded when it was read. A deleted row fails. Rows of a file that has no ledger entry yet
  belong to an ingest run that died between its commits: pending, and the next ingest finishes it.
- **curate** and **dedup**: documents come in *batches*, the rows one ingest run inserted for one source in one
  Delta commit (`documents.run_id`, `source`). Curate scores every unscored document it reads in one commit, so it
  has seen a batch wholly or not at all; dedup likewise for the batch's documents curate kept. A batch that a stage
  has seen in part means rows were deleted from its output (`signals`, or `curated` / `duplicates` / `pii`);
  a batch it has not seen at all is pending. Rows for documents that do not exist fail too.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (DoubleType, LongType, MapType, StringType, StructField, StructType,
                               TimestampType)

log = logging.getLogger("native_align.runs")

RUNS_SCHEMA = StructType([
    StructField("run_id", StringType(), False),
    StructField("stage", StringType(), False),
    StructField("recorded_at", TimestampType(), False),
    StructField("seconds", DoubleType(), True),
    StructField("counts", MapType(StringType(), LongType()), True),
])
LEDGER = "ingest_files"


class ReconciliationError(AssertionError):
    """The counts of the tables do not add up: some rows were lost or double counted."""


# -- the `runs` table -----------------------------------------------------------------------------------------------
def record_stage(ctx, stage: str, counts: dict, seconds: float, run_id: str | None = None) -> None:
    """Append one row per stage execution to the `runs` table (blind appends; a commit conflict with another
    stage's first append, which creates the table, is retried)."""
    clean = {str(k): int(v) for k, v in (counts or {}).items() if isinstance(v, (int, bool)) or hasattr(v, "__int__")}
    row = (run_id or ctx.run_id, stage, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), float(seconds), clean)
    from native_align.locks import delta_conflict_name

    for attempt in range(5):
        try:
            ctx.tables.append("runs", ctx.spark.createDataFrame([row], RUNS_SCHEMA))
            return
        except Exception as exc:  # noqa: BLE001 - only Delta's commit conflicts are retried
            if attempt == 4 or delta_conflict_name(exc) is None:
                raise
            time.sleep(0.2 * (attempt + 1))


def recover(ctx, stage: str, tables: tuple[str, ...] | list[str]) -> list[str]:
    """Record the runs of ``stage`` that committed rows but died before their `runs` row (their counts: the rows
    they committed, per table, plus ``recovered: 1``); the ids of the runs recorded.

    Called with the stage's locks held, so no run of it is alive but this one."""
    t = ctx.tables
    found: dict[str, dict[str, int]] = {}
    for name in tables:
        if not t.exists(name):
            continue
        df = t.read(name)
        if "run_id" not in df.columns:
            continue
        for row in df.groupBy("run_id").count().collect():
            if row["run_id"] and row["run_id"] != ctx.run_id:
                found.setdefault(row["run_id"], {})[f"{name}_rows"] = int(row["count"])
    if not found:
        return []
    if t.exists("runs"):
        recorded = {r["run_id"] for r in t.read("runs").where(F.col("stage") == stage)
                    .where(F.col("run_id").isin(list(found))).select("run_id").collect()}
    else:
        recorded = set()
    missing = sorted(set(found) - recorded)
    for run_id in missing:
        record_stage(ctx, stage, {**found[run_id], "recovered": 1}, 0.0, run_id=run_id)
    return missing


def commit_runs(tables, name: str, limit: int = 50) -> list[dict]:
    """The native-align commits of a table, newest first: version, operation, run_id, stage (from userMetadata)."""
    if not tables.exists(name):
        return []
    out = []
    for row in tables.delta(name).history(limit).select("version", "operation", "userMetadata").collect():
        try:
            meta = json.loads(row["userMetadata"] or "")
        except ValueError:
            meta = {}
        if isinstance(meta, dict) and meta.get("run_id"):
            out.append({"version": int(row["version"]), "operation": row["operation"], **meta})
    return out


def last_run_of(tables, name: str, stage: str) -> str | None:
    """The run id of the latest commit ``stage`` made to table ``name`` (None when none is tagged)."""
    return next((c["run_id"] for c in commit_runs(tables, name) if c.get("stage") == stage), None)


# -- the reconciliation -----------------------------------------------------------------------------------------------
@dataclass
class Reconciliation:
    ingested: int = 0
    quarantined: int = 0
    documents: int = 0
    files: int = 0                   # source files in the ingest ledger
    curated_docs: int | None = None  # documents with a `signals` row
    rejected: int | None = None
    kept_by_curate: int | None = None
    duplicates: int | None = None
    # Documents the PII policy dropped from `curated` (a kind whose policy is `drop`); 0 with the default policy.
    pii_dropped: int = 0
    kept: int | None = None
    # Documents (files, for ingest) a stage has not seen yet: {"ingest": files, "curate": docs, "dedup": docs}.
    pending: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def pending_documents(self) -> int:
        return self.pending.get("curate", 0) + self.pending.get("dedup", 0)

    def render(self) -> str:
        rows = [("ingested (records seen)", self.ingested), ("quarantined", self.quarantined),
                ("documents", self.documents)]
        if self.pending.get("ingest"):
            rows += [("pending ingest (files)", self.pending["ingest"])]
        if self.rejected is not None:
            rows += [("rejected by curate", self.rejected), ("kept by curate", self.kept_by_curate)]
        if self.pending.get("curate") or self.rejected is not None:
            rows += [("pending curate", self.pending.get("curate", 0))]
        if self.duplicates is not None:
            rows += [("duplicates removed", self.duplicates)]
            if self.pii_dropped:
                rows += [("dropped for personal data", self.pii_dropped)]
            rows += [("kept (curated)", self.kept)]
        if self.pending.get("dedup") or self.duplicates is not None:
            rows += [("pending dedup", self.pending.get("dedup", 0))]
        width = max(len(r[0]) for r in rows)
        lines = ["reconciliation", "-" * (width + 14)]
        lines += [f"{name:<{width}}  {value:>12,}" for name, value in rows]
        kept = (self.kept or 0) if self.duplicates is not None else (self.kept_by_curate or 0)
        pii = f"{self.pii_dropped:,} dropped for personal data + " if self.pii_dropped else ""
        pending = f" + {self.pending_documents:,} pending" if self.pending_documents else ""
        lines.append(f"check: {self.ingested:,} = {kept:,} kept + {self.rejected or 0:,} rejected + "
                     f"{self.duplicates or 0:,} duplicates + {pii}{self.quarantined:,} quarantined{pending} -> "
                     f"{'OK' if self.ok else 'MISMATCH'}")
        lines += [f"pending: {note}" for note in self.notes]
        lines += [f"PROBLEM: {problem}" for problem in self.problems]
        return "\n".join(lines)

    def check(self) -> None:
        if self.problems:
            raise ReconciliationError("; ".join(self.problems))


def _col(df: DataFrame, name: str):
    return F.col(name) if name in df.columns else F.lit(None).cast("string")


def _ingest_check(t, r: Reconciliation) -> None:
    """documents + quarantine per source file against the ledger of what each file yielded."""
    keys = ["source", "source_file"]

    def per_file(name: str, alias: str) -> DataFrame | None:
        if not t.exists(name):
            return None
        df = t.read(name)  # tables written before the ledger may lack source_file: one group per source
        return (df.select("source", _col(df, "source_file").alias("source_file"))
                .groupBy(*keys).agg(F.count(F.lit(1)).alias(alias)))

    docs, quar = per_file("documents", "docs"), per_file("quarantine", "quar")
    frames = [f for f in (docs, quar) if f is not None]
    if not frames:
        return
    files = frames[0] if len(frames) == 1 else frames[0].join(frames[1], keys, "full")
    if t.exists(LEDGER):
        ledger = t.read(LEDGER).select(*keys, F.col("documents").alias("l_docs"), F.col("quarantined").alias("l_quar"),
                                       F.lit(True).alias("ledgered"))
        files = files.join(ledger, keys, "full")
    else:
        files = files.select("*", F.lit(None).cast("long").alias("l_docs"), F.lit(None).cast("long").alias("l_quar"),
                             F.lit(None).cast("boolean").alias("ledgered"))
    for c in ("docs", "quar"):
        files = files.withColumn(c, F.coalesce(_col(files, c), F.lit(0)).cast("long"))
    ledgered = F.coalesce(F.col("ledgered"), F.lit(False))
    bad = ledgered & ((F.col("docs") != F.col("l_docs")) | (F.col("quar") != F.col("l_quar")))
    files = files.withColumn("bad", bad).withColumn("ledgered", ledgered)
    agg = files.agg(F.sum("docs").alias("docs"), F.sum("quar").alias("quar"),
                    F.sum(F.col("ledgered").cast("long")).alias("files"),
                    F.sum(F.col("bad").cast("long")).alias("bad"),
                    F.sum((~F.col("ledgered")).cast("long")).alias("unledgered")).first()
    r.documents, r.quarantined = int(agg["docs"] or 0), int(agg["quar"] or 0)
    r.ingested = r.documents + r.quarantined
    r.files = int(agg["files"] or 0)
    if agg["unledgered"]:
        r.pending["ingest"] = int(agg["unledgered"])
        r.notes.append(f"{int(agg['unledgered']):,} source files have rows but no entry in the ingest ledger (an "
                       f"ingest run died between its commits, or the tables predate the ledger); the next "
                       f"`native-align ingest` finishes them")
    if agg["bad"]:
        for row in files.where("bad").orderBy(*keys).limit(3).collect():
            where = f"{row['source']}/{row['source_file']}"
            for table, have, want in (("documents", row["docs"], row["l_docs"]),
                                      ("quarantine", row["quar"], row["l_quar"])):
                if have != want:
                    why = "rows were deleted" if have < want else "the file changed after it was ingested?"
                    r.problems.append(f"{table} has {have:,} rows from {where} but the ingest ledger says the file "
                                      f"yielded {want:,} ({why})")
        if agg["bad"] > 3:
            r.problems.append(f"... and {int(agg['bad']) - 3:,} more source files disagree with the ingest ledger")


def _dedup_output(t) -> DataFrame | None:
    """doc_id -> where dedup (and redact) put it: curated, duplicate (non-survivor) or pii (dropped)."""
    if not (t.exists("curated") and t.exists("duplicates")):
        return None
    parts = [t.read("curated").select("doc_id", F.lit(0).alias("p")),
             t.read("duplicates").where(~F.col("is_survivor")).select("doc_id", F.lit(1).alias("p"))]
    if t.exists("pii"):
        parts.append(t.read("pii").where(F.col("dropped")).select("doc_id", F.lit(2).alias("p")))
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    kinds = F.array(F.lit("curated"), F.lit("duplicate"), F.lit("pii"))
    return out.groupBy("doc_id").agg(F.min("p").alias("p")).select("doc_id", F.element_at(kinds, F.col("p") + 1)
                                                                   .alias("kind"))


def _batches(t, dedup: DataFrame | None) -> list:
    """One row per batch (ingest run, source): documents, scored, kept, rejected, seen by dedup and where they are."""
    docs = t.read("documents")
    d = docs.select("doc_id", _col(docs, "run_id").alias("batch"), "source", F.lit(True).alias("in_docs"))
    s = t.read("signals").select("doc_id", F.col("keep"), F.lit(True).alias("scored"))
    j = d.join(s, "doc_id", "full")
    if dedup is not None:
        j = j.join(dedup, "doc_id", "full")
    else:
        j = j.withColumn("kind", F.lit(None).cast("string"))
    in_docs = F.coalesce(F.col("in_docs"), F.lit(False))
    scored = F.coalesce(F.col("scored"), F.lit(False))
    keep = F.coalesce(F.col("keep"), F.lit(False))
    seen = F.col("kind").isNotNull()

    def n(cond):
        return F.sum(cond.cast("long"))

    return j.groupBy("batch", "source").agg(
        n(in_docs).alias("docs"), n(in_docs & scored).alias("scored"), n(in_docs & scored & keep).alias("kept"),
        n(in_docs & scored & ~keep).alias("rejected"), n(in_docs & keep & seen).alias("seen"),
        n(in_docs & keep & (F.col("kind") == "curated")).alias("curated"),
        n(in_docs & keep & (F.col("kind") == "duplicate")).alias("dups"),
        n(in_docs & keep & (F.col("kind") == "pii")).alias("pii"),
        n(in_docs & seen & ~keep).alias("stale"),
        n(~in_docs & scored).alias("orphan_signals"), n(~in_docs & seen).alias("orphan_out")).collect()


def _dedup_interrupted(t) -> str | None:
    """The run id of a dedup that wrote `duplicates` and died before `curated` (tagged commits tell), else None."""
    dups, cur = last_run_of(t, "duplicates", "dedup"), last_run_of(t, "curated", "dedup")
    return dups if dups and dups != cur else None


def _label(row) -> str:
    return f"ingest run {row['batch'] or '?'}, source {row['source']}"


def _curate_dedup_check(t, r: Reconciliation) -> None:
    if not t.exists("documents") or not t.exists("signals"):
        if r.documents:
            r.pending["curate"] = r.documents
            r.notes.append(f"curate has not scored {r.documents:,} documents yet")
        return
    dedup = _dedup_output(t)
    rows = _batches(t, dedup)
    interrupted = _dedup_interrupted(t) if dedup is not None else None
    r.rejected = r.kept_by_curate = r.curated_docs = 0
    pending_curate = pending_dedup = stale = 0
    if dedup is not None:
        r.kept = r.duplicates = r.pii_dropped = 0
    for row in rows:
        if row["orphan_signals"]:
            r.problems.append(f"signals has {row['orphan_signals']:,} rows for documents that are not in "
                              f"`documents`")
        if row["orphan_out"]:
            r.problems.append(f"curated / duplicates hold {row['orphan_out']:,} documents that are not in "
                              f"`documents`")
        if not row["docs"]:
            continue
        r.curated_docs += row["scored"]
        r.rejected += row["rejected"]
        r.kept_by_curate += row["kept"]
        if row["scored"] == 0:
            pending_curate += row["docs"]
        elif row["scored"] < row["docs"]:
            r.problems.append(f"signals has no row for {row['docs'] - row['scored']:,} of the {row['docs']:,} "
                              f"documents of a batch curate has scored ({_label(row)}): rows were deleted from "
                              f"`signals`")
        if dedup is None:
            continue
        r.kept += row["curated"]
        r.duplicates += row["dups"]
        r.pii_dropped += row["pii"]
        stale += row["stale"]
        missing = row["kept"] - row["seen"]
        if row["seen"] == 0 or (missing and interrupted):
            pending_dedup += missing
        elif missing:
            r.problems.append(f"{missing:,} of the {row['kept']:,} documents curate kept in a batch dedup has seen "
                              f"({_label(row)}) are in neither `curated` nor `duplicates` nor dropped for personal "
                              f"data: rows were deleted")
    if pending_curate:
        r.pending["curate"] = pending_curate
        r.notes.append(f"curate has not scored {pending_curate:,} documents yet (`native-align curate`)")
    if pending_dedup:
        r.pending["dedup"] = pending_dedup
        r.notes.append(f"dedup has not seen {pending_dedup:,} documents curate kept (`native-align dedup`)")
    if interrupted:
        r.notes.append(f"dedup run {interrupted} wrote `duplicates` and died before `curated`; the next dedup "
                       f"rebuilds both")
    if stale:
        r.notes.append(f"dedup's output holds {stale:,} documents curate no longer keeps (curate rescored since "
                       f"dedup ran); the next dedup drops them")


def reconcile(ctx) -> Reconciliation:
    """Count every table that exists and check that no document is lost (see the module docstring)."""
    t = ctx.tables
    r = Reconciliation()
    _ingest_check(t, r)
    _curate_dedup_check(t, r)
    kept = (r.kept or 0) if r.duplicates is not None else (r.kept_by_curate or 0)
    total = kept + (r.rejected or 0) + (r.duplicates or 0) + r.pii_dropped + r.quarantined + r.pending_documents
    if total != r.ingested and not r.problems:
        r.problems.append(f"ingested ({r.ingested:,}) != kept + rejected + duplicates + dropped for personal data + "
                          f"quarantined + pending ({total:,})")
    return r
