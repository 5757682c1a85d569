"""WARC / WET sources in Spark: one task per file, each opening its file as a stream and calling
:func:`~native_align.ingest.web.process.process_warc_stream`; every outcome becomes a :data:`RAW_SCHEMA` row.

- a document: text, the WARC-Record-ID as the record's id (so ``doc_id`` = source + relative file + record id),
  the target URI as ``url``, WARC-Date as ``date``, the title, and in ``metadata``: ``warc_record_type``,
  ``http_status``, ``content_type``, ``charset``, ``charset_source``;
- a quarantine outcome: its reason, message and excerpt (``truncated_record``, ``undecodable``, ``no_main_text``,
  ``bad_http_body``, ``payload_too_large``, ``extraction_failed``); a file that cannot be opened is one
  ``unreadable_file`` row;
- the file's counts (records read, skipped per record type, URL-filtered per rule): one ``web_file_counts`` row
  with the numbers in ``metadata``, which the stage checks and sums, and which no table receives.

Files are spread one per partition (``parallelize`` with one slice per file), so a 1 GB WARC is one task that holds
one record at a time, never the whole file (streams: :mod:`native_align.ingest.streams`).
"""

from __future__ import annotations

from typing import Iterable, Iterator

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

from native_align.ingest import schema as S
from native_align.ingest.sources import SourceFile
from native_align.ingest.web.config import WebConfig

WEB_FORMATS = ("warc", "wet")
# mapInArrow's output: RAW_SCHEMA with every field nullable (Arrow batches carry no NOT NULL promise).
_OUT = StructType([StructField(f.name, f.dataType, True) for f in S.RAW_SCHEMA.fields])
_ARROW = pa.schema([
    ("file_uri", pa.string()), ("position", pa.int64()), ("record_id", pa.string()), ("url", pa.string()),
    ("title", pa.string()), ("date", pa.string()), ("text", pa.string()), ("text_type", pa.string()),
    ("metadata", pa.map_(pa.string(), pa.string())), ("reason", pa.string()), ("error", pa.string()),
    ("raw", pa.string())])
_BATCH_ROWS, _BATCH_CHARS = 512, 16 << 20


def with_inline_blocklist(cfg: WebConfig) -> WebConfig:
    """The settings with the blocklist file's domains read here, on the driver, so executors need no copy of it."""
    uf = cfg.url_filter
    if not uf.enabled or not uf.blocklist_file:
        return cfg
    from native_align.ingest.web.urlfilter import read_domain_list

    domains = list(dict.fromkeys([*uf.blocklist, *read_domain_list(uf.blocklist_file)]))
    return cfg.model_copy(update={"url_filter": uf.model_copy(update={"blocklist": domains, "blocklist_file": None})})


def _row(uri: str, position: int, record_id=None, url=None, title=None, date=None, text=None, text_type=None,
         metadata: dict | None = None, reason=None, error=None, raw=None) -> dict:
    meta = [(k, str(v)) for k, v in (metadata or {}).items() if v is not None]
    return {"file_uri": uri, "position": position, "record_id": record_id, "url": url, "title": title, "date": date,
            "text": text, "text_type": text_type, "metadata": meta, "reason": reason, "error": error, "raw": raw}


def counts_metadata(counts) -> dict[str, int]:
    """A :class:`WebFileCounts` as flat numbers: totals, then ``skipped.<type>``, ``url_filtered.<rule>`` and
    ``quarantined.<reason>``."""
    out = {"records": counts.records, "documents": counts.documents,
           "quarantined": sum(counts.quarantined.values()), "skipped": sum(counts.skipped.values()),
           "url_filtered": sum(counts.url_filtered.values())}
    for prefix, by in (("skipped", counts.skipped), ("url_filtered", counts.url_filtered),
                       ("quarantined", counts.quarantined)):
        out.update({f"{prefix}.{k}": v for k, v in by.items()})
    return out


def file_rows(uri: str, cfg: WebConfig) -> Iterator[dict]:
    """Every outcome of one WARC/WET file as RAW rows (plain values), its counts row last."""
    from native_align.ingest.streams import open_stream
    from native_align.ingest.web.process import WebDocument, WebQuarantine, process_warc_stream

    try:
        stream = open_stream(uri)
    except Exception as exc:  # noqa: BLE001 - a missing or forbidden file is one quarantine row, not a failed job
        yield _row(uri, -1, reason=S.UNREADABLE_FILE, error=f"{type(exc).__name__}: {exc}"[:2000])
        yield _row(uri, -1, reason=S.WEB_FILE_COUNTS, metadata={"records": 0, "unreadable": 1})
        return
    with stream:
        for out in process_warc_stream(stream, uri.rsplit("/", 1)[-1], cfg):
            if isinstance(out, WebDocument):
                yield _row(uri, out.position, out.record_id, out.url, out.title, out.fetch_date, out.text, "STRING",
                           {"warc_record_type": out.record_type, "http_status": out.http_status,
                            "content_type": out.content_type, "charset": out.charset,
                            "charset_source": out.charset_source})
            elif isinstance(out, WebQuarantine):
                yield _row(uri, out.position, out.record_id, out.url, date=out.fetch_date, reason=out.reason,
                           error=out.error, raw=out.excerpt)
            else:
                yield _row(uri, -1, reason=S.WEB_FILE_COUNTS, metadata=counts_metadata(out))


def _to_batch(rows: list[dict]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({name: [r[name] for r in rows] for name in _ARROW.names}, schema=_ARROW)


def arrow_batches(uris: Iterable[str], cfg: WebConfig) -> Iterator[pa.RecordBatch]:
    """RAW rows of the files at ``uris`` in Arrow batches of at most 512 rows or ~16M characters of text."""
    rows: list[dict] = []
    chars = 0
    for uri in uris:
        for row in file_rows(uri, cfg):
            rows.append(row)
            chars += len(row["text"] or "") + len(row["raw"] or "")
            if len(rows) >= _BATCH_ROWS or chars >= _BATCH_CHARS:
                yield _to_batch(rows)
                rows, chars = [], 0
    if rows:
        yield _to_batch(rows)


def read_web(spark: SparkSession, files: list[SourceFile], src, cfg) -> DataFrame:
    """Every outcome of ``files`` (WARC/WET) as RAW rows, plus one ``web_file_counts`` row per file."""
    web_cfg = with_inline_blocklist(cfg.web)
    shared = spark.sparkContext.broadcast(web_cfg.model_dump_json())  # one copy per executor, however long the list
    listing = spark.createDataFrame(spark.sparkContext.parallelize([(f.uri,) for f in files], len(files)),
                                    "file_uri string")

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        task_cfg = WebConfig.model_validate_json(shared.value)
        yield from arrow_batches((u for b in batches for u in b.column("file_uri").to_pylist()), task_cfg)

    out = listing.mapInArrow(run, _OUT)
    return out.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in S.RAW_SCHEMA.fields])
