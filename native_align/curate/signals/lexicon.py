"""Word-list signals: distinct stopwords (Gopher's "is this prose" test) and the bad-word ratio.

Lists are ours, short, and shipped in ``native_align/resources/wordlists``; point ``stopwords_path`` /
``badwords_path`` at bigger lists. Entries are matched as whole words on the normalized view (hamza/alef,
ya/alef maqsura, ta marbuta, harakat folded), so ``الى`` matches ``إلى``. A stopword entry that is not a word
(``،``, the Arabic comma in FineWeb-2's list) is counted as a substring.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import numpy as np
import pyarrow as pa

from native_align.curate.batch import TextBatch, safe_div
from native_align.curate.signals.base import Rule, SignalFamily
from native_align.text.normalize import normalize_for_matching, words

WORDLISTS = Path(__file__).resolve().parent.parent.parent / "resources" / "wordlists"


@lru_cache(maxsize=16)
def load_wordlist(path: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(normalized single-word entries, non-word entries) of a one-entry-a-line file; ``#`` starts a comment."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"word list not found: {p}")
    word_entries: set[str] = set()
    other: list[str] = []
    for line in p.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        norm = normalize_for_matching(entry)
        if words(norm) == [norm]:
            word_entries.add(norm)
        elif not words(norm):
            other.append(entry)
        else:  # phrases are not matched by this word-level signal: say so rather than silently ignore
            raise ValueError(f"{p}: entry {entry!r} is a phrase; this list takes single words")
    return frozenset(word_entries), tuple(other)


def distinct_per_doc(doc: np.ndarray, ids: np.ndarray, n_docs: int, n_ids: int | None = None) -> np.ndarray:
    """Per document, how many distinct ``ids`` occur. With ``n_ids`` (ids dense in [0, n_ids), a word list's few
    entries) a (doc x id) table of seen flags answers without sorting; otherwise a sort of (doc, id) keys."""
    if n_ids is not None and n_docs * n_ids <= 1 << 24:
        seen = np.zeros(n_docs * n_ids, dtype=bool)
        seen[doc * n_ids + ids] = True
        return np.count_nonzero(seen.reshape(n_docs, n_ids), axis=1)
    keys = np.sort((doc << 32) | ids)
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return np.bincount((keys[first] >> 32).astype(np.int64), minlength=n_docs)


class Lexicon(SignalFamily):
    stopwords_path: str | None = None  # None: resources/wordlists/ar_stopwords.txt
    badwords_path: str | None = None  # None: resources/wordlists/ar_badwords.txt
    min_stopwords: int | None = 2
    max_badword_ratio: float | None = 0.01

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {"stopword_count": pa.int64(), "badword_ratio": pa.float64()}

    def _path(self, given: str | None, default: str) -> str:
        return str(Path(given).expanduser()) if given else str(WORDLISTS / default)

    def compute(self, b: TextBatch) -> dict[str, np.ndarray]:
        stop_words, stop_other = load_wordlist(self._path(self.stopwords_path, "ar_stopwords.txt"))
        bad_words, _ = load_wordlist(self._path(self.badwords_path, "ar_badwords.txt"))
        ids, doc = b.word_ids, b.word_doc
        stop_vocab = b.vocab_mask(stop_words)
        dense = np.cumsum(stop_vocab) - 1  # stopwords of the vocabulary numbered 0..k-1
        is_stop = stop_vocab[ids]
        stop_count = distinct_per_doc(doc[is_stop], dense[ids[is_stop]], b.n, int(stop_vocab.sum()))
        for entry in stop_other:
            stop_count = stop_count + b.contains(entry)
        is_bad = b.vocab_mask(bad_words)[ids]
        bad = np.bincount(doc[is_bad], minlength=b.n)
        return {"stopword_count": stop_count.astype(np.int64), "badword_ratio": safe_div(bad, b.n_words)}

    def rules(self) -> list[Rule]:
        return [
            Rule("gopher_stopwords", "stopword_count", "min", self.min_stopwords),
            Rule("badword_ratio", "badword_ratio", "max", self.max_badword_ratio),
        ]
