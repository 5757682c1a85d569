"""MinHash signatures and LSH band hashes with numpy, for a whole batch of documents at once (no Spark here).

Why this shape: per-document, per-permutation Python loops are what make MinHash slow. Here a batch's shingle
hashes are concatenated into one vector and hashed by every permutation in one broadcasted numpy expression,
then reduced to per-document minima with ``np.minimum.reduceat``.

Shingles: a 64-bit hash of each word (``word_hashes``, fixed seed), n consecutive word hashes mixed with
splitmix64, the top 48 bits kept.
48 bits so that a batch sorts (document, shingle) as one packed uint64 (16 bits of document index) instead of a
two-key lexsort (4x faster). Verification compares the top 32 bits of each shingle (``verification_keys``: what
the permutations hash too), which halves the data it moves; its error bound is in that function's docstring.

Permutations: Dietzfelbinger's multiply-add-shift h(x) = ((a*x + b) mod 2^64) >> 32 on the top 32 bits x of a
shingle, a and b uniform 64-bit from a fixed seed: a strongly universal (2-independent) family onto 32 bits, in
three numpy passes per element and 4-byte signature values. It replaced (a*x + b) mod (2^61 - 1) computed exactly
in 31-bit limbs (about fourteen passes): 5-7x less CPU for the signatures (docs/dedup.md), and the Jaccard
estimate stays unbiased (tested over many seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from native_align.text.normalize import words

_U64 = np.uint64
SHINGLE_BITS = 48
EMPTY = np.iinfo(np.uint32).max  # signature value of a document without shingles
# Max elements of the (permutations x shingles) matrix per chunk: 2^20 * 8 bytes = 8 MiB, cache-friendly
# (measured fastest among 2^18..2^22).
_CHUNK_ELEMENTS = 1 << 20
WORD_HASH_SEED = 0x5EED  # seed of word hashes (word_hashes): part of what fixes a signature


@dataclass(frozen=True)
class LshParams:
    """What fixes a signature: two runs with equal params give identical band hashes."""

    num_perm: int
    bands: int
    rows: int
    seed: int = 42
    shingle: str = "word"
    ngram: int = 5

    @classmethod
    def from_config(cls, cfg) -> "LshParams":
        """bands x rows from the config, or from datasketch's optimizer at ``cfg.lsh_threshold``."""
        if cfg.bands is not None:
            bands, rows = cfg.bands, cfg.rows
        else:
            from datasketch.lsh import _optimal_param

            bands, rows = _optimal_param(cfg.lsh_threshold, cfg.num_perm, cfg.fp_weight, cfg.fn_weight)
        return cls(num_perm=cfg.num_perm, bands=int(bands), rows=int(rows), seed=cfg.seed,
                   shingle=cfg.shingle, ngram=cfg.ngram)

    def candidate_probability(self, jaccard: float) -> float:
        """P(a pair with this Jaccard shares at least one band) = 1 - (1 - J^r)^b."""
        return 1.0 - (1.0 - jaccard ** self.rows) ** self.bands


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of every permutation h(x) = ((a*x + b) mod 2^64) >> 32: uniform uint64 from a fixed-seed generator."""
    rng = np.random.Generator(np.random.PCG64(seed))
    a = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True)
    b = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True)
    return a, b


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """A strong 64-bit finalizer (wrapping uint64 arithmetic is intended)."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def word_hashes(words: pa.Array) -> np.ndarray:
    """uint64 hash of every string of an Arrow string array, from its UTF-8 bytes, vectorized over all of them.

    Each byte is mixed with its position in the word (splitmix64 of byte | position << 8 | seed << 40) and a word
    hashes to the mix of the sum of its bytes' values with its length: order-sensitive, and distinct words collide
    about as often as random 64-bit values. One pass over a batch's vocabulary bytes, where xxh64 per word was a
    Python call per distinct word (150k in a batch of 10k articles)."""
    n = len(words)
    if not n:
        return np.empty(0, dtype=np.uint64)
    words = words.cast(pa.large_string()) if not pa.types.is_large_string(words.type) else words
    _, offsets, data = words.buffers()[:3]
    off = np.frombuffer(offsets, dtype=np.int64, count=n + 1, offset=words.offset * 8)
    raw = np.frombuffer(data, dtype=np.uint8, count=int(off[-1])) if data is not None else np.empty(0, np.uint8)
    raw = raw[off[0]:]
    lengths = np.diff(off)
    starts = off[:-1] - off[0]
    with np.errstate(over="ignore"):
        pos = np.arange(len(raw), dtype=np.uint64) - np.repeat(starts, lengths).astype(np.uint64)
        mixed = _splitmix64(raw.astype(np.uint64) | (pos << _U64(8)) | _U64(WORD_HASH_SEED << 40))
        sums = np.zeros(n, dtype=np.uint64)
        nonempty = lengths > 0
        if len(raw):
            sums[nonempty] = np.add.reduceat(mixed, starts[nonempty])
        return _splitmix64(sums ^ lengths.astype(np.uint64))


def _ngram_hashes(tokens: np.ndarray, n: int) -> np.ndarray:
    """Order-sensitive 48-bit hashes of every run of n consecutive token hashes (vectorized over k < n)."""
    with np.errstate(over="ignore"):
        if tokens.size < n:  # fewer tokens than n: the whole sequence is one shingle
            n = tokens.size
        count = tokens.size - n + 1
        h = _splitmix64(tokens[:count] ^ _U64(n))
        for k in range(1, n):
            h = _splitmix64(h * _U64(0x9E3779B97F4A7C15) + tokens[k:k + count])
    return h >> _U64(64 - SHINGLE_BITS)


def shingle_set(norm_text: str, shingle: str = "word", n: int = 5) -> np.ndarray:
    """Sorted unique uint64 shingle hashes of a *normalized* text; empty when it has no word (or no char).

    Texts shorter than n tokens become a single shingle (the whole token sequence), so very short documents
    can still match their exact copies and nothing is silently skipped.
    """
    if shingle == "word":
        toks = words(norm_text)
        if not toks:
            return np.empty(0, dtype=np.uint64)
        tok_hashes = word_hashes(pa.array(toks, pa.large_string()))
    elif shingle == "char":
        if not norm_text:
            return np.empty(0, dtype=np.uint64)
        tok_hashes = np.frombuffer(norm_text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    else:
        raise ValueError(f"unknown shingle kind {shingle!r}")
    return np.unique(_ngram_hashes(tok_hashes, n))


def signatures(sets: list[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """(len(sets), num_perm) uint32 MinHash signatures; a row of 2^32-1 for an empty set."""
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=len(sets))
    flat = np.concatenate(sets).astype(np.uint64, copy=False) if sets else np.empty(0, np.uint64)
    return signatures_flat(flat, sizes, num_perm, seed)


def signatures_flat(flat: np.ndarray, sizes: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """Signatures of documents given as one flat uint64 shingle array and the number of shingles of each."""
    a, b = permutations(num_perm, seed)
    a, b = a[:, None], b[:, None]
    x_all = flat >> _U64(SHINGLE_BITS - 32)  # the top 32 bits of each 48-bit shingle
    n_docs = len(sizes)
    out = np.full((n_docs, num_perm), EMPTY, dtype=np.uint32)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    per_chunk = max(1, _CHUNK_ELEMENTS // num_perm)
    doc = 0
    with np.errstate(over="ignore"):
        while doc < n_docs:
            # Whole documents until the chunk holds about per_chunk shingles (at least one document).
            stop = max(doc + 1, int(np.searchsorted(ends, starts[doc] + per_chunk, side="right")))
            docs = np.arange(doc, stop)
            docs = docs[sizes[docs] > 0]
            if docs.size:
                x = x_all[starts[docs[0]]:ends[docs[-1]]]
                # (num_perm, shingles) layout: the per-document min is a reduceat along contiguous memory.
                h = np.multiply(a, x[None, :])
                h += b
                h >>= _U64(32)
                mins = np.minimum.reduceat(h, starts[docs] - starts[docs[0]], axis=1)
                out[docs] = mins.T.astype(np.uint32)
            doc = stop
    return out


def band_hashes(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n_docs, bands) int64: one 64-bit hash of each band's `rows` signature values (band index mixed in)."""
    n = sig.shape[0]
    out = np.empty((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            h = np.full(n, _U64(band + 1) * _U64(0x9E3779B97F4A7C15), dtype=np.uint64)
            for j in range(band * rows, (band + 1) * rows):
                h = _splitmix64(h ^ sig[:, j].astype(np.uint64))
            out[:, band] = h
    return out.view(np.int64)


def verification_keys(flat: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shingle sets verification compares: the top 32 bits of each 48-bit shingle (the value the permutations
    hash), sorted and unique per document; (flat uint32 keys, count per document).

    32 bits halve what the signatures table stores and every verification join moves (the largest cost of dedup
    after shingling). The price: a pair of n1- and n2-shingle documents shares a spurious key with probability
    about n1*n2/2^32 (8e-5 for two 600-shingle documents), which raises its Jaccard by 1/union (< 0.002): a pair
    flips only when its true Jaccard lies that close below the threshold."""
    keys = (flat >> _U64(SHINGLE_BITS - 32)).astype(np.uint32)
    doc = np.repeat(np.arange(len(sizes)), sizes)
    fresh = np.ones(len(keys), dtype=bool)  # sorted within a document, so a repeat is its left neighbour
    fresh[1:] = (keys[1:] != keys[:-1]) | (doc[1:] != doc[:-1])
    return keys[fresh], np.bincount(doc[fresh], minlength=len(sizes)).astype(np.int64)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted unique hash arrays."""
    if a.size == 0 and b.size == 0:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / float(a.size + b.size - inter)
