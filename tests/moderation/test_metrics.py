"""AUC and P/R/F1 against brute force on small cases."""

from __future__ import annotations

import itertools
import math
import random

from native_align.moderation.metrics import binary_metrics, roc_auc


def _brute_auc(y, s):
    pairs = [(a, b) for a, b in itertools.product(range(len(y)), repeat=2) if y[a] and not y[b]]
    return sum(1.0 if s[a] > s[b] else 0.5 if s[a] == s[b] else 0.0 for a, b in pairs) / len(pairs)


def test_auc_matches_pair_counting_with_ties():
    rng = random.Random(3)
    for _ in range(20):
        y = [rng.random() < 0.4 for _ in range(30)]
        y[0], y[1] = True, False
        s = [rng.choice([0.0, 0.25, 0.5, 0.75, 1.0]) for _ in range(30)]
        assert math.isclose(roc_auc(y, s), _brute_auc(y, s))
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_binary_metrics_threshold_and_own_flags():
    m = binary_metrics([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1], threshold=0.5)
    assert (m["flagged"], m["precision"], m["recall"], m["f1"], m["auc"]) == (2, 0.5, 0.5, 0.5, 0.75)
    m = binary_metrics([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1], predicted=[True, True, False, False])
    assert m["precision"] == 1.0 and m["recall"] == 1.0 and m["auc"] == 0.75
    assert math.isnan(binary_metrics([1, 0], [0.1, 0.2], threshold=0.9)["precision"])
