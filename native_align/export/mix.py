"""The training mix (original / aligned / hybrid) and its deterministic shuffle into partitions.

Every choice comes from SHA-256 of (seed, doc_id), never from ``rand()``: the same tables and settings give the same
mix, the same partition for every document and the same order inside it, so reruns write identical shards.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

_HEX = 15  # hex digits of SHA-256 used as a uniform number in [0, 1): 60 bits, exact in a double's range


def unit_hash(seed: int | str, key: Column, salt: str = "mix") -> Column:
    """A number in [0, 1) from SHA-256(salt:seed:key): portable (Python's hashlib gives the same)."""
    digest = F.sha2(F.concat_ws(":", F.lit(salt), F.lit(str(seed)), key.cast("string")), 256)
    return F.conv(F.substring(digest, 1, _HEX), 16, 10).cast("decimal(20,0)").cast("double") / float(16 ** _HEX)


def unit_hash_py(seed: int | str, key: str, salt: str = "mix") -> float:
    """Python twin of :func:`unit_hash` (for tests and for reasoning about a single document)."""
    digest = hashlib.sha256(f"{salt}:{seed}:{key}".encode("utf-8")).hexdigest()
    return int(digest[:_HEX], 16) / float(16 ** _HEX)


def mix(curated: DataFrame, aligned: DataFrame | None, mode: str, ratio: float, seed: int,
        fields: Iterable[str] = ()) -> DataFrame:
    """doc_id, text, variant (what was written), wanted (what the mix asked for), and ``fields`` of `curated`.

    ``aligned`` is one row per document (see :func:`~native_align.rewrite.aligned.select_aligned`); rows whose status
    is not ok are ignored. ``wanted``: original for mode original; aligned for mode aligned; for hybrid, aligned
    when unit_hash(seed, doc_id) < ratio.
    """
    fields = export_fields(curated, fields)
    base = curated.select("doc_id", "text", *fields)
    if mode == "original":
        wanted = F.lit("original")
    elif mode == "aligned":
        wanted = F.lit("aligned")
    elif mode == "hybrid":
        wanted = F.when(unit_hash(seed, F.col("doc_id")) < F.lit(float(ratio)), "aligned").otherwise("original")
    else:
        raise ValueError(f"unknown mix {mode!r}; expected original, aligned or hybrid")
    base = base.withColumn("wanted", wanted)
    if aligned is not None:
        ok = aligned.where(F.col("status") == "ok").select("doc_id", F.col("rewrite").alias("_rewrite"))
        base = base.join(ok, "doc_id", "left")
    else:
        base = base.withColumn("_rewrite", F.lit(None).cast("string"))
    use_rewrite = (F.col("wanted") == "aligned") & F.col("_rewrite").isNotNull()
    return base.select(
        "doc_id",
        F.when(use_rewrite, F.col("_rewrite")).otherwise(F.col("text")).alias("text"),
        F.when(use_rewrite, F.lit("aligned")).otherwise(F.lit("original")).alias("variant"),
        "wanted", *fields)


def export_fields(curated: DataFrame, fields: Iterable[str]) -> list[str]:
    """The extra columns a record carries: those of ``fields`` that `curated` has (doc_id and text always go)."""
    return [f for f in fields if f in curated.columns and f not in ("doc_id", "text", "variant")]


def record_bytes(columns: Iterable[str]) -> Column:
    """UTF-8 bytes of a record's values (nulls count 0): what the partition sizing sums, in the JVM."""
    parts = [F.coalesce(F.octet_length(F.col(c).cast("string")), F.lit(0)) for c in columns]
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total.cast("long")


def totals(mixed: DataFrame, record_columns: list[str]) -> dict[str, int]:
    """documents, wanted_aligned, fallback_to_original and raw_bytes of the mix: one aggregate job, one row back."""
    row = mixed.agg(
        F.count(F.lit(1)).alias("documents"),
        F.coalesce(F.sum((F.col("wanted") == "aligned").cast("long")), F.lit(0)).alias("wanted_aligned"),
        F.coalesce(F.sum(((F.col("wanted") == "aligned") & (F.col("variant") == "original")).cast("long")),
                   F.lit(0)).alias("fallback_to_original"),
        F.coalesce(F.sum(record_bytes(record_columns)), F.lit(0)).alias("raw_bytes"),
    ).first()
    return {k: int(row[k]) for k in row.asDict()}


def shuffle(df: DataFrame, seed: int, partitions: int) -> DataFrame:
    """Rows spread over ``partitions`` by SHA-256(shuffle:seed:doc_id), each partition sorted by that key.

    Spark's hash partitioning (Murmur3 of the key, mod n) puts a document in the same partition on every run,
    whatever the input's layout, and no sampling is involved (unlike a range partitioning); the export's order is
    partition by partition, so it is a deterministic pseudo-random shuffle without a global sort.
    """
    order = F.sha2(F.concat_ws(":", F.lit("shuffle"), F.lit(str(seed)), F.col("doc_id")), 256)
    return (df.withColumn("_order", order).repartition(int(partitions), "_order")
            .sortWithinPartitions("_order", "doc_id").drop("_order"))
