"""One reader per format, each returning every raw record of a list of files as :data:`RAW_SCHEMA` rows.

Bad records stay visible: a JSONL line is read as text and parsed in the JVM with ``try_parse_json`` (Spark's
VARIANT), so an invalid line becomes a row with a reason instead of a dropped or failed record; CSV uses
``PERMISSIVE`` mode with a corrupt-record column. Positions are per file and do not depend on partitioning:
line/row index inside the file (ordered by the split's start offset, then by the order rows left the split).
"""

from __future__ import annotations

import logging
import zlib
from typing import Iterator

import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (ArrayType, AtomicType, MapType, StringType, StructField, StructType)

from native_align.ingest import schema as S
from native_align.ingest.config import IngestConfig, SourceConfig
from native_align.ingest.sources import IngestError, SourceFile
from native_align.ingest.web_reader import WEB_FORMATS, read_web

log = logging.getLogger("native_align.ingest")

_LINES_SCHEMA = "file_uri string, position long, value binary, read_error string"


# -- helpers ------------------------------------------------------------------------------------------------------
def _json_path(field: str) -> str:
    return f'$["{field}"]'


def _variant_str(v: Column, field: str | None) -> Column:
    """A JSON field as a string: strings as they are, other values as JSON text, absent/null as NULL."""
    if field is None:
        return F.lit(None).cast("string")
    sub = F.try_variant_get(v, _json_path(field), "variant")
    typ = F.schema_of_variant(sub)
    return (F.when(typ == "STRING", F.try_variant_get(v, _json_path(field), "string"))
            .when(typ.isNull() | (typ == "VOID"), F.lit(None).cast("string"))
            .otherwise(F.to_json(sub)))


def _metadata(pairs: list[tuple[str, Column]]) -> Column:
    if not pairs:
        return F.create_map().cast(MapType(StringType(), StringType()))
    flat = [c for name, value in pairs for c in (F.lit(name), value)]
    return F.map_filter(F.create_map(*flat), lambda k, v: v.isNotNull())


def _col_str(df: DataFrame, field: str | None, source: str) -> Column:
    """A Parquet/CSV column as a string; an optional field the files do not have reads as NULL (logged)."""
    if field is None:
        return F.lit(None).cast("string")
    if field not in df.columns:
        log.warning("source '%s': field '%s' not in the columns %s; reading it as null", source, field, df.columns)
        return F.lit(None).cast("string")
    dtype = df.schema[field].dataType
    col = F.col(f"`{field}`")
    if isinstance(dtype, StringType):
        return col
    if isinstance(dtype, AtomicType):
        return col.cast("string")
    return F.to_json(col)


def _file_positions(df: DataFrame, order: list[str]) -> Column:
    """0-based index of a row inside its file, from the file's split order and the order rows left the split."""
    return (F.row_number().over(Window.partitionBy("file_uri").orderBy(*order)) - 1).cast("long")


def _finish(df: DataFrame) -> DataFrame:
    return df.select(*[F.col(f.name).cast(f.dataType).alias(f.name) for f in S.RAW_SCHEMA.fields])


# -- JSONL ----------------------------------------------------------------------------------------------------------
def _text_lines(spark: SparkSession, uris: list[str]) -> DataFrame:
    """Plain and .gz JSONL as lines (Spark splits plain files; .gz is one split per file)."""
    df = spark.read.text(uris).select(
        F.col("_metadata.file_path").alias("file_uri"),
        F.col("_metadata.file_block_start").alias("block"),
        F.monotonically_increasing_id().alias("seq"),  # only orders rows inside one split; never an id
        F.col("value"))
    return df.select("file_uri", _file_positions(df, ["block", "seq"]).alias("position"),
                     F.col("value"), F.lit(None).cast("string").alias("read_error"))


def _decompressed(stream, compression: str | None, chunk: int = 1 << 16) -> Iterator[bytes]:
    """The decompressed bytes of a stream, as they come (gzip members and zstd frames one after another).

    Raises EOFError when the input ends inside a member or frame: a file cut short. Python's ``gzip`` module is
    not used because it drops what it decoded of a block when the cut is inside it."""
    if compression == "gz":
        def make():
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif compression == "zst":
        import zstandard

        def make():
            return zstandard.ZstdDecompressor().decompressobj()
    else:
        while True:
            data = stream.read(chunk)
            if not data:
                return
            yield data
    d, started = make(), False
    while True:
        data = stream.read(chunk)
        if not data:
            break
        while data:
            if d.eof:
                d = make()
            started = True
            out = d.decompress(data)
            if out:
                yield out
            data = d.unused_data if d.eof else b""
    if started and not d.eof:
        raise EOFError("the file ends before the end-of-stream marker")


def _cut_message(rel_path: str, compression: str | None, lines: int, exc: BaseException) -> str:
    """What went wrong with a compressed file, naming it and the real cause."""
    kind = {"gz": "gzip", "zst": "zstd"}.get(compression or "", "plain")
    what = f"truncated {kind} stream" if isinstance(exc, EOFError) else f"corrupt {kind} data"
    return f"{rel_path}: {what} after {lines:,} complete lines ({type(exc).__name__}: {exc})"


def stream_lines(uri: str, compression: str | None, rel_path: str) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(position, line, error) of every line of a file, decompressed as a stream. A file cut short (or corrupt)
    yields every complete line before the cut, then one error row at the cut's position (-1 when nothing at all
    could be read), whose line is the partial one."""
    from native_align.ingest.streams import open_stream

    try:
        stream = open_stream(uri)
    except OSError as exc:
        yield -1, None, f"{rel_path}: cannot open the file ({type(exc).__name__}: {exc})"
        return
    pos, buf = 0, b""
    with stream:
        try:
            for data in _decompressed(stream, compression):
                buf += data
                if b"\n" not in data:
                    continue
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    yield pos, line[:-1] if line.endswith(b"\r") else line, None
                    pos += 1
        except Exception as exc:  # noqa: BLE001 - EOFError, zlib.error, ZstdError, OSError: the cut is the row
            yield (pos if pos or buf else -1), (buf or None), _cut_message(rel_path, compression, pos, exc)
            return
    if buf:
        yield pos, buf[:-1] if buf.endswith(b"\r") else buf, None


_LINES_ARROW = pa.schema([("file_uri", pa.string()), ("position", pa.int64()), ("value", pa.binary()),
                          ("read_error", pa.string())])


def _stream_batches(batches: Iterator[pa.RecordBatch], size: int = 8192) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: one task per file (uri, compression, rel_path) -> its lines in Arrow batches."""
    for batch in batches:
        for uri, comp, rel in zip(*(batch.column(c).to_pylist() for c in ("uri", "compression", "rel_path"))):
            rows: list[tuple] = []
            for row in stream_lines(uri, comp or None, rel):
                rows.append((uri, *row))
                if len(rows) >= size:
                    yield pa.RecordBatch.from_arrays([pa.array(c) for c in zip(*rows)], schema=_LINES_ARROW)
                    rows = []
            if rows:
                yield pa.RecordBatch.from_arrays([pa.array(c) for c in zip(*rows)], schema=_LINES_ARROW)


def streamed_lines(spark: SparkSession, files: list[SourceFile]) -> DataFrame:
    """Lines of (compressed) JSONL files read as streams in Python, one task per file: .zst (Hadoop's codec needs
    native zstd) and any file Spark's reader failed on (a truncated .gz keeps the records before the cut)."""
    listing = spark.createDataFrame(
        spark.sparkContext.parallelize([(f.uri, f.compression or "", f.rel_path) for f in files], len(files)),
        "uri string, compression string, rel_path string")
    out = listing.mapInArrow(_stream_batches, _LINES_SCHEMA)
    return out.select("file_uri", "position", F.col("value").cast("string").alias("value"), "read_error")


def parse_json_lines(lines: DataFrame, src: SourceConfig, cfg: IngestConfig) -> DataFrame:
    """Lines (file_uri, position, value, read_error) -> RAW rows; nothing is dropped, blank lines are marked."""
    value = F.col("value")
    size = F.octet_length(value)
    valid_utf8 = F.is_valid_utf8(value)
    parseable = valid_utf8 & (size <= cfg.max_record_bytes)
    v = F.when(parseable, F.try_parse_json(value))
    df = lines.withColumn("v", v).withColumn("vtype", F.schema_of_variant("v"))
    v, vtype = F.col("v"), F.col("vtype")
    text_sub = F.try_variant_get(v, _json_path(src.text_field), "variant")
    text_type = F.schema_of_variant(text_sub)
    cut = F.when(F.col("position") >= 0, S.TRUNCATED_FILE).otherwise(S.UNREADABLE_FILE)
    reason = (F.when(F.col("read_error").isNotNull(), cut)
              .when(value.rlike(r"^\s*$"), S.BLANK_LINE)
              .when(~valid_utf8, S.INVALID_UTF8)
              .when(size > cfg.max_record_bytes, S.RECORD_TOO_LARGE)
              .when(v.isNull(), S.INVALID_JSON)
              # Spark's parser stops after the first value: `{"a": 1} trailing` parses. JSONL forbids it.
              .when(vtype.startswith("OBJECT") & ~value.rlike(r"\}\s*$"), S.INVALID_JSON)
              .when(~vtype.startswith("OBJECT"), S.NOT_AN_OBJECT))
    error = (F.when(F.col("read_error").isNotNull(), F.col("read_error"))
             .when(~valid_utf8, F.lit("line is not valid UTF-8"))
             .when(size > cfg.max_record_bytes,
                   F.format_string(f"line is %d bytes > max_record_bytes {cfg.max_record_bytes}", size))
             .when(v.isNotNull() & ~vtype.startswith("OBJECT"),
                   F.concat(F.lit("JSON value is "), vtype, F.lit(", expected an object"))))
    raw = F.when(valid_utf8, value).otherwise(F.make_valid_utf8(value))
    out = df.select(
        "file_uri", "position",
        _variant_str(v, src.id_field).alias("record_id"),
        _variant_str(v, src.url_field).alias("url"),
        _variant_str(v, src.title_field).alias("title"),
        _variant_str(v, src.date_field).alias("date"),
        F.when(text_type == "STRING", F.try_variant_get(v, _json_path(src.text_field), "string")).alias("text"),
        F.when(text_type != "VOID", text_type).alias("text_type"),
        _metadata([(f, _variant_str(v, f)) for f in src.extra_fields]).alias("metadata"),
        reason.alias("reason"), error.alias("error"), raw.alias("raw"))
    return _finish(out)


def read_jsonl(spark: SparkSession, files: list[SourceFile], src: SourceConfig, cfg: IngestConfig,
               streamed: bool = False) -> DataFrame:
    """JSONL files; ``streamed`` reads every file as a Python stream (the salvage path for a file Spark's reader
    failed on), else plain and .gz through Spark's text reader and .zst as streams."""
    plain = [f.path for f in files if f.compression != "zst" and not streamed]
    rest = [f for f in files if f.compression == "zst" or streamed]
    parts = ([_text_lines(spark, plain)] if plain else []) + ([streamed_lines(spark, rest)] if rest else [])
    lines = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    return parse_json_lines(lines, src, cfg)


# -- Parquet --------------------------------------------------------------------------------------------------------
def read_parquet(spark: SparkSession, files: list[SourceFile], src: SourceConfig, cfg: IngestConfig) -> DataFrame:
    """Parquet files with one merged schema; files whose types conflict (text as int here, string there) are read
    one by one, so each keeps its own types and gets its own verdicts."""
    try:
        return _parquet_rows(spark.read.option("mergeSchema", "true").parquet(*[f.path for f in files]), src)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - CANNOT_MERGE_SCHEMAS and friends
        if len(files) == 1 or "MERGE" not in str(exc).upper():
            raise
        log.warning("source '%s': Parquet schemas differ across files; reading them one by one", src.name)
        parts = [_parquet_rows(spark.read.parquet(f.path), src) for f in files]
        out = parts[0]
        for part in parts[1:]:
            out = out.unionByName(part)
        return out


def _parquet_rows(df: DataFrame, src: SourceConfig) -> DataFrame:
    if src.text_field not in df.columns:
        raise IngestError(f"source '{src.name}': text_field '{src.text_field}' not in the files' columns "
                          f"{df.columns}")
    ttype = df.schema[src.text_field].dataType
    tcol = F.col(f"`{src.text_field}`")
    if isinstance(ttype, StringType):
        text, text_type = tcol, F.when(tcol.isNotNull(), F.lit("STRING"))
    else:
        text, text_type = F.lit(None).cast("string"), F.when(tcol.isNotNull(), F.lit(ttype.simpleString().upper()))
    data_cols = [F.col(f"`{c}`") for c in df.columns]
    out = df.select(
        F.col("_metadata.file_path").alias("file_uri"), F.col("_metadata.row_index").alias("position"),
        _col_str(df, src.id_field, src.name).alias("record_id"),
        _col_str(df, src.url_field, src.name).alias("url"),
        _col_str(df, src.title_field, src.name).alias("title"),
        _col_str(df, src.date_field, src.name).alias("date"),
        text.alias("text"), text_type.alias("text_type"),
        _metadata([(f, _col_str(df, f, src.name)) for f in src.extra_fields]).alias("metadata"),
        F.lit(None).cast("string").alias("reason"), F.lit(None).cast("string").alias("error"),
        F.to_json(F.struct(*data_cols)).alias("raw"))
    return _finish(out)


# -- CSV ------------------------------------------------------------------------------------------------------------
def read_csv(spark: SparkSession, files: list[SourceFile], src: SourceConfig, cfg: IngestConfig) -> DataFrame:
    """CSV with a header row (all files of a source share it); quoted fields may span lines."""
    opts = {"header": "true", "sep": src.csv_sep, "multiLine": "true", "escape": '"'}
    header = spark.read.options(**opts).csv(files[0].path).columns
    corrupt = "_corrupt_record"
    schema = StructType([StructField(c, StringType()) for c in header] + [StructField(corrupt, StringType())])
    df = (spark.read.schema(schema).options(**opts, mode="PERMISSIVE", columnNameOfCorruptRecord=corrupt)
          .csv([f.path for f in files]))
    data = df.select(*[F.col(f"`{c}`") for c in header],
                     F.col(corrupt), F.col("_metadata.file_path").alias("file_uri"),
                     F.monotonically_increasing_id().alias("seq"))
    if src.text_field not in header:
        raise IngestError(f"source '{src.name}': text_field '{src.text_field}' not in the CSV header {header}")
    probe = data.drop(corrupt, "file_uri", "seq")
    out = data.select(
        "file_uri", _file_positions(data, ["seq"]).alias("position"),
        _col_str(probe, src.id_field, src.name).alias("record_id"),
        _col_str(probe, src.url_field, src.name).alias("url"),
        _col_str(probe, src.title_field, src.name).alias("title"),
        _col_str(probe, src.date_field, src.name).alias("date"),
        # CSV cannot tell an empty field from a missing one: both read as NULL, both are empty text.
        F.coalesce(F.col(f"`{src.text_field}`"), F.lit("")).alias("text"),
        F.lit("STRING").alias("text_type"),
        _metadata([(f, _col_str(probe, f, src.name)) for f in src.extra_fields]).alias("metadata"),
        F.when(F.col(corrupt).isNotNull(), S.MALFORMED_CSV).alias("reason"),
        F.when(F.col(corrupt).isNotNull(),
               F.lit(f"row does not match the header's {len(header)} columns")).alias("error"),
        F.coalesce(F.col(corrupt), F.to_json(F.struct(*[F.col(f"`{c}`") for c in header]))).alias("raw"))
    return _finish(out)


# -- text folders ---------------------------------------------------------------------------------------------------
def read_text(spark: SparkSession, files: list[SourceFile], src: SourceConfig, cfg: IngestConfig) -> DataFrame:
    """One document per file. 0-byte files never reach a reader: the stage counts them as ``empty_file`` rows,
    the same for every format."""
    df = spark.read.format("binaryFile").load([f.path for f in files]).select(
        F.col("_metadata.file_path").alias("file_uri"), F.col("content").cast("string").alias("value"))
    valid = F.is_valid_utf8("value")
    out = df.select(
        "file_uri", F.lit(0).cast("long").alias("position"),
        *[F.lit(None).cast("string").alias(c) for c in ("record_id", "url", "title", "date")],
        F.when(valid, F.col("value")).alias("text"), F.lit("STRING").alias("text_type"),
        _metadata([]).alias("metadata"),
        F.when(~valid, S.INVALID_UTF8).alias("reason"),
        F.when(~valid, F.lit("file is not valid UTF-8")).alias("error"),
        F.when(valid, F.col("value")).otherwise(F.make_valid_utf8("value")).alias("raw"))
    return _finish(out)


READERS = {"jsonl": read_jsonl, "parquet": read_parquet, "csv": read_csv, "text": read_text}


def file_rows(spark: SparkSession, files: list[SourceFile], reason: str, error: str | list[str]) -> DataFrame:
    """Whole-file quarantine rows (position -1) for files that have no reader or cannot be read."""
    errors = error if isinstance(error, list) else [error] * len(files)
    rows = [(f.uri, -1, None, None, None, None, None, None, {}, reason, e, None) for f, e in zip(files, errors)]
    return spark.createDataFrame(rows, S.RAW_SCHEMA)


def read_files(spark: SparkSession, files: list[SourceFile], src: SourceConfig, cfg: IngestConfig) -> DataFrame:
    """Every raw record of ``files`` (any mix of formats) as one RAW DataFrame; a 0-byte file, whatever its
    format, is one ``empty_file`` row (Spark's readers would skip it silently)."""
    empty = [f for f in files if f.size == 0]
    files = [f for f in files if f.size > 0]
    parts = []
    for fmt, reader in READERS.items():
        group = [f for f in files if f.format == fmt]
        if group:
            parts.append(reader(spark, group, src, cfg))
    web = [f for f in files if f.format in WEB_FORMATS]
    if web:
        parts.append(read_web(spark, web, src, cfg))
    unsupported = [f for f in files if f.format is None]
    if unsupported:
        parts.append(file_rows(spark, unsupported, S.UNSUPPORTED_FILE,
                               "no reader for this file name; name it .jsonl/.json[.gz|.zst], .parquet, .csv, "
                               ".txt or .warc/.wet[.gz], or set the source's format"))
    if empty:
        parts.append(file_rows(spark, empty, S.EMPTY_FILE, [f"{f.rel_path}: the file is empty (0 bytes)"
                                                             for f in empty]))
    out = parts[0] if parts else spark.createDataFrame([], S.RAW_SCHEMA)
    for part in parts[1:]:
        out = out.unionByName(part)
    return out
