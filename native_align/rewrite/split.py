"""Cut long documents at paragraph boundaries so each piece, its prompt and its rewrite fit the context.

Why paragraphs: a rewrite must not merge or reorder facts across a cut, and paragraphs are where Arabic news and
web text already break. Lines are packed greedily into pieces of at most ``max_tokens`` (by the engine's own
tokenizer); a single paragraph longer than that is cut at sentence ends, and a sentence longer than that at word
boundaries (rare: lists or tables without punctuation). Pieces are rewritten separately and joined with newlines.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

CountTokens = Callable[[Sequence[str]], list[int]]
_SENTENCE_END = re.compile(r"(?<=[.!?؟۔…])\s+")


def _pack(units: list[str], counts: list[int], max_tokens: int, sep: str) -> list[str]:
    pieces: list[str] = []
    cur: list[str] = []
    cur_n = 0
    for unit, n in zip(units, counts):
        if cur and cur_n + n > max_tokens:
            pieces.append(sep.join(cur))
            cur, cur_n = [], 0
        cur.append(unit)
        cur_n += n
    if cur:
        pieces.append(sep.join(cur))
    return pieces


def _split_long(unit: str, max_tokens: int, count: CountTokens) -> list[str]:
    sentences = [s for s in _SENTENCE_END.split(unit) if s.strip()]
    if len(sentences) > 1:
        out = []
        for sent, n in zip(sentences, count(sentences)):
            out.extend([sent] if n <= max_tokens else _split_long(sent, max_tokens, count))
        return _pack(out, count(out), max_tokens, " ")
    words = unit.split()
    if len(words) <= 1:
        return [unit]  # one giant token run: nothing sensible to cut at; the engine reports it if too long
    half = len(words) // 2
    left, right = " ".join(words[:half]), " ".join(words[half:])
    out = []
    for part, n in zip((left, right), count([left, right])):
        out.extend([part] if n <= max_tokens else _split_long(part, max_tokens, count))
    return out


def split_document(text: str, max_tokens: int, count: CountTokens) -> list[str]:
    """Pieces of ``text``, each ≤ ``max_tokens`` where possible; a short document is one piece, unchanged."""
    text = text.strip()
    if not text:
        return [text]
    if count([text])[0] <= max_tokens:
        return [text]
    units = [line.strip() for line in text.splitlines() if line.strip()]
    expanded: list[str] = []
    for unit, n in zip(units, count(units)):
        expanded.extend([unit] if n <= max_tokens else _split_long(unit, max_tokens, count))
    return _pack(expanded, count(expanded), max_tokens, "\n")


def join_pieces(pieces: Sequence[str]) -> str:
    return "\n".join(p.strip() for p in pieces if p and p.strip())


def piece_budget(context_length: int, prompt_overhead: int, output_ratio: float, floor: int = 32) -> int:
    """Largest piece whose prompt (overhead + piece) and rewrite (≈ ratio × piece) fit the context together."""
    return max(floor, int((context_length - prompt_overhead) / (1.0 + output_ratio)))
