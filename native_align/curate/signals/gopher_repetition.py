"""Gopher repetition rules: duplicate lines/paragraphs, top n-grams, duplicate n-grams (FineWeb-2 ``arb_Arab``).

Definitions (denominator: characters of the document, as in Gopher/datatrove):
- ``dup_line_frac``: lines that repeat an earlier line of the doc / non-empty lines; ``dup_line_char_frac``: their
  characters. Same for paragraphs (blank-line separated).
- ``top_{n}gram_frac`` (n=2..4): count x characters (words joined by spaces) of the most frequent word n-gram
  (first seen wins ties). 0 when no n-gram repeats: a text without repetition has no repetition, however short.
- ``dup_{n}gram_frac`` (n=5..10): characters of the words covered by every occurrence, after the first, of a
  repeated n-gram (the union of those spans; datatrove walks them greedily, which can only cover less).
N-grams are over the normalized words (harakat, tatweel, hamza and ya/ta-marbuta variants folded) and are
counted as 64-bit hashes for the whole batch at once. Only positions whose shorter n-gram repeats can start a
repeated longer n-gram, so n > 2 only hashes those candidates.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field, field_validator

from native_align.curate.batch import Pieces, TextBatch, safe_div
from native_align.curate.signals.base import Rule, SignalFamily

_MULT = np.uint64(0x9E3779B97F4A7C15)
_SEED = 0x5EED


def _word_hashes(ids: np.ndarray) -> np.ndarray:
    """A random 64-bit value per vocabulary id (structure-free inputs for the n-gram hash)."""
    rng = np.random.default_rng(_SEED)
    table = rng.integers(0, np.iinfo(np.uint64).max, size=int(ids.max()) + 1 if len(ids) else 1,
                         dtype=np.uint64, endpoint=True)
    return table[ids]


class _NGrams:
    """Word n-gram hashes at chosen start positions of a batch's flat word array."""

    def __init__(self, b: TextBatch):
        self.h = _word_hashes(b.word_ids)
        self.doc = b.word_doc
        self.wlen_cum = np.concatenate([[0], np.cumsum(b.word_len)])
        self.n = len(self.h)

    def keys(self, pos: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions whose n-gram stays inside one document, their n-gram hashes)."""
        pos = pos[pos + n - 1 < self.n]
        pos = pos[self.doc[pos + n - 1] == self.doc[pos]]
        k = self.h[pos].copy()
        with np.errstate(over="ignore"):
            for j in range(1, n):
                k = (k * _MULT) ^ self.h[pos + j]
            k = k * _MULT + self.doc[pos].astype(np.uint64)
        return pos, k

    def chars(self, pos: np.ndarray, n: int) -> np.ndarray:
        return self.wlen_cum[pos + n] - self.wlen_cum[pos]


def _repeat_stats(p: Pieces) -> tuple[np.ndarray, np.ndarray]:
    rep = p.is_repeat
    return p.sum(rep), p.sum(rep, p.length)


class GopherRepetition(SignalFamily):
    max_dup_line_frac: float | None = 0.304
    # FineWeb-2 turns these three off (extracted pages have few paragraphs; FineWeb quality covers lines).
    # Gopher's values, to turn them on: 0.2, 0.3, 0.2.
    max_dup_line_char_frac: float | None = None
    max_dup_para_frac: float | None = None
    max_dup_para_char_frac: float | None = None
    max_top_ngram_frac: dict[int, float | None] = Field(default_factory=lambda: {2: 0.197, 3: 0.172, 4: 0.146})
    max_dup_ngram_frac: dict[int, float | None] = Field(default_factory=lambda: {
        5: 0.165, 6: 0.153, 7: 0.142, 8: 0.131, 9: 0.12, 10: 0.109})

    @field_validator("max_top_ngram_frac")
    @classmethod
    def _top_sizes(cls, v: dict[int, float | None]) -> dict[int, float | None]:
        if not set(v) <= {2, 3, 4}:
            raise ValueError(f"top n-gram sizes must be among 2, 3, 4; got {sorted(v)}")
        return v

    @field_validator("max_dup_ngram_frac")
    @classmethod
    def _dup_sizes(cls, v: dict[int, float | None]) -> dict[int, float | None]:
        if not set(v) <= set(range(5, 11)):
            raise ValueError(f"duplicate n-gram sizes must be among 5..10; got {sorted(v)}")
        return v

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {
        "dup_line_frac": pa.float64(), "dup_line_char_frac": pa.float64(),
        "dup_para_frac": pa.float64(), "dup_para_char_frac": pa.float64(),
        **{f"top_{n}gram_frac": pa.float64() for n in (2, 3, 4)},
        **{f"dup_{n}gram_frac": pa.float64() for n in range(5, 11)},
    }

    def compute(self, b: TextBatch) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        line_rep, line_rep_chars = _repeat_stats(b.lines)
        out["dup_line_frac"] = safe_div(line_rep, b.lines.count)
        out["dup_line_char_frac"] = safe_div(line_rep_chars, b.n_chars)
        para_rep, para_rep_chars = _repeat_stats(b.paragraphs)
        out["dup_para_frac"] = safe_div(para_rep, b.paragraphs.count)
        out["dup_para_char_frac"] = safe_div(para_rep_chars, b.n_chars)
        out.update(self._ngram_columns(b))
        return out

    def _ngram_columns(self, b: TextBatch) -> dict[str, np.ndarray]:
        out = {f"top_{n}gram_frac": np.zeros(b.n) for n in (2, 3, 4)}
        out.update({f"dup_{n}gram_frac": np.zeros(b.n) for n in range(5, 11)})
        if len(b.word_ids) == 0:
            return out
        ng = _NGrams(b)
        cand = np.arange(ng.n, dtype=np.int64)
        for n in range(2, 11):
            pos, keys = ng.keys(cand, n)
            if len(pos) == 0:
                break
            codes, _ = pd.factorize(keys)
            counts = np.bincount(codes)[codes]
            if n <= 4:
                out[f"top_{n}gram_frac"] = safe_div(self._top(ng, pos, counts, n, b.n), b.n_chars)
            else:
                repeat = pd.Series(keys).duplicated(keep="first").to_numpy()
                out[f"dup_{n}gram_frac"] = safe_div(self._covered_chars(b, pos[repeat], n), b.n_chars)
            cand = pos[counts >= 2]  # only these can start a repeated (n+1)-gram
        return out

    @staticmethod
    def _top(ng: _NGrams, pos: np.ndarray, counts: np.ndarray, n: int, n_docs: int) -> np.ndarray:
        """count x chars of each doc's most frequent n-gram (first seen on ties), 0 when nothing repeats."""
        out = np.zeros(n_docs)
        rep = counts >= 2
        pos, counts = pos[rep], counts[rep]
        if len(pos) == 0:
            return out
        doc = ng.doc[pos]  # ascending: positions are in document order
        starts = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
        docs = doc[starts]
        best = np.zeros(n_docs, dtype=np.int64)
        best[docs] = np.maximum.reduceat(counts, starts)
        top = np.flatnonzero(counts == best[doc])
        first = top[np.r_[True, doc[top][1:] != doc[top][:-1]]]
        out[doc[first]] = (ng.chars(pos[first], n) + (n - 1)) * counts[first]
        return out

    @staticmethod
    def _covered_chars(b: TextBatch, starts: np.ndarray, n: int) -> np.ndarray:
        """Characters of the words inside the union of [start, start + n) spans, per document."""
        size = len(b.word_len) + 1
        diff = np.bincount(starts, minlength=size) - np.bincount(starts + n, minlength=size)
        covered = np.cumsum(diff[:-1]) > 0
        return np.bincount(b.word_doc, weights=np.where(covered, b.word_len, 0), minlength=b.n)

    def rules(self) -> list[Rule]:
        rules = [
            Rule("rep_dup_line_frac", "dup_line_frac", "max", self.max_dup_line_frac),
            Rule("rep_dup_line_char_frac", "dup_line_char_frac", "max", self.max_dup_line_char_frac),
            Rule("rep_dup_para_frac", "dup_para_frac", "max", self.max_dup_para_frac),
            Rule("rep_dup_para_char_frac", "dup_para_char_frac", "max", self.max_dup_para_char_frac),
        ]
        rules += [Rule(f"rep_top_{n}gram", f"top_{n}gram_frac", "max", t) for n, t in sorted(self.max_top_ngram_frac.items())]
        rules += [Rule(f"rep_dup_{n}gram", f"dup_{n}gram_frac", "max", t) for n, t in sorted(self.max_dup_ngram_frac.items())]
        return rules
