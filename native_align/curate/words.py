"""Words of a batch: Arrow's split at ``[^\\pL\\pM\\pN]+`` without the regex, and their normalized vocabulary.

Why not the regex: Arrow's ``split_pattern_regex`` restarts RE2 at every separator, ~3M times a 10k-article batch,
and was the costliest step of curate after fastText (0.3 s a batch). The batch's class bytes (``chars.WORD``, taken
from RE2 itself) already say which code points separate words; their UTF-8 bytes are blanked to ASCII spaces in a
copy of the text buffer and Arrow's ``ascii_split_whitespace`` cuts the same words (5x cheaper). A word has no ASCII
whitespace in it, so the pieces are exactly the regex's non-empty pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from native_align.curate.chars import WORD
from native_align.text.normalize import normalize_batch


def utf8_view(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bytes of all values, value offsets into them starting at 0) of a ``large_string`` array without nulls."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    if bufs[2] is None or offsets[-1] == offsets[0]:
        return np.zeros(0, dtype=np.uint8), offsets - offsets[0]
    data = np.frombuffer(bufs[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return data, offsets - offsets[0]


_ASCII_SPACE = np.zeros(0x110000, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 32]] = True  # what ascii_split_whitespace splits at


def blank_separators(data: np.ndarray, cps: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """A copy of the UTF-8 ``data`` with every byte of every non-word code point that is not already an ASCII space
    set to an ASCII space (``cps``, ``classes``: the code points of ``data`` and their class bytes, in order)."""
    out = data.copy()
    sep = np.flatnonzero((classes & WORD) == 0)
    sep = sep[~_ASCII_SPACE[cps[sep]]]  # most separators are spaces and newlines already
    if not len(sep):
        return out
    lead = np.flatnonzero((data & 0xC0) != 0x80)  # byte offset of every code point
    if len(lead) != len(classes):
        raise ValueError(f"{len(classes)} class bytes for {len(lead)} code points")
    start = lead[sep]
    out[start] = 0x20
    width = np.where(sep + 1 < len(lead), lead[np.minimum(sep + 1, len(lead) - 1)], len(data)) - start
    for k in (1, 2, 3):  # continuation bytes of multi-byte separators (، » … NBSP)
        more = width > k
        if not more.any():
            break
        out[start[more] + k] = 0x20
    return out


def split_words(arr: pa.Array, cps: np.ndarray, classes: np.ndarray) -> pa.ListArray:
    """Per text, its words (maximal runs of ``WORD`` code points); may hold empty strings at a text's ends.
    ``cps``, ``classes``: the code points of all texts, concatenated, and their class bytes."""
    data, offsets = utf8_view(arr)
    blanked = blank_separators(data, cps, classes) if len(data) else data
    spaced = pa.LargeStringArray.from_buffers(len(arr), pa.py_buffer(offsets), pa.py_buffer(blanked.tobytes()))
    return pc.ascii_split_whitespace(spaced)


@dataclass
class Words:
    """Words of a batch in document order: raw vocabulary id, document, length in code points."""

    raw_ids: np.ndarray
    doc: np.ndarray
    length: np.ndarray
    raw_vocab: pa.Array  # distinct words in order of first occurrence

    @classmethod
    def of(cls, parts: pa.ListArray) -> "Words":
        enc = pc.dictionary_encode(parts.flatten())
        vocab, idx = enc.dictionary, enc.indices.to_numpy().astype(np.int64)
        vocab_len = pc.utf8_length(vocab).to_numpy().astype(np.int64)
        doc = pc.list_parent_indices(parts).to_numpy().astype(np.int64)
        keep = vocab_len[idx] > 0
        if not keep.all():
            idx, doc = idx[keep], doc[keep]
        if (vocab_len == 0).any():  # drop "" from the vocabulary, keeping first-occurrence order
            nonempty = vocab_len > 0
            remap = np.cumsum(nonempty) - 1
            idx, vocab, vocab_len = remap[idx], vocab.filter(pa.array(nonempty)), vocab_len[nonempty]
        return cls(raw_ids=idx, doc=doc, length=vocab_len[idx], raw_vocab=vocab)

    def normalized(self) -> tuple[np.ndarray, pa.Array]:
        """(each word's id in the vocabulary of normalized forms, that vocabulary), ids in order of first occurrence
        (``normalize_for_matching``: harakat, tatweel, hamza forms folded)."""
        if not len(self.raw_vocab):
            return np.zeros(0, dtype=np.int64), pa.array([], type=pa.large_string())
        norm = pa.array(normalize_batch(self.raw_vocab.to_pylist()), type=pa.large_string())
        enc = pc.dictionary_encode(norm)
        return enc.indices.to_numpy().astype(np.int64)[self.raw_ids], enc.dictionary
