"""Gopher repetition rules: duplicate lines/paragraphs, top n-grams, duplicate n-grams (FineWeb-2 ``arb_Arab``).

Definitions (denominator: characters of the document, as in Gopher/datatrove):
- ``dup_line_frac``: lines that repeat an earlier line of the doc / non-empty lines; ``dup_line_char_frac``: their
  characters. Same for paragraphs (blank-line separated).
- ``top_{n}gram_frac`` (n=2..4): count x characters (words joined by spaces) of the most frequent word n-gram
  (first seen wins ties). 0 when no n-gram repeats: a text without repetition has no repetition, however short.
- ``dup_{n}gram_frac`` (n=5..10): characters of the words covered by every occurrence, after the first, of a
  repeated n-gram (the union of those spans; datatrove walks them greedily, which can only cover less).
N-grams are over the normalized words (harakat, tatweel, hamza and ya/ta-marbuta variants folded) and are
counted as 64-bit hashes. Only positions whose shorter n-gram repeats can start a repeated longer n-gram, so n > 2
only extends those candidates' hashes by one word. A batch is worked a few hundred thousand words at a time (whole
documents per slice: an n-gram never leaves its document), which keeps the arrays and the hash table in cache:
6x cheaper than one factorize over a batch's 3M bigrams, and no page faults for fresh 25 MB arrays.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field, field_validator

from native_align.curate.batch import Pieces, TextBatch, safe_div
from native_align.curate.chars import doc_slices
from native_align.curate.signals.base import Rule, SignalFamily

_MULT = np.uint64(0x9E3779B97F4A7C15)
_SEED = 0x5EED
# Words per slice of whole documents: a slice's n-gram arrays (~0.5 MB each) stay in cache and reuse freed heap
# memory; a whole 10k-article batch's (~25 MB each) cost more in page faults than in arithmetic.
SLICE_WORDS = 1 << 16


def _hash_table(size: int) -> np.ndarray:
    """A random 64-bit value per vocabulary id (structure-free inputs for the n-gram hash)."""
    rng = np.random.default_rng(_SEED)
    return rng.integers(0, np.iinfo(np.uint64).max, size=max(size, 1), dtype=np.uint64, endpoint=True)


class _NGrams:
    """Word n-gram hashes of a run of whole documents, grown one word at a time (``doc`` counts from 0 in the run,
    ``doc_offsets``: each document's first word, and the end)."""

    def __init__(self, h: np.ndarray, doc: np.ndarray, wlen: np.ndarray, doc_offsets: np.ndarray):
        self.h = h
        self.doc = doc
        self.wlen_cum = np.concatenate([[0], np.cumsum(wlen)])
        self.n = len(h)
        # words from each position to the end of its document (an n-gram must fit in there)
        self.left = doc_offsets[1:][self.doc] - np.arange(self.n)

    def extend(self, pos: np.ndarray, keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(n-1)-gram hashes at ``pos`` -> (positions whose n-gram stays inside one document, their n-gram hashes).
        The hash of words w1..wn is ((w1 * M ^ w2) * M ^ ...) ^ wn; ``with_doc`` adds the document."""
        fits = self.left[pos] >= n
        pos, keys = pos[fits], keys[fits]
        with np.errstate(over="ignore"):
            return pos, (keys * _MULT) ^ self.h[pos + n - 1]

    def with_doc(self, pos: np.ndarray, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return keys * _MULT + self.doc[pos].astype(np.uint64)

    def chars(self, pos: np.ndarray, n: int) -> np.ndarray:
        return self.wlen_cum[pos + n] - self.wlen_cum[pos]


def later_occurrence(codes: np.ndarray) -> np.ndarray:
    """True where a code has occurred before (codes numbered in order of first occurrence, as factorize does)."""
    out = np.zeros(len(codes), dtype=bool)
    if len(codes) > 1:
        out[1:] = codes[1:] <= np.maximum.accumulate(codes)[:-1]
    return out


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
        table = _hash_table(int(b.word_ids.max()) + 1)
        off = b.word_offsets
        for d0, d1 in doc_slices(off, SLICE_WORDS):  # n-grams never cross documents: slices are independent
            w0, w1 = off[d0], off[d1]
            ng = _NGrams(table[b.word_ids[w0:w1]], b.word_doc[w0:w1] - d0, b.word_len[w0:w1], off[d0:d1 + 1] - w0)
            self._ngram_slice(ng, b.n_chars[d0:d1], {k: v[d0:d1] for k, v in out.items()})
        return out

    def _ngram_slice(self, ng: _NGrams, n_chars: np.ndarray, out: dict[str, np.ndarray]) -> None:
        """The n-gram columns of one run of documents, written into ``out`` (views of the batch's columns)."""
        pos, keys = np.arange(ng.n, dtype=np.int64), ng.h
        for n in range(2, 11):
            pos, keys = ng.extend(pos, keys, n)
            if len(pos) == 0:
                break
            codes = pd.factorize(ng.with_doc(pos, keys))[0]
            counts = np.bincount(codes)[codes]
            if n <= 4:
                out[f"top_{n}gram_frac"][:] = safe_div(self._top(ng, pos, counts, n, len(n_chars)), n_chars)
            else:
                out[f"dup_{n}gram_frac"][:] = safe_div(self._covered_chars(ng, pos[later_occurrence(codes)], n,
                                                                           len(n_chars)), n_chars)
            again = counts >= 2  # only these can start a repeated (n+1)-gram
            pos, keys = pos[again], keys[again]

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
    def _covered_chars(ng: _NGrams, starts: np.ndarray, n: int, n_docs: int) -> np.ndarray:
        """Characters of the words inside the union of the [start, start + n) spans (ascending starts), per
        document: spans of one length merge while each starts before the previous one ends."""
        if len(starts) == 0:
            return np.zeros(n_docs)
        new_block = np.ones(len(starts), dtype=bool)
        new_block[1:] = starts[1:] >= starts[:-1] + n
        first = np.flatnonzero(new_block)
        last = np.r_[first[1:], len(starts)] - 1
        chars = ng.wlen_cum[starts[last] + n] - ng.wlen_cum[starts[first]]
        return np.bincount(ng.doc[starts[first]], weights=chars, minlength=n_docs)

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
