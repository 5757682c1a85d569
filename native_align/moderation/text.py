"""The token views every scorer shares: what the lexicon matches, what the classifier reads, and where a token
sits in the original text (so spans point at the characters a guardrail or a reader sees).
"""

from __future__ import annotations

import re
from typing import Sequence

from native_align.text.normalize import normalize_batch, normalize_for_matching, words

# A letter (not a digit) written 3+ times in a row: elongation in tweets ("كلللب"); digits must stay ("1000").
_SQUEEZE = re.compile(r"([^\W\d_])\1{2,}")
# Words of the *original* text (tatweel and Quranic marks kept inside a word) for character offsets of spans.
_RAW_WORD = re.compile(r"[\w\u0640\u064b-\u065f\u0670\u06d6-\u06ed]+")
# MLMA's anonymisation placeholders: never in our corpora, so a model must not learn from them.
PLACEHOLDERS = frozenset({"user", "url"})


def squeeze(normalized: str) -> str:
    return _SQUEEZE.sub(r"\1", normalized)


def match_tokens(text: str) -> list[str]:
    """Tokens as the scorers compare them: normalized, elongation squeezed, split into words."""
    return words(squeeze(normalize_for_matching(text)))


def batch_tokens(texts: Sequence[str | None]) -> list[list[str]]:
    """``match_tokens`` of each text through the fast batch normalizer (None and "" give [])."""
    return [words(squeeze(norm)) for norm in normalize_batch(list(texts))]


def raw_tokens(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) per matcher token, with the character offsets of the original word it came from."""
    out = []
    for m in _RAW_WORD.finditer(text):
        for tok in match_tokens(m.group()):  # one raw word rarely folds into two (NFKC ligatures)
            out.append((tok, m.start(), m.end()))
    return out


def model_text(tokens: Sequence[str]) -> str:
    """One line for fastText: tokens without MLMA placeholders, space-joined (no newline can remain)."""
    return " ".join(t for t in tokens if t not in PLACEHOLDERS)
