"""How much of a text is written in Arabic script.

``arabic_script_ratio``: Arabic-script letters / all letters (digits, punctuation and spaces are neither). A page
that is mostly Latin or Hebrew letters is not an Arabic page even when fastText is unsure.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import ClassVar

import numpy as np
import pyarrow as pa

from native_align.curate.batch import TextBatch, safe_div
from native_align.text.lid import segment_sum
from native_align.curate.signals.base import Rule, SignalFamily

ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


LETTER, ARABIC = 1, 2


@lru_cache(maxsize=1)
def letter_table() -> np.ndarray:
    """uint8 lookup over the BMP: bit 1 = any letter (category L*), bit 2 = Arabic-script letter."""
    table = np.fromiter((unicodedata.category(chr(cp))[0] == "L" for cp in range(0x10000)), dtype=np.uint8,
                        count=0x10000)
    for lo, hi in ARABIC_BLOCKS:
        table[lo:hi + 1] |= (table[lo:hi + 1] & LETTER) << 1
    return table


class ArabicScript(SignalFamily):
    min_arabic_script_ratio: float | None = 0.5

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {"arabic_script_ratio": pa.float64()}

    def compute(self, b: TextBatch) -> dict[str, np.ndarray]:
        cp, offsets = b.codepoints
        cls = letter_table()[cp]
        letters = segment_sum(cls & LETTER, offsets)
        arabic = segment_sum((cls & ARABIC) >> 1, offsets)
        return {"arabic_script_ratio": safe_div(arabic, letters)}

    def rules(self) -> list[Rule]:
        return [Rule("arabic_script_low", "arabic_script_ratio", "min", self.min_arabic_script_ratio)]
