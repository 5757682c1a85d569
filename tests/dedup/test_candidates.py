"""Bucket edges: all pairs in small buckets, pivots x members in giant ones, star without verification."""

from __future__ import annotations

import numpy as np

from native_align.dedup.candidates import bucket_edges, buckets, verify_edges
from native_align.dedup.minhash import shingle_set, verification_keys
from native_align.text.normalize import normalize_for_matching
from tests.dedup.conftest import arabic_text, edit_words


def _bands(spark, members_by_bucket):
    rows = [(b, 1000 + b, d) for b, members in enumerate(members_by_bucket) for d in members]
    return spark.createDataFrame(rows, "band int, band_hash long, doc_id string")


def test_pairs_pivots_and_star(spark):
    small = ["c", "a", "b"]
    giant = [f"g{i:03d}" for i in range(40)]
    bk = buckets(_bands(spark, [small, giant, ["lonely"]]))
    assert bk.count() == 2  # singleton bucket dropped
    pairs = {tuple(r) for r in bucket_edges(bk, pair_cap=10, pivots=3).collect()}
    assert {("a", "b"), ("a", "c"), ("b", "c")} <= pairs
    giant_pairs = {p for p in pairs if p[0].startswith("g")}
    assert len(giant_pairs) == 39 + 38 + 37  # 3 pivots, not 40*39/2
    assert all(a < b for a, b in pairs)
    star = {tuple(r) for r in bucket_edges(bk, pair_cap=None, pivots=3).collect()}
    assert len(star) == 2 + 39 and ("a", "b") in star and ("b", "c") not in star


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
