"""FineWeb quality rules (Penedo et al. 2024) with FineWeb-2 ``arb_Arab`` thresholds and Arabic punctuation.

- ``line_punct_ratio``: terminated pieces / pieces, where a non-empty line is split at its inner sentence marks
  (``. ! ? ؟ ؛`` + space) and ``، ؛ ؟`` are terminal. For one-sentence lines this is FineWeb's ratio; an article
  flattened into one line with an unterminated footer is not judged by the footer alone;
- ``short_line_ratio``: non-empty lines of at most ``short_line_length`` characters / non-empty lines;
- ``char_dup_ratio``: characters in lines repeating an earlier line / characters without newlines;
- ``newline_ratio``: newlines / words (list-like pages).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow as pa

from native_align.curate.batch import TextBatch, safe_div
from native_align.curate.signals.base import Rule, SignalFamily
from native_align.curate.signals.c4 import TERMINAL, ends_with_terminal, inner_sentence_ends


class FineWebQuality(SignalFamily):
    min_line_punct_ratio: float | None = 0.143
    max_short_line_ratio: float | None = None  # FineWeb-2 disables it (short_line_thr=999); FineWeb used 0.67
    short_line_length: int = 30
    max_char_dup_ratio: float | None = 0.1
    max_newline_ratio: float | None = 0.189
    terminal_punctuation: str = TERMINAL

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {
        "line_punct_ratio": pa.float64(), "short_line_ratio": pa.float64(),
        "char_dup_ratio": pa.float64(), "newline_ratio": pa.float64(),
    }

    def compute(self, b: TextBatch) -> dict[str, np.ndarray]:
        lines = b.lines
        term = b.memo(("line_terminal", self.terminal_punctuation),
                      lambda: ends_with_terminal(lines.text, self.terminal_punctuation))
        inner = b.memo("line_inner_sentence_ends", lambda: inner_sentence_ends(lines.text))
        short = lines.length <= self.short_line_length
        newlines = b.count("\n")
        return {
            "line_punct_ratio": safe_div(lines.sum(np.ones_like(term), inner + term),
                                         lines.sum(np.ones_like(term), inner + 1)),
            "short_line_ratio": safe_div(lines.sum(short), lines.count),
            "char_dup_ratio": safe_div(lines.sum(lines.is_repeat, lines.length), b.n_chars - newlines),
            "newline_ratio": safe_div(newlines, b.n_words),
        }

    def rules(self) -> list[Rule]:
        return [
            Rule("fineweb_line_punct", "line_punct_ratio", "min", self.min_line_punct_ratio),
            Rule("fineweb_short_lines", "short_line_ratio", "max", self.max_short_line_ratio),
            Rule("fineweb_char_dup", "char_dup_ratio", "max", self.max_char_dup_ratio),
            Rule("fineweb_newline_ratio", "newline_ratio", "max", self.max_newline_ratio),
        ]
