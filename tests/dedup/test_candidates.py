"""Bucket edges: all pairs in small buckets, pivots x members in giant ones, star without verification."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from native_align.dedup.candidates import bucket_edges, bucket_pair_batches, verify_edges
from native_align.dedup.minhash import shingle_set, verification_keys
from native_align.text.normalize import normalize_for_matching
from tests.dedup.conftest import arabic_text, edit_words


def _band_rows(members_by_bucket):
    return [(b, 1000 + b, d) for b, members in enumerate(members_by_bucket) for d in members]


SMALL = ["c", "a", "b"]
GIANT = [f"g{i:03d}" for i in range(40)]


def _pairs(rows, pair_cap, pivots, split=None):
    """bucket_pair_batches over the rows given as one batch (or cut in two at ``split``, as Spark may deliver them)."""
    band, band_hash, doc = (list(c) for c in zip(*rows))
    batch = pa.RecordBatch.from_arrays([pa.array(band, pa.int32()), pa.array(band_hash, pa.int64()), pa.array(doc)],
                                       names=["band", "band_hash", "doc_id"])
    batches = [batch] if split is None else [batch.slice(0, split), batch.slice(split)]
    out = list(bucket_pair_batches(iter(batches), pair_cap, pivots))
    return [(s, d) for b in out for s, d in zip(b.column("src").to_pylist(), b.column("dst").to_pylist())]


def test_pairs_pivots_and_star():
    rows = _band_rows([SMALL, GIANT, ["lonely"]])
    pairs = _pairs(rows, pair_cap=10, pivots=3)
    assert len(pairs) == len(set(pairs)) and all(a < b for a, b in pairs)
    assert {("a", "b"), ("a", "c"), ("b", "c")} <= set(pairs)
    giant_pairs = {p for p in pairs if p[0].startswith("g")}
    assert len(giant_pairs) == 39 + 38 + 37  # 3 pivots, not 40*39/2
    assert {("g000", "g039"), ("g002", "g003")} <= giant_pairs and ("g003", "g004") not in giant_pairs
    assert not any("lonely" in p for p in pairs)  # a bucket of one makes no pair
    star = set(_pairs(rows, pair_cap=None, pivots=3))
    assert len(star) == 2 + 39 and ("a", "b") in star and ("b", "c") not in star
    assert set(_pairs(rows, pair_cap=10, pivots=3, split=20)) == set(pairs)  # batches cut inside a bucket


def test_pairs_shared_by_several_bands_come_out_once(spark):
    rows = _band_rows([SMALL, SMALL, ["a", "c"], GIANT])
    assert sorted(_pairs(rows, 64, 4)).count(("a", "c")) == 1
    df = spark.createDataFrame(rows, "band int, band_hash long, doc_id string")
    got = [tuple(r) for r in bucket_edges(df, pair_cap=64, pivots=4).collect()]
    assert len(got) == len(set(got)) == 3 + 40 * 39 // 2


def test_verification_keeps_only_true_matches(spark):
    base = arabic_text(1, 200)
    texts = {"a": base, "b": edit_words(base, 1, 2), "c": arabic_text(2, 200)}
    rows = []
    for d, t in texts.items():
        sset = shingle_set(normalize_for_matching(t))
        keys, counts = verification_keys(sset, np.array([sset.size]))
        rows.append((d, int(counts[0]), [0], keys.astype("<u4").tobytes()))
    sigs = spark.createDataFrame(rows, "doc_id string, n_shingles int, bands array<bigint>, shingles binary")
    edges = spark.createDataFrame([("a", "b"), ("a", "c")], "src string, dst string")
    got = {(r["src"], r["dst"]): r["jaccard"] for r in verify_edges(edges, sigs, 0.8).collect()}
    assert set(got) == {("a", "b")} and 0.9 < got[("a", "b")] < 1.0
