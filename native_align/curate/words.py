"""Words of a batch: Arrow's split at ``[^\\pL\\pM\\pN]+`` without the regex, and their normalized vocabulary.

Why not the regex: Arrow's ``split_pattern_regex`` restarts RE2 at every separator, ~3M times a 10k-article batch,
and was the costliest step of curate after fastText (0.3 s a batch). The batch's class bytes (``chars.WORD``, taken
from RE2 itself) already say which code points separate words; their UTF-8 bytes are blanked to ASCII spaces in a
copy of the text buffer (``chars.blank_separators``, in the batch's per-character pass) and Arrow's
``ascii_split_whitespace`` cuts the same words (5x cheaper). A word has no ASCII whitespace in it, so the pieces
are exactly the regex's non-empty pieces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from native_align.curate.chars import utf8_view
from native_align.text.normalize import normalize_batch, normalize_code_points


def split_blanked(arr: pa.Array, blanked: np.ndarray) -> pa.ListArray:
    """Per text of ``arr``, its words, cut from ``blanked`` (``chars.blank_separators`` of its bytes); may hold empty
    strings at a text's ends."""
    offsets = utf8_view(arr)[1]
    spaced = pa.LargeStringArray.from_buffers(len(arr), pa.py_buffer(offsets), pa.py_buffer(blanked))
    return pc.ascii_split_whitespace(spaced)


def normalize_values(values: pa.Array) -> pa.Array:
    """``normalize_batch`` of every value of a ``large_string`` array without nulls, as one: a table over the values'
    code points, and ``normalize_batch`` only for the few values the table cannot do. No Python string per value:
    3x cheaper on a batch's vocabulary of 160k words."""
    data, offsets = utf8_view(values)
    cps = np.frombuffer(data.tobytes().decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    cp_offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(pc.utf8_length(values).to_numpy(), out=cp_offsets[1:])
    out, out_offsets, special = normalize_code_points(cps, cp_offsets)
    width = np.zeros(len(out) + 1, dtype=np.int64)  # UTF-8 bytes of each code point, summed
    np.cumsum(1 + (out >= 0x80).view(np.uint8) + (out >= 0x800) + (out >= 0x10000), out=width[1:])
    norm = pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(width[out_offsets]),
                                           pa.py_buffer(out.tobytes().decode("utf-32-le").encode("utf-8")))
    if special.any():
        fixed = normalize_batch(values.filter(pa.array(special)).to_pylist())
        norm = pc.replace_with_mask(norm, pa.array(special), pa.array(fixed, type=pa.large_string()))
    return norm


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
        vocab, idx = enc.dictionary, enc.indices.to_numpy()
        vocab_len = pc.utf8_length(vocab).to_numpy().astype(np.int64)
        doc = pc.list_parent_indices(parts).to_numpy()
        empty = np.flatnonzero(vocab_len == 0)  # "" (pieces at a text's ends) is one entry at most
        if len(empty):  # drop it from the words and the vocabulary, keeping first-occurrence order
            e = int(empty[0])
            keep = idx != e
            idx, doc = idx[keep], doc[keep]
            idx = idx - (idx > e)
            vocab, vocab_len = pa.concat_arrays([vocab.slice(0, e), vocab.slice(e + 1)]), np.delete(vocab_len, e)
        doc = doc.astype(np.int64, copy=False)  # ids stay int32 (Arrow's): 3M words a batch, half the bytes
        return cls(raw_ids=idx, doc=doc, length=vocab_len[idx], raw_vocab=vocab)

    def normalized(self) -> tuple[np.ndarray, pa.Array]:
        """(each word's id in the vocabulary of normalized forms, that vocabulary), ids in order of first occurrence
        (``normalize_for_matching``: harakat, tatweel, hamza forms folded)."""
        if not len(self.raw_vocab):
            return np.zeros(0, dtype=np.int32), pa.array([], type=pa.large_string())
        norm = normalize_values(self.raw_vocab.cast(pa.large_string()))
        enc = pc.dictionary_encode(norm)
        return enc.indices.to_numpy()[self.raw_ids], enc.dictionary
