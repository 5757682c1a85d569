"""A fastText classifier trained on MLMA Arabic tweets (MIT), shipped quantized in ``resources/moderation``.

Why fastText: it was measured against its own variants and is what we can ship and run everywhere (docs/
moderation.md, "Classifier choice"): a 1.5 MB model, ~1,900 news articles a second on one CPU core, no torch; no
pretrained Arabic encoder can be fetched on our machines, and a transformer trained from scratch on 2,475 tweets
would have nothing to transfer.

What it scores, honestly: MLMA labels hostility, not sexual content or threats, so this scorer has exactly two
categories. ``profanity`` = P(hostile): any MLMA hostility (offensive, abusive, disrespectful, hateful, fearful;
no annotator said normal), i.e. insults and obscenity at anyone, a superset of group insults. ``insult_group`` =
P(hostile and aimed at a group identity), with the most probable target (religion, ethnicity, gender) on its span.
A softmax model is required (``loss='softmax'``): 1 - P(normal) is a probability only when labels compete.

By default a text is scored whole (as trained, and as a moderation API scores an input); with ``window_words`` > 0
it is scored in half-overlapping windows of that many words and each category takes its highest window, since
averaged over a long article a hostile paragraph disappears. Neither is good on long documents (measured in
docs/moderation.md): this model knows tweets. Flagged windows (or the whole text) come back as spans.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from native_align.moderation.base import ModerationResult, ModerationScorer, Span
from native_align.moderation.text import batch_tokens, model_text, raw_tokens

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "moderation"
DEFAULT_MODEL = RESOURCES / "mlma_ar.ftz"
PREFIX = "__label__"
NORMAL = "normal"
GROUP = "group"  # labels "group" or "group_<target>" are insults aimed at a group
# 0: the whole text at once, as trained and as a moderation API scores an input (measured trade-off of windows in
# docs/moderation.md: they find a hostile paragraph inside an article more often, and flag more clean news).
DEFAULT_WINDOW = 0
_PREDICT_CHUNK = 4096


@lru_cache(maxsize=4)
def load_model(path: str) -> Any:
    """A fastText model by path (cached per process: scoring batches in a Spark task must not reload it)."""
    import fasttext

    if not Path(path).is_file():
        raise FileNotFoundError(f"moderation classifier not found at {path}; train it with "
                                "python -m native_align.moderation.train")
    return fasttext.load_model(path)


def predict_proba(model: Any, lines: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Label names (without ``__label__``) and an (n, labels) probability matrix; always predicts on a list (the
    fasttext wheel with numpy 2 breaks on a single string)."""
    labels = [lab[len(PREFIX):] for lab in model.get_labels()]
    col = {lab: j for j, lab in enumerate(labels)}
    out = np.zeros((len(lines), len(labels)), dtype=np.float64)
    for lo in range(0, len(lines), _PREDICT_CHUNK):
        chunk = list(lines[lo:lo + _PREDICT_CHUNK])
        if not chunk:
            continue
        names, probs = model.predict(chunk, k=-1)
        for i, (row_names, row_probs) in enumerate(zip(names, probs)):
            for name, p in zip(row_names, row_probs):
                out[lo + i, col[name[len(PREFIX):]]] = p
    return labels, np.clip(out, 0.0, 1.0)


def windows(n: int, size: int) -> list[tuple[int, int]]:
    """Token ranges covering ``n`` tokens: one range when ``size`` <= 0 or the text is short, else windows of
    ``size`` tokens every ``size // 2`` (the last one ends at ``n``)."""
    if size <= 0 or n <= size:
        return [(0, n)]
    step = max(1, size // 2)
    starts = list(range(0, n - size + 1, step))
    if starts[-1] + size < n:
        starts.append(n - size)
    return [(s, s + size) for s in starts]


class ClassifierScorer(ModerationScorer):
    """``profanity`` (= P(hostile)) and ``insult_group`` from the MLMA fastText model; see the module docstring."""

    name = "classifier"
    # Chosen on the dev split with a model trained on train only (docs/moderation.md): MLMA is 72 % hostile, so
    # 0.5 flags 42 % of clean news; at 0.9 dev precision is 0.91 (recall 0.56). Group insults stay weak (dev
    # precision 0.55 at 0.7 against a base rate of 0.34): prefer the lexicon's insult_group.
    default_thresholds = {"profanity": 0.9, "insult_group": 0.7}

    def __init__(self, path: str | Path | None = None, thresholds: Mapping[str, float] | None = None,
                 window_words: int = DEFAULT_WINDOW):
        super().__init__(thresholds)
        self.path = str(path or DEFAULT_MODEL)
        self.window_words = int(window_words)
        self.model = load_model(self.path)
        self.labels = [lab[len(PREFIX):] for lab in self.model.get_labels()]
        if NORMAL not in self.labels:
            raise ValueError(f"{self.path}: a moderation model needs a '{NORMAL}' label, has {self.labels}")
        self.group_labels = [lab for lab in self.labels if lab == GROUP or lab.startswith(GROUP + "_")]
        self.categories = ("profanity", "insult_group") if self.group_labels else ("profanity",)

    def _category_scores(self, labels: list[str], probs: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """(n, categories) scores and, per row, the most probable group target ("" when unknown)."""
        col = {lab: j for j, lab in enumerate(labels)}
        cols = [1.0 - probs[:, col[NORMAL]]]
        targets = [""] * len(probs)
        if self.group_labels:
            group = probs[:, [col[g] for g in self.group_labels]]
            cols.append(group.sum(axis=1))
            names = [g[len(GROUP) + 1:] for g in self.group_labels]
            targets = [names[j] for j in group.argmax(axis=1)]
        return np.stack(cols, axis=1), targets

    def score(self, texts: Sequence[str | None]) -> list[ModerationResult]:
        token_lists = batch_tokens(texts)
        lines, owner, ranges = [], [], []
        for i, toks in enumerate(token_lists):
            for a, b in windows(len(toks), self.window_words):
                line = model_text(toks[a:b])
                if line:
                    lines.append(line)
                    owner.append(i)
                    ranges.append((a, b))
        labels, probs = predict_proba(self.model, lines) if lines else (self.labels, np.zeros((0, 1)))
        scores, targets = self._category_scores(labels, probs) if lines else (np.zeros((0, 2)), [])
        per_text: list[list[int]] = [[] for _ in texts]
        for row, i in enumerate(owner):
            per_text[i].append(row)
        out = []
        for i, rows in enumerate(per_text):
            if not rows:
                out.append(self.result({c: 0.0 for c in self.categories}))
                continue
            best = scores[rows].max(axis=0)
            result_scores = {c: float(best[j]) for j, c in enumerate(self.categories)}
            spans = self._spans(texts[i] or "", len(token_lists[i]), rows, ranges, scores, targets) \
                if any(result_scores[c] >= self.thresholds[c] for c in self.categories) else []
            out.append(self.result(result_scores, spans))
        return out

    def _spans(self, text: str, n_tokens: int, rows: list[int], ranges: list[tuple[int, int]],
               scores: np.ndarray, targets: list[str]) -> list[Span]:
        """Flagged windows as character spans of the original (overlapping windows of one category merged)."""
        raw = raw_tokens(text)
        if len(raw) != n_tokens:  # the batch and the per-word normalizer disagree (rare): no offsets to trust
            return []
        spans: list[Span] = []
        for j, cat in enumerate(self.categories):
            for row in rows:
                s = float(scores[row, j])
                if s < self.thresholds[cat]:
                    continue
                a, b = ranges[row]
                start, end = raw[a][1], raw[b - 1][2]
                target = targets[row] if cat == "insult_group" else ""
                last = spans[-1] if spans else None
                if last is not None and last.category == cat and start <= last.end:
                    start, s = last.start, max(s, last.score)
                    spans.pop()
                spans.append(Span(start, end, text[start:end], cat, target, s))
        return sorted(spans, key=lambda sp: (sp.start, sp.category))
