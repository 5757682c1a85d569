"""Boilerplate lines: normalized lines that recur across many surviving documents (news footers, share bars,
"read also" blocks) are removed from the curated text.

Counted over survivors only (after document dedup), so a wire story republished by twenty papers does not make
its own sentences look like boilerplate. Lines are compared in the normalized view (hashed to 64 bits); the
original line text is what is removed. A document made only of boilerplate keeps its text unchanged (dedup never
empties a kept document; curate judges quality).
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np
import pyarrow as pa
import xxhash
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align import faults
from native_align.dedup.schema import BOILERPLATE_LINES_SCHEMA
from native_align.text.normalize import normalize_for_matching, words


def _line_batches(batches: Iterator[pa.RecordBatch], min_words: int) -> Iterator[pa.RecordBatch]:
    faults.checkpoint("dedup:during_curated")
    for batch in batches:
        ids, poss, hashes = [], [], []
        for doc_id, text in zip(batch.column("doc_id").to_pylist(), batch.column("text").to_pylist()):
            for pos, line in enumerate((text or "").split("\n")):
                norm = normalize_for_matching(line)
                if len(words(norm)) >= min_words:
                    ids.append(doc_id)
                    poss.append(pos)
                    hashes.append(xxhash.xxh64_intdigest(norm.encode("utf-8")))
        yield pa.RecordBatch.from_arrays(
            [pa.array(ids, pa.string()), pa.array(poss, pa.int32()),
             pa.array(np.array(hashes, dtype=np.uint64).view(np.int64), pa.int64())],
            names=BOILERPLATE_LINES_SCHEMA.fieldNames())


def line_hashes(docs: DataFrame, min_words: int) -> DataFrame:
    """(doc_id, text) -> (doc_id, pos, line_hash) for every line with at least ``min_words`` words."""

    def fn(batches):
        return _line_batches(batches, min_words)

    return docs.select("doc_id", "text").mapInArrow(fn, BOILERPLATE_LINES_SCHEMA)


def min_docs_for(n_docs: int, min_docs: int, min_fraction: float) -> int:
    """The document frequency from which a line counts as boilerplate."""
    return max(min_docs, math.ceil(min_fraction * n_docs))


def boilerplate_positions(lines: DataFrame, min_docs: int) -> DataFrame:
    """(doc_id, removed: array<int>) for documents holding lines seen in >= min_docs distinct documents."""
    frequent = (lines.select("doc_id", "line_hash").distinct()
                .groupBy("line_hash").count().where(F.col("count") >= min_docs).select("line_hash"))
    return (lines.join(frequent, "line_hash")
            .groupBy("doc_id").agg(F.array_sort(F.collect_list("pos")).alias("removed")))


def strip_boilerplate(docs: DataFrame, removed: DataFrame) -> DataFrame:
    """Remove the listed line positions from ``text``; adds ``boilerplate_lines_removed`` (0 when none)."""
    joined = docs.join(removed, "doc_id", "left")
    kept_lines = F.filter(F.split(F.col("text"), "\n", -1), lambda _, i: ~F.array_contains(F.col("removed"), i))
    stripped = F.array_join(kept_lines, "\n")
    # Keep the original when nothing but whitespace would remain (never empty a kept document).
    usable = F.col("removed").isNotNull() & (F.length(F.regexp_replace(stripped, r"\s+", "")) > 0)
    return (joined
            .withColumn("boilerplate_lines_removed", F.when(usable, F.size("removed")).otherwise(F.lit(0)))
            .withColumn("text", F.when(usable, stripped).otherwise(F.col("text")))
            .drop("removed"))
