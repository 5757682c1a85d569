"""Cut a curated document into paragraph-level chunks: the clean targets of training pairs.

Splitting itself is the rewrite stage's (``split_document``: paragraphs, then sentences, then words), so a worker
trained on these chunks sees the same kind of piece it will rewrite. What is chunk-specific: a floor as well as a
ceiling (a short piece is topped up with lines of the piece before it, else dropped), and prose checks (enough
words, ends with a sentence end), because a pair is worth training on only if its target is good text.
"""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Sequence

from native_align.rewrite.split import CountTokens, split_document

# A sentence end, optionally followed by closing quotes or brackets, at the very end of a chunk.
_ENDS_SENTENCE = re.compile(r"[.!?؟…۔][\"'»”)\]]*\s*$")
_WORD = re.compile(r"\w+")


def estimate_tokens(texts: Sequence[str], chars_per_token: float = 3.0) -> list[int]:
    """Tokens by characters (spaces included): the default counter when the worker's tokenizer is not at hand."""
    return [math.ceil(len(t) / chars_per_token) for t in texts]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text))


def _top_up(pieces: list[str], count: CountTokens, min_tokens: int, max_tokens: int) -> list[str]:
    """Move trailing lines of the previous piece into a piece below ``min_tokens`` while both stay in budget.

    Greedy packing leaves short pieces only after a cut (a document's tail, or before a long paragraph), and
    merging can never fit there, so balancing the two neighbours is the only way to keep the text.
    """
    out = list(pieces)
    for i in range(1, len(out)):
        prev_lines = out[i - 1].split("\n")
        cur = out[i]
        while len(prev_lines) > 1 and count([cur])[0] < min_tokens:
            moved = prev_lines[-1] + "\n" + cur
            rest = "\n".join(prev_lines[:-1])
            n_moved, n_rest = count([moved, rest])
            if n_moved > max_tokens or n_rest < min_tokens:
                break
            prev_lines, cur = prev_lines[:-1], moved
        out[i - 1], out[i] = "\n".join(prev_lines), cur
    return out


def keep_chunk(text: str, tokens: int, min_tokens: int = 64, min_words: int = 12,
               require_sentence_end: bool = True) -> bool:
    """Whether a piece is good enough to be a target."""
    if tokens < min_tokens or word_count(text) < min_words:
        return False
    return ends_sentence(text) or not require_sentence_end


def chunk_document(text: str, max_tokens: int = 160, min_tokens: int = 64, min_words: int = 12,
                   require_sentence_end: bool = True, count_tokens: CountTokens | None = None,
                   chars_per_token: float = 3.0) -> list[str]:
    """The chunks of ``text`` within [min_tokens, max_tokens], in document order; pieces that fail the prose checks
    (or a single unsplittable run over the budget) are left out. ``count_tokens`` defaults to
    :func:`estimate_tokens` at ``chars_per_token``."""
    count = count_tokens or partial(estimate_tokens, chars_per_token=chars_per_token)
    text = text.strip()
    if not text:
        return []
    pieces = split_document(text, max_tokens, count)
    pieces = _top_up(pieces, count, min_tokens, max_tokens)
    counts = count(pieces)
    return [p for p, n in zip(pieces, counts)
            if n <= max_tokens and keep_chunk(p, n, min_tokens, min_words, require_sentence_end)]
