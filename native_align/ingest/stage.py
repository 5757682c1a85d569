"""The ingest runner: every configured source -> staged records -> `documents` + `quarantine` + the ledger.

Per source, in this order, each a Delta commit: `documents` (insert-only MERGE by doc_id), `quarantine` (by
record_key), then the ledger `ingest_files` (what each file yielded, by source + file). A run that dies between
them leaves rows whose files have no ledger entry; the next run reads those files again (the MERGEs add nothing
twice) and writes their entry, so it finishes the dead run's work. Files already in the ledger with the same size
are skipped: a new batch (new files, a new source) is read alone.

The counts a run returns are counted from the rows it committed (`run_id`), not tallied on the way.

WARC/WET files also yield records that are not documents (skipped by record type, URL-filtered): they are counted
(``web_skipped.<type>``, ``web_url_filtered.<rule>``) and checked per file against the records the reader saw
(:mod:`native_align.ingest.web_conservation`) before anything is written.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from native_align.context import Context
from native_align.counts import outcome_counts
from native_align.errors import describe
from native_align.faults import checkpoint
from native_align.ingest import schema as S
from native_align.ingest.config import IngestConfig, SourceConfig
from native_align.ingest.readers import file_rows, read_files, read_jsonl
from native_align.ingest.records import annotate, to_documents, to_quarantine, validate
from native_align.ingest.sources import IngestError, SourceFile, list_files, resolve_path
from native_align.ingest.web_conservation import web_totals
from native_align.ingest.web_reader import WEB_FORMATS

log = logging.getLogger("native_align.ingest")

LEDGER = "ingest_files"


def read_source(spark: SparkSession, src: SourceConfig, cfg: IngestConfig,
                files: list[SourceFile] | None = None) -> DataFrame:
    """All records of one source (lazy), validated and keyed: RECORDS_SCHEMA."""
    files = files if files is not None else list_files(spark, resolve_path(src.path), src.format)
    raw = validate(read_files(spark, files, src, cfg), cfg, src.text_field)
    return annotate(raw, spark, src, files, cfg.excerpt_chars)


@contextmanager
def quiet_spark(spark: SparkSession) -> Iterator[None]:
    """Spark's own log off while a read may fail: a failing task logs ERROR lines and Java stack traces, and this
    stage reports the file and the cause itself."""
    root = spark._jvm.org.apache.logging.log4j.LogManager.getRootLogger()
    level = str(root.getLevel().toString()) if root.getLevel() is not None else "ERROR"
    spark.sparkContext.setLogLevel("OFF")
    try:
        yield
    finally:
        spark.sparkContext.setLogLevel(level)


def _stage_file(spark: SparkSession, src: SourceConfig, cfg: IngestConfig, f: SourceFile, path: str) -> None:
    """One file alone: read as usual; a JSONL file Spark cannot read is read again as a stream, which keeps the
    complete records of a file cut short; else one ``unreadable_file`` row naming the file and the cause."""
    try:
        with quiet_spark(spark):
            read_source(spark, src, cfg, [f]).write.mode("append").parquet(path)
        return
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - the cause goes into the quarantine row
        cause = describe(exc)
    if f.format == "jsonl":
        try:
            raw = validate(read_jsonl(spark, [f], src, cfg, streamed=True), cfg, src.text_field)
            annotate(raw, spark, src, [f], cfg.excerpt_chars).write.mode("append").parquet(path)
            log.warning("ingest %s: %s could not be read whole (%s); kept the records before the damage",
                        src.name, f.rel_path, cause)
            return
        except Exception as exc:  # noqa: BLE001
            cause = describe(exc)
    log.warning("ingest %s: unreadable file %s: %s", src.name, f.rel_path, cause)
    bad = validate(file_rows(spark, [f], S.UNREADABLE_FILE, f"{f.rel_path}: {cause}"), cfg)
    annotate(bad, spark, src, [f], cfg.excerpt_chars).write.mode("append").parquet(path)


def stage_source(spark: SparkSession, src: SourceConfig, cfg: IngestConfig, path: str,
                 files: list[SourceFile] | None = None) -> DataFrame:
    """Materialize a source's records once (the table writes then read the staged copy, not the raw files).

    When the read fails as a whole (a truncated .gz, a corrupt Parquet footer), each file is staged alone (see
    :func:`_stage_file`), so one bad file never blocks a corpus. A file that yields no row at all (an empty .gz, a
    header-only CSV) becomes one ``empty_file`` row, as a 0-byte file of any format does.
    """
    files = files if files is not None else list_files(spark, resolve_path(src.path), src.format)
    by_format = Counter(f.format or "unsupported" for f in files)
    log.info("ingest %s: %d files (%s) under %s", src.name, len(files),
             ", ".join(f"{k}={v}" for k, v in sorted(by_format.items())), src.path)
    try:
        with quiet_spark(spark):
            read_source(spark, src, cfg, files).write.mode("overwrite").parquet(path)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - isolate the unreadable files, then go on
        log.warning("ingest %s: reading all files at once failed (%s); retrying file by file", src.name,
                    describe(exc))
        spark.createDataFrame([], S.RECORDS_SCHEMA).write.mode("overwrite").parquet(path)
        for f in files:
            _stage_file(spark, src, cfg, f, path)
    staged = spark.read.schema(S.RECORDS_SCHEMA).parquet(path)
    present = {r[0] for r in staged.select("source_file").distinct().collect()}
    silent = [f for f in files if f.rel_path not in present]
    if silent:
        rows = file_rows(spark, silent, S.EMPTY_FILE, [f"{f.rel_path}: the file holds no record" for f in silent])
        annotate(validate(rows, cfg), spark, src, silent, cfg.excerpt_chars).write.mode("append").parquet(path)
    return spark.read.schema(S.RECORDS_SCHEMA).parquet(path)


def per_file(records: DataFrame, files: list[SourceFile], run_id: str) -> DataFrame:
    """LEDGER_SCHEMA rows: what each staged file yielded (documents, quarantine rows, blank lines)."""
    spark = records.sparkSession
    reason = F.col("reason")
    counted = records.groupBy("source", "source_file").agg(
        F.sum(reason.isNull().cast("long")).alias("documents"),
        F.sum((reason.isNotNull() & ~reason.isin(*S.NOT_RECORDS)).cast("long")).alias("quarantined"),
        F.sum(reason.eqNullSafe(S.BLANK_LINE).cast("long")).alias("blank_lines"))
    sizes = spark.createDataFrame([(f.rel_path, f.size) for f in files], "source_file string, size long")
    out = counted.join(F.broadcast(sizes), "source_file").select(
        "source", "source_file", "size", (F.col("documents") + F.col("quarantined")).alias("records"),
        "documents", "quarantined", "blank_lines", F.current_timestamp().alias("ingested_at"),
        F.lit(run_id).alias("run_id"))
    return out.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in S.LEDGER_SCHEMA.fields])


def _hadoop_fs(spark: SparkSession, path: str):
    jpath = spark._jvm.org.apache.hadoop.fs.Path(path)
    return jpath, jpath.getFileSystem(spark._jsc.hadoopConfiguration())


def _delete(spark: SparkSession, path: str) -> None:
    jpath, fs = _hadoop_fs(spark, path)
    fs.delete(jpath, True)


def remove_dead_staging(ctx: Context) -> list[str]:
    """Staging folders of earlier ingest runs: they died (this run holds the ingest lock), so nothing reads them."""
    root = ctx.tables.staging_path("ingest")
    jpath, fs = _hadoop_fs(ctx.spark, root)
    if not fs.exists(jpath):
        return []
    dead = [str(s.getPath().getName()) for s in fs.listStatus(jpath) if s.isDirectory()]
    dead = [name for name in dead if name != ctx.run_id]
    for name in dead:
        _delete(ctx.spark, f"{root}/{name}")
    if dead:
        log.info("ingest: removed the staging folders of %d dead run(s): %s", len(dead), ", ".join(sorted(dead)))
    return dead


def _ledgered(ctx: Context) -> dict[tuple[str, str], int]:
    rows = ctx.tables.read(LEDGER).select("source", "source_file", "size").collect()
    return {(r["source"], r["source_file"]): int(r["size"]) for r in rows}


def committed_counts(ctx: Context, run_id: str) -> dict[str, int]:
    """What run ``run_id`` committed: documents and quarantine rows it added (per reason), ledger entries it wrote."""
    t = ctx.tables
    counts: Counter = Counter()
    counts["documents_added"] = t.read("documents").where(F.col("run_id") == run_id).count()
    quar = t.read("quarantine").where(F.col("run_id") == run_id)
    by_reason = outcome_counts(quar, "reason")
    counts["quarantined_added"] = sum(by_reason.values())
    counts.update({f"quarantined.{k}": v for k, v in by_reason.items()})
    led = t.read(LEDGER).where(F.col("run_id") == run_id).agg(
        F.count(F.lit(1)).alias("files"), F.sum("records").alias("records"), F.sum("documents").alias("docs"),
        F.sum("quarantined").alias("quar"), F.sum("blank_lines").alias("blank")).first()
    counts.update({"files_read": int(led["files"] or 0), "records_seen": int(led["records"] or 0),
                   "records_valid": int(led["docs"] or 0), "records_quarantined": int(led["quar"] or 0),
                   "blank_lines_skipped": int(led["blank"] or 0)})
    return dict(counts)


def run(ctx: Context) -> dict[str, int]:
    """Ingest every source in ``ingest.sources``: the files not yet in the ledger (new, changed or left by a run
    that died); re-running on the same files adds nothing."""
    cfg = ctx.settings.ingest
    if not cfg.sources:
        raise IngestError("no ingest.sources configured (add one to conf/<profile>.yaml or --config)")
    spark = ctx.spark
    # every source is listed before anything is written: a path that does not exist stops the run here
    listed = [(src, list_files(spark, resolve_path(src.path), src.format)) for src in cfg.sources]
    log.info("ingest: %d source(s), Spark master %s", len(cfg.sources), spark.conf.get("spark.master", "?"))
    t = ctx.tables
    t.ensure("documents", S.DOCUMENTS_SCHEMA)
    t.ensure("quarantine", S.QUARANTINE_SCHEMA)
    t.ensure(LEDGER, S.LEDGER_SCHEMA)
    remove_dead_staging(ctx)
    ledgered = _ledgered(ctx)
    totals: Counter = Counter()
    for src, files in listed:
        todo = [f for f in files if ledgered.get((src.name, f.rel_path)) != f.size]
        totals.update({"sources": 1, "files_unchanged": len(files) - len(todo)})
        if not todo:
            log.info("ingest %s: all %d files already ingested", src.name, len(files))
            continue
        path = t.staging_path(f"ingest/{ctx.run_id}/{src.name}")
        records = stage_source(spark, src, cfg, path, todo)
        if any(f.format in WEB_FORMATS for f in todo):
            web = web_totals(records)
            log.info("ingest %s: %s", src.name, web.line())
            web.check()  # before writing: a lost record is a bug, not a corpus to keep
            totals.update(web.counts())
        checkpoint("ingest:staged")
        t.insert_new("documents", to_documents(records, ctx.run_id), keys=["doc_id"])
        checkpoint("ingest:after_documents")
        t.insert_new("quarantine", to_quarantine(records, ctx.run_id, cfg.excerpt_chars), keys=["record_key"])
        checkpoint("ingest:after_quarantine")
        t.upsert(LEDGER, per_file(records, todo, ctx.run_id), keys=["source", "source_file"])
        checkpoint("ingest:after_ledger")
        _delete(spark, path)
    _delete(spark, t.staging_path(f"ingest/{ctx.run_id}"))
    counts = {**committed_counts(ctx, ctx.run_id), **totals}
    log.info("ingest: %d files read (%d unchanged, skipped): %d records, %d documents added, %d quarantine rows "
             "added, %d blank lines skipped", counts["files_read"], counts["files_unchanged"],
             counts["records_seen"], counts["documents_added"], counts["quarantined_added"],
             counts["blank_lines_skipped"])
    return counts
