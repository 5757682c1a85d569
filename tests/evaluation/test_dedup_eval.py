"""`native-align eval dedup`: the ground truth is exact (checked against brute force) and the scores mean what
they say (checked on hand-made clusterings), then one run of the command on the start of the real corpus."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from native_align.evaluation.dedup import (all_shingle_ids, ground_truth_pairs, load_corpus, prefix_candidates,
                                          score, shingle_ids)
from tests.dedup.conftest import arabic_text, edit_words


def _brute_force(texts, threshold):
    sets = [set(shingle_ids(t).tolist()) for t in texts]
    out = []
    for i, j in itertools.combinations(range(len(texts)), 2):
        if sets[i] or sets[j]:
            jac = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
            if jac >= threshold:
                out.append((i, j))
    return out


def test_prefix_filter_ground_truth_is_exact():
    base = [arabic_text(s, 300) for s in range(6)]
    texts = list(base)
    for s, b in enumerate(base):
        for edits in (1, 3, 6, 10):
            texts.append(edit_words(b, edits, seed=100 * s + edits))
    texts += ["نعم", "نعم", "لا"]
    got = [(a, b) for a, b, _ in ground_truth_pairs(texts, 0.8)]
    want = _brute_force(texts, 0.8)
    assert got == want and len(want) >= 12


def test_prefix_candidates_do_not_depend_on_chunking():
    """The 10x corpus expands its token groups in chunks; a chunk of 3 pairs must find the same candidates."""
    base = [arabic_text(s, 60) for s in range(5)]
    texts = base + [edit_words(b, 2, seed=s) for s, b in enumerate(base)] + [base[0], "نعم", "نعم"]
    sets = all_shingle_ids(texts)
    whole = prefix_candidates(sets, 0.8)
    assert whole.size >= 7 and np.array_equal(prefix_candidates(sets, 0.8, max_pairs=3), whole)


def test_scores_on_handmade_clusterings():
    ids = ["a", "b", "c", "d", "e"]
    gt = [(0, 1, 0.9), (1, 2, 0.85)]  # true component {a, b, c}: 2 ideal removals
    perfect = score(ids, gt, {"a": "a", "b": "a", "c": "a"}, {"b", "c"})
    assert perfect["doc_precision"] == perfect["doc_recall"] == perfect["pair_precision"] == 1.0
    # merging a false document e in removes it wrongly and adds false pairs
    merged = score(ids, gt, {"a": "a", "b": "a", "c": "a", "e": "a"}, {"b", "c", "e"})
    assert merged["doc_precision"] == pytest.approx(2 / 3) and merged["doc_recall"] == 1.0
    assert merged["pair_precision"] == pytest.approx(3 / 6)
    # finding only a~b misses one removal
    partial = score(ids, gt, {"a": "a", "b": "a"}, {"b"})
    assert partial["doc_recall"] == 0.5 and partial["pair_recall"] == pytest.approx(1 / 3)
    assert partial["gt_pairs_recalled"] == 0.5


def test_eval_command_on_corpus_start(shared_data, spark, tmp_path, capsys):
    from native_align.evaluation.dedup import main

    path = shared_data / "corpus" / "saudinewsnet.jsonl.gz"
    corpus = load_corpus(path, limit=600)
    assert len(corpus.doc_ids) > 500 and len(set(corpus.doc_ids)) == len(corpus.doc_ids)
    rc = main(["--limit", "600", "--modes", "verify", "--set", f"tables.checkpoint_dir={tmp_path}"])
    out = capsys.readouterr().out
    assert rc == 0 and "ground truth" in out and "ours[verify" in out
    line = next(l for l in out.splitlines() if l.startswith("ours[verify"))
    doc_p, doc_r = (float(x) for x in line.split()[4:6])
    assert doc_p >= 0.9 and doc_r >= 0.9
    assert np.isfinite(doc_p)
