"""The mapInArrow signature pass: same bands as the numpy core, no row for documents without shingles."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from native_align.dedup.minhash import LshParams, band_hashes, shingle_set, signatures, verification_keys
from native_align.dedup.signatures import band_rows, compute_signatures, key_lists, signature_batches
from native_align.text.normalize import normalize_for_matching
from tests.dedup.conftest import arabic_text

PARAMS = LshParams(num_perm=24, bands=6, rows=4, seed=3)


def test_arrow_batches_match_numpy_core():
    texts = [arabic_text(1, 50), "", None, "نعم"]
    batch = pa.RecordBatch.from_arrays([pa.array(["a", "b", "c", "d"]), pa.array(texts)], names=["doc_id", "text"])
    out = pa.Table.from_batches(list(signature_batches(iter([batch]), PARAMS, keep_shingles=True)))
    assert out.column("doc_id").to_pylist() == ["a", "d"]
    sets = [shingle_set(normalize_for_matching(t)) for t in (texts[0], texts[3])]
    want = band_hashes(signatures(sets, 24, 3), 6, 4)
    assert out.column("bands").to_pylist() == want.tolist()
    keys, counts = verification_keys(sets[1], np.array([sets[1].size]))
    assert out.column("n_shingles").to_pylist()[1] == counts[0]
    got, offsets = key_lists(out.column("shingles").combine_chunks())
    assert got[offsets[1]:offsets[2]].tolist() == keys.tolist()


def test_verification_keys_are_the_top_bits_sorted_unique_per_document():
    # Two documents; in the first, two 48-bit shingles share their top 32 bits and become one key.
    a = np.array([(5 << 16) | 1, (5 << 16) | 9, 7 << 16], dtype=np.uint64)
    b = np.array([5 << 16, 6 << 16], dtype=np.uint64)
    keys, counts = verification_keys(np.concatenate([a, b]), np.array([3, 2]))
    assert counts.tolist() == [2, 2] and keys.tolist() == [5, 7, 5, 6]


def test_key_blobs_read_back_from_large_and_sliced_arrays():
    blobs = pa.Table.from_batches(list(signature_batches(iter([pa.RecordBatch.from_arrays(
        [pa.array(["a", "b", "c"]), pa.array([arabic_text(i, 30) for i in range(3)])], names=["doc_id", "text"])]),
        PARAMS, keep_shingles=True))).column("shingles").combine_chunks()
    want_keys, want_off = key_lists(blobs)
    for variant in (blobs.cast(pa.large_binary()), blobs.slice(1)):
        keys, off = key_lists(variant)
        first = 1 if len(variant) == 2 else 0
        for i in range(len(variant)):
            assert np.array_equal(keys[off[i]:off[i + 1]], want_keys[want_off[i + first]:want_off[i + first + 1]])


def test_spark_signatures_and_band_rows(spark):
    docs = spark.createDataFrame([("a", arabic_text(1, 50)), ("b", arabic_text(1, 50)), ("e", "  ")],
                                 "doc_id string, text string")
    sigs = compute_signatures(docs, PARAMS, keep_shingles=False)
    rows = {r["doc_id"]: r for r in sigs.collect()}
    assert set(rows) == {"a", "b"} and rows["a"]["bands"] == rows["b"]["bands"] and rows["a"]["shingles"] is None
    assert band_rows(sigs).count() == 2 * 6


def test_batch_shingles_equal_the_per_document_reference():
    from native_align.dedup.shingles import batch_shingles

    texts = [arabic_text(i, 40) for i in range(6)] + ["", "   ", None, "قصير جدا", "ا ب ج د ه", "a ـ b", "x_y z"]
    flat, sizes = batch_shingles(texts)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    for i, text in enumerate(texts):
        want = shingle_set(normalize_for_matching(text or ""))
        assert np.array_equal(flat[offsets[i]:offsets[i + 1]], want), text
