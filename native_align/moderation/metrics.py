"""Binary classification figures without scikit-learn (not a dependency): P/R/F1 at a threshold, ROC AUC."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def roc_auc(y: Sequence[int], scores: Sequence[float]) -> float:
    """Probability that a random positive outranks a random negative (ties count half); NaN without both."""
    y = np.asarray(y, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties (1-based)
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def binary_metrics(y: Sequence[int], scores: Sequence[float], threshold: float = 0.5,
                   predicted: Sequence[bool] | None = None) -> dict[str, float]:
    """n, positives, flagged, precision, recall, f1, auc. Predicted positive: ``predicted`` when given (a scorer's
    own flag, thresholds per category), else score >= threshold; AUC always ranks by ``scores``."""
    y = np.asarray(y, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    pred = np.asarray(predicted, dtype=bool) if predicted is not None else s >= threshold
    tp = int((pred & y).sum())
    precision = tp / int(pred.sum()) if pred.any() else float("nan")
    recall = tp / int(y.sum()) if y.any() else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"n": int(len(y)), "positives": int(y.sum()), "flagged": int(pred.sum()), "precision": precision,
            "recall": recall, "f1": f1, "auc": roc_auc(y, s)}
