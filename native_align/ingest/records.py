"""Pure transformations: RAW rows -> validated records -> `documents` rows and `quarantine` rows."""

from __future__ import annotations

import json

import pandas as pd
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from native_align.faults import checkpoint
from native_align.ingest import schema as S
from native_align.ingest.config import IngestConfig, SourceConfig
from native_align.ingest.sources import SourceFile
from native_align.text.normalize import content_hash

_SEP = "\u001f"  # unit separator: cannot appear in a source name, a path or an id by accident


@F.pandas_udf(StringType())
def content_hash_udf(texts: pd.Series) -> pd.Series:
    """Vectorized :func:`content_hash` over an Arrow batch (it runs inside the `documents` MERGE job)."""
    checkpoint("ingest:during_documents")
    return texts.map(lambda t: None if t is None else content_hash(t))


def _json_error(raw: str | None) -> str | None:
    if raw is None:
        return None

    def no_duplicates(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
        return dict(pairs)

    try:
        json.loads(raw, object_pairs_hook=no_duplicates)
    except ValueError as exc:  # JSONDecodeError is a ValueError
        return f"not valid JSON: {exc}"
    return "not valid JSON (rejected by Spark's parser)"


@F.pandas_udf(StringType())
def json_error_udf(raws: pd.Series) -> pd.Series:
    """Python's precise message for lines Spark could not parse (run on quarantined rows only)."""
    return raws.map(_json_error)


def validate(raw: DataFrame, cfg: IngestConfig, text_field: str = "text") -> DataFrame:
    """Give every record without a reader-level reason its verdict on the text: missing, non-string, empty, too big."""
    text, ttype, reason = F.col("text"), F.col("text_type"), F.col("reason")
    size = F.octet_length(text)
    verdict = (F.when(reason.isNotNull(), reason)
               .when(ttype.isNull(), S.MISSING_TEXT)
               .when(ttype != "STRING", S.NON_STRING_TEXT)
               .when(text.rlike(r"^(?U)\s*$"), S.EMPTY_TEXT)
               .when(size > cfg.max_text_bytes, S.TEXT_TOO_LARGE))
    error = (F.when(reason.isNotNull(), F.col("error"))
             .when(ttype.isNull(), F.lit(f"field '{text_field}' is absent or null"))
             .when(ttype != "STRING", F.concat(F.lit(f"field '{text_field}' is "), ttype,
                                                F.lit(", expected a string")))
             .when(text.rlike(r"^(?U)\s*$"), F.lit("text is empty or whitespace only"))
             .when(size > cfg.max_text_bytes,
                   F.format_string(f"text is %d UTF-8 bytes > max_text_bytes {cfg.max_text_bytes}", size)))
    # One projection: `error` must see the reader's reason, not the verdict.
    return raw.withColumns({"reason": verdict, "error": error})


def annotate(df: DataFrame, spark: SparkSession, src: SourceConfig, files: list[SourceFile],
             excerpt_chars: int) -> DataFrame:
    """Add source, relative file, record_key, doc_id; flag repeated source ids; keep raw only for bad records."""
    rel = spark.createDataFrame([(f.uri, f.rel_path) for f in files], "file_uri string, source_file string")
    df = df.join(F.broadcast(rel), "file_uri", "left")
    # A record the file listing does not know would lose its lineage: fail loudly instead of guessing.
    df = df.withColumn("source_file", F.when(F.col("source_file").isNull(), F.raise_error(
        F.concat(F.lit("ingest: a record's file is not in the source listing: "), F.col("file_uri"))))
        .otherwise(F.col("source_file")))
    key = F.when(F.col("record_id").isNotNull(), F.concat(F.lit("id:"), F.col("record_id"))) \
        .otherwise(F.concat(F.lit("pos:"), F.col("position").cast("string")))
    doc_id = F.substring(F.sha2(F.concat_ws(_SEP, F.lit(src.name), F.col("source_file"), key), 256), 1, 32)
    df = df.withColumn("source", F.lit(src.name)).withColumn("doc_id", doc_id).withColumn(
        "record_key", F.concat_ws("|", F.lit(src.name), F.col("source_file"), F.col("position").cast("string")))
    # Two good records of one file with the same source id would get one doc_id: keep the first, quarantine the rest.
    rank = F.row_number().over(Window.partitionBy("doc_id").orderBy(F.col("reason").isNotNull(), "position"))
    dup = F.col("reason").isNull() & (rank > 1)
    df = (df.withColumn("_dup", dup)
          .withColumn("reason", F.when(F.col("_dup"), F.lit(S.DUPLICATE_RECORD_ID)).otherwise(F.col("reason")))
          .withColumn("error", F.when(F.col("_dup"), F.concat(F.lit("id "), F.col("record_id"),
                                                                F.lit(" already used earlier in this file")))
                      .otherwise(F.col("error"))))
    raw = (F.when(F.col("reason").isNull() | F.col("reason").isin(*S.NOT_RECORDS), F.lit(None))
           .when(F.col("reason") == S.INVALID_JSON, F.col("raw"))  # kept whole for the precise error message
           .otherwise(F.substring("raw", 1, excerpt_chars)))
    df = df.withColumn("raw", raw)
    return df.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in S.RECORDS_SCHEMA.fields])


def to_documents(records: DataFrame, run_id: str) -> DataFrame:
    """Good records as `documents` rows (original text kept as it is; the hash is of the normalized view)."""
    ok = records.where(F.col("reason").isNull())
    out = ok.select(
        "doc_id", "source", "source_file", F.col("position").alias("record_index"),
        F.col("record_id").alias("source_record_id"), "url", "title", "date", "text",
        content_hash_udf("text").alias("content_hash"),
        F.char_length("text").cast("long").alias("n_chars"), "metadata",
        F.current_timestamp().alias("ingested_at"), F.lit(run_id).alias("run_id"))
    return out.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in S.DOCUMENTS_SCHEMA.fields])


def to_quarantine(records: DataFrame, run_id: str, excerpt_chars: int) -> DataFrame:
    """Bad records as `quarantine` rows with a named reason, a message and a bounded excerpt."""
    bad = records.where(F.col("reason").isNotNull() & ~F.col("reason").isin(*S.NOT_RECORDS))
    invalid = F.col("reason") == S.INVALID_JSON
    out = bad.select(
        "record_key", "source", "source_file", "position", "reason",
        F.when(invalid, json_error_udf(F.when(invalid, F.col("raw")))).otherwise(F.col("error")).alias("error"),
        F.substring("raw", 1, excerpt_chars).alias("raw_excerpt"),
        F.current_timestamp().alias("quarantined_at"), F.lit(run_id).alias("run_id"))
    return out.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in S.QUARANTINE_SCHEMA.fields])
