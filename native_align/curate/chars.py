"""One class byte per code point of a batch, read by language ID and every signal family.

Why: the LID letter rule, ``arabic_script`` and the word split each used to classify all code points of a batch on
their own (two table lookups and a regex split over ~17M code points per 10k articles). Here one uint8 table over all
of Unicode holds every property they need, so a batch is looked up once and each family sums bits.

The word properties are taken from the kernels they replace, so the split cannot drift from them: ``WORD`` is RE2's
``[\\pL\\pM\\pN]`` (Arrow's regex split used ``[^\\pL\\pM\\pN]+``; RE2's Unicode tables are newer than Python's, 141k
vs 136k word characters in pyarrow 26) and ``NUMERIC`` is Arrow's ``utf8_is_numeric``.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from native_align.text import lid

# Bits of a class byte. The first four are the LID letter table's own bits (text/lid.py).
ARABIC_LETTER, NON_ARABIC_LETTER, DIALECT_LETTER, KEYBOARD_ONLY = (lid.ARABIC_LETTER, lid.NON_ARABIC_LETTER,
                                                                   lid.DIALECT_LETTER, lid.KEYBOARD_ONLY)
OFF_KEYBOARD = 16  # an Arabic-script letter an Arabic keyboard does not type (lid: ARABIC_LETTER without ON_KEYBOARD)
LETTER = 32  # any letter (category L*) in the BMP: arabic_script's denominator
WORD = 64  # inside a word: RE2 [\pL\pM\pN]
NUMERIC = 128  # Arrow utf8_is_numeric
N_CODE_POINTS = 0x110000
# Texts per slice of the per-character pass, in UTF-8 bytes: a slice's temporaries (8 bytes a code point at most)
# stay far below glibc's 32 MB mmap limit, so they reuse freed heap instead of faulting in fresh pages (a whole
# 10k-article batch's ~80-160 MB temporaries cost ~1 s of system time on SaudiNewsNet).
CHUNK_BYTES = 1 << 22


def _all_code_points() -> tuple[np.ndarray, pa.Array]:
    """Every scalar value (no surrogates) as a one-character Arrow string."""
    cps = np.arange(N_CODE_POINTS, dtype=np.uint32)
    cps = cps[(cps < 0xD800) | (cps > 0xDFFF)]
    data = cps.astype("<u4").tobytes().decode("utf-32-le").encode("utf-8")
    width = 1 + (cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)
    offsets = np.zeros(len(cps) + 1, dtype=np.int64)
    np.cumsum(width, out=offsets[1:])
    return cps, pa.LargeStringArray.from_buffers(len(cps), pa.py_buffer(offsets), pa.py_buffer(data))


@functools.lru_cache(maxsize=1)
def word_bits() -> np.ndarray:
    """``WORD`` and ``NUMERIC`` for every code point, asked of RE2 and Arrow themselves (~0.1 s once a process)."""
    cps, chars = _all_code_points()
    table = np.zeros(N_CODE_POINTS, dtype=np.uint8)
    word = pc.match_substring_regex(chars, r"^[\pL\pM\pN]$").to_numpy(zero_copy_only=False)
    numeric = pc.utf8_is_numeric(chars).to_numpy(zero_copy_only=False)
    table[cps[word]] |= WORD
    table[cps[numeric]] |= NUMERIC
    return table


@functools.lru_cache(maxsize=1)
def bmp_letters() -> np.ndarray:
    """True for the BMP code points whose category is a letter (L*), as ``unicodedata`` says."""
    return np.fromiter((unicodedata.category(chr(cp))[0] == "L" for cp in range(0x10000)), dtype=bool,
                       count=0x10000)


@functools.lru_cache(maxsize=8)
def class_table(non_arabic_letters: str = lid.DEFAULT_NON_ARABIC_LETTERS,
                dialect_letters: str = lid.DEFAULT_DIALECT_LETTERS,
                keyboard_letters: str = lid.DEFAULT_ARABIC_KEYBOARD_LETTERS) -> np.ndarray:
    """uint8 class of every code point for these LID letter sets (the LID bits exist in the BMP only, as in
    ``lid.codepoints``, which clips to U+FFFF)."""
    letters = lid.letter_table(non_arabic_letters, dialect_letters, keyboard_letters)
    table = word_bits().copy()
    bmp = letters & (ARABIC_LETTER | NON_ARABIC_LETTER | DIALECT_LETTER | KEYBOARD_ONLY)
    off = (letters & (lid.ARABIC_LETTER | lid.ON_KEYBOARD)) == lid.ARABIC_LETTER
    table[:0x10000] |= bmp | np.where(off, OFF_KEYBOARD, 0).astype(np.uint8)
    table[:0x10000] |= np.where(bmp_letters(), LETTER, 0).astype(np.uint8)
    return table


def bit_counts(classes: np.ndarray, offsets: np.ndarray, bits: Sequence[int]) -> np.ndarray:
    """(len(bits), segments) int64: per segment [offsets[i], offsets[i+1]) of ``classes``, the values with each bit.

    All counts share one pass: each class byte becomes a uint64 with one ``64 // len(bits)``-bit field per bit, and
    one native ``reduceat`` sums them over pieces too short for a field to overflow (segments cut into blocks);
    the pieces' fields are then added up per segment. Measured 2x cheaper than fields as wide as the longest
    segment (two passes for 6 bits) and 6x cheaper than a masked reduceat per bit.
    """
    n = len(offsets) - 1
    out = np.zeros((len(bits), n), dtype=np.int64)
    lo, hi = int(offsets[0]), int(offsets[-1])
    if hi == lo:
        return out
    width = 64 // len(bits)
    field = (1 << width) - 1
    starts = np.union1d(offsets[:-1], np.arange(lo, hi, field))  # a piece holds at most `field` values
    starts = starts[starts < hi]
    byte = np.arange(256)
    table = np.zeros(256, dtype=np.uint64)
    for f, bit in enumerate(bits):
        table |= ((byte & bit) != 0).astype(np.uint64) << np.uint64(f * width)
    sums = np.add.reduceat(np.take(table, classes[lo:hi]), starts - lo)
    segment = np.searchsorted(offsets, starts, side="right") - 1
    for f in range(len(bits)):
        piece = ((sums >> np.uint64(f * width)) & np.uint64(field)).astype(np.float64)
        out[f] = np.bincount(segment, weights=piece, minlength=n)  # exact: counts stay far below 2**53
    return out


def doc_slices(offsets: np.ndarray, size: int) -> list[tuple[int, int]]:
    """[a, z) runs of whole documents of about ``size`` items each (``offsets``: each document's first item, and the
    end); a document longer than ``size`` is a run of its own."""
    n = len(offsets) - 1
    cuts = np.unique(np.r_[0, np.searchsorted(offsets, np.arange(size, offsets[-1], size)), n]).tolist()
    return list(zip(cuts[:-1], cuts[1:]))


def utf8_view(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bytes of all values, value offsets into them starting at 0) of a ``large_string`` array without nulls."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    if bufs[2] is None or offsets[-1] == offsets[0]:
        return np.zeros(0, dtype=np.uint8), offsets - offsets[0]
    data = np.frombuffer(bufs[2], dtype=np.uint8)[offsets[0]:offsets[-1]]
    return data, offsets - offsets[0]


def blank_separators(data: np.ndarray, classes: np.ndarray, out: np.ndarray) -> None:
    """``out`` = the UTF-8 ``data`` with every byte of every non-``WORD`` code point set to an ASCII space
    (``classes``: the class byte of each code point of ``data``, in order; a code point's width is read from its
    lead byte)."""
    lead = np.flatnonzero(data.view(np.int8) >= -0x40)  # byte offset of every code point (not 0x80-0xBF)
    if len(lead) != len(classes):
        raise ValueError(f"{len(classes)} class bytes for {len(lead)} code points")
    start = lead[np.flatnonzero((classes & WORD) == 0)]
    np.copyto(out, data)
    out[start] = 0x20
    multi = start[data[start] >= 0xC0]  # the few multi-byte separators (، » … NBSP): blank their other bytes too
    width = 2 + (data[multi] >= 0xE0) + (data[multi] >= 0xF0)
    for k in (1, 2, 3):
        out[multi[width > k] + k] = 0x20


@dataclass
class CharPass:
    """Per text: code points and, per class bit, the code points that have it; and the word-blanked UTF-8 bytes."""

    n_chars: np.ndarray
    counts: dict[int, np.ndarray]
    blanked: np.ndarray | None  # None once the words are cut


COUNTED_BITS = (ARABIC_LETTER, NON_ARABIC_LETTER, DIALECT_LETTER, KEYBOARD_ONLY, OFF_KEYBOARD, LETTER)


def char_pass(arr: pa.Array, texts: Sequence[str], table: np.ndarray, chunk_bytes: int = CHUNK_BYTES) -> CharPass:
    """Everything per character of a batch (``arr`` ``large_string`` without nulls, ``texts`` its values), one
    slice of whole texts at a time: code points (``utf-32``), their class byte (``table``), the per-text bit
    counts and the separator-blanked bytes the word split reads."""
    data, offsets = utf8_view(arr)
    n = len(arr)
    n_chars = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
    cp_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(n_chars, out=cp_offsets[1:])
    counts = np.zeros((len(COUNTED_BITS), n), dtype=np.int64)
    blanked = np.empty_like(data)
    for a, z in doc_slices(offsets, chunk_bytes):
        cps = np.frombuffer("".join(texts[a:z]).encode("utf-32-le"), dtype=np.uint32)
        classes = np.take(table, cps)  # take: ~1.5x cheaper than table[cps]
        counts[:, a:z] = bit_counts(classes, cp_offsets[a:z + 1] - cp_offsets[a], COUNTED_BITS)
        lo, hi = offsets[a], offsets[z]
        blank_separators(data[lo:hi], classes, blanked[lo:hi])
    return CharPass(n_chars=n_chars, counts=dict(zip(COUNTED_BITS, counts)), blanked=blanked)
