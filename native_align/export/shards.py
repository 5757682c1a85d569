"""Writing one partition's shards, on the executor that holds the partition.

A partition's records arrive sorted; they go into ``shard-<partition>-<k>.<ext>``, rolling over to ``k + 1`` once a
file reaches ``shard_bytes``. Names depend only on the partition index and the counter, so a rerun (or a retried
task) overwrites the same files with the same bytes. Every shard's documents, bytes, SHA-256, tokens and variants are
counted while it is written (no re-read from storage) and returned as one small row per shard.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import os
import re
import socket
import sys
import zlib
from typing import Any, Iterable, Iterator

from native_align import faults, storage
from native_align.export.tokens import token_counter

EXTENSIONS = {"jsonl.gz": "jsonl.gz", "parquet": "parquet"}
# Every file name this module writes (old single-index names included): the only files a rerun deletes.
SHARD_RE = re.compile(r"^shard-\d{5,}(-\d{5,})?\.(jsonl\.gz|parquet)$")
# One row per written shard, as the executors return it (Arrow types; the Spark schema is derived in stage.py).
RESULT_FIELDS = (("partition", "int32"), ("shard", "int32"), ("file", "string"), ("documents", "int64"),
                 ("bytes", "int64"), ("tokens", "int64"), ("original", "int64"), ("aligned", "int64"),
                 ("sha256", "string"), ("writer", "string"))
TOKEN_BATCH = 256


def shard_name(partition: int, k: int, fmt: str) -> str:
    return f"shard-{partition:05d}-{k:05d}.{EXTENSIONS[fmt]}"


def process_id() -> str:
    """host:pid of this process (the manifest says which process wrote each shard)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def raw_size(record: dict) -> int:
    """UTF-8 bytes of a record's values: the same measure as :func:`~native_align.export.mix.record_bytes`."""
    return sum(len(str(v).encode("utf-8")) for v in record.values() if v is not None)


class _Sink:
    """Forwards bytes to a stream, counting and hashing them on the way (no re-read for size or SHA-256)."""

    def __init__(self, stream):
        self.stream = stream
        self.bytes = 0
        self.sha = hashlib.sha256()

    def write(self, data) -> int:
        data = bytes(data)
        self.stream.write(data)
        self.bytes += len(data)
        self.sha.update(data)
        return len(data)

    def flush(self) -> None:
        pass


class JsonlGzShard:
    """One JSONL.gz file; ``size`` is compressed bytes so far, kept accurate by periodic sync flushes.

    mtime=0 and no file name in the gzip header, so identical records give identical bytes.
    """

    def __init__(self, stream, flush_every: int):
        self._sink = _Sink(stream)
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._sink, mtime=0)
        self._flush_every = flush_every
        self._pending = 0

    def write(self, record: dict) -> None:
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        self._gz.write(data)
        self._pending += len(data)
        if self._pending >= self._flush_every:
            self._gz.flush(zlib.Z_SYNC_FLUSH)
            self._pending = 0

    @property
    def size(self) -> int:
        return self._sink.bytes

    def close(self) -> tuple[int, str]:
        """(bytes, sha256) of the finished file."""
        self._gz.close()
        return self._sink.bytes, self._sink.sha.hexdigest()


class ParquetShard:
    """One Parquet file, built in memory (a shard is at most ~``shard_bytes``) and written whole on close.

    Rows go out as row groups of about a quarter shard; ``size`` is the bytes written so far plus the buffered rows
    at this shard's compression ratio (the planner's estimate until the first row group is written).
    """

    def __init__(self, stream, schema, shard_bytes: int, ratio: float):
        import pyarrow as pa

        self._stream = stream
        self._schema = schema  # None: inferred from the first row group
        self._buf = pa.BufferOutputStream()
        self._writer: pq.ParquetWriter | None = None
        self._ratio = ratio
        self._group_raw = int(min(32 << 20, max(16 << 10, shard_bytes / max(ratio, 0.01) / 4)))
        self._rows: list[dict] = []
        self._raw = 0
        self._written_raw = 0

    def write(self, record: dict) -> None:
        self._rows.append(record)
        self._raw += raw_size(record)
        if self._raw >= self._group_raw:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        table = pa.Table.from_pylist(self._rows, schema=self._schema)
        if self._writer is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self._buf, self._schema, compression="zstd")
        self._writer.write_table(table)
        self._written_raw += self._raw
        self._rows, self._raw = [], 0
        self._ratio = max(0.01, self._buf.tell() / self._written_raw)

    @property
    def size(self) -> int:
        return int(self._buf.tell() + self._raw * self._ratio)

    def close(self) -> tuple[int, str]:
        self._flush()
        if self._writer is not None:
            self._writer.close()
        data = self._buf.getvalue()
        self._stream.write(data)
        return data.size, hashlib.sha256(data).hexdigest()


@dataclasses.dataclass(frozen=True)
class ShardSpec:
    """What every partition needs to write its shards (shipped to the executors with the task)."""

    out_dir: str
    fmt: str
    shard_bytes: int
    tokenizer: str | None = None
    ratio: float = 0.5  # compressed / raw bytes, the planner's estimate (Parquet's first row-group guess)

    @property
    def flush_every(self) -> int:
        return max(256, min(64 * 1024, self.shard_bytes // 16))

    def open(self, stream, schema=None):
        if self.fmt == "jsonl.gz":
            return JsonlGzShard(stream, self.flush_every)
        return ParquetShard(stream, schema, self.shard_bytes, self.ratio)


class _Open:
    """The shard being written and its running counts."""

    def __init__(self, spec: ShardSpec, partition: int, k: int, schema):
        self.file = shard_name(partition, k, spec.fmt)
        self.partition, self.k = partition, k
        self._stream = storage.open_output(storage.join(spec.out_dir, self.file))
        self.shard = spec.open(self._stream, schema)
        self.documents, self.tokens = 0, 0
        self.variants = {"original": 0, "aligned": 0}
        self._texts: list[str] = []
        self._count = token_counter(spec.tokenizer)

    def write(self, record: dict) -> None:
        self.shard.write(record)
        self.documents += 1
        self.variants[record["variant"]] = self.variants.get(record["variant"], 0) + 1
        self._texts.append(record["text"] or "")
        if len(self._texts) >= TOKEN_BATCH:
            self._tokens()

    def _tokens(self) -> None:
        if self._texts:
            self.tokens += sum(self._count(self._texts))
            self._texts = []

    def close(self, writer: str) -> dict[str, Any]:
        self._tokens()
        size, sha = self.shard.close()
        self._stream.close()
        return {"partition": self.partition, "shard": self.k, "file": self.file, "documents": self.documents,
                "bytes": size, "tokens": self.tokens, "original": self.variants["original"],
                "aligned": self.variants["aligned"], "sha256": sha, "writer": writer}


def write_partition(records: Iterable[dict], partition: int, spec: ShardSpec, schema=None) -> list[dict[str, Any]]:
    """Write one partition's records, in order, into as many shards as ``spec.shard_bytes`` needs; the shard rows.

    Every shard but the partition's last reaches the target and exceeds it by less than one record plus one
    flush interval (JSONL.gz) or one row group's estimate error (Parquet).
    """
    writer = process_id()
    out: list[dict[str, Any]] = []
    current: _Open | None = None
    for record in records:
        if current is None:
            current = _Open(spec, partition, len(out), schema)
        current.write(record)
        if current.shard.size >= spec.shard_bytes:
            out.append(current.close(writer))
            current = None
    if current is not None:
        out.append(current.close(writer))
    return out


class PartitionWriter:
    """The ``mapInArrow`` function: record batches of one partition in, one Arrow row per written shard out."""

    def __init__(self, spec: ShardSpec):
        self.spec = spec

    def __call__(self, batches: Iterator) -> Iterator:
        import pyarrow as pa
        from pyspark import TaskContext

        partition = TaskContext.get().partitionId()
        first = next(batches, None)
        if first is None:
            return
        schema = _string_types(first.schema)

        def records():
            yield from first.to_pylist()
            for batch in batches:
                yield from batch.to_pylist()

        rows = write_partition(records(), partition, self.spec, schema)
        faults.checkpoint("export:during_shards")
        # One line per partition in the executor's log (stderr): which process wrote what, for operators.
        print(f"native_align.export: partition {partition} wrote {len(rows)} shard(s), "
              f"{sum(r['documents'] for r in rows)} documents ({process_id()})", file=sys.stderr, flush=True)
        yield pa.RecordBatch.from_pylist(rows, schema=result_arrow_schema())


def result_arrow_schema():
    import pyarrow as pa

    return pa.schema([pa.field(name, getattr(pa, kind)()) for name, kind in RESULT_FIELDS])


def result_spark_schema():
    from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

    types = {"int32": IntegerType(), "int64": LongType(), "string": StringType()}
    return StructType([StructField(name, types[kind]) for name, kind in RESULT_FIELDS])


def _string_types(schema):
    """Spark may send large_string; shards always store plain string (same files whatever the Arrow settings)."""
    import pyarrow as pa

    return pa.schema([pa.field(f.name, pa.string(), f.nullable) if pa.types.is_large_string(f.type) else f
                      for f in schema])
