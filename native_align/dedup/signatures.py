"""Spark side of MinHash: one ``mapInArrow`` pass from (doc_id, text) to band hashes (and verification keys).

Each Arrow batch is normalized and shingled by :mod:`native_align.dedup.shingles` and hashed by
:mod:`native_align.dedup.minhash`, each in a few vectorized passes;
documents without any shingle (empty after normalization) emit no row: exact dedup by content_hash handles them.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align.dedup.minhash import LshParams, band_hashes, signatures_flat, verification_keys
from native_align.dedup.shingles import batch_shingles
from native_align.dedup.schema import SIGNATURES_SCHEMA

def _offsets(lengths: np.ndarray) -> np.ndarray:
    """Arrow's int32 offsets (0, then the running total) of values of these lengths."""
    offsets = np.zeros(lengths.size + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def _list_array(flat: np.ndarray, lengths: np.ndarray) -> pa.Array:
    return pa.ListArray.from_arrays(pa.array(_offsets(lengths), pa.int32()), pa.array(flat.view(np.int64), pa.int64()))


def _key_blobs(keys: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """One binary value per document: its uint32 verification keys, little-endian, end to end (a blob moves
    through Arrow, the shuffle and the cache as one copy, where an array of longs is converted per element)."""
    data = np.ascontiguousarray(keys, dtype="<u4")
    return pa.Array.from_buffers(pa.binary(), lengths.size,
                                 [None, pa.py_buffer(_offsets(lengths * 4)), pa.py_buffer(data)])


def key_lists(blobs: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(flat uint32 keys, offsets in keys) of a binary column written by :func:`_key_blobs` (any Arrow offset width,
    sliced or not)."""
    _, offsets, data = blobs.buffers()[:3]
    width = np.int64 if pa.types.is_large_binary(blobs.type) else np.int32
    off = np.frombuffer(offsets, dtype=width, count=len(blobs) + 1, offset=blobs.offset * np.dtype(width).itemsize)
    if data is None or not len(blobs):
        return np.empty(0, np.uint32), np.zeros(len(blobs) + 1, np.int64)
    keys = np.frombuffer(data, dtype="<u4", count=int(off[-1]) // 4)
    return keys, off.astype(np.int64) // 4


# Documents shingled at a time. Spark hands over 10,000 rows a batch; in slices of ~1,000 the numpy temporaries
# (a few code-point arrays of the slice's text) stay small enough for malloc to reuse instead of mapping fresh
# pages each time: 0.71 s instead of 0.92 s per 10,000 SaudiNewsNet articles (500: 0.74, 2,000: 0.72).
SLICE_DOCS = 1000


def signature_batches(batches: Iterator[pa.RecordBatch], params: LshParams,
                      keep_shingles: bool) -> Iterator[pa.RecordBatch]:
    """Arrow batches of (doc_id, text) -> batches of SIGNATURES_SCHEMA (pure function: testable without Spark)."""
    for big in batches:
        for start in range(0, big.num_rows, SLICE_DOCS):
            out = _signature_batch(big.slice(start, SLICE_DOCS), params, keep_shingles)
            if out is not None:
                yield out


def _signature_batch(batch: pa.RecordBatch, params: LshParams, keep_shingles: bool) -> pa.RecordBatch | None:
    """One slice of documents -> its SIGNATURES_SCHEMA batch (None when no document has a shingle)."""
    ids = batch.column("doc_id")
    flat, sizes = batch_shingles(batch.column("text").to_pylist(), params.shingle, params.ngram)
    keep = np.flatnonzero(sizes > 0)
    if not keep.size:
        return None
    kept_sizes = sizes[keep]
    sig = signatures_flat(flat, kept_sizes, params.num_perm, params.seed)
    bands = band_hashes(sig, params.bands, params.rows)
    if keep_shingles:
        keys, n_keys = verification_keys(flat, kept_sizes)
        blobs = _key_blobs(keys, n_keys)
    else:
        n_keys, blobs = kept_sizes, pa.nulls(len(keep), pa.binary())
    columns = [
        ids.take(pa.array(keep)).cast(pa.string()),
        pa.array(n_keys.astype(np.int32), pa.int32()),
        _list_array(bands.reshape(-1), np.full(len(keep), params.bands, dtype=np.int64)),
        blobs,
    ]
    return pa.RecordBatch.from_arrays(columns, names=SIGNATURES_SCHEMA.fieldNames())


def compute_signatures(docs: DataFrame, params: LshParams, keep_shingles: bool, counter=None) -> DataFrame:
    """(doc_id, text) -> SIGNATURES_SCHEMA; documents with no shingle are absent from the result. ``counter``
    (a Spark accumulator) counts the signatures as they are made, instead of a counting job."""

    def fn(batches):
        for out in signature_batches(batches, params, keep_shingles):
            if counter is not None:
                counter.add(out.num_rows)
            yield out

    return docs.select("doc_id", "text").mapInArrow(fn, SIGNATURES_SCHEMA)


def band_rows(sigs: DataFrame) -> DataFrame:
    """One row per (doc, band): (band, band_hash, doc_id), the input of the bucket groupBy."""
    return sigs.select("doc_id", F.posexplode("bands").alias("band", "band_hash"))
