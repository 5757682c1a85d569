"""How many partitions the export writes: enough that each holds about one shard of ``shard_bytes``.

The mix's raw bytes come from one aggregate in the JVM (:func:`~native_align.export.mix.totals`); the compressed /
raw ratio of the output format is measured by compressing a bounded sample of `curated` on the driver
(``export.size_sample_docs`` rows, read with ``limit``: the first files of the table, not a full scan). Partitions
are planned at ``FILL`` of the target so that estimate errors rarely make a partition roll over into a small
second shard; a partition that does exceed the target still rolls over (see ``shards.write_partition``).
"""

from __future__ import annotations

import math

import pyarrow as pa
from pyspark.sql import DataFrame

from native_align.export.shards import ShardSpec, raw_size

FILL = 0.9               # planned partition size / shard_bytes
DEFAULT_RATIO = 0.35     # compressed / raw when there is nothing to sample (Arabic JSONL.gz measures ~0.3)


def measure_ratio(records: list[dict], fmt: str, shard_bytes: int) -> float:
    """Compressed bytes / raw value bytes of ``records`` written as one shard of ``fmt`` in memory (2 digits)."""
    raw = sum(raw_size(r) for r in records)
    if not records or raw == 0:
        return DEFAULT_RATIO
    schema = pa.Table.from_pylist(records).schema if fmt == "parquet" else None
    shard = ShardSpec(out_dir="", fmt=fmt, shard_bytes=shard_bytes, ratio=DEFAULT_RATIO).open(
        pa.BufferOutputStream(), schema)
    for r in records:
        shard.write(r)
    size, _ = shard.close()
    # Two significant digits: a rerun on the same tables plans the same partitions even if the sample drifted.
    return min(1.5, max(0.02, float(f"{size / raw:.2g}")))


def sample_records(curated: DataFrame, fields: list[str], n: int) -> list[dict]:
    """Up to ``n`` records of `curated` as the export writes them (variant original), sorted by doc_id."""
    rows = curated.select("doc_id", "text", *fields).limit(n).collect()
    return [{"doc_id": r["doc_id"], "text": r["text"], "variant": "original", **{f: r[f] for f in fields}}
            for r in sorted(rows, key=lambda r: r["doc_id"])]


def plan_partitions(raw_bytes: int, ratio: float, shard_bytes: int) -> int:
    """Partitions so that each holds about ``FILL`` x ``shard_bytes`` of output."""
    return max(1, math.ceil(raw_bytes * ratio / (FILL * shard_bytes)))
