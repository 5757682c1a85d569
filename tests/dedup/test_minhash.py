"""MinHash core (numpy only): exactness of the hash arithmetic, estimator quality, shingling edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from native_align.dedup.config import DedupConfig
from native_align.dedup.minhash import (LshParams, _LO_MASK, _U64, _mod_mersenne, _mulmod_add, band_hashes, jaccard,
                                        permutations, shingle_set, signatures)
from native_align.text.normalize import normalize_for_matching
from tests.dedup.conftest import arabic_text, edit_words

P = (1 << 61) - 1


def test_mulmod_is_exact_against_python_integers():
    a, b = permutations(8, seed=3)
    x = _mod_mersenne(np.random.default_rng(0).integers(0, 2**63, size=200, dtype=np.uint64)
                      * np.uint64(2) + np.uint64(1))
    got = _mulmod_add((a >> _U64(31))[:, None], (a & _LO_MASK)[:, None], b[:, None],
                      (x >> _U64(31))[None, :], (x & _LO_MASK)[None, :])
    want = np.array([[(int(ai) * int(xi) + int(bi)) % P for xi in x] for ai, bi in zip(a, b)], dtype=np.uint64)
    assert np.array_equal(got, want)


def test_signature_equals_bruteforce_minimum():
    sets = [shingle_set(normalize_for_matching(arabic_text(i, 30))) for i in range(3)] + [np.empty(0, np.uint64)]
    sig = signatures(sets, 16, seed=7)
    a, b = permutations(16, seed=7)
    for row, s in zip(sig, sets[:3]):
        want = [min((int(ai) * (int(x) % P) + int(bi)) % P for x in s) for ai, bi in zip(a, b)]
        assert row.tolist() == want
    assert (sig[3] == np.iinfo(np.uint64).max).all()


def test_estimate_tracks_true_jaccard():
    base = normalize_for_matching(arabic_text(1, 400))
    for edits, tol in ((5, 0.06), (40, 0.08)):
        a, b = shingle_set(base), shingle_set(normalize_for_matching(edit_words(base, edits, seed=edits)))
        sig = signatures([a, b], 512, seed=1)
        assert abs(float((sig[0] == sig[1]).mean()) - jaccard(a, b)) < tol


def test_short_and_empty_texts():
    assert shingle_set("").size == 0
    assert shingle_set("   ").size == 0
    # Fewer words than n: the whole sequence is one shingle, and it differs from a different short text.
    one, two = shingle_set("السلام عليكم"), shingle_set("عليكم السلام")
    assert one.size == 1 and two.size == 1 and one[0] != two[0]
    assert shingle_set("ا ب ج د ه").size == 1  # exactly n words: one shingle
    assert shingle_set("ا ب ج د ه و").size == 2
    assert shingle_set("abcdef", "char", 5).size == 2
    with pytest.raises(ValueError):
        shingle_set("x", "sentence", 5)


def test_band_hashes_deterministic_and_band_specific():
    sets = [shingle_set(normalize_for_matching(arabic_text(i, 50))) for i in range(4)]
    one = band_hashes(signatures(sets, 32, 42), 8, 4)
    two = band_hashes(signatures(sets, 32, 42), 8, 4)
    assert one.dtype == np.int64 and one.shape == (4, 8)
    assert np.array_equal(one, two)
    same = band_hashes(np.zeros((1, 32), dtype=np.uint64), 8, 4)
    assert len(set(same[0].tolist())) == 8  # equal band contents in different bands never collide


def test_params_from_datasketch_optimizer():
    p = LshParams.from_config(DedupConfig())
    assert p.bands * p.rows <= p.num_perm
    assert p.candidate_probability(0.8) > 0.98  # recall-oriented: verification removes the extra candidates
    fixed = LshParams.from_config(DedupConfig(bands=14, rows=8, num_perm=112))
    assert (fixed.bands, fixed.rows) == (14, 8) and round(fixed.candidate_probability(0.8), 2) == 0.92
    with pytest.raises(ValueError):
        DedupConfig(bands=20, rows=8, num_perm=112)
