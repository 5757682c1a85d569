"""How much of a text is written in Arabic script.

``arabic_script_ratio``: Arabic-script letters / all letters (digits, punctuation and spaces are neither). A page
that is mostly Latin or Hebrew letters is not an Arabic page even when fastText is unsure.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow as pa

from native_align.curate import chars
from native_align.curate.batch import TextBatch, safe_div
from native_align.curate.signals.base import Rule, SignalFamily

ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


class ArabicScript(SignalFamily):
    min_arabic_script_ratio: float | None = 0.5

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {"arabic_script_ratio": pa.float64()}

    def compute(self, b: TextBatch) -> dict[str, np.ndarray]:
        # Counted with LID's letter counts, from the batch's class bytes: letters (L*) of the BMP, and those in
        # ARABIC_BLOCKS (the LID table's Arabic-script letter bit covers the same blocks).
        letters = b.class_count(chars.LETTER)
        arabic = b.class_count(chars.ARABIC_LETTER)
        return {"arabic_script_ratio": safe_div(arabic, letters)}

    def rules(self) -> list[Rule]:
        return [Rule("arabic_script_low", "arabic_script_ratio", "min", self.min_arabic_script_ratio)]
