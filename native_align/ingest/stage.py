"""The ingest runner: every configured source -> staged records -> `documents` + `quarantine` (insert-only).

WARC/WET files also yield records that are not documents (skipped by record type, URL-filtered): they are counted
(``web_skipped.<type>``, ``web_url_filtered.<rule>``) and checked per file against the records the reader saw
(:mod:`native_align.ingest.web_conservation`) before anything is written.
"""

from __future__ import annotations

import logging
from collections import Counter

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from native_align.context import Context
from native_align.counts import outcome_counts
from native_align.ingest import schema as S
from native_align.ingest.config import IngestConfig, SourceConfig
from native_align.ingest.readers import file_rows, read_files
from native_align.ingest.records import annotate, to_documents, to_quarantine, validate
from native_align.ingest.sources import IngestError, SourceFile, list_files, resolve_path
from native_align.ingest.web_conservation import web_totals

log = logging.getLogger("native_align.ingest")


def read_source(spark: SparkSession, src: SourceConfig, cfg: IngestConfig,
                files: list[SourceFile] | None = None) -> DataFrame:
    """All records of one source (lazy), validated and keyed: RECORDS_SCHEMA."""
    files = files if files is not None else list_files(spark, resolve_path(src.path), src.format)
    raw = validate(read_files(spark, files, src, cfg), cfg, src.text_field)
    return annotate(raw, spark, src, files, cfg.excerpt_chars)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:500]


def stage_source(spark: SparkSession, src: SourceConfig, cfg: IngestConfig, path: str) -> DataFrame:
    """Materialize a source's records once (the two table writes then read the staged copy, not the raw files).

    When the read fails as a whole (a truncated .gz, a corrupt Parquet footer), each file is staged alone and the
    ones that still fail become ``unreadable_file`` quarantine rows, so one bad file never blocks a corpus.
    """
    files = list_files(spark, resolve_path(src.path), src.format)
    by_format = Counter(f.format or "unsupported" for f in files)
    log.info("ingest %s: %d files (%s) under %s", src.name, len(files),
             ", ".join(f"{k}={v}" for k, v in sorted(by_format.items())), src.path)
    try:
        read_source(spark, src, cfg, files).write.mode("overwrite").parquet(path)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - isolate the unreadable files, then go on
        log.warning("ingest %s: reading all files at once failed (%s); retrying file by file",
                    src.name, _first_line(exc))
        spark.createDataFrame([], S.RECORDS_SCHEMA).write.mode("overwrite").parquet(path)
        for f in files:
            try:
                read_source(spark, src, cfg, [f]).write.mode("append").parquet(path)
            except IngestError:
                raise
            except Exception as file_exc:  # noqa: BLE001
                log.warning("ingest %s: unreadable file %s: %s", src.name, f.rel_path, _first_line(file_exc))
                bad = validate(file_rows(spark, [f], S.UNREADABLE_FILE, _first_line(file_exc)), cfg)
                annotate(bad, spark, src, [f], cfg.excerpt_chars).write.mode("append").parquet(path)
    return spark.read.schema(S.RECORDS_SCHEMA).parquet(path)


def _count(ctx: Context, name: str) -> int:
    return ctx.tables.read(name).count() if ctx.tables.exists(name) else 0


def _delete(spark: SparkSession, path: str) -> None:
    jpath = spark._jvm.org.apache.hadoop.fs.Path(path)
    jpath.getFileSystem(spark._jsc.hadoopConfiguration()).delete(jpath, True)


def run(ctx: Context) -> dict[str, int]:
    """Ingest every source in ``ingest.sources``; re-running on the same files adds nothing."""
    cfg = ctx.settings.ingest
    if not cfg.sources:
        raise IngestError("no ingest.sources configured (add one to conf/<profile>.yaml or --config)")
    spark = ctx.spark
    log.info("ingest: %d source(s), Spark master %s", len(cfg.sources), spark.conf.get("spark.master", "?"))
    ctx.tables.ensure("documents", S.DOCUMENTS_SCHEMA)
    ctx.tables.ensure("quarantine", S.QUARANTINE_SCHEMA)
    totals: Counter = Counter()
    for src in cfg.sources:
        path = ctx.tables.staging_path(f"ingest/{ctx.run_id}/{src.name}")
        records = stage_source(spark, src, cfg, path)
        by_reason = outcome_counts(records, "reason")
        blank = by_reason.pop(S.BLANK_LINE, 0)
        web_files = by_reason.pop(S.WEB_FILE_COUNTS, 0)
        good = by_reason.pop("none", 0)
        seen = good + sum(by_reason.values())
        if web_files:
            web = web_totals(records)
            log.info("ingest %s: %s", src.name, web.line())
            web.check()  # before writing: a lost record is a bug, not a corpus to keep
            totals.update(web.counts())
        docs_before, quar_before = _count(ctx, "documents"), _count(ctx, "quarantine")
        ctx.tables.insert_new("documents", to_documents(records, ctx.run_id), keys=["doc_id"])
        ctx.tables.insert_new("quarantine", to_quarantine(records, ctx.run_id, cfg.excerpt_chars),
                              keys=["record_key"])
        added_docs = _count(ctx, "documents") - docs_before
        added_quar = _count(ctx, "quarantine") - quar_before
        log.info("ingest %s: %d records seen, %d valid, %d quarantined %s, %d blank lines skipped; "
                 "added %d documents, %d quarantine rows", src.name, seen, good, seen - good,
                 dict(sorted(by_reason.items())), blank, added_docs, added_quar)
        totals.update({"records_seen": seen, "records_valid": good, "records_quarantined": seen - good,
                       "blank_lines_skipped": blank, "documents_added": added_docs,
                       "quarantined_added": added_quar, "sources": 1})
        totals.update({f"quarantined.{reason}": n for reason, n in by_reason.items()})
        _delete(spark, path)
    return dict(totals)
