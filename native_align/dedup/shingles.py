"""Shingle sets of a whole batch of texts at once: normalization, word splitting, hashing and n-gram mixing as a
handful of Arrow/numpy passes instead of a Python loop per document and per word.

The result is identical to ``minhash.shingle_set(normalize_for_matching(text))`` for every text (a test holds
both paths to that): the batch is normalized by ``normalize_batch`` (one table lookup over all code points),
every non-word character turned into a space in the same table pass (the word characters are those of
``normalize.words``), split on single spaces by Arrow, each *distinct* word is hashed once
(``minhash.word_hashes``, vectorized over the vocabulary's bytes), and the n-gram hashes of all documents are mixed
in one vectorized pass over the flat token array, keeping the n-grams that do not cross a document boundary; one
packed sort makes each document's shingles sorted and unique.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from native_align.dedup.minhash import SHINGLE_BITS, _ngram_hashes, shingle_set, word_hashes
from native_align.text.normalize import normalize_batch

MAX_DOCS = 1 << (64 - SHINGLE_BITS)  # documents per packed sort: the index takes the bits a shingle leaves


def batch_shingles(texts: Sequence[str | None], shingle: str = "word", n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(flat uint64 shingle hashes, sorted and unique within each document, in document order; count per text)."""
    if len(texts) > MAX_DOCS:
        parts = [batch_shingles(texts[i:i + MAX_DOCS], shingle, n) for i in range(0, len(texts), MAX_DOCS)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    if shingle != "word":  # character shingles: per text (an option, not the default path)
        sets = [shingle_set(t, shingle, n) for t in normalize_batch(texts)]
        sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
        flat = np.concatenate(sets) if sets else np.empty(0, np.uint64)
        return flat.astype(np.uint64, copy=False), sizes
    words_view = normalize_batch(texts, words_only=True)  # words joined by single spaces
    n_docs = len(words_view)
    parts = pc.split_pattern(pa.array(words_view, pa.large_string()), " ")
    flat_words = parts.flatten()
    doc = pc.list_parent_indices(parts).to_numpy().astype(np.int64)
    nonempty = pc.greater(pc.binary_length(flat_words), 0)
    flat_words = flat_words.filter(nonempty)
    doc = doc[nonempty.to_numpy(zero_copy_only=False)]
    if len(doc) == 0:
        return np.empty(0, np.uint64), np.zeros(n_docs, np.int64)
    enc = pc.dictionary_encode(flat_words)
    tokens = word_hashes(enc.dictionary)[enc.indices.to_numpy()]
    n_tokens = np.bincount(doc, minlength=n_docs)

    # n-grams inside one document: start i is valid when token i + n - 1 belongs to the same document.
    hashes, owner = [], []
    if len(tokens) >= n:
        h = _ngram_hashes(tokens, n)
        starts = np.arange(len(h))
        ok = doc[starts + n - 1] == doc[starts]
        hashes.append(h[ok])
        owner.append(doc[:len(h)][ok])
    # Documents shorter than n tokens are one shingle: their whole token sequence (as shingle_set does).
    offsets = np.concatenate([[0], np.cumsum(n_tokens)])
    for d in np.flatnonzero((n_tokens > 0) & (n_tokens < n)):
        hashes.append(_ngram_hashes(tokens[offsets[d]:offsets[d + 1]], n))
        owner.append(np.array([d], dtype=np.int64))
    # (document, shingle) packed in one uint64 (shingles are 48-bit): one plain sort groups by document and
    # orders each document's shingles; equal neighbours are repeats.
    packed = np.concatenate(hashes)
    packed |= np.concatenate(owner).astype(np.uint64) << np.uint64(SHINGLE_BITS)
    packed.sort()
    first = np.ones(len(packed), dtype=bool)
    first[1:] = packed[1:] != packed[:-1]
    packed = packed[first]
    counts = np.bincount((packed >> np.uint64(SHINGLE_BITS)).astype(np.int64), minlength=n_docs)
    return packed & np.uint64((1 << SHINGLE_BITS) - 1), counts.astype(np.int64)
